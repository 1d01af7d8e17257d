"""Zaken, the team lead's case and letter pages: the list, opening a case, the LHS assessment, overtreders, the
steps a case allows, letters made, previewed, approved and sent, a zienswijze, the timeline and the dossier;
on a real server with the demo's data, and the main flow in a real Chromium checked by axe-core."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.ui import Select, WebDriverWait

from server import store
from server.auth import find_user
from server.cases import get_case, open_case, set_overtreders
from server.db import get_db, rows
from server.documents import Settings
from server.evaluation import app_norm_sets, evaluate_and_store
from server.parties import addressee
from server.rapport import draft
from server.rapport_signing import sign
from tests.office import (
    Office,
    OfficeSession,
    axe_violations,
    browser_login,
    office_browser,
    office_screenshot,
    running_office,
)

TODAY = dt.date.today().isoformat()
REASON = "U verhuurt de kamers aan de bewoners en kunt de overtredingen beëindigen."
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(scope="module")
def office() -> Iterator[Office]:
    with running_office() as office:
        yield office


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    with office_browser() as driver:
        yield driver


@pytest.fixture
def lead(office: Office) -> OfficeSession:
    return office.session("teamleider")


def demo_inspections(office: Office) -> list[dict[str, Any]]:
    """Return the demo's submitted inspections with findings of impact 1 or more, newest first."""
    return rows(office.db(), "SELECT i.id, i.address_id, i.inspector_id FROM inspections i JOIN evaluations e ON "
                             "e.inspection_id = i.id WHERE i.status = 'submitted' AND (SELECT count(*) FROM "
                             "json_each(e.findings) f WHERE json_extract(f.value, '$.impact') >= 1) > 10 "
                             "ORDER BY i.started_at DESC")


def flow_inspection(office: Office) -> dict[str, Any]:
    """Return the demo inspection the browser flow opens its case from (one without a case yet)."""
    taken = {r["i"] for r in rows(office.db(), "SELECT json_extract(data, '$.inspection_id') AS i FROM cases")}
    unsigned = {r["inspection_id"] for r in rows(office.db(), "SELECT inspection_id FROM documents WHERE kind = "
                                                              "'rapport' AND status = 'concept'")}
    return next(r for r in demo_inspections(office) if r["id"] not in taken and r["id"] in unsigned)


def sign_rapport(office: Office, inspection_id: str) -> None:
    """Let the inspection's own toezichthouder sign its rapport (the letters enclose it)."""
    with office.app.app_context():
        db = get_db()
        inspection = store.get(db, "inspection", inspection_id)
        assert inspection is not None
        name = rows(db, "SELECT name FROM users WHERE id = ?", [inspection["inspector_id"]])[0]["name"]
        inspector = find_user(db, name)
        assert inspector is not None
        sign(db, Settings(office.app.config), inspection_id, inspector)


def copied_inspection(office: Office, on: dt.date | None = None) -> str:
    """Store a copy of a demo inspection with violations under a new id (judged, rapport drafted and signed),
    made on another day when given (a hercontrole)."""
    source = demo_inspections(office)[-1]
    with office.app.app_context():
        db = get_db()
        record = store.get(db, "inspection", source["id"])
        assert record is not None
        record = {k: v for k, v in record.items() if k not in ("version", "created_at", "updated_at")}
        record.update({"id": str(uuid.uuid4()), "assignment_id": None})
        if on is not None:
            # A hercontrole that any reading of the norm set judges the same: the later reading (from
            # 2026-12-01) also wants the arbeidsmigranten counted, the lease's date and a detector per room.
            record.update({"started_at": f"{on.isoformat()}T10:00:00+00:00",
                           "finished_at": f"{on.isoformat()}T11:00:00+00:00", "kind": "hercontrole"})
            record["occupants"] = {**record["occupants"], "arbeidsmigranten": record["occupants"]["present"]}
            record["tenancy"] = {**record["tenancy"], "lease_concluded_on": record["tenancy"]["lease_start"]}
            record["rooms"] = [{**room, "smoke_detector": False} for room in record["rooms"]]
        stored = store.put(db, "inspection", record, actor=record["inspector_id"])
        evaluate_and_store(db, stored, app_norm_sets())
        draft(db, stored)
    sign_rapport(office, stored["id"])
    found = {f["code"] for f in json.loads(rows(office.db(), "SELECT findings FROM evaluations WHERE "
                                                             "inspection_id = ?", [stored["id"]])[0]["findings"])}
    assert {"ROOKMELDER", "HUURCONTRACT"} <= found, found
    return str(stored["id"])


def ready_case(office: Office) -> dict[str, Any]:
    """Open a case (through the domain, as the API does) on a copied inspection, its verhuurder the overtreder."""
    inspection_id = copied_inspection(office)
    with office.app.app_context():
        db = get_db()
        lead = find_user(db, "teamleider")
        assert lead is not None
        case = open_case(db, lead, inspection_id=inspection_id)
        party = addressee(db, case["address_id"])
        assert party is not None
        return set_overtreders(db, case["id"], lead, [{"party_id": party["id"], "role": "verhuurder",
                                                       "reason": REASON}])


def stored_case(office: Office, case_id: str) -> dict[str, Any]:
    with office.app.app_context():
        return get_case(get_db(), case_id)


def documents_of(office: Office, case_id: str) -> list[dict[str, Any]]:
    return rows(office.db(), "SELECT id, kind, status, sent_on, dispatch_method, dispatch_reference, confirmed "
                             "FROM documents WHERE case_id = ? ORDER BY created_at", [case_id])


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def field_value(html: str, name: str) -> str:
    found = re.search(rf'id="f-{re.escape(name)}"[^>]*value="([^"]*)"', html)
    return found.group(1) if found else ""


def made_letter(office: Office, http: OfficeSession, case_id: str, kind: str, fields: dict[str, Any]) -> str:
    """Make a concept through the page; return its id."""
    http.page(f"/zaken/{case_id}/brief/{kind}")
    made = http.submit(f"/zaken/{case_id}/brief/{kind}", {"letter_date": TODAY, **fields})
    assert made.status_code == 302, text_of(made.text)[:800]
    return made.headers["Location"].rsplit("/", 1)[1]


# --- the list, opening, roles and the token ---------------------------------------------------------------

def test_the_case_list_shows_kenmerk_address_status_and_next_term_filtered_by_status(office: Office,
                                                                                    lead: OfficeSession) -> None:
    page = lead.page("/zaken")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "HH-2026-0001" in text and "HH-2026-0002" in text
    assert "Afgesloten (handhaving uitgevoerd met een bestuurlijke boete)" in text
    closed = office.db().execute("SELECT address_id FROM cases WHERE number = 'HH-2026-0002'").fetchone()[0]
    address = store.get(office.db(), "address", closed)
    assert address is not None and address["straat"] in text
    only_closed = text_of(lead.page("/zaken?status=afgesloten").text)
    assert "HH-2026-0002" in only_closed and "HH-2026-0001" not in only_closed
    wrong = lead.page("/zaken?status=half")
    assert wrong.status_code == 422 and "Controleer het formulier" in wrong.text
    entry = office.db().execute("SELECT detail FROM audit_log WHERE action = 'list' AND entity = 'case' "
                                "ORDER BY id DESC LIMIT 1").fetchone()[0]
    assert json.loads(entry)["filters"] == {"status": "half"}


