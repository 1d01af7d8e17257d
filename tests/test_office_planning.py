"""Planning in the office pages: filter addresses, plan visits in bulk for a handhaver, a week's visits moved and
cancelled, a handhaver's week list to print; roles, CSRF and bad input; in a real Chromium checked by axe-core."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from server import labels
from server.jobs import TIMEZONE, iso_week
from tests.office import (
    Office,
    axe_violations,
    browser_login,
    navigate,
    office_browser,
    office_screenshot,
    running_office,
)

ADDRESS_BOX = re.compile(r'name="address_id" value="([^"]+)"')


@pytest.fixture(scope="module")
def office() -> Iterator[Office]:
    with running_office() as office:
        yield office


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    with office_browser() as driver:
        yield driver


def user_id(office: Office, name: str) -> str:
    return str(office.db().execute("SELECT id FROM users WHERE name = ?", [name]).fetchone()[0])


def week_from_now(weeks: int) -> str:
    return iso_week(dt.datetime.now(TIMEZONE).date() + dt.timedelta(weeks=weeks))


def assignment_count(office: Office) -> int:
    return int(office.db().execute("SELECT count(*) FROM assignments").fetchone()[0])


def listed(html: str) -> list[str]:
    return ADDRESS_BOX.findall(html)


def test_a_handhaver_gets_no_planning_and_someone_signed_out_is_sent_to_sign_in(office: Office) -> None:
    handhaver = office.session("handhaver1")
    for path in ("/planning", "/planning/week", f"/planning/weeklijst?handhaver={user_id(office, 'handhaver1')}"):
        refused = handhaver.page(path)
        assert refused.status_code == 403 and "Geen toegang" in refused.text
    before = assignment_count(office)
    address = listed(office.session("teamleider").page("/planning").text)[0]
    forged = handhaver.submit("/planning", {"address_id": address, "inspector_id": user_id(office, "handhaver1"),
                                            "week": week_from_now(3)})
    assert forged.status_code == 403 and assignment_count(office) == before
    assert ">Planning<" not in handhaver.page("/").text  # not offered in his menu either
    stranger = office.session()
    answer = stranger.page("/planning/week")
    assert answer.status_code == 302 and "/login?next=/planning/week" in answer.headers["Location"]


def test_a_plan_without_the_forms_csrf_token_is_refused_and_plans_nothing(office: Office) -> None:
    lead = office.session("teamleider")
    chosen = listed(lead.page("/planning").text)[0]
    before = assignment_count(office)
    refused = lead.submit("/planning", {"address_id": chosen, "inspector_id": user_id(office, "handhaver1"),
                                        "week": week_from_now(3)}, token=False)
    assert refused.status_code == 400 and "formulier is verlopen" in refused.text
    assert assignment_count(office) == before


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"week": "2026-W60"}, "week", "Geen geldige ISO-week"),
    ({"week": "volgende week"}, "week", "Geen geldige ISO-week"),
    ({"address_id": None}, "address_id", "Kies minstens één adres."),
    ({"inspector_id": "teamleider"}, "inspector_id", "Alleen een handhaver kan een opdracht uitvoeren."),
    ({"inspector_id": "niemand"}, "inspector_id", "Onbekende gebruiker."),
    ({"week": "", "due": ""}, "week", "Vul een week of een uiterste datum in."),
    ({"week": "", "due": "31-12-2026"}, "due", "Geen geldige datum"),
    ({"kind": "inval"}, "kind", "Moet een van deze waarden zijn"),
])
def test_a_bad_plan_is_shown_at_its_field_with_the_values_kept_and_nothing_written(
        office: Office, change: dict[str, Any], field: str, message: str) -> None:
    lead = office.session("teamleider")
    chosen = listed(lead.page("/planning?nooit=1").text)[:2]
    form: dict[str, Any] = {"address_id": chosen, "inspector_id": user_id(office, "handhaver2"),
                            "week": week_from_now(3), "due": "", "kind": "controle",
                            "instructions": "Let op de hond."}
    for key, value in change.items():
        if key == "inspector_id" and value in ("teamleider",):
            value = user_id(office, value)
        form[key] = value
    fields = [(k, v) for k, values in form.items() if values is not None
              for v in (values if isinstance(values, list) else [values])]
    before = assignment_count(office)
    answer = lead.submit("/planning?nooit=1", fields)
    assert answer.status_code == 422
    error = re.search(rf'<p class="error" id="e-{field}">([^<]*)</p>', answer.text)
    assert error and message in error.group(1), answer.text[:3000]
    assert "Let op de hond." in answer.text  # what was typed is still there
    if form.get("address_id"):
        assert all(f'value="{a}" id="a-{a}" checked' in answer.text for a in chosen)
    if form["week"]:
        assert f'value="{form["week"]}"' in answer.text
    assert assignment_count(office) == before


def test_more_addresses_than_a_plan_takes_are_refused_whole(office: Office) -> None:
    lead = office.session("teamleider")
    lead.page("/planning")
    many = [("address_id", str(uuid.uuid4())) for _ in range(501)]
    before = assignment_count(office)
    answer = lead.submit("/planning", [*many, ("inspector_id", user_id(office, "handhaver1")),
                                       ("week", week_from_now(3))])
    assert answer.status_code == 422 and "Plan hoogstens 500 adressen tegelijk." in answer.text
    assert assignment_count(office) == before


def test_the_filters_narrow_the_list_to_what_they_say(office: Office) -> None:
    lead = office.session("teamleider")
    db = office.db()
    first = lead.page("/planning?nooit=1")
    assert 'value="None"' not in first.text  # an empty filter is an empty field
    never = set(listed(first.text))
    inspected = {r[0] for r in db.execute("SELECT DISTINCT address_id FROM inspections WHERE status = 'submitted'")}
    assert never and not never & inspected
    gap = set(listed(lead.page("/planning?brp=1").text))
    assert gap and gap <= inspected
    for address_id in gap:
        registered, counted = db.execute(
            "SELECT json_extract(a.data, '$.brp_registered'), (SELECT e.residents FROM inspections i "
            "JOIN evaluations e ON e.inspection_id = i.id WHERE i.address_id = a.id ORDER BY i.started_at DESC "
            "LIMIT 1) FROM addresses a WHERE a.id = ?", [address_id]).fetchone()
        assert counted > registered
    with_case = set(listed(lead.page("/planning?zaak=1").text))
    assert with_case == {r[0] for r in db.execute("SELECT address_id FROM cases WHERE status = 'open'")}
    lint_unverified = set(listed(lead.page("/planning?type=lint&geverifieerd=nee").text))
    assert lint_unverified == {r[0] for r in db.execute(
        "SELECT id FROM addresses WHERE location_type = 'lint' AND verified = 0")}
    postcode = db.execute("SELECT postcode FROM addresses ORDER BY id LIMIT 1").fetchone()[0]
    by_postcode = set(listed(lead.page(f"/planning?q={postcode[:4]}+{postcode[4:].lower()}").text))
    assert by_postcode == {r[0] for r in db.execute("SELECT id FROM addresses WHERE postcode = ?", [postcode])}
    wrong = lead.page("/planning?q=12345678901")
    assert wrong.status_code == 422 and 'id="e-q">Geen geldig BAG-id' in wrong.text
    bad = lead.page("/planning?type=kasteel")
    assert bad.status_code == 422 and "Moet een van deze waarden zijn" in bad.text


def test_the_list_is_paged_by_fifty(office: Office) -> None:
    db = office.db()
    from server import store
    from tests.conftest import new_address
    for n in range(60):  # the demo's 40 and these make two pages
        store.put(db, "address", new_address(postcode="9999ZZ", huisnummer=n + 1, location_type="bedrijventerrein"),
                  actor=None)
    lead = office.session("teamleider")
    first = lead.page("/planning?type=bedrijventerrein")
    assert len(listed(first.text)) == 50 and "Volgende pagina" in first.text
    second = lead.page("/planning?type=bedrijventerrein&pagina=2")
    assert len(listed(second.text)) == 16 and "Vorige pagina" in second.text and "Volgende pagina" not in second.text
    assert not set(listed(first.text)) & set(listed(second.text))


def test_all_addresses_on_the_page_are_planned_without_ticking_each_one(office: Office) -> None:
    lead = office.session("teamleider")
    page = lead.page("/planning?type=grootschalig")
    on_page = listed(page.text)
    week = week_from_now(5)
    planned = lead.submit("/planning?type=grootschalig", [*(("page_ids", a) for a in on_page), ("all_on_page", "1"),
                                                          ("address_id", on_page[0]),
                                                          ("inspector_id", user_id(office, "handhaver1")),
                                                          ("week", week), ("kind", "controle")])
    assert planned.status_code == 302 and planned.headers["Location"].endswith(f"/planning/week?week={week}")
    made = [r[0] for r in office.db().execute("SELECT address_id FROM assignments WHERE week = ?", [week])]
    assert sorted(made) == sorted(on_page) and len(on_page) == 4  # one visit each, a box ticked as well or not
    week_page = lead.page(f"/planning/week?week={week}")
    assert f"{len(on_page)} bezoeken gepland voor Tom Brouwer." in week_page.text


def test_a_visit_planned_by_a_due_date_shows_in_the_week_of_that_date(office: Office) -> None:
    lead = office.session("teamleider")
    chosen = listed(lead.page("/planning?type=lint").text)[0]
    due = dt.datetime.now(TIMEZONE).date() + dt.timedelta(weeks=6)
    planned = lead.submit("/planning?type=lint", {"address_id": chosen, "inspector_id": user_id(office, "handhaver1"),
                                                  "week": "", "due": due.isoformat(), "kind": "melding"})
    assert planned.status_code == 302 and planned.headers["Location"].endswith(f"week={iso_week(due)}")
    week = lead.page(f"/planning/week?week={iso_week(due)}")
    from reports.fmt import datum
    assert f"uiterlijk {datum(due)}" in week.text and "Melding" in week.text
    assert office.db().execute("SELECT due, week FROM assignments WHERE address_id = ? AND due = ?",
                               [chosen, due.isoformat()]).fetchone() == (due.isoformat(), None)


def test_a_visit_already_made_is_neither_offered_nor_accepted_for_cancelling(office: Office) -> None:
    db = office.db()
    done_id, week, version = db.execute("SELECT id, week, version FROM assignments WHERE status = 'done' LIMIT 1"
                                        ).fetchone()
    lead = office.session("teamleider")
    page = lead.page(f"/planning/week?week={week}")
    assert page.status_code == 200 and "Uitgevoerd" in page.text
    assert f"/planning/opdracht/{done_id}/annuleren" not in page.text
    refused = lead.submit(f"/planning/opdracht/{done_id}/annuleren", {"version": version, "view_week": week})
    assert refused.status_code == 409 and "verandert niet meer" in refused.text
    moved = lead.submit(f"/planning/opdracht/{done_id}/verplaatsen", {"inspector_id": user_id(office, "handhaver2"),
                                                                     "week": week, "version": version})
    assert moved.status_code == 409
    assert db.execute("SELECT status, version FROM assignments WHERE id = ?", [done_id]).fetchone() == ("done", version)


def test_a_bad_move_is_shown_at_its_field_and_changes_nothing(office: Office) -> None:
    db = office.db()
    week = week_from_now(0)
    visit_id, version, inspector = db.execute("SELECT id, version, inspector_id FROM assignments WHERE status = 'open' "
                                              "AND week = ? ORDER BY id LIMIT 1", [week]).fetchone()
    lead = office.session("teamleider")
    lead.page(f"/planning/week?week={week}")
    answer = lead.submit(f"/planning/opdracht/{visit_id}/verplaatsen", {"inspector_id": inspector, "week": "2026-W60",
                                                                       "due": "", "version": version,
                                                                       "view_week": week})
    assert answer.status_code == 422
    assert re.search(rf'id="m-{visit_id}-week-e">Geen geldige ISO-week', answer.text)
    assert f'id="m-{visit_id}-week" name="week" type="text" value="2026-W60"' in answer.text
    assert db.execute("SELECT week, version FROM assignments WHERE id = ?", [visit_id]).fetchone() == (week, version)


def test_the_week_list_holds_one_handhavers_visits_to_print(office: Office) -> None:
    lead = office.session("teamleider")
    week = week_from_now(0)
    handhaver = user_id(office, "handhaver2")
    page = lead.page(f"/planning/weeklijst?week={week}&handhaver={handhaver}")
    assert page.status_code == 200 and "Weeklijst Fatima el Amrani" in page.text
    expected = office.db().execute("SELECT count(*) FROM assignments WHERE week = ? AND inspector_id = ? "
                                   "AND status != 'cancelled'", [week, handhaver]).fetchone()[0]
    assert page.text.count('<td class="blank">') == expected > 0
    assert lead.page(f"/planning/weeklijst?week={week}&handhaver=niemand").status_code == 404
    chooser = lead.page(f"/planning/weeklijst?week={week}")
    assert chooser.status_code == 302 and chooser.headers["Location"].endswith(f"/planning/week?week={week}")
    assert lead.page(f"/planning/weeklijst?week=2026-W60&handhaver={handhaver}").status_code == 422
    css = lead.get(office.url + "/kantoor-static/planning.css", timeout=10).text
    assert "@media print" in css


def test_a_week_search_for_a_week_that_does_not_exist_says_so_at_the_field(office: Office) -> None:
    answer = office.session("teamleider").page("/planning/week?week=2026-W60")
    assert answer.status_code == 422 and 'id="e-week">Week 2026-W60 bestaat niet.' in answer.text


def test_plan_a_week_in_chromium_and_the_handhavers_tablet_side_sees_it(office: Office,
                                                                        browser: webdriver.Chrome) -> None:
    browser_login(browser, office, "teamleider")
    browser.get(office.url + "/planning")
    browser.find_element(By.ID, "f-nooit").click()
    Select(browser.find_element(By.ID, "f-type")).select_by_visible_text("Woonkern")
    navigate(browser, browser.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]"))
    assert "nooit=1" in browser.current_url and "type=woonkern" in browser.current_url
    assert axe_violations(browser) == []
    office_screenshot(browser, "planning")
    # First nothing chosen: the error is shown at the list, the rest kept.
    week = week_from_now(2)
    Select(browser.find_element(By.ID, "f-inspector_id")).select_by_visible_text("Fatima el Amrani")
    browser.find_element(By.ID, "f-week").send_keys(week)
    navigate(browser, browser.find_element(By.CSS_SELECTOR, "fieldset.plan-fields button[type=submit]"))
    assert "Kies minstens één adres." in browser.find_element(By.ID, "e-address_id").text
    assert browser.find_element(By.ID, "f-week").get_attribute("value") == week
    assert axe_violations(browser) == []
    office_screenshot(browser, "planning-fout")
    boxes = browser.find_elements(By.CSS_SELECTOR, "input[name=address_id]")
    chosen = [box.get_attribute("value") for box in boxes[:3]]
    for box in boxes[:3]:
        box.click()
    navigate(browser, browser.find_element(By.CSS_SELECTOR, "fieldset.plan-fields button[type=submit]"))
    assert "3 bezoeken gepland voor Fatima el Amrani." in browser.find_element(By.CSS_SELECTOR, ".notice").text
    assert said(week) in browser.find_element(By.TAG_NAME, "h1").text
    section = browser.find_element(By.XPATH, "//section[h2[contains(., 'Fatima el Amrani')]]")
    assert section.text.count("Verplaatsen") == 3
    assert axe_violations(browser) == []
    office_screenshot(browser, "planning-week")
    # The handhaver's side: the API his tablet and scripts use lists them as his.
    handhaver = office.session("handhaver2")
    mine = handhaver.get(office.url + f"/api/v1/assignments?week={week}", timeout=10).json()["items"]
    assert {a["address_id"] for a in mine} == set(chosen)
    assert {a["inspector_id"] for a in mine} == {user_id(office, "handhaver2")}
    # The week list to print.
    navigate(browser, section.find_element(By.PARTIAL_LINK_TEXT, "Weeklijst van Fatima el Amrani"))
    assert browser.find_element(By.TAG_NAME, "h1").text == f"Weeklijst Fatima el Amrani, {said(week)}"
    assert len(browser.find_elements(By.CSS_SELECTOR, "table.print-list tbody tr")) == 3
    assert axe_violations(browser) == []
    office_screenshot(browser, "planning-weeklijst")
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:  # on paper: the list, without the menu bar or the hint
        assert not browser.find_element(By.CSS_SELECTOR, "header.top").is_displayed()
        assert not browser.find_element(By.CSS_SELECTOR, ".print-hint").is_displayed()
        assert browser.find_element(By.CSS_SELECTOR, "table.print-list").is_displayed()
        office_screenshot(browser, "planning-weeklijst-afdruk")
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def test_move_and_cancel_a_visit_in_chromium(office: Office, browser: webdriver.Chrome) -> None:
    browser_login(browser, office, "teamleider")
    week = week_from_now(2)
    db = office.db()
    first, second = (r[0] for r in db.execute("SELECT id FROM assignments WHERE week = ? AND status = 'open' "
                                              "ORDER BY id LIMIT 2", [week]))
    browser.get(office.url + f"/planning/week?week={week}")
    row = browser.find_element(By.XPATH, f"//form[contains(@action, '{first}/verplaatsen')]/ancestor::tr")
    row.find_element(By.TAG_NAME, "summary").click()
    Select(browser.find_element(By.ID, f"m-{first}-inspector_id")).select_by_visible_text("Tom Brouwer")
    later = week_from_now(3)
    field = browser.find_element(By.ID, f"m-{first}-week")
    field.clear()
    field.send_keys(later)
    navigate(browser, row.find_element(By.CSS_SELECTOR, "form.move button[type=submit]"))
    assert "Het bezoek is verplaatst." in browser.find_element(By.CSS_SELECTOR, ".notice").text
    assert db.execute("SELECT inspector_id, week FROM assignments WHERE id = ?", [first]).fetchone() == (
        user_id(office, "handhaver1"), later)
    navigate(browser, browser.find_element(By.XPATH, f"//form[contains(@action, '{second}/annuleren')]//button"))
    assert "Het bezoek is geannuleerd." in browser.find_element(By.CSS_SELECTOR, ".notice").text
    assert db.execute("SELECT status FROM assignments WHERE id = ?", [second]).fetchone()[0] == "cancelled"
    browser.implicitly_wait(0)
    try:
        assert not browser.find_elements(By.XPATH, f"//form[contains(@action, '{second}/annuleren')]")
    finally:
        browser.implicitly_wait(10)
    assert "Geannuleerd" in browser.find_element(By.TAG_NAME, "main").text
    assert axe_violations(browser) == []
    # The error states: a move to a week that does not exist, a week view of one.
    (third,) = (r[0] for r in db.execute("SELECT id FROM assignments WHERE week = ? AND status = 'open' "
                                         "ORDER BY id LIMIT 1", [later]))
    browser.get(office.url + f"/planning/week?week={later}")
    row = browser.find_element(By.XPATH, f"//form[contains(@action, '{third}/verplaatsen')]/ancestor::tr")
    row.find_element(By.TAG_NAME, "summary").click()
    field = browser.find_element(By.ID, f"m-{third}-week")
    field.clear()
    field.send_keys("2026-W60")
    navigate(browser, row.find_element(By.CSS_SELECTOR, "form.move button[type=submit]"))
    assert "Geen geldige ISO-week" in browser.find_element(By.ID, f"m-{third}-week-e").text
    assert browser.find_element(By.ID, f"m-{third}-week").get_attribute("value") == "2026-W60"
    assert axe_violations(browser) == []
    browser.get(office.url + "/planning/week?week=2026-W60")
    assert "bestaat niet" in browser.find_element(By.ID, "e-week").text
    assert axe_violations(browser) == []
    # A handhaver whose visit was cancelled no longer finds it open in the API.
    handhaver = office.session("handhaver2")
    mine = handhaver.get(office.url + f"/api/v1/assignments?week={week}&status=open", timeout=10).json()["items"]
    assert second not in {a["id"] for a in mine} and first not in {a["id"] for a in mine}


def test_a_street_search_reads_the_street_index_not_every_address(office: Office) -> None:
    from server.address_search import Search, clauses
    where, params, order = clauses(Search(straat="Zijd"))
    sql = f"EXPLAIN QUERY PLAN SELECT a.id FROM addresses a WHERE {' AND '.join(where)} ORDER BY {order}"  # noqa: S608
    plan = office.db().execute(sql, params).fetchall()
    assert any("USING INDEX addresses_straat" in str(step) for step in plan), plan


def said(week: str) -> str:
    """Return an ISO week as the pages say it to people: 'week 49 (2026)'."""
    return f"week {int(week[-2:])} ({week[:4]})"


def test_weeks_are_said_as_people_say_them_and_kept_iso_in_links_and_fields(office: Office) -> None:
    lead = office.session("teamleider")
    week, following = week_from_now(0), week_from_now(1)
    page = lead.page(f"/planning/week?week={week}").text
    assert f"<h1>Geplande bezoeken, {said(week)}</h1>" in page and f"<title>Planning {said(week)}" in page
    assert f"Volgende week ({said(following)})" in page and f'href="/planning/week?week={following}"' in page
    assert f'name="week" type="text" value="{week}"' in page  # what is typed stays the ISO form
    handhaver = user_id(office, "handhaver2")
    printed = lead.page(f"/planning/weeklijst?week={week}&handhaver={handhaver}").text
    assert f"<h1>Weeklijst Fatima el Amrani, {said(week)}</h1>" in printed
    mine = office.session("handhaver2").page("/mijn-week").text
    assert f"({said(week)}, vanaf" in mine and f"({said(following)}, vanaf" in mine
    assert f"week {week}" not in mine and f"week {week}" not in page and f"week {week}" not in printed


def planned_of(office: Office, name: str) -> int:
    """Return the visits the dashboard counts as planned this week for a handhaver (by his name)."""
    part = office.session("teamleider").page("/").text.split('id="kop-week"', 1)[1].split("</section>", 1)[0]
    found = re.search(rf"{name} (\d+) ", re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", part)))
    assert found, name
    return int(found[1])


def test_a_visit_due_on_sunday_belongs_to_that_week_on_every_page(office: Office) -> None:
    db = office.db()
    lead = office.session("teamleider")
    handhaver = user_id(office, "handhaver2")
    today = dt.datetime.now(TIMEZONE).date()
    sunday = today + dt.timedelta(days=6 - today.weekday())
    busy = {r[0] for r in db.execute("SELECT address_id FROM assignments")}
    chosen = next(a for n in (1, 2, 3) for a in listed(lead.page(f"/planning?pagina={n}").text) if a not in busy)
    counted = planned_of(office, "Fatima el Amrani")
    planned = lead.submit("/planning", {"address_id": chosen, "inspector_id": handhaver,
                                        "week": "", "due": sunday.isoformat(), "kind": "hercontrole"})
    assert planned.status_code == 302
    record = json.loads(db.execute("SELECT data FROM addresses WHERE id = ?", [chosen]).fetchone()[0])
    text = html.escape(labels.address(record))
    assert text in lead.page(f"/planning/week?week={iso_week(sunday)}").text
    assert text not in lead.page(f"/planning/week?week={week_from_now(1)}").text
    assert text in lead.page(f"/planning/weeklijst?week={iso_week(sunday)}&handhaver={handhaver}").text
    mine = office.session("handhaver2").page("/mijn-week").text
    weeks = mine.split('id="h-' + iso_week(sunday) + '"', 1)[1].split("</section>", 1)
    assert text in weeks[0] and text not in weeks[1]  # this week, not the next
    dashboard = office.session("handhaver2").page("/").text
    assert text in dashboard.split('id="kop-mijn-week"', 1)[1].split("</section>", 1)[0]
    assert planned_of(office, "Fatima el Amrani") == counted + 1
