"""Webhook signing secrets are sealed at rest with TOKEN_KEYS, as the Google tokens are

A copy of the database (a backup, a read replica, a leaked dump) held every endpoint's
``whsec_`` secret in clear: whoever had it could sign webhooks as Thotis. The secrets are now
Fernet ciphertexts under the deployment's token keys (``scheduler.calendar.SecretBox``); this
revision seals the ones already stored, and the downgrade opens them again. A plain secret
starts with ``whsec_``, a sealed one never does, so both directions skip what is already done.

The keys are the ones ``scheduler.platform.migrations.upgrade`` is given, else TOKEN_KEYS from
the environment (as ``serve`` and ``migrate`` read it); no key is needed when there is nothing
to seal.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

from scheduler.calendar import SecretBox
from scheduler.platform import Settings

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PLAIN = "whsec\\_%"


def _box() -> SecretBox:
    secrets = context.config.attributes.get("secrets") or Settings.from_env().secrets
    return SecretBox(secrets)


def _rewrite(where: str, change: str) -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(f"SELECT id, secret FROM webhook_endpoints WHERE secret {where} :plain"),
        {"plain": _PLAIN},
    ).all()
    if not rows:
        return
    box = _box()
    convert = box.encrypt if change == "seal" else box.decrypt
    for endpoint_id, secret in rows:
        connection.execute(
            sa.text("UPDATE webhook_endpoints SET secret = :secret WHERE id = :id"),
            {"secret": convert(secret), "id": endpoint_id},
        )


def upgrade() -> None:
    _rewrite("LIKE", "seal")


def downgrade() -> None:
    _rewrite("NOT LIKE", "open")
