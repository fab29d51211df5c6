"""Write bodies checked against Pipedrive's published request schemas, for the fake server.

Activities: the OpenAPI v2 description's `requestBody` of `POST /activities` and
`PATCH /activities/{id}`, converted like the response schemas of the conformance test
and closed (`additionalProperties: false`), so a field the description does not know is a
client bug. Notes are API v1, outside that description: their schema is written here from
Pipedrive's v1 reference ("Add a note": `content` required, linked by person, organization,
deal, lead or project id).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft4Validator, FormatChecker

from tests.pipedrive.test_openapi_conformance import SPEC_CANDIDATES, resolve, to_json_schema

Validator = Callable[[str, str, dict[str, Any]], list[str]]

NOTE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["content"],
    "additionalProperties": False,
    "properties": {
        "content": {"type": "string", "minLength": 1},
        "lead_id": {"type": "string"},
        "deal_id": {"type": "integer"},
        "person_id": {"type": "integer"},
        "org_id": {"type": "integer"},
        "project_id": {"type": "integer"},
        "user_id": {"type": "integer"},
        "add_time": {"type": "string"},
        "pinned_to_lead_flag": {"enum": [0, 1]},
        "pinned_to_deal_flag": {"enum": [0, 1]},
        "pinned_to_organization_flag": {"enum": [0, 1]},
        "pinned_to_person_flag": {"enum": [0, 1]},
        "pinned_to_project_flag": {"enum": [0, 1]},
    },
}


@cache
def spec_document() -> dict[str, Any]:
    path = next(p for p in SPEC_CANDIDATES if p.is_file())
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with Path(path).open(encoding="utf-8") as handle:
        document: dict[str, Any] = yaml.load(handle, Loader=loader)
    return document


def request_schema(path: str, method: str) -> dict[str, Any]:
    """The closed JSON Schema of a v2 operation's JSON request body."""
    pointer = (
        f"/paths/{path.replace('/', '~1')}/{method.lower()}"
        "/requestBody/content/application~1json/schema"
    )
    schema: dict[str, Any] = to_json_schema(resolve(spec_document(), pointer))
    return {**schema, "additionalProperties": False}


@cache
def _validators() -> dict[tuple[str, str], Draft4Validator]:
    checker = FormatChecker()
    return {
        ("POST", "activities"): Draft4Validator(
            request_schema("/activities", "post"), format_checker=checker
        ),
        ("PATCH", "activities"): Draft4Validator(
            request_schema("/activities/{id}", "patch"), format_checker=checker
        ),
        ("POST", "notes"): Draft4Validator(NOTE_SCHEMA, format_checker=checker),
    }


def validate_write(method: str, path: str, body: dict[str, Any]) -> list[str]:
    """Problems of a write body (empty: valid), for `FakePipedriveServer.request_validator`."""
    if path.startswith("/api/v2/activities"):
        key = (method, "activities")
    elif path.rstrip("/").endswith("/notes"):
        key = (method, "notes")
    else:
        return [f"no request schema for {method} {path}"]
    validator = _validators().get(key)
    if validator is None:
        return [f"no request schema for {method} {path}"]
    return [
        f"{'/'.join(map(str, error.absolute_path)) or 'body'}: {error.message}"
        for error in validator.iter_errors(body)
    ]
