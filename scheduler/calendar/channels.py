"""Push: Google's watch channels on the events calendar. A notification only asks for a sync
(the worker does it; the webhook answers at once); polling covers a lost one."""

from __future__ import annotations

import hmac
import logging
import secrets
from datetime import timedelta
from uuid import UUID

from sqlalchemy import select

from scheduler.calendar.link import CALENDAR_FAILURES, LinkedAccount, Links
from scheduler.calendar.models import CalendarConnection

__all__ = ["CHANNEL_RENEW_MARGIN", "NOTIFICATIONS_PATH", "Channels"]

log = logging.getLogger("thotis.calendar")

CHANNEL_TTL = timedelta(days=7)
CHANNEL_RENEW_MARGIN = timedelta(days=1)
NOTIFICATIONS_PATH = "/v1/google/notifications"


class Channels:
    def __init__(self, links: Links) -> None:
        self.links = links
        self.db = links.db

    async def note_push(self, channel_id: str, resource_id: str, token: str | None) -> bool:
        """A push notification: when it names a channel of ours with its secret, ask for a sync
        (the worker does it; the webhook answers at once). False for anything else."""
        async with self.db.transaction() as session:
            row = (
                await session.execute(
                    select(CalendarConnection)
                    .where(CalendarConnection.channel_id == channel_id)
                    .with_for_update()
                )
            ).scalar_one_or_none()
            if (
                row is None
                or token is None
                or row.channel_token is None
                or row.channel_resource_id != resource_id
                or not hmac.compare_digest(token.encode(), row.channel_token.encode())
            ):
                return False
            row.sync_requested_at = self.links.clock()
        return True

    def push_address(self) -> str | None:
        base = self.links.settings.http.public_url.rstrip("/")
        # Google only delivers to HTTPS addresses: without one, polling does the job.
        return f"{base}{NOTIFICATIONS_PATH}" if base.startswith("https://") else None

    async def renew(self, mentor_id: UUID, address: str) -> None:
        links = self.links
        conn = await links.require(mentor_id)
        calendar_id = conn.events_calendar_id
        if calendar_id is None:
            return
        channel_id, channel_token = secrets.token_hex(16), secrets.token_urlsafe(32)
        channel = await links.call(
            conn,
            lambda tokens: links.provider.watch(
                tokens,
                calendar_id,
                channel_id=channel_id,
                address=address,
                channel_token=channel_token,
                ttl=CHANNEL_TTL,
            ),
        )
        await links.update(
            mentor_id,
            channel_id=channel.id,
            channel_resource_id=channel.resource_id,
            channel_token=channel.token,
            channel_expiration=channel.expiration,
        )
        await self.stop(conn, clear=False)

    async def stop(self, conn: LinkedAccount, *, clear: bool = True) -> None:
        channel = conn.channel
        if channel is None:
            return
        links = self.links
        try:
            await links.call(conn, lambda tokens: links.provider.stop_channel(tokens, channel))
        except CALENDAR_FAILURES as error:
            # It lapses by itself within CHANNEL_TTL; its notifications no longer match.
            log.info("stopping channel %s failed: %s", channel.id, error)
        if clear:
            await links.update(
                conn.mentor_id,
                channel_id=None,
                channel_resource_id=None,
                channel_token=None,
                channel_expiration=None,
            )
