"""The evidence of the visit on the tablet, in real headless Chromium: how the handhaver entered, who was present,
what was said and how he measured, saved as he types and kept over a reload; a doubtful entry is warned about;
a submitted inspection shows it all read-only."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver import Chrome as WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from field_client.tablet_store import TabletStore
from tests.browser import screenshot
from tests.conftest import example
from tests.sync_world import World
from tests.tablet_ui import (
    Tablet,
    browser,
    enrol,
    page_text,
    put_records,
    room,
    saved,
    start_inspection,
    submit,
    sync_now,
    type_into,
    wait,
    wait_text,
)
from tests.test_attachments import jpeg
from tests.test_tablet_web import local_client


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    w = World(tmp_path_factory.mktemp("world"))
    yield w
    w.stop()


@pytest.fixture(scope="module")
def driver() -> Iterator[WebDriver]:
    yield from browser()


@pytest.fixture
def tablet(tmp_path: Path, driver: WebDriver) -> Iterator[Tablet]:
    t = Tablet(tmp_path / "veld", driver)
    yield t
    t.close()


@pytest.fixture
def synced(world: World, tablet: Tablet) -> dict[str, Any]:
    """An address assigned to hh1, on his freshly enrolled and synced tablet."""
    address = world.address()
    enrol(world, tablet)
    sync_now(tablet)
    return address


def tri(d: WebDriver, css: str, value: str) -> None:
    """Press Ja (true), Nee (false) or Niet gecontroleerd (null) of a yes/no group."""
    d.find_element(By.CSS_SELECTOR, f"{css} button[data-value='{value}']").click()


def pick_date(d: WebDriver, css: str, value: str) -> None:
    """Set a date field as the date picker does (typing into it depends on the browser's locale)."""
    d.execute_script("const e = document.querySelector(arguments[0]); e.value = arguments[1];"
                     "e.dispatchEvent(new Event('input', {bubbles: true}));", css, value)


def stored(tablet: Tablet, inspection_id: str) -> dict[str, Any]:
    store = tablet.store()
    try:
        record = store.get("inspection", inspection_id)
    finally:
        store.close()
    assert record is not None
    return record


def test_every_evidence_field_is_saved_as_he_types_and_comes_back_after_a_reload(
        world: World, synced: dict[str, Any], tablet: Tablet, tmp_path: Path) -> None:
    d = tablet.driver
    start_inspection(tablet, synced["id"])
    inspection_id = d.current_url.rsplit("/", 1)[1]
    assert "u zelf (hh1)" in d.find_element(By.CSS_SELECTOR, ".present[data-role='toezichthouder']").text
    Select(d.find_element(By.ID, "f-entry-consent_by")).select_by_value("bewoner")
    type_into(d.find_element(By.ID, "f-entry-machtiging"), "MB-2026-014")
    tri(d, "[data-path='entry.legitimation_shown']", "true")
    tri(d, "[data-path='entry.purpose_stated']", "true")
    for role in ("tolk", "verhuurder"):
        Select(d.find_element(By.ID, "present-role")).select_by_value(role)
        d.find_element(By.ID, "present-add").click()
        wait(d, f".present[data-role='{role}']")
    type_into(d.find_element(By.CSS_SELECTOR, "[data-present-count='verhuurder']"), 2)
    type_into(d.find_element(By.ID, "f-dwelling-floor_area_m2"), 64.5)
    Select(d.find_element(By.ID, "f-dwelling-floor_area_source")).select_by_value("gemeten")
    for _ in range(2):
        d.find_element(By.ID, "add-room").click()
    room(d, "r1", storey=1, area_m2=12, occupants=2)
    room(d, "r2", kind="verkeersruimte", storey=1)
    kinds = [o.text for o in Select(d.find_element(
        By.CSS_SELECTOR, ".room[data-room='r2'] [data-room-field='kind']")).options]
    assert "Gang, trap of overloop" in kinds
    tri(d, ".room[data-room='r1'] [data-room-field='smoke_detector']", "true")
    tri(d, ".room[data-room='r2'] [data-room-field='smoke_detector']", "false")
    type_into(d.find_element(By.ID, "f-occupants-present"), 5)
    type_into(d.find_element(By.ID, "f-occupants-arbeidsmigranten"), 4)
    assert "onderdaan van een andere EU-lidstaat, hoofdverblijf niet in Nederland, hier voor tijdelijk werk" in \
        d.find_element(By.ID, "arbeidsmigrant-definition").text
    tri(d, "[data-path='facilities.wardrobe_outside_bedroom']", "true")
    Select(d.find_element(By.ID, "f-fire_safety-smoke_detectors_tested_by")).select_by_value("testknop")
    type_into(d.find_element(By.ID, "f-tenancy-landlord_stated"), "J. de Vries Vastgoed")
    pick_date(d, "#f-tenancy-lease_concluded_on", "2026-03-01")
    wait_text(d, "#f-tenancy-lease_concluded_on-shown", "1 maart 2026")
    tri(d, "[data-path='tenancy.info_in_own_language']", "false")
    assert "U bent niet verplicht om op vragen antwoord te geven" in d.find_element(By.ID, "statements").text
    assert "verhuurder of beheerder" in d.find_element(By.ID, "cautie-hint").text
    Select(d.find_element(By.ID, "statement-role")).select_by_value("verhuurder")
    type_into(d.find_element(By.ID, "statement-text"), "Ik verhuur de kamers per week.")
    d.find_element(By.ID, "statement-cautie").click()
    d.find_element(By.ID, "statement-add").click()
    wait(d, ".statement[data-index='0']")
    photo = tmp_path / "melder.jpg"
    photo.write_bytes(jpeg(21, size=300))
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    d.find_element(By.ID, "photo-input").send_keys(str(photo))
    wait(d, "#photo-list img")
    after = dt.datetime.now(dt.UTC)
    saved(d)
    screenshot(d, "20-inspectie-bewijs")

    def check(record: dict[str, Any]) -> None:
        assert record["entry"] == {"consent_by": "bewoner", "machtiging": "MB-2026-014", "legitimation_shown": True,
                                   "purpose_stated": True}
        assert record["present"] == [{"role": "toezichthouder", "count": 1, "user_ids": [world.users["hh1"]["id"]]},
                                     {"role": "tolk", "count": 1}, {"role": "verhuurder", "count": 2}]
        assert record["statements"] == [{"by_role": "verhuurder", "text": "Ik verhuur de kamers per week.",
                                         "cautie_given": True}]
        assert record["dwelling"]["floor_area_source"] == "gemeten"
        assert [(r["kind"], r.get("smoke_detector")) for r in record["rooms"]] == [("bedroom", True),
                                                                                   ("verkeersruimte", False)]
        assert record["occupants"]["arbeidsmigranten"] == 4
        assert record["facilities"]["wardrobe_outside_bedroom"] is True
        assert record["fire_safety"]["smoke_detectors_tested_by"] == "testknop"
        assert record["tenancy"]["landlord_stated"] == "J. de Vries Vastgoed"
        assert record["tenancy"]["lease_concluded_on"] == "2026-03-01"
        assert record["tenancy"]["info_in_own_language"] is False
        taken = dt.datetime.fromisoformat(record["photos"][0]["taken_at"])
        assert before <= taken <= after, "the tablet's clock when the photo came in"

    check(stored(tablet, inspection_id))
    d.refresh()
    wait(d, "#inspection-form")
    assert Select(d.find_element(By.ID, "f-entry-consent_by")).first_selected_option.text == "De bewoner"
    assert d.find_element(By.ID, "f-entry-machtiging").get_attribute("value") == "MB-2026-014"
    on = d.find_element(By.CSS_SELECTOR, "[data-path='entry.legitimation_shown'] button.on")
    assert on.get_attribute("data-value") == "true"
    assert d.find_element(By.CSS_SELECTOR, "[data-present-count='verhuurder']").get_attribute("value") == "2"
    assert Select(d.find_element(By.ID, "f-dwelling-floor_area_source")).first_selected_option.text == "Gemeten"
    on = d.find_element(By.CSS_SELECTOR, ".room[data-room='r2'] [data-room-field='smoke_detector'] button.on")
    assert on.text == "Nee"
    assert d.find_element(By.ID, "f-tenancy-lease_concluded_on-shown").text == "1 maart 2026"
    statement = d.find_element(By.CSS_SELECTOR, ".statement[data-index='0']")
    assert statement.find_element(By.TAG_NAME, "textarea").get_attribute("value") == "Ik verhuur de kamers per week."
    assert statement.find_element(By.CSS_SELECTOR, "input[type='checkbox']").is_selected()
    assert "Genomen op" in d.find_element(By.ID, "photo-list").text
    check(stored(tablet, inspection_id))


def test_a_doubtful_entry_is_warned_about_on_screen_but_does_not_block_submitting(synced: dict[str, Any],
                                                                                  tablet: Tablet) -> None:
    d = tablet.driver
    start_inspection(tablet, synced["id"])
    Select(d.find_element(By.ID, "present-role")).select_by_value("verhuurder")
    d.find_element(By.ID, "present-add").click()
    wait_text(d, "#entry-doubts", "een verhuurder kan geen toestemming geven")
    screenshot(d, "21-binnentreden-twijfelachtig")
    Select(d.find_element(By.ID, "f-entry-consent_by")).select_by_value("hoofdbewoner")
    tri(d, "[data-path='entry.legitimation_shown']", "true")
    tri(d, "[data-path='entry.purpose_stated']", "true")
    saved(d)
    assert d.find_element(By.ID, "entry-doubts").text == "", "a sound basis gives no warning"
    tri(d, "[data-path='entry.legitimation_shown']", "false")
    wait_text(d, "#entry-doubts", "Legitimatie niet getoond (Awb 5:12)")
    Select(d.find_element(By.ID, "statement-role")).select_by_value("beheerder")
    type_into(d.find_element(By.ID, "statement-text"), "Ik beheer dit pand namens de eigenaar.")
    d.find_element(By.ID, "statement-add").click()
    wait_text(d, ".statement[data-index='0']", "zonder vastgelegde cautie")
    saved(d)
    submit(d)
    assert "Legitimatie niet getoond (Awb 5:12)" in d.find_element(By.ID, "entry-doubts").text


def test_a_submitted_inspection_shows_its_evidence_read_only(world: World, synced: dict[str, Any],
                                                            tablet: Tablet) -> None:
    me = world.users["hh1"]["id"]
    inspection = {
        "id": str(uuid.uuid4()), "address_id": synced["id"], "assignment_id": None, "kind": "controle",
        "inspector_id": me, "started_at": "2026-12-01T09:00:00+00:00", "finished_at": "2026-12-01T09:40:00+00:00",
        "status": "submitted", "access": "granted",
        "entry": {"consent_by": None, "machtiging": "MB-2026-020", "legitimation_shown": True, "purpose_stated": True},
        "present": [{"role": "toezichthouder", "count": 2, "user_ids": [me]}, {"role": "politie", "count": 1}],
        "statements": [{"by_role": "bewoner", "text": "Wij wonen hier met zes.", "cautie_given": None}],
        "dwelling": {"floor_area_m2": 70, "floor_area_source": "bag", "storeys": 2},
        "rooms": [{"id": "r1", "name": "Overloop", "kind": "verkeersruimte", "storey": 1, "smoke_detector": False}],
        "occupants": {"present": 6, "reported": 6, "arbeidsmigranten": 5, "languages": {}},
        "facilities": {"wardrobe_outside_bedroom": False},
        "fire_safety": {"smoke_detectors_tested_by": "rookspray"},
        "tenancy": {"landlord_stated": "Huisvesting BV", "lease_concluded_on": "2026-02-15",
                    "info_in_own_language": True},
        "manual_findings": [], "notes": None, "photos": [], "corrects": None}
    put_records(tablet, ("inspection", inspection))
    d = tablet.driver
    d.get(tablet.url + f"/#/inspectie/{inspection['id']}")
    wait(d, "#submitted-tag")
    screenshot(d, "22-bewijs-alleen-lezen")
    form = d.find_element(By.ID, "inspection-form")
    assert form.find_elements(By.TAG_NAME, "button") == [], "nothing to add, edit or remove"
    assert all(not f.is_enabled() for f in form.find_elements(By.CSS_SELECTOR, "input, select, textarea"))
    assert Select(d.find_element(By.ID, "f-entry-consent_by")).first_selected_option.text == "Niet vastgelegd"
    assert d.find_element(By.ID, "f-entry-machtiging").get_attribute("value") == "MB-2026-020"
    assert form.find_element(By.CSS_SELECTOR, "[data-path='entry.purpose_stated']").text == "Ja"
    present = d.find_element(By.ID, "present").text
    assert "Toezichthouder: u zelf (hh1) en collega's" in present and "2 personen" in present, present
    assert "Politie" in present and "1 persoon" in present, present
    statements = d.find_element(By.ID, "statements").text
    assert "Verklaring van: Bewoner" in statements and "Wij wonen hier met zes." in statements
    assert "Cautie niet vastgelegd" in statements
    assert Select(d.find_element(By.ID, "f-dwelling-floor_area_source")).first_selected_option.text == "BAG"
    r1 = d.find_element(By.CSS_SELECTOR, ".room[data-room='r1']")
    assert Select(r1.find_element(By.CSS_SELECTOR, "[data-room-field='kind']")).first_selected_option.text == \
        "Gang, trap of overloop"
    assert r1.find_element(By.CSS_SELECTOR, "[data-room-field='smoke_detector']").text == "Nee"
    assert d.find_element(By.ID, "f-occupants-arbeidsmigranten").get_attribute("value") == "5"
    assert form.find_element(By.CSS_SELECTOR, "[data-path='facilities.wardrobe_outside_bedroom']").text == "Nee"
    tested = Select(d.find_element(By.ID, "f-fire_safety-smoke_detectors_tested_by")).first_selected_option.text
    assert tested == "Rookspray"
    assert d.find_element(By.ID, "f-tenancy-landlord_stated").get_attribute("value") == "Huisvesting BV"
    assert d.find_element(By.ID, "f-tenancy-lease_concluded_on").text == "15 februari 2026"
    assert form.find_element(By.CSS_SELECTOR, "[data-path='tenancy.info_in_own_language']").text == "Ja"
    assert "null" not in page_text(d) and "undefined" not in page_text(d)


@pytest.mark.parametrize("evidence", [{"entry": [1], "present": "verhuurder"}, {"entry": None, "present": [3, None]},
                                      {"entry": {"consent_by": 7}, "present": [{"role": ["x"]}]}])
def test_a_draft_with_misshapen_evidence_is_still_judged_and_its_entry_warned_about(tmp_path: Path,
                                                                                   evidence: dict[str, Any]) -> None:
    client = local_client(tmp_path / "tablet")
    address = example("overbewoond.json")["address"]
    store = TabletStore(tmp_path / "tablet")
    try:
        store.apply_page([{"entity": "address", "id": address["id"], "version": 1, "op": "put", "data": address}],
                         "c1", False)
    finally:
        store.close()
    draft = client.post("/local/inspections", json={"address_id": address["id"]}).json
    assert draft is not None
    response = client.put(f"/local/inspections/{draft['id']}", json={"access": "granted", **evidence})
    assert response.status_code == 200, response.json
    assert response.json is not None
    assert "Niet vastgelegd dat de legitimatie is getoond (Awb 5:12)." in response.json["evaluation"]["entry_doubts"]
