"""The tablet app in real headless Chromium against a real field client and a real server."""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.browser import screenshot, start_browser
from tests.processes import BIN, free_port
from tests.sync_world import World
from tests.test_attachments import jpeg


class Tablet:
    """A `woontoezicht-veld serve` process and a browser on it."""

    def __init__(self, data: Path, sync_every: int = 0) -> None:
        self.port = free_port()
        self.proc = subprocess.Popen([str(BIN / "woontoezicht-veld"), "serve", "--port", str(self.port),
                                      "--sync-every", str(sync_every), "--data", str(data)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f"http://127.0.0.1:{self.port}"
        for _ in range(200):
            try:
                requests.get(self.url + "/local/state", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.05)
        self.driver, _ = start_browser()

    def close(self) -> None:
        self.driver.quit()
        self.proc.terminate()
        self.proc.wait(timeout=10)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(tmp_path)
    yield w
    w.stop()


@pytest.fixture
def tablet(tmp_path: Path) -> Iterator[Tablet]:
    t = Tablet(tmp_path / "veld")
    yield t
    t.close()


def wait(driver: WebDriver, css: str, timeout: float = 10) -> WebElement:
    element: WebElement = WebDriverWait(driver, timeout).until(lambda d: d.find_element(By.CSS_SELECTOR, css))
    return element


def wait_text(driver: WebDriver, css: str, text: str, timeout: float = 10) -> None:
    WebDriverWait(driver, timeout).until(lambda d: text in d.find_element(By.CSS_SELECTOR, css).text)


def type_into(element: WebElement, value: Any) -> None:
    element.clear()
    element.send_keys(str(value))


def enrol(world: World, tablet: Tablet) -> None:
    d = tablet.driver
    d.get(tablet.url + "/")
    wait(d, "#enrol-form")
    screenshot(d, "01-koppelen")
    type_into(d.find_element(By.ID, "server"), world.server.url)
    type_into(d.find_element(By.ID, "code"), world.server.cli("device", "code", "hh1").stdout.strip())
    d.find_element(By.ID, "enrol").click()
    wait_text(d, "#who", "hh1")


def sync_now(tablet: Tablet) -> str:
    d = tablet.driver
    d.get(tablet.url + "/#/sync")
    wait(d, "#sync-now").click()
    WebDriverWait(d, 20).until(lambda x: "Synchroniseren..." not in x.find_element(By.ID, "sync-out").text)
    return str(d.find_element(By.ID, "sync-out").text)


def room(d: WebDriver, room_id: str, **values: Any) -> None:
    box = d.find_element(By.CSS_SELECTOR, f".room[data-room='{room_id}']")
    for field, value in values.items():
        type_into(box.find_element(By.CSS_SELECTOR, f"[data-room-field='{field}']"), value)


def start_inspection(tablet: Tablet, address_id: str) -> None:
    d = tablet.driver
    d.get(tablet.url + "/#/vandaag")
    wait(d, ".assignment")
    screenshot(d, "02-vandaag")
    d.find_element(By.CSS_SELECTOR, ".assignment").click()
    wait(d, "#address-title")
    screenshot(d, "03-adres")
    d.find_element(By.ID, "start-inspection").click()
    wait(d, "#inspection-form")
    Select(d.find_element(By.ID, "f-access")).select_by_value("granted")


def three_bedrooms(d: WebDriver) -> None:
    for _ in range(3):
        d.find_element(By.ID, "add-room").click()
    room(d, "r1", storey=1, area_m2=12, occupants=2)
    room(d, "r2", storey=1, area_m2=10, occupants=2)
    room(d, "r3", storey=1, area_m2=14, occupants=3)


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
    screenshot(d, "04-inspectie")
    shown = sorted({str(e.get_attribute("data-code")) for e in d.find_elements(By.CSS_SELECTOR, "#findings .finding")})
    d.find_element(By.ID, "submit").click()
    wait(d, "#confirm-yes").click()
    wait(d, "#submitted-tag")
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


def test_offline_submission_waits_for_the_network_and_arrives_later(world: World, tmp_path: Path) -> None:
    address = world.address()
    tablet = Tablet(tmp_path / "veld-offline", sync_every=2)
    try:
        enrol(world, tablet)
        sync_now(tablet)
        world.server.stop()
        start_inspection(tablet, address["id"])
        d = tablet.driver
        three_bedrooms(d)
        wait(d, "#findings .finding[data-code='BEZETTING_SLAAPKAMER']")
        saved(d)
        d.find_element(By.ID, "submit").click()
        wait(d, "#confirm-yes").click()
        wait(d, "#submitted-tag")
        message = sync_now(tablet)
        assert "Geen verbinding met de server" in message and "zodra er netwerk is" in message
        wait(d, "#outbox tr:nth-child(2)")
        screenshot(d, "06-wacht-op-netwerk")
        world.server.start()
        deadline = time.time() + 30
        while time.time() < deadline and not world.db_rows("SELECT id FROM inspections"):
            time.sleep(0.5)
        assert len(world.db_rows("SELECT id FROM inspections WHERE status = 'submitted'")) == 1
    finally:
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
    d.set_window_size(800, 1280)
    time.sleep(0.3)
    screenshot(d, "07-inspectie-staand")


EXTERNAL = re.compile(r"""(?:https?:)?//(?!127\.0\.0\.1)[A-Za-z0-9.-]+\.[A-Za-z]{2,}""")


def saved(d: WebDriver) -> None:
    """Wait until the draft's autosave has landed (the submit button saves too; this is for the screenshots)."""
    WebDriverWait(d, 10).until(lambda x: x.find_element(By.ID, "save-state").text == "Concept opgeslagen")


def test_no_page_or_asset_references_an_external_url(tablet: Tablet) -> None:
    page = requests.get(tablet.url + "/", timeout=10).text
    assets = re.findall(r"""(?:src|href)=["'](/[^"']+)""", page)
    assert {"/static/app.js", "/static/app.css", "/static/icon.svg"} <= set(assets)
    for url in ["/", *assets]:
        body = requests.get(tablet.url + url, timeout=10).text
        # The SVG namespace is an identifier, not a request.
        body = body.replace('xmlns="http://www.w3.org/2000/svg"', "")
        assert not EXTERNAL.findall(body), url
