"""Webhook signing secrets are sealed at rest with the token keys (what staff see and what
signs is the opened secret), revision 0019 seals the ones stored in clear before it, and the
delivery log keeps finished messages only for WEBHOOK_LOG_RETENTION_DAYS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cryptography.fernet import Fernet
from sqlalchemy import create_engine, pool, text
from sqlalchemy.ext.asyncio import AsyncSession

from scheduler.calendar import SecretBox
from scheduler.messaging import EndpointChange, UrlPolicy, webhook_delivery, webhooks
from scheduler.platform import Actor, Database, SecretsSettings, normalize_url
from scheduler.platform import migrations as migrate

KEYS = SecretsSettings(token_keys=(Fernet.generate_key().decode(),))
PLAIN = "whsec_" + "A" * 43 + "="


def _stored(url: str) -> str:
    engine = create_engine(normalize_url(url), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            return str(
                connection.execute(text("SELECT secret FROM webhook_endpoints")).scalar_one()
            )
    finally:
        engine.dispose()


async def _register(session: AsyncSession, box: SecretBox) -> webhooks.Endpoint:
    return await webhooks.create_endpoint(
        session,
        EndpointChange(url="https://www.thotis.fr/hooks", events=["booking.created"]),
        UrlPolicy(),
        Actor.staff("tests"),
        box,
    )


async def test_a_new_endpoints_secret_is_stored_sealed_and_read_opened(db: Database) -> None:
    box = SecretBox(KEYS)
    async with db.sessions() as session:
        created = await _register(session, box)
        stored = await session.scalar(text("SELECT secret FROM webhook_endpoints"))
        read = await webhooks.get_endpoint(session, created.id, box)
    assert created.secret.startswith("whsec_")
    assert stored is not None and "whsec_" not in stored
    assert box.decrypt(stored) == created.secret == read.secret


async def test_a_secret_no_key_opens_reads_as_none_and_a_rotation_makes_it_readable(
    db: Database,
) -> None:
    old, new = (
        SecretBox(KEYS),
        SecretBox(SecretsSettings(token_keys=(Fernet.generate_key().decode(),))),
    )
    async with db.sessions() as session:
        created = await _register(session, old)
        await session.commit()
        listed = await webhooks.list_endpoints(session, new)
        rotated = await webhooks.update_endpoint(
            session,
            created.id,
            EndpointChange(),
            UrlPolicy(),
            Actor.staff("tests"),
            new,
            rotate_secret=True,
        )
    assert [e.secret for e in listed] == [None]
    assert rotated.secret is not None and rotated.secret.startswith("whsec_")


def test_revision_0019_seals_the_secrets_stored_in_clear_and_its_downgrade_opens_them(
    empty_database_url: str,
) -> None:
    migrate.upgrade(empty_database_url, "0018")
    engine = create_engine(normalize_url(empty_database_url), poolclass=pool.NullPool)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO webhook_endpoints (id, url, events, secret) VALUES"
                    " (gen_random_uuid(), 'https://www.thotis.fr/hooks', '{booking.created}',"
                    " :secret)"
                ),
                {"secret": PLAIN},
            )
    finally:
        engine.dispose()
    migrate.upgrade(empty_database_url, "0019", secrets=KEYS)
    sealed = _stored(empty_database_url)
    assert sealed != PLAIN and SecretBox(KEYS).decrypt(sealed) == PLAIN
    migrate.downgrade(empty_database_url, "0018", secrets=KEYS)
    assert _stored(empty_database_url) == PLAIN


async def test_the_log_purge_deletes_finished_messages_past_the_retention_only(
    db: Database,
) -> None:
    now = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
    old, recent = now - timedelta(days=31), now - timedelta(days=29)
    async with db.sessions() as session:
        endpoint = await webhooks.create_endpoint(
            session,
            EndpointChange(url="https://www.thotis.fr/hooks", events=["booking.created"]),
            UrlPolicy(),
            Actor.staff("tests"),
            SecretBox(KEYS),
        )
        for msg_id, status, created_at in (
            ("msg_old_delivered", "delivered", old),
            ("msg_old_failed", "failed", old),
            ("msg_old_pending", "pending", old),
            ("msg_recent_delivered", "delivered", recent),
        ):
            await session.execute(
                text(
                    "INSERT INTO webhook_messages (id, endpoint_id, event_type, payload, status,"
                    " created_at) VALUES (:id, :endpoint, 'booking.created', '{}', :status, :at)"
                ),
                {"id": msg_id, "endpoint": endpoint.id, "status": status, "at": created_at},
            )
        await session.commit()
        purged = await webhook_delivery.purge_log(session, now, 30)
        left = set((await session.execute(text("SELECT id FROM webhook_messages"))).scalars())
    assert purged == 2
    assert left == {"msg_old_pending", "msg_recent_delivered"}
