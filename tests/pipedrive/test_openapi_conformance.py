"""The fake's answers validate against Pipedrive's published OpenAPI v2 description.

The spec is OpenAPI 3.0 (`nullable`, draft-4-like schemas). Its schemas are turned into
JSON Schema once per session and put in a `referencing` registry, so any `$ref` in it
resolves within the document. Pipedrive under-declares nullability: the real API sends
`null` for unset references and times that the spec types as plain integers or strings
(its own prose says `next_cursor` is null on the last page). Those fields are listed in
`NULL_IN_PRACTICE`; null anywhere else fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from pipedriven_desktop.pipedrive import PERSON_INCLUDE_FIELDS, FakePipedriveServer
from tests.pipedrive.conftest import TOKEN

#: Where Pipedrive's description is looked for: beside this file first (vendored), then the
#: shared reference copy.
SPEC_CANDIDATES = (
    Path(__file__).with_name("openapi-v2.yaml"),
    Path("/work/shared/pipedrive/openapi-v2.yaml"),
)
SPEC_URI = "urn:pipedrive:openapi-v2"
ENTITIES = ("persons", "organizations", "activities", "deals")

NULL_IN_PRACTICE: dict[str, frozenset[str]] = {
    "persons": frozenset({"org_id", "picture_id", "job_title"}),
    "organizations": frozenset({"address"}),
    "activities": frozenset(
        {
            "deal_id",
            "lead_id",
            "person_id",
            "org_id",
            "project_id",
            "due_time",
            "duration",
            "marked_as_done_time",
            "note",
        }
    ),
    "deals": frozenset({"person_id", "org_id", "won_time", "lost_time", "expected_close_date"}),
}
#: Address parts Pipedrive leaves null when it could not geocode them.
NULL_ADDRESS_PARTS = frozenset({"admin_area_level_1", "admin_area_level_2", "sublocality"})
#: Fields the fake sends that the list schema does not declare, with why.
UNDECLARED_BUT_REAL: dict[str, frozenset[str]] = {
    # Opt-in counters from `include_fields` (declared as that parameter's enum).
    "persons": frozenset(PERSON_INCLUDE_FIELDS.split(",")),
    # "Newer accounts" organization fields (see PIPEDRIVE_API.md).
    "organizations": frozenset({"website", "industry", "employee_count"}),
    "activities": frozenset(),
    "deals": frozenset(),
}
_OPENAPI_ONLY = frozenset(
    {
        "nullable",
        "example",
        "examples",
        "xml",
        "discriminator",
        "externalDocs",
        "deprecated",
        "readOnly",
        "writeOnly",
    }
)


def to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schema objects → JSON Schema: `nullable: true` becomes a "null" type."""
    if isinstance(node, list):
        return [to_json_schema(child) for child in node]
    if not isinstance(node, dict):
        return node
    converted = {
        key: to_json_schema(value) for key, value in node.items() if key not in _OPENAPI_ONLY
    }
    if node.get("nullable") is True:
        allow_null(converted)
    return converted


def allow_null(schema: dict[str, Any]) -> None:
    kind = schema.get("type")
    if isinstance(kind, str):
        schema["type"] = [kind, "null"]
    elif isinstance(kind, list) and "null" not in kind:
        schema["type"] = [*kind, "null"]
    if "enum" in schema and None not in schema["enum"]:
        schema["enum"] = [*schema["enum"], None]


def list_schema_pointer(entity: str) -> str:
    return f"/paths/~1{entity}/get/responses/200/content/application~1json/schema"


