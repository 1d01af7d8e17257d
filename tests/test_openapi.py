"""The OpenAPI document is valid OpenAPI 3 and covers the endpoints."""

from __future__ import annotations

from flask.testing import FlaskClient
from openapi_spec_validator import validate


def test_openapi_document_is_valid_and_lists_the_endpoints(client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json
    assert document is not None
    validate(document)
    assert document["openapi"].startswith("3.")
    for path in ("/api/v1/addresses", "/api/v1/addresses/{address_id}", "/api/v1/assignments",
                 "/api/v1/inspections/{inspection_id}"):
        assert path in document["paths"]
    inspection = document["components"]["schemas"]["Inspection"]
    assert {"rooms", "fire_safety", "photos", "corrects"} <= set(inspection["properties"])


def test_healthz(client: FlaskClient) -> None:
    assert client.get("/healthz").json == {"status": "ok"}
