"""The abuse suite's stateful run (issue 18): schemathesis follows the OpenAPI links of the
running service — a filière to its mentors, a mentor to their slots, the slots to a booking, a
booking to its manage, cancel, reschedule and invite operations, a verification to its
confirmation — with a staff API key and a mentor token, so that the routes behind a real
booking are fuzzed, not only their 404s. Every response must be no server error and match the
schema.

The published links carry no request bodies; this test adds two, in its own copy of the
document: the first free slot of a mentor booked by a made-up visitor, and a reschedule to the
booking's end (the next slot, free once the booking itself is set aside); and links from the
staff's and the mentor's lists to slots, so that a mentor with free time is reached. It runs
schemathesis's own stateful engine (its CLI): Hypothesis' state machine, replaying against a
service whose data each step changes, stops on "flaky strategy" instead of testing. The
booking made through the code (``/v1/bookings/verifications``) is tested in
test_verification.py: a fuzzer cannot read the mail.
"""

from __future__ import annotations

import asyncio
import copy
import json
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from cryptography.fernet import Fernet
from sqlalchemy.engine import URL

from tests.api.test_schema import CHECKS, _credentials, _openapi
from tests.live import LiveServer, running_service

VISITOR = "fuzz.visiteur@example.org"
BOOKING_BODY = {
    "mentor_id": "$response.body#/mentor_id",
    "start": "$response.body#/days/0/slots/0/start",
    "first_name": "Camille",
    "email": VISITOR,
    "consent": True,
}


def _stateful_document() -> dict[str, Any]:
    document = copy.deepcopy(_openapi())
    paths = document["paths"]

    def link(body: dict[str, Any], operation_id: str) -> dict[str, Any]:
        return {
            "operationId": operation_id,
            "requestBody": body,
            "x-schemathesis": {"merge_body": False},
        }

    slots = paths["/v1/mentors/{mentor_id}/slots"]["get"]["responses"]["200"]
    slots["links"] = {
        "book": link(BOOKING_BODY, paths["/v1/bookings"]["post"]["operationId"]),
        "verify": link(BOOKING_BODY, paths["/v1/bookings/verifications"]["post"]["operationId"]),
    }
    # Mentors with free slots: the staff list and the mentor's own account lead to their slots
    # (a filière's first page may list nobody), and every filière to its mentors.
    slots_id = paths["/v1/mentors/{mentor_id}/slots"]["get"]["operationId"]
    for path, pointer in (("/v1/staff/mentors", "/0/id"), ("/v1/me", "/id")):
        responses = paths[path]["get"]["responses"]["200"]
        responses.setdefault("links", {})["slots"] = {
            "operationId": slots_id,
            "parameters": {"mentor_id": f"$response.body#{pointer}"},
        }
    filieres = paths["/v1/filieres"]["get"]["responses"]["200"]["links"]
    for index in range(1, 6):
        filieres[f"mentors_{index}"] = filieres["mentors"] | {
            "parameters": {"slug": f"$response.body#/{index}/slug"}
        }
    # A filière page's first mentor at their next free slot: no query to get wrong on the way.
    card = BOOKING_BODY | {
        "mentor_id": "$response.body#/mentors/0/id",
        "start": "$response.body#/mentors/0/next_free_slot",
    }
    paths["/v1/filieres/{slug}/mentors"]["get"]["responses"]["200"]["links"]["book"] = link(
        card, paths["/v1/bookings"]["post"]["operationId"]
    )
    reschedule = paths["/v1/bookings/manage/{token}/reschedule"]["post"]["operationId"]
    for path, status in (
        ("/v1/bookings", "201"),
        ("/v1/bookings/verifications/{verification_id}", "201"),
        ("/v1/bookings/manage/{token}/reschedule", "200"),
    ):
        links = paths[path]["post"]["responses"][status]["links"]
        links["reschedule"] = links["reschedule"] | {
            "requestBody": {"start": "$response.body#/booking/end"},
            "x-schemathesis": {"merge_body": False},
        }
        assert links["reschedule"]["operationId"] == reschedule
    return document


@pytest.fixture(scope="module")
def service(postgres_admin_url: URL, template_database: str) -> Iterator[LiveServer]:
    with running_service(
        postgres_admin_url,
        template_database,
        "t_stateful",
        token_keys=(Fernet.generate_key().decode(),),
    ) as live:
        yield live


