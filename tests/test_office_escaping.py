"""Everything a tablet or an import wrote is shown inert on every office page: a crawl in Chromium.

A tablet pushes (real sync over HTTP) an inspection whose notes, room names, statements, photo caption and
stated landlord carry a script and an attribute breaking out of its quotes; an address (as an import or
the API writes it) and a party carry them in their street, notes and name. Then every page of the office
that these records reach (every GET page, the ids filled in with the poisoned records) is opened in a
real Chromium as each role: no script runs, no element gets the injected handler, and the text itself is
there to read, escaped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from flask import url_for
from PIL import Image
from selenium import webdriver
from selenium.webdriver.common.by import By

from tests.conftest import example
from tests.office import Office, browser_login, office_browser, running_office

SCRIPT = "<script>window.__xss=1</script>"
BREAKOUT = "\" onmouseover=\"window.__xss=1\" x=\""
POISON = f"{SCRIPT}{BREAKOUT}"


@pytest.fixture(scope="module")
def office() -> Iterator[Office]:
    with running_office() as office:
        yield office


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    with office_browser() as driver:
        yield driver


def api(office: Office, method: str, path: str, token: str, **kwargs: Any) -> requests.Response:
    return requests.request(method, office.url + path, headers={"Authorization": f"Bearer {token}"}, timeout=30,
                            **kwargs)


@pytest.fixture(scope="module")
def poisoned(office: Office) -> dict[str, str]:
    """Write the poisoned records the way a tablet and the office (or an import) write them."""
    lead = office.token
    assert lead is not None and office.code is not None
    address = {**example("overbewoond.json")["address"], "id": str(uuid.uuid4()), "straat": f"Weg{POISON}",
               "notes": f"Melding {POISON}", "huisnummer": 999}
    made = api(office, "POST", "/api/v1/addresses", lead, json=address)
    assert made.status_code == 201, made.text
    party = api(office, "POST", "/api/v1/parties", lead, json={
        "kind": "rechtspersoon", "name": f"Verhuur {POISON}",
        "postal_address": {"straat": f"Post{POISON}", "huisnummer": 1, "postcode": "1431 AB",
                           "woonplaats": "Aalsmeer"}})
    assert party.status_code == 201, party.text
    linked = api(office, "POST", f"/api/v1/addresses/{address['id']}/parties", lead,
                 json={"party_id": party.json()["id"], "role": "verhuurder", "from": "2026-01-01"})
    assert linked.status_code == 201, linked.text
    handhaver = office.db().execute("SELECT id FROM users WHERE name = 'handhaver1'").fetchone()[0]
    week = dt.date.today().isocalendar()
    assignment = api(office, "POST", "/api/v1/assignments", lead, json={
        "id": str(uuid.uuid4()), "address_id": address["id"], "inspector_id": handhaver,
        "week": f"{week.year}-W{week.week:02d}"})
    assert assignment.status_code == 201, assignment.text
    enrolled = requests.post(office.url + "/api/v1/devices/enroll", json={"code": office.code, "label": "xss"},
                             timeout=30).json()
    photo = jpeg()
    sha = hashlib.sha256(photo).hexdigest()
    tablet = {"Authorization": f"Bearer {enrolled['token']}"}
    uploaded = requests.put(f"{office.url}/api/v1/attachments/{sha}", data=photo, timeout=30, headers={
        **tablet, "Content-Type": "image/jpeg", "Content-Range": f"bytes 0-{len(photo) - 1}/{len(photo)}"})
    assert uploaded.status_code in (200, 201), uploaded.text
    inspection = {**example("overbewoond.json")["inspection"], "id": str(uuid.uuid4()),
                  "address_id": address["id"], "assignment_id": assignment.json()["id"], "notes": f"Notitie {POISON}",
                  "photos": [{"sha256": sha, "caption": f"Foto {POISON}", "room_id": None}],
                  "statements": [{"by_role": "bewoner", "text": f"Verklaring {POISON}", "cautie_given": True}],
                  "tenancy": {"landlord_stated": f"Baas {POISON}"}}
    inspection["rooms"] = [{**room, "name": f"K{i}{POISON}"} for i, room in enumerate(inspection["rooms"])]
    pushed = requests.post(office.url + "/api/v1/sync/push", timeout=30,
                           headers={"Authorization": f"Bearer {enrolled['token']}"},
                           json={"protocol": 2, "mutations": [{"seq": 1, "entity": "inspection", "op": "put",
                                                               "id": inspection["id"], "base_version": None,
                                                               "data": inspection}]})
    assert pushed.status_code == 200 and pushed.json()["results"][0]["status"] == "applied", pushed.text
    signed = requests.post(f"{office.url}/api/v1/inspections/{inspection['id']}/rapport/sign", headers=tablet,
                           json={}, timeout=30)
    assert signed.status_code == 200, signed.text
    case = api(office, "POST", "/api/v1/cases", lead, json={"inspection_id": inspection["id"]})
    assert case.status_code == 201, case.text
    case_id = case.json()["id"]
    against = api(office, "POST", f"/api/v1/cases/{case_id}/overtreders", lead, json={"overtreders": [
        {"party_id": party.json()["id"], "role": "verhuurder", "reason": f"Verhuurt {POISON}"}]})
    assert against.status_code == 200, against.text
    letter = api(office, "POST", f"/api/v1/cases/{case_id}/documents", lead,
                 json={"kind": "voornemen_lod", "toelichting": f"Toelichting {POISON}"})
    assert letter.status_code == 201, letter.text
    return {"address_id": address["id"], "inspection_id": inspection["id"], "case_id": case_id,
            "party_id": party.json()["id"], "assignment_id": assignment.json()["id"],
            "device_id": enrolled["device_id"], "user_id": handhaver, "name": "import-bag", "kind": "voornemen_lod",
            "action": "zienswijze_ontvangen", "document_id": letter.json()["id"]}


def jpeg() -> bytes:
    """Return a small real JPEG (a photo the server decodes whole)."""
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 90, 60)).save(out, "JPEG")
    return out.getvalue()


def pages(office: Office, ids: dict[str, str]) -> list[str]:
    """Every GET page of the office, with the poisoned records' ids where a page takes one."""
    urls = []
    with office.app.test_request_context():
        for rule in office.app.url_map.iter_rules():
            if not rule.endpoint.startswith("web.") or rule.endpoint == "web.static":
                continue
            if "GET" not in (rule.methods or ()):
                continue
            if all(argument in ids for argument in rule.arguments):
                values: dict[str, Any] = {a: ids[a] for a in rule.arguments}
                urls.append(url_for(rule.endpoint, **values))
    return sorted(set(urls))


