"""The beheerder's pages: Tablets (enrolment code as text and QR code, revoke with the unsynced-work warning)
and Gebruikers (add with a temporary password, disable, role, password reset, the official's fields), over
real HTTP and in a real Chromium checked by axe-core."""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import segno
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from field_client.errors import Revoked
from field_client.sync_engine import SyncEngine
from field_client.tablet_store import TabletStore
from server.auth import add_user, create_api_token, create_enrol_code, find_user
from tests.office import (
    Office,
    axe_violations,
    browser_login,
    office_browser,
    office_screenshot,
    running_office,
)
from tests.sync_world import queue_inspections

PASSWORD = "Een-goed-wachtwoord-1"


@pytest.fixture(scope="module")
def office() -> Iterator[Office]:
    with running_office() as office:
        yield office


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    with office_browser() as driver:
        yield driver


@pytest.fixture(scope="module")
def beheerder(office: Office) -> Any:
    return office.session("beheerder")


def make_user(office: Office, role: str = "handhaver", **profile: str) -> dict[str, Any]:
    name = f"gebruiker{uuid.uuid4().hex[:8]}"
    user = add_user(office.db(), name, role, PASSWORD, profile)
    office.logins[name] = PASSWORD
    return user


def tablet(office: Office, user_name: str, label: str) -> tuple[TabletStore, SyncEngine]:
    """Enrol a real tablet store over HTTP with a code made as `device code` makes it."""
    user = find_user(office.db(), user_name)
    assert user is not None
    code = create_enrol_code(office.db(), user["id"], None, 1)
    store = TabletStore(office.root / f"tablet-{uuid.uuid4().hex[:6]}")
    engine = SyncEngine(store, attempts=2, backoff=0.05, timeout=10)
    engine.enroll(office.url, code, label)
    return store, engine


def text_of(answer: requests.Response, element_id: str) -> str:
    found = re.search(rf'id="{element_id}">([^<]+)<', answer.text)
    assert found, f"{element_id} not on the page"
    return html.unescape(found.group(1)).strip()


def click(browser: webdriver.Chrome, element: WebElement) -> None:
    """Click what loads another page, and wait until it has."""
    old = browser.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(browser, 10).until(expected_conditions.staleness_of(old))


def count(office: Office, sql: str, params: list[Any] | None = None) -> int:
    return int(office.db().execute(sql, params or []).fetchone()[0])


# --- roles, CSRF --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("user", ["teamleider", "handhaver1"])
def test_only_the_beheerder_sees_or_uses_tablets_and_users(office: Office, user: str) -> None:
    http = office.session(user)
    someone = make_user(office)
    store, engine = tablet(office, "handhaver2", f"rol-{user}")
    device_id = store.get_state("device_id")
    for path in ("/tablets", "/gebruikers", "/gebruikers/nieuw", f"/gebruikers/{someone['id']}",
                 f"/tablets/{device_id}/intrekken"):
        answer = http.page(path)
        assert answer.status_code == 403, path
        assert "Geen toegang" in answer.text
    start = http.page("/wachtwoord")
    assert 'href="/tablets"' not in start.text and 'href="/gebruikers"' not in start.text  # not in his menu
    codes = count(office, "SELECT count(*) FROM enrol_codes")
    assert http.submit("/tablets/koppelcode", {"user_id": someone["id"]}).status_code == 403
    assert http.submit(f"/tablets/{device_id}/intrekken", {"how": "force"}).status_code == 403
    assert http.submit(f"/gebruikers/{someone['id']}/uitschakelen").status_code == 403
    assert http.submit(f"/gebruikers/{someone['id']}/rol", {"role": "beheerder"}).status_code == 403
    assert http.submit("/gebruikers/nieuw", {"name": f"x{user}", "role": "beheerder"}).status_code == 403
    assert count(office, "SELECT count(*) FROM enrol_codes") == codes
    assert count(office, "SELECT count(*) FROM users WHERE name = ?", [f"x{user}"]) == 0
    row = office.db().execute("SELECT role, disabled_at FROM users WHERE id = ?", [someone["id"]]).fetchone()
    assert tuple(row) == ("handhaver", None)
    assert office.db().execute("SELECT revoked_at FROM devices WHERE id = ?", [device_id]).fetchone()[0] is None
    engine.close()
    store.close()


