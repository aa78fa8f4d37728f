"""Tokens at rest: Fernet round trip, key rotation, and the missing-key error."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cryptography.fernet import Fernet

from scheduler.calendar import (
    GoogleTokens,
    SecretBox,
    SecretUnreadable,
    TokenKeyMissing,
    derive_dev_key,
    open_tokens,
    seal_tokens,
)
from scheduler.platform import SecretsSettings


def _key() -> str:
    return Fernet.generate_key().decode()


def test_round_trip_hides_the_plaintext() -> None:
    box = SecretBox(SecretsSettings(token_keys=(_key(),)))
    sealed = box.encrypt("1//refresh-token-é")
    assert "refresh" not in sealed
    assert box.decrypt(sealed) == "1//refresh-token-é"
    # Fernet is randomised: the same secret never gives the same ciphertext twice.
    assert box.encrypt("1//refresh-token-é") != sealed


def test_rotation_old_key_still_decrypts_and_rotate_moves_to_the_newest() -> None:
    old, new = _key(), _key()
    sealed_with_old = SecretBox(SecretsSettings(token_keys=(old,))).encrypt("secret")
    both = SecretBox(SecretsSettings(token_keys=(new, old)))
    assert both.decrypt(sealed_with_old) == "secret"
    rotated = both.rotate(sealed_with_old)
    only_new = SecretBox(SecretsSettings(token_keys=(new,)))
    assert only_new.decrypt(rotated) == "secret"
    with pytest.raises(SecretUnreadable):
        only_new.decrypt(sealed_with_old)
    # New ciphertexts use the newest key.
    assert only_new.decrypt(both.encrypt("x")) == "x"


def test_tampered_or_foreign_ciphertext_is_refused() -> None:
    box = SecretBox(SecretsSettings(token_keys=(_key(),)))
    sealed = box.encrypt("secret")
    tampered = sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB")
    for bad in (tampered, "not a token", "é"):
        with pytest.raises(SecretUnreadable):
            box.decrypt(bad)


def test_dev_default_derives_a_key_from_the_secret_key() -> None:
    dev = SecretsSettings()
    assert not dev.token_keys
    box = SecretBox(dev)
    assert SecretBox(SecretsSettings()).decrypt(box.encrypt("s")) == "s"
    assert Fernet(derive_dev_key(dev.secret_key)).decrypt(box.encrypt("s").encode()) == b"s"


def test_no_key_outside_dev_is_a_clear_error() -> None:
    with pytest.raises(TokenKeyMissing, match="TOKEN_KEYS"):
        SecretBox(SecretsSettings(secret_key="a-production-secret"))
    with pytest.raises(TokenKeyMissing, match="Fernet key"):
        SecretBox(SecretsSettings(secret_key="a-production-secret", token_keys=("too-short",)))


def test_google_tokens_round_trip_sealed() -> None:
    box = SecretBox(SecretsSettings(token_keys=(_key(),)))
    tokens = GoogleTokens(
        access_token="ya29.a",
        refresh_token="1//r",
        expiry=datetime(2031, 1, 1, 12, 0, tzinfo=UTC),
        scopes=("openid", "https://www.googleapis.com/auth/calendar.freebusy"),
    )
    sealed = seal_tokens(box, tokens)
    assert "ya29" not in sealed and "1//r" not in sealed
    assert open_tokens(box, sealed) == tokens
    bare = GoogleTokens(access_token=None, refresh_token="1//r", expiry=None)
    assert open_tokens(box, seal_tokens(box, bare)) == bare
