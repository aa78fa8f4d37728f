"""Cells of the CSV exports (staff API and staff console), safe to open in a spreadsheet."""

from __future__ import annotations

from datetime import UTC, datetime

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """One cell: instants in ISO 8601 UTC, text defused against formula injection."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text
