"""The rapport van bevindingen on the tablet, in real headless Chromium against a real field client and a real
server: shown in the page when online, signed by the toezichthouder who made the inspection, and offline a message
that it waits for a connection."""

from __future__ import annotations

import base64
import datetime as dt
import io
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date
from pypdf import PdfReader
from selenium.webdriver import Chrome as WebDriver
from selenium.webdriver.common.by import By

from tests.browser import screenshot
from tests.sync_world import World
from tests.tablet_ui import (
    Tablet,
    browser,
    enrol,
    page_text,
    put_records,
    saved,
    start_inspection,
    submit,
    sync_now,
    targets,
    three_bedrooms,
    wait,
    wait_text,
)

SHOWN_PDF = """
const done = arguments[arguments.length - 1];
fetch(document.getElementById('rapport-pdf').src).then((r) => r.arrayBuffer()).then((buffer) => {
  const bytes = new Uint8Array(buffer); let text = '';
  for (let i = 0; i < bytes.length; i += 8192) text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  done(btoa(text));
});
"""


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


def submitted(world: World, tablet: Tablet, send: bool = True) -> str:
    """Enrol hh1's tablet, record and submit an inspection of his address (and send it); return its id."""
    address = world.address()
    enrol(world, tablet)
    sync_now(tablet)
    start_inspection(tablet, address["id"])
    d = tablet.driver
    three_bedrooms(d)
    saved(d)
    submit(d)
    inspection_id = d.current_url.rsplit("/", 1)[1]
    if send:
        assert "Gesynchroniseerd" in sync_now(tablet)
    return inspection_id


def open_inspection(tablet: Tablet, inspection_id: str) -> None:
    tablet.driver.get(tablet.url + f"/#/inspectie/{inspection_id}")
    wait(tablet.driver, "#submitted-tag")


def shown_pdf_text(d: WebDriver) -> str:
    """Return the text of the PDF the page shows: its object URL read back with the page's CSP lifted for the test.

    The app's CSP lets the page frame that URL but not fetch it, so the test lifts the CSP, reloads (the page
    fetches the rapport again) and reads the new URL; the CSP is back in force afterwards.
    """
    d.execute_cdp_cmd("Page.setBypassCSP", {"enabled": True})
    try:
        d.refresh()
        wait(d, "#rapport-pdf", timeout=30)
        pdf = base64.b64decode(d.execute_async_script(SHOWN_PDF))
    finally:
        d.execute_cdp_cmd("Page.setBypassCSP", {"enabled": False})
        d.refresh()
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def csp_violations(d: WebDriver) -> list[str]:
    """Return what the browser refused under the page's Content Security Policy since last asked."""
    return [e["message"] for e in d.get_log("browser") if "Content Security Policy" in e["message"]]


def rapport_rows(world: World, inspection_id: str) -> list[tuple[Any, ...]]:
    return world.db_rows("SELECT status, kenmerk, approved_by FROM documents WHERE inspection_id = ? "
                         "AND kind = 'rapport' AND version_of IS NULL", [inspection_id])


