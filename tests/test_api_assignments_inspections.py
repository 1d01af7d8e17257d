"""Assignments (planned by a teamleider, seen by their handhaver) and inspections with findings."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Flask

from schemas import inspection_schema
from server import store
from server.db import get_db
from server.evaluation import app_norm_sets, evaluate_and_store
from tests.conftest import Api, example, new_address


def plan(api: Api, address_id: str, inspector: str = "handhaver", **changes: Any) -> Any:
    body = {"address_id": address_id, "inspector_id": api.users[inspector]["id"], "week": "2026-W48", **changes}
    return api.post("/api/v1/assignments", json=body)


def test_teamleider_plans_and_handhaver_sees_only_his_own(api: Api) -> None:
    a, b = new_address(), new_address(huisnummer=2)
    api.post("/api/v1/addresses", json=a)
    api.post("/api/v1/addresses", json=b)
    mine = plan(api, a["id"])
    assert mine.status_code == 201
    assert mine.json["status"] == "open"
    theirs = plan(api, b["id"], "handhaver2")
    listed = api.get("/api/v1/assignments", as_="handhaver").json["items"]
    assert [x["id"] for x in listed] == [mine.json["id"]]
    assert api.get(f"/api/v1/assignments/{theirs.json['id']}", as_="handhaver").status_code == 404
    assert api.get(f"/api/v1/assignments/{mine.json['id']}", as_="handhaver").status_code == 200
    assert len(api.get("/api/v1/assignments").json["items"]) == 2
    assert len(api.get(f"/api/v1/assignments?inspector_id={api.users['handhaver2']['id']}").json["items"]) == 1


def test_handhaver_may_not_plan(api: Api) -> None:
    a = new_address()
    api.post("/api/v1/addresses", json=a)
    body = {"address_id": a["id"], "inspector_id": api.users["handhaver"]["id"], "week": "2026-W48"}
    assert api.post("/api/v1/assignments", json=body, as_="handhaver").status_code == 403


def test_assignment_needs_a_known_address_and_a_handhaver(api: Api) -> None:
    response = plan(api, str(uuid.uuid4()))
    assert response.status_code == 422
    assert response.json["errors"] == {"address_id": ["Onbekend adres."]}
    a = new_address()
    api.post("/api/v1/addresses", json=a)
    response = plan(api, a["id"], "teamleider")
    assert response.json["errors"] == {"inspector_id": ["Alleen een handhaver kan een opdracht uitvoeren."]}
    response = plan(api, a["id"], week=None)
    assert response.json["errors"] == {"week": ["Vul een week of een uiterste datum in."]}


def test_reassign_and_cancel_then_a_cancelled_assignment_is_frozen(api: Api) -> None:
    a = new_address()
    api.post("/api/v1/addresses", json=a)
    planned = plan(api, a["id"]).json
    moved = api.patch(f"/api/v1/assignments/{planned['id']}", json={"inspector_id": api.users["handhaver2"]["id"]})
    assert moved.status_code == 200 and moved.json["version"] == 2
    cancelled = api.patch(f"/api/v1/assignments/{planned['id']}", json={"status": "cancelled"})
    assert cancelled.json["status"] == "cancelled"
    again = api.patch(f"/api/v1/assignments/{planned['id']}", json={"status": "open"})
    assert again.status_code == 409
    assert api.get(f"/api/v1/assignments/{planned['id']}").json["status"] == "cancelled"


def store_inspection(app: Flask, raw: dict[str, Any], inspector_id: str, *, assigned: bool = True) -> dict[str, Any]:
    """Store an inspection as a device push will: loaded, inspector set by the server, judged.

    Unless it names one or `assigned` is false, it is the visit of a (now done) assignment of its inspector,
    which keeps the address in his scope.
    """
    record = inspection_schema.dump(inspection_schema.load(raw))
    record["inspector_id"] = inspector_id
    with app.app_context():
        db = get_db()
        if assigned and not record["assignment_id"]:
            record["assignment_id"] = str(uuid.uuid4())
            store.put(db, "assignment", {"id": record["assignment_id"], "address_id": record["address_id"],
                                         "inspector_id": inspector_id, "week": None,
                                         "due": record["started_at"][:10], "kind": "controle", "status": "done",
                                         "instructions": None, "case_id": None}, actor=inspector_id)
        stored = store.put(db, "inspection", record, actor=inspector_id)
        evaluate_and_store(db, stored, app_norm_sets())
    return stored


def test_inspection_is_read_with_the_findings_and_norm_set_the_server_computed(api: Api, app: Flask) -> None:
    raw = example("overbewoond.json")
    api.post("/api/v1/addresses", json=raw["address"])
    store_inspection(app, raw["inspection"], api.users["handhaver"]["id"])
    got = api.get(f"/api/v1/inspections/{raw['inspection']['id']}")
    assert got.status_code == 200
    assert got.json["norm_set"] == {"id": "aalsmeer", "version": 1}
    assert len(got.json["findings"]) == 21
    assert got.json["not_assessed"] == []
    assert got.json["inspector_id"] == api.users["handhaver"]["id"]
    listed = api.get(f"/api/v1/inspections?address_id={raw['address']['id']}").json
    assert [i["id"] for i in listed["items"]] == [raw["inspection"]["id"]]


def test_findings_are_not_rewritten_when_the_address_changes(api: Api, app: Flask) -> None:
    raw = example("overbewoond.json")
    api.post("/api/v1/addresses", json=raw["address"])
    store_inspection(app, raw["inspection"], api.users["handhaver"]["id"])
    api.patch(f"/api/v1/addresses/{raw['address']['id']}", json={"brp_registered": 20})
    codes = [f["code"] for f in api.get(f"/api/v1/inspections/{raw['inspection']['id']}").json["findings"]]
    assert "BRP_SIGNAAL" in codes


def test_handhaver_reads_inspections_of_his_addresses_only(api: Api, app: Flask) -> None:
    raw = example("overbewoond.json")
    api.post("/api/v1/addresses", json=raw["address"])
    store_inspection(app, raw["inspection"], api.users["handhaver2"]["id"])
    url = f"/api/v1/inspections/{raw['inspection']['id']}"
    assert api.get(url, as_="handhaver").status_code == 404
    assert api.get("/api/v1/inspections", as_="handhaver").json["items"] == []
    assert api.get(url, as_="handhaver2").status_code == 200
    plan(api, raw["address"]["id"], "handhaver")
    assert api.get(url, as_="handhaver").status_code == 200
    assert len(api.get("/api/v1/inspections", as_="handhaver").json["items"]) == 1


def test_unknown_inspection_is_404(api: Api) -> None:
    response = api.get(f"/api/v1/inspections/{uuid.uuid4()}")
    assert response.status_code == 404
    assert response.json == {"error": "not_found", "message": "Inspectie niet gevonden."}