def test_the_case_list_shows_the_next_term_a_case_waits_for(office: Office, lead: OfficeSession) -> None:
    case = ready_case(office)
    made = made_letter(office, lead, case["id"], "waarschuwing", {"codes": "HUURCONTRACT",
                                                                  "lasten.HUURCONTRACT.herstel_days": "28"})
    lead.submit(f"/zaken/{case['id']}/brieven/{made}/vaststellen", {"confirm_unverified": "1"})
    lead.page(f"/zaken/{case['id']}/brieven/{made}")
    sent = lead.submit(f"/zaken/{case['id']}/brieven/{made}/verzenden",
                       {"sent_on": TODAY, "method": "post", "reference": "Verzendlijst 12"})
    assert sent.status_code == 302
    end = stored_case(office, case["id"])["tracks"]["wgv"]["herstel_end"]
    from server.web.filters import datum
    row = re.search(rf"{case['number']}.*?</tr>", lead.page("/zaken?status=open").text, re.S)
    assert row is not None and datum(end) in text_of(row.group(0)) and "einde hersteltermijn" in row.group(0)
    assert "verstreken" not in row.group(0)
    past = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    moved_back(office, case["id"], lambda stored: stored["tracks"]["wgv"].update(herstel_end=past))
    row = re.search(rf"{case['number']}.*?</tr>", lead.page("/zaken?status=open").text, re.S)
    assert row is not None and datum(past) in text_of(row.group(0)) and "verstreken" in row.group(0)


def test_the_case_list_shows_fifty_at_a_time_with_a_link_to_the_next(office: Office, lead: OfficeSession) -> None:
    with office.app.app_context():
        db = get_db()
        lead_user = find_user(db, "teamleider")
        assert lead_user is not None
        address_id = demo_inspections(office)[0]["address_id"]
        for i in range(52):
            open_case(db, lead_user, address_id=address_id, melding=f"Melding {i} over bewoning.")
    first = lead.page("/zaken")
    assert first.text.count('href="/zaken/') - first.text.count('href="/zaken/openen"') == 50
    found = re.search(r'href="(/zaken\?[^"]*after=[^"]+)"', first.text)
    assert found is not None
    second = lead.page(found.group(1).replace("&amp;", "&"))
    assert second.status_code == 200 and "HH-2026-0001" in second.text and "Naar het begin" in second.text


def test_handhaver_and_beheerder_get_403_on_zaken_and_see_no_menu_entry(office: Office) -> None:
    case_id = office.db().execute("SELECT id FROM cases WHERE number = 'HH-2026-0001'").fetchone()[0]
    for user in ("handhaver1", "beheerder"):
        http = office.session(user)
        assert 'href="/zaken"' not in http.page("/").text
        for path in ("/zaken", "/zaken/openen", f"/zaken/{case_id}", f"/zaken/{case_id}/beoordeling",
                     f"/zaken/{case_id}/tijdlijn", f"/zaken/{case_id}/brief/waarschuwing"):
            answer = http.page(path)
            assert answer.status_code == 403, (user, path)
            assert "Geen toegang" in answer.text
        refused = http.submit(f"/zaken/{case_id}/stap/ingetrokken", {"reason": "weg ermee"})
        assert refused.status_code == 403
    assert stored_case(office, case_id)["status"] == "open"
    assert office.session().page("/zaken").headers["Location"].startswith("/login")


def test_a_form_without_its_csrf_token_is_refused_and_opens_no_case(office: Office, lead: OfficeSession) -> None:
    before = office.db().execute("SELECT count(*) FROM cases").fetchone()[0]
    lead.page("/zaken/openen")
    inspection_id = copied_inspection(office)
    refused = lead.submit("/zaken/openen", {"van": "inspectie", "inspection_id": inspection_id}, token=False)
    assert refused.status_code == 400 and "formulier is verlopen" in refused.text
    assert office.db().execute("SELECT count(*) FROM cases").fetchone()[0] == before
    opened = lead.submit("/zaken/openen", {"van": "inspectie", "inspection_id": inspection_id})
    assert opened.status_code == 302 and "geopend=1" in opened.headers["Location"]
    assert office.db().execute("SELECT count(*) FROM cases").fetchone()[0] == before + 1


def test_opening_a_case_refuses_bad_input_at_the_field_with_values_kept(office: Office, lead: OfficeSession) -> None:
    before = office.db().execute("SELECT count(*) FROM cases").fetchone()[0]
    lead.page("/zaken/openen")
    bad = lead.submit("/zaken/openen", {"van": "inspectie", "inspection_id": "geen-nummer"})
    assert bad.status_code == 422 and "Geen geldige UUID." in bad.text
    assert field_value(bad.text, "inspection_id") == "geen-nummer"
    compliant = rows(office.db(), "SELECT e.inspection_id FROM evaluations e WHERE NOT EXISTS (SELECT 1 FROM "
                                  "json_each(e.findings) f WHERE json_extract(f.value, '$.impact') >= 1) LIMIT 1")
    refused = lead.submit("/zaken/openen", {"van": "inspectie", "inspection_id": compliant[0]["inspection_id"]})
    assert refused.status_code == 409 and "geen overtreding van een bindend voorschrift" in refused.text
    unknown = lead.submit("/zaken/openen", {"van": "melding", "postcode": "9999ZZ", "huisnummer": "1",
                                            "melding": "Veel fietsen in de gang."})
    assert unknown.status_code == 422 and "Geen adres met deze postcode" in unknown.text
    assert field_value(unknown.text, "postcode") == "9999ZZ"
    assert "Veel fietsen in de gang." in unknown.text
    empty = lead.submit("/zaken/openen", {"van": "melding", "postcode": "", "huisnummer": "", "melding": ""})
    assert empty.status_code == 422 and empty.text.count("Verplicht veld.") >= 2
    assert office.db().execute("SELECT count(*) FROM cases").fetchone()[0] == before


def test_the_address_pages_link_fills_in_the_inspection_to_open_a_case_from(office: Office,
                                                                             lead: OfficeSession) -> None:
    inspection_id = copied_inspection(office)
    form = lead.page(f"/zaken/openen?van=inspectie&inspection_id={inspection_id}")
    assert field_value(form.text, "inspection_id") == inspection_id
    opened = lead.submit("/zaken/openen", {"van": "inspectie", "inspection_id": inspection_id})
    assert opened.status_code == 302
    case_id = opened.headers["Location"].split("/zaken/")[1].split("?")[0]
    assert stored_case(office, case_id)["inspection_id"] == inspection_id


def test_a_case_opens_from_a_melding_at_a_postcode_and_number(office: Office, lead: OfficeSession) -> None:
    address = store.get(office.db(), "address", demo_inspections(office)[0]["address_id"])
    assert address is not None
    lead.page("/zaken/openen")
    opened = lead.submit("/zaken/openen", {"van": "melding", "postcode": address["postcode"].lower(),
                                           "huisnummer": str(address["huisnummer"]),
                                           "huisletter": address.get("huisletter") or "",
                                           "toevoeging": address.get("toevoeging") or "",
                                           "melding": "Buurman meldt <script>alert(1)</script> veel bewoners."})
    assert opened.status_code == 302, text_of(opened.text)[:600]
    page = lead.page(opened.headers["Location"])
    assert "vanuit een melding" in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text and "<script>alert" not in page.text
    from_address = lead.page(f"/zaken/openen?address_id={address['id']}")  # as the address page links to it
    assert address["straat"] in text_of(from_address.text.split('id="van-melding"')[1])
    linked = lead.submit("/zaken/openen", {"van": "melding", "address_id": address["id"],
                                           "melding": "Een tweede melding."})
    assert linked.status_code == 302
    opened_ids = {opened.headers["Location"].split("/zaken/")[1].split("?")[0],
                  linked.headers["Location"].split("/zaken/")[1].split("?")[0]}
    assert {stored_case(office, i)["address_id"] for i in opened_ids} == {address["id"]}


# --- the assessment and overtreders ------------------------------------------------------------------------

