"""The worker's mailer keeps its SMTP connection open between messages, and replaces one the
server dropped."""

from __future__ import annotations

from typing import Any

from integrations.mail import SmtpMailer, TransientDeliveryError
from integrations.messages import Brand, compose_one
from testkit.booking_views import NOW, make_view
from testkit.smtp_sink import RecordingHandler, SmtpServer


class PeerRecorder(RecordingHandler):
    def __init__(self) -> None:
        super().__init__()
        self.peers: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.peers.append(session.peer)
        return await super().handle_DATA(server, session, envelope)


def _letter() -> Any:
    return compose_one("booked", "visitor", make_view(), Brand(), now=NOW)


async def test_messages_in_a_row_share_one_connection() -> None:
    recorder = PeerRecorder()
    server = SmtpServer(recorder).start()
    mailer = SmtpMailer(server.settings().smtp, reuse_connections=True)
    try:
        for _ in range(3):
            await mailer.send(_letter())
    finally:
        await mailer.close()
        server.stop()
    assert len(recorder.peers) == 3
    assert len(set(recorder.peers)) == 1


async def test_a_dropped_connection_is_replaced_by_a_new_one() -> None:
    recorder = PeerRecorder()
    server = SmtpServer(recorder).start()
    mailer = SmtpMailer(server.settings().smtp, reuse_connections=True)
    try:
        await mailer.send(_letter())
        server.stop()
        server.start()
        # The kept connection is dead: at worst this attempt fails as transient (the outbox
        # retries it), and the next one goes through on a new connection.
        try:
            await mailer.send(_letter())
        except TransientDeliveryError:
            await mailer.send(_letter())
    finally:
        await mailer.close()
        server.stop()
    assert len(recorder.peers) == 2
    assert len(set(recorder.peers)) == 2
