"""Soak: mail under crashes (testkit/crash.py), many kills. Prints the counts; asserts nothing.

    .venv/bin/python bench/crash.py [--bookings 400] [--rounds 30] [--kill-database-every 3]

Workers (``thotis worker``) are killed with SIGKILL a random 0.02–0.3 s after the SMTP server
accepted their first message, PostgreSQL too every --kill-database-every rounds (the embedded server's
supervisor starts it again), against an SMTP server in its own process that logs every accepted
Message-ID before it answers 250. Printed: messages expected (two per booking), distinct
Message-IDs accepted, missing ones, extra copies, whether each copy carried its message's one
Message-ID, the messages in flight at a kill (accepted by the SMTP server but not recorded while
the killed worker lay dead), extra copies of any other message (must be 0), and the kills.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from testkit.crash import run_crashes  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--bookings", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--kill-database-every", type=int, default=3)
    args = parser.parse_args()
    counts = asyncio.run(
        run_crashes(
            args.bookings,
            args.rounds,
            kill_database_every=args.kill_database_every,
            settle=120,
        )
    )
    print(
        f"expected {counts.expected} messages; accepted {counts.arrived} distinct, missing "
        f"{counts.missing}, extra copies {counts.duplicated} (same Message-ID each time: "
        f"{counts.same_id}); in flight at a kill {counts.in_flight}, extra copies of others "
        f"{counts.unexplained}; kills: {counts.worker_kills} workers, {counts.database_kills} "
        f"PostgreSQL; extra copies per kill {counts.duplicated / max(1, counts.worker_kills + counts.database_kills):.2f} "
        f"(at most {counts.concurrency}: one per delivery slot)"
    )


if __name__ == "__main__":
    main()
