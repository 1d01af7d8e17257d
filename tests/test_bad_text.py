"""Text and numbers made to hurt: lone surrogates, NUL characters, integers too long to read, huge query numbers."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask

from tests.conftest import Api, new_address
from tests.sync_fixtures import Device, inspection_at
from tests.test_api_bad_input import snapshot

HEADERS = {"Content-Type": "application/json"}


def raw_post(api: Api, url: str, text: str, as_: str | None = "teamleider", **headers: str) -> Any:
    return api.post(url, as_=as_, data=text.encode("utf-8", "surrogatepass"), headers={**HEADERS, **headers})


@pytest.mark.parametrize(("change", "where"), [
    ({"straat": "Dorps\ud800straat"}, "straat"),
    ({"notes": "\udfff"}, "notes"),
    ({"onbekend\udc00": 1}, "onbekend\ufffd"),
])
def test_a_lone_surrogate_in_a_body_is_400_naming_where_and_stores_nothing(
        api: Api, app: Flask, change: dict[str, Any], where: str) -> None:
    before = snapshot(app)
    answer = raw_post(api, "/api/v1/addresses", json.dumps(new_address(**change)))
    assert answer.status_code == 400
    assert where in answer.json["message"] and "surrogaat" in answer.json["message"]
    assert snapshot(app) == before


def test_a_nul_character_in_a_text_field_is_refused_at_its_field(api: Api, app: Flask) -> None:
    before = snapshot(app)
    answer = api.post("/api/v1/addresses", json=new_address(straat="Dorps\x00straat", notes="a\x00"))
    assert answer.status_code == 422
    assert set(answer.json["errors"]) == {"straat", "notes"}
    assert "ongeldig teken" in answer.json["errors"]["straat"][0]
    assert snapshot(app) == before


def test_an_integer_of_5000_digits_is_400_not_500(api: Api) -> None:
    answer = raw_post(api, "/api/v1/addresses", '{"huisnummer": ' + "9" * 5000 + "}")
    assert answer.status_code == 400
    assert "cijfers" in answer.json["message"]


@pytest.mark.parametrize("query", ["huisnummer=" + "9" * 30, "huisnummer=" + "9" * 5000, "limit=" + "9" * 40,
                                   "huisnummer=-" + "9" * 25])
def test_huge_numbers_in_a_query_are_422_with_a_field_message(api: Api, query: str) -> None:
    answer = api.get(f"/api/v1/addresses?{query}")
    assert answer.status_code == 422
    assert set(answer.json["errors"]) == {query.split("=")[0]}


def test_a_mutation_holding_a_lone_surrogate_is_rejected_alone_and_the_queue_moves_on(
        api: Api, app: Flask) -> None:
    address = new_address()
    api.post("/api/v1/addresses", json=address)
    device = Device(api, app, "handhaver")
    good, bad, later = (inspection_at(address["id"], status="draft") for _ in range(3))
    bad["notes"] = "kapot \ud800"
    bad["rooms"][0]["naam\udbff"] = "x"
    mutations = [{"seq": i + 1, "entity": "inspection", "id": m["id"], "op": "put", "base_version": None, "data": m}
                 for i, m in enumerate((good, bad, later))]
    answer = raw_post(api, "/api/v1/sync/push", json.dumps({"protocol": 1, "mutations": mutations}), as_=None,
                      **device.headers)
    assert answer.status_code == 200
    assert answer.json["last_seq"] == 3
    assert [r["status"] for r in answer.json["results"]] == ["applied", "rejected", "applied"]
    assert "surrogaat" in answer.json["results"][1]["errors"]["data"][0]
    assert api.get(f"/api/v1/inspections/{bad['id']}").status_code == 404
    # The rejection was stored and is answered again, whole, to a retry.
    again = raw_post(api, "/api/v1/sync/push", json.dumps({"protocol": 1, "mutations": mutations[1:2]}), as_=None,
                     **device.headers)
    assert again.json["results"][0]["original"]["status"] == "rejected"


def test_a_nul_character_in_pushed_text_rejects_that_mutation_with_a_field_message(api: Api, app: Flask) -> None:
    address = new_address()
    api.post("/api/v1/addresses", json=address)
    device = Device(api, app, "handhaver")
    bad = inspection_at(address["id"], status="draft", notes="a\x00b")
    result = device.push({"entity": "inspection", "id": bad["id"], "data": bad}).json["results"][0]
    assert result["status"] == "rejected" and result["errors"] == {"notes": [
        "Tekst met een ongeldig teken (NUL of een losse surrogaat)."]}
