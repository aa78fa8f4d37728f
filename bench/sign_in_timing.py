"""Sign-in-link form: server time for a known mentor's address vs an unknown one (issue 18: the
form used to take about twice as long for a mentor, which told who is one). Prints figures;
asserts nothing.

    .venv/bin/python bench/sign_in_timing.py [--requests 300]

The app is ``create_app()`` on an embedded PostgreSQL with the demo mentors, called in-process
(ASGI, no network), with the limits raised out of the way (the limit statement still runs:
a limit is only skipped when it is 0). Known and unknown addresses alternate, so drift in the
machine's load touches both alike. The worker is off: what is timed is the request path only,
which is all a prober sees.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from cryptography.fernet import Fernet  # noqa: E402
from litestar.testing import AsyncTestClient  # noqa: E402

from api.app import create_app  # noqa: E402
from api.wiring import build_parts  # noqa: E402
from bench.harness import migrated_database  # noqa: E402
from scheduler.platform import (  # noqa: E402
    Database,
)
from scheduler.schedules import seed  # noqa: E402
from testkit.settings import settings_of  # noqa: E402

KNOWN = "camille.laurent@demo.thotis.fr"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def main(url: str, requests: int) -> None:
    database = Database.from_url(url)
    async with database.session() as session:
        await seed(session)
        await session.commit()
    settings = settings_of(
        database_url=url,
        public_url="http://bench.local",
        seed_demo=False,
        embedded_worker=False,
        token_keys=(Fernet.generate_key().decode(),),
        sign_in_link_limit_per_address=10**9,
        sign_in_link_limit_overall=10**9,
    )
    app = create_app(settings, build_parts(settings, database))
    times: dict[str, list[float]] = {"known": [], "unknown": []}
    async with AsyncTestClient(app=app, base_url="http://bench.local") as client:
        token = CSRF.search((await client.get("/mentor/sign-in")).text)
        assert token is not None
        for n in range(requests + 20):
            for label in ("known", "unknown"):
                email = KNOWN if label == "known" else f"stranger{n}@example.org"
                started = time.perf_counter()
                answer = await client.post(
                    "/mentor/sign-in/link", data={"email": email, "csrf_token": token[1]}
                )
                elapsed = (time.perf_counter() - started) * 1000
                if answer.status_code != 200:
                    raise SystemExit(f"unexpected {answer.status_code}")
                if n >= 20:  # the first ones warm caches up
                    times[label].append(elapsed)
    await database.dispose()
    known, unknown = times["known"], times["unknown"]
    for label, values in times.items():
        q = statistics.quantiles(values, n=20)
        print(
            f"{label:>8}: median {statistics.median(values):.2f} ms, p95 {q[18]:.2f} ms"
            f" ({len(values)} requests)"
        )
    print(f"median known / unknown: {statistics.median(known) / statistics.median(unknown):.3f}")
    # How often one request guesses right by comparing its time to the overall median.
    middle = statistics.median(known + unknown)
    right = sum(t > middle for t in known) + sum(t <= middle for t in unknown)
    print(f"one request classified by its time: right {100 * right / (2 * len(known)):.1f} %")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start; in-process ASGI")
    with migrated_database("signin-") as url:
        asyncio.run(main(url, args.requests))