def test_the_assessment_shows_the_suggestion_and_asks_a_reason_when_the_choice_differs(
        office: Office, lead: OfficeSession) -> None:
    case = ready_case(office)
    path = f"/zaken/{case['id']}/beoordeling"
    form = lead.page(path)
    assert form.status_code == 200 and "Voorstel voor" not in form.text
    fields = [("codes", "ROOKMELDER"), ("codes", "HUURCONTRACT"), ("behaviour", "B"),
              ("behaviour_reason", "Onverschillig: eerder gewezen op de regels.")]
    looked = lead.submit(path, [*fields, ("bekijk", "1")])
    assert looked.status_code == 200
    cells = re.findall(r'<td class="suggested">(.*?)</td>', looked.text, re.S)
    assert len(cells) == 2 and all("Voorstel voor" in c for c in cells)  # said in words, not only a colour
    assert stored_case(office, case["id"])["version"] == case["version"]  # looking saves nothing
    differing = lead.submit(path, [*fields, ("chosen", "waarschuwing"), ("chosen_reason", "")])
    assert differing.status_code == 422 and "Geef een reden als u afwijkt van de matrix." in differing.text
    assert "Onverschillig: eerder gewezen op de regels." in differing.text
    assert stored_case(office, case["id"])["version"] == case["version"]
    saved = lead.submit(path, [*fields, ("chosen", "waarschuwing"),
                               ("chosen_reason", "Eerste overtreding; de verhuurder werkt mee.")])
    assert saved.status_code == 302
    lasten = stored_case(office, case["id"])["lasten"]
    assert {x["assessment"]["chosen"] for x in lasten} == {"waarschuwing"}
    assert all(x["assessment"]["chosen_reason"] for x in lasten)
    assert "afwijkend van het voorstel" in lead.page(f"/zaken/{case['id']}").text


def test_overtreders_need_a_reason_and_are_recorded_with_their_role(office: Office, lead: OfficeSession) -> None:
    inspection_id = copied_inspection(office)
    lead.page("/zaken/openen")
    opened = lead.submit("/zaken/openen", {"van": "inspectie", "inspection_id": inspection_id})
    case_id = opened.headers["Location"].split("/zaken/")[1].split("?")[0]
    path = f"/zaken/{case_id}/overtreders"
    lead.page(path)
    version = stored_case(office, case_id)["version"]
    none = lead.submit(path, {})
    assert none.status_code == 422 and "Kies ten minste één partij" in none.text
    empty = lead.submit(path, {"o0.chosen": "1", "o0.role": "verhuurder", "o0.reason": "  "})
    assert empty.status_code == 422 and "Mag niet leeg zijn." in empty.text
    assert stored_case(office, case_id)["version"] == version
    done = lead.submit(path, {"o0.chosen": "1", "o0.role": "eigenaar", "o0.reason": REASON})
    assert done.status_code == 302
    overtreders = stored_case(office, case_id)["overtreders"]
    assert [(o["role"], o["reason"]) for o in overtreders] == [("eigenaar", REASON)]


# --- steps ------------------------------------------------------------------------------------------------

def test_only_the_steps_a_case_allows_are_offered_and_others_are_refused(office: Office,
                                                                          lead: OfficeSession) -> None:
    case = ready_case(office)
    page = lead.page(f"/zaken/{case['id']}").text
    assert f"/zaken/{case['id']}/brief/voornemen_lod" in page and f"/zaken/{case['id']}/brief/waarschuwing" in page
    assert f"/zaken/{case['id']}/stap/ingetrokken" in page
    for missing in ("stap/verbeurd", "stap/hersteld", "stap/zienswijze_ontvangen", "brief/besluit_lod",
                    "brief/invordering", "stap/afgesloten"):
        assert f"/zaken/{case['id']}/{missing}" not in page, missing
    assert lead.page(f"/zaken/{case['id']}/stap/verbeurd/ROOKMELDER").status_code == 409
    assert lead.page(f"/zaken/{case['id']}/brief/besluit_lod").status_code == 409
    assert lead.page(f"/zaken/{case['id']}/stap/geen_stap").status_code == 404
    refused = lead.submit(f"/zaken/{case['id']}/stap/zienswijze_ontvangen", {"received_on": TODAY, "text": "Nee."})
    assert refused.status_code == 409
    letter_step = lead.submit(f"/zaken/{case['id']}/stap/voornemen_verzonden", {})
    assert letter_step.status_code == 409 and "verzenden van een vastgestelde brief" in letter_step.text
    assert stored_case(office, case["id"])["version"] == case["version"]
    reasonless = lead.submit(f"/zaken/{case['id']}/stap/ingetrokken", {"reason": ""})
    assert reasonless.status_code == 422 and "Verplicht veld." in reasonless.text
    assert stored_case(office, case["id"])["status"] == "open"


def test_a_zienswijze_is_recorded_from_an_uploaded_file_and_a_wrong_file_is_refused(office: Office,
                                                                                     lead: OfficeSession) -> None:
    case = ready_case(office)
    sent_voornemen(office, lead, case["id"])
    path = f"/zaken/{case['id']}/stap/zienswijze_ontvangen"
    lead.page(path)
    version = stored_case(office, case["id"])["version"]
    wrong = lead.post(office.url + path, data={"received_on": TODAY, "csrf_token": lead.csrf},
                      files={"file": ("zienswijze.txt", b"gewoon tekst", "text/plain")}, allow_redirects=False,
                      timeout=30)
    assert wrong.status_code == 422 and "Alleen image/jpeg, image/png, application/pdf" in wrong.text
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    late = lead.submit(path, {"received_on": future, "text": "Wij zijn het er niet mee eens."})
    assert late.status_code == 422 and "Ligt in de toekomst." in late.text
    assert "Wij zijn het er niet mee eens." in late.text
    assert stored_case(office, case["id"])["version"] == version
    taken = lead.post(office.url + path, data={"received_on": TODAY, "how": "schriftelijk", "csrf_token": lead.csrf},
                      files={"file": ("zienswijze.pdf", PDF, "application/pdf")}, allow_redirects=False, timeout=30)
    assert taken.status_code == 302, text_of(taken.text)[:600]
    import hashlib
    zienswijze = stored_case(office, case["id"])["tracks"]["lod"]["zienswijze"]
    assert zienswijze["file_sha256"] == hashlib.sha256(PDF).hexdigest()
    assert lead.get(office.url + f"/api/v1/attachments/{zienswijze['file_sha256']}", timeout=10).content == PDF
    timeline = lead.page(f"/zaken/{case['id']}/tijdlijn").text
    assert "Zienswijze op het voornemen ontvangen" in timeline and zienswijze["file_sha256"] in timeline


def second_lead(office: Office) -> OfficeSession:
    """Return a session of another teamleider than the one of the demo (made once)."""
    from server.auth import add_user
    if "teamleider2" not in office.logins:
        add_user(office.db(), "teamleider2", "teamleider", "een-ander-wachtwoord-42", {"full_name": "Anna de Wit"})
        office.logins["teamleider2"] = "een-ander-wachtwoord-42"
    return office.session("teamleider2")


def attachment_files(office: Office) -> set[str]:
    folder = office.root / "data" / "attachments"
    return {p.name for p in folder.glob("??/*") if p.is_file()}


def test_a_zienswijze_file_opens_for_another_teamleider_from_the_timeline_and_not_for_a_handhaver(
        office: Office, lead: OfficeSession) -> None:
    case = ready_case(office)
    sent_voornemen(office, lead, case["id"])
    path = f"/zaken/{case['id']}/stap/zienswijze_ontvangen"
    lead.page(path)
    content = PDF.replace(b"trailer", b"% van een andere eigenaar\ntrailer")
    taken = lead.post(office.url + path, data={"received_on": TODAY, "how": "schriftelijk", "csrf_token": lead.csrf},
                      files={"file": ("zienswijze.pdf", content, "application/pdf")}, allow_redirects=False,
                      timeout=30)
    assert taken.status_code == 302, text_of(taken.text)[:600]
    other = second_lead(office)
    timeline = other.page(f"/zaken/{case['id']}/tijdlijn")
    link = re.search(r'href="(/api/v1/attachments/[0-9a-f]{64})">Ontvangen bestand', timeline.text)
    assert link
    opened = other.get(office.url + link.group(1), timeout=10)
    assert opened.status_code == 200 and opened.content == content
    case_address = case["address_id"]
    handhaver = next(name for name in ("handhaver1", "handhaver2") if not office.db().execute(
        "SELECT 1 FROM assignments WHERE inspector_id = (SELECT id FROM users WHERE name = ?) AND address_id = ?",
        [name, case_address]).fetchone())
    assert office.session(handhaver).get(office.url + link.group(1), timeout=10).status_code in (403, 404)


