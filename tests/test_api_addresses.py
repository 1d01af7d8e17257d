"""Addresses over the REST API: search, read, create, update; roles; audit."""

from __future__ import annotations

import pytest

from server.db import get_db
from tests.conftest import Api, new_address


def test_teamleider_creates_and_reads_an_address(api: Api) -> None:
    data = new_address(postcode="1431 ab")
    created = api.post("/api/v1/addresses", json=data)
    assert created.status_code == 201
    assert created.json["postcode"] == "1431AB"
    assert created.json["version"] == 1
    got = api.get(f"/api/v1/addresses/{data['id']}", as_="handhaver")
    assert got.status_code == 200
    assert got.json["straat"] == "Uiterweg"


def test_id_is_made_when_not_given(api: Api) -> None:
    data = new_address()
    del data["id"]
    created = api.post("/api/v1/addresses", json=data)
    assert created.status_code == 201
    assert len(created.json["id"]) == 36


def test_handhaver_may_not_create_or_update_addresses(api: Api) -> None:
    data = new_address()
    assert api.post("/api/v1/addresses", json=data, as_="handhaver").status_code == 403
    api.post("/api/v1/addresses", json=data)
    response = api.patch(f"/api/v1/addresses/{data['id']}", json={"verified": False}, as_="handhaver")
    assert response.status_code == 403
    assert response.json["error"] == "forbidden"


def test_beheerder_may_create_addresses(api: Api) -> None:
    assert api.post("/api/v1/addresses", json=new_address(), as_="beheerder").status_code == 201


def test_no_token_gets_401(api: Api) -> None:
    response = api.get("/api/v1/addresses", as_=None)
    assert response.status_code == 401
    assert response.json["error"] == "unauthorized"
    response = api.get("/api/v1/addresses", as_=None, headers={"Authorization": "Bearer wtu_fout"})
    assert response.status_code == 401
    response = api.get("/api/v1/addresses", as_=None, headers={"Authorization": "Basic abc"})
    assert response.status_code == 401


def test_update_changes_fields_bumps_version_and_keeps_history(api: Api, app: object) -> None:
    data = new_address()
    api.post("/api/v1/addresses", json=data)
    response = api.patch(f"/api/v1/addresses/{data['id']}", json={"verified": False, "brp_registered": 6})
    assert response.status_code == 200
    assert (response.json["version"], response.json["verified"], response.json["brp_registered"]) == (2, False, 6)
    from server import store
    with app.app_context():  # type: ignore[attr-defined]
        old = store.history(get_db(), "address", data["id"])
    assert [h["version"] for h in old] == [1]
    assert old[0]["brp_registered"] == 4


def test_stale_if_match_gets_409_with_the_current_record(api: Api) -> None:
    data = new_address()
    api.post("/api/v1/addresses", json=data)
    api.patch(f"/api/v1/addresses/{data['id']}", json={"notes": "eerste"})
    response = api.patch(f"/api/v1/addresses/{data['id']}", json={"notes": "tweede"}, headers={"If-Match": "1"})
    assert response.status_code == 409
    assert response.json["current"]["notes"] == "eerste"
    assert api.get(f"/api/v1/addresses/{data['id']}").json["notes"] == "eerste"


@pytest.fixture
def many(api: Api) -> list[str]:
    ids = []
    for i in range(7):
        data = new_address(huisnummer=i + 1, postcode="1431AB" if i < 4 else "1432KD",
                           location_type="woonkern" if i % 2 else "lint", verified=i < 3)
        api.post("/api/v1/addresses", json=data)
        ids.append(data["id"])
    return ids


def test_list_pages_through_every_address_once(api: Api, many: list[str]) -> None:
    seen, url = [], "/api/v1/addresses?limit=3"
    while url:
        body = api.get(url).json
        seen += [a["id"] for a in body["items"]]
        assert len(body["items"]) <= 3
        url = body["next"]
    assert sorted(seen) == sorted(many)


@pytest.mark.parametrize(("query", "count"), [
    ("postcode=1431%20ab", 4), ("postcode=1432KD&huisnummer=5", 1), ("location_type=lint", 4),
    ("verified=true", 3), ("verified=false&location_type=woonkern", 2), ("gemeentecode=0363", 0),
])
def test_filters(api: Api, many: list[str], query: str, count: int) -> None:
    body = api.get(f"/api/v1/addresses?{query}").json
    assert len(body["items"]) == count
    assert body["next"] is None


@pytest.mark.parametrize("query", ["limit=0", "limit=1001", "limit=tien", "verified=misschien", "location_type=stad",
                                   "onbekend=1"])
def test_bad_query_gets_422_with_field_messages(api: Api, query: str) -> None:
    response = api.get(f"/api/v1/addresses?{query}")
    assert response.status_code == 422
    assert response.json["errors"]


def test_reads_and_writes_are_audited(api: Api, app: object) -> None:
    data = new_address()
    api.post("/api/v1/addresses", json=data)
    api.get(f"/api/v1/addresses/{data['id']}", as_="handhaver")
    api.get("/api/v1/addresses?postcode=1432KD", as_="handhaver2")
    with app.app_context():  # type: ignore[attr-defined]
        entries = list(get_db().query("SELECT a.action, a.record_id, u.name, a.remote_addr FROM audit_log a "
                                      "JOIN users u ON u.id = a.user_id WHERE a.entity = 'address' ORDER BY a.id"))
    assert [(e["action"], e["name"]) for e in entries] == [("create", "teamleider"), ("read", "handhaver"),
                                                           ("list", "handhaver2")]
    assert entries[1]["record_id"] == data["id"]
    assert entries[1]["remote_addr"] == "127.0.0.1"
