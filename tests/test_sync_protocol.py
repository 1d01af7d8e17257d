"""Sync protocol v1 on the server, through the Flask app: push outcomes, seq rules, merge, scope."""

from __future__ import annotations

import gzip
import json
import uuid
from typing import Any

import pytest
from flask import Flask

from server import db as server_db
from server import store
from server import sync as server_sync
from server.db import get_db
from tests.conftest import Api, new_address
from tests.sync_fixtures import Device, inspection_at, put
from tests.test_api_bad_input import snapshot


@pytest.fixture
def device(api: Api, app: Flask) -> Device:
    return Device(api, app, "handhaver")


@pytest.fixture
def address(api: Api) -> dict[str, Any]:
    data = new_address(verified=False)
    assert api.post("/api/v1/addresses", json=data).status_code == 201
    return data


@pytest.fixture
def assignment(api: Api, address: dict[str, Any]) -> dict[str, Any]:
    body = {"address_id": address["id"], "inspector_id": api.users["handhaver"]["id"], "week": "2026-W48"}
    return api.post("/api/v1/assignments", json=body).json


def device_seq(app: Flask, device: Device) -> int:
    with app.app_context():
        return int(get_db().execute("SELECT last_seq FROM devices WHERE id = ?", [device.id]).fetchone()[0])


def test_submitted_inspection_is_applied_judged_and_finishes_the_assignment(
        api: Api, device: Device, address: dict[str, Any], assignment: dict[str, Any]) -> None:
    inspection = inspection_at(address["id"], assignment["id"])
    reply = device.push(put("inspection", inspection))
    assert reply.status_code == 200
    assert reply.json["last_seq"] == 1
    assert reply.json["results"] == [{"seq": 1, "status": "applied", "version": 1, "attachments_complete": True}]
    got = api.get(f"/api/v1/inspections/{inspection['id']}").json
    assert got["inspector_id"] == device.user["id"]
    assert {f["code"] for f in got["findings"]} >= {"BEZETTING_SLAAPKAMER", "ROOKMELDER"}
    assert api.get(f"/api/v1/assignments/{assignment['id']}").json["status"] == "done"
    assert api.get(f"/api/v1/addresses/{address['id']}").json["verified"] is True


def test_no_access_finishes_the_assignment_as_no_access(api: Api, device: Device, address: dict[str, Any],
                                                        assignment: dict[str, Any]) -> None:
    inspection = inspection_at(address["id"], assignment["id"], access="nobody_home", rooms=[], manual_findings=[])
    assert device.push(put("inspection", inspection)).json["results"][0]["status"] == "applied"
    assert api.get(f"/api/v1/assignments/{assignment['id']}").json["status"] == "no_access"
    assert api.get(f"/api/v1/addresses/{address['id']}").json["verified"] is False


def test_retried_push_changes_nothing_and_gets_the_first_answer(app: Flask, device: Device,
                                                                address: dict[str, Any]) -> None:
    mutation = {"seq": 1, "entity": "inspection", "op": "put", "base_version": None,
                "id": (i := inspection_at(address["id"], status="draft"))["id"], "data": i}
    first = device.push_raw({"protocol": 1, "mutations": [mutation]}).json
    before = snapshot(app)
    again = device.push_raw({"protocol": 1, "mutations": [mutation]}).json
    assert again["results"] == [{"seq": 1, "status": "duplicate", "version": 1, "original": first["results"][0]}]
    assert again["last_seq"] == 1
    assert snapshot(app) == before


def test_a_gap_gets_409_with_last_seq_and_changes_nothing(app: Flask, device: Device, address: dict[str, Any]) -> None:
    device.push(put("inspection", inspection_at(address["id"], status="draft")))
    before = snapshot(app)
    skipped = inspection_at(address["id"], status="draft")
    reply = device.push_raw({"protocol": 1, "mutations": [
        {"seq": 3, "entity": "inspection", "id": skipped["id"], "op": "put", "data": skipped}]})
    assert reply.status_code == 409
    assert reply.json["error"] == "seq_gap" and reply.json["last_seq"] == 1
    assert snapshot(app) == before
    resent = device.push_raw({"protocol": 1, "mutations": [
        {"seq": 2, "entity": "inspection", "id": skipped["id"], "op": "put", "data": skipped}]})
    assert resent.json["last_seq"] == 2


