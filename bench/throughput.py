"""Requests per second of the hot routes, measured from outside with wrk. Prints; asserts nothing.

    .venv/bin/python bench/throughput.py [--seconds 5] [--connections 32] [--processes 1 3]

The service runs as in production (``thotis serve``, uvicorn, EMBEDDED_WORKER=false) on a
throw-away embedded PostgreSQL (fsync on) seeded like bench/api.py (one filière of 20 mentors,
Mon–Sat 09–12 + 14–20). For each process count, wrk (Debian's ``wrk``, closed loop, 2 threads)
asks, one after the other:

* ``/healthz`` (no database): the ceiling of the HTTP stack;
* the filière page ``/v1/filieres/droit/mentors`` (its short cache on, as deployed);
* one mentor's 14 days of slots ``/v1/mentors/{id}/slots?tz=Europe/Paris`` (the widget's calendar);
* ``POST /v1/bookings``, each request a different free slot of the 20 mentors (limits off).

wrk shares the two cores with the server, and other jobs load the machine: read the ratio
column (each route against ``/healthz`` of the same run), not the absolutes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.api import seed, start_server  # noqa: E402
from scheduler.platform import PROJECT_ROOT, EmbeddedPostgres, url_to_string  # noqa: E402
from scheduler.platform import migrations as migrate  # noqa: E402

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
    base: str, path: str, seconds: float, connections: int, script: Path | None = None
) -> tuple[float, str]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if script is not None:
        command += ["-s", str(script)]
    out = subprocess.run([*command, base + path], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rate, (f"{errors.group(1)} non-2xx" if errors else "")


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


async def run(processes: int, args: argparse.Namespace, port: int) -> list[tuple[str, float, str]]:
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
            for name, path, lua in (
                ("/healthz", "/healthz", None),
                ("filière page", "/v1/filieres/droit/mentors", None),
                ("one mentor's 14-day slots", f"/v1/mentors/{mentor}/slots?tz=Europe/Paris", None),
                (f"POST booking ({count} slots)", "/v1/bookings", script),
            ):
                wrk(base, path, 1, args.connections, lua) if lua is None else None  # warm-up
                rate, note = wrk(base, path, args.seconds, args.connections, lua)
                rows.append((name, rate, note))
            return rows
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
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk)")
    results = {p: await run(p, args, args.port + p) for p in args.processes}
    names = [name for name, _, _ in results[args.processes[0]]]
    header = "| endpoint | " + " | ".join(f"req/s, {p} proc" for p in args.processes)
    header += " | " + " | ".join(f"ratio to /healthz ({p})" for p in args.processes) + " |"
    print(f"\nwrk -t2 -c{args.connections} -d{args.seconds:g}s\n")
    print(header)
    print("|---" * (1 + 2 * len(args.processes)) + "|")
    for i, name in enumerate(names):
        rates = [results[p][i][1] for p in args.processes]
        ratios = [results[p][i][1] / results[p][0][1] for p in args.processes]
        notes = "; ".join(n for p in args.processes if (n := results[p][i][2]))
        print(
            f"| {name}{' (' + notes + ')' if notes else ''} | "
            + " | ".join(f"{r:,.0f}" for r in rates)
            + " | "
            + " | ".join(f"{r:.3f}" for r in ratios)
            + " |"
        )


if __name__ == "__main__":
    asyncio.run(main())