def test_a_refused_zienswijze_step_leaves_no_uploaded_file_behind(office: Office, lead: OfficeSession) -> None:
    import hashlib
    case = ready_case(office)  # no voornemen sent: a zienswijze is refused
    path = f"/zaken/{case['id']}/stap/zienswijze_ontvangen"
    lead.page(f"/zaken/{case['id']}")
    content = PDF.replace(b"trailer", b"% te vroeg\ntrailer")
    before = attachment_files(office)
    refused = lead.post(office.url + path, data={"received_on": TODAY, "csrf_token": lead.csrf},
                        files={"file": ("zienswijze.pdf", content, "application/pdf")}, allow_redirects=False,
                        timeout=30)
    assert refused.status_code == 409
    assert attachment_files(office) == before
    sha = hashlib.sha256(content).hexdigest()
    assert office.db().execute("SELECT count(*) FROM attachments WHERE sha256 = ?", [sha]).fetchone()[0] == 0
    assert lead.get(office.url + f"/api/v1/attachments/{sha}", timeout=10).status_code == 404


def test_a_zienswijze_file_named_through_the_api_opens_by_the_same_rule_and_only_when_its_lead_uploaded_it(
        office: Office, lead: OfficeSession) -> None:
    import hashlib

    import requests

    from server.auth import create_enrol_code
    api = {"Authorization": f"Bearer {office.token}"}  # the demo teamleider's API token
    handhaver = find_user(office.db(), "handhaver1")
    assert handhaver is not None
    tablet = requests.post(office.url + "/api/v1/devices/enroll", timeout=10, json={
        "code": create_enrol_code(office.db(), handhaver["id"], None, 1), "label": "tablet zienswijze"}).json()
    files = {}
    for who, headers, marker in (("lead", api, b"% via de API\n"),
                                 ("tablet", {"Authorization": f"Bearer {tablet['token']}"}, b"% van een tablet\n")):
        content = PDF.replace(b"trailer", marker + b"trailer")
        sha = hashlib.sha256(content).hexdigest()
        put = requests.put(office.url + f"/api/v1/attachments/{sha}", data=content, timeout=10, headers={
            **headers, "Content-Range": f"bytes 0-{len(content) - 1}/{len(content)}"})
        assert put.status_code == 200, put.text
        files[who] = sha
    other = second_lead(office)
    for who, sha in files.items():
        case = ready_case(office)
        sent_voornemen(office, lead, case["id"])
        stepped = requests.post(office.url + f"/api/v1/cases/{case['id']}/transitions", headers=api, timeout=10,
                                json={"action": "zienswijze_ontvangen", "received_on": TODAY, "file_sha256": sha})
        assert stepped.status_code < 400, stepped.text
        assert sha in other.page(f"/zaken/{case['id']}/tijdlijn").text
        opened = other.get(office.url + f"/api/v1/attachments/{sha}", timeout=10)
        # Naming a file one did not upload (a handhaver's, on no inspection of his) grants nothing.
        assert opened.status_code == (200 if who == "lead" else 404), who


def sent_voornemen(office: Office, http: OfficeSession, case_id: str) -> None:
    """Make, approve (confirmed) and send a voornemen last onder dwangsom through the pages."""
    made = made_letter(office, http, case_id, "voornemen_lod", {"codes": "ROOKMELDER"})
    http.submit(f"/zaken/{case_id}/brieven/{made}/vaststellen", {"confirm_unverified": "1"})
    http.page(f"/zaken/{case_id}/brieven/{made}")
    sent = http.submit(f"/zaken/{case_id}/brieven/{made}/verzenden",
                       {"sent_on": TODAY, "method": "aangetekend", "reference": "RR000000001NL"})
    assert sent.status_code == 302, text_of(sent.text)[:600]


def test_a_hercontrole_is_planned_and_a_forfeited_dwangsom_is_recorded_invorderd_and_paid(
        office: Office, lead: OfficeSession) -> None:
    case = ready_case(office)
    sent_voornemen(office, lead, case["id"])
    base = f"/zaken/{case['id']}"
    lead.page(f"{base}/stap/zienswijze_ontvangen")
    assert lead.submit(f"{base}/stap/zienswijze_ontvangen", {"received_on": TODAY, "text": "Wij doen het zelf."}
                       ).status_code == 302
    made = made_letter(office, lead, case["id"], "besluit_lod", {"codes": "ROOKMELDER",
                                                                 "weging.zienswijze": "Het is niet gedaan."})
    lead.submit(f"{base}/brieven/{made}/vaststellen", {"confirm_unverified": "1"})
    lead.page(f"{base}/brieven/{made}")
    assert lead.submit(f"{base}/brieven/{made}/verzenden", {"sent_on": TODAY, "method": "uitreiking",
                                                            "reference": "Ontvangstbewijs 7"}).status_code == 302
    plan = lead.page(f"{base}/stap/hercontrole_gepland/ROOKMELDER")
    inspector = case_inspector(office, case)
    assert plan.status_code == 200 and re.search(rf'<option value="{inspector}" selected', plan.text)
    assert lead.submit(f"{base}/stap/hercontrole_gepland/ROOKMELDER", {"inspector_id": inspector}
                       ).status_code == 302
    planned = stored_case(office, case["id"])["lasten"][0]["hercontrole"]
    assignment = store.get(office.db(), "assignment", planned["assignment_id"])
    assert assignment is not None and assignment["kind"] == "hercontrole" and assignment["due"] == planned["due"]
    # The begunstigingstermijn has run out: its end moved back in the stored case, as a later day would find it.
    ended = (dt.date.today() - dt.timedelta(days=3)).isoformat()
    moved_back(office, case["id"], lambda stored: stored["lasten"][0]["term"].update(end=ended))
    again = copied_inspection(office, on=dt.date.today() - dt.timedelta(days=1))
    form = lead.page(f"{base}/stap/verbeurd/ROOKMELDER")
    assert form.status_code == 200 and f'value="{again}"' in form.text
    version = stored_case(office, case["id"])["version"]
    early = lead.submit(f"{base}/stap/verbeurd/ROOKMELDER", {"inspection_id": case["inspection_id"]})
    assert early.status_code == 409 and "op of vóór het einde van de termijn" in early.text
    assert stored_case(office, case["id"])["version"] == version
    assert lead.submit(f"{base}/stap/verbeurd/ROOKMELDER", {"inspection_id": again}).status_code == 302
    assert stored_case(office, case["id"])["lasten"][0]["states"]["lod"] == "verbeurd"
    assert f"{base}/brief/invordering" in lead.page(base).text
    invordering = made_letter(office, lead, case["id"], "invordering", {"codes": "ROOKMELDER"})
    lead.submit(f"{base}/brieven/{invordering}/vaststellen", {"confirm_unverified": "1"})
    lead.page(f"{base}/brieven/{invordering}")
    assert lead.submit(f"{base}/brieven/{invordering}/verzenden", {"sent_on": TODAY, "method": "aangetekend",
                                                                   "reference": "RR2NL"}).status_code == 302
    assert stored_case(office, case["id"])["lasten"][0]["states"]["lod"] == "invordering"
    lead.page(f"{base}/stap/dwangsom_betaald/ROOKMELDER")
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    assert lead.submit(f"{base}/stap/dwangsom_betaald/ROOKMELDER", {"paid_on": tomorrow}).status_code == 422
    assert lead.submit(f"{base}/stap/dwangsom_betaald/ROOKMELDER", {"paid_on": TODAY}).status_code == 302
    assert stored_case(office, case["id"])["lasten"][0]["states"]["lod"] == "betaald"


