"""Encryption at rest for secrets the engine keeps (the mentors' Google tokens).

Fernet (AES-128-CBC + HMAC-SHA256, authenticated) through ``MultiFernet`` over
``SecretsSettings.token_keys``, newest first: new ciphertexts use the newest key, every listed key
still decrypts, and ``rotate()`` re-encrypts an old ciphertext with the newest key. Rotation is:
prepend a new key to TOKEN_KEYS, run ``thotis keys reseal`` (``scheduler.calendar.reseal``:
every Google token and webhook signing secret re-sealed with it), then drop the old key.

Without TOKEN_KEYS a development set-up (``SECRET_KEY`` left at its dev default) derives one key
from ``secret_key`` with HKDF-SHA256 so that ``make run`` works out of the box; a deployment
that set its own ``SECRET_KEY`` but no TOKEN_KEYS gets ``TokenKeyMissing`` instead, because a
key derived from a signing secret would tie the tokens' fate to the rotation of that secret.
Generate a key with ``python -c "from cryptography.fernet import Fernet;
print(Fernet.generate_key().decode())"``.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from scheduler.calendar.ports import GoogleTokens
from scheduler.platform import SecretsSettings

__all__ = [
    "SecretBox",
    "SecretUnreadable",
    "TokenKeyMissing",
    "derive_dev_key",
    "open_tokens",
    "seal_tokens",
]

_DEV_SECRET = SecretsSettings().secret_key
_HKDF_INFO = b"thotis token encryption v1"


class TokenKeyMissing(RuntimeError):
    """No TOKEN_KEYS configured outside development."""


class SecretUnreadable(ValueError):
    """A ciphertext no configured key opens (wrong or dropped key, or altered data)."""


def derive_dev_key(secret_key: str) -> bytes:
    """A Fernet key derived from ``secret_key`` (HKDF-SHA256); for development only."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(
        secret_key.encode()
    )
    return base64.urlsafe_b64encode(raw)


def _keys(secrets: SecretsSettings) -> list[bytes]:
    if secrets.token_keys:
        return [key.encode() for key in secrets.token_keys]
    if secrets.secret_key == _DEV_SECRET:
        return [derive_dev_key(secrets.secret_key)]
    raise TokenKeyMissing(
        "TOKEN_KEYS is not set: Google tokens cannot be stored encrypted. Set TOKEN_KEYS to one "
        "or more comma-separated Fernet keys, newest first (generate one with "
        '`python -c "from cryptography.fernet import Fernet; '
        'print(Fernet.generate_key().decode())"`).'
    )


class SecretBox:
    """Encrypts and decrypts short secrets with the configured keys."""

    __slots__ = ("_fernet", "_newest")

    def __init__(self, secrets: SecretsSettings) -> None:
        try:
            fernets = [Fernet(key) for key in _keys(secrets)]
            self._fernet = MultiFernet(fernets)
            self._newest = fernets[0]
        except ValueError as error:
            raise TokenKeyMissing(
                "a TOKEN_KEYS entry is not a Fernet key (32 url-safe base64-encoded bytes)"
            ) from error

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode("ascii")

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode("ascii")).decode()
        except (InvalidToken, UnicodeEncodeError) as error:
            raise SecretUnreadable("no configured key opens this secret") from error

    def is_current(self, ciphertext: str) -> bool:
        """Whether the newest key opens it (nothing to re-seal); False for any other, even
        one no key opens."""
        try:
            self._newest.decrypt(ciphertext.encode("ascii"))
        except (InvalidToken, UnicodeEncodeError):
            return False
        return True

    def rotate(self, ciphertext: str) -> str:
        """The same secret, encrypted with the newest key."""
        try:
            return self._fernet.rotate(ciphertext.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeEncodeError) as error:
            raise SecretUnreadable("no configured key opens this secret") from error


def seal_tokens(box: SecretBox, tokens: GoogleTokens) -> str:
    """One ciphertext for a connection's tokens (a column of the connection row)."""
    return box.encrypt(
        json.dumps(
            {
                "access_token": tokens.access_token,
                "refresh_token": tokens.refresh_token,
                "expiry": tokens.expiry.isoformat() if tokens.expiry else None,
                "scopes": list(tokens.scopes),
            }
        )
    )


def open_tokens(box: SecretBox, sealed: str) -> GoogleTokens:
    data = json.loads(box.decrypt(sealed))
    return GoogleTokens(
        access_token=data["access_token"],
        refresh_token=data["refresh_token"],
        expiry=datetime.fromisoformat(data["expiry"]) if data["expiry"] else None,
        scopes=tuple(data["scopes"]),
    )
