"""The tablet's local web API through Flask's test client: bad bodies get a clear answer, and the offline
address register is searched and used."""

from __future__ import annotations

import statistics
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from field_client.sync_engine import Report
from field_client.tablet_store import TabletStore
from field_client.web import create_app, sync_message
from tests.conftest import example
from tests.tablet_ui import register_entry

BODY_ENDPOINTS = [("post", "/local/enroll"), ("post", "/local/addresses"), ("post", "/local/inspections"),
                  ("put", "/local/inspections/x")]


def local_client(folder: Path) -> FlaskClient:
    """A test client for a tablet app on this data folder, carrying the app's secret as the page does."""
    client = create_app(folder, sync_every=0).test_client()
    store = TabletStore(folder)
    try:
        client.environ_base["HTTP_X_LOCAL_SECRET"] = store.get_state("local_secret")
    finally:
        store.close()
    return client


@pytest.fixture
def client(tmp_path: Path) -> FlaskClient:
    return local_client(tmp_path / "tablet")


def store_of(tmp_path: Path) -> TabletStore:
    return TabletStore(tmp_path / "tablet")


@pytest.mark.parametrize(("method", "path"), BODY_ENDPOINTS)
def test_a_body_nested_too_deep_gets_400(client: FlaskClient, method: str, path: str) -> None:
    response = getattr(client, method)(path, data="[" * 100000 + "]" * 100000, content_type="application/json")
    assert response.status_code == 400
    assert response.json is not None and "te diep genest" in response.json["message"]


@pytest.mark.parametrize(("method", "path"), BODY_ENDPOINTS)
@pytest.mark.parametrize(("body", "words"), [("{", "Ongeldige JSON"), ("", "Ongeldige JSON"),
                                             (b"{\"a\": \"\xff\"}", "UTF-8"), ("[1, 2]", "JSON-object"),
                                             ("null", "JSON-object"), ('{"notes": "\\ud800"}', "surrogaat"),
                                             ('{"n": ' + "9" * 5000 + "}", "cijfers")])
def test_unreadable_json_gets_400_with_a_dutch_message(tmp_path: Path, client: FlaskClient, method: str, path: str,
                                                       body: str | bytes, words: str) -> None:
    response = getattr(client, method)(path, data=body, content_type="application/json")
    assert response.status_code == 400, response.json
    assert response.json is not None and words in response.json["message"]
    store = store_of(tmp_path)
    try:
        assert store.outbox_size() == 0 and not store.counts()
    finally:
        store.close()


@pytest.mark.parametrize(("method", "path"), BODY_ENDPOINTS)
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_a_body_that_is_not_json_gets_415(client: FlaskClient, method: str, path: str, content_type: str) -> None:
    response = getattr(client, method)(path, data='{"address_id": "x"}', content_type=content_type)
    assert response.status_code == 415
    assert response.json is not None and "JSON" in response.json["message"]


def test_a_valid_address_is_still_taken_after_a_refused_body(client: FlaskClient) -> None:
    address = example("overbewoond.json")["address"]
    assert client.post("/local/addresses", data="[" * 100000, content_type="application/json").status_code == 400
    response = client.post("/local/addresses", json=address)
    assert response.status_code == 201
    assert response.json is not None and response.json["postcode"] == address["postcode"].replace(" ", "")


def put_register(tmp_path: Path, entries: list[dict[str, Any]]) -> None:
    store = store_of(tmp_path)
    try:
        store.apply_page(entries, f"cursor-{uuid.uuid4()}", False)
    finally:
        store.close()


def search(client: FlaskClient, q: str) -> list[str]:
    answer = client.get("/local/register", query_string={"q": q}).json
    assert answer is not None
    return [f"{e['straat']} {e['huisnummer']}{e['huisletter'] or ''}{'-' + e['toevoeging'] if e['toevoeging'] else ''}"
            for e in answer["items"]]


