"""Signing in to the office pages: the form, CSRF, the sign-in limit, the forced password change, the
session cookie, HTML error pages, and the pages themselves in a real Chromium checked by axe-core."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from server.auth import add_user
from tests.office import (
    Office,
    axe_violations,
    browser_login,
    office_browser,
    office_screenshot,
    running_office,
)


@pytest.fixture(scope="module")
def office() -> Iterator[Office]:
    with running_office() as office:
        yield office


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    with office_browser() as driver:
        yield driver


def make_user(office: Office, name: str, role: str = "teamleider", *, temporary: bool = False) -> dict[str, Any]:
    user = add_user(office.db(), name, role, "Tijdelijk-wachtwoord-1", temporary=temporary)
    office.logins[name] = "Tijdelijk-wachtwoord-1"
    return user


def test_a_page_sends_someone_not_signed_in_to_the_sign_in_form_and_back(office: Office) -> None:
    http = office.session()
    answer = http.page("/")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/login?next=/")
    form = http.page("/login?next=/wachtwoord")
    assert 'name="username"' in form.text and 'name="password"' in form.text and http.csrf
    signed = http.submit("/login", {"username": "teamleider", "password": office.logins["teamleider"],
                                    "next": "/wachtwoord"})
    assert signed.status_code == 302 and signed.headers["Location"] == "/wachtwoord"


def test_a_next_to_another_site_is_ignored(office: Office) -> None:
    http = office.session()
    http.page("/login")
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        signed = http.submit("/login", {"username": "teamleider", "password": office.logins["teamleider"],
                                        "next": target})
        assert signed.status_code == 302 and signed.headers["Location"] == "/"
        http.page("/")


def test_a_wrong_password_shows_the_form_again_with_the_name_kept_and_no_session(office: Office) -> None:
    http = office.session()
    http.page("/login")
    answer = http.submit("/login", {"username": "handhaver2", "password": "niet-het-wachtwoord"})
    assert answer.status_code == 401
    assert "Onbekende gebruikersnaam of verkeerd wachtwoord." in answer.text
    assert 'value="handhaver2"' in answer.text and "niet-het-wachtwoord" not in answer.text
    assert http.page("/").status_code == 302


def test_an_empty_form_names_each_missing_field_in_dutch(office: Office) -> None:
    http = office.session()
    http.page("/login")
    answer = http.submit("/login", {"username": "", "password": ""})
    assert answer.status_code == 422
    assert answer.text.count("Verplicht veld.") == 2


def test_a_form_without_its_csrf_token_is_refused(office: Office) -> None:
    http = office.session("teamleider")
    refused = http.submit("/logout", token=False)
    assert refused.status_code == 400 and "formulier is verlopen" in refused.text
    assert http.page("/").status_code == 200  # still signed in: the forged sign-out did nothing
    forged = http.submit("/logout", {"csrf_token": "IjEyMyI.bad.token"}, token=False)
    assert forged.status_code == 400
    assert http.page("/").status_code == 200
    assert http.submit("/logout").status_code == 302
    assert http.page("/").status_code == 302  # signed out


def test_a_session_may_read_the_api_but_changes_only_with_the_pages_token(office: Office) -> None:
    http = office.session("teamleider")
    assert http.get(office.url + "/api/v1/cases", timeout=10).status_code == 200
    party = {"kind": "rechtspersoon", "name": "Sessie Test B.V."}
    refused = http.post(office.url + "/api/v1/parties", json=party, timeout=10)
    assert refused.status_code == 403 and refused.json()["error"] == "csrf"
    made = http.post(office.url + "/api/v1/parties", json=party, headers={"X-CSRFToken": http.csrf}, timeout=10)
    assert made.status_code == 201, made.text


def test_failed_sign_ins_for_one_name_are_slowed_down_never_locked(office: Office) -> None:
    victim = make_user(office, "doelwit")
    http = office.session()
    http.page("/login")
    statuses = [http.submit("/login", {"username": "doelwit", "password": f"fout-{i}"}).status_code
                for i in range(int(office.app.config["AUTH_FREE_FAILURES_NAME"]))]
    assert statuses[-1] == 401
    slowed = http.submit("/login", {"username": "doelwit", "password": office.logins["doelwit"]})
    assert slowed.status_code == 429 and "Te veel mislukte pogingen" in slowed.text
    assert 1 <= int(slowed.headers["Retry-After"]) <= 2
    blocked = office.db().execute("SELECT blocked_until, last_at FROM auth_failures WHERE key = 'user:doelwit'"
                                  ).fetchone()
    wait = dt.datetime.fromisoformat(blocked[0]) - dt.datetime.fromisoformat(blocked[1])
    assert wait <= dt.timedelta(seconds=2)  # a short delay, not a lock-out of a named user
    other = office.session()
    assert other.login("handhaver1", office.logins["handhaver1"]).status_code == 302  # same address, other name
    office.db().execute("UPDATE auth_failures SET blocked_until = NULL WHERE key = 'user:doelwit'")
    assert office.session().login("doelwit", office.logins["doelwit"]).status_code == 302
    assert office.db().execute("SELECT disabled_at FROM users WHERE id = ?", [victim["id"]]).fetchone()[0] is None


def test_a_temporary_password_must_be_changed_before_anything_else(office: Office) -> None:
    make_user(office, "nieuweling", "teamleider", temporary=True)
    http = office.session()
    http.page("/login")
    signed = http.submit("/login", {"username": "nieuweling", "password": office.logins["nieuweling"]})
    assert signed.headers["Location"] == "/wachtwoord"
    assert http.page("/").headers["Location"] == "/wachtwoord"
    assert http.get(office.url + "/api/v1/cases", timeout=10).status_code == 403
    form = http.page("/wachtwoord")
    assert "tijdelijk wachtwoord" in form.text
    mismatch = http.submit("/wachtwoord", {"current": office.logins["nieuweling"], "new": "Een-eigen-wachtwoord",
                                           "again": "Een-ander-wachtwoord"})
    assert mismatch.status_code == 422 and "De twee nieuwe wachtwoorden verschillen." in mismatch.text
    short = http.submit("/wachtwoord", {"current": office.logins["nieuweling"], "new": "kort", "again": "kort"})
    assert short.status_code == 422 and "minstens 10 tekens" in short.text
    changed = http.submit("/wachtwoord", {"current": office.logins["nieuweling"], "new": "Een-eigen-wachtwoord",
                                          "again": "Een-eigen-wachtwoord"})
    assert changed.status_code == 302
    assert http.page("/").status_code == 200
    assert http.get(office.url + "/api/v1/cases", timeout=10).status_code == 200
    stale = office.session()
    stale.page("/login")
    assert stale.submit("/login", {"username": "nieuweling", "password": office.logins["nieuweling"]}
                        ).status_code == 401  # the temporary password is gone


def test_a_password_change_ends_the_users_other_sessions(office: Office) -> None:
    make_user(office, "tweemaal")
    first, second = office.session("tweemaal"), office.session("tweemaal")
    first.page("/wachtwoord")
    assert first.submit("/wachtwoord", {"current": office.logins["tweemaal"], "new": "Nieuw-wachtwoord-22",
                                        "again": "Nieuw-wachtwoord-22"}).status_code == 302
    assert first.page("/").status_code == 200
    assert second.page("/").status_code == 302  # signed out by the change
    assert second.get(office.url + "/api/v1/cases", timeout=10).status_code == 401


def test_a_disabled_user_is_signed_out_at_his_next_request(office: Office) -> None:
    make_user(office, "vertrekker")
    http = office.session("vertrekker")
    assert http.page("/").status_code == 200
    office.db().execute("UPDATE users SET disabled_at = '2026-12-01T00:00:00+00:00' WHERE name = 'vertrekker'")
    assert http.page("/").status_code == 302


def test_the_session_cookie_is_httponly_lax_and_secure_over_https(office: Office) -> None:
    client = office.app.test_client()
    answer = client.get("/login")
    for base, secure in (("http://localhost", False), ("https://localhost", True)):
        token = answer.text.split('name="csrf_token" value="')[1].split('"')[0]
        signed = client.post("/login", base_url=base, data={"username": "teamleider",
                                                            "password": office.logins["teamleider"],
                                                            "csrf_token": token})
        cookie = signed.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert ("Secure" in cookie) is secure
        client.delete_cookie("woontoezicht_kantoor")
        answer = client.get("/login")


def test_pages_forbid_inline_script_and_answer_errors_as_dutch_pages(office: Office) -> None:
    http = office.session("handhaver1")
    page = http.page("/")
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "style-src 'self'" in policy
    assert "<script>" not in page.text and " style=" not in page.text
    missing = http.page("/geen-pagina")
    assert missing.status_code == 404 and missing.headers["Content-Type"].startswith("text/html")
    assert "Niet gevonden" in missing.text and "Traceback" not in missing.text
    api = http.get(office.url + "/api/v1/geen-eindpunt", timeout=10)
    assert api.status_code == 404 and api.json()["error"] == "not_found"  # the API keeps answering JSON


def test_sign_in_by_keyboard_in_chromium_with_no_serious_accessibility_violations(office: Office,
                                                                                browser: webdriver.Chrome) -> None:
    browser.delete_all_cookies()
    browser.get(office.url + "/")
    assert "/login" in browser.current_url
    assert axe_violations(browser) == []
    office_screenshot(browser, "aanmelden")
    field = browser.find_element(By.ID, "f-username")
    assert browser.switch_to.active_element == field  # the cursor starts in the name field
    field.send_keys("teamleider", Keys.TAB, office.logins["teamleider"], Keys.ENTER)
    browser.find_element(By.CSS_SELECTOR, "button.link")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Overzicht"
    assert axe_violations(browser) == []
    browser.get(office.url + "/wachtwoord")
    assert axe_violations(browser) == []
    office_screenshot(browser, "wachtwoord")
    browser.find_element(By.ID, "f-current").send_keys("fout", Keys.ENTER)
    assert "Controleer het formulier" in browser.find_element(By.CSS_SELECTOR, ".error-summary").text
    assert axe_violations(browser) == []
    browser.get(office.url + "/geen-pagina")
    assert axe_violations(browser) == []
    browser.find_element(By.CSS_SELECTOR, "button.link").click()  # sign out
    WebDriverWait(browser, 10).until(lambda d: "/login" in d.current_url)
    assert browser.find_element(By.TAG_NAME, "h1").text == "Aanmelden"


def test_the_demo_users_sign_in_with_the_printed_passwords(office: Office, browser: webdriver.Chrome) -> None:
    for user in ("teamleider", "handhaver1", "handhaver2", "beheerder"):
        browser_login(browser, office, user)
        assert browser.find_element(By.TAG_NAME, "h1").text == "Overzicht"


@pytest.mark.parametrize("target", ["/\t/evil.example", "/\r\n/x", "http:/evil.example", "///evil.example",
                                    "/\\evil.example", "https://evil.example/", "\t//evil.example"])
def test_a_next_with_control_characters_or_a_host_goes_nowhere_else(office: Office, target: str) -> None:
    http = office.session("teamleider")
    answer = http.page("/login", params={"next": target})
    assert answer.status_code == 302 and answer.headers["Location"] == "/"
    http.page("/login")
    fresh = office.session()
    fresh.page("/login")
    signed = fresh.submit("/login", {"username": "teamleider", "password": office.logins["teamleider"],
                                     "next": target})
    assert signed.status_code == 302 and signed.headers["Location"] == "/"


def test_signing_out_ends_the_session_on_the_server_so_a_copied_cookie_is_refused(office: Office) -> None:
    http = office.session("handhaver2")
    copy = office.session()
    copy.cookies.update(http.cookies)
    assert copy.page("/").status_code == 200
    http.page("/")
    assert http.submit("/logout").status_code == 302
    assert copy.page("/").status_code == 302  # the copy of the cookie no longer signs anyone in
    assert copy.get(office.url + "/api/v1/cases", timeout=10).status_code == 401


def test_guessing_the_current_password_on_the_change_form_is_slowed_down(office: Office) -> None:
    make_user(office, "rader")
    http = office.session("rader")
    http.page("/wachtwoord")
    free = int(office.app.config["AUTH_FREE_FAILURES_NAME"])
    for i in range(free):
        wrong = http.submit("/wachtwoord", {"current": f"gok-{i}-xxxxxxx", "new": "Nieuw-wachtwoord-99",
                                            "again": "Nieuw-wachtwoord-99"})
        assert wrong.status_code == 422
    slowed = http.submit("/wachtwoord", {"current": office.logins["rader"], "new": "Nieuw-wachtwoord-99",
                                         "again": "Nieuw-wachtwoord-99"})
    assert slowed.status_code == 429 and "Te veel mislukte pogingen" in slowed.text
    blocked = office.session()
    blocked.page("/login")
    assert blocked.submit("/login", {"username": "rader", "password": office.logins["rader"]}).status_code == 429
    office.db().execute("UPDATE auth_failures SET blocked_until = NULL WHERE key = 'user:rader'")
    assert office.session().login("rader", office.logins["rader"]).status_code == 302  # unchanged, not locked


def test_a_password_form_is_never_kept_in_the_cookie_when_the_session_expired(office: Office) -> None:
    http = office.session("teamleider")
    http.page("/wachtwoord")
    http.cookies.clear()
    expired = http.submit("/wachtwoord", {"current": "Mijn-oude-geheim-1", "new": "Mijn-nieuwe-geheim-2",
                                          "again": "Mijn-nieuwe-geheim-2"}, token=False)
    assert expired.status_code == 400
    cookie = http.cookies.get("woontoezicht_kantoor")
    assert cookie is not None  # the expired form's answer set a cookie (the kept form would be in it)
    serializer = office.app.session_interface.get_signing_serializer(office.app)  # type: ignore[attr-defined]
    stored = serializer.loads(cookie)
    assert "geheim" not in str(stored)


def test_a_failed_sign_in_logs_the_name_only_when_it_is_a_users(office: Office) -> None:
    http = office.session()
    http.page("/login")
    http.submit("/login", {"username": "Mijn-Wachtwoord-Per-Ongeluk", "password": "x"})
    http.submit("/login", {"username": "handhaver1", "password": "verkeerd-wachtwoord"})
    details = [row[0] or "" for row in office.db().execute(
        "SELECT detail FROM audit_log WHERE action = 'login_failed' ORDER BY rowid DESC LIMIT 2").fetchall()]
    assert "Mijn-Wachtwoord-Per-Ongeluk" not in " ".join(details)
    assert '"name":"handhaver1"' in details[0].replace(" ", "")


def test_the_enrolment_qr_code_names_the_configured_public_address(office: Office) -> None:
    office.app.config["PUBLIC_URL"] = "https://woontoezicht.aalsmeer.example"
    try:
        http = office.session("beheerder")
        http.page("/tablets")
        handhaver = office.db().execute("SELECT id FROM users WHERE name = 'handhaver2'").fetchone()[0]
        made = http.submit("/tablets/koppelcode", {"user_id": handhaver})
        assert made.status_code == 200
        assert "server=https%3A%2F%2Fwoontoezicht.aalsmeer.example&amp;code=" in made.text
    finally:
        office.app.config["PUBLIC_URL"] = ""


def test_a_session_in_use_for_more_than_thirty_days_ends_and_ended_ones_are_not_kept(office: Office) -> None:
    http = office.session("handhaver2")
    assert http.page("/").status_code == 200
    db = office.db()
    db.execute("UPDATE web_sessions SET created_at = '2000-01-01T00:00:00+00:00' WHERE user_id = "
               "(SELECT id FROM users WHERE name = 'handhaver2') AND ended_at IS NULL")
    assert http.page("/").status_code == 302  # signed in again after a month, however often it was used
    office.session("handhaver2")
    rows = db.execute("SELECT ended_at, created_at FROM web_sessions").fetchall()
    assert all(ended is None and created > "2000-01-01T00:00:00+00:00" for ended, created in rows)
