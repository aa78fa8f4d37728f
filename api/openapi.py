"""Post-processing of the generated OpenAPI document: the problem responses of each operation,
its description (from ``api.operations_guide``) and examples (from ``api.operation_examples``),
instants and links.

Every error leaves through ``api.problems.handle_exception`` as RFC 9457 problem JSON, whatever
the route: each operation documents the statuses of the codes it can answer, with an example
problem per code, from the one table in ``api.operations_guide``.
"""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.openapi.spec import (
    Example,
    Link,
    OpenAPIHeader,
    OpenAPIMediaType,
    OpenAPIResponse,
    Reference,
    Schema,
)
from litestar.openapi.spec.enums import OpenAPIFormat, OpenAPIType

from api.decoding import INSTANT_DESCRIPTION, INSTANT_PATTERN
from api.operation_examples import curl_sample, example_of, problem_example
from api.operations_guide import OPERATIONS, codes_of, status_of
from api.problems import PROBLEM_MEDIA_TYPE

PROBLEM_SCHEMA = Schema(
    type=OpenAPIType.OBJECT,
    required=["type", "title", "status", "detail", "code"],
    properties={
        "type": Schema(type=OpenAPIType.STRING),
        "title": Schema(
            type=OpenAPIType.STRING, description="In French or English (Accept-Language)"
        ),
        "status": Schema(type=OpenAPIType.INTEGER),
        "detail": Schema(type=OpenAPIType.STRING),
        "code": Schema(type=OpenAPIType.STRING, description="Stable machine-readable code"),
        "errors": Schema(
            type=OpenAPIType.ARRAY,
            items=Schema(type=OpenAPIType.OBJECT),
            description="Field errors of a validation_failed problem",
        ),
    },
    description="RFC 9457 problem details with a stable `code`.",
)

# The statuses a problem can have, each with its headline; an operation documents those of the
# codes it can answer (api.operations_guide.codes_of), named after the headline.
ERRORS: dict[str, str] = {
    "400": "Malformed request",
    "401": "Missing or invalid credentials",
    "403": "Not allowed",
    "404": "Unknown resource",
    "405": "Method not allowed (`Allow` names the methods of the path)",
    "409": "Conflict with the current state",
    "410": "Gone: expired link or erased booking",
    "413": "Body too large",
    "422": "Invalid input",
    "429": "Too many requests (try again after `Retry-After`)",
    "503": "A dependency does not answer; try again later (after `Retry-After` when given)",
}


def document_problems(app: Litestar) -> None:
    schema = app.openapi_schema
    if schema.components.schemas is None:
        schema.components.schemas = {}
    schema.components.schemas["Problem"] = PROBLEM_SCHEMA
    document = schema.to_schema()
    components = document.get("components", {}).get("schemas", {})
    for path, path_item in (schema.paths or {}).items():
        for method in ("get", "put", "post", "delete", "patch"):
            operation = getattr(path_item, method, None)
            if operation is None:
                continue
            codes = codes_of(method, path)
            responses = operation.responses if operation.responses is not None else {}
            for status, description in ERRORS.items():
                answered = [code for code in codes if status_of(code) == status]
                if not answered:
                    continue
                # Litestar's own 400 says application/json; ours is problem JSON like the rest.
                responses[status] = OpenAPIResponse(
                    description=description + ": " + ", ".join(f"`{code}`" for code in answered),
                    content={
                        PROBLEM_MEDIA_TYPE: OpenAPIMediaType(
                            schema=Reference(ref="#/components/schemas/Problem"),
                            examples={
                                code: Example(summary=code, value=problem_example(code))
                                for code in answered
                            },
                        )
                    },
                    headers=_HEADERS.get(status),
                )
            operation.responses = responses
            for parameter in operation.parameters or ():
                if not isinstance(parameter, Reference):
                    _mark_instants(parameter.schema)
            _describe(method, path, operation, document["paths"][path][method], components)
    for component in schema.components.schemas.values():
        _mark_instants(component)