@pytest.mark.parametrize(("q", "found"), [
    ("1431ZT", ["Dorpsstraat 12", "Dorpsstraat 12A", "Dorpsstraat 14"]),
    ("1431 zt", ["Dorpsstraat 12", "Dorpsstraat 12A", "Dorpsstraat 14"]),
    ("1431 ZT 12", ["Dorpsstraat 12", "Dorpsstraat 12A"]),
    ("1431zt 12a", ["Dorpsstraat 12A"]),
    ("dorpsstraat 12 a", ["Dorpsstraat 12A"]),
    ("Dorpsstr 14", ["Dorpsstraat 14"]),
    ("uiterweg 40-2", ["Uiterweg 40-2"]),
    ("1432", ["Uiterweg 40-2"]),
    ("kudelstaart", ["Uiterweg 40-2"]),
    ("Onbekendelaan", []),
])
def test_the_register_is_searched_by_postcode_street_and_number_with_letter(tmp_path: Path, client: FlaskClient,
                                                                             q: str, found: list[str]) -> None:
    put_register(tmp_path, [register_entry(huisnummer=12), register_entry(huisnummer=12, huisletter="A"),
                            register_entry(huisnummer=14),
                            register_entry(straat="Uiterweg", huisnummer=40, toevoeging="2", postcode="1432AB",
                                           woonplaats="Kudelstaart")])
    assert search(client, q) == found


def test_a_search_over_14000_register_addresses_is_quick(tmp_path: Path, client: FlaskClient) -> None:
    streets = [f"{name}{kind}" for name in ("Dorps", "Kerk", "Molen", "Stations", "Zijd", "Oost", "West", "Hoofd")
               for kind in ("straat", "weg", "laan", "dijk", "kade", "plein", "pad")]
    put_register(tmp_path, [register_entry(straat=streets[n % len(streets)], huisnummer=n // len(streets) + 1,
                                           postcode=f"143{n % 4}{'ABCDEFGHJK'[n % 10]}{'LMNPRTVWXZ'[n // 10 % 10]}")
                            for n in range(14000)])
    started = time.perf_counter()
    assert client.get("/local/register", query_string={"q": "kerk"}).json["size"] == 14000  # type: ignore[index]
    first = time.perf_counter() - started
    took = []
    for q in ("1430 AL", "Dorpsstraat 12", "molen", "1433", "stationsweg 250"):
        started = time.perf_counter()
        assert client.get("/local/register", query_string={"q": q}).json["total"] > 0  # type: ignore[index]
        took.append(time.perf_counter() - started)
    assert first < 2.0, f"reading the register took {first:.3f} s"
    assert statistics.median(took) < 0.1, f"a search took {statistics.median(took):.3f} s"


def test_an_inspection_can_be_started_at_an_address_only_in_the_register(tmp_path: Path,
                                                                         client: FlaskClient) -> None:
    entry = register_entry(bag_id="0358200000012345")
    put_register(tmp_path, [entry])
    shown = client.get(f"/local/addresses/{entry['id']}").json
    assert shown is not None and shown["address"]["from_register"] is True
    created = client.post("/local/inspections", json={"address_id": entry["id"], "kind": "melding"})
    assert created.status_code == 201, created.json
    draft = created.json
    assert draft is not None
    opened = client.get(f"/local/inspections/{draft['id']}").json
    assert opened is not None and opened["evaluation"].get("error") != "Adres onbekend op deze tablet."
    assert client.put(f"/local/inspections/{draft['id']}", json={"access": "nobody_home"}).status_code == 200
    assert client.post(f"/local/inspections/{draft['id']}/submit").status_code == 200
    store = store_of(tmp_path)
    try:
        assert [(e["entity"], e["id"]) for e in store.outbox()] == [("inspection", draft["id"])]
        address = store.get("address", entry["id"])
        assert address is not None and address["bag_id"] == "0358200000012345" and address["from_register"]
        assert store.meta("address", entry["id"])["dirty"] == 0  # type: ignore[index]
    finally:
        store.close()


