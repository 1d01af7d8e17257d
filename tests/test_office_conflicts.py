"""Conflicten: two tablets change one address field (the real sync path over HTTP), the team lead sees both
values side by side and keeps one or types a third; the choice is audited, becomes the record's next version
and reaches the tablets with their next pull. In a real Chromium checked by axe-core as well."""

from __future__ import annotations

import html
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from field_client.sync_engine import SyncEngine
from field_client.tablet_store import TabletStore
from schemas.address import LOCATION_TYPES
from server.auth import create_enrol_code, find_user
from tests.office import (
    Office,
    axe_violations,
    browser_login,
    navigate,
    office_browser,
    office_screenshot,
    running_office,
)
from tests.sync_world import inspection_for


@dataclass
class Tablets:
    """Two handhavers' tablets that both hold one address, to make conflicts on it."""

    office: Office
    address_id: str
    one: tuple[TabletStore, SyncEngine]
    two: tuple[TabletStore, SyncEngine]

    def clash(self, field: str, server_value: Any, device_value: Any) -> dict[str, Any]:
        """Let tablet one change a field, then tablet two (from the older version): return the conflict made."""
        (one, e1), (two, e2) = self.one, self.two
        e1.cycle()
        e2.cycle()
        assert (one.get("address", self.address_id) or {}).get(field) != server_value, "pick a value that changes"
        one.queue("address", {**(one.get("address", self.address_id) or {}), field: server_value})
        assert e1.cycle().applied == 1
        two.queue("address", {**(two.get("address", self.address_id) or {}), field: device_value})
        assert e2.cycle().conflicts == 1
        return open_conflict(self.office, self.address_id, field)


def open_conflict(office: Office, record_id: str, field: str) -> dict[str, Any]:
    db = office.db()
    found = db.execute("SELECT id, server_value, device_value FROM conflicts WHERE record_id = ? AND field = ? AND "
                       "resolved_at IS NULL ORDER BY created_at DESC LIMIT 1", [record_id, field]).fetchone()
    assert found, "no conflict was recorded"
    return {"id": found[0], "server_value": found[1], "device_value": found[2]}


def rest(office: Office, method: str, path: str, body: Any = None) -> Any:
    answer = requests.request(method, office.url + path, json=body, timeout=10,
                              headers={"Authorization": f"Bearer {office.token}"})
    assert answer.status_code < 400, answer.text
    return answer.json()


def tablet(office: Office, user_name: str) -> tuple[TabletStore, SyncEngine]:
    user = find_user(office.db(), user_name)
    assert user is not None
    store = TabletStore(office.root / f"tablet-{user_name}-{uuid.uuid4().hex[:6]}")
    engine = SyncEngine(store, attempts=2, backoff=0.05, timeout=10)
    engine.enroll(office.url, create_enrol_code(office.db(), user["id"], None, 1), f"tablet {user_name}")
    return store, engine


def open_assignments(office: Office, user_name: str) -> list[dict[str, Any]]:
    user = find_user(office.db(), user_name)
    assert user is not None
    found = office.db().execute("SELECT id, address_id FROM assignments WHERE inspector_id = ? AND status = 'open' "
                                "AND deleted = 0 ORDER BY id", [user["id"]]).fetchall()
    return [{"id": r[0], "address_id": r[1]} for r in found]


@pytest.fixture(scope="module")
def office() -> Iterator[Office]:
    with running_office() as office:
        yield office


@pytest.fixture(scope="module")
def tablets(office: Office) -> Iterator[Tablets]:
    planned = open_assignments(office, "handhaver1")[0]
    shared = planned["address_id"]
    helper = find_user(office.db(), "handhaver2")
    assert helper is not None
    when = {k: v for k, v in rest(office, "GET", f"/api/v1/assignments/{planned['id']}").items()
            if k in ("week", "due") and v}
    rest(office, "POST", "/api/v1/assignments", {"address_id": shared, "inspector_id": helper["id"], **when})
    made = Tablets(office, shared, tablet(office, "handhaver1"), tablet(office, "handhaver2"))
    yield made
    for store, engine in (made.one, made.two):
        engine.close()
        store.close()


@pytest.fixture(scope="module")
def lead(office: Office) -> Any:
    return office.session("teamleider")


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    with office_browser() as driver:
        yield driver


def address(office: Office, address_id: str) -> dict[str, Any]:
    found: dict[str, Any] = rest(office, "GET", f"/api/v1/addresses/{address_id}")
    return found