def test_a_rejection_never_blocks_the_queue(device: Device, address: dict[str, Any]) -> None:
    bad = inspection_at(address["id"], status="draft")
    bad["rooms"][0]["area_m2"] = -1
    good = inspection_at(address["id"], status="draft")
    reply = device.push(put("inspection", bad), put("inspection", good)).json
    assert reply["last_seq"] == 2
    rejected, applied = reply["results"]
    assert rejected["status"] == "rejected" and rejected["code"] == "invalid"
    assert "area_m2" in rejected["errors"]["rooms"]["0"]
    assert applied["status"] == "applied"


def traced(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Collect every SQL statement the app's connections run from now on."""
    statements: list[str] = []
    opened = server_db.connect

    def connect(*args: Any, **kwargs: Any) -> Any:
        db = opened(*args, **kwargs)
        db.conn.set_trace_callback(statements.append)
        return db
    monkeypatch.setattr(server_db, "connect", connect)
    return statements


def test_a_clean_batch_is_applied_without_a_savepoint_per_mutation(
        device: Device, address: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    statements = traced(monkeypatch)
    bad = inspection_at(address["id"])
    bad["rooms"][0]["area_m2"] = -1
    reply = device.push(*(put("inspection", inspection_at(address["id"])) for _ in range(3)), put("inspection", bad))
    assert [r["status"] for r in reply.json["results"]] == ["applied"] * 3 + ["rejected"]
    assert [s for s in statements if "SAVEPOINT" in s.upper()] == []


def _reject_after_writing(monkeypatch: pytest.MonkeyPatch, victim: str, handled: bool = False) -> None:
    """Make the submission of one inspection write rows and then fail, as a future check might."""
    finish = server_sync._after_submission

    def after_submission(db: Any, user: Any, inspection: dict[str, Any], address: Any, actor: str) -> None:
        finish(db, user, inspection, address, actor)
        if inspection["id"] != victim:
            return
        if not handled:
            store.put(db, "address", {**address, "notes": "half werk"}, actor=actor)
            raise server_sync.Rejected("invalid", "Afgewezen na het schrijven.")
        try:  # a handled failure inside a nested write: its rows must go, the mutation stays applied
            with server_db.write(db):
                store.put(db, "address", {**address, "notes": "half werk"}, actor=actor)
                raise RuntimeError("mislukt")
        except RuntimeError:
            pass
    monkeypatch.setattr(server_sync, "_after_submission", after_submission)


@pytest.mark.parametrize("handled", [False, True])
def test_a_failure_after_writes_is_undone_and_the_rest_applied_once(
        api: Api, app: Flask, device: Device, address: dict[str, Any], monkeypatch: pytest.MonkeyPatch,
        handled: bool) -> None:
    first, victim, last = (inspection_at(address["id"]) for _ in range(3))
    _reject_after_writing(monkeypatch, victim["id"], handled)
    statements = traced(monkeypatch)
    reply = device.push(put("inspection", first), put("inspection", victim), put("inspection", last)).json
    statuses = [r["status"] for r in reply["results"]]
    assert statuses == ["applied", "applied" if handled else "rejected", "applied"]
    assert any(s.upper().startswith("SAVEPOINT") for s in statements)  # the batch was applied again, guarded
    assert api.get(f"/api/v1/addresses/{address['id']}").json["notes"] != "half werk"
    with app.app_context():
        db = get_db()
        stored = {r["id"]: r["version"] for r in db.query("SELECT id, version FROM inspections")}
        changes = [r["record_id"] for r in db.query("SELECT record_id FROM changes WHERE entity = 'inspection'")]
        outcomes = [r["seq"] for r in db.query("SELECT seq FROM push_outcomes WHERE device_id = ?", [device.id])]
        audited = [json.loads(r["detail"]) for r in db.query("SELECT detail FROM audit_log WHERE action = 'push'")]
    expected = {first["id"]: 1, last["id"]: 1, **({victim["id"]: 1} if handled else {})}
    assert stored == expected
    assert sorted(changes) == sorted(expected)
    assert outcomes == [1, 2, 3]
    assert [a["seqs"] for a in audited] == [[1, 2, 3]]  # committed with the batch, once


@pytest.mark.parametrize(("mutation", "code"), [
    ({"entity": "assignment", "id": "x", "data": {}}, "forbidden"),
    ({"entity": "taart", "id": "x", "data": {}}, "invalid"),
    ({"entity": "inspection", "id": "x", "data": None}, "invalid"),
    ({"entity": "address", "id": "x", "op": "delete", "data": None}, "forbidden"),
])
def test_mutations_a_device_may_not_make_are_rejected(device: Device, mutation: dict[str, Any], code: str) -> None:
    result = device.push(mutation).json["results"][0]
    assert (result["status"], result["code"]) == ("rejected", code)


def test_submitted_inspection_never_changes_and_is_not_deleted(api: Api, device: Device,
                                                               address: dict[str, Any]) -> None:
    inspection = inspection_at(address["id"])
    device.push(put("inspection", inspection))
    changed = dict(inspection, notes="achteraf aangepast")
    results = device.push(put("inspection", changed, base_version=1),
                          {"entity": "inspection", "id": inspection["id"], "op": "delete", "data": None}).json
    assert [(r["status"], r["code"]) for r in results["results"]] == [("rejected", "inspection_submitted")] * 2
    assert api.get(f"/api/v1/inspections/{inspection['id']}").json["notes"] == inspection["notes"]


def test_a_correction_follows_a_submitted_inspection(api: Api, device: Device, address: dict[str, Any]) -> None:
    original = inspection_at(address["id"])
    device.push(put("inspection", original))
    correction = inspection_at(address["id"], corrects=original["id"], notes="Correctie: zolder is geen slaapkamer.")
    assert device.push(put("inspection", correction)).json["results"][0]["status"] == "applied"
    wrong = inspection_at(address["id"], corrects=str(uuid.uuid4()))
    assert "corrects" in device.push(put("inspection", wrong)).json["results"][0]["errors"]


def test_another_handhavers_inspection_is_forbidden(api: Api, app: Flask, address: dict[str, Any]) -> None:
    mine, theirs = Device(api, app, "handhaver"), Device(api, app, "handhaver2")
    draft = inspection_at(address["id"], status="draft")
    mine.push(put("inspection", draft))
    result = theirs.push(put("inspection", dict(draft, notes="overschreven"))).json["results"][0]
    assert (result["status"], result["code"]) == ("rejected", "forbidden")


def test_cancelled_assignment_completed_on_a_device_stays_done_with_a_conflict(
        api: Api, device: Device, address: dict[str, Any], assignment: dict[str, Any]) -> None:
    api.patch(f"/api/v1/assignments/{assignment['id']}", json={"status": "cancelled"})
    device.push(put("inspection", inspection_at(address["id"], assignment["id"])))
    assert api.get(f"/api/v1/assignments/{assignment['id']}").json["status"] == "done"
    conflicts = api.get("/api/v1/conflicts").json["items"]
    assert [(c["entity"], c["server_value"], c["device_value"]) for c in conflicts] == [
        ("assignment", "cancelled", "done")]


def test_address_fields_merge_and_a_clash_keeps_both_values(api: Api, app: Flask, address: dict[str, Any]) -> None:
    one, two = Device(api, app, "handhaver"), Device(api, app, "handhaver2")
    for user in ("handhaver", "handhaver2"):
        api.post("/api/v1/assignments", json={"address_id": address["id"], "week": "2026-W48",
                                              "inspector_id": api.users[user]["id"]})
    base = api.get(f"/api/v1/addresses/{address['id']}").json
    wire = {k: v for k, v in base.items() if k not in ("version", "created_at", "updated_at")}
    first = one.push(put("address", dict(wire, location_type="woonkern", notes="Bel aan achter"), base_version=1))
    assert first.json["results"][0] == {"seq": 1, "status": "applied", "version": 2}
    second = two.push(put("address", dict(wire, location_type="bedrijventerrein", floor_area_m2=77.5),
                          base_version=1)).json
    outcome = second["results"][0]
    assert outcome["status"] == "conflict" and outcome["fields"] == ["location_type"]
    current = api.get(f"/api/v1/addresses/{address['id']}").json
    assert (current["location_type"], current["notes"], current["floor_area_m2"]) == ("woonkern", "Bel aan achter",
                                                                                      77.5)
    conflicts = api.get("/api/v1/conflicts").json["items"]
    assert [(c["field"], c["server_value"], c["device_value"]) for c in conflicts] == [
        ("location_type", "woonkern", "bedrijventerrein")]
    assert api.get("/api/v1/conflicts", as_="handhaver").status_code == 403


def test_a_device_cannot_verify_an_address_or_change_brp_counts(api: Api, device: Device,
                                                                address: dict[str, Any]) -> None:
    base = api.get(f"/api/v1/addresses/{address['id']}").json
    wire = {k: v for k, v in base.items() if k not in ("version", "created_at", "updated_at")}
    device.push(put("address", dict(wire, verified=True, brp_registered=99), base_version=1))
    current = api.get(f"/api/v1/addresses/{address['id']}").json
    assert (current["verified"], current["brp_registered"]) == (False, 4)


def test_a_new_address_found_on_site_is_created_unverified(api: Api, device: Device) -> None:
    found = new_address(verified=True, postcode="1432 kd")
    assert device.push(put("address", found)).json["results"][0]["status"] == "applied"
    stored = api.get(f"/api/v1/addresses/{found['id']}").json
    assert (stored["verified"], stored["postcode"]) == (False, "1432KD")


BAD_PUSHES = [
    ({"protocol": 3, "mutations": []}, 426),
    ({"protocol": 0, "mutations": []}, 426),
    ({"protocol": True, "mutations": []}, 426),
    ({"protocol": "1", "mutations": []}, 426),
    ({"mutations": []}, 422),
    ({"protocol": 1}, 422),
    ({"protocol": 1, "mutations": [{"seq": 0, "entity": "inspection", "id": "x", "op": "put"}]}, 422),
    ({"protocol": 1, "mutations": [{"seq": 1, "entity": "inspection", "id": "x", "op": "upsert"}]}, 422),
    ({"protocol": 1, "mutations": [{"seq": "1", "entity": "inspection", "id": "x", "op": "put"}]}, 422),
    ({"protocol": 1, "mutations": [{"seq": 1, "entity": "inspection", "id": "x", "op": "put", "extra": 1}]}, 422),
    ({"protocol": 1, "mutations": "alles"}, 422),
    ({"protocol": 1, "mutations": [{"seq": 1, "entity": "a", "id": "x", "op": "put"}] * 2}, 400),
    ([], 400),
]


@pytest.mark.parametrize(("body", "status"), BAD_PUSHES)
def test_bad_push_gets_a_clear_4xx_and_changes_nothing(app: Flask, device: Device, body: Any, status: int) -> None:
    before = snapshot(app)
    reply = device.push_raw(body)
    assert reply.status_code == status
    assert reply.json["message"]
    assert snapshot(app) == before
    assert device_seq(app, device) == 0


def test_sync_needs_a_device_token(api: Api) -> None:
    assert api.post("/api/v1/sync/push", json={"protocol": 1, "mutations": []}).status_code == 403
    assert api.get("/api/v1/sync/pull").status_code == 403
    assert api.get("/api/v1/sync/pull", as_=None).status_code == 401


def test_push_accepts_gzip(device: Device, address: dict[str, Any]) -> None:
    body = {"protocol": 1, "mutations": [{"seq": 1, "entity": "inspection", "op": "put",
                                          "id": (i := inspection_at(address["id"]))["id"], "data": i}]}
    reply = device.api.post("/api/v1/sync/push", as_=None, data=gzip.compress(json.dumps(body).encode()),
                            content_type="application/json",
                            headers={**device.headers, "Content-Encoding": "gzip"})
    assert reply.json["results"][0]["status"] == "applied"


# --- pull -----------------------------------------------------------------------

def test_pull_brings_norm_sets_and_only_the_users_scope(api: Api, app: Flask, address: dict[str, Any],
                                                        assignment: dict[str, Any]) -> None:
    other = new_address(huisnummer=99)
    api.post("/api/v1/addresses", json=other)
    api.post("/api/v1/assignments", json={"address_id": other["id"], "week": "2026-W48",
                                          "inspector_id": api.users["handhaver2"]["id"]})
    mine = Device(api, app, "handhaver").pull_all()
    kinds = {(c["entity"], c["id"]) for c in mine}
    assert ("norm_set", "aalsmeer@1") in kinds
    assert ("address", address["id"]) in kinds and ("assignment", assignment["id"]) in kinds
    assert ("address", other["id"]) not in kinds
    norm_set = next(c for c in mine if c["entity"] == "norm_set")
    assert norm_set["data"]["rules"]["BEZETTING_SLAAPKAMER"]["params"]["max_per_bedroom"]["value"] == 2
    assert len({(c["entity"], c["id"]) for c in mine}) == len(mine), "at most one entry per record"


def test_pull_pages_resume_at_the_cursor(api: Api, app: Flask) -> None:
    for i in range(7):
        a = new_address(huisnummer=i + 1)
        api.post("/api/v1/addresses", json=a)
        api.post("/api/v1/assignments", json={"address_id": a["id"], "week": "2026-W48",
                                              "inspector_id": api.users["handhaver"]["id"]})
    device = Device(api, app, "handhaver")
    paged = device.pull_all(limit=3)
    assert len(paged) == 2 + 7 + 7 + 7  # the norm sets, 7 addresses, their assignments, their register entries
    assert len({(c["entity"], c["id"]) for c in paged}) == len(paged)
    assert device.pull_all() == []


def test_address_entering_scope_arrives_even_if_older_than_the_cursor(api: Api, app: Flask) -> None:
    old = new_address()
    api.post("/api/v1/addresses", json=old)
    device = Device(api, app, "handhaver")
    assert {c["entity"] for c in device.pull_all()} == {"norm_set", "register"}
    api.post("/api/v1/assignments", json={"address_id": old["id"], "week": "2026-W48",
                                          "inspector_id": api.users["handhaver"]["id"]})
    assert {c["entity"] for c in device.pull_all()} == {"address", "assignment"}


def test_reassigned_address_is_evicted_from_the_old_user(api: Api, app: Flask, address: dict[str, Any],
                                                         assignment: dict[str, Any]) -> None:
    old, new = Device(api, app, "handhaver"), Device(api, app, "handhaver2")
    old.pull_all()
    new.pull_all()
    api.patch(f"/api/v1/assignments/{assignment['id']}", json={"inspector_id": api.users["handhaver2"]["id"]})
    assert {"entity": "address", "id": address["id"], "version": None, "op": "evict", "data": None} in old.pull_all()
    arrived = {(c["entity"], c["id"], c["op"]) for c in new.pull_all()}
    assert ("address", address["id"], "put") in arrived and ("assignment", assignment["id"], "put") in arrived


@pytest.mark.parametrize("cursor", ["onzin", "djI6MTA", "djE6OTk5OTk"])
def test_unknown_cursor_resets(device: Device, cursor: str) -> None:
    page = device.api.get(f"/api/v1/sync/pull?cursor={cursor}", as_=None, headers=device.headers).json
    assert page["reset"] is True
    assert any(c["entity"] == "norm_set" for c in page["changes"])


@pytest.mark.parametrize("query", ["limit=0", "limit=1001", "limit=veel", "protocol=abc", "x=1"])
def test_bad_pull_queries_get_422(device: Device, query: str) -> None:
    reply = device.api.get(f"/api/v1/sync/pull?{query}", as_=None, headers=device.headers)
    assert reply.status_code == 422


def test_unknown_protocol_on_pull_gets_426(device: Device) -> None:
    reply = device.api.get("/api/v1/sync/pull?protocol=3", as_=None, headers=device.headers)
    assert reply.status_code == 426
    assert "werk de app bij" in reply.json["message"]


def test_pull_answers_gzip_when_asked(device: Device) -> None:
    reply = device.api.get("/api/v1/sync/pull", as_=None, headers={**device.headers, "Accept-Encoding": "gzip"})
    assert reply.headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(reply.data))["changes"]
