"""The arrows of shared/design.md ("Layout and who may import whom"), read from every module's
imports, the lazy ones inside functions included.

    api -> integrations -> scheduler -> availability
    inside scheduler: domain -> platform; catalog <- schedules <- booking <- (calendar, messaging);
    identity -> catalog; staff reads every domain (see ALLOWED).

Production code outside a part of scheduler/ imports that part's package, whose __init__ is its
public surface, never a module behind it.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = ("availability", "scheduler", "integrations", "api")
DOMAINS = ("catalog", "schedules", "booking", "calendar", "messaging", "identity", "staff")

# What each part of scheduler/ may import of scheduler/ besides itself.
ALLOWED: dict[str, set[str]] = {
    "platform": set(),
    "catalog": {"platform"},
    "schedules": {"platform", "catalog"},
    "booking": {"platform", "catalog", "schedules"},
    "calendar": {"platform", "catalog", "schedules", "booking"},
    "messaging": {"platform", "catalog", "schedules", "booking"},
    "identity": {"platform", "catalog"},
    # The console reads across the domains (a mentor's Google health, invitations, bookings).
    "staff": {"platform", "catalog", "schedules", "booking", "calendar", "messaging", "identity"},
    # The one model registry imports every domain's tables.
    "schema": {"platform", *DOMAINS},
}
# Which top-level packages each top-level package may import.
LAYERS: dict[str, set[str]] = {
    "availability": set(),
    "scheduler": {"availability"},
    "integrations": {"scheduler", "availability"},
    "api": {"integrations", "scheduler", "availability"},
    "bench": {"testkit", "api", "integrations", "scheduler", "availability"},
    "migrations": {"scheduler"},
    # What the tests and the benches share (the fake Google, the SMTP sink, data builders).
    "testkit": {"api", "integrations", "scheduler", "availability"},
}
PROJECT = {
    "availability",
    "scheduler",
    "integrations",
    "api",
    "tests",
    "bench",
    "migrations",
    "testkit",
}


def modules(*tops: str) -> Iterator[tuple[str, Path]]:
    for top in tops:
        for path in sorted((ROOT / top).rglob("*.py")):
            if "node_modules" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            yield name, path


def imports(path: Path, name: str) -> Iterator[str]:
    """Every module ``path`` imports, relative imports resolved, lazy ones included."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            yield module
            if "." not in module:  # ``from scheduler import booking`` imports scheduler.booking
                yield from (f"{module}.{alias.name}" for alias in node.names)


def part_of(module: str) -> str | None:
    """The part of scheduler/ a module belongs to (platform, a domain, schema)."""
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 and pieces[0] == "scheduler" else None


def violations() -> Iterator[str]:
    for name, path in modules(*PRODUCTION, "bench", "migrations", "testkit"):
        top = name.split(".")[0]
        own = part_of(name)
        for imported in set(imports(path, name)):
            other = imported.split(".")[0]
            if other == "tests":
                yield f"{name} imports the tests ({imported})"
            elif other in PROJECT and other != top and other not in LAYERS[top]:
                yield f"{name} imports {imported}: {top} may not import {other}"
            if top == "scheduler" and own in ALLOWED:
                target = part_of(imported)
                if target in ALLOWED and target != own and target not in ALLOWED[own]:
                    yield f"{name} imports {imported}: scheduler.{own} may not import scheduler.{target}"
            if top in PRODUCTION and _behind_the_surface(imported, own):
                yield f"{name} imports {imported}: past scheduler.{part_of(imported)}'s __init__"


def _behind_the_surface(imported: str, own: str | None) -> bool:
    """A module of another part of scheduler/, not that part's package (its public surface)."""
    pieces = imported.split(".")
    return pieces[0] == "scheduler" and len(pieces) > 2 and part_of(imported) != own


def test_every_import_follows_the_arrows() -> None:
    # Read in a fresh interpreter: CPython 3.11.7 can refuse ast.parse with "AST constructor
    # recursion depth mismatch" late in a long test session (an interpreter bug), and the gate
    # must judge the code, not the state of the process that runs it.
    found = subprocess.run(
        [
            sys.executable,
            "-c",
            "from tests.test_layout import violations\n"
            "print('\\n'.join(sorted(set(violations()))))",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert [line for line in found if line] == []


def test_every_module_of_scheduler_belongs_to_a_declared_part() -> None:
    loose = {
        name
        for name, _ in modules("scheduler")
        if name != "scheduler" and part_of(name) not in ALLOWED
    }
    assert loose == set()


# "package.module:attribute" or an import by name: the ways of dodging an arrow with a string.
_BY_STRING = re.compile(r"""["'](?:api|integrations|scheduler|availability)(?:\.\w+)+:\w+["']""")
_DYNAMIC = re.compile(r"\b(?:importlib\.import_module|__import__)\s*\(")


@pytest.mark.parametrize("top", [*PRODUCTION, "bench"])
def test_no_module_is_named_by_string(top: str) -> None:
    found = [
        f"{name}: {line.strip()}"
        for name, path in modules(top)
        for line in path.read_text(encoding="utf-8").splitlines()
        if _BY_STRING.search(line) or _DYNAMIC.search(line)
    ]
    assert found == []


def test_the_gate_sees_a_forbidden_arrow(tmp_path: Path) -> None:
    """The checker itself: an upward import, a lazy one, is caught."""
    module = tmp_path / "probe.py"
    module.write_text("def f():\n    from api.app import create_app\n", encoding="utf-8")
    assert "api.app" in set(imports(module, "scheduler.catalog.probe"))
    assert part_of("scheduler.booking.book") == "booking"
    assert "booking" not in ALLOWED["catalog"]