def moved_back(office: Office, case_id: str, change: Any) -> None:
    """Change a stored case's dates as a later day would find them (terms that have run out)."""
    with office.app.app_context():
        from server.cases import save
        from server.db import write
        db = get_db()
        with write(db):
            stored = get_case(db, case_id)
            change(stored)
            save(db, stored, find_user(db, "teamleider") or {})


def sent_letter(office: Office, http: OfficeSession, case_id: str, kind: str, fields: dict[str, Any]) -> str:
    """Make, approve (confirmed) and send a letter through the pages; return its id."""
    made = made_letter(office, http, case_id, kind, fields)
    approved = http.submit(f"/zaken/{case_id}/brieven/{made}/vaststellen", {"confirm_unverified": "1"})
    assert approved.status_code == 302, text_of(approved.text)[:600]
    http.page(f"/zaken/{case_id}/brieven/{made}")
    sent = http.submit(f"/zaken/{case_id}/brieven/{made}/verzenden",
                       {"sent_on": TODAY, "method": "aangetekend", "reference": f"RR-{kind}"})
    assert sent.status_code == 302, text_of(sent.text)[:600]
    return made


def test_the_wgv_track_runs_from_waarschuwing_to_a_paid_boete_through_the_pages(office: Office,
                                                                                 lead: OfficeSession) -> None:
    case = ready_case(office)
    base = f"/zaken/{case['id']}"
    sent_letter(office, lead, case["id"], "waarschuwing", {"codes": "HUURCONTRACT"})
    assert lead.page(f"{base}/stap/wgv_nog_aanwezig/HUURCONTRACT").status_code == 409  # no hercontrole yet
    lead.page(f"{base}/stap/wgv_hercontrole_gepland")
    lead_id = office.db().execute("SELECT id FROM users WHERE name = 'teamleider'").fetchone()[0]
    not_a_handhaver = lead.submit(f"{base}/stap/wgv_hercontrole_gepland", {"inspector_id": lead_id})
    assert not_a_handhaver.status_code == 422 and 'id="e-inspector_id"' in not_a_handhaver.text
    assert lead.submit(f"{base}/stap/wgv_hercontrole_gepland", {"inspector_id": case_inspector(office, case)}
                       ).status_code == 302
    assert stored_case(office, case["id"])["tracks"]["wgv"]["state"] == "hercontrole"
    ended = (dt.date.today() - dt.timedelta(days=3)).isoformat()

    def herstel_ended(stored: dict[str, Any]) -> None:
        for last in stored["lasten"]:
            if last.get("wgv"):
                last["wgv"]["herstel_end"] = ended
        stored["tracks"]["wgv"]["herstel_end"] = ended

    moved_back(office, case["id"], herstel_ended)
    again = copied_inspection(office, on=dt.date.today() - dt.timedelta(days=1))
    lead.page(f"{base}/stap/wgv_nog_aanwezig/HUURCONTRACT")
    assert lead.submit(f"{base}/stap/wgv_nog_aanwezig/HUURCONTRACT", {"inspection_id": again}).status_code == 302
    path = f"{base}/brief/voornemen_boete"
    assert 'name="lasten.HUURCONTRACT.boete_amount"' in lead.page(path).text
    word = lead.submit(path, {"letter_date": TODAY, "codes": "HUURCONTRACT",
                              "lasten.HUURCONTRACT.boete_amount": "veel"})
    assert word.status_code == 422 and 'id="e-lasten.HUURCONTRACT.boete_amount"' in word.text
    high = lead.submit(path, {"letter_date": TODAY, "codes": "HUURCONTRACT",
                              "lasten.HUURCONTRACT.boete_amount": "9.000.000"})
    assert high.status_code == 422 and "Hoger dan het maximum." in high.text
    repeat = lead.submit(path, {"letter_date": TODAY, "codes": "HUURCONTRACT",
                                "lasten.HUURCONTRACT.boete_amount": "4000", "lasten.HUURCONTRACT.repeat": "1"})
    assert repeat.status_code == 409 and "bij herhaling" in repeat.text
    assert 'id="f-lasten.HUURCONTRACT.repeat" name="lasten.HUURCONTRACT.repeat" type="checkbox" value="1" checked' \
        in repeat.text
    assert [d for d in documents_of(office, case["id"]) if d["kind"] == "voornemen_boete"] == []
    earlier = (dt.date.today() - dt.timedelta(days=400)).isoformat()
    lead.page(f"{base}/eerdere-boete")
    assert lead.submit(f"{base}/eerdere-boete", {"party_id": case["overtreders"][0]["party_id"],
                                                 "code": "HUURCONTRACT", "imposed_on": earlier,
                                                 "kenmerk": "BB-2025-0007", "amount": "2.500"}).status_code == 302
    sent_letter(office, lead, case["id"], "voornemen_boete", {"codes": "HUURCONTRACT",
                                                              "lasten.HUURCONTRACT.boete_amount": "4.000",
                                                              "lasten.HUURCONTRACT.repeat": "1"})
    assert stored_case(office, case["id"])["lasten"][1]["wgv"]["voornemen"]["repeat"] is True
    lead.page(f"{base}/brief/besluit_boete")
    running = lead.submit(f"{base}/brief/besluit_boete", {"letter_date": TODAY, "codes": "HUURCONTRACT"})
    assert running.status_code == 409 and "De zienswijzetermijn loopt tot en met" in running.text
    lead.page(f"{base}/stap/boete_zienswijze_ontvangen")
    assert lead.submit(f"{base}/stap/boete_zienswijze_ontvangen", {"received_on": TODAY, "how": "mondeling",
                                                                   "text": "Verslag: de verhuurder vindt de boete te "
                                                                           "hoog."}).status_code == 302
    besluit = f"{base}/brief/besluit_boete"
    assert field_value(lead.page(besluit).text, "lasten.HUURCONTRACT.boete_amount") == "4000"
    sent_letter(office, lead, case["id"], "besluit_boete", {
        "codes": "HUURCONTRACT", "weging.zienswijze": "De boete blijft: zij ligt onder het maximum.",
        "weging.evenredigheid": "Passend bij een eerste overtreding na een waarschuwing."})
    boete = rows(office.db(), "SELECT amount, source FROM boetes WHERE case_id = ?", [case["id"]])
    assert boete == [{"amount": "4000", "source": "systeem"}]
    sent_letter(office, lead, case["id"], "publicatie", {"codes": "HUURCONTRACT",
                                                         "weging_namen": "Een rechtspersoon: de naam wordt openbaar."})
    lead.page(f"{base}/stap/boete_betaald")
    assert lead.submit(f"{base}/stap/boete_betaald", {"paid_on": TODAY}).status_code == 302
    stored = stored_case(office, case["id"])
    assert stored["tracks"]["wgv"]["state"] == "afgerond"
    assert [x["states"]["wgv"] for x in stored["lasten"] if "wgv" in x["states"]] == ["betaald"]


def test_a_last_is_recorded_as_hersteld_with_the_hercontrole_or_a_reason(office: Office,
                                                                          lead: OfficeSession) -> None:
    case = ready_case(office)
    sent_voornemen(office, lead, case["id"])
    base = f"/zaken/{case['id']}"
    lead.page(f"{base}/stap/zienswijze_ontvangen")
    lead.submit(f"{base}/stap/zienswijze_ontvangen", {"received_on": TODAY, "text": "Het komt goed."})
    sent_letter(office, lead, case["id"], "besluit_lod", {"codes": "ROOKMELDER",
                                                          "weging.zienswijze": "Beloften beëindigen niets."})
    assert f"{base}/stap/hersteld/ROOKMELDER" in lead.page(base).text
    lead.page(f"{base}/stap/hersteld/ROOKMELDER")
    neither = lead.submit(f"{base}/stap/hersteld/ROOKMELDER", {"inspection_id": "", "reason": ""})
    assert neither.status_code == 422 and 'id="e-inspection_id"' in neither.text
    found_again = lead.submit(f"{base}/stap/hersteld/ROOKMELDER", {"inspection_id": case["inspection_id"]})
    assert found_again.status_code == 409 and "juist opnieuw vast" in found_again.text
    assert stored_case(office, case["id"])["lasten"][0]["states"]["lod"] == "open"
    done = lead.submit(f"{base}/stap/hersteld/ROOKMELDER", {"reason": "Foto's van de geplaatste rookmelders en de "
                                                                      "factuur van de installateur ontvangen."})
    assert done.status_code == 302
    stored = stored_case(office, case["id"])
    assert stored["lasten"][0]["states"]["lod"] == "hersteld" and stored["tracks"]["lod"]["state"] == "afgerond"
    assert f"{base}/stap/hersteld/ROOKMELDER" not in lead.page(base).text