def test_forms_without_their_csrf_token_are_refused_and_change_nothing(office: Office, beheerder: Any) -> None:
    someone = make_user(office)
    store, engine = tablet(office, "handhaver2", "csrf")
    device_id = store.get_state("device_id")
    beheerder.page("/gebruikers")
    for path, data in ((f"/gebruikers/{someone['id']}/uitschakelen", {}),
                       (f"/tablets/{device_id}/intrekken", {"how": "force"}),
                       ("/gebruikers/nieuw", {"name": "zondertoken", "role": "beheerder"}),
                       ("/tablets/koppelcode", {"user_id": someone["id"]}),
                       (f"/gebruikers/{someone['id']}/wachtwoord", {})):
        refused = beheerder.submit(path, data, token=False)
        assert refused.status_code == 400 and "formulier is verlopen" in refused.text, path
    assert office.db().execute("SELECT disabled_at FROM users WHERE id = ?", [someone["id"]]).fetchone()[0] is None
    assert office.db().execute("SELECT revoked_at FROM devices WHERE id = ?", [device_id]).fetchone()[0] is None
    assert count(office, "SELECT count(*) FROM users WHERE name = 'zondertoken'") == 0
    assert count(office, "SELECT count(*) FROM enrol_codes WHERE user_id = ?", [someone["id"]]) == 0
    assert office.session(someone["name"]).page("/wachtwoord").status_code == 200  # his password still works
    engine.close()
    store.close()


# --- Tablets ------------------------------------------------------------------------------------------------

def test_an_enrolment_code_from_the_page_holds_the_server_and_code_and_enrols_a_tablet(office: Office,
                                                                                      beheerder: Any) -> None:
    user = find_user(office.db(), "handhaver2")
    assert user is not None
    beheerder.page("/tablets")
    answer = beheerder.submit("/tablets/koppelcode", {"user_id": user["id"]})
    assert answer.status_code == 200
    code = text_of(answer, "koppelcode")
    payload = text_of(answer, "qr-inhoud")
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    parts = urlsplit(payload)
    assert (parts.scheme, parts.netloc) == ("woontoezicht", "enroll")
    query = parse_qs(parts.query)
    assert query == {"server": [office.url], "code": [code]}
    svg = re.search(r"<svg .*?</svg>", answer.text, re.S)
    assert svg and "style" not in svg.group(0) and 'role="img"' in svg.group(0)
    # The QR code's modules are those segno makes of that payload: the picture holds exactly this text.
    expected = segno.make(payload, error="m", micro=False).svg_inline(scale=5, border=4, lineclass=None)
    assert re.findall(r' d="([^"]+)"', svg.group(0))[-1] == re.findall(r' d="([^"]+)"', expected)[-1]
    assert "style=" not in answer.text
    store = TabletStore(office.root / "tablet-uit-qr")
    engine = SyncEngine(store, attempts=2, backoff=0.05, timeout=10)
    enrolled = engine.enroll(query["server"][0], query["code"][0], "Tablet uit de QR-code")
    assert enrolled["name"] == "handhaver2"
    listed = beheerder.page("/tablets")
    assert "Tablet uit de QR-code" in listed.text and "nooit" in listed.text
    engine.cycle()
    assert "niets te verzenden" in beheerder.page("/tablets").text
    again = requests.post(office.url + "/api/v1/devices/enroll", json={"code": code, "label": "tweede"}, timeout=10)
    assert again.status_code == 403  # one-time
    engine.close()
    store.close()


def test_an_enrolment_code_for_nobody_or_a_disabled_user_is_refused_at_the_field(office: Office,
                                                                               beheerder: Any) -> None:
    gone = make_user(office)
    office.db().execute("UPDATE users SET disabled_at = '2026-11-01T00:00:00+00:00' WHERE id = ?", [gone["id"]])
    codes = count(office, "SELECT count(*) FROM enrol_codes")
    beheerder.page("/tablets")
    for value, message in (("", "Kies een gebruiker."), (gone["id"], "Kies een actieve gebruiker uit de lijst."),
                           ("geen-id", "Kies een actieve gebruiker uit de lijst.")):
        answer = beheerder.submit("/tablets/koppelcode", {"user_id": value})
        assert answer.status_code == 422 and message in answer.text
        assert 'id="e-user_id"' in answer.text
    assert count(office, "SELECT count(*) FROM enrol_codes") == codes