def resolved(office: Office, conflict_id: str) -> tuple[Any, Any]:
    row = office.db().execute("SELECT resolved_at, resolved_by FROM conflicts WHERE id = ?", [conflict_id]).fetchone()
    return row[0], row[1]


def test_the_page_shows_the_address_the_field_and_both_values_side_by_side_escaped(office: Office, tablets: Tablets,
                                                                                  lead: Any) -> None:
    conflict = tablets.clash("notes", "Bel aan achter", 'Hond <script>alert(1)</script> " onmouseover="x')
    page = lead.page("/conflicten")
    assert page.status_code == 200
    current = address(office, tablets.address_id)
    assert f"Adres {current['straat']} {current['huisnummer']}" in page.text
    section = next(part for part in page.text.split('<section class="conflict card"') if conflict["id"] in part)
    assert f'action="/conflicten/{conflict["id"]}#conflict-{conflict["id"]}"' in section  # back at it after a refusal
    assert "Notities" in section and "Bel aan achter" in section
    assert "Hond &lt;script&gt;alert(1)&lt;/script&gt; &#34; onmouseover=&#34;x" in section
    assert "<script>alert(1)" not in page.text
    assert "door Fatima el Amrani met de tablet ‘tablet handhaver2’" in section  # who sent the tablet's value
    logged = office.db().execute("SELECT detail FROM audit_log WHERE action = 'list' AND entity = 'conflict' "
                                 "ORDER BY id DESC LIMIT 1").fetchone()
    assert logged and conflict["id"] in logged[0]


def test_keeping_the_tablets_value_is_a_new_version_audited_and_pulled_by_the_tablets(
        office: Office, tablets: Tablets, lead: Any) -> None:
    conflict = tablets.clash("notes", "Sleutel bij de buren", "Sleutel onder de mat")
    before = address(office, tablets.address_id)
    assert before["notes"] == "Sleutel bij de buren"
    lead.page("/conflicten")
    done = lead.submit(f"/conflicten/{conflict['id']}", {"choice": "device", "value": ""})
    assert done.status_code == 302
    after = address(office, tablets.address_id)
    assert (after["notes"], after["version"]) == ("Sleutel onder de mat", before["version"] + 1)
    when, who = resolved(office, conflict["id"])
    lead_user = find_user(office.db(), "teamleider")
    assert when and lead_user and who == lead_user["id"]
    audit = office.db().execute("SELECT user_id, detail FROM audit_log WHERE action = 'resolve' AND record_id = ?",
                                [conflict["id"]]).fetchone()
    assert audit and audit[0] == lead_user["id"] and json.loads(audit[1])["choice"] == "device"
    assert conflict["id"] not in lead.page("/conflicten").text  # no longer waiting
    (one, e1), (two, e2) = tablets.one, tablets.two
    assert one.get("address", tablets.address_id)["notes"] == "Sleutel bij de buren"  # type: ignore[index]
    assert e1.cycle().pulled >= 1
    assert one.get("address", tablets.address_id)["notes"] == "Sleutel onder de mat"  # type: ignore[index]
    e2.cycle()
    assert two.get("address", tablets.address_id)["notes"] == "Sleutel onder de mat"  # type: ignore[index]


def test_keeping_the_servers_value_still_makes_a_version_the_tablets_pull(office: Office, tablets: Tablets,
                                                                         lead: Any) -> None:
    kinds = [k for k in LOCATION_TYPES if k != address(office, tablets.address_id)["location_type"]]
    conflict = tablets.clash("location_type", kinds[0], kinds[1])
    before = address(office, tablets.address_id)
    lead.page("/conflicten")
    assert lead.submit(f"/conflicten/{conflict['id']}", {"choice": "server"}).status_code == 302
    after = address(office, tablets.address_id)
    assert (after["location_type"], after["version"]) == (kinds[0], before["version"] + 1)
    store, engine = tablets.two
    engine.cycle()
    assert store.meta("address", tablets.address_id)["version"] == after["version"]  # type: ignore[index]


