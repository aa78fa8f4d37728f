"""Requests per second of the hot routes, measured from outside with wrk. Prints; asserts nothing.

    .venv/bin/python bench/throughput.py [--seconds 5] [--connections 32] [--processes 1 3]

The service runs as in production (``thotis serve``, uvicorn, EMBEDDED_WORKER=false) on a
throw-away embedded PostgreSQL (fsync on) seeded like bench/api.py (one filière of 20 mentors,
Mon–Sat 09–12 + 14–20). For each process count, wrk (Debian's ``wrk``, closed loop, 2 threads)
asks, one after the other:

* ``/healthz`` (no database): the ceiling of the HTTP stack, measured again after each route
  (its row: the mean of these runs and their spread);
* the filière page ``/v1/filieres/droit/mentors`` (its short cache on, as deployed);
* one mentor's 14 days of slots ``/v1/mentors/{id}/slots?tz=Europe/Paris`` (the widget's calendar),
  then the same with ``Accept-Encoding: gzip`` as a browser sends it (the answer is 40 kB);
* ``POST /v1/bookings``, each request a different free slot of the 20 mentors (limits off).

wrk shares the two cores with the server, and other jobs load the machine: read the ratio
column (each route against the mean of the ``/healthz`` runs just before and after it), not the
absolutes.

wrk is closed-loop: a slow answer delays the next request, so its latencies flatter the server.
With --paced-processes processes (default 2), the widget calendar is also asked at a fixed rate
(--paced-rate, default 500 req/s, for --paced-seconds) over --paced-connections keep-alive
connections by a raw asyncio HTTP/1.1 client that accepts gzip like a browser, and p50/p95/p99
are printed: request n is due at start + n / rate whatever the earlier answers did, and its
latency runs from that due time, so that a request sent late because every connection was busy
counts its wait (no coordinated omission). The client's timer lag counts too: pessimistic.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.api import seed, start_server  # noqa: E402
from bench.harness import exchange, percentile  # noqa: E402
from scheduler.platform import PROJECT_ROOT, EmbeddedPostgres, url_to_string  # noqa: E402
from scheduler.platform import migrations as migrate  # noqa: E402

# What every browser sends, and what decides whether an answer is compressed.
_GZIP = "Accept-Encoding: gzip, deflate, br"

# Each wrk thread books its own share of the prepared bodies, in turn.
_POST_SCRIPT = """
local bodies = {}
local counter = 0
local threads = {}
function setup(thread)
  thread:set("offset", counter)
  counter = counter + 1