def test_revoking_a_tablet_with_reported_unsynced_work_warns_and_needs_a_choice(office: Office,
                                                                               beheerder: Any) -> None:
    store, engine = tablet(office, "handhaver1", "met werk")
    device_id = store.get_state("device_id")
    queue_inspections(store, str(uuid.uuid4()), 3, draft=True)
    engine.pull()  # reports its three waiting changes, as every pull does
    form = beheerder.page(f"/tablets/{device_id}/intrekken")
    assert "Deze tablet meldde 3 wijzigingen niet verzonden" in form.text
    assert "Toch intrekken" in form.text and "Intrekken, gegevens op de tablet bewaren" in form.text
    plain = beheerder.submit(f"/tablets/{device_id}/intrekken", {"how": ""})
    assert plain.status_code == 409 and "3 wijzigingen niet verzonden" in plain.text
    assert office.db().execute("SELECT revoked_at FROM devices WHERE id = ?", [device_id]).fetchone()[0] is None
    assert beheerder.submit(f"/tablets/{device_id}/intrekken", {"how": "wissen"}).status_code == 400
    kept = beheerder.submit(f"/tablets/{device_id}/intrekken", {"how": "keep_data"})
    assert kept.status_code == 302
    row = office.db().execute("SELECT revoked_at, wipe_on_revoke FROM devices WHERE id = ?", [device_id]).fetchone()
    assert row[0] is not None and row[1] == 0
    with pytest.raises(Revoked, match="--keep-outbox"):
        engine.cycle()
    assert store.enrolled and store.outbox_size() == 3  # nothing wiped
    assert "gegevens bewaard" in beheerder.page("/tablets").text
    engine.close()
    store.close()


def test_a_tablet_without_unsynced_work_is_revoked_at_once_and_wipes_itself(office: Office, beheerder: Any) -> None:
    store, engine = tablet(office, "handhaver2", "leeg")
    device_id = store.get_state("device_id")
    engine.cycle()
    form = beheerder.page(f"/tablets/{device_id}/intrekken")
    assert "Er staat geen niet-verzonden werk op." in form.text and "Toch intrekken" not in form.text
    assert beheerder.submit(f"/tablets/{device_id}/intrekken", {"how": ""}).status_code == 302
    with pytest.raises(Revoked, match="gewist"):
        engine.cycle()
    assert not store.enrolled
    assert beheerder.page("/tablets/geen-tablet/intrekken").status_code == 404
    engine.close()
    store.close()


# --- Gebruikers ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"name": "x"}, "name", "Een gebruikersnaam is 2 tot 64 letters"),
    ({"name": "met spatie"}, "name", "Een gebruikersnaam is 2 tot 64 letters"),
    ({"name": "teamleider"}, "name", "Gebruiker teamleider bestaat al."),
    ({"role": "baas"}, "role", "Moet een van deze waarden zijn: handhaver, teamleider, beheerder."),
    ({"email": "geen-adres"}, "email", "e-mailadres"),
    ({"phone": "bel me"}, "phone", "Een telefoonnummer is 7 tot 30 tekens"),
])
def test_bad_input_for_a_new_user_is_named_at_its_field_with_the_values_kept_and_nothing_written(
        office: Office, beheerder: Any, changes: dict[str, str], field: str, message: str) -> None:
    form = {"name": "nieuwe.collega", "role": "handhaver", "full_name": "Nieuwe Collega", "email": "n.c@aalsmeer.nl",
            "function_title": "Toezichthouder", **changes}
    users = count(office, "SELECT count(*) FROM users")
    beheerder.page("/gebruikers/nieuw")
    answer = beheerder.submit("/gebruikers/nieuw", form)
    assert answer.status_code == 422
    error = re.search(rf'<p class="error" id="e-{field}">([^<]+)</p>', answer.text)
    assert error and message.lower() in html.unescape(error.group(1)).lower()
    assert 'value="Nieuwe Collega"' in answer.text and 'value="Toezichthouder"' in answer.text
    if field != "role":
        assert f'value="{html.escape(form[field])}"' in answer.text
    assert count(office, "SELECT count(*) FROM users") == users