def test_the_servers_own_record_replaces_an_address_made_from_the_register(tmp_path: Path,
                                                                          client: FlaskClient) -> None:
    entry = register_entry()
    put_register(tmp_path, [entry])
    assert client.post("/local/inspections", json={"address_id": entry["id"]}).status_code == 201
    server_record = {**example("compliant.json")["address"], "id": entry["id"], "postcode": "1431ZT"}
    put_register(tmp_path, [{"entity": "address", "id": entry["id"], "version": 3, "op": "put", "data": server_record}])
    shown = client.get(f"/local/addresses/{entry['id']}").json
    assert shown is not None and "from_register" not in shown["address"] and len(shown["inspections"]) == 1


def test_a_draft_at_a_register_address_is_still_judged_after_a_pull_reset(tmp_path: Path,
                                                                         client: FlaskClient) -> None:
    entry = register_entry()
    put_register(tmp_path, [entry])
    draft = client.post("/local/inspections", json={"address_id": entry["id"]}).json
    assert draft is not None
    store = store_of(tmp_path)
    try:
        store.apply_page([entry], "after-reset", True)  # drops synced records, the register-made address with them
    finally:
        store.close()
    opened = client.get(f"/local/inspections/{draft['id']}").json
    assert opened is not None and opened["address"]["id"] == entry["id"]
    assert opened["evaluation"].get("error") != "Adres onbekend op deze tablet."


@pytest.mark.parametrize("typed", [{"postcode": "1431 zt", "huisnummer": 12, "huisletter": "a"},
                                   {"postcode": "1431ZT", "huisnummer": "12", "huisletter": "A", "toevoeging": None}])
def test_an_address_typed_on_site_that_the_register_has_gets_409_with_that_address(tmp_path: Path,
                                                                                   client: FlaskClient,
                                                                                   typed: dict[str, Any]) -> None:
    entry = register_entry(huisletter="A")
    put_register(tmp_path, [entry, register_entry()])
    body = {"straat": "Dorpsstraat", "woonplaats": "Aalsmeer", "gemeentecode": "0358", **typed}
    body["huisnummer"] = int(body["huisnummer"])
    response = client.post("/local/addresses", json=body)
    assert response.status_code == 409
    assert response.json is not None and response.json["existing"]["id"] == entry["id"]
    assert "Dorpsstraat 12A, 1431 ZT Aalsmeer" in response.json["message"]
    match = client.get("/local/register/match", query_string={k: v for k, v in typed.items() if v is not None}).json
    assert match is not None and [e["id"] for e in match["items"]] == [entry["id"]]
    store = store_of(tmp_path)
    try:
        assert store.outbox_size() == 0
    finally:
        store.close()


def test_an_address_typed_on_site_that_the_register_lacks_is_queued(tmp_path: Path, client: FlaskClient) -> None:
    put_register(tmp_path, [register_entry(huisletter="A")])
    body = {"straat": "Dorpsstraat", "huisnummer": 12, "huisletter": "B", "postcode": "1431ZT",
            "woonplaats": "Aalsmeer", "gemeentecode": "0358"}
    assert client.post("/local/addresses", json=body).status_code == 201
    store = store_of(tmp_path)
    try:
        assert [e["entity"] for e in store.outbox()] == ["address"]
    finally:
        store.close()


@pytest.mark.parametrize(("report", "said"), [
    (Report(pushed=1, applied=1, pulled=3, photos=1),
     "Gesynchroniseerd: 1 wijziging verzonden, 3 wijzigingen opgehaald, 1 foto geüpload."),
    (Report(pushed=3, applied=1, rejected=1, conflicts=1, pulled=1, photos=2),
     "Gesynchroniseerd: 3 wijzigingen verzonden (1 verwerkt, 1 geweigerd, 1 conflict), 1 wijziging opgehaald, "
     "2 foto's geüpload."),
    (Report(), "Gesynchroniseerd: 0 wijzigingen verzonden, 0 wijzigingen opgehaald."),
])
def test_the_sync_message_counts_with_the_right_plural(report: Report, said: str) -> None:
    assert sync_message(report) == said