end
function init(args)
  local f = io.open("%(bodies)s")
  for line in f:lines() do bodies[#bodies + 1] = line end
  f:close()
  step = 2
  at = offset + 1
end
function request()
  local body = bodies[at]
  at = at + step
  if at > #bodies then at = offset + 1 end
  return wrk.format("POST", "/v1/bookings", {["Content-Type"] = "application/json"}, body)
end
"""


def wrk(
    base: str,
    path: str,
    seconds: float,
    connections: int,
    script: Path | None = None,
    headers: tuple[str, ...] = (),
) -> tuple[float, str]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds:g}s", "--latency"]
    if script is not None:
        command += ["-s", str(script)]
    for header in headers:
        command += ["-H", header]
    out = subprocess.run([*command, base + path], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rate, (f"{errors.group(1)} non-2xx" if errors else "")


async def paced(
    base: str, path: str, rate: float, seconds: float, connections: int
) -> tuple[list[float], Counter[int], float]:
    """Latencies in ms from each request's due time, statuses, and the rate achieved."""
    host, port = base.removeprefix("http://").split(":")
    request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: application/json\r\n{_GZIP}\r\n\r\n"
    streams = [await asyncio.open_connection(host, int(port)) for _ in range(connections)]
    # Every connection once, at the same time: each process accepts some and fills its cache.
    await asyncio.gather(*(exchange(r, w, request.encode()) for r, w in streams))
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    due_numbers = itertools.count()
    total = int(rate * seconds)
    start = time.perf_counter() + 0.05

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # A free connection takes the next request due, early or late.
        while (n := next(due_numbers)) < total:
            due = start + n / rate
            if (delay := due - time.perf_counter()) > 0:
                await asyncio.sleep(delay)
            try:
                statuses[await exchange(reader, writer, request.encode())] += 1
            except (OSError, asyncio.IncompleteReadError):
                statuses[0] += 1
                return
            latencies.append((time.perf_counter() - due) * 1000)

    await asyncio.gather(*(connection(r, w) for r, w in streams))
    achieved = len(latencies) / (time.perf_counter() - start)
    for _, writer in streams:
        writer.close()
    return latencies, statuses, achieved


async def wait_ready(base: str, seconds: float = 180) -> None:
    """Like bench/api.py's, with room for a loaded machine (three processes to import)."""
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient(base_url=base) as client:
        while time.monotonic() < deadline:
            try:
                if (await client.get("/readyz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError("the service did not start")


async def booking_bodies(base: str, path: Path) -> int:
    """One JSON body per free slot of every mentor (distinct visitors)."""
    lines = []
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        page = (await client.get("/v1/filieres/droit/mentors")).json()
        for mentor in page["mentors"]:
            days = (await client.get(f"/v1/mentors/{mentor['id']}/slots")).json()["days"]
            for day in days:
                for slot in day["slots"]:
                    n = len(lines)
                    lines.append(
                        json.dumps(
                            {
                                "mentor_id": mentor["id"],
                                "start": slot["start"],
                                "first_name": f"Eleve{n}",
                                "email": f"eleve{n}@lycee.example.fr",
                                "consent": True,
                            }
                        )
                    )
    # Shuffled: concurrent requests rarely wait on the same mentor.
    random.Random(0).shuffle(lines)
    path.write_text("\n".join(lines) + "\n")
    return len(lines)


async def run(
    processes: int, args: argparse.Namespace, port: int
) -> tuple[list[tuple[str, float, str, float]], str | None]:
    """The wrk rows, and with --paced-processes processes the paced figures' line."""
    server = EmbeddedPostgres.throwaway_under(
        PROJECT_ROOT / "var" / "bench-pg", prefix="wrk-", durable=True
    )
    with server, tempfile.TemporaryDirectory() as scratch:
        url = url_to_string(server.url("postgres"))
        migrate.upgrade(url)
        await seed(url)
        process = start_server(url, port, processes)
        base = f"http://127.0.0.1:{port}"
        try:
            await wait_ready(base)
            async with httpx.AsyncClient(base_url=base) as client:
                page = (await client.get("/v1/filieres/droit/mentors")).json()
            mentor = page["mentors"][0]["id"]
            bodies = Path(scratch) / "bodies.txt"
            count = await booking_bodies(base, bodies)
            script = Path(scratch) / "post.lua"
            script.write_text(_POST_SCRIPT % {"bodies": bodies})
            rows = []
            line = None
            calendar = f"/v1/mentors/{mentor}/slots?tz=Europe/Paris"
            wrk(base, "/healthz", 1, args.connections)  # warm-up
            ceilings = [wrk(base, "/healthz", args.seconds, args.connections)[0]]
            for name, path, lua, headers in (
                ("filière page", "/v1/filieres/droit/mentors", None, ()),
                ("one mentor's 14-day slots", calendar, None, ()),
                ("the same, gzip accepted (as browsers do)", calendar, None, (_GZIP,)),
                (f"POST booking ({count} slots)", "/v1/bookings", script, ()),
            ):
                if lua is None:  # warm-up
                    wrk(base, path, 1, args.connections, lua, headers)
                rate, note = wrk(base, path, args.seconds, args.connections, lua, headers)
                # /healthz again after each route: the ratio is to the mean of the two around
                # it, so that the load other jobs put on the machine meanwhile counts less.
                ceilings.append(wrk(base, "/healthz", args.seconds, args.connections)[0])
                rows.append((name, rate, note, rate / statistics.mean(ceilings[-2:])))
            spread = f"{len(ceilings)} runs, {min(ceilings):,.0f}–{max(ceilings):,.0f}"
            rows.insert(0, ("/healthz", statistics.mean(ceilings), spread, 1.0))
            if processes == args.paced_processes:
                latencies, statuses, achieved = await paced(
                    base, calendar, args.paced_rate, args.paced_seconds, args.paced_connections
                )
                line = (
                    f"paced: one mentor's 14-day slots at {args.paced_rate:g} req/s for "
                    f"{args.paced_seconds:g} s, {processes} processes, "
                    f"{args.paced_connections} connections (achieved {achieved:,.0f} req/s; "
                    f"statuses {dict(sorted(statuses.items()))}): "
                    + ", ".join(
                        f"p{q:g} {percentile(latencies, q / 100):.2f} ms" for q in (50, 95, 99)
                    )
                    + f", max {max(latencies):.2f} ms"
                )
            return rows, line
        finally:
            process.terminate()
            process.wait(timeout=30)


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 3])
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--paced-processes", type=int, default=2, help="0: no paced run")
    parser.add_argument("--paced-rate", type=float, default=500)
    parser.add_argument("--paced-seconds", type=float, default=10)
    parser.add_argument("--paced-connections", type=int, default=16)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk)")
    runs = {p: await run(p, args, args.port + p) for p in args.processes}
    results = {p: rows for p, (rows, _) in runs.items()}
    names = [name for name, _, _, _ in results[args.processes[0]]]
    header = "| endpoint | " + " | ".join(f"req/s, {p} proc" for p in args.processes)
    header += " | " + " | ".join(f"ratio to /healthz ({p})" for p in args.processes) + " |"
    print(f"\nwrk -t2 -c{args.connections} -d{args.seconds:g}s\n")
    print(header)
    print("|---" * (1 + 2 * len(args.processes)) + "|")
    for i, name in enumerate(names):
        rates = [results[p][i][1] for p in args.processes]
        ratios = [results[p][i][3] for p in args.processes]
        notes = "; ".join(n for p in args.processes if (n := results[p][i][2]))
        print(
            f"| {name}{' (' + notes + ')' if notes else ''} | "
            + " | ".join(f"{r:,.0f}" for r in rates)
            + " | "
            + " | ".join(f"{r:.3f}" for r in ratios)
            + " |"
        )
    for _, line in runs.values():
        if line is not None:
            print(f"\n{line}")


if __name__ == "__main__":
    asyncio.run(main())