def test_an_earlier_boete_is_entered_by_hand_and_shown_with_the_case(office: Office, lead: OfficeSession) -> None:
    case = ready_case(office)
    base = f"/zaken/{case['id']}"
    assert f"{base}/eerdere-boete" in lead.page(base).text
    lead.page(f"{base}/eerdere-boete")
    party = case["overtreders"][0]["party_id"]
    fields = {"party_id": party, "code": "HUURCONTRACT", "kenmerk": "BB-2024-0031", "amount": "1.500,00"}
    bad = lead.submit(f"{base}/eerdere-boete", {**fields, "imposed_on": "vorig jaar"})
    assert bad.status_code == 422 and 'id="e-imposed_on"' in bad.text and field_value(bad.text, "kenmerk") == \
        "BB-2024-0031"
    forged = lead.submit(f"{base}/eerdere-boete", {**fields, "party_id": str(uuid.uuid4()), "imposed_on": "2024-03-01"})
    assert forged.status_code == 422 and "Onbekende partij." in forged.text
    assert rows(office.db(), "SELECT * FROM boetes WHERE kenmerk = 'BB-2024-0031'") == []
    assert lead.submit(f"{base}/eerdere-boete", {**fields, "imposed_on": "2024-03-01"}).status_code == 302
    stored = rows(office.db(), "SELECT party_id, code, amount, source FROM boetes WHERE kenmerk = 'BB-2024-0031'")
    assert stored == [{"party_id": party, "code": "HUURCONTRACT", "amount": "1500.00", "source": "handmatig"}]
    page = text_of(lead.page(base).text)
    assert "BB-2024-0031" in page and "met de hand vastgelegd" in page and "€ 1.500,00" in page
    api = lead.post(office.url + "/api/v1/boetes", headers={"X-CSRFToken": lead.csrf}, timeout=10,
                    json={"party_id": str(uuid.uuid4()), "code": "HUURCONTRACT", "imposed_on": "2024-03-01",
                          "kenmerk": "BB-2024-0032"})
    assert api.status_code == 422 and api.json()["errors"] == {"party_id": ["Onbekende partij."]}


def case_inspector(office: Office, case: dict[str, Any]) -> str:
    inspection = store.get(office.db(), "inspection", case["inspection_id"])
    assert inspection is not None
    return str(inspection["inspector_id"])


def test_an_expired_session_keeps_the_typed_zienswijze_until_signed_in_again(office: Office) -> None:
    http = office.session("teamleider")
    case = ready_case(office)
    sent_voornemen(office, http, case["id"])
    path = f"/zaken/{case['id']}/stap/zienswijze_ontvangen"
    assert http.page(path).status_code == 200
    http.cookies.clear()  # the session is gone (expired, or the browser was closed)
    typed = "De rookmelders zijn besteld en hangen volgende week; wij vragen u af te zien van de last."
    answer = http.submit(path, {"received_on": TODAY, "how": "e-mail", "text": typed})
    assert answer.status_code == 400 and "Uw sessie is verlopen" in answer.text
    assert "staat daarna weer in het formulier" in answer.text
    assert stored_case(office, case["id"])["tracks"]["lod"].get("zienswijze") is None
    http.csrf = re.findall(r'name="csrf_token" value="([^"]+)"', answer.text)[0]  # the sign-in form shown
    signed = http.submit("/login", {"username": "teamleider", "password": office.logins["teamleider"],
                                    "next": path})
    assert signed.status_code == 302 and signed.headers["Location"] == path
    again = http.page(path)
    assert typed in again.text
    assert http.submit(path, {"received_on": TODAY, "how": "e-mail", "text": typed}).status_code == 302
    assert stored_case(office, case["id"])["tracks"]["lod"]["zienswijze"]["text"] == typed


# --- letters ----------------------------------------------------------------------------------------------

def test_a_letter_with_bad_input_is_shown_again_at_the_field_with_values_kept_and_nothing_written(
        office: Office, lead: OfficeSession) -> None:
    case = ready_case(office)
    path = f"/zaken/{case['id']}/brief/voornemen_lod"
    form = lead.page(path)
    assert field_value(form.text, "lasten.ROOKMELDER.dwangsom.amount") == "500,00"
    bad = lead.submit(path, {"letter_date": TODAY, "codes": "ROOKMELDER",
                             "lasten.ROOKMELDER.begunstigingstermijn_days": "veertien",
                             "lasten.ROOKMELDER.dwangsom.amount": "1.250,00"})
    assert bad.status_code == 422 and "Geen geldig geheel getal." in bad.text
    assert 'id="e-lasten.ROOKMELDER.begunstigingstermijn_days"' in bad.text
    assert field_value(bad.text, "lasten.ROOKMELDER.begunstigingstermijn_days") == "veertien"
    too_low = lead.submit(path, {"letter_date": TODAY, "codes": "ROOKMELDER",
                                 "lasten.ROOKMELDER.dwangsom.amount": "1.250,00",
                                 "lasten.ROOKMELDER.dwangsom.per": "week",
                                 "lasten.ROOKMELDER.dwangsom.max": "1000"})
    assert too_low.status_code == 422 and 'id="e-lasten.ROOKMELDER.dwangsom.max"' in too_low.text
    assert "Lager dan het bedrag." in too_low.text
    none = lead.submit(path, {"letter_date": TODAY})
    assert none.status_code == 422 and "Kies ten minste één overtreding" in none.text
    early = lead.submit(path, {"letter_date": "2020-01-01", "codes": "ROOKMELDER"})
    assert early.status_code == 422 and "vóór het bezoek" in early.text
    assert documents_of(office, case["id"]) == []
    made = made_letter(office, lead, case["id"], "voornemen_lod", {
        "codes": "ROOKMELDER", "lasten.ROOKMELDER.dwangsom.amount": "1.250,00",
        "lasten.ROOKMELDER.dwangsom.per": "week", "lasten.ROOKMELDER.dwangsom.max": "10.000"})
    row = rows(office.db(), "SELECT data FROM documents WHERE id = ?", [made])[0]
    assert json.loads(row["data"])["params"]["lasten"]["ROOKMELDER"]["dwangsom"] == {
        "amount": "1250.00", "per": "week", "max": "10000"}


