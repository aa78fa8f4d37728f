"""Secrets handed to people once and stored only as SHA-256."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Protocol

# 32 random bytes: 256 bits, unguessable; URL-safe so it travels in links.
SECRET_BYTES = 32


def new_secret() -> str:
    return secrets.token_urlsafe(SECRET_BYTES)


def digest(raw: str) -> bytes:
    return hashlib.sha256(raw.encode()).digest()


def same_digest(raw: str, stored: bytes) -> bool:
    return hmac.compare_digest(digest(raw), stored)


class Sealer(Protocol):
    """Encrypts a short text for storage and opens it again: what the outbox keeps of a secret
    or an address it must not hold in clear (``scheduler.calendar.SecretBox`` is one)."""

    def encrypt(self, plaintext: str) -> str: ...

    def decrypt(self, ciphertext: str) -> str:
        """The plain text; a ``ValueError`` when no key it holds opens ``ciphertext``."""
        ...
