"""What a handhaver sees on the tablet app's screens, in real headless Chromium: touch targets, the findings
summary while typing, Dutch times and words, languages by name and the offline address register."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver import Chrome as WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.browser import screenshot
from tests.sync_world import World
from tests.tablet_ui import (
    ISO_MOMENT,
    LANDSCAPE,
    PORTRAIT,
    Tablet,
    browser,
    enrol,
    page_text,
    put_records,
    put_register,
    register_entry,
    room,
    saved,
    start_inspection,
    submit,
    sync_now,
    targets,
    three_bedrooms,
    type_into,
    viewport,
    wait,
    wait_text,
)
from tests.test_attachments import jpeg


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


def in_viewport(d: WebDriver, css: str) -> bool:
    return bool(d.execute_script("""
        const r = document.querySelector(arguments[0]).getBoundingClientRect();
        return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight;""", css))


def test_in_portrait_the_findings_summary_stays_in_view_while_typing(synced: dict[str, Any], tablet: Tablet) -> None:
    d = tablet.driver
    viewport(d, PORTRAIT)
    start_inspection(tablet, synced["id"])
    for _ in range(3):
        d.find_element(By.ID, "add-room").click()
    room(d, "r1", storey=1, area_m2=12, occupants=2)
    room(d, "r2", storey=1, area_m2=10, occupants=2)
    room(d, "r3", storey=1, area_m2=14)
    field = d.find_element(By.CSS_SELECTOR, ".room[data-room='r3'] [data-room-field='occupants']")
    field.send_keys("3")
    wait_text(d, "#findings-bar", "Te veel bewoners in een slaapkamer")
    assert in_viewport(d, ".room[data-room='r3'] [data-room-field='occupants']"), "the field being typed is in view"
    assert in_viewport(d, "#findings-bar"), "and so is the findings summary"
    assert re.search(r"\b\d+ bevinding(en)?\b", d.find_element(By.ID, "findings-count").text)
    screenshot(d, "10-inspectie-staand-bevindingen")
    d.find_element(By.ID, "findings-open").click()
    wait(d, "#findings-all .finding[data-code='BEZETTING_SLAAPKAMER']")
    screenshot(d, "11-alle-bevindingen")
    d.find_element(By.ID, "findings-close").click()
    viewport(d, LANDSCAPE)
    d.execute_script("document.querySelector('#f-notes').scrollIntoView({block: 'end'})")
    assert in_viewport(d, "#findings-bar"), "in landscape too"


def test_every_touch_target_is_at_least_48_px_and_no_text_overflows(world: World, tablet: Tablet,
                                                                    tmp_path: Path) -> None:
    d = tablet.driver
    d.get(tablet.url + "/")
    wait(d, "#enrol-form")
    problems = targets(d, "koppelen")
    address = world.address()
    enrol(world, tablet)
    sync_now(tablet)
    put_register(tablet, [register_entry(straat="Stationsweg", huisnummer=n, postcode="1431EA") for n in range(1, 4)])
    problems += targets(d, "synchronisatie")
    d.get(tablet.url + "/#/vandaag")
    wait(d, "#search").send_keys("Stationsweg")
    wait(d, "#register-results .register-hit")
    problems += targets(d, "vandaag")
    d.find_element(By.ID, "add-on-site").click()
    wait(d, "#address-form")
    type_into(d.find_element(By.ID, "a-postcode"), "1431 EA")
    type_into(d.find_element(By.ID, "a-huisnummer"), "2")
    wait(d, "#use-existing")
    problems += targets(d, "nieuw adres")
    start_inspection(tablet, address["id"])
    three_bedrooms(d)
    type_into(d.find_element(By.ID, "f-dwelling-storeys"), 2)
    Select(d.find_element(By.ID, "lang-choice")).select_by_value("other")
    d.find_element(By.ID, "smoke-1").click()
    photo = tmp_path / "foto.jpg"
    photo.write_bytes(jpeg(13, size=300))
    d.find_element(By.ID, "photo-input").send_keys(str(photo))
    wait(d, "#photo-list img")
    saved(d)
    problems += targets(d, "inspectie")
    d.find_element(By.ID, "findings-open").click()
    wait(d, "#findings-dialog")
    problems += targets(d, "alle bevindingen")
    d.find_element(By.ID, "findings-close").click()
    submit(d)
    problems += targets(d, "ingediende inspectie")
    d.get(tablet.url + f"/#/adres/{address['id']}")
    wait(d, "#address-title")
    problems += targets(d, "adres")
    sync_now(tablet)
    problems += targets(d, "synchronisatie")
    assert problems == []


def test_languages_are_picked_by_name_and_kept_as_codes(synced: dict[str, Any], tablet: Tablet) -> None:
    start_inspection(tablet, synced["id"])
    d = tablet.driver
    names = [o.text for o in Select(d.find_element(By.ID, "lang-choice")).options]
    assert {"Pools", "Roemeens", "Bulgaars", "Oekraïens", "Andere taal"} <= set(names)
    Select(d.find_element(By.ID, "lang-choice")).select_by_visible_text("Pools")
    type_into(d.find_element(By.ID, "lang-count"), 3)
    d.find_element(By.ID, "lang-add").click()
    Select(d.find_element(By.ID, "lang-choice")).select_by_visible_text("Andere taal")
    type_into(wait(d, "#lang-other-code"), "ne")
    type_into(d.find_element(By.ID, "lang-count"), 1)
    d.find_element(By.ID, "lang-add").click()
    wait(d, "#languages .language[data-lang='ne']")
    saved(d)
    shown = d.find_element(By.ID, "languages").text
    assert "Pools" in shown and "3 personen" in shown and "Nepalees" in shown and "1 persoon" in shown, shown
    inspection_id = d.current_url.rsplit("/", 1)[1]
    stored = tablet.local("GET", f"/local/inspections/{inspection_id}").json()["inspection"]
    assert stored["occupants"]["languages"] == {"pl": 3, "ne": 1}


def test_times_read_in_dutch_local_time_and_dates_in_dutch(synced: dict[str, Any], tablet: Tablet) -> None:
    inspection = {"id": str(uuid.uuid4()), "address_id": synced["id"], "assignment_id": None, "kind": "controle",
                  "started_at": "2026-12-01T13:05:00+00:00", "finished_at": "2026-12-01T13:50:00+00:00",
                  "status": "submitted", "access": "granted", "rooms": [], "photos": [], "manual_findings": []}
    summer = {**inspection, "id": str(uuid.uuid4()), "started_at": "2026-07-01T12:00:00Z", "status": "draft",
              "finished_at": None}
    case = {"id": str(uuid.uuid4()), "number": "HH-2026-0001", "address_id": synced["id"], "status": "besluit",
            "status_label": "Besluit verzonden", "violations": [{"code": "ROOKMELDER", "title": "Geen rookmelder"}],
            "begunstigingstermijn_end": "2027-01-04", "hercontrole_on": "2027-01-05"}
    put_records(tablet, ("inspection", inspection), ("inspection", summer), ("case", case))
    d = tablet.driver
    d.get(tablet.url + "/#/vandaag")
    wait_text(d, "#assignments", "week 48 van 2026")
    d.get(tablet.url + f"/#/adres/{synced['id']}")
    wait(d, "#address-title")
    text = page_text(d)
    screenshot(d, "12-adres-tijden")
    assert "1 december 2026 14:05" in text and "1 juli 2026 14:00" in text, text
    assert "Begunstigingstermijn tot en met 4 januari 2027" in text and "5 januari 2027" in text, text
    d.get(tablet.url + f"/#/inspectie/{inspection['id']}")
    wait(d, "#submitted-tag")
    assert "Gestart op 1 december 2026 14:05" in page_text(d)
    assert "Ingediend op 1 december 2026 14:50" in page_text(d)
    texts = [text, page_text(d)]
    d.get(tablet.url + "/#/sync")
    wait(d, "#last-sync")
    assert re.search(r"Laatste geslaagde synchronisatie: \d{1,2} [a-z]+ \d{4} \d{2}:\d{2}\.",
                     d.find_element(By.ID, "last-sync").text)
    texts.append(page_text(d))
    for shown in texts:
        assert not ISO_MOMENT.search(shown), shown


def test_counts_storeys_and_postcodes_read_in_dutch(synced: dict[str, Any], tablet: Tablet) -> None:
    put_register(tablet, [register_entry(straat="Stationsweg", huisnummer=n, postcode="1431EA") for n in range(1, 10)]
                 + [register_entry(straat="Kanaalweg", huisnummer=1, postcode="1432AA")])
    case = {"id": str(uuid.uuid4()), "number": "HH-2026-0002", "address_id": synced["id"], "status": "voornemen",
            "status_label": "Voornemen verzonden", "violations": [], "begunstigingstermijn_end": None}
    put_records(tablet, ("case", case))
    d = tablet.driver
    d.get(tablet.url + "/#/vandaag")
    wait(d, "#search").send_keys("Stationsweg")
    wait_text(d, "#search-results", "In het adresregister (9 adressen)")
    type_into(d.find_element(By.ID, "search"), "Kanaalweg")
    wait_text(d, "#search-results", "In het adresregister (1 adres)")
    assert "1432 AA" in d.find_element(By.ID, "register-results").text
    d.get(tablet.url + f"/#/adres/{synced['id']}")
    wait(d, "#address-title")
    assert "1 lopende zaak" in page_text(d).lower()
    assert d.find_element(By.ID, "address-title").text == "Clematisstraat 7A, 1431 GH Aalsmeer"
    d.find_element(By.ID, "start-inspection").click()
    wait(d, "#inspection-form")
    Select(d.find_element(By.ID, "f-access")).select_by_value("granted")
    three_bedrooms(d)
    room(d, "r1", storey=0)
    smoke = d.find_element(By.ID, "smoke").text
    assert "Begane grond" in smoke and "1e verdieping" in smoke and "Verdieping 0" not in smoke, smoke
    assert "3 kamers" in page_text(d).lower()
    saved(d)
    submit(d)
    wait_text(d, "#net", "1 wijziging te verzenden")
    assert "1 wijziging" in d.find_element(By.ID, "net").text


def test_a_handhaver_finds_a_register_address_and_starts_an_inspection_there(synced: dict[str, Any],
                                                                          tablet: Tablet) -> None:
    entry = register_entry(straat="Dorpsstraat", huisnummer=12, huisletter="A", postcode="1431ZT")
    put_register(tablet, [entry, register_entry(straat="Dorpsstraat", huisnummer=12, postcode="1431ZT")])
    d = tablet.driver
    d.get(tablet.url + "/#/vandaag")
    for typed in ("1431 zt 12a", "1431ZT 12 a", "dorpsstraat 12A"):
        type_into(wait(d, "#search"), typed)
        wait_text(d, "#search-results", "In het adresregister (1 adres)")
        assert "Dorpsstraat 12A, 1431 ZT Aalsmeer" in d.find_element(By.ID, "register-results").text
    screenshot(d, "13-adresregister")
    d.find_element(By.CSS_SELECTOR, f".register-hit[data-id='{entry['id']}']").click()
    wait(d, "#from-register")
    assert d.find_element(By.ID, "address-title").text == "Dorpsstraat 12A, 1431 ZT Aalsmeer"
    d.find_element(By.ID, "start-inspection").click()
    wait(d, "#inspection-form")
    Select(d.find_element(By.ID, "f-access")).select_by_value("granted")
    saved(d)
    submit(d)
    store = tablet.store()
    try:
        queued = [(e["entity"], e["id"]) for e in store.outbox()]
        local = store.get("address", entry["id"])
    finally:
        store.close()
    assert [entity for entity, _ in queued] == ["inspection"], "the register address is never queued as new"
    assert local is not None and local["from_register"] is True and local["postcode"] == "1431ZT"


def test_adding_an_address_on_site_offers_the_register_address_instead(synced: dict[str, Any],
                                                                       tablet: Tablet) -> None:
    entry = register_entry(straat="Uiterweg", huisnummer=40, toevoeging="2", postcode="1431AD")
    put_register(tablet, [entry])
    d = tablet.driver
    d.get(tablet.url + "/#/nieuw-adres")
    wait(d, "#address-form")
    for name, value in {"straat": "Uiterweg", "huisnummer": 40, "toevoeging": "2", "postcode": "1431 ad"}.items():
        type_into(d.find_element(By.ID, f"a-{name}"), value)
    wait_text(d, "#address-exists", "Uiterweg 40-2, 1431 AD Aalsmeer")
    screenshot(d, "14-adres-bestaat-al")
    d.find_element(By.CSS_SELECTOR, "#address-form button[type='submit']").click()
    wait_text(d, "#address-exists", "Uiterweg 40-2")
    d.find_element(By.ID, "use-existing").click()
    wait(d, "#from-register")
    assert d.current_url.endswith(f"#/adres/{entry['id']}")
    store = tablet.store()
    try:
        assert store.outbox_size() == 0, "no duplicate address was queued"
    finally:
        store.close()
