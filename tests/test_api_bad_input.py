"""Bad input gets a clear 4xx with field messages and never changes stored data."""

from __future__ import annotations

import gzip
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from server import create_app
from server.auth import add_user, create_api_token
from server.db import get_db
from tests.conftest import Api, new_address

DATA_TABLES = ("addresses", "assignments", "inspections", "history", "changes")


def snapshot(app: Flask, tables: tuple[str, ...] = DATA_TABLES) -> dict[str, Any]:
    """Return every row of the tables (by default every data table, audit aside), to prove nothing changed."""
    with app.app_context():
        db = get_db()
        return {t: list(db.query(f"SELECT * FROM {t} ORDER BY rowid"))  # noqa: S608
                for t in tables}


@pytest.fixture
def existing(api: Api) -> dict[str, Any]:
    data = new_address()
    assert api.post("/api/v1/addresses", json=data).status_code == 201
    return data


BAD_BODIES = [
    ("malformed JSON", {"data": "{\"straat\": ", "content_type": "application/json"}, 400, "bad_request"),
    ("not an object", {"json": [1, 2, 3]}, 400, "bad_request"),
    ("wrong content type", {"data": "straat=Uiterweg", "content_type": "application/x-www-form-urlencoded"}, 415,
     "unsupported_media_type"),
    ("no body", {}, 415, "unsupported_media_type"),
    ("broken gzip", {"data": b"\x1f\x8bkapot", "content_type": "application/json",
                     "headers": {"Content-Encoding": "gzip"}}, 400, "bad_request"),
    ("invalid UTF-8", {"data": b"{\"straat\": \"\xff\"}", "content_type": "application/json"}, 400, "bad_request"),
    ("nested too deep", {"data": "[" * 100000 + "]" * 100000, "content_type": "application/json"}, 400,
     "bad_request"),
]


@pytest.mark.parametrize(("name", "kwargs", "status", "error"), BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_unreadable_bodies_are_refused(api: Api, app: Flask, existing: dict[str, Any], name: str,
                                       kwargs: dict[str, Any], status: int, error: str) -> None:
    before = snapshot(app)
    for method, url in (("POST", "/api/v1/addresses"), ("PATCH", f"/api/v1/addresses/{existing['id']}")):
        response = api.call(method, url, **kwargs)
        assert response.status_code == status, (method, response.json)
        assert response.json["error"] == error
        assert response.json["message"]
    assert snapshot(app) == before


FIELD_ERRORS = [
    ({"huisnummer": "12"}, "huisnummer", "Geen geldig geheel getal."),
    ({"verified": "ja"}, "verified", "Moet true of false zijn."),
    ({"bsn": "123456782"}, "bsn", "Onbekend veld."),
    ({"postcode": "1431SA"}, "postcode", "Geen geldige postcode: de letters SA worden niet gebruikt."),
    ({"floor_area_m2": -1}, "floor_area_m2", "Moet groter dan 0 en kleiner dan 10000 zijn."),
    ({"bag_id": 358200000012001}, "bag_id", "Een BAG-id is tekst van 16 cijfers (geen getal: voorloopnullen tellen)."),
]


@pytest.mark.parametrize(("change", "field", "message"), FIELD_ERRORS, ids=[f[1] for f in FIELD_ERRORS])
def test_wrong_fields_get_422_with_dutch_field_messages(api: Api, app: Flask, existing: dict[str, Any],
                                                        change: dict[str, Any], field: str, message: str) -> None:
    before = snapshot(app)
    created = api.post("/api/v1/addresses", json=new_address(**change))
    updated = api.patch(f"/api/v1/addresses/{existing['id']}", json=change)
    for response in (created, updated):
        assert response.status_code == 422
        assert response.json["error"] == "invalid"
        assert response.json["errors"] == {field: [message]}
    assert snapshot(app) == before


def test_duplicate_id_gets_409_and_changes_nothing(api: Api, app: Flask, existing: dict[str, Any]) -> None:
    before = snapshot(app)
    response = api.post("/api/v1/addresses", json={**existing, "straat": "Anders"})
    assert response.status_code == 409
    assert snapshot(app) == before


@pytest.mark.parametrize("url", ["/api/v1/addresses/{id}", "/api/v1/assignments/{id}", "/api/v1/inspections/{id}",
                                 "/api/v1/nergens"])
def test_unknown_ids_and_routes_get_404_json(api: Api, url: str) -> None:
    response = api.get(url.format(id=uuid.uuid4()))
    assert response.status_code == 404
    assert response.json["error"] == "not_found"


def test_unknown_id_update_is_404(api: Api, app: Flask) -> None:
    before = snapshot(app)
    assert api.patch(f"/api/v1/addresses/{uuid.uuid4()}", json={"notes": "x"}).status_code == 404
    assert snapshot(app) == before


def test_changing_an_id_is_refused(api: Api, app: Flask, existing: dict[str, Any]) -> None:
    before = snapshot(app)
    response = api.patch(f"/api/v1/addresses/{existing['id']}", json={"id": str(uuid.uuid4())})
    assert response.status_code == 400
    assert snapshot(app) == before


def test_body_over_the_limit_gets_413(tmp_path: Path) -> None:
    app = create_app({"DATA": str(tmp_path / "d"), "MAX_REQUEST_BYTES": 2000})
    with app.app_context():
        user = add_user(get_db(), "tl", "teamleider", None)
        token = create_api_token(get_db(), user["id"])
    api = Api(app.test_client(), {"tl": token}, {"tl": user})
    before = snapshot(app)
    big = new_address(notes="x" * 3000)
    response = api.post("/api/v1/addresses", as_="tl", json=big)
    assert response.status_code == 413
    assert response.json["error"] == "too_large"
    bomb = gzip.compress(json.dumps(new_address(notes="y" * 4000)).encode())
    assert len(bomb) < 2000
    response = api.post("/api/v1/addresses", as_="tl", data=bomb, content_type="application/json",
                        headers={"Content-Encoding": "gzip"})
    assert response.status_code == 413
    assert snapshot(app) == before
    small = gzip.compress(json.dumps(new_address()).encode())
    response = api.post("/api/v1/addresses", as_="tl", data=small, content_type="application/json",
                        headers={"Content-Encoding": "gzip"})
    assert response.status_code == 201


def test_wrong_method_gets_405_json(api: Api) -> None:
    response = api.call("DELETE", "/api/v1/addresses")
    assert response.status_code == 405
    assert response.json["error"] == "method_not_allowed"
