"""The tablet app in real headless Chromium against a real field client and a real server."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from selenium.webdriver import Chrome as WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.browser import screenshot
from tests.sync_world import World, inspection_for
from tests.tablet_ui import (
    PORTRAIT,
    Tablet,
    browser,
    enrol,
    page_text,
    saved,
    start_inspection,
    submit,
    sync_now,
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


def test_record_an_inspection_with_live_findings_a_photo_submit_and_sync(world: World, tablet: Tablet,
                                                                         tmp_path: Path) -> None:
    address = world.address(brp_registered=7)
    enrol(world, tablet)
    sync_now(tablet)
    start_inspection(tablet, address["id"])
    d = tablet.driver
    three_bedrooms(d)
    wait(d, "#findings .finding[data-code='BEZETTING_SLAAPKAMER']")
    assert len(d.find_elements(By.CSS_SELECTOR, "#findings .finding[data-code='BEZETTING_SLAAPKAMER']")) == 1
    assert d.find_elements(By.CSS_SELECTOR, "#findings .notassessed"), "what is not yet assessed is shown"
    photo = tmp_path / "trap.jpg"
    photo.write_bytes(jpeg(11, size=400))
    d.find_element(By.ID, "photo-input").send_keys(str(photo))
    wait(d, "#photo-list img")
    saved(d)
    assert d.execute_script("return document.querySelector('#photo-list img').naturalWidth") > 0, "the photo shows"
    screenshot(d, "04-inspectie")
    shown = sorted({str(e.get_attribute("data-code")) for e in d.find_elements(By.CSS_SELECTOR, "#findings .finding")})
    submit(d)
    assert d.find_element(By.ID, "inspection-form").get_attribute("class") == "readonly"
    message = sync_now(tablet)
    screenshot(d, "05-synchronisatie")
    assert "Gesynchroniseerd" in message
    inspections = world.rest("GET", f"/api/v1/inspections?address_id={address['id']}")["items"]
    assert len(inspections) == 1
    got = world.rest("GET", f"/api/v1/inspections/{inspections[0]['id']}")
    assert sorted({f["code"] for f in got["findings"]}) == shown
    sha = got["photos"][0]["sha256"]
    assert (world.server.data / "attachments" / sha[:2] / sha).read_bytes() == photo.read_bytes()
    assert world.rest("GET", f"/api/v1/assignments?address_id={address['id']}")["items"][0]["status"] == "done"


def test_a_submitted_inspection_is_read_only_and_offers_only_a_correction(world: World, tablet: Tablet,
                                                                          tmp_path: Path) -> None:
    address = world.address()
    enrol(world, tablet)
    sync_now(tablet)
    start_inspection(tablet, address["id"])
    d = tablet.driver
    three_bedrooms(d)
    d.find_element(By.CSS_SELECTOR, "[data-path='fire_safety.fire_blanket'] button[data-value='false']").click()
    photo = tmp_path / "kamer.jpg"
    photo.write_bytes(jpeg(12, size=300))
    d.find_element(By.ID, "photo-input").send_keys(str(photo))
    wait(d, "#photo-list img")
    saved(d)
    submit(d)
    screenshot(d, "08-inspectie-ingediend")
    form = d.find_element(By.ID, "inspection-form")
    assert form.find_elements(By.TAG_NAME, "button") == [], "no add, edit or remove buttons in a submitted inspection"
    fields = form.find_elements(By.CSS_SELECTOR, "input, select, textarea")
    assert fields and all(not f.is_enabled() for f in fields), "every field is disabled"
    assert "Kamer toevoegen" not in page_text(d) and "Kamer verwijderen" not in page_text(d)
    assert form.find_element(By.CSS_SELECTOR, "[data-path='fire_safety.fire_blanket']").text == "Nee"
    buttons = [b.text for b in d.find_elements(By.CSS_SELECTOR, "main button") if not b.find_elements(
        By.XPATH, "ancestor::section[@id='rapport']")]
    assert buttons == ["Correctie maken"], "besides the rapport's own buttons"
    d.get(tablet.url + f"/#/adres/{address['id']}")
    wait(d, "#address-title")
    assert not d.find_elements(By.ID, "start-inspection"), "the submitted assignment is not offered again"
    assert "ingediend" in page_text(d)


def test_the_sync_screen_names_each_change_once_and_shows_no_null(world: World, tablet: Tablet) -> None:
    address = world.address()
    enrol(world, tablet)
    sync_now(tablet)
    store = tablet.store()
    try:  # an inspection the server refuses: its access is no known value
        store.queue("inspection", inspection_for(address["id"], access="misschien"))
    finally:
        store.close()
    sync_now(tablet)
    d = tablet.driver
    d.get(tablet.url + "/#/vandaag")
    wait(d, "#search").send_keys("Clematis")
    wait(d, "#add-on-site").click()
    wait(d, "#address-form")
    for name, value in {"straat": "Nieuwe Weg", "huisnummer": 3, "postcode": "1432 AB"}.items():
        type_into(d.find_element(By.ID, f"a-{name}"), value)
    d.find_element(By.CSS_SELECTOR, "#address-form button[type='submit']").click()
    wait(d, "#address-title")
    world.server.stop()
    try:
        store = tablet.store()
        try:
            store.queue("inspection", inspection_for(address["id"]))
        finally:
            store.close()
        message = sync_now(tablet)
        wait(d, "#outbox tr:nth-child(3)")
        screenshot(d, "09-synchronisatie-geweigerd")
        text = page_text(d)
    finally:
        world.server.start()
    assert "Geen verbinding met de server" in message
    assert "null" not in text and "undefined" not in text, text
    assert not re.search(r"\b(inspectie|adres)\s+\1\b", text, re.IGNORECASE), text
    assert "(en)" not in text, text
    assert "Clematisstraat 7A, 1431 GH Aalsmeer (ingediend)" in text, text
    assert "Nieuwe Weg 3, 1432 AB Aalsmeer" in text, text
    assert "1 wijziging geweigerd" in text and "2 wijzigingen op deze tablet" in text, text


def test_offline_submission_waits_for_the_network_and_arrives_later(world: World, driver: WebDriver,
                                                                    tmp_path: Path) -> None:
    address = world.address()
    tablet = Tablet(tmp_path / "veld-offline", driver, sync_every=2)
    try:
        enrol(world, tablet)
        sync_now(tablet)
        world.server.stop()
        start_inspection(tablet, address["id"])
        d = tablet.driver
        three_bedrooms(d)
        wait(d, "#findings .finding[data-code='BEZETTING_SLAAPKAMER']")
        saved(d)
        submit(d)
        message = sync_now(tablet)
        assert "Geen verbinding met de server" in message and "zodra er netwerk is" in message
        wait(d, "#outbox tr:nth-child(2)")
        screenshot(d, "06-wacht-op-netwerk")
        world.server.start()
        query = "SELECT id FROM inspections WHERE address_id = ? AND status = 'submitted'"
        deadline = time.time() + 30
        while time.time() < deadline and not world.db_rows(query, [address["id"]]):
            time.sleep(0.5)
        assert len(world.db_rows(query, [address["id"]])) == 1
    finally:
        if world.server.proc is None:
            world.server.start()
        tablet.close()


def test_a_reload_in_the_middle_of_a_draft_brings_every_field_back(world: World, tablet: Tablet) -> None:
    address = world.address()
    enrol(world, tablet)
    sync_now(tablet)
    start_inspection(tablet, address["id"])
    d = tablet.driver
    three_bedrooms(d)
    type_into(d.find_element(By.ID, "f-dwelling-floor_area_m2"), 64.5)
    type_into(d.find_element(By.ID, "f-occupants-present"), 6)
    d.find_element(By.CSS_SELECTOR, "[data-path='fire_safety.fire_blanket'] button[data-value='false']").click()
    type_into(d.find_element(By.ID, "f-notes"), "Zolder met matrassen.")
    saved(d)
    d.refresh()
    wait(d, "#inspection-form")
    assert d.find_element(By.ID, "f-dwelling-floor_area_m2").get_attribute("value") == "64.5"
    assert d.find_element(By.ID, "f-occupants-present").get_attribute("value") == "6"
    assert d.find_element(By.ID, "f-notes").get_attribute("value") == "Zolder met matrassen."
    assert Select(d.find_element(By.ID, "f-access")).first_selected_option.get_attribute("value") == "granted"
    on = d.find_element(By.CSS_SELECTOR, "[data-path='fire_safety.fire_blanket'] button.on")
    assert on.get_attribute("data-value") == "false"
    r3 = d.find_element(By.CSS_SELECTOR, ".room[data-room='r3']")
    assert r3.find_element(By.CSS_SELECTOR, "[data-room-field='occupants']").get_attribute("value") == "3"
    assert len(d.find_elements(By.CSS_SELECTOR, ".room")) == 3
    viewport(d, PORTRAIT)
    screenshot(d, "07-inspectie-staand")


def test_leaving_the_form_right_after_typing_keeps_what_was_typed(world: World, tablet: Tablet) -> None:
    address = world.address()
    enrol(world, tablet)
    sync_now(tablet)
    start_inspection(tablet, address["id"])
    d = tablet.driver
    saved(d)
    inspection_id = d.current_url.rsplit("/", 1)[1]
    d.find_element(By.ID, "f-notes").send_keys("Snel weg.")
    d.get(tablet.url + "/#/sync")  # within the autosave's delay
    wait_text(d, "h2", "Synchronisatie")
    deadline = time.time() + 10
    while time.time() < deadline:
        got = tablet.local("GET", f"/local/inspections/{inspection_id}").json()["inspection"]
        if got["notes"] == "Snel weg.":
            break
        time.sleep(0.1)
    assert got["notes"] == "Snel weg."


EXTERNAL = re.compile(r"""(?:https?:)?//(?!127\.0\.0\.1)[A-Za-z0-9.-]+\.[A-Za-z]{2,}""")


def test_no_page_or_asset_references_an_external_url(tablet: Tablet) -> None:
    page = requests.get(tablet.url + "/", timeout=10).text
    assets = re.findall(r"""(?:src|href)=["'](/[^"']+)""", page)
    assert {"/static/app.js", "/static/core.js", "/static/app.css", "/static/icon.svg"} <= set(assets)
    for url in ["/", *assets]:
        body = requests.get(tablet.url + url, timeout=10).text
        # The SVG namespace is an identifier, not a request.
        body = body.replace('xmlns="http://www.w3.org/2000/svg"', "")
        assert not EXTERNAL.findall(body), url