def test_the_toezichthouder_reads_his_rapport_in_the_page_and_signs_it(world: World, tablet: Tablet) -> None:
    inspection_id = submitted(world, tablet)
    d = tablet.driver
    csp_violations(d)
    open_inspection(tablet, inspection_id)
    wait(d, "#rapport-pdf", timeout=30)
    [(status, kenmerk, _)] = rapport_rows(world, inspection_id)
    assert status == "concept"
    assert kenmerk in d.find_element(By.ID, "rapport-concept").text
    assert d.find_element(By.ID, "rapport-pdf").size["height"] > 400, "the rapport is shown, not a sliver"
    assert csp_violations(d) == [], "the page may show the PDF it fetched"
    text = shown_pdf_text(d)
    assert "clematisstraat 7a, 1431 gh aalsmeer" in text.lower() and "CONCEPT" in text, text
    wait(d, "#rapport-pdf", timeout=30)
    d.execute_script("document.getElementById('rapport').scrollIntoView()")
    screenshot(d, "23-rapport")
    problems = targets(d, "rapport")
    d.find_element(By.ID, "sign").click()
    wait(d, "#sign-dialog")
    problems += targets(d, "ondertekenen")
    assert "Ik heb dit rapport naar waarheid opgemaakt" in d.find_element(By.ID, "sign-dialog").text
    assert not d.find_element(By.ID, "sign-yes").is_enabled(), "only once he confirms it is true"
    d.find_element(By.ID, "sign-truth").click()
    screenshot(d, "24-rapport-ondertekenen")
    d.find_element(By.ID, "sign-yes").click()
    wait_text(d, "#sign-out", "volledige naam")  # the server's refusal, in the dialog: nothing was signed
    assert rapport_rows(world, inspection_id)[0][0] == "concept"
    done = world.server.cli("user", "set", "hh1", "--full-name", "Jan de Wit", "--function", "toezichthouder wonen",
                            "--aanwijzing", "AW-2026-003", "--legitimation", "TZ-0412")
    assert done.returncode == 0, done.stderr
    d.find_element(By.ID, "sign-yes").click()
    today = format_date(dt.datetime.now(ZoneInfo("Europe/Amsterdam")).date(), "d MMMM y", locale="nl")
    wait_text(d, "#rapport-signed", f"Ondertekend op {today}, kenmerk {kenmerk}.")
    assert rapport_rows(world, inspection_id) == [("approved", kenmerk, world.users["hh1"]["id"])]
    wait(d, "#rapport-open")
    assert not d.find_elements(By.ID, "sign"), "a signed rapport is not signed again"
    d.execute_script("document.getElementById('rapport').scrollIntoView()")
    screenshot(d, "25-rapport-ondertekend")
    problems += targets(d, "ondertekend rapport")
    assert problems == []
    d.refresh()  # opened again later: the server says it is signed
    wait_text(d, "#rapport-signed", f"Ondertekend, kenmerk {kenmerk}.", timeout=30)
    assert not d.find_elements(By.ID, "sign")
    text = shown_pdf_text(d)
    assert "clematisstraat 7a, 1431 gh aalsmeer" in text.lower() and "CONCEPT" not in text, text


def test_offline_the_rapport_waits_for_a_connection(world: World, tablet: Tablet) -> None:
    inspection_id = submitted(world, tablet)
    d = tablet.driver
    world.server.stop()
    try:
        open_inspection(tablet, inspection_id)
        wait_text(d, "#rapport-body", "Het rapport kunt u bekijken en ondertekenen zodra er verbinding is.", timeout=30)
        screenshot(d, "26-rapport-offline")
        assert not d.find_elements(By.ID, "sign") and not d.find_elements(By.ID, "rapport-pdf")
    finally:
        world.server.start()
    d.find_element(By.ID, "rapport-retry").click()
    wait(d, "#rapport-pdf", timeout=30)
    assert d.find_element(By.ID, "sign").is_enabled()


def test_a_rapport_waits_until_its_inspection_was_sent(world: World, tablet: Tablet) -> None:
    inspection_id = submitted(world, tablet, send=False)
    d = tablet.driver
    wait_text(d, "#rapport-body", "wacht nog op verzending")
    assert not d.find_elements(By.ID, "sign")
    assert rapport_rows(world, inspection_id) == []


def test_only_the_inspections_own_toezichthouder_sees_its_rapport_part(world: World, tablet: Tablet) -> None:
    address = world.address()
    enrol(world, tablet)
    sync_now(tablet)
    theirs = {"id": str(uuid.uuid4()), "address_id": address["id"], "assignment_id": None, "kind": "controle",
              "inspector_id": world.users["hh2"]["id"], "started_at": "2026-11-30T09:00:00+00:00",
              "finished_at": "2026-11-30T09:30:00+00:00", "status": "submitted", "access": "granted",
              "rooms": [], "photos": [], "manual_findings": []}
    put_records(tablet, ("inspection", theirs))
    open_inspection(tablet, theirs["id"])
    assert not tablet.driver.find_elements(By.ID, "rapport")
    assert "Ondertekenen" not in page_text(tablet.driver)