@pytest.mark.parametrize(("field", "server_value", "device_value", "typed", "message"), [
    ("floor_area_m2", 80.0, 95.0, "veel", "Geen geldig getal."),
    ("floor_area_m2", 80.5, 95.0, "0", "Moet groter dan 0"),
    ("location_type", None, None, "kasteel", "Moet een van deze waarden zijn"),
    ("huisletter", "A", "B", "AB", "Een huisletter is precies één letter."),
])
def test_a_typed_third_value_is_judged_by_the_address_schema_and_kept_with_nothing_written(
        office: Office, tablets: Tablets, lead: Any, field: str, server_value: Any, device_value: Any, typed: str,
        message: str) -> None:
    if field == "location_type":
        server_value, device_value = [k for k in LOCATION_TYPES
                                      if k not in (address(office, tablets.address_id)["location_type"],
                                                   "bedrijventerrein")][:2]
    conflict = tablets.clash(field, server_value, device_value)
    before = address(office, tablets.address_id)
    lead.page("/conflicten")
    refused = lead.submit(f"/conflicten/{conflict['id']}", {"choice": "other", "value": typed})
    assert refused.status_code == 422
    error = re.search(r'<p class="error" id="c\d+-value-error">([^<]+)</p>', refused.text)
    assert error and message in html.unescape(error.group(1))
    kept = f'value="{typed}" selected' if field == "location_type" else f'value="{typed}"'
    assert kept in refused.text or field == "location_type"
    assert 'value="other" checked' in refused.text
    assert address(office, tablets.address_id)["version"] == before["version"]
    assert resolved(office, conflict["id"]) == (None, None)
    good = {"floor_area_m2": "62,5", "location_type": "bedrijventerrein", "huisletter": "C"}[field]
    assert lead.submit(f"/conflicten/{conflict['id']}", {"choice": "other", "value": good}).status_code == 302
    expected = {"floor_area_m2": 62.5, "location_type": "bedrijventerrein", "huisletter": "C"}[field]
    assert address(office, tablets.address_id)[field] == expected


def test_a_cancelled_assignment_done_on_a_tablet_can_be_set_back_to_cancelled(office: Office, tablets: Tablets,
                                                                             lead: Any) -> None:
    planned = open_assignments(office, "handhaver1")[-1]
    rest(office, "PATCH", f"/api/v1/assignments/{planned['id']}", {"status": "cancelled"})
    store, engine = tablets.one
    store.queue("inspection", inspection_for(planned["address_id"], assignment_id=planned["id"]))
    engine.cycle()
    conflict = open_conflict(office, planned["id"], "status")
    page = lead.page("/conflicten")
    assert "Opdracht (" in page.text and "Geannuleerd" in page.text and "Uitgevoerd" in page.text
    before = rest(office, "GET", f"/api/v1/assignments/{planned['id']}")
    assert before["status"] == "done"
    assert lead.submit(f"/conflicten/{conflict['id']}", {"choice": "server"}).status_code == 302
    after = rest(office, "GET", f"/api/v1/assignments/{planned['id']}")
    assert (after["status"], after["version"]) == ("cancelled", before["version"] + 1)


def refusal(page: Any) -> str:
    """Return the message shown at the choice or the typed value of a refused resolution."""
    found = re.search(r'<p class="error" id="c\d+-(?:value|choice)-error">([^<]+)</p>', page.text)
    assert found, "no message at the field"
    return html.unescape(found.group(1))


def assignment_version(office: Office, assignment_id: str) -> tuple[str, int]:
    found = rest(office, "GET", f"/api/v1/assignments/{assignment_id}")
    return found["status"], found["version"]


def test_a_visit_done_after_its_cancellation_is_not_reopened_by_a_typed_value_but_may_stay_done(
        office: Office, tablets: Tablets, lead: Any) -> None:
    planned = open_assignments(office, "handhaver1")[-1]
    rest(office, "PATCH", f"/api/v1/assignments/{planned['id']}", {"status": "cancelled"})
    store, engine = tablets.one
    store.queue("inspection", inspection_for(planned["address_id"], assignment_id=planned["id"]))
    engine.cycle()
    conflict = open_conflict(office, planned["id"], "status")
    before = assignment_version(office, planned["id"])
    assert before[0] == "done"
    lead.page("/conflicten")
    for typed in ("open", "no_access"):
        refused = lead.submit(f"/conflicten/{conflict['id']}", {"choice": "other", "value": typed})
        assert refused.status_code == 409
        assert "Een afgeronde of geannuleerde opdracht verandert niet meer." in refusal(refused)
        assert assignment_version(office, planned["id"]) == before
        assert resolved(office, conflict["id"]) == (None, None)
    from server.sync import record_conflict
    record_conflict(office.db(), "assignment", planned["id"], "instructions", None, "Achterom", before[1], None,
                    None, "Veld is op de server en op de tablet gewijzigd.")
    other_field = open_conflict(office, planned["id"], "instructions")
    refused = lead.submit(f"/conflicten/{other_field['id']}", {"choice": "device"})
    assert refused.status_code == 409
    assert "Een afgeronde of geannuleerde opdracht verandert niet meer." in refusal(refused)
    assert assignment_version(office, planned["id"]) == before
    assert lead.submit(f"/conflicten/{conflict['id']}", {"choice": "device"}).status_code == 302
    assert assignment_version(office, planned["id"]) == ("done", before[1] + 1)