def test_linked_operations_give_no_server_error_and_match_the_schema(
    service: LiveServer, tmp_path: Path
) -> None:
    document = tmp_path / "openapi.json"
    document.write_text(json.dumps(_stateful_document()), encoding="utf-8")
    headers = asyncio.run(_credentials(service.database_url))
    report = tmp_path / "report.json"
    run = subprocess.run(
        [
            str(Path(sys.executable).with_name("schemathesis")),
            "run",
            str(document),
            "--url",
            service.url,
            "--phases",
            "stateful",
            "--checks",
            ",".join(check.__name__ for check in CHECKS),
            "--max-examples",
            "40",
            "--seed",
            "18",
            "--report",
            "ndjson",
            "--report-ndjson-path",
            str(report),
            *(f"-H{name}: {value}" for name, value in headers.items()),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    print(run.stdout[-6000:])
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    seen = _answers(report)
    succeeded = {(method, path) for method, path, status in seen if status < 300}
    print(
        f"stateful: {sum(seen.values())} requests, "
        f"{len({(m, p) for m, p, _ in seen})} operations reached, {len(succeeded)} with a 2xx, "
        f"5xx: {sum(n for (_, _, status), n in seen.items() if status >= 500)}"
    )
    for key in sorted(seen):
        print("  ", *key, seen[key])
    assert not [key for key in seen if key[2] >= 500]


def _resolve(value: Any, body: Any) -> Any:
    """A link's value with its ``$response.body#/…`` expressions read from ``body``."""
    if isinstance(value, dict):
        return {key: _resolve(item, body) for key, item in value.items()}
    if isinstance(value, str) and value.startswith("$response.body#/"):
        found = body
        for part in value.removeprefix("$response.body#/").split("/"):
            found = found[int(part)] if isinstance(found, list) else found[part]
        return found
    return value


def test_a_booking_and_what_its_links_lead_to_answer_as_the_schema_says(
    service: LiveServer,
) -> None:
    """The chain the fuzzer reaches only by luck, walked through the same links every time:
    slots -> book -> view, invite -> reschedule -> view, invite -> cancel, each response checked
    by the same schemathesis checks."""
    document = _stateful_document()
    schema = schemathesis.openapi.from_dict(document)
    headers = asyncio.run(_credentials(service.database_url))
    calls: list[tuple[str, str, int]] = []

    def call(method: str, path: str, **parts: Any) -> Any:
        case = schema[path][method].Case(**parts)
        response = case.call(base_url=service.url, headers=headers)
        case.validate_response(response, checks=CHECKS)
        calls.append((method, path, response.status_code))
        return response

    def follow(method: str, path: str, status: str, name: str, answer: Any) -> Any:
        link = document["paths"][path][method.lower()]["responses"][status]["links"][name]
        target_method, target_path = next(
            (m.upper(), p)
            for p, item in document["paths"].items()
            for m, operation in item.items()
            if isinstance(operation, dict) and operation.get("operationId") == link["operationId"]
        )
        parts: dict[str, Any] = {}
        if "parameters" in link:
            parts["path_parameters"] = _resolve(link["parameters"], answer.json())
        if "requestBody" in link:
            parts["body"] = _resolve(link["requestBody"], answer.json())
        elif "requestBody" in document["paths"][target_path][target_method.lower()]:
            parts["body"] = {}  # every field optional (a cancellation's reason)
        return call(target_method, target_path, **parts)

    mentors = call("GET", "/v1/staff/mentors")
    slots = None
    for mentor in mentors.json():
        slots = call(
            "GET", "/v1/mentors/{mentor_id}/slots", path_parameters={"mentor_id": mentor["id"]}
        )
        if any(day["slots"] for day in slots.json()["days"]):
            break
    assert slots is not None
    booked = follow("GET", "/v1/mentors/{mentor_id}/slots", "200", "book", slots)
    assert booked.status_code == 201, booked.text
    for name in ("view", "invite"):
        assert follow("POST", "/v1/bookings", "201", name, booked).status_code == 200
    moved = follow("POST", "/v1/bookings", "201", "reschedule", booked)
    assert moved.status_code == 200, moved.text
    reschedule = "/v1/bookings/manage/{token}/reschedule"
    for name in ("view", "invite"):
        assert follow("POST", reschedule, "200", name, moved).status_code == 200
    cancelled = follow("POST", reschedule, "200", "cancel", moved)
    assert cancelled.status_code == 200 and cancelled.json()["booking"]["status"] == "cancelled"
    print(f"\nlinked chain: {len(calls)} requests:", *calls, sep="\n  ")


def _answers(report: Path) -> Counter[tuple[str, str, int]]:
    """(method, path template, status) -> how many, from schemathesis's NDJSON events."""
    seen: Counter[tuple[str, str, int]] = Counter()
    for line in report.read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        recorder = event.get("ScenarioFinished", {}).get("recorder")
        if not recorder:
            continue
        for case_id, interaction in recorder.get("interactions", {}).items():
            case = recorder["cases"][case_id]["value"]
            response = interaction.get("response")
            if response is not None:
                seen[(case["method"], case["path"], response["status_code"])] += 1
    return seen
