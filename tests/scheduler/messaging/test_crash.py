"""Mail after crashes: workers and PostgreSQL killed with SIGKILL while confirmations go out.
Every message is sent at least once, under its one Message-ID; a message is sent again only
when it was in flight at a kill (accepted by the SMTP server, its record not committed: at most
one per delivery slot of the killed worker)."""

from __future__ import annotations

from testkit.crash import run_crashes


async def test_every_mail_arrives_once_or_again_only_when_in_flight_at_a_kill() -> None:
    counts = await run_crashes(bookings=40, rounds=4, kill_database_every=2, settle=40)
    assert counts.worker_kills >= 1 and counts.database_kills >= 1
    assert counts.missing == 0
    assert counts.arrived == counts.expected == 80
    assert counts.same_id
    assert counts.unexplained == 0
    assert counts.duplicated <= counts.concurrency * (counts.worker_kills + counts.database_kills)