def resolve(document: dict[str, Any], pointer: str) -> Any:
    node: Any = document
    for part in pointer.strip("/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


@pytest.fixture(scope="session")
def spec() -> dict[str, Any]:
    path = next((p for p in SPEC_CANDIDATES if p.is_file()), None)
    assert path is not None, f"Pipedrive's OpenAPI v2 description not found in {SPEC_CANDIDATES}"
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open(encoding="utf-8") as handle:
        document: dict[str, Any] = yaml.load(handle, Loader=loader)
    assert str(document["openapi"]).startswith("3.0")
    return document


@pytest.fixture(scope="session")
def json_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """The whole document converted, with the documented null-in-practice fields widened."""
    document: dict[str, Any] = to_json_schema(spec)
    for entity in ENTITIES:
        response = resolve(document, list_schema_pointer(entity))
        body = response["allOf"][1]["properties"]
        item_props = body["data"]["items"]["properties"]
        for name in NULL_IN_PRACTICE[entity]:
            allow_null(item_props[name])
        if entity == "organizations":
            for name in NULL_ADDRESS_PARTS:
                allow_null(item_props["address"]["properties"][name])
        allow_null(body["additional_data"]["properties"]["next_cursor"])
    return document


@pytest.fixture(scope="session")
def registry(json_spec: dict[str, Any]) -> Registry[Any]:
    resource: Resource[Any] = Resource.from_contents(json_spec, default_specification=DRAFT4)
    with_spec: Registry[Any] = Registry().with_resource(SPEC_URI, resource)
    return with_spec


def validator_for(entity: str, registry: Registry[Any]) -> Draft4Validator:
    schema = {"$ref": f"{SPEC_URI}#{list_schema_pointer(entity)}"}
    return Draft4Validator(schema, registry=registry, format_checker=FormatChecker())


@pytest.fixture
def pages(server: FakePipedriveServer) -> Iterator[Any]:
    """Raw list answers from the fake: `pages(entity, **params)` → every page's JSON body."""
    session = requests.Session()
    session.headers["x-api-token"] = TOKEN

    def fetch(entity: str, **params: Any) -> list[dict[str, Any]]:
        bodies: list[dict[str, Any]] = []
        while True:
            response = session.get(f"{server.base_url}/api/v2/{entity}", params=params, timeout=5)
            assert response.status_code == 200
            bodies.append(response.json())
            params["cursor"] = bodies[-1]["additional_data"]["next_cursor"]
            if params["cursor"] is None:
                return bodies

    yield fetch
    session.close()


@pytest.mark.parametrize("entity", ENTITIES)
def test_list_answers_validate_against_the_spec(entity, registry, pages):
    validator = validator_for(entity, registry)
    params: dict[str, Any] = {"limit": 500}
    if entity == "persons":
        params["include_fields"] = PERSON_INCLUDE_FIELDS
    if entity == "deals":
        params["status"] = "open,won,lost,deleted"
    bodies = pages(entity, **params)
    assert bodies[-1]["additional_data"]["next_cursor"] is None
    for body in bodies:
        errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
        assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def test_the_validator_is_not_toothless(registry, pages):
    validator = validator_for("persons", registry)
    body = pages("persons", limit=3, ids="1,2,3")[0]
    assert validator.is_valid(body)
    for broken in (
        {**body, "success": "yes"},
        {**body, "data": {"id": 1}},
        {**body, "data": [{**body["data"][0], "id": "1"}]},
        {**body, "data": [{**body["data"][0], "owner_id": None}]},
        {**body, "data": [{**body["data"][0], "emails": [{"value": 5}]}]},
    ):
        assert not validator.is_valid(broken)


@pytest.mark.parametrize("entity", ENTITIES)
def test_every_field_the_fake_sends_is_declared(entity, spec, server):
    schema = resolve(spec, list_schema_pointer(entity))
    declared = set(schema["allOf"][1]["properties"]["data"]["items"]["properties"])
    with server.account.lock:
        sent = set().union(*(item.keys() for item in server.account.table(entity).values()))
    if entity == "persons":
        sent |= set(next(iter(server.account.person_extras.values())))
    assert sent - declared == UNDECLARED_BUT_REAL[entity]


@pytest.mark.parametrize("entity", ENTITIES)
def test_the_client_sends_only_declared_parameters(entity, spec, client, server):
    operation = spec["paths"][f"/{entity}"]["get"]
    declared = {param["name"]: param for param in operation["parameters"]}
    extra = {"include_fields": PERSON_INCLUDE_FIELDS} if entity == "persons" else None
    for _ in client.iter_pages(entity, updated_since=datetime(2024, 1, 1, tzinfo=UTC), extra=extra):
        pass
    assert server.request_log
    for request in server.request_log:
        assert set(request.params) <= set(declared), request.params
        sort_enum = declared["sort_by"]["schema"]["enum"]
        assert request.params["sort_by"] in sort_enum
        assert int(request.params["limit"]) <= 500


@pytest.mark.parametrize("entity", ENTITIES)
def test_the_fake_sorts_by_exactly_what_the_spec_allows(entity, spec, server):
    declared = spec["paths"][f"/{entity}"]["get"]["parameters"]
    sort_enum = next(p for p in declared if p["name"] == "sort_by")["schema"]["enum"]
    with requests.Session() as session:
        session.headers["x-api-token"] = TOKEN
        for value in sort_enum:
            answer = session.get(
                f"{server.base_url}/api/v2/{entity}", params={"sort_by": value}, timeout=5
            )
            assert answer.status_code == 200, value
        refused = session.get(
            f"{server.base_url}/api/v2/{entity}", params={"sort_by": "name"}, timeout=5
        )
        assert refused.status_code == 400


def test_the_spec_example_validates_too(spec, registry):
    """A check of the conversion itself: Pipedrive's own example response is valid."""
    for entity in ENTITIES:
        example = resolve(spec, list_schema_pointer(entity).rsplit("/", 1)[0])["example"]
        errors = list(validator_for(entity, registry).iter_errors(example))
        assert not errors, [e.message for e in errors[:5]]
