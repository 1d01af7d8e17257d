"""Letters of a case over the REST API: read back from their PDF, frozen once approved, refused when they do not fit,
and only for a teamleider. The procedure over weeks is tests/test_enforcement.py (an injected clock)."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from server.db import get_db
from server.documents import pdf_path
from server.officials import set_profile
from server.rapport_signing import sign
from tests.conftest import Api, example
from tests.documents_world import case_tables, give_landlord, pdf_images, pdf_text
from tests.test_api_assignments_inspections import store_inspection

REASON = "U verhuurt de woning en kunt de overtredingen beëindigen."


@pytest.fixture
def case(api: Api, app: Flask) -> dict[str, Any]:
    """The overcrowded example as a case: the verhuurder with an address, a signed rapport, the overtreder named."""
    raw = example("overbewoond.json")
    raw["inspection"]["photos"] = []
    api.post("/api/v1/addresses", json=raw["address"])
    party = give_landlord(api, raw["address"]["id"])
    with app.app_context():
        db = get_db()
        set_profile(db, api.users["teamleider"]["id"], {"full_name": "Anna de Vries", "phone": "0297 387 500",
                                                         "email": "a.devries@example.invalid",
                                                         "function_title": "teamleider handhaving"})
        set_profile(db, api.users["handhaver"]["id"], {"full_name": "Bram Jansen", "aanwijzing": "2026/12"})
    inspection = store_inspection(app, raw["inspection"], api.users["handhaver"]["id"])
    with app.app_context():
        from server.documents import Settings
        from server.rapport import draft
        draft(get_db(), inspection)
        sign(get_db(), Settings(app.config), inspection["id"], api.users["handhaver"])
    response = api.post("/api/v1/cases", json={"inspection_id": inspection["id"]})
    assert response.status_code == 201, response.json
    named = api.post(f"/api/v1/cases/{response.json['id']}/overtreders", json={"overtreders": [
        {"party_id": party["id"], "role": "verhuurder", "reason": REASON}]})
    assert named.status_code == 200, named.json
    return dict(named.json)


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


def approve(api: Api, document: dict[str, Any], confirm: bool = True, status: int = 200) -> dict[str, Any]:
    response = api.post(f"/api/v1/documents/{document['id']}/approve", json={"confirm_unverified": confirm})
    assert response.status_code == status, response.json
    return dict(response.json)


def send(api: Api, document: dict[str, Any], sent_on: dt.date | None = None, status: int = 200,
         **body: Any) -> dict[str, Any]:
    payload = {"sent_on": (sent_on or dt.date.today()).isoformat(), "method": "aangetekend",
               "reference": "RR123456789NL", **body}
    response = api.post(f"/api/v1/documents/{document['id']}/send", json=payload)
    assert response.status_code == status, response.json
    return dict(response.json)


def test_a_voornemen_is_made_approved_with_its_confirmation_and_sent_over_the_api(api: Api, app: Flask,
                                                                                  case: dict[str, Any]) -> None:
    assert [a["letter"] for a in case["allowed_actions"] if a["letter"]] == ["voornemen_lod", "waarschuwing"]
    letter = concept(api, case, {"kind": "voornemen_lod", "toelichting": "De trap is het enige vluchtpad."})
    assert letter["unverified"], "the Bbl and Wgv articles are not verified in the shipped register"
    text = pdf_text(pdf(api, letter))
    assert "CONCEPT" in text and "De trap is het enige vluchtpad." in text
    refused = approve(api, letter, confirm=False, status=409)
    assert refused["error"] == "conflict" and refused["unverified"] == letter["unverified"]
    approved = approve(api, letter)
    body = pdf(api, letter)
    assert hashlib.sha256(body).hexdigest() == approved["sha256"]
    text = pdf_text(body)
    assert "CONCEPT" not in text
    assert "Voorbeeld Verhuur B.V. Voorbeeldweg 12A 1431 ZZ AALSMEER" in text, "the window-envelope address block"
    assert "Anna de Vries, teamleider handhaving telefoon 0297 387 500 a.devries@example.invalid" in text
    assert "Overtreden voorschrift" in text and REASON in text
    assert "Rapport van bevindingen, versie voor de verhuurder (RB-" in text  # enclosed
    sent = send(api, letter, method="post", reference="verzendlijst 49")
    assert (sent["dispatch_method"], sent["dispatch_reference"]) == ("post", "verzendlijst 49")
    state = api.get(f"/api/v1/cases/{case['id']}").json
    assert state["tracks"]["lod"]["state"] == "voornemen"
    assert state["timeline"][-1]["effective_on"] == dt.date.today().isoformat()


def test_a_logo_in_the_letterhead(api: Api, app: Flask, case: dict[str, Any], tmp_path: Path) -> None:
    from PIL import Image
    logo = tmp_path / "logo.png"
    Image.new("RGB", (300, 120), (0, 90, 160)).save(logo)
    app.config["LETTERHEAD_LOGO"] = str(logo)
    app.config["LETTERHEAD_NAME"] = "Gemeente Voorbeeld"
    body = pdf(api, concept(api, case, {"kind": "waarschuwing"}))
    assert pdf_images(body) == 1
    text = pdf_text(body)
    assert "Gemeente Voorbeeld" in text and "CONCEPT" in text
    assert "burgemeester en wethouders van Voorbeeld" in text


def test_an_approved_document_is_frozen_and_stored_once_by_its_hash(api: Api, app: Flask,
                                                                      case: dict[str, Any]) -> None:
    document = concept(api, case, {"kind": "waarschuwing"})
    changed = api.patch(f"/api/v1/documents/{document['id']}", json={"toelichting": "Tweede bezoek volgt."})
    assert changed.status_code == 200 and "Tweede bezoek volgt." in pdf_text(pdf(api, document))
    approved = approve(api, document)
    stored = pdf_path(app.config["DATA"], approved["sha256"])
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == approved["sha256"]
    before = case_tables(app)
    assert api.patch(f"/api/v1/documents/{document['id']}", json={"toelichting": "Anders."}).status_code == 409
    approve(api, document, status=409)
    assert case_tables(app) == before
    assert pdf(api, document) == stored.read_bytes()
    with app.app_context():  # even past the API the database refuses to change or delete approved evidence
        db = get_db()
        for sql in ("UPDATE documents SET data = '{}' WHERE id = ?", "UPDATE documents SET status = 'concept' "
                    "WHERE id = ?", "UPDATE documents SET confirmed = NULL WHERE id = ?",
                    "DELETE FROM documents WHERE id = ?"):
            with pytest.raises(sqlite3.IntegrityError, match="frozen"):
                db.execute(sql, [document["id"]])
    assert case_tables(app) == before


def test_a_tampered_file_is_not_served(api: Api, app: Flask, case: dict[str, Any]) -> None:
    approved = approve(api, concept(api, case, {"kind": "waarschuwing"}))
    stored = pdf_path(app.config["DATA"], approved["sha256"])
    stored.write_bytes(stored.read_bytes().replace(b"Aalsmeer", b"Aalsmeir"))
    response = api.get(f"/api/v1/documents/{approved['id']}")
    assert response.status_code == 500 and response.json["error"] == "integrity"


def test_only_a_teamleider_makes_approves_and_sends(api: Api, app: Flask, case: dict[str, Any]) -> None:
    document = concept(api, case, {"kind": "waarschuwing"})
    before = case_tables(app)
    for role in ("handhaver", "beheerder"):
        assert api.post(f"/api/v1/cases/{case['id']}/documents", json={"kind": "waarschuwing"},
                        as_=role).status_code == 403
        assert api.patch(f"/api/v1/documents/{document['id']}", json={"toelichting": "x"}, as_=role).status_code == 403
        assert api.post(f"/api/v1/documents/{document['id']}/approve", json={}, as_=role).status_code == 403
        assert api.post(f"/api/v1/documents/{document['id']}/send", json={"sent_on": "2026-12-01"},
                        as_=role).status_code == 403
    assert api.get(f"/api/v1/documents/{document['id']}", as_=None).status_code == 401
    assert case_tables(app) == before
    assert pdf_text(pdf(api, document, as_="handhaver")).startswith("Gemeente Aalsmeer")  # a case at his address
    assert api.get(f"/api/v1/documents/{document['id']}", as_="handhaver2").status_code == 404
    assert api.get(f"/api/v1/cases/{case['id']}/documents", as_="handhaver2").status_code == 404


def test_every_read_of_a_document_is_audited(api: Api, app: Flask, case: dict[str, Any]) -> None:
    document = concept(api, case, {"kind": "waarschuwing"})
    pdf(api, document, as_="handhaver")
    with app.app_context():
        entries = list(get_db().query("SELECT action, record_id, user_id FROM audit_log WHERE entity = 'document' "
                                      "AND record_id IS NOT NULL ORDER BY id"))
    assert [(e["action"], e["record_id"]) for e in entries] == [("create", document["id"]), ("read", document["id"])]
    assert entries[1]["user_id"] == api.users["handhaver"]["id"]


def test_letters_follow_the_case_and_a_refused_send_changes_nothing(api: Api, app: Flask,
                                                                    case: dict[str, Any]) -> None:
    today = dt.date.today()
    assert "kan niet" in concept(api, case, {"kind": "besluit_lod"}, status=409)["message"]
    assert "kan niet" in concept(api, case, {"kind": "voornemen_boete"}, status=409)["message"]
    voornemen = concept(api, case, {"kind": "voornemen_lod"})
    send(api, voornemen, status=409)  # a concept is not sent
    approve(api, voornemen)
    before = case_tables(app)
    send(api, voornemen, today + dt.timedelta(days=1), status=422)
    send(api, voornemen, today - dt.timedelta(days=1), status=409)  # not the letter's own date
    assert api.post(f"/api/v1/documents/{voornemen['id']}/send",
                    json={"sent_on": today.isoformat(), "method": "duif", "reference": "x"}).status_code == 422
    assert api.post(f"/api/v1/documents/{voornemen['id']}/send",
                    json={"sent_on": today.isoformat(), "method": "post"}).status_code == 422  # the proof
    assert case_tables(app) == before
    send(api, voornemen)
    send(api, voornemen, status=409)  # once
    assert "zienswijzetermijn loopt" in concept(api, case, {"kind": "besluit_lod"}, status=409)["message"]


def test_a_concept_is_brought_up_to_date_before_approval(api: Api, app: Flask, case: dict[str, Any]) -> None:
    document = concept(api, case, {"kind": "waarschuwing"})
    party = case["overtreders"][0]["party_id"]
    api.post(f"/api/v1/cases/{case['id']}/overtreders", json={"overtreders": [
        {"party_id": party, "role": "verhuurder", "reason": "Een andere reden."}]})
    refused = approve(api, document, status=409)
    assert "bijgewerkt" in refused["message"]
    assert "Een andere reden." in pdf_text(pdf(api, document))
    approve(api, document)


def test_a_dossier_holds_the_steps_and_documents_and_approves_at_once(api: Api, case: dict[str, Any]) -> None:
    send(api, approve(api, concept(api, case, {"kind": "voornemen_lod"})))
    dossier = concept(api, case, {"kind": "dossier"})
    approved = approve(api, dossier, confirm=False)  # a dossier cites no voorschrift as a letter does
    text = pdf_text(pdf(api, approved))
    assert "Dossier handhavingszaak" in text and "Voornemen last onder dwangsom verzonden" in text
    assert "aangetekend, bewijs RR123456789NL" in text and "Rechtsgevolg" in text
    send(api, dossier, status=409)  # a dossier is not sent


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"kind": "rapport"}, 422, "kind"),  # the rapport is the toezichthouder's, at his inspection
    ({"kind": "waarschuwing", "codes": ["ROOKMELDER"]}, 422, "codes"),  # not a Wgv violation
    ({"kind": "voornemen_lod", "lasten": {"ROOKMELDER": {"dwangsom": {"amount": 900, "per": "week", "max": 100}}}},
     422, "lasten"),
    ({"kind": "voornemen_lod", "letter_date": "2026-11-01"}, 422, "letter_date"),  # before the visit
    ({"kind": "voornemen_lod", "lasten": {"ROOKMELDER": {"begunstigingstermijn_days": 0}}}, 422, "lasten"),
    ({"kind": "voornemen_lod", "party_id": "niet-een-id"}, 422, "party_id"),
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
    assert api.post(f"/api/v1/documents/{unknown}/approve", json={}).status_code == 404
    assert api.post(f"/api/v1/cases/{unknown}/documents", json={"kind": "waarschuwing"}).status_code == 404
    assert api.post(f"/api/v1/documents/{document['id']}/send", data="{", content_type="application/json"
                    ).status_code == 400
    assert api.post(f"/api/v1/documents/{document['id']}/send", json={}).status_code == 422
    assert api.post(f"/api/v1/documents/{document['id']}/approve", json={"confirm_unverified": "ja"}
                    ).status_code == 422
    assert api.patch(f"/api/v1/documents/{document['id']}", json={"kind": "dossier"}).status_code == 422
    assert api.patch(f"/api/v1/documents/{document['id']}", data="x", content_type="text/plain").status_code == 415
    assert case_tables(app) == before


def test_letters_need_an_overtreder_with_a_complete_postal_address(api: Api, app: Flask,
                                                                   case: dict[str, Any]) -> None:
    nobody = give_landlord(api, case["address_id"], name="Zonder Adres B.V.", postal_address=None)
    api.post(f"/api/v1/cases/{case['id']}/overtreders", json={"overtreders": [
        {"party_id": nobody["id"], "role": "verhuurder", "reason": REASON}]})
    refused = concept(api, case, {"kind": "waarschuwing"}, status=409)
    assert "volledig postadres" in refused["message"]
