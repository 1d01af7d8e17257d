"""Parties and their roles at addresses: the REST API by role, the envelope address block, the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask

from server.db import get_db, rows
from server.parties import address_block, employer_role, guess_kind, postal_complete
from tests.conftest import Api, new_address
from tests.documents_world import LANDLORD
from tests.sync_fixtures import Device
from tests.test_api_bad_input import snapshot


@pytest.fixture
def address(api: Api) -> dict[str, Any]:
    data = new_address()
    assert api.post("/api/v1/addresses", json=data).status_code == 201
    return data


@pytest.fixture
def party(api: Api) -> dict[str, Any]:
    made = api.post("/api/v1/parties", json=LANDLORD)
    assert made.status_code == 201, made.json
    return dict(made.json)


def test_a_party_is_created_read_and_changed_with_if_match(api: Api, party: dict[str, Any]) -> None:
    assert party["version"] == 1 and party["postal_address"]["postcode"] == "1431ZZ"
    assert party["postal_address"]["huisletter"] == "A" and party["postal_address"]["land"] == "Nederland"
    assert api.get(f"/api/v1/parties/{party['id']}").json == party
    stale = api.patch(f"/api/v1/parties/{party['id']}", json={"email": "post@voorbeeld.invalid"},
                      headers={"If-Match": "7"})
    assert stale.status_code == 409 and stale.json["current"]["version"] == 1
    changed = api.patch(f"/api/v1/parties/{party['id']}", json={"email": "post@voorbeeld.invalid"},
                        headers={"If-Match": "1"})
    assert changed.status_code == 200 and changed.json["version"] == 2
    assert changed.json["email"] == "post@voorbeeld.invalid" and changed.json["kvk"] == "00000358"


@pytest.mark.parametrize(("body", "field", "fragment"), [
    ({**LANDLORD, "kvk": "1234567"}, "kvk", "8 cijfers"),
    ({**LANDLORD, "kind": "natuurlijk_persoon"}, "kvk", "Alleen een rechtspersoon"),
    ({**LANDLORD, "kind": "bedrijf"}, "kind", "rechtspersoon"),
    ({**LANDLORD, "name": " "}, "name", "leeg"),
    ({**LANDLORD, "email": "geen-adres"}, "email", "e-mailadres"),
    ({**LANDLORD, "postal_address": {**LANDLORD["postal_address"], "postcode": "1431 SS"}}, "postal_address",
     "SS"),
    ({**LANDLORD, "postal_address": {"straat": "Weg", "huisnummer": 0}}, "postal_address", "minstens 1"),
    ({**LANDLORD, "landlord": "x"}, "landlord", "Onbekend veld"),
])
def test_a_bad_party_gets_422_at_its_field_and_stores_nothing(api: Api, app: Flask, body: dict[str, Any],
                                                             field: str, fragment: str) -> None:
    before = snapshot(app, ("parties", "history"))
    answer = api.post("/api/v1/parties", json=body)
    assert answer.status_code == 422
    assert fragment in str(answer.json["errors"][field])
    assert snapshot(app, ("parties", "history")) == before


def test_a_foreign_postal_address_keeps_its_own_postcode_and_names_its_land() -> None:
    party = {"name": "J. de Voorbeeld", "postal_address": {"straat": "Voorbeeldstraße", "huisnummer": 4,
                                                           "postcode": "40210", "woonplaats": "Düsseldorf",
                                                           "land": "Duitsland"}}
    assert postal_complete(party)
    assert address_block(party) == ["J. de Voorbeeld", "Voorbeeldstraße 4", "40210  DÜSSELDORF", "DUITSLAND"]


def test_the_address_block_is_in_window_envelope_form() -> None:
    party = {"name": "Voorbeeld Verhuur B.V.", "postal_address": {
        "straat": "Voorbeeldweg", "huisnummer": 12, "huisletter": "A", "toevoeging": "2", "postcode": "1431AB",
        "woonplaats": "Aalsmeer", "land": "Nederland"}}
    assert address_block(party) == ["Voorbeeld Verhuur B.V.", "Voorbeeldweg 12A-2", "1431 AB  AALSMEER"]


@pytest.mark.parametrize(("postal", "complete"), [
    ({"straat": "Voorbeeldweg", "huisnummer": 1, "postcode": "1431AB", "woonplaats": "Aalsmeer"}, True),
    ({"straat": "Voorbeeldweg", "huisnummer": 1, "postcode": None, "woonplaats": "Aalsmeer"}, False),
    ({"straat": "Voorbeeldweg", "huisnummer": None, "postcode": "1431AB", "woonplaats": "Aalsmeer"}, False),
    ({"straat": None, "huisnummer": 1, "postcode": "1431AB", "woonplaats": "Aalsmeer"}, False),
    ({"straat": "Rue X 3", "woonplaats": "Lyon", "land": "Frankrijk"}, True),
    (None, False),
])
def test_a_postal_address_is_complete_only_with_everything_a_letter_needs(postal: Any, complete: bool) -> None:
    assert postal_complete({"name": "Iemand", "postal_address": postal}) is complete


@pytest.mark.parametrize(("name", "kind"), [
    ("Voorbeeld Vastgoed B.V.", "rechtspersoon"), ("Polder BV", "rechtspersoon"), ("Bouw N.V.", "rechtspersoon"),
    ("Gebr. Voorbeeld V.O.F.", "rechtspersoon"), ("Stichting Huisvesting Voorbeeld", "rechtspersoon"),
    ("Particulier", "natuurlijk_persoon"), ("J. de Voorbeeld", "natuurlijk_persoon"),
    ("Bevers", "natuurlijk_persoon"),
])
def test_the_kind_of_a_migrated_name_is_guessed_from_its_legal_form(name: str, kind: str) -> None:
    assert guess_kind(name) == kind


def test_an_employer_that_is_an_agency_is_guessed_so() -> None:
    assert employer_role("Flex Voorbeeld B.V.") == "uitzendbureau"
    assert employer_role("Tuinbouw Uitzend B.V.") == "uitzendbureau"
    assert employer_role("Kwekerij De Voorbeeldhoek B.V.") == "werkgever"


def test_a_link_holds_from_its_start_until_its_end_and_is_ended_never_deleted(
        api: Api, app: Flask, address: dict[str, Any], party: dict[str, Any]) -> None:
    url = f"/api/v1/addresses/{address['id']}/parties"
    made = api.post(url, json={"party_id": party["id"], "role": "verhuurder", "from": "2024-01-01"})
    assert made.status_code == 201, made.json
    assert made.json["active"] is True and made.json["party"]["name"] == party["name"]
    again = api.post(url, json={"party_id": party["id"], "role": "verhuurder", "from": "2025-06-01"})
    assert again.status_code == 409, "the same role holds already"
    future = api.post(url, json={"party_id": party["id"], "role": "eigenaar", "from": "2099-01-01"})
    assert future.status_code == 201 and future.json["active"] is False
    ended = api.patch(f"{url}/{made.json['id']}", json={"until": "2025-01-01"})
    assert ended.status_code == 200 and ended.json["until"] == "2025-01-01" and ended.json["active"] is False
    assert api.patch(f"{url}/{made.json['id']}", json={"until": "2023-01-01"}).status_code == 422
    assert api.delete(f"{url}/{future.json['id']}").json["until"] == "2099-01-01", "withdrawn: it never held"
    current = api.post(url, json={"party_id": party["id"], "role": "beheerder"}).json
    assert api.delete(f"{url}/{current['id']}").json["until"] == dt.date.today().isoformat()
    listed = api.get(url).json["items"]
    assert [(link["role"], link["until"], link["active"]) for link in listed] == [
        ("verhuurder", "2025-01-01", False), ("eigenaar", "2099-01-01", False),
        ("beheerder", dt.date.today().isoformat(), False)]
    with app.app_context(), pytest.raises(Exception, match="never deleted"):
        get_db().execute("DELETE FROM address_parties")


@pytest.mark.parametrize(("body", "status"), [
    ({"role": "verhuurder"}, 422), ({"party_id": "00000000-0000-4000-8000-000000000000", "role": "verhuurder"}, 422),
    ({"party_id": None, "role": "huurder"}, 422), ("[]", 400),
])
def test_a_bad_link_is_refused(api: Api, address: dict[str, Any], body: Any, status: int) -> None:
    url = f"/api/v1/addresses/{address['id']}/parties"
    answer = api.post(url, data=body, content_type="application/json") if isinstance(body, str) else \
        api.post(url, json=body)
    assert answer.status_code == status


def test_search_by_name_or_kvk(api: Api, party: dict[str, Any]) -> None:
    api.post("/api/v1/parties", json={"kind": "natuurlijk_persoon", "name": "Mevrouw 100%_Voorbeeld"})
    assert [p["id"] for p in api.get("/api/v1/parties?name=verhuur").json["items"]] == [party["id"]]
    assert [p["name"] for p in api.get("/api/v1/parties?name=100%25_").json["items"]] == ["Mevrouw 100%_Voorbeeld"]
    assert [p["id"] for p in api.get("/api/v1/parties?kvk=00000358").json["items"]] == [party["id"]]
    assert api.get("/api/v1/parties?kvk=123").status_code == 422
    assert len(api.get("/api/v1/parties?limit=1").json["items"]) == 1


def test_a_handhaver_reads_the_parties_of_his_addresses_only_and_writes_none(
        api: Api, address: dict[str, Any], party: dict[str, Any]) -> None:
    api.post(f"/api/v1/addresses/{address['id']}/parties", json={"party_id": party["id"], "role": "verhuurder"})
    assert api.get(f"/api/v1/addresses/{address['id']}/parties", as_="handhaver").status_code == 404
    assert api.get(f"/api/v1/parties/{party['id']}", as_="handhaver").status_code == 404
    assert api.get("/api/v1/parties", as_="handhaver").json["items"] == []
    api.post("/api/v1/assignments", json={"address_id": address["id"], "week": "2026-W48",
                                          "inspector_id": api.users["handhaver"]["id"]})
    assert len(api.get(f"/api/v1/addresses/{address['id']}/parties", as_="handhaver").json["items"]) == 1
    assert api.get(f"/api/v1/parties/{party['id']}", as_="handhaver").status_code == 200
    assert [p["id"] for p in api.get("/api/v1/parties", as_="handhaver").json["items"]] == [party["id"]]
    assert api.post("/api/v1/parties", json=LANDLORD, as_="handhaver").status_code == 403
    assert api.patch(f"/api/v1/parties/{party['id']}", json={"name": "x"}, as_="handhaver").status_code == 403
    assert api.post(f"/api/v1/addresses/{address['id']}/parties", as_="handhaver",
                    json={"party_id": party["id"], "role": "eigenaar"}).status_code == 403


def test_a_device_token_reaches_no_party_endpoint(api: Api, app: Flask, address: dict[str, Any],
                                                  party: dict[str, Any]) -> None:
    device = Device(api, app, "handhaver")
    for url in ("/api/v1/parties", f"/api/v1/parties/{party['id']}", f"/api/v1/addresses/{address['id']}/parties"):
        assert api.get(url, as_=None, headers=device.headers).status_code == 403


def test_every_read_and_write_of_a_party_is_audited(api: Api, app: Flask, address: dict[str, Any],
                                                    party: dict[str, Any]) -> None:
    link = api.post(f"/api/v1/addresses/{address['id']}/parties",
                    json={"party_id": party["id"], "role": "verhuurder"}).json
    api.get(f"/api/v1/parties/{party['id']}")
    api.get("/api/v1/parties?name=Voorbeeld")
    api.get(f"/api/v1/addresses/{address['id']}/parties")
    api.delete(f"/api/v1/addresses/{address['id']}/parties/{link['id']}")
    with app.app_context():
        entries = rows(get_db(), "SELECT action, entity, record_id, detail FROM audit_log WHERE entity IN "
                                 "('party', 'address_party') ORDER BY id")
    assert [(e["action"], e["entity"]) for e in entries] == [
        ("create", "party"), ("create", "address_party"), ("read", "party"), ("list", "party"),
        ("list", "address_party"), ("update", "address_party")]
    assert party["id"] in entries[3]["detail"] and link["id"] in entries[4]["detail"]


def test_addresses_no_longer_take_a_free_text_landlord(api: Api, address: dict[str, Any]) -> None:
    answer = api.patch(f"/api/v1/addresses/{address['id']}", json={"landlord": "Iemand B.V."})
    assert answer.status_code == 422
    assert "/api/v1/addresses/<id>/parties" in answer.json["errors"]["landlord"][0]
    assert api.post("/api/v1/addresses", json=new_address(huisnummer=3, employer_or_agency="X")).status_code == 422
