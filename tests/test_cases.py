"""Cases: opened from an inspection or melding, LHS assessment, lifecycle with illegal steps refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask

from server.db import get_db
from tests.conftest import Api, example
from tests.test_api_assignments_inspections import store_inspection
from tests.test_api_bad_input import snapshot


@pytest.fixture
def inspection(api: Api, app: Flask) -> dict[str, Any]:
    raw = example("overbewoond.json")
    api.post("/api/v1/addresses", json=raw["address"])
    return store_inspection(app, raw["inspection"], api.users["handhaver"]["id"])


@pytest.fixture
def case(api: Api, inspection: dict[str, Any]) -> dict[str, Any]:
    response = api.post("/api/v1/cases", json={"inspection_id": inspection["id"]})
    assert response.status_code == 201, response.json
    return response.json


def test_case_from_an_inspection_takes_its_lasten_and_a_number(case: dict[str, Any]) -> None:
    year = dt.date.today().year
    assert case["number"] == f"HH-{year}-0001"
    codes = [last["code"] for last in case["lasten"]]
    assert codes == ["ROOKMELDER", "VLUCHTWEG", "HUURCONTRACT"], "one last per violated rule with a voorschrift"
    assert "BEZETTING_SLAAPKAMER" in {s["code"] for s in case["signalen"]}, "no voorschrift: a signal, not a last"
    assert "BRP_SIGNAAL" not in codes
    assert case["impact"] == {"class": 4, "from_findings": 4}
    assert case["status"] == "open" and case["status_label"] == "Geopend"
    assert [e["action"] for e in case["timeline"]] == ["geopend"]
    assert case["timeline"][0]["user_name"] == "teamleider"


def test_numbers_count_up_and_one_open_case_per_inspection(api: Api, case: dict[str, Any],
                                                            inspection: dict[str, Any]) -> None:
    again = api.post("/api/v1/cases", json={"inspection_id": inspection["id"]})
    assert again.status_code == 409
    melding = api.post("/api/v1/cases", json={"address_id": inspection["address_id"],
                                              "melding": "Buren melden 12 bewoners."})
    assert melding.status_code == 201
    assert melding.json["number"].endswith("-0002")
    assert melding.json["violations"] == []


@pytest.mark.parametrize(("body", "status"), [
    ({}, 422), ({"melding": "zonder adres"}, 422), ({"inspection_id": "6f1c2a8e-4b7d-4c1e-9a51-1d2b3c4d5eff"}, 422),
    ({"inspection_id": "niet-een-id"}, 422), ({"bsn": "1"}, 422),
])
def test_bad_case_requests(api: Api, app: Flask, body: dict[str, Any], status: int) -> None:
    before = snapshot(app)
    assert api.post("/api/v1/cases", json=body).status_code == status
    assert snapshot(app) == before


def test_only_a_teamleider_opens_assesses_and_steps(api: Api, inspection: dict[str, Any]) -> None:
    for role in ("handhaver", "beheerder"):
        assert api.post("/api/v1/cases", json={"inspection_id": inspection["id"]}, as_=role).status_code == 403
    case = api.post("/api/v1/cases", json={"inspection_id": inspection["id"]}).json
    body = {"behaviour": "B", "behaviour_reason": "Eerder gewaarschuwd."}
    assert api.post(f"/api/v1/cases/{case['id']}/assessment", json=body, as_="handhaver").status_code == 403
    assert api.post(f"/api/v1/cases/{case['id']}/transitions", json={"action": "ingetrokken", "reason": "x"},
                    as_="handhaver").status_code == 403


def test_handhaver_reads_cases_at_his_addresses_only(api: Api, case: dict[str, Any]) -> None:
    assert api.get(f"/api/v1/cases/{case['id']}", as_="handhaver").status_code == 200
    assert api.get(f"/api/v1/cases/{case['id']}", as_="handhaver2").status_code == 404
    assert api.get("/api/v1/cases", as_="handhaver2").json["items"] == []
    assert [c["id"] for c in api.get("/api/v1/cases?status=open").json["items"]] == [case["id"]]


def test_assessment_suggests_from_the_matrix_per_last_and_needs_reasons_to_deviate(api: Api,
                                                                                  case: dict[str, Any]) -> None:
    url = f"/api/v1/cases/{case['id']}/assessment"
    assessed = api.post(url, json={"behaviour": "A", "behaviour_reason": "Eerste keer, werkt mee."}).json
    cells = {last["code"]: last["assessment"]["suggested"] for last in assessed["lasten"]}
    assert cells == {"ROOKMELDER": "last_onder_dwangsom", "VLUCHTWEG": "last_onder_dwangsom",
                     "HUURCONTRACT": "waarschuwing"}, "each last in its own cell: impact 4, 4 and 2 with behaviour A"
    refused = api.post(url, json={"behaviour": "A", "behaviour_reason": "x", "chosen": "waarschuwing"})
    assert refused.status_code == 422 and "chosen_reason" in refused.json["errors"]
    refused = api.post(url, json={"behaviour": "A", "behaviour_reason": "x", "impact": 2, "codes": ["ROOKMELDER"]})
    assert refused.status_code == 422 and "impact_reason" in refused.json["errors"]
    reason = "Rookmelders ter plekke opgehangen."
    lowered = api.post(url, json={"behaviour": "A", "behaviour_reason": "x", "impact": 2, "impact_reason": reason,
                                  "codes": ["ROOKMELDER"]}).json
    rook = next(last for last in lowered["lasten"] if last["code"] == "ROOKMELDER")
    assert (rook["assessment"]["impact"], rook["assessment"]["impact_reason"]) == (2, reason)
    assert rook["assessment"]["suggested"] == "waarschuwing"
    assert next(last for last in lowered["lasten"] if last["code"] == "VLUCHTWEG")["assessment"]["impact"] == 4
    assert api.post(url, json={"behaviour": "A", "behaviour_reason": "x", "codes": ["OVERBEWONING"]}
                    ).status_code == 422, "a signal is not assessed for a sanction"
    assert [e["action"] for e in lowered["timeline"]] == ["geopend", "beoordeeld", "beoordeeld"]


@pytest.mark.parametrize("action", ["besluit_verzonden", "verbeurd", "invordering_verzonden", "dwangsom_betaald",
                                    "hersteld", "zienswijze_ontvangen", "wgv_nog_aanwezig", "boete_betaald",
                                    "afgesloten"])
def test_illegal_transitions_are_refused_and_change_nothing(api: Api, app: Flask, case: dict[str, Any],
                                                            action: str) -> None:
    before = snapshot(app)
    with app.app_context():
        events = get_db().execute("SELECT count(*) FROM case_events").fetchone()[0]
    response = api.post(f"/api/v1/cases/{case['id']}/transitions", json={"action": action, "code": "ROOKMELDER"})
    assert response.status_code == 409
    assert any(word in response.json["message"] for word in ("kan niet", "brief", "kan pas", "hoort bij", "lopen"))
    assert snapshot(app) == before
    with app.app_context():
        assert get_db().execute("SELECT count(*) FROM case_events").fetchone()[0] == events


def test_document_steps_need_a_sent_letter(api: Api, case: dict[str, Any]) -> None:
    response = api.post(f"/api/v1/cases/{case['id']}/transitions", json={"action": "voornemen_verzonden"})
    assert response.status_code == 409
    assert "brief" in response.json["message"]


def test_withdrawing_needs_a_reason_and_closes_for_good(api: Api, case: dict[str, Any]) -> None:
    url = f"/api/v1/cases/{case['id']}/transitions"
    assert api.post(url, json={"action": "ingetrokken"}).status_code == 422
    closed = api.post(url, json={"action": "ingetrokken", "reason": "Verkeerd adres."}).json
    assert (closed["status"], closed["result"]) == ("afgesloten", "ingetrokken")
    assert api.post(url, json={"action": "ingetrokken", "reason": "nogmaals"}).status_code == 409
    assert closed["allowed_actions"] == []


def test_unknown_case_and_bad_step_body(api: Api, case: dict[str, Any]) -> None:
    assert api.get("/api/v1/cases/6f1c2a8e-4b7d-4c1e-9a51-1d2b3c4d5eff").status_code == 404
    bad = api.post(f"/api/v1/cases/{case['id']}/transitions", json={"action": "opblazen"})
    assert bad.status_code == 422