def test_a_new_user_gets_a_temporary_password_shown_once_that_he_must_change(office: Office, beheerder: Any) -> None:
    beheerder.page("/gebruikers/nieuw")
    answer = beheerder.submit("/gebruikers/nieuw", {"name": "p.jansen", "role": "handhaver",
                                                    "full_name": "Piet Jansen", "function_title": "Toezichthouder",
                                                    "email": "p.jansen@aalsmeer.nl", "phone": "0297 387 575",
                                                    "aanwijzing": "Besluit 2026/114", "legitimation_no": "AAL-0042"})
    assert answer.status_code == 200, answer.text
    password = text_of(answer, "wachtwoord")
    assert len(password) >= 10
    stored = find_user(office.db(), "p.jansen")
    assert stored is not None
    assert (stored["full_name"], stored["aanwijzing"], stored["legitimation_no"], stored["must_change_password"]) == (
        "Piet Jansen", "Besluit 2026/114", "AAL-0042", 1)
    assert password not in beheerder.page(f"/gebruikers/{stored['id']}").text  # shown once
    http = office.session()
    http.page("/login")
    signed = http.submit("/login", {"username": "p.jansen", "password": password})
    assert signed.headers["Location"] == "/wachtwoord"


def test_disabling_a_user_ends_his_session_and_his_api_token_and_enabling_brings_them_back(
        office: Office, beheerder: Any) -> None:
    user = make_user(office, "teamleider")
    http = office.session(user["name"])
    token = create_api_token(office.db(), user["id"], "script")
    api = {"Authorization": f"Bearer {token}"}
    assert requests.get(office.url + "/api/v1/cases", headers=api, timeout=10).status_code == 200
    store, engine = tablet(office, user["name"], "van de vertrekker")
    assert engine.request("GET", "/api/v1/sync/pull").status_code == 200
    beheerder.page(f"/gebruikers/{user['id']}")
    assert beheerder.submit(f"/gebruikers/{user['id']}/uitschakelen").status_code == 302
    assert http.page("/wachtwoord").status_code == 302  # signed out
    assert requests.get(office.url + "/api/v1/cases", headers=api, timeout=10).status_code == 401
    assert engine.request("GET", "/api/v1/sync/pull").status_code == 401  # his tablet too
    engine.close()
    store.close()
    assert "uitgeschakeld" in beheerder.page("/gebruikers").text
    assert beheerder.submit(f"/gebruikers/{user['id']}/inschakelen").status_code == 302
    assert requests.get(office.url + "/api/v1/cases", headers=api, timeout=10).status_code == 200


def test_a_beheerder_cannot_disable_himself_nor_drop_the_last_beheerder_role(office: Office, beheerder: Any) -> None:
    me = find_user(office.db(), "beheerder")
    assert me is not None
    page = beheerder.page(f"/gebruikers/{me['id']}")
    assert "Uitschakelen</button>" not in page.text
    refused = beheerder.submit(f"/gebruikers/{me['id']}/uitschakelen")
    assert refused.status_code == 409 and "U kunt uzelf niet uitschakelen." in refused.text
    demoted = beheerder.submit(f"/gebruikers/{me['id']}/rol", {"role": "teamleider"})
    assert demoted.status_code == 409 and "laatste actieve beheerder" in demoted.text
    unknown = beheerder.submit(f"/gebruikers/{me['id']}/rol", {"role": "baas"})
    assert unknown.status_code == 422 and 'id="e-role"' in unknown.text
    row = office.db().execute("SELECT role, disabled_at FROM users WHERE id = ?", [me["id"]]).fetchone()
    assert tuple(row) == ("beheerder", None)
    other = make_user(office, "teamleider")
    assert beheerder.submit(f"/gebruikers/{other['id']}/rol", {"role": "beheerder"}).status_code == 302
    assert office.db().execute("SELECT role FROM users WHERE id = ?", [other["id"]]).fetchone()[0] == "beheerder"
    assert beheerder.submit(f"/gebruikers/{other['id']}/rol", {"role": "handhaver"}).status_code == 302