def test_a_concept_is_changed_from_its_own_form_until_it_is_approved(office: Office, lead: OfficeSession) -> None:
    case = ready_case(office)
    made = made_letter(office, lead, case["id"], "voornemen_lod", {
        "codes": "ROOKMELDER", "lasten.ROOKMELDER.dwangsom.amount": "1.250,00",
        "lasten.ROOKMELDER.dwangsom.per": "week", "lasten.ROOKMELDER.dwangsom.max": "10.000"})
    path = f"/zaken/{case['id']}/brieven/{made}/wijzigen"
    form = lead.page(path)
    assert field_value(form.text, "lasten.ROOKMELDER.dwangsom.amount") == "1250,00"
    assert field_value(form.text, "lasten.ROOKMELDER.dwangsom.max") == "10000"
    before = rows(office.db(), "SELECT data FROM documents WHERE id = ?", [made])[0]["data"]
    wrong = lead.submit(path, {"letter_date": "morgen", "codes": "ROOKMELDER"})
    assert wrong.status_code == 422 and "Geen geldige datum" in wrong.text
    assert rows(office.db(), "SELECT data FROM documents WHERE id = ?", [made])[0]["data"] == before
    changed = lead.submit(path, {"letter_date": TODAY, "codes": "ROOKMELDER",
                                 "lasten.ROOKMELDER.dwangsom.amount": "750", "lasten.ROOKMELDER.dwangsom.per": "week",
                                 "lasten.ROOKMELDER.dwangsom.max": "7.500",
                                 "toelichting": "Op verzoek van de jurist verlaagd."})
    assert changed.status_code == 302
    params = json.loads(rows(office.db(), "SELECT data FROM documents WHERE id = ?", [made])[0]["data"])["params"]
    assert params["lasten"]["ROOKMELDER"]["dwangsom"] == {"amount": "750", "per": "week", "max": "7500"}
    assert params["toelichting"] == "Op verzoek van de jurist verlaagd."
    lead.submit(f"/zaken/{case['id']}/brieven/{made}/vaststellen", {"confirm_unverified": "1"})
    assert lead.page(path).status_code == 409


def test_approving_a_letter_citing_unverified_voorschriften_needs_the_ticked_confirmation(
        office: Office, lead: OfficeSession) -> None:
    case = ready_case(office)
    made = made_letter(office, lead, case["id"], "waarschuwing", {"codes": "HUURCONTRACT"})
    page = lead.page(f"/zaken/{case['id']}/brieven/{made}")
    assert f'src="/api/v1/documents/{made}"' in page.text and "<iframe" in page.text
    assert "Wet goed verhuurderschap" in text_of(page.text.split('id="h-confirm"')[1])
    preview = lead.get(office.url + f"/api/v1/documents/{made}", timeout=30)
    assert preview.status_code == 200 and preview.headers["Content-Type"] == "application/pdf"
    unticked = lead.submit(f"/zaken/{case['id']}/brieven/{made}/vaststellen", {})
    assert unticked.status_code == 409
    assert 'id="e-confirm_unverified"' in unticked.text and "niet aan de officiële tekst" in unticked.text
    assert documents_of(office, case["id"])[0]["status"] == "concept"
    ticked = lead.submit(f"/zaken/{case['id']}/brieven/{made}/vaststellen", {"confirm_unverified": "1"})
    assert ticked.status_code == 302
    document = documents_of(office, case["id"])[0]
    assert document["status"] == "approved" and "HUURCONTRACT" in document["confirmed"]
    events = [e["action"] for e in rows(office.db(), "SELECT action FROM case_events WHERE case_id = ?",
                                        [case["id"]])]
    assert "voorschriften_bevestigd" in events
    assert "Vaststellen" not in lead.page(f"/zaken/{case['id']}/brieven/{made}").text


def test_sending_records_method_and_proof_and_refuses_another_date(office: Office, lead: OfficeSession) -> None:
    case = ready_case(office)
    made = made_letter(office, lead, case["id"], "waarschuwing", {"codes": "HUURCONTRACT"})
    lead.submit(f"/zaken/{case['id']}/brieven/{made}/vaststellen", {"confirm_unverified": "1"})
    lead.page(f"/zaken/{case['id']}/brieven/{made}")
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    other_day = lead.submit(f"/zaken/{case['id']}/brieven/{made}/verzenden",
                            {"sent_on": yesterday, "method": "aangetekend", "reference": "RR1NL"})
    assert other_day.status_code == 409 and 'id="e-sent_on"' in other_day.text
    no_method = lead.submit(f"/zaken/{case['id']}/brieven/{made}/verzenden",
                            {"sent_on": TODAY, "method": "duif", "reference": "RR1NL"})
    assert no_method.status_code == 422 and 'id="e-method"' in no_method.text
    assert documents_of(office, case["id"])[0]["sent_on"] is None
    sent = lead.submit(f"/zaken/{case['id']}/brieven/{made}/verzenden",
                       {"sent_on": TODAY, "method": "aangetekend", "reference": "RR123456789NL"})
    assert sent.status_code == 302
    document = documents_of(office, case["id"])[0]
    assert (document["sent_on"], document["dispatch_method"], document["dispatch_reference"]) == (
        TODAY, "aangetekend", "RR123456789NL")
    assert stored_case(office, case["id"])["tracks"]["wgv"]["state"] == "waarschuwing"
    page = lead.page(f"/zaken/{case['id']}/brieven/{made}").text
    assert "RR123456789NL" in page and "Verzending vastleggen" not in page


def test_the_dossier_is_made_from_the_case_page_and_its_pdf_is_served(office: Office, lead: OfficeSession) -> None:
    case_id = office.db().execute("SELECT id FROM cases WHERE number = 'HH-2026-0002'").fetchone()[0]
    made = made_letter(office, lead, case_id, "dossier", {})
    page = lead.page(f"/zaken/{case_id}/brieven/{made}")
    assert "Dossier" in page.text and "Verzending vastleggen" not in page.text
    pdf = lead.get(office.url + f"/api/v1/documents/{made}", timeout=30)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    approved = lead.submit(f"/zaken/{case_id}/brieven/{made}/vaststellen", {})
    assert approved.status_code == 302
    assert rows(office.db(), "SELECT status FROM documents WHERE id = ?", [made])[0]["status"] == "approved"


def test_every_case_page_view_writes_one_read_entry_in_the_audit_log(office: Office, lead: OfficeSession) -> None:
    case_id = office.db().execute("SELECT id FROM cases WHERE number = 'HH-2026-0002'").fetchone()[0]

    def reads() -> int:
        return int(office.db().execute("SELECT count(*) FROM audit_log WHERE action = 'read' AND entity = 'case' "
                                       "AND record_id = ?", [case_id]).fetchone()[0])

    before = reads()
    lead.page(f"/zaken/{case_id}")
    lead.page(f"/zaken/{case_id}/tijdlijn")
    assert reads() == before + 2
    lead.page("/zaken/openen")
    listed = office.db().execute("SELECT detail FROM audit_log WHERE action = 'list' AND entity = 'inspection' "
                                 "ORDER BY id DESC LIMIT 1").fetchone()
    assert listed is not None and flow_inspection(office)["id"] in json.loads(listed[0])["ids"]
    assert lead.page("/zaken/00000000-0000-4000-8000-000000000000").status_code == 404


# --- the browser flow -------------------------------------------------------------------------------------

def click(driver: webdriver.Chrome, text: str) -> None:
    """Follow the link or press the button a user reads as `text`, and wait for the page it leads to."""
    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.XPATH, f"//main//a[normalize-space()='{text}'] | //main//button[normalize-space()='{text}']"
                        ).click()
    WebDriverWait(driver, 10).until(staleness_of(old))


def heading(driver: webdriver.Chrome) -> str:
    return str(driver.find_element(By.TAG_NAME, "h1").text)


def checked_axe(driver: webdriver.Chrome) -> None:
    violations = axe_violations(driver)
    assert violations == [], (driver.current_url, violations)


def approve_and_send(driver: webdriver.Chrome, reference: str) -> None:
    """On a letter page: tick the confirmation, approve, then record the sending."""
    driver.find_element(By.ID, "f-confirm_unverified").click()
    click(driver, "Vaststellen")
    assert "De brief is vastgesteld" in driver.find_element(By.CSS_SELECTOR, ".notice.ok").text
    checked_axe(driver)
    Select(driver.find_element(By.ID, "f-method")).select_by_value("aangetekend")
    driver.find_element(By.ID, "f-reference").send_keys(reference)
    click(driver, "Verzending vastleggen")
    assert "De verzending is vastgelegd" in driver.find_element(By.CSS_SELECTOR, ".notice.ok").text


