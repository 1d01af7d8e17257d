"""Documents of a case over the API: every kind read back from its PDF, evidence frozen, roles enforced."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from server.db import get_db
from server.documents import pdf_path
from tests.conftest import Api, example
from tests.documents_world import case_tables, give_landlord, pdf_images, pdf_text, put_photo, render_png
from tests.test_api_assignments_inspections import store_inspection
from tests.test_attachments import jpeg

# Terms as a municipality might set them: VLUCHTWEG 9 days, so that a letter of Thursday
# 13 November 2025 gives Saturday 22 November, which the Atw moves to Monday 24 November.
TERMS = {"zienswijze_weeks": 2, "bezwaar_weeks": 6, "invordering_weeks": 6,
         "begunstigingstermijn_days": {"default": 28, "VLUCHTWEG": 9, "ROOKMELDER": 14}}


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    from server import create_app
    terms = tmp_path / "termijnen.json"
    terms.write_text(json.dumps(TERMS), encoding="utf-8")
    return create_app({"DATA": str(tmp_path / "data"), "TESTING": True, "TERMS": str(terms),
                       "LETTERHEAD_NAME": "Gemeente Aalsmeer", "LETTERHEAD_ADDRESS": ["Raadhuisplein 1",
                                                                                      "1431 EH Aalsmeer"]})


@pytest.fixture
def case(api: Api, app: Flask) -> dict[str, Any]:
    raw = example("overbewoond.json")
    raw["inspection"]["started_at"], raw["inspection"]["finished_at"] = \
        "2025-02-27T19:05:00+01:00", "2025-02-27T20:10:00+01:00"
    raw["inspection"]["photos"] = [{"sha256": put_photo(app, jpeg(1, size=640)), "caption": "Trap met fietsen",
                                    "room_id": None},
                                   {"sha256": put_photo(app, jpeg(2, size=640)), "caption": "Zolder met vier bedden",
                                    "room_id": "r5"}]
    api.post("/api/v1/addresses", json=raw["address"])
    give_landlord(api, raw["address"]["id"])
    store_inspection(app, raw["inspection"], api.users["handhaver"]["id"])
    response = api.post("/api/v1/cases", json={"inspection_id": raw["inspection"]["id"]})
    assert response.status_code == 201, response.json
    return dict(response.json)


def concept(api: Api, case: dict[str, Any], body: dict[str, Any], status: int = 201) -> dict[str, Any]:
    response = api.post(f"/api/v1/cases/{case['id']}/documents", json=body)
    assert response.status_code == status, response.json
    return dict(response.json)


def pdf(api: Api, document: dict[str, Any], as_: str = "teamleider") -> bytes:
    response = api.get(f"/api/v1/documents/{document['id']}", as_=as_)
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype == "application/pdf"
    data: bytes = response.data
    response.close()
    return data


def approve_and_send(api: Api, document: dict[str, Any], sent_on: str | None) -> bytes:
    approved = api.post(f"/api/v1/documents/{document['id']}/approve")
    assert approved.status_code == 200, approved.json
    assert approved.json["status"] == "approved" and len(approved.json["sha256"]) == 64
    if sent_on:
        sent = api.post(f"/api/v1/documents/{document['id']}/send", json={"sent_on": sent_on})
        assert sent.status_code == 200, sent.json
        assert sent.json["sent_on"] == sent_on
    body = pdf(api, document)
    assert hashlib.sha256(body).hexdigest() == approved.json["sha256"]
    return body


def common(text: str, case: dict[str, Any], kenmerk: str) -> None:
    """What every letter carries: letterhead, header fields, case number, page numbers."""
    assert "Gemeente Aalsmeer" in text and "Raadhuisplein 1" in text
    for label in ("Ons kenmerk", "Behandeld door", "Onderwerp", "Datum", "Bijlagen"):
        assert label in text, label
    assert kenmerk in text and case["number"] in text
    assert "Clematisstraat 7a, 1431 GH Aalsmeer" in text
    assert "Pagina 1 van" in text
    assert "CONCEPT" not in text


def test_every_kind_of_document_reads_back_with_its_legal_parts_dates_and_amounts(api: Api, app: Flask,
                                                                                   case: dict[str, Any]) -> None:
    codes = [v["code"] for v in case["violations"]]

    # Rapport van bevindingen: the visit, rooms, analysis, findings with norms, not assessed, photos, oath.
    rapport = concept(api, case, {"kind": "rapport", "letter_date": "2025-03-03"})
    assert "CONCEPT" in pdf_text(pdf(api, rapport))
    body = approve_and_send(api, rapport, None)
    render_png(body, "rapport", pages=4)
    text = pdf_text(body)
    assert "Rapport van bevindingen" in text and "3 maart 2025" in text and "27 februari 2025 19:05" in text
    assert "toegang verleend" in text and "Slaapkamer achter" in text and "Zolder" in text
    assert "Gebruiksoppervlakte per bewoner" in text and "Slaapkameroppervlak per bewoner" in text
    for code in codes:
        assert code in text, code
    assert "Advies Roemer" in text and "Niet beoordeeld" in text
    assert "Trap met fietsen" in text and "Zolder met vier bedden" in text
    assert pdf_images(body) == 2

    # Waarschuwing (Wgv): violations, a term per violation, fine and publication may follow.
    warning = concept(api, case, {"kind": "waarschuwing", "letter_date": "2025-03-06",
                                  "bijlagen": ["Rapport van bevindingen"]})
    body = approve_and_send(api, warning, "2025-03-06")
    render_png(body, "waarschuwing")
    text = pdf_text(body)
    common(text, case, warning["kenmerk"])
    assert "Waarschuwing" in text and "6 maart 2025" in text and "Rapport van bevindingen" in text
    assert "Wet goed verhuurderschap" in text and "bestuurlijke boete" in text and "openbaar" in text
    assert "€ 25.750,00" in text
    assert "17 maart 2025 (verschoven van 15 maart 2025" in text, "VLUCHTWEG: 9 days end on a Saturday -> Monday"
    for code in codes:
        assert code in text, code
    assert "Voorbeeld Verhuur B.V. Voorbeeldweg 12A 1431 ZZ AALSMEER" in text, "the window-envelope address block"

    # Voornemen last onder dwangsom: the zienswijze term of 2 weeks ends on Easter Monday 2025 -> Tuesday.
    voornemen = concept(api, case, {"kind": "voornemen_lod", "letter_date": "2025-04-07"})
    body = approve_and_send(api, voornemen, "2025-04-07")
    render_png(body, "voornemen_lod")
    text = pdf_text(body)
    common(text, case, voornemen["kenmerk"])
    assert "zienswijze" in text and "4:8" in text
    assert "uiterlijk op 22 april 2025 (verschoven van 21 april 2025" in text
    assert "€ 500,00 voor iedere week" in text and "maximum van € 5.000,00" in text
    assert "9 dagen na verzending van het besluit" in text

    state = api.get(f"/api/v1/cases/{case['id']}").json
    assert state["status"] == "voornemen" and state["terms"]["zienswijze_end"] == "2025-04-22"

    # Besluit last onder dwangsom: remedies, per-violation terms, dwangsom, bezwaar clause, vovo.
    besluit = concept(api, case, {"kind": "besluit_lod", "letter_date": "2025-11-13",
                                  "dwangsom": {"amount": 750, "per": "week", "max": "7500.00"},
                                  "remedies": {"VLUCHTWEG": "Verwijder de fietsen van de trap en houd die vrij."}})
    body = approve_and_send(api, besluit, "2025-11-13")
    render_png(body, "besluit_lod", pages=3)
    text = pdf_text(body)
    common(text, case, besluit["kenmerk"])
    assert "Besluit last onder dwangsom" in text and "13 november 2025" in text
    assert "Verwijder de fietsen van de trap en houd die vrij." in text
    assert text.count("Breng het aantal personen dat in elke slaapkamer slaapt terug") == 1, "one remedy per code"
    assert "24 november 2025 (verschoven van 22 november 2025" in text, "VLUCHTWEG: Saturday -> Monday"
    assert "27 november 2025" in text, "ROOKMELDER: 14 days"
    assert "11 december 2025" in text, "the default of 28 days"
    assert "€ 750,00 voor iedere week" in text and "maximum van € 7.500,00 (artikel 5:32b Awb)" in text
    assert "uiterlijk op 29 december 2025 (verschoven van 25 december 2025" in text, "Christmas, then a weekend"
    for part in ("5:31d", "5:32a", "5:32b", "5:33", "6:7", "6:8", "8:81", "voorlopige voorziening",
                 "Bezwaar", "Gemeentewet", voornemen["kenmerk"], "7 april 2025", "geen zienswijze"):
        assert part.lower() in text.lower(), part
    for code in codes:
        assert code in text, code
    state = api.get(f"/api/v1/cases/{case['id']}").json
    assert state["status"] == "besluit"
    assert state["terms"]["begunstigingstermijn_end"] == "2025-12-11"
    assert state["terms"]["begunstigingstermijnen"]["VLUCHTWEG"] == "2025-11-24"
    assert state["terms"]["bezwaar_end"] == "2025-12-29"
    assert state["dwangsom"] == {"amount": "750", "per": "week", "max": "7500.00"}

    # Voornemen bestuurlijke boete: the zienswijze term ends on Koningsdag 2026 -> Tuesday 28 April.
    boete = concept(api, case, {"kind": "voornemen_boete", "letter_date": "2026-04-13",
                                "boete": {"amount": "12345.50"}})
    body = approve_and_send(api, boete, "2026-04-13")
    render_png(body, "voornemen_boete")
    text = pdf_text(body)
    common(text, case, boete["kenmerk"])
    assert "bestuurlijke boete" in text and "€ 12.345,50" in text and "€ 25.750,00" in text
    assert "5:53" in text and "5:10a" in text and warning["kenmerk"] in text
    assert f"Rapport van bevindingen ({rapport['kenmerk']})" in text and "bij deze brief gevoegd" in text
    assert "uiterlijk op 28 april 2026 (verschoven van 27 april 2026" in text

    # Dossier: cover, assessment, timeline, every document with its SHA-256, the inspection report.
    dossier = concept(api, case, {"kind": "dossier", "letter_date": "2026-04-14"})
    body = approve_and_send(api, dossier, None)
    render_png(body, "dossier", pages=3)
    text = pdf_text(body)
    assert f"Dossier handhavingszaak {case['number']}" in text and "Tijdlijn" in text
    documents = api.get(f"/api/v1/cases/{case['id']}/documents").json["items"]
    assert len(documents) == 6
    for document in documents[:-1]:
        assert document["kenmerk"] in text and document["sha256"] in text.replace(" ", ""), document["kind"]
    assert "Besluit last onder dwangsom verzonden" in text and "Rapport van bevindingen" in text
    assert "ambtseed" in text
    for code in codes:
        assert code in text, code


def test_a_logo_in_the_letterhead(api: Api, app: Flask, case: dict[str, Any], tmp_path: Path) -> None:
    from PIL import Image
    logo = tmp_path / "logo.png"
    Image.new("RGB", (300, 120), (0, 90, 160)).save(logo)
    app.config["LETTERHEAD_LOGO"] = str(logo)
    app.config["LETTERHEAD_NAME"] = "Gemeente Voorbeeld"
    document = concept(api, case, {"kind": "waarschuwing"})
    body = pdf(api, document)
    assert pdf_images(body) == 1
    text = pdf_text(body)
    assert "Gemeente Voorbeeld" in text and "CONCEPT" in text
    assert "burgemeester en wethouders van Voorbeeld" in text


def test_an_approved_document_is_frozen_and_stored_once_by_its_hash(api: Api, app: Flask,
                                                                      case: dict[str, Any]) -> None:
    document = concept(api, case, {"kind": "waarschuwing", "letter_date": "2025-03-06"})
    changed = api.patch(f"/api/v1/documents/{document['id']}", json={"toelichting": "Tweede bezoek volgt."})
    assert changed.status_code == 200 and "Tweede bezoek volgt." in pdf_text(pdf(api, document))
    approved = api.post(f"/api/v1/documents/{document['id']}/approve").json
    stored = pdf_path(app.config["DATA"], approved["sha256"])
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == approved["sha256"]
    assert len(list(Path(app.config["DATA"], "documents").rglob("*.pdf"))) == 1
    before = case_tables(app)

    assert api.patch(f"/api/v1/documents/{document['id']}", json={"toelichting": "Anders."}).status_code == 409
    assert api.post(f"/api/v1/documents/{document['id']}/approve").status_code == 409
    assert case_tables(app) == before
    assert pdf(api, document) == stored.read_bytes()
    # Even past the API the database refuses to change or delete approved evidence.
    with app.app_context():
        db = get_db()
        for sql in ("UPDATE documents SET data = '{}' WHERE id = ?", "UPDATE documents SET status = 'concept' "
                    "WHERE id = ?", "DELETE FROM documents WHERE id = ?"):
            with pytest.raises(sqlite3.IntegrityError, match="frozen"):
                db.execute(sql, [document["id"]])
    assert case_tables(app) == before

    # The same content is kept once: rendering an approved document again gives the same bytes and file.
    from server import documents as docs
    with app.app_context():
        row = docs.get_document(get_db(), document["id"])
    again = docs.render(row["data"]["content"], docs.Settings(app.config).image_path)
    assert hashlib.sha256(again).hexdigest() == approved["sha256"]


def test_a_tampered_file_is_not_served(api: Api, app: Flask, case: dict[str, Any]) -> None:
    document = concept(api, case, {"kind": "rapport"})
    approved = api.post(f"/api/v1/documents/{document['id']}/approve").json
    stored = pdf_path(app.config["DATA"], approved["sha256"])
    stored.write_bytes(stored.read_bytes().replace(b"Aalsmeer", b"Aalsmeir"))
    response = api.get(f"/api/v1/documents/{document['id']}")
    assert response.status_code == 500 and response.json["error"] == "integrity"


def test_only_a_teamleider_makes_approves_and_sends(api: Api, app: Flask, case: dict[str, Any]) -> None:
    document = concept(api, case, {"kind": "waarschuwing", "letter_date": "2025-03-06"})
    before = case_tables(app)
    for role in ("handhaver", "beheerder"):
        assert api.post(f"/api/v1/cases/{case['id']}/documents", json={"kind": "rapport"},
                        as_=role).status_code == 403
        assert api.patch(f"/api/v1/documents/{document['id']}", json={"toelichting": "x"}, as_=role).status_code == 403
        assert api.post(f"/api/v1/documents/{document['id']}/approve", as_=role).status_code == 403
        assert api.post(f"/api/v1/documents/{document['id']}/send", json={"sent_on": "2025-03-06"},
                        as_=role).status_code == 403
    assert api.get(f"/api/v1/documents/{document['id']}", as_=None).status_code == 401
    assert case_tables(app) == before
    # A handhaver reads the documents of cases at his addresses, not others'.
    assert pdf_text(pdf(api, document, as_="handhaver")).startswith("Gemeente Aalsmeer")
    assert api.get(f"/api/v1/documents/{document['id']}", as_="handhaver2").status_code == 404
    assert api.get(f"/api/v1/cases/{case['id']}/documents", as_="handhaver2").status_code == 404


def test_every_read_of_a_document_is_audited(api: Api, app: Flask, case: dict[str, Any]) -> None:
    document = concept(api, case, {"kind": "rapport"})
    pdf(api, document, as_="handhaver")
    with app.app_context():
        entries = list(get_db().query("SELECT action, entity, record_id, user_id FROM audit_log WHERE entity = "
                                      "'document' ORDER BY id"))
    assert [(e["action"], e["record_id"]) for e in entries] == [("create", document["id"]), ("read", document["id"])]
    assert entries[1]["user_id"] == api.users["handhaver"]["id"]


def test_letters_follow_the_case_and_a_refused_step_changes_nothing(api: Api, app: Flask,
                                                                    case: dict[str, Any]) -> None:
    today = dt.date.today()
    # A besluit needs a voornemen first; a boete is possible from the start.
    concept(api, case, {"kind": "besluit_lod"}, status=409)
    rapport = concept(api, case, {"kind": "rapport"})
    api.post(f"/api/v1/documents/{rapport['id']}/approve")
    assert api.post(f"/api/v1/documents/{rapport['id']}/send", json={"sent_on": today.isoformat()}).status_code == 409

    voornemen = concept(api, case, {"kind": "voornemen_lod", "letter_date": today.isoformat()})
    assert api.post(f"/api/v1/documents/{voornemen['id']}/send",
                    json={"sent_on": today.isoformat()}).status_code == 409, "a concept is not sent"
    api.post(f"/api/v1/documents/{voornemen['id']}/approve")
    before = case_tables(app)
    tomorrow, yesterday = today + dt.timedelta(days=1), today - dt.timedelta(days=1)
    assert api.post(f"/api/v1/documents/{voornemen['id']}/send",
                    json={"sent_on": tomorrow.isoformat()}).status_code == 422
    assert api.post(f"/api/v1/documents/{voornemen['id']}/send",
                    json={"sent_on": yesterday.isoformat()}).status_code == 409, "not the letter's date"
    assert case_tables(app) == before
    assert api.post(f"/api/v1/documents/{voornemen['id']}/send", json={"sent_on": today.isoformat()}).status_code == 200
    assert api.post(f"/api/v1/documents/{voornemen['id']}/send", json={"sent_on": today.isoformat()}).status_code == 409

    # The besluit may be drafted, but not sent while the zienswijze term runs: nothing changes.
    besluit = concept(api, case, {"kind": "besluit_lod", "letter_date": today.isoformat()})
    api.post(f"/api/v1/documents/{besluit['id']}/approve")
    before = case_tables(app)
    refused = api.post(f"/api/v1/documents/{besluit['id']}/send", json={"sent_on": today.isoformat()})
    assert refused.status_code == 409 and "zienswijzetermijn" in refused.json["message"]
    assert case_tables(app) == before
    # The zienswijze comes in: the approved besluit no longer says what the case holds, so it is
    # refused and stays as it was; a new concept says so and goes out.
    assert api.post(f"/api/v1/cases/{case['id']}/transitions",
                    json={"action": "zienswijze_ontvangen", "received_on": today.isoformat()}).status_code == 200
    before = case_tables(app)
    stale = api.post(f"/api/v1/documents/{besluit['id']}/send", json={"sent_on": today.isoformat()})
    assert stale.status_code == 409 and "veranderd" in stale.json["message"]
    assert case_tables(app) == before
    concept(api, case, {"kind": "besluit_lod", "letter_date": today.isoformat()}, status=422)  # no toelichting
    second = concept(api, case, {"kind": "besluit_lod", "letter_date": today.isoformat(),
                                 "toelichting": "De verhuurder noemt de bezetting tijdelijk; dat verandert de "
                                                "overtredingen niet."})
    assert api.post(f"/api/v1/documents/{second['id']}/approve").status_code == 200
    assert api.post(f"/api/v1/documents/{second['id']}/send", json={"sent_on": today.isoformat()}).status_code == 200
    text = pdf_text(pdf(api, second))
    assert "zienswijze op" in text and "ontvangen en bij dit besluit betrokken" in text and "tijdelijk" in text
    concept(api, case, {"kind": "waarschuwing"}, status=409)
    state = api.get(f"/api/v1/cases/{case['id']}").json
    assert state["status"] == "besluit"
    assert [e["action"] for e in state["timeline"]][-2:] == ["vastgesteld", "besluit_verzonden"]
    assert state["timeline"][-1]["document_id"] == second["id"]


def test_a_concept_made_before_the_case_changed_is_brought_up_to_date_before_approval(
        api: Api, app: Flask, case: dict[str, Any]) -> None:
    today = dt.date.today().isoformat()
    voornemen = concept(api, case, {"kind": "voornemen_lod", "letter_date": today})
    approve_and_send(api, voornemen, today)
    besluit = concept(api, case, {"kind": "besluit_lod", "letter_date": today})
    assert "geen zienswijze" in pdf_text(pdf(api, besluit))
    api.post(f"/api/v1/cases/{case['id']}/transitions", json={"action": "zienswijze_ontvangen", "received_on": today})
    refused = api.post(f"/api/v1/documents/{besluit['id']}/approve")
    assert refused.status_code == 409 and "bijgewerkt" in refused.json["message"]
    text = pdf_text(pdf(api, besluit))
    assert "geen zienswijze" not in text and "ontvangen en bij dit besluit betrokken" in text
    answer = api.post(f"/api/v1/documents/{besluit['id']}/approve")
    assert answer.status_code == 422 and "toelichting" in answer.json["errors"], "how the zienswijze was weighed"
    assert api.patch(f"/api/v1/documents/{besluit['id']}", json={"toelichting": "Meegewogen."}).status_code == 200
    assert api.post(f"/api/v1/documents/{besluit['id']}/approve").status_code == 200


def test_a_dossier_holds_its_own_making_and_approves_at_once(api: Api, case: dict[str, Any]) -> None:
    dossier = concept(api, case, {"kind": "dossier"})
    assert api.post(f"/api/v1/documents/{dossier['id']}/approve").status_code == 200
    text = pdf_text(pdf(api, dossier))
    assert f"Concept dossier gemaakt ({dossier['kenmerk']})" in text


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"kind": "brief"}, 422, "kind"),
    ({}, 422, "kind"),
    ({"kind": "rapport", "bsn": "123"}, 422, "bsn"),
    ({"kind": "rapport", "letter_date": "13-11-2025"}, 422, "letter_date"),
    ({"kind": "rapport", "letter_date": "2020-01-01"}, 422, "letter_date"),
    ({"kind": "rapport", "inspection_id": "0b7e3f9a-1c2d-4e5f-8a9b-00000000ffff"}, 422, "inspection_id"),
    ({"kind": "waarschuwing", "remedies": {"VOCHT": "Verhelp het vocht."}}, 422, "remedies"),
    ({"kind": "waarschuwing", "remedies": {"ROOKMELDER": " "}}, 422, "remedies"),
    ({"kind": "voornemen_boete"}, 422, "boete"),
    ({"kind": "voornemen_boete", "boete": {"amount": "99999999"}}, 422, "boete"),
    ({"kind": "voornemen_boete", "boete": {"amount": "30000"}}, 422, "boete"),
    ({"kind": "voornemen_boete", "boete": {"amount": "30000", "repeat": "ja"}}, 422, "boete"),
    ({"kind": "rapport", "letter_date": "2030-01-01"}, 422, "letter_date"),
    ({"kind": "voornemen_boete", "boete": {"amount": 12.345}}, 422, "boete"),
    ({"kind": "voornemen_lod", "dwangsom": {"amount": 500, "max": 100}}, 422, "dwangsom"),
    ({"kind": "voornemen_lod", "dwangsom": {"per": "maand"}}, 422, "dwangsom"),
    ({"kind": "voornemen_lod", "dwangsom": {"amount": 6000}}, 422, "dwangsom"),
    ({"kind": "waarschuwing", "bijlagen": "rapport"}, 422, "bijlagen"),
])
def test_bad_concepts_get_field_messages_and_change_nothing(api: Api, app: Flask, case: dict[str, Any],
                                                            body: dict[str, Any], status: int, field: str) -> None:
    before = case_tables(app)
    response = api.post(f"/api/v1/cases/{case['id']}/documents", json=body)
    assert response.status_code == status, response.json
    assert field in response.json["errors"], response.json
    assert case_tables(app) == before


def test_bad_requests_to_document_endpoints(api: Api, app: Flask, case: dict[str, Any]) -> None:
    document = concept(api, case, {"kind": "waarschuwing"})
    before = case_tables(app)
    unknown = "00000000-0000-0000-0000-000000000000"
    assert api.get(f"/api/v1/documents/{unknown}").status_code == 404
    assert api.post(f"/api/v1/documents/{unknown}/approve").status_code == 404
    assert api.post(f"/api/v1/cases/{unknown}/documents", json={"kind": "rapport"}).status_code == 404
    assert api.post(f"/api/v1/documents/{document['id']}/send", data="{", content_type="application/json"
                    ).status_code == 400
    assert api.post(f"/api/v1/documents/{document['id']}/send", json={}).status_code == 422
    assert api.post(f"/api/v1/documents/{document['id']}/send", json={"sent_on": 20250306}).status_code == 422
    assert api.patch(f"/api/v1/documents/{document['id']}", json={"kind": "dossier"}).status_code == 422
    assert api.patch(f"/api/v1/documents/{document['id']}", data="x", content_type="text/plain").status_code == 415
    assert case_tables(app) == before


def test_a_hercontrole_after_a_warning_is_planned_the_day_after_its_term(api: Api, case: dict[str, Any]) -> None:
    warning = concept(api, case, {"kind": "waarschuwing", "letter_date": "2025-03-06"})
    approve_and_send(api, warning, "2025-03-06")
    state = api.get(f"/api/v1/cases/{case['id']}").json
    assert state["terms"]["herstel_end"] == "2025-04-03", "28 days by default in this municipality's terms"
    planned = api.post(f"/api/v1/cases/{case['id']}/transitions",
                       json={"action": "hercontrole_gepland", "inspector_id": api.users["handhaver"]["id"]})
    assert planned.status_code == 200, planned.json
    assert planned.json["terms"]["hercontrole_on"] == "2025-04-04"
    assignment = api.get(f"/api/v1/assignments/{planned.json['terms']['hercontrole_assignment_id']}").json
    assert assignment["due"] == "2025-04-04" and assignment["kind"] == "hercontrole"


def test_a_boete_follows_a_warning_and_the_rapport_and_may_use_the_repeat_maximum(api: Api, app: Flask,
                                                                                  case: dict[str, Any]) -> None:
    body = {"kind": "voornemen_boete", "letter_date": "2025-03-10", "boete": {"amount": "30000", "repeat": True}}
    assert "waarschuwing" in concept(api, case, body, status=409)["message"]
    warning = concept(api, case, {"kind": "waarschuwing", "letter_date": "2025-03-06"})
    approve_and_send(api, warning, "2025-03-06")
    assert "rapport" in concept(api, case, body, status=409)["message"]
    rapport = concept(api, case, {"kind": "rapport", "letter_date": "2025-03-03"})
    approve_and_send(api, rapport, None)
    boete = concept(api, case, body)
    text = pdf_text(pdf(api, boete))
    assert "€ 30.000,00" in text and "€ 103.000,00 (herhaalde overtreding binnen vier jaar)" in text
    assert concept(api, case, {**body, "boete": {"amount": "103000.01", "repeat": True}}, status=422)


def test_letters_need_a_verhuurder_with_a_complete_postal_address(api: Api, app: Flask, case: dict[str, Any]) -> None:
    [link] = api.get(f"/api/v1/addresses/{case['address_id']}/parties").json["items"]
    ended = api.delete(f"/api/v1/addresses/{case['address_id']}/parties/{link['id']}")
    assert ended.status_code == 200, ended.json
    refused = concept(api, case, {"kind": "waarschuwing"}, status=409)
    assert "Leg eerst de verhuurder met een volledig postadres vast" in refused["message"]
    concept(api, case, {"kind": "rapport"})  # a rapport is not a letter to anyone
    give_landlord(api, case["address_id"], name="Zonder Adres B.V.", postal_address=None)
    assert "volledig postadres" in concept(api, case, {"kind": "waarschuwing"}, status=409)["message"]
    give_landlord(api, case["address_id"], name="Met Adres B.V.")
    made = concept(api, case, {"kind": "waarschuwing"})
    assert "Met Adres B.V. Voorbeeldweg 12A 1431 ZZ AALSMEER" in pdf_text(pdf(api, made))
