"""The API reference stands alone: every operation of the published OpenAPI document says what
it does, shows a request and a response, and names only problem codes of the one catalogue."""

from __future__ import annotations

from typing import Any

import jsonschema_rs  # schemathesis's own validator
import pytest

from api.app import create_app
from api.error_guide import ADVICE
from api.operations_guide import OPERATIONS, codes_of
from api.problems import TITLES
from api.wiring import build_parts
from scheduler.platform import Database
from testkit.settings import settings_of

METHODS = ("get", "put", "post", "delete", "patch")


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    settings = settings_of(smtp_host="127.0.0.1")
    database = Database.from_url("postgresql+psycopg://unused@/unused")
    return create_app(settings, build_parts(settings, database)).openapi_schema.to_schema()


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def test_every_operation_has_a_written_description_and_every_description_an_operation(
    document: dict[str, Any],
) -> None:
    published = {(method, path) for method, path, _ in _operations(document)}
    assert published - set(OPERATIONS) == set(), "operations with no description"
    assert set(OPERATIONS) - published == set(), "descriptions of no operation"
    for method, path, operation in _operations(document):
        assert operation["description"].startswith(OPERATIONS[(method, path)].description)


def test_every_operation_shows_a_request(document: dict[str, Any]) -> None:
    missing = []
    for method, path, operation in _operations(document):
        if "Example request:\n\n```sh\ncurl -X " + method.upper() not in operation["description"]:
            missing.append((method, path, "curl"))
        for parameter in operation.get("parameters", []):
            if "example" not in parameter:
                missing.append((method, path, parameter["name"]))
        for media_type, media in operation.get("requestBody", {}).get("content", {}).items():
            if "example" not in media:
                missing.append((method, path, media_type))
    assert missing == []


def test_every_answer_with_a_body_shows_an_example(document: dict[str, Any]) -> None:
    missing = [
        (method, path, status, media_type)
        for method, path, operation in _operations(document)
        for status, response in operation["responses"].items()
        for media_type, media in response.get("content", {}).items()
        if "example" not in media and "examples" not in media
    ]
    assert missing == []


def test_the_request_body_examples_are_valid_against_their_schemas(
    document: dict[str, Any],
) -> None:
    for method, path, operation in _operations(document):
        for media in operation.get("requestBody", {}).get("content", {}).values():
            schema = {**media["schema"], "components": document["components"]}
            errors = [
                e.message for e in jsonschema_rs.validator_for(schema).iter_errors(media["example"])
            ]
            assert errors == [], (method, path)


def test_every_code_an_operation_names_is_in_the_catalogue(document: dict[str, Any]) -> None:
    for method, path, _ in _operations(document):
        assert set(codes_of(method, path)) - set(TITLES) == set(), (method, path)
    for operation in OPERATIONS.values():
        assert set(operation.codes) - set(TITLES) == set()


def test_each_error_status_lists_the_codes_answered_with_it_and_an_example_of_each(
    document: dict[str, Any],
) -> None:
    for method, path, operation in _operations(document):
        for status, response in operation["responses"].items():
            if status.startswith("2"):
                continue
            examples = response["content"]["application/problem+json"]["examples"]
            assert examples, (method, path, status)
            for code, example in examples.items():
                assert code in codes_of(method, path)
                assert f"`{code}`" in response["description"]
                assert example["value"]["code"] == code
                assert example["value"]["status"] == int(status)
                assert ADVICE[code].status in (status, "4xx")


def test_the_probes_name_only_their_own_errors(document: dict[str, Any]) -> None:
    assert set(document["paths"]["/healthz"]["get"]["responses"]) == {"200", "405"}
    assert set(document["paths"]["/readyz"]["get"]["responses"]) == {"200", "405", "503"}