def test_a_team_lead_opens_assesses_and_enforces_a_case_in_the_browser(office: Office,
                                                                         browser: webdriver.Chrome) -> None:
    driver = browser
    inspection = flow_inspection(office)
    sign_rapport(office, inspection["id"])
    browser_login(driver, office, "teamleider")
    driver.get(office.url + "/zaken")
    assert heading(driver) == "Zaken"
    checked_axe(driver)
    office_screenshot(driver, "zaken")

    click(driver, "Zaak openen")
    checked_axe(driver)
    office_screenshot(driver, "zaak-openen")
    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.XPATH, f"//input[@name='inspection_id' and @value='{inspection['id']}']/../button").click()
    WebDriverWait(driver, 10).until(staleness_of(old))
    assert "De zaak is geopend" in driver.find_element(By.CSS_SELECTOR, ".notice.ok").text
    case_url = driver.current_url.split("?")[0]
    case_id = case_url.rsplit("/", 1)[1]

    click(driver, "Overtreders vastleggen")
    driver.find_element(By.ID, "f-o0.chosen").click()
    click(driver, "Overtreders vastleggen")  # no reason typed: refused at the field
    assert "Mag niet leeg zijn." in driver.find_element(By.CSS_SELECTOR, ".error-summary").text
    checked_axe(driver)
    driver.find_element(By.ID, "f-o0.reason").send_keys(REASON)
    click(driver, "Overtreders vastleggen")
    assert REASON in driver.find_element(By.ID, "kop-overtreders").find_element(By.XPATH, "..").text

    click(driver, "LHS-beoordeling")
    checked_axe(driver)
    Select(driver.find_element(By.ID, "f-behaviour")).select_by_value("B")
    driver.find_element(By.ID, "f-behaviour_reason").send_keys("Onverschillig: eerder gewezen op de regels.")
    click(driver, "Voorstel bekijken")
    marked = driver.find_elements(By.CSS_SELECTOR, "td.suggested strong")
    assert [m.text for m in marked] and all(m.text.startswith("Voorstel voor") for m in marked)
    checked_axe(driver)
    office_screenshot(driver, "zaak-beoordeling")
    Select(driver.find_element(By.ID, "f-chosen")).select_by_value("waarschuwing")
    click(driver, "Beoordeling vastleggen")
    assert "Geef een reden als u afwijkt van de matrix." in driver.find_element(By.CSS_SELECTOR,
                                                                                ".error-summary").text
    checked_axe(driver)
    office_screenshot(driver, "zaak-beoordeling-fout")
    Select(driver.find_element(By.ID, "f-chosen")).select_by_index(0)  # the matrix's own suggestion
    click(driver, "Beoordeling vastleggen")
    assert "De beoordeling is vastgelegd" in driver.find_element(By.CSS_SELECTOR, ".notice.ok").text
    checked_axe(driver)
    office_screenshot(driver, "zaak")

    click(driver, "Brief maken: waarschuwing")
    checked_axe(driver)
    click(driver, "Concept maken")
    frame = driver.find_element(By.CSS_SELECTOR, "iframe.preview").get_attribute("src") or ""
    assert frame.endswith("/api/v1/documents/" + driver.current_url.rsplit("/", 1)[1])
    checked_axe(driver)
    office_screenshot(driver, "zaak-brief")
    click(driver, "Vaststellen")  # the confirmation not ticked: refused, the voorschriften named
    assert "Vink aan" in driver.find_element(By.ID, "e-confirm_unverified").text
    checked_axe(driver)
    approve_and_send(driver, "RR100000001NL")

    click(driver, "Brief maken: voornemen last onder dwangsom")
    for box in driver.find_elements(By.CSS_SELECTOR, "input[name=codes]"):
        if box.get_attribute("value") != "ROOKMELDER" and box.is_selected():
            box.click()
    days = driver.find_element(By.ID, "f-lasten.ROOKMELDER.begunstigingstermijn_days")
    days.clear()
    days.send_keys("0")
    click(driver, "Concept maken")
    assert "Moet minstens 1" in driver.find_element(By.ID, "e-lasten.ROOKMELDER.begunstigingstermijn_days"
                                                               ).text
    checked_axe(driver)
    office_screenshot(driver, "zaak-brief-maken")
    days = driver.find_element(By.ID, "f-lasten.ROOKMELDER.begunstigingstermijn_days")
    days.clear()
    days.send_keys("14")
    click(driver, "Concept maken")
    approve_and_send(driver, "RR100000002NL")

    click(driver, "Zienswijze op het voornemen ontvangen")
    checked_axe(driver)
    Select(driver.find_element(By.ID, "f-how")).select_by_value("schriftelijk")
    driver.find_element(By.ID, "f-text").send_keys("De rookmelders zijn besteld; wij vragen uitstel.")
    office_screenshot(driver, "zaak-zienswijze")
    click(driver, "Zienswijze op het voornemen ontvangen vastleggen")
    assert "De stap is vastgelegd" in driver.find_element(By.CSS_SELECTOR, ".notice.ok").text

    click(driver, "Brief maken: besluit last onder dwangsom")
    click(driver, "Concept maken")  # a zienswijze came in: its weighing is required
    assert "Verplicht na een zienswijze." in driver.find_element(By.ID, "e-weging.zienswijze").text
    checked_axe(driver)
    driver.find_element(By.ID, "f-weging.zienswijze").send_keys("Besteld is niet opgehangen; de last blijft.")
    click(driver, "Concept maken")
    approve_and_send(driver, "RR100000003NL")

    case = stored_case(office, case_id)
    assert case["tracks"]["lod"]["state"] == "besluit" and case["tracks"]["wgv"]["state"] == "waarschuwing"
    sent = [d for d in documents_of(office, case_id) if d["sent_on"]]
    assert [d["kind"] for d in sent] == ["waarschuwing", "voornemen_lod", "besluit_lod"]
    assert [d["dispatch_reference"] for d in sent] == ["RR100000001NL", "RR100000002NL", "RR100000003NL"]

    click(driver, "Tijdlijn")
    rows_text = driver.find_element(By.CSS_SELECTOR, "table.timeline").text
    assert "Zienswijze op het voornemen ontvangen" in rows_text and "Besluit last onder dwangsom verzonden" in rows_text
    assert "Verzonden aangetekend, bewijs: RR100000003NL" in rows_text and "Ontvangen: schriftelijk" in rows_text
    checked_axe(driver)
    office_screenshot(driver, "zaak-tijdlijn")
    driver.get(case_url)
    checked_axe(driver)
    office_screenshot(driver, "zaak-besluit")
    driver.get(case_url + "/stap/dwangsom_betaald/ROOKMELDER")  # nothing forfeited: an error page
    assert heading(driver) == "Niet mogelijk"
    checked_axe(driver)


def test_the_other_case_pages_and_their_error_states_have_no_serious_accessibility_violations(
        office: Office, browser: webdriver.Chrome, lead: OfficeSession) -> None:
    driver = browser
    case = ready_case(office)
    concept = made_letter(office, lead, case["id"], "waarschuwing", {"codes": "HUURCONTRACT"})
    browser_login(driver, office, "teamleider")
    base = f"{office.url}/zaken/{case['id']}"
    for path, submit in ((f"{base}/eerdere-boete", "Eerdere boete vastleggen"),
                         (f"{base}/stap/ingetrokken", "Zaak ingetrokken vastleggen"),
                         (f"{base}/stap/last_ingetrokken/ROOKMELDER", "Last ingetrokken vastleggen"),
                         (f"{base}/brieven/{concept}/wijzigen", None),
                         (f"{base}/brief/dossier", None),
                         (f"{office.url}/zaken?status=half", None),
                         (f"{office.url}/zaken/00000000-0000-4000-8000-000000000000", None)):
        driver.get(path)
        checked_axe(driver)
        if submit:
            click(driver, submit)  # sent empty: the errors at their fields
            assert driver.find_elements(By.CSS_SELECTOR, ".error-summary"), path
            checked_axe(driver)
    driver.get(f"{base}/eerdere-boete")
    office_screenshot(driver, "zaak-eerdere-boete")
    assert stored_case(office, case["id"])["status"] == "open"