def test_a_password_reset_shows_a_new_temporary_password_and_ends_his_sessions(office: Office,
                                                                              beheerder: Any) -> None:
    user = make_user(office, "handhaver")
    http = office.session(user["name"])
    beheerder.page(f"/gebruikers/{user['id']}")
    answer = beheerder.submit(f"/gebruikers/{user['id']}/wachtwoord")
    assert answer.status_code == 200
    password = text_of(answer, "wachtwoord")
    assert http.page("/wachtwoord").status_code == 302  # his session ended
    fresh = office.session()
    fresh.page("/login")
    assert fresh.submit("/login", {"username": user["name"], "password": PASSWORD}).status_code == 401
    assert fresh.submit("/login", {"username": user["name"], "password": password}).headers["Location"] == \
        "/wachtwoord"


def test_the_officials_fields_are_saved_and_a_bad_one_is_named_with_nothing_changed(office: Office,
                                                                                   beheerder: Any) -> None:
    user = make_user(office, "handhaver", full_name="Karin de Vries")
    beheerder.page(f"/gebruikers/{user['id']}")
    bad = beheerder.submit(f"/gebruikers/{user['id']}", {"full_name": "Karin de Vries-Bos", "email": "karin@",
                                                         "aanwijzing": "Besluit 7"})
    assert bad.status_code == 422 and 'id="e-email"' in bad.text
    assert 'value="karin@"' in bad.text and 'value="Karin de Vries-Bos"' in bad.text
    assert office.db().execute("SELECT full_name FROM users WHERE id = ?", [user["id"]]).fetchone()[0] == \
        "Karin de Vries"
    good = beheerder.submit(f"/gebruikers/{user['id']}", {"full_name": "Karin de Vries-Bos",
                                                          "email": "k.devries@aalsmeer.nl", "aanwijzing": "Besluit 7",
                                                          "legitimation_no": ""})
    assert good.status_code == 302
    row = office.db().execute("SELECT full_name, email, aanwijzing, legitimation_no FROM users WHERE id = ?",
                              [user["id"]]).fetchone()
    assert tuple(row) == ("Karin de Vries-Bos", "k.devries@aalsmeer.nl", "Besluit 7", None)


# --- in the browser -----------------------------------------------------------------------------------------

