"""README.md's table of settings is the one generated from Settings, and the table names the
variables that really set each field."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from scheduler.platform import PROJECT_ROOT, Settings


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "settings_table", PROJECT_ROOT / "deploy" / "settings_table.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


settings_table = _load()
FIELD_TYPES = {path: str(field.type) for path, field in settings_table.fields().items()}


def _sample(field: str, default: object) -> str:
    kind = FIELD_TYPES[field]
    if kind == "bool":
        return "false" if default else "true"
    if kind == "int":
        return "7"
    if kind == "float":
        return "7.5"
    if kind.startswith("tuple"):
        return "https://a.example,https://b.example"
    if kind == "Path":
        return "/srv/elsewhere"
    return "https://sample.example"


def test_the_readme_table_is_the_generated_one() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert readme == settings_table.render(readme), "run: python deploy/settings_table.py"
    assert settings_table.main(["--check"]) == 0


def test_every_setting_has_a_line() -> None:
    assert settings_table.undocumented() == set()
    names = [variable.name for variable in settings_table.VARIABLES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("variable", settings_table.VARIABLES, ids=lambda v: v.name)
def test_each_variable_sets_its_field(variable: object) -> None:
    name, field = variable.name, variable.field  # type: ignore[attr-defined]
    before = settings_table.value(Settings.from_env({}), field)
    after = settings_table.value(Settings.from_env({name: _sample(field, before)}), field)
    assert after != before, f"{name} does not set Settings.{field}"
    assert isinstance(after, type(before)) or before is None or isinstance(before, Path)