def test_the_poisoned_text_reaches_no_page_unescaped(office: Office, poisoned: dict[str, str]) -> None:
    seen = 0
    for role in ("teamleider", "beheerder", "handhaver1"):
        http = office.session(role)
        for path in [*pages(office, poisoned), "/adressen?q=Weg", "/planning?q=Weg"]:
            answer = http.page(path)
            assert answer.status_code < 500, f"{path}: {answer.status_code}"
            assert "<script>window.__xss" not in answer.text, f"{path} as {role} carries the script unescaped"
            assert '" onmouseover="' not in answer.text, f"{path} as {role} carries the handler unescaped"
            seen += answer.text.count("&lt;script&gt;window.__xss")
    assert seen > 0  # the text is shown somewhere, escaped: the crawl reached the records


def test_no_script_runs_and_no_handler_exists_on_any_page_in_chromium(office: Office, browser: webdriver.Chrome,
                                                                    poisoned: dict[str, str]) -> None:
    for role in ("teamleider", "beheerder", "handhaver1"):
        browser_login(browser, office, role)
        for path in pages(office, poisoned):
            browser.get(office.url + path)
            browser.find_element(By.TAG_NAME, "h1")
            assert browser.execute_script("return window.__xss || 0") == 0, f"a script ran on {path} as {role}"
            handlers = browser.execute_script(
                "return Array.from(document.querySelectorAll('*')).filter(e => e.hasAttribute('onmouseover')).length")
            assert handlers == 0, f"{path} as {role} has an injected onmouseover"