def test_enrol_a_tablet_with_the_code_from_the_enrolment_page_in_chromium(office: Office,
                                                                        browser: webdriver.Chrome) -> None:
    browser_login(browser, office, "beheerder")
    click(browser, browser.find_element(By.LINK_TEXT, "Tablets"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Tablets"
    assert axe_violations(browser) == []
    click(browser, browser.find_element(By.XPATH, "//button[text()='Koppelcode maken']"))
    assert "Kies een gebruiker." in browser.find_element(By.ID, "e-user_id").text  # the error state
    assert axe_violations(browser) == []
    Select(browser.find_element(By.ID, "f-user_id")).select_by_visible_text(
        next(o.text for o in Select(browser.find_element(By.ID, "f-user_id")).options if "(handhaver1," in o.text))
    click(browser, browser.find_element(By.XPATH, "//button[text()='Koppelcode maken']"))
    code = browser.find_element(By.ID, "koppelcode").text
    server = browser.find_element(By.ID, "server-url").text
    assert browser.find_element(By.CSS_SELECTOR, "svg.qr-code").is_displayed()
    assert browser.find_element(By.ID, "qr-inhoud").text.endswith(f"&code={code}")
    assert axe_violations(browser) == []
    office_screenshot(browser, "tablet-koppelcode")
    store = TabletStore(office.root / "tablet-browser")
    engine = SyncEngine(store, attempts=2, backoff=0.05, timeout=10)
    assert engine.enroll(server, code, "Tablet van de balie")["name"] == "handhaver1"
    engine.cycle()
    click(browser, browser.find_element(By.LINK_TEXT, "Terug naar de tablets"))
    row = browser.find_element(By.XPATH, "//tr[td[text()='Tablet van de balie']]")
    assert "niets te verzenden" in row.text
    office_screenshot(browser, "tablets")
    engine.close()
    store.close()


def test_revoke_a_tablet_with_the_unsynced_work_warning_in_chromium(office: Office,
                                                                   browser: webdriver.Chrome) -> None:
    store, engine = tablet(office, "handhaver1", "Tablet met wachtrij")
    queue_inspections(store, str(uuid.uuid4()), 2, draft=True)
    engine.pull()
    browser_login(browser, office, "beheerder")
    browser.get(office.url + "/tablets")
    row = "//tr[td[text()='Tablet met wachtrij']]"
    click(browser, browser.find_element(By.XPATH, f"{row}//a[starts-with(., 'Intrekken')]"))
    assert "meldde 2 wijzigingen niet verzonden" in browser.find_element(By.ID, "waarschuwing").text
    assert axe_violations(browser) == []
    office_screenshot(browser, "tablet-intrekken")
    click(browser, browser.find_element(By.XPATH, "//button[text()='Toch intrekken (werk gaat verloren)']"))
    assert "is ingetrokken" in browser.find_element(By.CSS_SELECTOR, ".notice.ok").text
    revoked = browser.find_element(By.XPATH, row)
    assert "ingetrokken" in revoked.text and "Intrekken" not in revoked.text
    assert axe_violations(browser) == []
    with pytest.raises(Revoked, match="gewist"):
        engine.cycle()
    engine.close()
    store.close()


def test_add_and_disable_a_user_in_chromium(office: Office, browser: webdriver.Chrome) -> None:
    browser_login(browser, office, "beheerder")
    click(browser, browser.find_element(By.LINK_TEXT, "Gebruikers"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Gebruikers"
    assert axe_violations(browser) == []
    office_screenshot(browser, "gebruikers")
    click(browser, browser.find_element(By.LINK_TEXT, "Gebruiker toevoegen"))
    assert axe_violations(browser) == []
    browser.find_element(By.ID, "f-name").send_keys("s.bakker")
    Select(browser.find_element(By.ID, "f-role")).select_by_value("handhaver")
    browser.find_element(By.ID, "f-full_name").send_keys("Sanne Bakker")
    browser.find_element(By.ID, "f-email").send_keys("sanne-at-aalsmeer")
    click(browser, browser.find_element(By.XPATH, "//button[text()='Gebruiker toevoegen']"))
    assert browser.find_element(By.ID, "e-email").text  # named at the field
    assert browser.find_element(By.ID, "f-full_name").get_attribute("value") == "Sanne Bakker"
    assert axe_violations(browser) == []
    email = browser.find_element(By.ID, "f-email")
    email.clear()
    email.send_keys("s.bakker@aalsmeer.nl")
    click(browser, browser.find_element(By.XPATH, "//button[text()='Gebruiker toevoegen']"))
    password = browser.find_element(By.ID, "wachtwoord").text
    assert len(password) >= 10
    assert axe_violations(browser) == []
    office_screenshot(browser, "gebruiker")
    http = office.session()
    http.page("/login")
    assert http.submit("/login", {"username": "s.bakker", "password": password}).status_code == 302
    assert http.page("/wachtwoord").status_code == 200
    phone = browser.find_element(By.ID, "f-phone")
    phone.send_keys("bel me")
    click(browser, browser.find_element(By.XPATH, "//button[text()='Gegevens opslaan']"))
    assert "Een telefoonnummer is 7 tot 30 tekens" in browser.find_element(By.ID, "e-phone").text
    assert browser.find_element(By.ID, "f-phone").get_attribute("value") == "bel me"
    assert axe_violations(browser) == []
    click(browser, browser.find_element(By.XPATH, "//button[text()='Uitschakelen']"))
    assert "is uitgeschakeld" in browser.find_element(By.CSS_SELECTOR, ".notice.ok").text
    assert "uitgeschakeld sinds" in browser.find_element(By.CSS_SELECTOR, "dl.facts").text
    assert axe_violations(browser) == []
    assert http.page("/wachtwoord").status_code == 302  # his session ended at once


def test_the_last_beheerder_keeping_his_role_is_told_so_in_chromium(office: Office, browser: webdriver.Chrome) -> None:
    browser_login(browser, office, "beheerder")
    me = find_user(office.db(), "beheerder")
    assert me is not None
    browser.get(f"{office.url}/gebruikers/{me['id']}")
    assert not browser.find_elements(By.XPATH, "//button[text()='Uitschakelen']")  # not offered for himself
    Select(browser.find_element(By.ID, "f-role")).select_by_value("teamleider")
    click(browser, browser.find_element(By.XPATH, "//button[text()='Rol wijzigen']"))
    assert "laatste actieve beheerder" in browser.find_element(By.ID, "e-role").text
    assert axe_violations(browser) == []
    assert office.db().execute("SELECT role FROM users WHERE id = ?", [me["id"]]).fetchone()[0] == "beheerder"
