"""Sync protocol 2: the server still applies protocol-1 pushes (mapping the old landlord field) and tells a
protocol-1 tablet to update when it pulls; tablets receive the parties of an address by name and role only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask

from schemas import address_schema
from server import store
from server.db import get_db, rows
from tests.conftest import Api, new_address
from tests.documents_world import give_landlord
from tests.sync_fixtures import Device, inspection_at, put
from tests.test_api_bad_input import snapshot


@pytest.fixture
def address(api: Api) -> dict[str, Any]:
    data = new_address(verified=False)
    assert api.post("/api/v1/addresses", json=data).status_code == 201
    api.post("/api/v1/assignments", json={"address_id": data["id"], "week": "2026-W48",
                                          "inspector_id": api.users["handhaver"]["id"]})
    return data


@pytest.fixture
def device(api: Api, app: Flask) -> Device:
    return Device(api, app, "handhaver")


def wire(api: Api, address_id: str) -> dict[str, Any]:
    record = api.get(f"/api/v1/addresses/{address_id}").json
    return {k: v for k, v in record.items() if k not in ("version", "created_at", "updated_at")}


def links(app: Flask, address_id: str) -> list[tuple[str, str, str | None]]:
    with app.app_context():
        return [(r["party_id"], r["role"], r["until_date"]) for r in rows(
            get_db(), "SELECT * FROM address_parties WHERE address_id = ? ORDER BY id", [address_id])]


def test_a_protocol_1_pull_gets_426_and_a_dutch_message_to_update_the_app(device: Device) -> None:
    reply = device.api.get("/api/v1/sync/pull?protocol=1", as_=None, headers=device.headers)
    assert reply.status_code == 426
    assert reply.json["error"] == "upgrade_required" and reply.json["protocol"] == 2
    assert "Werk de app bij" in reply.json["message"]
    assert "blijft bewaard" in reply.json["message"], "what waits on the tablet is not lost"


def test_a_protocol_1_push_is_still_applied(api: Api, device: Device, address: dict[str, Any]) -> None:
    inspection = inspection_at(address["id"])
    reply = device.push(put("inspection", inspection), protocol=1)
    assert reply.status_code == 200 and reply.json["results"][0]["status"] == "applied"
    assert api.get(f"/api/v1/inspections/{inspection['id']}").json["findings"]


def test_a_protocol_1_landlord_leaves_parties_alone_and_becomes_what_the_handhaver_heard(
        api: Api, app: Flask, device: Device, address: dict[str, Any]) -> None:
    give_landlord(api, address["id"])
    before = links(app, address["id"])
    plain = inspection_at(address["id"])
    heard = inspection_at(address["id"], tenancy={**plain["tenancy"], "landlord_stated": "Mevrouw Anders"})
    elsewhere = new_address(huisnummer=999)
    api.post("/api/v1/addresses", json=elsewhere)
    other = inspection_at(elsewhere["id"], assignment_id=None)
    reply = device.push(put("inspection", plain),
                        put("address", {**wire(api, address["id"]), "landlord": "  Nieuwe  Eigenaar B.V. ",
                                        "employer_or_agency": "Flex B.V.", "notes": "Andere verhuurder genoemd"},
                            base_version=1),
                        put("inspection", heard), put("inspection", other), protocol=1)
    assert [r["status"] for r in reply.json["results"]] == ["applied"] * 3 + ["applied"], reply.json
    assert links(app, address["id"]) == before, "parties are the office's"
    stored = api.get(f"/api/v1/addresses/{address['id']}").json
    assert stored["notes"] == "Andere verhuurder genoemd" and "landlord" not in stored
    got = {i["id"]: api.get(f"/api/v1/inspections/{i['id']}").json["tenancy"].get("landlord_stated")
           for i in (plain, heard, other)}
    assert got == {plain["id"]: "Nieuwe Eigenaar B.V.", heard["id"]: "Mevrouw Anders", other["id"]: None}


def test_a_landlord_an_old_tablet_only_echoes_back_is_not_taken_as_heard(api: Api, app: Flask,
                                                                         device: Device) -> None:
    data = address_schema.dump(address_schema.load(new_address(huisnummer=77)))
    with app.app_context():  # as the migration leaves it: the name in version 1 (history), version 2 without
        store.put(get_db(), "address", {**data, "landlord": "Oud B.V."}, actor="test")
        store.put(get_db(), "address", data, actor="migration")
    api.post("/api/v1/assignments", json={"address_id": data["id"], "week": "2026-W48",
                                          "inspector_id": api.users["handhaver"]["id"]})
    inspection = inspection_at(data["id"])
    reply = device.push(put("address", {**data, "landlord": "Oud B.V.", "notes": "Bel aan"}, base_version=1),
                        put("inspection", inspection), protocol=1)
    assert [r["status"] for r in reply.json["results"]] == ["applied", "applied"], reply.json
    assert "landlord_stated" not in api.get(f"/api/v1/inspections/{inspection['id']}").json["tenancy"]


def test_a_retried_protocol_1_batch_gets_its_first_answer_and_changes_nothing(app: Flask, api: Api, device: Device,
                                                                             address: dict[str, Any]) -> None:
    batch = {"protocol": 1, "mutations": [
        {"seq": 1, "entity": "address", "id": address["id"], "op": "put", "base_version": 1,
         "data": {**wire(api, address["id"]), "landlord": "Gehoord B.V."}},
        {"seq": 2, "entity": "inspection", "id": (i := inspection_at(address["id"]))["id"], "op": "put",
         "base_version": None, "data": i}]}
    first = device.push_raw(batch).json
    before = snapshot(app, ("addresses", "inspections", "history", "parties", "address_parties"))
    again = device.push_raw(batch).json
    assert [r["status"] for r in again["results"]] == ["duplicate", "duplicate"]
    assert [r["original"] for r in again["results"]] == first["results"]
    assert snapshot(app, ("addresses", "inspections", "history", "parties", "address_parties")) == before


def test_pulled_addresses_carry_the_parties_by_name_and_role_only(api: Api, app: Flask, device: Device,
                                                                  address: dict[str, Any]) -> None:
    landlord = give_landlord(api, address["id"])
    changes = device.pull_all()
    [record] = [c["data"] for c in changes if c["entity"] == "address"]
    assert record["parties"] == [{"name": "Voorbeeld Verhuur B.V.", "role": "verhuurder"}]
    register = [c["data"] for c in changes if c["entity"] == "register"]
    assert register and all("parties" not in r for r in register)
    assert landlord["kvk"] not in str(changes) and "Voorbeeldweg" not in str(changes)


def test_a_changed_party_link_sends_the_address_again(api: Api, device: Device, address: dict[str, Any]) -> None:
    give_landlord(api, address["id"])
    device.pull_all()
    [link] = api.get(f"/api/v1/addresses/{address['id']}/parties").json["items"]
    api.delete(f"/api/v1/addresses/{address['id']}/parties/{link['id']}")
    [again] = [c["data"] for c in device.pull_all() if c["entity"] == "address"]
    assert again["parties"] == []
    party = api.get(f"/api/v1/parties/{link['party_id']}").json
    other = api.post(f"/api/v1/addresses/{address['id']}/parties", json={"party_id": party["id"],
                                                                         "role": "eigenaar"})
    assert other.status_code == 201
    api.patch(f"/api/v1/parties/{party['id']}", json={"name": "Hernoemd B.V."},
              headers={"If-Match": str(party["version"])})
    [renamed] = [c["data"] for c in device.pull_all() if c["entity"] == "address"]
    assert renamed["parties"] == [{"name": "Hernoemd B.V.", "role": "eigenaar"}]


def test_a_tablet_sending_back_a_pulled_address_with_its_parties_is_applied(api: Api, device: Device,
                                                                            address: dict[str, Any]) -> None:
    give_landlord(api, address["id"])
    [record] = [c["data"] for c in device.pull_all() if c["entity"] == "address"]
    sent = {k: v for k, v in record.items() if k not in ("version", "created_at", "updated_at")}
    reply = device.push(put("address", {**sent, "notes": "Bel aan achter"}, base_version=record["version"]),
                        protocol=2)
    assert reply.json["results"][0]["status"] == "applied", reply.json
    assert api.get(f"/api/v1/addresses/{address['id']}").json["notes"] == "Bel aan achter"


def test_a_protocol_2_tablet_pushes_a_verkeersruimte_judged_by_version_2(api: Api, device: Device,
                                                                         address: dict[str, Any]) -> None:
    start = dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.UTC)
    inspection = inspection_at(address["id"], started_at=start.isoformat(),
                               finished_at=(start + dt.timedelta(hours=1)).isoformat())
    inspection["rooms"].append({"id": "h1", "name": "Gang", "kind": "verkeersruimte", "storey": 0,
                                "smoke_detector": False})
    inspection["occupants"]["arbeidsmigranten"] = 8
    reply = device.push(put("inspection", inspection), protocol=2)
    assert reply.json["results"][0]["status"] == "applied", reply.json
    got = api.get(f"/api/v1/inspections/{inspection['id']}").json
    assert got["norm_set"] == {"id": "aalsmeer", "version": 2}
    assert any(f["code"] == "ROOKMELDER" and f["room_id"] == "h1" for f in got["findings"])
    assert "WGV_INFORMATIE" in {n["code"] for n in got["not_assessed"]}


def test_a_protocol_1_tablet_cannot_push_a_room_kind_it_does_not_know_of(device: Device,
                                                                         address: dict[str, Any]) -> None:
    inspection = inspection_at(address["id"])
    inspection["rooms"][0]["kind"] = "gang"
    result = device.push(put("inspection", inspection), protocol=1).json["results"][0]
    assert result["status"] == "rejected" and "verkeersruimte" in str(result["errors"])