def test_a_chosen_inspector_who_is_no_active_handhaver_is_refused_at_the_field(office: Office, tablets: Tablets,
                                                                               lead: Any) -> None:
    from server.sync import record_conflict
    planned = open_assignments(office, "handhaver1")[0]
    inspector = find_user(office.db(), "handhaver1")
    chief = find_user(office.db(), "teamleider")
    assert inspector and chief
    before = assignment_version(office, planned["id"])
    record_conflict(office.db(), "assignment", planned["id"], "inspector_id", inspector["id"], chief["id"],
                    before[1], None, None, "Veld is op de server en op de tablet gewijzigd.")
    conflict = open_conflict(office, planned["id"], "inspector_id")
    lead.page("/conflicten")
    refused = lead.submit(f"/conflicten/{conflict['id']}", {"choice": "device"})
    assert refused.status_code == 422
    assert refusal(refused) == "Alleen een handhaver kan een opdracht uitvoeren."
    assert 'value="device" checked' in refused.text
    refused = lead.submit(f"/conflicten/{conflict['id']}", {"choice": "other", "value": "niemand"})
    assert refused.status_code == 422 and refusal(refused) == "Onbekende gebruiker."
    assert assignment_version(office, planned["id"]) == before
    assert resolved(office, conflict["id"]) == (None, None)
    assert lead.submit(f"/conflicten/{conflict['id']}", {"choice": "server"}).status_code == 302
    assert assignment_version(office, planned["id"]) == ("open", before[1] + 1)


def test_no_choice_a_missing_value_and_a_second_resolution_are_refused(office: Office, tablets: Tablets,
                                                                      lead: Any) -> None:
    conflict = tablets.clash("notes", "Eerst", "Daarna")
    lead.page("/conflicten")
    nothing = lead.submit(f"/conflicten/{conflict['id']}", {})
    assert nothing.status_code == 422 and "Kies welke waarde blijft." in nothing.text
    assert lead.submit(f"/conflicten/{conflict['id']}", {"choice": "beide"}).status_code == 422
    assert lead.submit(f"/conflicten/{conflict['id']}", {"choice": "other", "value": ""}).status_code == 302
    assert address(office, tablets.address_id)["notes"] is None  # notes may be empty: a chosen empty value
    again = lead.submit(f"/conflicten/{conflict['id']}", {"choice": "device"})
    assert again.status_code == 409 and "al afgehandeld" in again.text
    assert address(office, tablets.address_id)["notes"] is None
    assert lead.submit("/conflicten/geen-conflict", {"choice": "server"}).status_code == 404


def test_a_resolution_without_the_csrf_token_is_refused_and_changes_nothing(office: Office, tablets: Tablets,
                                                                           lead: Any) -> None:
    conflict = tablets.clash("notes", "Met token", "Zonder token")
    before = address(office, tablets.address_id)
    lead.page("/conflicten")
    refused = lead.submit(f"/conflicten/{conflict['id']}", {"choice": "device"}, token=False)
    assert refused.status_code == 400 and "formulier is verlopen" in refused.text
    assert address(office, tablets.address_id)["version"] == before["version"]
    assert resolved(office, conflict["id"]) == (None, None)


def test_a_handhaver_may_neither_see_nor_resolve_conflicts_and_the_beheerder_may(office: Office,
                                                                                tablets: Tablets) -> None:
    conflict = tablets.clash("notes", "Voor de beheerder", "Of voor de handhaver")
    handhaver = office.session("handhaver1")
    assert handhaver.page("/conflicten").status_code == 403
    assert 'href="/conflicten"' not in handhaver.page("/wachtwoord").text
    assert handhaver.submit(f"/conflicten/{conflict['id']}", {"choice": "device"}).status_code == 403
    assert resolved(office, conflict["id"]) == (None, None)
    beheerder = office.session("beheerder")
    assert conflict["id"] in beheerder.page("/conflicten").text
    assert beheerder.submit(f"/conflicten/{conflict['id']}", {"choice": "device"}).status_code == 302
    assert address(office, tablets.address_id)["notes"] == "Of voor de handhaver"


