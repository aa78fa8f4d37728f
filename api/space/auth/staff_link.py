"""The staff console's one-time link by email: a way in without Google (a new install, or a
team that does not use Google), with the mentors' rules and flow (``api.space.auth.link``):
the form answers the same for any address, only ``STAFF_EMAILS`` / ``STAFF_DOMAIN`` addresses
are sent a link, at most ``SIGN_IN_LINKS_PER_WINDOW`` per address per quarter hour (counted in
PostgreSQL), and membership is checked again when the link is used."""

from __future__ import annotations

from api.space.auth.link import LinkSignInController
from scheduler.identity import Role


class StaffSignInLinkController(LinkSignInController):
    path = "/staff/sign-in"
    role = Role.STAFF
