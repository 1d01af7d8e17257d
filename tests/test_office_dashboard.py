"""The dashboard: a team lead's and beheerder's week per handhaver, cases, terms, conflicts, tablets, job runs and
the figures (server.figures' own numbers, computed by the scheduler), a handhaver's own week and rapporten; in
Chromium with axe-core for each role."""

from __future__ import annotations

import datetime as dt
import html
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By

from reports.fmt import tijdstip
from server import store
from server.db import rows
from server.figures import figures
from server.jobs import TIMEZONE, iso_week
from server.jobs.scheduler import Scheduler
from tests.office import (
    Office,
    axe_violations,
    browser_login,
    office_browser,
    office_screenshot,
    running_office,
)

TODAY = dt.datetime.now(TIMEZONE).date()


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


@pytest.fixture(scope="module")
def world(office: Office) -> dict[str, Any]:
    """What the dashboard should name: a term ended and one ending this week, a conflict, tablets, a failed run."""
    db = office.db()
    case = next(c for c in store.select(db, "case", "status = 'open'") if not c.get("tracks"))
    yesterday = (TODAY - dt.timedelta(days=1)).isoformat()
    case["tracks"] = {"lod": {"state": "voornemen", "zienswijze_end": yesterday},
                      "wgv": {"state": "waarschuwing"}}
    case["lasten"][0]["tracks"] = [*case["lasten"][0].get("tracks", []), "wgv"]
    case["lasten"][0]["wgv"] = {"herstel_end": TODAY.isoformat()}  # ends today: this week, not yet ended
    store.put(db, "case", case, actor="test", expected_version=case["version"])
    address = rows(db, "SELECT id FROM addresses ORDER BY id LIMIT 1")[0]["id"]
    db.execute("INSERT INTO conflicts (id, entity, record_id, field, server_value, device_value, base_version, "
               "reason, created_at) VALUES (?, 'address', ?, 'notes', '\"a\"', '\"b\"', 1, 'field_changed', ?)",
               [str(uuid.uuid4()), address, "2026-11-20T09:00:00+00:00"])
    old = (dt.datetime.now(dt.UTC) - dt.timedelta(days=12)).isoformat()
    recent = dt.datetime.now(dt.UTC).isoformat()
    handhaver = user_id(office, "handhaver1")
    for label, seen, outbox, revoked in (("Tablet oud", old, 0, None), ("Tablet wachtrij", recent, 4, None),
                                         ("Tablet goed", recent, 0, None), ("Tablet weg", old, 9, recent)):
        db.execute("INSERT INTO devices (id, user_id, label, token_hash, created_at, last_seen_at, revoked_at, "
                   "outbox_size) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   [str(uuid.uuid4()), handhaver, label, uuid.uuid4().hex, old, seen, revoked, outbox])
    db.execute("INSERT INTO job_runs (name, period, trigger, started_at, finished_at, outcome, message) VALUES "
               "('import-brp', ?, 'schedule', ?, ?, 'failed', 'Proefbestand niet ingelezen.')",
               [iso_week(TODAY), recent, recent])
    return {"case": case}


def cells(page: str, section: str) -> str:
    """Return the text of one section of the dashboard (by its heading id), tags removed."""
    part = page.split(f'id="{section}"', 1)[1].split("</section>", 1)[0]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", part)))


def number(text: str) -> int:
    """Return a number as the page writes it ("1.234", "€ 11.700,00") as an int."""
    return int(text.replace("€", "").replace(".", "").replace(",00", "").strip())


def test_before_the_scheduler_computed_them_the_dashboard_says_the_figures_are_not_there_yet(office: Office) -> None:
    page = office.session("teamleider").page("/")
    assert page.status_code == 200
    assert "De cijfers zijn nog niet berekend" in page.text and "data-cijfer" not in page.text


def test_the_figures_shown_are_server_figures_own_result_with_when_they_were_computed(office: Office,
                                                                                     world: dict[str, Any]) -> None:
    moment = dt.datetime.now(TIMEZONE)
    assert Scheduler(office.app, clock=lambda: moment).refresh_figures() is True
    expected = figures(office.db(), iso_week(moment.date()), moment.date(), office.app.config)
    page = office.session("teamleider").page("/").text
    shown = {key: number(value) for key, value in re.findall(r'data-cijfer="([a-z_.]+)">([^<]+)<', page)}
    assert len(shown) == 11
    for key, value in shown.items():
        group, name = key.split(".")
        assert value == expected[group][name], key
    for kind, row in expected["addresses"]["by_location_type"].items():
        line = page.split(f'<tr data-type="{kind}">', 1)[1].split("</tr>", 1)[0]
        assert [number(n) for n in re.findall(r'<td class="num">([^<]+)<', line)] == [
            row["total"], row["verified"], row["residents"], row["brp_registered"], row["brp_gap"]]
    findings = page.split('id="tabel-bevindingen"', 1)[1].split("</table>", 1)[0]
    assert sorted(number(n) for n in re.findall(r'<td class="num">([^<]+)<', findings)) == sorted(
        expected["findings_by_code"].values())
    cases = page.split('id="tabel-zaken"', 1)[1].split("</table>", 1)[0]
    listed = re.findall(r'<tr><td>([^<]+)</td><td class="num">([^<]+)</td></tr>', cases)
    assert [(html.unescape(label), number(n)) for label, n in listed] == list(expected["cases"]["by_status"].items())
    stored = office.db().execute("SELECT computed_at FROM dashboard_figures").fetchone()[0]
    assert f"Berekend op {tijdstip(stored)}" in page


def test_the_scheduler_computes_the_figures_again_only_after_the_set_minutes(office: Office) -> None:
    start = dt.datetime.now(TIMEZONE).replace(microsecond=0) + dt.timedelta(seconds=1)
    clock = [start]
    scheduler = Scheduler(office.app, clock=lambda: clock[0])
    office.db().execute("DELETE FROM dashboard_figures")
    assert scheduler.refresh_figures() is True
    minutes = int(office.app.config["DASHBOARD_FIGURES_MINUTES"])
    clock[0] = start + dt.timedelta(minutes=minutes - 1)
    assert scheduler.refresh_figures() is False  # fresh enough: not computed again
    clock[0] = start + dt.timedelta(minutes=minutes + 1)
    assert scheduler.refresh_figures() is True
    stored = office.db().execute("SELECT computed_at FROM dashboard_figures").fetchall()
    assert stored == [(clock[0].astimezone(dt.UTC).isoformat(timespec="seconds"),)]
    assert Scheduler(office.app, jobs={}).figures is False  # a scheduler of a test's own jobs leaves them alone


def test_a_teamleider_sees_the_week_terms_cases_conflicts_tablets_and_a_failed_run(office: Office,
                                                                                  world: dict[str, Any]) -> None:
    page = office.session("teamleider").page("/").text
    week = cells(page, "kop-week")
    assert "Tom Brouwer 6 0 0 6 0" in week and "Fatima el Amrani 6 0 0 6 0" in week  # the demo's week
    number_ = world["case"]["number"]
    terms = cells(page, "kop-termijnen")
    assert f"{number_} Zienswijzetermijn" in terms and "verstreken" in terms
    assert "Hersteltermijn van de waarschuwing" in terms and "deze week" in terms
    assert 'href="/zaken/' in page.split('id="kop-termijnen"', 1)[1].split("</section>", 1)[0]
    stands = cells(page, "kop-zaken")
    assert "Last onder dwangsom: Voornemen verzonden" in stands
    conflicts = cells(page, "kop-conflicten")
    assert "1 conflict wacht op een keuze" in conflicts and "20 november 2026" in conflicts
    assert 'href="/conflicten"' in page
    tablets = cells(page, "kop-tablets")
    assert "Tablet oud" in tablets and "meer dan 7 dagen" in tablets
    assert "Tablet wachtrij" in tablets and "4 wijzigingen niet verzonden" in tablets
    assert "Tablet goed" not in tablets and "Tablet weg" not in tablets  # synced, or revoked
    jobs = page.split('id="kop-taken"', 1)[1].split("</section>", 1)[0]
    assert 'class="failed"' in jobs and "Proefbestand niet ingelezen." in jobs and "mislukt" in jobs
    assert 'href="/taken"' not in jobs  # Taken is the beheerder's


def test_a_beheerder_sees_the_same_parts_with_links_to_his_own_pages(office: Office, world: dict[str, Any]) -> None:
    page = office.session("beheerder").page("/").text
    assert "Deze week per handhaver" in page and "Termijnen die deze week eindigen" in page
    assert 'href="/taken"' in page.split('id="kop-taken"', 1)[1]
    assert 'href="/zaken/' not in page  # case pages are the team lead's


def test_a_handhaver_sees_his_own_week_and_rapporten_to_sign_only(office: Office) -> None:
    db = office.db()
    me, other = user_id(office, "handhaver1"), user_id(office, "handhaver2")
    page = office.session("handhaver1").page("/").text
    mine = rows(db, "SELECT d.kenmerk FROM documents d JOIN inspections i ON i.id = d.inspection_id "
                    "WHERE d.kind = 'rapport' AND d.status = 'concept' AND i.inspector_id = ?", [me])
    theirs = rows(db, "SELECT d.kenmerk FROM documents d JOIN inspections i ON i.id = d.inspection_id "
                      "WHERE d.kind = 'rapport' AND i.inspector_id = ?", [other])
    assert mine and theirs
    rapporten = cells(page, "kop-rapporten")
    assert all(r["kenmerk"] in rapporten for r in mine) and not any(r["kenmerk"] in rapporten for r in theirs)
    visits = cells(page, "kop-mijn-week")
    assert "6 bezoeken gepland, 6 nog te doen" in visits and visits.count("Gepland") == 6
    assert 'href="/mijn-week"' in page
    for planner_part in ("Deze week per handhaver", "Conflicten", "Tablets om na te gaan", "Cijfers"):
        assert planner_part not in page


def test_each_view_of_the_dashboard_writes_one_audit_entry(office: Office, world: dict[str, Any]) -> None:
    lead = user_id(office, "teamleider")

    def entries() -> int:
        return int(office.db().execute("SELECT count(*) FROM audit_log WHERE user_id = ? AND action = 'read' "
                                       "AND entity = 'dashboard'", [lead]).fetchone()[0])
    http = office.session("teamleider")
    before = entries()
    http.page("/")
    assert entries() == before + 1
    detail = office.db().execute("SELECT detail FROM audit_log WHERE user_id = ? AND entity = 'dashboard' "
                                 "ORDER BY id DESC LIMIT 1", [lead]).fetchone()[0]
    assert world["case"]["id"] in detail  # the cases it named


def test_the_charts_are_svg_without_style_attributes_and_say_their_numbers_in_text(office: Office,
                                                                                   world: dict[str, Any]) -> None:
    page = office.session("teamleider").page("/").text
    charts = re.findall(r"<svg class=\"chart\".*?</svg>", page, re.S)
    assert len(charts) == 3
    for chart in charts:
        assert 'role="img"' in chart and "<title id=" in chart and "<rect" in chart
    assert " style=" not in page and "<script" not in page
    assert "Woonkern:" in re.search(r"<title[^>]*>([^<]+)</title>", charts[0])[1]  # type: ignore[index]


def test_the_dashboard_of_each_role_in_chromium_passes_axe(office: Office, browser: webdriver.Chrome,
                                                           world: dict[str, Any]) -> None:
    for user, name in (("teamleider", "dashboard-teamleider"), ("handhaver1", "dashboard-handhaver"),
                       ("beheerder", "dashboard-beheerder")):
        browser_login(browser, office, user)
        assert browser.find_element(By.TAG_NAME, "h1").text == "Overzicht"
        assert axe_violations(browser) == [], user
        office_screenshot(browser, name)
    browser_login(browser, office, "teamleider")
    assert "Berekend op" in browser.find_element(By.ID, "cijfers-tijd").text


def test_the_dashboard_offers_to_sign_exactly_the_rapporten_mijn_week_offers(office: Office) -> None:
    db = office.db()
    me = user_id(office, "handhaver1")
    inspection = rows(db, "SELECT i.id FROM inspections i JOIN documents d ON d.inspection_id = i.id "
                          "WHERE i.inspector_id = ? AND i.status = 'submitted' AND d.kind = 'rapport' LIMIT 1",
                      [me])[0]["id"]
    case_id = rows(db, "SELECT id FROM cases LIMIT 1")[0]["id"]
    # A case document of the previous release naming the inspection, and a concept of an inspection not submitted.
    draft = str(uuid.uuid4())
    record = store.get(db, "inspection", inspection)
    assert record is not None
    store.put(db, "inspection", {**record, "id": draft, "status": "draft"}, actor="test", expected_version=0)
    for kenmerk, case, of in (("RB-OUD-00001", case_id, inspection), ("RB-OPEN-00001", None, draft)):
        db.execute("INSERT INTO documents (id, case_id, inspection_id, kind, status, letter_date, data, created_at, "
                   "created_by, kenmerk) VALUES (?, ?, ?, 'rapport', 'concept', '2020-01-01', '{\"params\": {}}', "
                   "'2020-01-01T00:00:00+00:00', ?, ?)", [str(uuid.uuid4()), case, of, me, kenmerk])
    handhaver = office.session("handhaver1")
    dashboard = cells(handhaver.page("/").text, "kop-rapporten")
    week_page = handhaver.page("/mijn-week").text
    offered = set(re.findall(r"RB-[A-Z0-9-]+", week_page.split("<h2", 1)[1].split("</section>", 1)[0]))
    assert offered and "RB-OUD-00001" not in dashboard and "RB-OPEN-00001" not in dashboard
    assert set(re.findall(r"RB-[A-Z0-9-]+", dashboard)) == offered


def test_the_handhavers_visits_are_named_as_on_his_week_page(office: Office) -> None:
    handhaver = office.session("handhaver1")
    visits = cells(handhaver.page("/").text, "kop-mijn-week")
    week_page = handhaver.page("/mijn-week").text
    assert "Gepland" in week_page and "Controle" in week_page
    assert visits.count("Gepland") == 6 and "Controle" in visits and " controle " not in visits
    assert "Te doen" not in visits


def test_location_types_are_named_as_on_the_planning_page_and_in_the_reports(office: Office) -> None:
    moment = dt.datetime.now(TIMEZONE)
    assert Scheduler(office.app, clock=lambda: moment).refresh_figures() in (True, False)
    page = office.session("teamleider").page("/").text
    assert '<tr data-type="grootschalig"><th scope="row">Grootschalige locatie</th>' in page
    assert "Grootschalige huisvesting" not in page
    planning = office.session("teamleider").page("/planning").text
    assert ">Grootschalige locatie</option>" in planning


def test_a_tablet_that_never_reported_its_unsynced_work_is_said_so_in_dutch(office: Office) -> None:
    db = office.db()
    old = (dt.datetime.now(dt.UTC) - dt.timedelta(days=30)).isoformat()
    db.execute("INSERT INTO devices (id, user_id, label, token_hash, created_at, last_seen_at, outbox_size) "
               "VALUES (?, ?, 'Tablet zonder melding', ?, ?, ?, NULL)",
               [str(uuid.uuid4()), user_id(office, "handhaver2"), uuid.uuid4().hex, old, old])
    tablets = cells(office.session("teamleider").page("/").text, "kop-tablets")
    assert "Tablet zonder melding" in tablets and "niet-verzonden werk onbekend" in tablets
    assert "outbox" not in tablets


def test_the_case_pages_date_today_by_the_dutch_day_whatever_zone_the_servers_clock_is_in() -> None:
    import os
    import time

    from server.web import case_view, cases
    dutch = dt.datetime.now(TIMEZONE)
    # Thirteen hours from Amsterdam one way or the other: a zone whose date is not the Dutch one now.
    zone = "Etc/GMT+12" if dutch.hour < 12 else "Etc/GMT-14"
    before = os.environ.get("TZ")
    os.environ["TZ"] = zone
    time.tzset()
    try:
        assert dt.date.today() != dutch.date()  # the server's own date differs from the Dutch one
        assert case_view.today() == dt.datetime.now(TIMEZONE).date()
        assert cases.today() == case_view.today()
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()