def test_resolve_a_conflict_in_chromium(office: Office, tablets: Tablets, browser: webdriver.Chrome) -> None:
    conflict = tablets.clash("floor_area_m2", 72.0, 68.5)
    browser_login(browser, office, "teamleider")
    navigate(browser, browser.find_element(By.LINK_TEXT, "Conflicten"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Conflicten"
    form = browser.find_element(By.CSS_SELECTOR, f"form[action^='/conflicten/{conflict['id']}#']")
    section = form.find_element(By.XPATH, "./ancestor::section")
    assert "Gebruiksoppervlakte" in section.text and "72" in section.text and "68,5" in section.text
    assert axe_violations(browser) == []
    office_screenshot(browser, "conflicten")
    form.find_element(By.CSS_SELECTOR, "input[value=other]").click()
    form.find_element(By.CSS_SELECTOR, "input[name=value]").send_keys("zeventig")
    old = browser.find_element(By.TAG_NAME, "html")
    navigate(browser, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    WebDriverWait(browser, 10).until(expected_conditions.staleness_of(old))
    form = browser.find_element(By.CSS_SELECTOR, f"form[action^='/conflicten/{conflict['id']}#']")
    assert "Geen geldig getal." in form.text
    assert form.find_element(By.CSS_SELECTOR, "input[name=value]").get_attribute("value") == "zeventig"
    assert axe_violations(browser) == []
    office_screenshot(browser, "conflicten-fout")
    field = form.find_element(By.CSS_SELECTOR, "input[name=value]")
    field.clear()
    field.send_keys("70")
    old = browser.find_element(By.TAG_NAME, "html")
    navigate(browser, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    WebDriverWait(browser, 10).until(expected_conditions.staleness_of(old))
    assert "Conflict afgehandeld" in browser.find_element(By.CSS_SELECTOR, ".notice.ok").text
    assert not browser.find_elements(By.CSS_SELECTOR, f"form[action^='/conflicten/{conflict['id']}#']")
    assert axe_violations(browser) == []
    assert address(office, tablets.address_id)["floor_area_m2"] == 70.0
    store, engine = tablets.two
    engine.cycle()
    assert store.get("address", tablets.address_id)["floor_area_m2"] == 70.0  # type: ignore[index]


def test_a_conflict_with_nothing_to_choose_is_set_aside_and_one_with_a_choice_is_not(office: Office,
                                                                                   tablets: Tablets,
                                                                                   lead: Any) -> None:
    from server.sync import record_conflict
    db = office.db()
    gone = str(uuid.uuid4())
    record_conflict(db, "address", gone, "notes", "oud", "nieuw", 1, None, None, "Veld is op de server en op de "
                    "tablet gewijzigd.")
    conflict = open_conflict(office, gone, "notes")
    page = lead.page("/conflicten")
    section = next(part for part in page.text.split('<section class="conflict card"') if conflict["id"] in part)
    assert "Het record bestaat niet meer" in section and "Keuze vastleggen" not in section
    assert lead.submit(f"/conflicten/{conflict['id']}", {"choice": "device"}).status_code == 404
    assert lead.submit(f"/conflicten/{conflict['id']}/afhandelen").status_code == 302
    assert resolved(office, conflict["id"])[0] is not None
    choosable = tablets.clash("notes", "Kies mij", "Of mij")
    refused = lead.submit(f"/conflicten/{choosable['id']}/afhandelen")
    assert refused.status_code == 409 and "Kies bij dit conflict welke waarde blijft." in refused.text
    assert resolved(office, choosable["id"]) == (None, None)
    assert lead.submit(f"/conflicten/{choosable['id']}", {"choice": "server"}).status_code == 302


def test_the_list_shows_fifty_conflicts_a_page_with_a_link_to_the_next(office: Office, tablets: Tablets,
                                                                       lead: Any) -> None:
    from server.sync import record_conflict
    db = office.db()
    waiting = db.execute("SELECT count(*) FROM conflicts WHERE resolved_at IS NULL").fetchone()[0]
    for i in range(55 - waiting):
        record_conflict(db, "address", tablets.address_id, "notes", f"server {i}", f"tablet {i}", 1, None, None,
                        "Veld is op de server en op de tablet gewijzigd.")
    first = lead.page("/conflicten")
    assert first.text.count('<form method="post" action="/conflicten/') == 50
    link = re.search(r'href="(/conflicten\?na=[^"]+)">Volgende conflicten', first.text)
    assert link
    second = lead.page(html.unescape(link.group(1)))
    assert second.text.count('<form method="post" action="/conflicten/') == 5
    assert "Volgende conflicten" not in second.text
