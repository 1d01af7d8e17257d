"""Helpers for the tablet app's browser tests: a `woontoezicht-veld serve` process and the steps a handhaver takes."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import requests
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, TimeoutException
from selenium.webdriver import Chrome
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select, WebDriverWait

from field_client.tablet_store import TabletStore
from tests.browser import screenshot, start_browser
from tests.processes import BIN, free_port
from tests.sync_world import World

LANDSCAPE, PORTRAIT = (1280, 800), (800, 1280)
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def browser() -> Iterator[Chrome]:
    """Yield one headless Chromium (for a module-scoped fixture) and remove its profile afterwards."""
    driver, profile = start_browser()
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def viewport(driver: WebDriver, size: tuple[int, int]) -> None:
    """Give the page exactly this many CSS pixels (1280x800 landscape, 800x1280 portrait)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": size[0], "height": size[1], "deviceScaleFactor": 1, "mobile": False})


class LocalServer:
    """A `woontoezicht-veld serve` process on its own data folder."""

    def __init__(self, data: Path, sync_every: int = 0) -> None:
        self.data, self.port = data, free_port()
        self.proc = subprocess.Popen([str(BIN / "woontoezicht-veld"), "serve", "--port", str(self.port),
                                      "--sync-every", str(sync_every), "--data", str(data)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f"http://127.0.0.1:{self.port}"
        for _ in range(400):
            try:
                requests.get(self.url + "/", timeout=10)
                break
            except (requests.ConnectionError, requests.Timeout):  # still starting
                time.sleep(0.05)

    def store(self) -> TabletStore:
        """Open this tablet's store beside the running app (SQLite WAL: both may use it)."""
        return TabletStore(self.data)

    def secret(self) -> str:
        """Return the local secret the app's page carries."""
        store = self.store()
        try:
            return str(store.get_state("local_secret"))
        finally:
            store.close()

    def local(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Call the local API as the app does (with the secret)."""
        headers = {"X-Local-Secret": self.secret(), **kwargs.pop("headers", {})}
        return requests.request(method, self.url + path, headers=headers, timeout=30, **kwargs)

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


class Tablet(LocalServer):
    """A local server shown in the module's browser, which starts on a blank page in landscape."""

    def __init__(self, data: Path, driver: Chrome, sync_every: int = 0) -> None:
        super().__init__(data, sync_every)
        self.driver = driver
        viewport(driver, LANDSCAPE)
        driver.get("about:blank")


# A screen replaces its elements as it renders: an element found a moment ago may be gone.
REDRAWN = (NoSuchElementException, StaleElementReferenceException)


def wait(driver: WebDriver, css: str, timeout: float = 10) -> WebElement:
    element: WebElement = WebDriverWait(driver, timeout, ignored_exceptions=REDRAWN).until(
        lambda d: d.find_element(By.CSS_SELECTOR, css))
    return element


def wait_text(driver: WebDriver, css: str, text: str, timeout: float = 10) -> None:
    try:
        WebDriverWait(driver, timeout, ignored_exceptions=REDRAWN).until(
            lambda d: text in d.find_element(By.CSS_SELECTOR, css).text)
    except TimeoutException:
        raise AssertionError(f"{text!r} not in {css} after {timeout} s; the page says:\n{page_text(driver)}") from None


def type_into(element: WebElement, value: Any) -> None:
    element.clear()
    element.send_keys(str(value))


def page_text(driver: WebDriver) -> str:
    return str(driver.find_element(By.TAG_NAME, "body").text)


def enrol(world: World, tablet: Tablet, user: str = "hh1") -> None:
    d = tablet.driver
    d.get(tablet.url + "/")
    wait(d, "#enrol-form")
    screenshot(d, "01-koppelen")
    type_into(d.find_element(By.ID, "server"), world.server.url)
    type_into(d.find_element(By.ID, "code"), world.server.cli("device", "code", user).stdout.strip())
    d.find_element(By.ID, "enrol").click()
    wait_text(d, "#who", user, timeout=30)  # a busy server's enrolment can take a while


def sync_now(tablet: Tablet) -> str:
    d = tablet.driver
    d.get(tablet.url + "/#/sync")
    wait(d, "#sync-now").click()
    WebDriverWait(d, 20, ignored_exceptions=REDRAWN).until(
        lambda x: "Synchroniseren..." not in x.find_element(By.ID, "sync-out").text)
    return str(d.find_element(By.ID, "sync-out").text)


def room(d: WebDriver, room_id: str, **values: Any) -> None:
    box = d.find_element(By.CSS_SELECTOR, f".room[data-room='{room_id}']")
    for field, value in values.items():
        target = box.find_element(By.CSS_SELECTOR, f"[data-room-field='{field}']")
        if target.tag_name == "select":
            Select(target).select_by_value(str(value))
            box = d.find_element(By.CSS_SELECTOR, f".room[data-room='{room_id}']")  # a storey re-renders the form
        else:
            type_into(target, value)


def start_inspection(tablet: Tablet, address_id: str) -> None:
    d = tablet.driver
    d.get(tablet.url + "/#/vandaag")
    wait(d, f".assignment[data-address='{address_id}']")
    screenshot(d, "02-vandaag")
    d.find_element(By.CSS_SELECTOR, f".assignment[data-address='{address_id}']").click()
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


def saved(d: WebDriver) -> None:
    """Wait until the draft's autosave has landed (the submit button saves too; this is for the screenshots)."""
    WebDriverWait(d, 10, ignored_exceptions=REDRAWN).until(
        lambda x: x.find_element(By.ID, "save-state").text == "Concept opgeslagen")


def submit(d: WebDriver) -> None:
    d.find_element(By.ID, "submit").click()
    wait(d, "#confirm-yes").click()
    wait(d, "#submitted-tag")


def register_entry(**values: Any) -> dict[str, Any]:
    """Return one pull entry of the offline address register."""
    data = {"id": str(uuid.uuid4()), "postcode": "1431ZT", "huisnummer": 12, "huisletter": None, "toevoeging": None,
            "straat": "Dorpsstraat", "woonplaats": "Aalsmeer", "bag_id": None, "gemeentecode": "0358", **values}
    return {"entity": "register", "id": data["id"], "version": 1, "op": "put", "data": data}


def put_register(tablet: Tablet, entries: list[dict[str, Any]]) -> None:
    """Put register entries into the tablet store the way a pull page does (keeping the cursor the server gave)."""
    store = tablet.store()
    try:
        store.apply_page(entries, store.get_state("cursor"), False)
    finally:
        store.close()


def put_records(tablet: Tablet, *records: tuple[str, dict[str, Any]]) -> None:
    """Put synced records (entity, data) into the tablet store the way a pull page does."""
    store = tablet.store()
    try:
        store.apply_page([{"entity": e, "id": r["id"], "version": 1, "op": "put", "data": r} for e, r in records],
                         store.get_state("cursor"), False)
    finally:
        store.close()


MEASURE = """
const out = [];
for (const e of document.querySelectorAll('button, input, select, textarea, a[href]')) {
  const r = e.getBoundingClientRect();
  if (r.width === 0 && r.height === 0) continue;  // not shown
  const name = e.id || e.dataset.path || e.dataset.roomField || e.textContent.trim().slice(0, 40) || e.type;
  const tag = e.tagName.toLowerCase();
  if (r.width < 48 || r.height < 48) out.push(`${tag} ${name}: ${Math.round(r.width)}x${Math.round(r.height)}`);
  if (['BUTTON', 'A'].includes(e.tagName) && (e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1))
    out.push(`${tag} ${name}: text overflows its box`);
}
return out;
"""


def targets(d: WebDriver, screen: str) -> list[str]:
    """Return every too small or overflowing touch target on the screen, in landscape and in portrait."""
    problems = []
    for size in (LANDSCAPE, PORTRAIT):
        viewport(d, size)
        problems += [f"{screen} {size[0]}x{size[1]}: {p}" for p in d.execute_script(MEASURE)]
    viewport(d, LANDSCAPE)
    return problems
