"""What a handhaver, his tablet or a guesser could get at before: reads, writes and retries held to scope."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from flask import Flask

from server import scope
from server.db import get_db
from tests.conftest import Api, new_address
from tests.sync_fixtures import Device, inspection_at, put
from tests.test_api_bad_input import snapshot


@pytest.fixture
def address(api: Api) -> dict[str, Any]:
    data = new_address(verified=False)
    assert api.post("/api/v1/addresses", json=data).status_code == 201
    return data


def assign(api: Api, address_id: str, user: str = "handhaver") -> dict[str, Any]:
    body = {"address_id": address_id, "inspector_id": api.users[user]["id"], "week": "2026-W48"}
    response = api.post("/api/v1/assignments", json=body)
    assert response.status_code == 201, response.json
    return dict(response.json)


@pytest.fixture
def theirs(api: Api, app: Flask, address: dict[str, Any]) -> dict[str, Any]:
    """A submitted inspection of handhaver2 at his assigned address, with a case opened from it."""
    assignment = assign(api, address["id"], "handhaver2")
    other = Device(api, app, "handhaver2")
    inspection = inspection_at(address["id"], assignment["id"])
    assert other.push(put("inspection", inspection)).json["results"][0]["status"] == "applied"
    case = api.post("/api/v1/cases", json={"inspection_id": inspection["id"]}).json
    return {"inspection": inspection, "case": case}


def test_pushing_a_draft_at_an_address_grants_no_read_of_others_records_there(
        api: Api, app: Flask, address: dict[str, Any], theirs: dict[str, Any]) -> None:
    mine = Device(api, app, "handhaver")
    draft = inspection_at(address["id"], status="draft")
    assert mine.push(put("inspection", draft)).json["results"][0]["status"] == "applied"  # the register allows it
    inspection_id, case_id = theirs["inspection"]["id"], theirs["case"]["id"]
    assert api.get(f"/api/v1/inspections/{inspection_id}", as_="handhaver").status_code == 404
    assert api.get(f"/api/v1/cases/{case_id}", as_="handhaver").status_code == 404
    listed = api.get(f"/api/v1/inspections?address_id={address['id']}", as_="handhaver").json["items"]
    assert [i["id"] for i in listed] == [draft["id"]]  # his own draft, nothing of the other officer
    assert api.get("/api/v1/cases", as_="handhaver").json["items"] == []
    assert all(c["entity"] != "inspection" or c["id"] != inspection_id for c in mine.pull_all())
    # His own inspection he reads always.
    assert api.get(f"/api/v1/inspections/{draft['id']}", as_="handhaver").status_code == 200


def test_an_assignment_opens_the_address_and_its_records(api: Api, address: dict[str, Any],
                                                          theirs: dict[str, Any]) -> None:
    assign(api, address["id"])
    assert api.get(f"/api/v1/inspections/{theirs['inspection']['id']}", as_="handhaver").status_code == 200
    assert api.get(f"/api/v1/cases/{theirs['case']['id']}", as_="handhaver").status_code == 200


def test_a_tablet_changes_only_addresses_in_its_users_scope(api: Api, app: Flask, address: dict[str, Any]) -> None:
    device = Device(api, app, "handhaver")
    base = api.get(f"/api/v1/addresses/{address['id']}").json
    wire = {k: v for k, v in base.items() if k not in ("version", "created_at", "updated_at")}
    before = snapshot(app, ("addresses", "history", "conflicts"))
    result = device.push(put("address", dict(wire, landlord="Kaper B.V.", notes="Niets aan de hand"),
                             base_version=1)).json["results"][0]
    assert (result["status"], result["code"]) == ("rejected", "forbidden")
    assert snapshot(app, ("addresses", "history", "conflicts")) == before
    assign(api, address["id"])
    result = device.push(put("address", dict(wire, notes="Bel aan achter"), base_version=1)).json["results"][0]
    assert result["status"] == "applied"
    assert api.get(f"/api/v1/addresses/{address['id']}").json["notes"] == "Bel aan achter"


def test_a_tablet_cannot_correct_another_officers_submitted_inspection(
        api: Api, app: Flask, address: dict[str, Any], theirs: dict[str, Any]) -> None:
    device = Device(api, app, "handhaver")
    correction = inspection_at(address["id"], corrects=theirs["inspection"]["id"], notes="Overschreven.")
    result = device.push(put("inspection", correction)).json["results"][0]
    assert (result["status"], result["code"]) == ("rejected", "forbidden")
    assert api.get(f"/api/v1/inspections/{correction['id']}").status_code == 404


def test_a_reused_seq_with_other_content_changes_nothing_and_says_seq_reused(
        api: Api, app: Flask, address: dict[str, Any]) -> None:
    device = Device(api, app, "handhaver")
    first = inspection_at(address["id"], status="draft")
    device.push(put("inspection", first))
    before = snapshot(app)
    other = inspection_at(address["id"], status="draft")  # a cloned tablet's own seq 1
    clone = device.push_raw({"protocol": 1, "mutations": [
        {"seq": 1, "entity": "inspection", "id": other["id"], "op": "put", "data": other},
        {"seq": 2, "entity": "inspection", "id": other["id"], "op": "put", "data": other}]})
    assert clone.status_code == 409
    assert clone.json["error"] == "seq_reused" and "beheerder" in clone.json["message"]
    assert snapshot(app) == before
    same = device.push_raw({"protocol": 1, "mutations": [
        {"seq": 1, "entity": "inspection", "id": first["id"], "op": "put", "data": first}]})
    assert same.json["results"][0]["status"] == "duplicate"  # a true retry still is one


def test_a_new_address_that_exists_is_refused_with_the_existing_id(api: Api, app: Flask,
                                                                   address: dict[str, Any]) -> None:
    device = Device(api, app, "handhaver")
    by_bag = new_address(bag_id=address["bag_id"], huisnummer=7)
    by_number = new_address(bag_id=None, postcode=address["postcode"].replace(" ", "").lower(),
                            huisnummer=address["huisnummer"], huisletter=address.get("huisletter"),
                            toevoeging=address.get("toevoeging"))
    elsewhere = new_address(bag_id=None, huisnummer=address["huisnummer"], toevoeging="2")
    before = snapshot(app, ("addresses",))
    results = device.push(put("address", by_bag), put("address", by_number)).json["results"]
    assert [(r["code"], r["existing_id"]) for r in results] == [("address_exists", address["id"])] * 2
    assert snapshot(app, ("addresses",)) == before
    assert device.push(put("address", elsewhere)).json["results"][0]["status"] == "applied"


def test_the_address_register_reaches_every_tablet_and_stays_current(api: Api, app: Flask,
                                                                     address: dict[str, Any]) -> None:
    device = Device(api, app, "handhaver")  # no assignment: the register is everyone's
    register = [c for c in device.pull_all() if c["entity"] == "register"]
    assert register == [{"entity": "register", "id": address["id"], "version": 1, "op": "put", "data": {
        "id": address["id"], "postcode": "1432KD", "huisnummer": address["huisnummer"],
        "huisletter": address["huisletter"].upper() if address["huisletter"] else None,
        "toevoeging": address["toevoeging"], "straat": address["straat"], "woonplaats": address["woonplaats"],
        "bag_id": address["bag_id"], "gemeentecode": address["gemeentecode"]}}]
    assert "notes" not in register[0]["data"] and "landlord" not in register[0]["data"]
    api.patch(f"/api/v1/addresses/{address['id']}", json={"straat": "Nieuwe Straat"})
    changed = [c for c in device.pull_all() if c["entity"] == "register"]
    assert [(c["data"]["straat"], c["version"]) for c in changed] == [("Nieuwe Straat", 2)]


def test_a_device_token_carries_no_rest_rights_beyond_sync_and_photos(api: Api, app: Flask,
                                                                     address: dict[str, Any]) -> None:
    lead_tablet = Device(api, app, "teamleider")
    headers = lead_tablet.headers
    for method, url, body in [("GET", "/api/v1/assignments", None), ("GET", f"/api/v1/addresses/{address['id']}", None),
                              ("POST", "/api/v1/cases", {"address_id": address["id"], "melding": "x"}),
                              ("GET", "/api/v1/conflicts", None)]:
        response = api.call(method, url, as_=None, headers=headers, json=body)
        assert response.status_code == 403, url
        assert "tablet" in response.json["message"]
    assert api.get("/api/v1/sync/pull", as_=None, headers=headers).status_code == 200


def test_a_finished_assignment_keeps_its_address_for_scope_days_then_evicts_it(
        api: Api, app: Flask, address: dict[str, Any]) -> None:
    assignment = assign(api, address["id"])
    device = Device(api, app, "handhaver")
    inspection = inspection_at(address["id"], assignment["id"])
    device.push(put("inspection", inspection))
    other = inspection_at(address["id"], status="draft")
    Device(api, app, "handhaver2").push(put("inspection", other))
    assert api.get(f"/api/v1/assignments/{assignment['id']}").json["status"] == "done"
    url = f"/api/v1/inspections?address_id={address['id']}"
    assert {i["id"] for i in api.get(url, as_="handhaver").json["items"]} == {inspection["id"], other["id"]}
    device.pull_all()
    with app.app_context():  # the visit was 91 days ago
        long_ago = (dt.datetime.now(dt.UTC) - dt.timedelta(days=91)).isoformat()
        db = get_db()
        db.execute("UPDATE assignments SET updated_at = ? WHERE id = ?", [long_ago, assignment["id"]])
        db.execute("DELETE FROM scope_sweeps")
        db.conn.commit()
    assert [i["id"] for i in api.get(url, as_="handhaver").json["items"]] == [inspection["id"]]  # only his own
    assert api.get(f"/api/v1/inspections/{other['id']}", as_="handhaver").status_code == 404
    changes = device.pull_all()
    assert {"entity": "address", "id": address["id"], "version": None, "op": "evict", "data": None} in changes
    with app.app_context():
        assert scope.sweep(get_db(), device.user["id"]) == 0  # once, not at every pull


def test_a_personal_token_records_when_and_from_where_it_was_last_used(api: Api, app: Flask) -> None:
    assert api.get("/api/v1/assignments").status_code == 200
    with app.app_context():
        row = get_db().execute("SELECT last_used_at, last_used_from FROM api_tokens t JOIN users u ON "
                               "u.id = t.user_id WHERE u.name = 'teamleider'").fetchone()
    assert row[0] is not None and row[1] == "127.0.0.1"


def test_token_guesses_from_one_address_get_429_after_the_free_ones_and_are_logged_once(
        api: Api, app: Flask) -> None:
    free = app.config["AUTH_FREE_FAILURES"]
    answers = [api.get("/api/v1/assignments", as_=None, headers={"Authorization": f"Bearer wtu_fout{i}"})
               for i in range(free + 3)]
    assert [a.status_code for a in answers[:free]] == [401] * free
    assert answers[free].status_code == 429
    assert "opnieuw" in answers[free].json["message"] and answers[free].json["retry_after"] >= 1
    assert answers[free].headers["Retry-After"] == str(answers[free].json["retry_after"])
    # Blocked means blocked: the right token waits too, until the delay is over.
    assert api.get("/api/v1/assignments").status_code == 429
    with app.app_context():
        logged = [json.loads(r[0]) for r in get_db().execute(
            "SELECT detail FROM audit_log WHERE action = 'auth_throttled'")]
    assert logged == [{"key": "addr:127.0.0.1"}]


def test_enrolment_code_guesses_are_slowed_down_per_address(api: Api, app: Flask) -> None:
    free = app.config["AUTH_FREE_FAILURES"]
    statuses = [api.post("/api/v1/devices/enroll", as_=None, json={"code": f"AAAA-BBBB-{i:04d}", "label": "x"})
                .status_code for i in range(free + 1)]
    assert statuses == [403] * free + [429]


def audit_rows(app: Flask, action: str) -> list[dict[str, Any]]:
    with app.app_context():
        found = [dict(r) for r in get_db().query("SELECT * FROM audit_log WHERE action = ? ORDER BY id", [action])]
    for r in found:
        r["detail"] = json.loads(r["detail"]) if r["detail"] else None
    return found


def test_a_list_read_audits_the_ids_it_returned(api: Api, app: Flask, address: dict[str, Any]) -> None:
    other = new_address(huisnummer=9)
    api.post("/api/v1/addresses", json=other)
    listed = api.get("/api/v1/addresses?limit=1").json["items"]
    entry = audit_rows(app, "list")[-1]
    assert entry["entity"] == "address"
    assert entry["detail"]["ids"] == [a["id"] for a in listed] and len(listed) == 1


def test_a_denied_read_is_audited(api: Api, app: Flask, address: dict[str, Any], theirs: dict[str, Any]) -> None:
    inspection_id, case_id = theirs["inspection"]["id"], theirs["case"]["id"]
    assert api.get(f"/api/v1/inspections/{inspection_id}", as_="handhaver").status_code == 404
    assert api.get(f"/api/v1/cases/{case_id}", as_="handhaver").status_code == 404
    denied = [(r["entity"], r["record_id"], r["user_id"]) for r in audit_rows(app, "read_denied")]
    who = api.users["handhaver"]["id"]
    assert denied == [("inspection", inspection_id, who), ("case", case_id, who)]


def test_behind_a_proxy_a_client_cannot_pick_its_own_address_to_escape_the_throttle(api: Api, app: Flask) -> None:
    app.config["TRUST_PROXY"] = True
    free = app.config["AUTH_FREE_FAILURES"]
    statuses = [api.get("/api/v1/assignments", as_=None, headers={
        "Authorization": f"Bearer wtu_fout{i}", "X-Forwarded-For": f"10.0.{i}.1, 203.0.113.7"}).status_code
        for i in range(free + 2)]
    assert statuses[free:] == [429, 429], "the proxy's hop (the last) counts, not what the client wrote"
    with app.app_context():
        where = get_db().execute("SELECT remote_addr FROM audit_log WHERE action = 'auth_throttled'").fetchone()[0]
    assert where == "203.0.113.7"