def _describe(
    method: str, path: str, operation: Any, raw: dict[str, Any], components: dict[str, Any]
) -> None:
    """The operation's description (``api.reference.OPERATIONS``), its codes, and examples of
    its parameters, body and answers built from its own schemas."""
    parameters: dict[str, Any] = {}
    for parameter, raw_parameter in zip(
        operation.parameters or (), raw.get("parameters", []), strict=True
    ):
        if isinstance(parameter, Reference):
            continue
        value = example_of(raw_parameter.get("schema", {}), components, parameter.name)
        parameter.example = value
        if parameter.param_in == "path":
            parameters[parameter.name] = value
    body = None
    request = operation.request_body
    if request is not None and not isinstance(request, Reference):
        raw_content = raw.get("requestBody", {}).get("content", {})
        for media_type, media in (request.content or {}).items():
            body = example_of(raw_content.get(media_type, {}).get("schema", {}), components)
            media.example = body
    for status, response in (operation.responses or {}).items():
        if not status.startswith("2") or not isinstance(response, OpenAPIResponse):
            continue
        raw_content = raw["responses"][status].get("content", {})
        for media_type, media in (response.content or {}).items():
            media.example = RAW_EXAMPLES.get(media_type.split(";")[0]) or example_of(
                raw_content.get(media_type, {}).get("schema", {}), components
            )
    entry = OPERATIONS.get((method, path))
    written = entry.description if entry is not None else ""
    codes = ", ".join(f"`{code}`" for code in codes_of(method, path))
    operation.description = "\n\n".join(
        part
        for part in (
            written,
            operation.description or "",
            f"Problem codes: {codes}.",
            "Example request:\n\n```sh\n"
            + curl_sample(method, path, raw, body, parameters)
            + "\n```",
        )
        if part
    )


