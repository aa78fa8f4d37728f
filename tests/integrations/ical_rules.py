"""RFC 5545 / RFC 5546 checks on raw invite bytes: what Google, Apple and Outlook rely on when
they import a file, checked independently of the library that wrote it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_NAME = re.compile(r"^[A-Z0-9-]+$")
_UTC_DATETIME = re.compile(r"^\d{8}T\d{6}Z$")


@dataclass
class Component:
    name: str
    properties: list[tuple[str, str, str]] = field(default_factory=list)  # name, params, value
    children: list[Component] = field(default_factory=list)

    def values(self, name: str) -> list[str]:
        return [value for prop, _, value in self.properties if prop == name]

    def params(self, name: str) -> list[str]:
        return [params for prop, params, _ in self.properties if prop == name]

    def one(self, name: str) -> str:
        found = self.values(name)
        assert len(found) == 1, f"{self.name} needs exactly one {name}, has {len(found)}"
        return found[0]


def _split(line: str) -> tuple[str, str, str]:
    # The name ends at the first ';' or ':'; parameter values may hold ':' inside quotes.
    match = re.match(r"^([A-Za-z0-9-]+)", line)
    assert match, f"no property name in {line!r}"
    name = match.group(1)
    rest = line[len(name) :]
    in_quotes = False
    for index, char in enumerate(rest):
        if char == '"':
            in_quotes = not in_quotes
        elif char == ":" and not in_quotes:
            return name.upper(), rest[:index], rest[index + 1 :]
    raise AssertionError(f"no value in {line!r}")


def parse_strict(data: bytes) -> Component:
    """Check the physical layout, unfold, and return the component tree."""
    assert data.endswith(b"\r\n"), "the last line must end with CRLF"
    physical = data[:-2].split(b"\r\n")
    for raw in physical:
        assert b"\n" not in raw and b"\r" not in raw, f"bare line break in {raw!r}"
        assert len(raw) <= 75, f"line longer than 75 octets ({len(raw)}): {raw!r}"
        raw.decode("utf-8")  # folding must not split a UTF-8 sequence
    logical: list[str] = []
    for raw in physical:
        text = raw.decode("utf-8")
        if text[:1] in (" ", "\t"):
            assert logical, "continuation line before any content line"
            logical[-1] += text[1:]
        else:
            logical.append(text)
    for line in logical:
        assert not re.search(r"[\x00-\x08\x0a-\x1f\x7f]", line), f"control character in {line!r}"

    stack: list[Component] = []
    root: Component | None = None
    for line in logical:
        name, params, value = _split(line)
        assert _NAME.match(name)
        if name == "BEGIN":
            component = Component(value)
            if stack:
                stack[-1].children.append(component)
            else:
                assert root is None, "more than one top-level component"
                root = component
            stack.append(component)
        elif name == "END":
            assert stack and stack[-1].name == value, f"END:{value} does not close a BEGIN"
            stack.pop()
        else:
            assert stack, f"{name} outside any component"
            stack[-1].properties.append((name, params, value))
    assert not stack, "unclosed component"
    assert root is not None and root.name == "VCALENDAR"
    return root


def check_invite(data: bytes, method: str) -> Component:
    """RFC 5545 required properties, RFC 5546 per-method rules, UTC times."""
    calendar = parse_strict(data)
    assert calendar.one("VERSION") == "2.0"
    assert calendar.one("PRODID")
    assert calendar.one("METHOD") == method
    events = [child for child in calendar.children if child.name == "VEVENT"]
    assert len(events) == 1, "an iTIP message about one booking carries one VEVENT"
    event = events[0]
    for required in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE", "ORGANIZER", "SUMMARY"):
        event.one(required)
    assert event.values("ATTENDEE"), "iTIP REQUEST and CANCEL need at least one ATTENDEE"
    for prop in ("DTSTAMP", "DTSTART", "DTEND"):
        assert _UTC_DATETIME.match(event.one(prop)), f"{prop} must be a UTC date-time"
        assert "TZID" not in event.params(prop)[0]
    assert event.one("DTSTART") < event.one("DTEND")
    for address in [event.one("ORGANIZER"), *event.values("ATTENDEE")]:
        assert address.lower().startswith("mailto:")
    int(event.one("SEQUENCE"))
    status = event.one("STATUS")
    alarms = [child for child in event.children if child.name == "VALARM"]
    if method == "REQUEST":
        assert status == "CONFIRMED"
        assert len(alarms) == 1
        alarm = alarms[0]
        assert alarm.one("ACTION") == "DISPLAY"
        alarm.one("TRIGGER")
        alarm.one("DESCRIPTION")  # required for DISPLAY alarms
    else:
        assert status == "CANCELLED"
    return calendar
