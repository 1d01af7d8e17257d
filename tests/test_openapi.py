"""The OpenAPI document is valid OpenAPI 3 and documents every route of the app, no more and no less."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate

from server.api.openapi import build_spec


def routes(app: Flask) -> set[tuple[str, str]]:
    """Return (method, OpenAPI path) of every API route and /healthz, HEAD only where it is its own route."""
    found = set()
    for rule in app.url_map.iter_rules():
        if not (rule.rule.startswith("/api/v1/") or rule.rule == "/healthz"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        methods = set(rule.methods or ()) - {"OPTIONS"}
        if "GET" in methods:
            methods.discard("HEAD")  # Flask answers HEAD for every GET by itself
        found |= {(method.lower(), path) for method in methods}
    return found


def documented(document: dict[str, object]) -> set[tuple[str, str]]:
    """Return (method, path) of every operation in an OpenAPI document."""
    paths = document["paths"]
    assert isinstance(paths, dict)
    return {(method, path) for path, operations in paths.items() for method in operations
            if method in ("get", "put", "post", "delete", "patch", "head")}


def test_openapi_document_is_valid_and_lists_the_endpoints(client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json
    assert document is not None
    validate(document)
    assert document == build_spec()  # what schemathesis tests (tests/test_schemathesis.py) is what is served
    assert document["openapi"].startswith("3.")
    for path in ("/api/v1/addresses", "/api/v1/addresses/{address_id}", "/api/v1/assignments",
                 "/api/v1/inspections/{inspection_id}", "/api/v1/devices/enroll", "/api/v1/sync/push",
                 "/api/v1/sync/pull", "/api/v1/conflicts", "/api/v1/attachments/missing",
                 "/api/v1/attachments/{sha256}"):
        assert path in document["paths"]
    inspection = document["components"]["schemas"]["Inspection"]
    assert {"rooms", "fire_safety", "photos", "corrects"} <= set(inspection["properties"])


def test_every_route_of_the_app_is_in_the_document_with_its_methods(app: Flask) -> None:
    in_app, in_document = routes(app), documented(build_spec())
    assert ("head", "/api/v1/attachments/{sha256}") in in_app and ("get", "/healthz") in in_app
    assert in_app - in_document == set(), "routes without documentation"
    assert in_document - in_app == set(), "documented operations the app does not have"


def test_a_route_added_without_documentation_is_noticed(app: Flask) -> None:
    app.add_url_rule("/api/v1/inspections/<inspection_id>/undocumented", "undocumented", lambda inspection_id: "",
                     methods=["POST"])
    assert routes(app) - documented(build_spec()) == {("post", "/api/v1/inspections/{inspection_id}/undocumented")}


def test_inspection_with_findings_can_match_its_schema() -> None:
    # An answer with findings must be able to satisfy the schema: a closed Inspection in an allOf
    # next to another object with findings could never be matched by any answer.
    document = build_spec()
    answer = document["paths"]["/api/v1/inspections/{inspection_id}"]["get"]["responses"]["200"]
    schema = answer["content"]["application/json"]["schema"]
    component = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    assert "allOf" not in component
    assert {"findings", "not_assessed", "norm_set", "rooms"} <= set(component["properties"])


def test_every_signed_operation_declares_401_429_and_507_and_every_json_body_400_413_415_422() -> None:
    document = build_spec()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            statuses = set(operation["responses"])
            if operation.get("security") != []:
                assert {"401", "429", "507"} <= statuses, (method, path)
            if "application/json" in operation.get("requestBody", {}).get("content", {}):
                assert {"400", "413", "415", "422"} <= statuses, (method, path)


def test_documents_and_attachments_declare_their_file_types() -> None:
    paths = build_spec()["paths"]
    assert set(paths["/api/v1/documents/{document_id}"]["get"]["responses"]["200"]["content"]) == {
        "application/pdf"}
    assert set(paths["/api/v1/attachments/{sha256}"]["get"]["responses"]["200"]["content"]) == {
        "image/jpeg", "image/png", "application/pdf"}
    upload = paths["/api/v1/attachments/{sha256}"]["put"]
    assert set(upload["requestBody"]["content"]) == {"application/octet-stream"}
    assert any(p["name"] == "Content-Range" and p["in"] == "header" for p in upload["parameters"])


def test_healthz(client: FlaskClient) -> None:
    assert client.get("/healthz").json == {"status": "ok"}
