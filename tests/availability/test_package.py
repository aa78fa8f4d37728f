"""The package's shape: its public names, and that it stays pure."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import availability

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "availability"


def test_the_public_names_are_exactly_the_intended_ones() -> None:
    assert sorted(availability.__all__) == sorted(
        [
            "MAX_QUERY_RANGE_DAYS",
            "SLOT_LENGTH",
            "SUPPORTED_FROM",
            "SUPPORTED_UNTIL",
            "AvailabilityError",
            "Booking",
            "BookingSpans",
            "DateOverride",
            "Interval",
            "InvalidPolicy",
            "InvalidQueryRange",
            "InvalidRange",
            "InvalidTimezone",
            "InvalidWeekday",
            "MentorInput",
            "MentorSlots",
            "NaiveDatetime",
            "Policy",
            "RangeNotOn5Minutes",
            "RangeOutOfOrder",
            "Schedule",
            "SlotRun",
            "TimeRange",
            "WeeklyRules",
            "bookings_window",
            "free_slot_runs",
            "free_slot_runs_for_many",
            "free_slots",
            "free_slots_for_many",
            "group_by_local_date",
            "is_bookable",
            "merge",
            "merged_runs",
            "parse_wall_time",
            "run_instants",
            "supported_date",
            "supported_instant",
            "zone",
        ]
    )
    assert len(set(availability.__all__)) == len(availability.__all__)
    for name in availability.__all__:
        assert hasattr(availability, name), name


def test_importing_availability_loads_no_database_web_or_project_module() -> None:
    script = (
        "import sys, json, availability; "
        "print(json.dumps(sorted(m.split('.')[0] for m in sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )
    loaded = set(json.loads(done.stdout))
    forbidden = {
        "sqlalchemy",
        "litestar",
        "msgspec",
        "psycopg",
        "asyncio",
        "scheduler",
        "api",
        "integrations",
    }
    assert not loaded & forbidden


def _calls(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                names.add(f"{func.value.id}.{func.attr}")
            elif isinstance(func, ast.Name):
                names.add(func.id)
    return names


def test_the_engine_reads_no_clock_and_does_no_io() -> None:
    forbidden = {
        "datetime.now",
        "datetime.utcnow",
        "date.today",
        "datetime.today",
        "time.time",
        "open",
        "print",
    }
    for path in sorted(PACKAGE.glob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        assert not _calls(tree) & forbidden, path.name
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert node.module.split(".")[0] in {
                    "__future__",
                    "availability",
                    "collections",
                    "dataclasses",
                    "datetime",
                    "functools",
                    "itertools",
                    "operator",
                    "re",
                    "typing",
                    "zoneinfo",
                }, (path.name, node.module)
            if isinstance(node, ast.Import):
                for alias in node.names:
                    assert alias.name.split(".")[0] in {"re"}, (path.name, alias.name)
