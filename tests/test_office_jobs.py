"""Taken and Logboek (beheerder): job runs, a run queued for the scheduler, files put in the inbox, and the audit
log filtered, paged and exported; roles, CSRF, bad uploads at the field, and both pages in Chromium with axe-core."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from server.jobs import TIMEZONE
from server.jobs.registry import JOBS
from server.jobs.scheduler import Scheduler
from tests.import_files import bag_row, bag_text
from tests.office import (
    Office,
    OfficeSession,
    axe_violations,
    browser_login,
    navigate,
    office_browser,
    office_screenshot,
    running_office,
)

LIMIT = 20_000  # the upload limit of this module's server, so "too big" needs no large file


@pytest.fixture(scope="module")
def office() -> Iterator[Office]:
    with running_office({"INBOX_UPLOAD_MAX_BYTES": LIMIT, "BAG_INBOX_FULL": False}) as office:
        yield office


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    with office_browser() as driver:
        yield driver


@pytest.fixture(scope="module")
def beheerder(office: Office) -> OfficeSession:
    return office.session("beheerder")


def inbox(office: Office, kind: str) -> list[str]:
    """Return every file in DATA/inbox/<kind>/ (hidden ones included), sorted."""
    folder = Path(office.app.config["DATA"]) / "inbox" / kind
    return sorted(p.name for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []


def upload(http: OfficeSession, kind: str, name: str, content: bytes, token: bool = True) -> Any:
    http.page("/taken")
    data = {"soort": kind, **({"csrf_token": http.csrf} if token else {})}
    return http.post(http.base + "/taken/inbox", data=data, files={"bestand": (name, content)}, timeout=30,
                     allow_redirects=False)


def queue_count(office: Office) -> int:
    return int(office.db().execute("SELECT count(*) FROM job_queue").fetchone()[0])


def user_id(office: Office, name: str) -> str:
    return str(office.db().execute("SELECT id FROM users WHERE name = ?", [name]).fetchone()[0])


# --- roles and CSRF ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("user", ["handhaver1", "teamleider"])
def test_only_the_beheerder_opens_taken_and_logboek_or_queues_and_uploads(office: Office, user: str) -> None:
    http = office.session(user)
    for path in ("/taken", "/taken/import-bag", "/logboek", "/logboek.csv"):
        refused = http.page(path)
        assert refused.status_code == 403, path
        assert "text/html" in refused.headers["Content-Type"]
    start = http.page("/")
    assert 'href="/taken"' not in start.text and 'href="/logboek"' not in start.text  # not offered either
    before, files = queue_count(office), inbox(office, "bag")
    assert http.submit("/taken/uitvoeren", {"taak": "backup"}).status_code == 403
    assert upload(http, "bag", "adres.csv", bag_text([bag_row(1)]).encode()).status_code == 403
    assert queue_count(office) == before and inbox(office, "bag") == files
    menu = office.session("beheerder").page("/")
    assert 'href="/taken"' in menu.text and 'href="/logboek"' in menu.text


def test_the_queue_and_upload_forms_refuse_a_missing_csrf_token_and_change_nothing(office: Office,
                                                                                   beheerder: OfficeSession) -> None:
    before, files = queue_count(office), inbox(office, "bag")
    beheerder.page("/taken")
    assert beheerder.submit("/taken/uitvoeren", {"taak": "backup"}, token=False).status_code == 400
    assert beheerder.submit("/taken/uitvoeren", {"taak": "backup", "csrf_token": "IjEi.bad.token"},
                            token=False).status_code == 400
    refused = upload(beheerder, "bag", "adres.csv", bag_text([bag_row(1)]).encode(), token=False)
    assert refused.status_code == 400 and "formulier is verlopen" in refused.text
    assert queue_count(office) == before and inbox(office, "bag") == files


# --- Taken ------------------------------------------------------------------------------------------------

def test_taken_lists_every_job_with_its_schedule_and_a_failed_run_marked(office: Office,
                                                                         beheerder: OfficeSession) -> None:
    office.db().execute("INSERT INTO job_runs (name, period, trigger, started_at, finished_at, outcome, counts, "
                        "message) VALUES ('brp-signals', '2026-W40', 'schedule', '2026-10-05T02:00:00+00:00', "
                        "'2026-10-05T02:00:04+00:00', 'failed', '{\"bad_rows\": 3}', 'Proef: <b>mislukt</b>')")
    page = beheerder.page("/taken")
    assert page.status_code == 200
    for spec in JOBS.values():
        assert spec.title in page.text and f'value="{spec.name}"' in page.text
    assert "elke maandag om 02:00" in page.text and "elke dag om 06:00" in page.text
    assert page.text.count(">Nu uitvoeren</button>") == len(JOBS)
    assert 'class="failed"' in page.text and "mislukt" in page.text and "3 foute regels" in page.text
    assert "Proef: &lt;b&gt;mislukt&lt;/b&gt;" in page.text  # a run's message is text, never markup
    detail = beheerder.page("/taken/brp-signals")
    assert detail.status_code == 200 and "2026-W40" in detail.text and "3 foute regels" in detail.text
    assert beheerder.page("/taken/geen-taak").status_code == 404


def test_nu_uitvoeren_queues_a_run_for_the_scheduler_and_runs_nothing_in_the_request(office: Office,
                                                                                     beheerder: OfficeSession) -> None:
    runs = office.db().execute("SELECT count(*) FROM job_runs").fetchone()[0]
    beheerder.page("/taken")
    queued = beheerder.submit("/taken/uitvoeren", {"taak": "retention"})
    assert queued.status_code == 303 and queued.headers["Location"] == "/taken"
    entry = office.db().execute("SELECT name, requested_by, taken_at FROM job_queue WHERE name = 'retention'"
                                ).fetchone()
    assert entry == ("retention", user_id(office, "beheerder"), None)
    assert office.db().execute("SELECT count(*) FROM job_runs").fetchone()[0] == runs  # nothing ran
    page = beheerder.page("/taken")
    assert "staat in de wachtrij" in page.text and 'id="wachtrij"' in page.text and "Kees Hoogland" in page.text
    assert beheerder.submit("/taken/uitvoeren", {"taak": "retention"}).status_code == 303
    assert office.db().execute("SELECT count(*) FROM job_queue WHERE name = 'retention' AND taken_at IS NULL"
                               ).fetchone()[0] == 1  # asked twice before the scheduler came: one run
    unknown = beheerder.submit("/taken/uitvoeren", {"taak": "alles-wissen"})
    assert unknown.status_code == 422 and "Moet een van deze waarden zijn" in unknown.text
    office.db().execute("DELETE FROM job_queue WHERE name = 'retention'")


BAD_UPLOADS = [
    ("bag", "adressen.txt", bag_text([bag_row(1)]).encode(), 422, "Kies een CSV-bestand"),
    ("bag", "leeg.csv", b"", 422, "Het bestand is leeg"),
    ("bag", "groot.csv", bag_text([bag_row(n) for n in range(1, 150)]).encode(), 413, "groter dan 20.000 bytes"),
    ("brp", "brp-2026-11-27.csv", b"bsn;naam;nummeraanduiding;aantal\n123456782;Jan;0358200000000001;1\n", 422,
     "bevat persoonsgegevens (bsn, naam)"),
    ("brp", "brp-2026-11-27.csv", b"Nummeraanduiding;Aantal;Voornaam\n0358200000000001;1;Jan\n", 422,
     "bevat persoonsgegevens (voornaam)"),
    ("bag", "adres.csv", b"nummeraanduiding;postcode\n0358200000000001;1431AB\n", 422, "ontbreken in de kopregel"),
    ("bag", "adres.csv", b"openbareruimte,huisnummer,postcode\nZijdstraat,1,1431AB\n", 422, "komma's"),
    ("bag", "foto.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 422, "geen CSV-bestand"),
    ("bag", "latin1.csv", "openbareruimte;straße\nCafé\n".encode("latin-1"), 422, "geen geldige UTF-8"),
]


@pytest.mark.parametrize(("kind", "name", "content", "status", "message"), BAD_UPLOADS,
                         ids=["extensie", "leeg", "te-groot", "bsn-en-naam", "voornaam", "kolommen", "komma",
                              "binair", "latin-1"])
def test_a_bad_upload_is_answered_at_the_field_with_nothing_written(office: Office, beheerder: OfficeSession,
                                                                    kind: str, name: str, content: bytes,
                                                                    status: int, message: str) -> None:
    before = inbox(office, kind)
    refused = upload(beheerder, kind, name, content)
    assert refused.status_code == status, refused.text[:500]
    error = html.unescape(refused.text.split('id="e-bestand">', 1)[1].split("</p>", 1)[0])
    assert message in error and "niets opgeslagen" in error.lower()
    assert f'<option value="{kind}" selected>' in refused.text  # the choice is kept
    assert inbox(office, kind) == before  # nothing written, not even a temporary part


def test_a_body_larger_than_the_limit_is_refused_at_the_field_unread(office: Office,
                                                                     beheerder: OfficeSession) -> None:
    before = inbox(office, "bag")
    refused = upload(beheerder, "bag", "enorm.csv", b"openbareruimte;huisnummer\n" + b"x;1\n" * 30_000)
    assert refused.status_code == 413 and 'id="e-bestand"' in refused.text and "groter dan" in refused.text
    assert inbox(office, "bag") == before
    assert beheerder.page("/taken").status_code == 200  # the session goes on


def test_a_missing_file_or_kind_is_named_at_its_field(office: Office, beheerder: OfficeSession) -> None:
    beheerder.page("/taken")
    no_file = beheerder.submit("/taken/inbox", {"soort": "bag"})
    assert no_file.status_code == 422 and "Kies een bestand" in no_file.text.split('id="e-bestand"', 1)[1]
    no_kind = upload(beheerder, "", "adres.csv", bag_text([bag_row(1)]).encode())
    assert no_kind.status_code == 422 and 'id="e-soort"' in no_kind.text


def test_an_upload_never_overwrites_a_file_waiting_in_the_inbox(office: Office, beheerder: OfficeSession) -> None:
    first = b"nummeraanduiding;aantal;peildatum\n0358200000000001;2;2026-11-27\n"
    second = b"nummeraanduiding;aantal;peildatum\n0358200000000001;5;2026-11-27\n"
    assert upload(beheerder, "brp", "brp-selectie.csv", first).status_code == 303
    assert upload(beheerder, "brp", "brp-selectie.csv", second).status_code == 303
    folder = Path(office.app.config["DATA"]) / "inbox" / "brp"
    assert (folder / "brp-selectie.csv").read_bytes() == first
    assert (folder / "brp-selectie-2.csv").read_bytes() == second
    assert not [name for name in inbox(office, "brp") if name.startswith(".")]
    assert oct((folder / "brp-selectie-2.csv").stat().st_mode & 0o777) == "0o600"
    logged = office.db().execute("SELECT record_id FROM audit_log WHERE action = 'upload' ORDER BY id DESC LIMIT 1"
                                 ).fetchone()[0]
    assert logged == "brp/brp-selectie-2.csv"
    (folder / "brp-selectie.csv").unlink()
    (folder / "brp-selectie-2.csv").unlink()


# --- Logboek ------------------------------------------------------------------------------------------------

def log(office: Office, at: str, user: str | None, action: str, entity: str | None, record: str | None,
        detail: str | None = None) -> None:
    office.db().execute("INSERT INTO audit_log (at, user_id, action, entity, record_id, remote_addr, detail) VALUES "
                        "(?, ?, ?, ?, ?, '10.0.0.7', ?)", [at, user, action, entity, record, detail])


@pytest.fixture(scope="module")
def logged(office: Office) -> dict[str, str]:
    """A few known entries in March 2026, next to whatever the other tests logged today."""
    handhaver, lead = user_id(office, "handhaver1"), user_id(office, "teamleider")
    for day in range(1, 31):
        log(office, f"2026-03-{day:02d}T10:00:00.000000+00:00", handhaver, "read", "inspection", f"insp-{day % 3}")
    log(office, "2026-03-15T23:30:00.000000+00:00", lead, "approve", "document", "doc-1", '{"x": "<script>"}')
    return {"handhaver": handhaver, "lead": lead}


def rows_of(page: str) -> list[str]:
    body = page.split('<table id="logboek">', 1)[1].split("</tbody>", 1)[0]
    return body.split("<tr>")[2:]


def test_logboek_shows_the_newest_first_with_names_not_ids(office: Office, beheerder: OfficeSession,
                                                           logged: dict[str, str]) -> None:
    page = beheerder.page("/logboek?van=2026-03-01&tot=2026-03-31")
    assert page.status_code == 200
    found = rows_of(page.text)
    assert len(found) == 31
    assert "30 maart 2026 12:00:00" in found[0] and "Tom Brouwer" in found[0] and "gelezen" in found[0]  # summer time
    assert "16 maart 2026 11:00:00" in found[14] and "1 maart 2026" in found[-1]
    approved = found[15]
    assert "16 maart 2026 00:30:00" in approved and "Ingrid Verhoef" in approved and "vastgesteld" in approved
    listed = "".join(found)
    assert logged["handhaver"] not in listed and logged["lead"] not in listed  # the option values aside: names
    assert "&lt;script&gt;" in page.text and "<script>" not in page.text.split("<main", 1)[1]


def test_logboek_filters_by_user_record_action_and_dutch_days(office: Office, beheerder: OfficeSession,
                                                              logged: dict[str, str]) -> None:
    march = "&van=2026-03-01&tot=2026-03-31"
    by_user = rows_of(beheerder.page(f"/logboek?gebruiker={logged['lead']}{march}").text)
    assert len(by_user) == 1 and "doc-1" in by_user[0]
    by_record = rows_of(beheerder.page(f"/logboek?soort=inspection&record=insp-1{march}").text)
    assert len(by_record) == 10 and all("insp-1" in row for row in by_record)
    by_action = rows_of(beheerder.page(f"/logboek?handeling=approve{march}").text)
    assert len(by_action) == 1
    # 23:30 UTC on 15 March is 16 March in Amsterdam: the day filter counts Dutch days.
    day = rows_of(beheerder.page("/logboek?van=2026-03-16&tot=2026-03-16").text)
    assert len(day) == 2 and "doc-1" in day[1]


def test_logboek_pages_fifty_at_a_time_with_a_link_to_the_older_ones(office: Office, beheerder: OfficeSession,
                                                                     logged: dict[str, str]) -> None:
    for minute in range(60):
        log(office, f"2026-02-01T09:{minute:02d}:00.000000+00:00", logged["handhaver"], "pull", None, None)
    first = beheerder.page("/logboek?handeling=pull&tot=2026-02-28")
    assert len(rows_of(first.text)) == 50 and "10:59" in rows_of(first.text)[0]
    older = first.text.split('rel="next"', 1)[0].rsplit('href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    second = beheerder.page(older)
    assert [r for r in rows_of(second.text)] and len(rows_of(second.text)) == 10
    assert "10:09" in rows_of(second.text)[0] and 'rel="next"' not in second.text
    assert "Naar de nieuwste" in second.text


def test_logboek_names_bad_filters_at_their_field(office: Office, beheerder: OfficeSession) -> None:
    bad_date = beheerder.page("/logboek?van=2026-13-01")
    assert bad_date.status_code == 422 and "Geen geldige datum" in bad_date.text.split('id="e-van"', 1)[1]
    record_alone = beheerder.page("/logboek?record=abc")
    assert record_alone.status_code == 422 and "Kies bij een record ook de soort." in record_alone.text
    backwards = beheerder.page("/logboek?van=2026-03-10&tot=2026-03-01")
    assert backwards.status_code == 422 and "einddatum ligt voor de begindatum" in backwards.text
    assert beheerder.page("/logboek?na=niets").status_code == 422


@pytest.mark.parametrize("cursor", ["2026-01-01T00:00:00|9999999999999999999", "2026-01-01T00:00:00|"
                                                                              "99999999999999999999"])
def test_logboek_with_a_place_beyond_any_entry_is_named_at_its_field_not_a_server_error(
        office: Office, beheerder: OfficeSession, cursor: str) -> None:
    for path in ("/logboek", "/logboek.csv"):
        answer = beheerder.page(f"{path}?na={cursor}")
        assert answer.status_code == 422, path
        assert "Ongeldige plaats in het logboek." in answer.text


def test_the_logboek_csv_is_for_dutch_excel_streamed_and_filtered(office: Office, beheerder: OfficeSession,
                                                                  logged: dict[str, str]) -> None:
    answer = beheerder.get(office.url + "/logboek.csv?soort=inspection&record=insp-2&van=2026-03-01&tot=2026-03-31",
                           timeout=30)
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in answer.headers["Content-Disposition"] and "Content-Length" not in answer.headers
    assert answer.content.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig")), delimiter=";"))
    assert table[0] == ["Tijdstip", "Gebruiker", "Tablet", "Handeling", "Soort", "Record", "IP-adres", "Details"]
    assert len(table) == 11 and all(row[5] == "insp-2" for row in table[1:])
    assert table[1][:6] == ["2026-03-29 12:00:00", "Tom Brouwer", "", "gelezen", "inspectie", "insp-2"]
    exported = office.db().execute("SELECT action, entity FROM audit_log WHERE user_id = ? ORDER BY id DESC LIMIT 1",
                                   [user_id(office, "beheerder")]).fetchone()
    assert exported == ("export", "audit_log")


@pytest.mark.parametrize("filters", [{}, {"gebruiker": "x"}, {"handeling": "read"}, {"soort": "case"},
                                     {"soort": "case", "record": "x"}, {"van": dt.date(2026, 3, 1)},
                                     {"gebruiker": "x", "van": dt.date(2026, 3, 1), "tot": dt.date(2026, 3, 2)}])
def test_every_logboek_filter_reads_through_an_index_in_its_order(office: Office, filters: dict[str, Any]) -> None:
    from server.web.audit_pages import query
    sql, params = query(filters, ("2026-12-01T00:00:00+00:00", 10**9), 51)
    plan = " | ".join(str(step[3]) for step in office.db().execute("EXPLAIN QUERY PLAN " + sql, params))
    assert "SCAN l" not in plan and "USING INDEX audit_log" in plan, plan
    if "record" not in filters:
        assert "TEMP B-TREE" not in plan, plan  # a page of 50 is read in index order, never sorted


# --- in Chromium ----------------------------------------------------------------------------------------------

def test_upload_a_bag_file_in_the_browser_and_run_the_import_through_the_scheduler(
        office: Office, browser: webdriver.Chrome, tmp_path: Path) -> None:
    browser_login(browser, office, "beheerder")
    browser.get(office.url + "/taken")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Taken"
    assert axe_violations(browser) == []
    bad = tmp_path / "adressen.txt"
    bad.write_text("geen csv", encoding="utf-8")
    Select(browser.find_element(By.ID, "f-soort")).select_by_value("bag")
    browser.find_element(By.ID, "f-bestand").send_keys(str(bad))
    navigate(browser, browser.find_element(By.CSS_SELECTOR, "form[enctype] button[type=submit]"))
    assert "Kies een CSV-bestand" in browser.find_element(By.ID, "e-bestand").text
    assert axe_violations(browser) == []
    office_screenshot(browser, "taken-fout")
    extract = tmp_path / "bagadres-full-0358-browser.csv"
    extract.write_text(bag_text([bag_row(901), bag_row(902), bag_row(903)]), encoding="utf-8")
    Select(browser.find_element(By.ID, "f-soort")).select_by_value("bag")
    browser.find_element(By.ID, "f-bestand").send_keys(str(extract))
    navigate(browser, browser.find_element(By.CSS_SELECTOR, "form[enctype] button[type=submit]"))
    assert "bagadres-full-0358-browser.csv staat in inbox/bag/" in browser.find_element(By.CSS_SELECTOR,
                                                                                         ".notice.ok").text
    card = browser.find_element(By.ID, "taak-import-bag")
    navigate(browser, card.find_element(By.XPATH, ".//button[text()='Nu uitvoeren']"))
    assert "staat in de wachtrij" in browser.find_element(By.CSS_SELECTOR, ".notice.ok").text
    assert "Adressen uit de BAG inlezen" in browser.find_element(By.ID, "wachtrij").text
    # The scheduler's tick takes the queued run (its queue half, on an injected clock), as its process would.
    clock = dt.datetime.now(TIMEZONE)
    Scheduler(office.app, clock=lambda: clock, jobs={"import-bag": JOBS["import-bag"]}).run_queued()
    browser.get(office.url + "/taken")
    runs = browser.find_element(By.ID, "runs-import-bag").text
    assert "gelukt" in runs and "3 regels" in runs and "3 nieuw" in runs and "via de kantoorpagina's" in runs
    assert "Kees Hoogland" in runs
    assert "Er wacht geen taak op de planner." in browser.page_source
    assert "bagadres-full-0358-browser.csv" not in browser.find_element(By.ID, "kop-inbox").find_element(
        By.XPATH, "..").text.split("Wachtend in de inbox", 1)[1]  # read and put away in done/
    stored = office.db().execute("SELECT count(*) FROM addresses WHERE bag_id IN "
                                 "('0358200000000901', '0358200000000902', '0358200000000903')").fetchone()[0]
    assert stored == 3
    assert axe_violations(browser) == []
    office_screenshot(browser, "taken")
    browser.get(office.url + "/taken/import-bag")
    assert "3 nieuw" in browser.find_element(By.ID, "runs-import-bag").text
    assert axe_violations(browser) == []


def test_the_logboek_in_chromium_filters_by_keyboard_and_passes_axe(office: Office, browser: webdriver.Chrome,
                                                                    logged: dict[str, str]) -> None:
    browser_login(browser, office, "beheerder")
    browser.get(office.url + "/logboek")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Logboek"
    assert axe_violations(browser) == []
    office_screenshot(browser, "logboek")
    Select(browser.find_element(By.ID, "f-gebruiker")).select_by_visible_text("Ingrid Verhoef")
    for field, day in (("f-van", "2026-03-01"), ("f-tot", "2026-03-31")):  # typed order depends on the locale
        browser.execute_script("arguments[0].value = arguments[1]", browser.find_element(By.ID, field), day)
    navigate(browser, browser.find_element(By.CSS_SELECTOR, "form button.primary"))
    table = browser.find_element(By.ID, "logboek").text
    assert "doc-1" in table and "Tom Brouwer" not in table
    assert axe_violations(browser) == []
    browser.get(office.url + "/logboek?van=2026-13-01")
    assert "Geen geldige datum" in browser.find_element(By.ID, "e-van").text
    assert axe_violations(browser) == []
