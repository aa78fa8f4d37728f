"""Signing in and out of the mentor space and the staff console.

GET  /mentor/sign-in                  Google button and the "email me a link" form
GET  /mentor/sign-in/google           to Google (OpenID Connect: openid email)
POST /mentor/sign-in/link             email a one-time link (same answer for any address)
GET  /mentor/sign-in/link/{token}     a button that uses the link (mail scanners only GET)
POST /mentor/sign-in/link/{token}     use it: a session, then the space
GET  /staff/sign-in, /staff/sign-in/google
POST /staff/sign-in/link, GET|POST /staff/sign-in/link/{token}   the same link, for staff
GET  /auth/google/callback            Google comes back here, for sign-ins and for the
                                      mentor's calendar connection alike
POST /mentor/sign-out, /mentor/sign-out-everywhere, /staff/sign-out, /staff/sign-out-everywhere
"""

from __future__ import annotations

from api.space.auth.common import link_message, link_url, redirect_uri
from api.space.auth.google import GoogleSignInController
from api.space.auth.link import SignInLinkController
from api.space.auth.sign_out import SignOutController
from api.space.auth.staff_link import StaffSignInLinkController

__all__ = [
    "GoogleSignInController",
    "SignInLinkController",
    "SignOutController",
    "StaffSignInLinkController",
    "link_message",
    "link_url",
    "redirect_uri",
]