# Answers that are not JSON: what a client receives, abridged.
RAW_EXAMPLES: dict[str, str] = {
    "text/calendar": (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Thotis//Rendez-vous//FR\r\n"
        "BEGIN:VEVENT\r\nDTSTART:20261207T133000Z\r\nDTEND:20261207T134500Z\r\n"
        "SUMMARY:Rendez-vous Thotis avec Camille Martin\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ),
    "text/csv": (
        "\ufeffid,start,end,mentor,filiere,status\r\n"
        "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f,2026-12-07T14:30:00+01:00,"
        "2026-12-07T14:45:00+01:00,Camille Martin,droit,confirmed\r\n"
    ),
    "application/x-ndjson": (
        '{"filiere": "droit", "month": "2026-11", "question": "Comment se passe la première'
        ' année ?", "theme": "Première année"}\n'
    ),
}


_HEADERS: dict[str, dict[str, OpenAPIHeader | Reference]] = {
    "405": {
        "Allow": OpenAPIHeader(
            schema=Schema(type=OpenAPIType.STRING), description="The methods of this path"
        )
    }
}


def _mark_instants(schema: Any) -> None:
    """``format: date-time`` and ``api.decoding.INSTANT_PATTERN`` on every instant, which
    ``api.decoding.instant`` holds to them: msgspec's ``extra_json_schema`` does not reach
    Litestar's document, and the format is what tells a client (and schemathesis) the value is
    an instant."""
    if not isinstance(schema, Schema):
        return
    if schema.pattern == INSTANT_PATTERN or schema.description == INSTANT_DESCRIPTION:
        schema.format = OpenAPIFormat.DATE_TIME
        schema.pattern = INSTANT_PATTERN
    for child in (schema.properties or {}).values():
        _mark_instants(child)
    for child in (*(schema.one_of or ()), *(schema.any_of or ()), *(schema.all_of or ())):
        _mark_instants(child)
    _mark_instants(schema.items)


# OpenAPI links: how a response leads to the next operation (issue 18). They tell a client, and a
# stateful fuzzer, that a booking's manage_token opens the manage, cancel, reschedule and
# invite operations, a filière's list leads to its mentors and their slots, and so on.
# (source method, path, status) -> [(link name, target method, path, parameters)].
_BOOKED = [
    ("view", "get", "/v1/bookings/manage/{token}", {"token": "$response.body#/manage_token"}),
    (
        "cancel",
        "post",
        "/v1/bookings/manage/{token}/cancel",
        {"token": "$response.body#/manage_token"},
    ),
    (
        "reschedule",
        "post",
        "/v1/bookings/manage/{token}/reschedule",
        {"token": "$response.body#/manage_token"},
    ),
    (
        "invite",
        "get",
        "/v1/bookings/manage/{token}/invite.ics",
        {"token": "$response.body#/manage_token"},
    ),
]
LINKS: dict[tuple[str, str, str], list[tuple[str, str, str, dict[str, str]]]] = {
    ("get", "/v1/filieres", "200"): [
        ("mentors", "get", "/v1/filieres/{slug}/mentors", {"slug": "$response.body#/0/slug"})
    ],
    ("get", "/v1/filieres/{slug}/mentors", "200"): [
        ("mentor", "get", "/v1/mentors/{mentor_id}", {"mentor_id": "$response.body#/mentors/0/id"}),
        (
            "slots",
            "get",
            "/v1/mentors/{mentor_id}/slots",
            {"mentor_id": "$response.body#/mentors/0/id"},
        ),
    ],
    ("get", "/v1/mentors/{mentor_id}", "200"): [
        ("slots", "get", "/v1/mentors/{mentor_id}/slots", {"mentor_id": "$response.body#/id"})
    ],
    ("post", "/v1/bookings", "201"): _BOOKED,
    ("post", "/v1/bookings/verifications/{verification_id}", "201"): _BOOKED,
    ("post", "/v1/bookings/manage/{token}/reschedule", "200"): _BOOKED,
    ("post", "/v1/bookings/verifications", "202"): [
        (
            "confirm",
            "post",
            "/v1/bookings/verifications/{verification_id}",
            {"verification_id": "$response.body#/verification_id"},
        )
    ],
    ("get", "/v1/me/bookings", "200"): [
        (
            "cancel",
            "post",
            "/v1/me/bookings/{booking_id}/cancel",
            {"booking_id": "$response.body#/0/id"},
        ),
        (
            "no_show",
            "post",
            "/v1/me/bookings/{booking_id}/no-show",
            {"booking_id": "$response.body#/0/id"},
        ),
    ],
    ("get", "/v1/staff/bookings", "200"): [
        (
            "cancel",
            "post",
            "/v1/staff/bookings/{booking_id}/cancel",
            {"booking_id": "$response.body#/0/id"},
        )
    ],
    ("get", "/v1/staff/mentors", "200"): [
        (name, method, path, {"mentor_id": "$response.body#/0/id"})
        for name, method, path in (
            ("mentor", "get", "/v1/staff/mentors/{mentor_id}"),
            ("update", "patch", "/v1/staff/mentors/{mentor_id}"),
            ("activate", "post", "/v1/staff/mentors/{mentor_id}/activate"),
            ("deactivate", "post", "/v1/staff/mentors/{mentor_id}/deactivate"),
            ("token", "post", "/v1/staff/mentors/{mentor_id}/tokens"),
        )
    ],
    ("get", "/v1/me/overrides", "200"): [
        ("delete", "delete", "/v1/me/overrides/{day}", {"day": "$response.body#/overrides/0/date"})
    ],
}


def document_links(app: Litestar) -> None:
    """Add ``LINKS`` to the responses of the generated document (targets by operationId)."""
    schema = app.openapi_schema
    paths = schema.paths or {}

    def operation(method: str, path: str) -> Any:
        item = paths.get(path)
        return getattr(item, method, None) if item is not None else None

    for (method, path, status), links in LINKS.items():
        source = operation(method, path)
        if source is None or source.responses is None or status not in source.responses:
            continue
        response = source.responses[status]
        if not isinstance(response, OpenAPIResponse):
            continue
        found: dict[str, Link | Reference] = {}
        for name, target_method, target_path, parameters in links:
            target = operation(target_method, target_path)
            if target is not None and target.operation_id:
                found[name] = Link(operation_id=target.operation_id, parameters=dict(parameters))
        response.links = (response.links or {}) | found if found else response.links
