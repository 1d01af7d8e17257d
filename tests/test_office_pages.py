"""Every office page, as the first role that may open it, at 1280x800 and at 1920x1080 in Chromium:
axe-core finds no serious or critical violation, nothing is wider than the window, and each page has
its heading. A crawl over the app's own routes, so a page added later is checked too."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import url_for
from selenium import webdriver
from selenium.webdriver.common.by import By

from tests.office import (
    Office,
    axe_violations,
    browser_login,
    office_browser,
    office_screenshot,
    running_office,
)

ROLES = ("teamleider", "beheerder", "handhaver1")


@pytest.fixture(scope="module")
def office() -> Iterator[Office]:
    with running_office() as office:
        yield office


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    with office_browser(1920, 1080) as driver:
        yield driver


def ids(office: Office) -> dict[str, str]:
    """Ids of the demo's records for the pages that take one: the whole enforcement case and its letter."""
    db = office.db()
    document, case_id = db.execute("SELECT id, case_id FROM documents WHERE case_id IS NOT NULL AND "
                                   "kind = 'besluit_lod' LIMIT 1").fetchone()
    return {
        "document_id": document, "case_id": case_id,
        "address_id": db.execute("SELECT address_id FROM cases WHERE id = ?", [case_id]).fetchone()[0],
        "inspection_id": db.execute("SELECT id FROM inspections WHERE status = 'submitted' LIMIT 1").fetchone()[0],
        "user_id": db.execute("SELECT id FROM users WHERE name = 'handhaver1'").fetchone()[0],
        "name": "import-bag", "kind": "waarschuwing", "action": "zienswijze_ontvangen",
    }


def pages(office: Office) -> list[str]:
    """Every GET page of the office with its ids filled in (a page whose id the demo lacks is left out)."""
    values = ids(office)
    urls = []
    with office.app.test_request_context():
        for rule in office.app.url_map.iter_rules():
            if not rule.endpoint.startswith("web.") or rule.endpoint in ("web.static", "web.audit_log_csv"):
                continue
            if "GET" in (rule.methods or ()) and all(a in values for a in rule.arguments):
                chosen: dict[str, Any] = {a: values[a] for a in rule.arguments}
                urls.append(url_for(rule.endpoint, **chosen))
    return sorted(set(urls))


def test_every_page_is_accessible_and_fits_at_1280_and_1920(office: Office, browser: webdriver.Chrome) -> None:
    checked: dict[str, str] = {}
    problems: list[str] = []
    case_page = f"/zaken/{ids(office)['case_id']}"
    for role in ROLES:
        browser_login(browser, office, role)
        for path in pages(office):
            if path in checked:
                continue
            browser.get(office.url + path)
            heading = browser.find_elements(By.TAG_NAME, "h1")
            if heading and heading[0].text in ("Geen toegang",):
                continue  # another role's page: the next role checks it
            checked[path] = role
            if path == "/login":
                continue  # signed in, it sends on to the start page (the sign-in page has its own test)
            for width, height in ((1920, 1080), (1280, 800)):
                browser.set_window_size(width, height)
                browser.get(office.url + path)
                assert browser.find_elements(By.TAG_NAME, "h1"), f"{path} has no heading"
                violations = axe_violations(browser)
                if violations:
                    problems.append(f"{path} ({role}, {width}): {violations}")
                overflow = browser.execute_script(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
                if overflow > 0:
                    problems.append(f"{path} ({role}, {width}): {overflow} px wider than the window")
            if path in ("/", "/zaken", case_page, "/planning", "/taken"):
                browser.set_window_size(1920, 1080)
                browser.get(office.url + path)
                name = "zaak" if path == case_page else path.strip("/") or "overzicht"
                office_screenshot(browser, f"1920-{name}-{role}")
        browser.set_window_size(1920, 1080)
    assert problems == []
    assert len(checked) >= 25  # the crawl reached the pages, not only the sign-in page
    assert {"teamleider", "beheerder", "handhaver1"} <= set(checked.values())
