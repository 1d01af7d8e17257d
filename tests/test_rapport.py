"""The rapport van bevindingen: drafted at submission, read back from its PDF, signed by its own toezichthouder only.

One server app per module; each test pushes its own inspection from the handhaver's tablet
(the sync protocol through the test client), so a signed rapport never leaks into another test.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from server.db import get_db, rows
from server.documents import pdf_path
from tests.conftest import Api, example
from tests.documents_world import pdf_images, pdf_text, render_png
from tests.sync_fixtures import Device
from tests.test_attachments import jpeg

VISIT = "2026-11-18"
PROFILES = {
    "handhaver": {"full_name": "Jan de Vries", "function_title": "Toezichthouder wonen",
                  "aanwijzing": "Aanwijzingsbesluit toezichthouders Aalsmeer 2026 (kenmerk 2026-0042)",
                  "legitimation_no": "AAL-0358-117"},
    "handhaver2": {"full_name": "Fatima El Amrani", "function_title": "Toezichthouder wonen"},
    "teamleider": {"full_name": "Karin Bos", "function_title": "Teamleider handhaving"},
}


@dataclass
class World:
    """The app, its API callers, the handhaver's and the other handhaver's tablets, an address and two photos."""

    app: Flask
    api: Api
    device: Device
    other_device: Device
    address_id: str
    photos: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    from server import create_app
    from server.auth import add_user, create_api_token
    from server.officials import set_profile
    app = create_app({"DATA": str(tmp_path_factory.mktemp("rapport") / "data"), "TESTING": True,
                      "LETTERHEAD_NAME": "Gemeente Aalsmeer", "LETTERHEAD_ADDRESS": ["Raadhuisplein 1",
                                                                                      "1431 EH Aalsmeer"]})
    tokens, users = {}, {}
    with app.app_context():
        db = get_db()
        for name, role in (("teamleider", "teamleider"), ("handhaver", "handhaver"), ("handhaver2", "handhaver"),
                           ("beheerder", "beheerder")):
            users[name] = add_user(db, name, role, None)
            tokens[name] = create_api_token(db, users[name]["id"])
            if name in PROFILES:
                set_profile(db, users[name]["id"], PROFILES[name])
    api = Api(app.test_client(), tokens, users)
    address = {**example("overbewoond.json")["address"], "id": str(uuid.uuid4())}
    assert api.post("/api/v1/addresses", json=address).status_code == 201
    assert api.post("/api/v1/assignments", json={"address_id": address["id"], "week": "2026-W47",
                                                 "inspector_id": users["handhaver"]["id"]}).status_code == 201
    built = World(app, api, Device(api, app, "handhaver"), Device(api, app, "handhaver2"), address["id"])
    built.photos = [upload(built.device, jpeg(seed, size=480)) for seed in (1, 2)]
    return built


def upload(device: Device, content: bytes) -> str:
    """Upload a photo from the tablet as the sync engine does; return its SHA-256."""
    sha256 = hashlib.sha256(content).hexdigest()
    response = device.api.call("PUT", f"/api/v1/attachments/{sha256}", as_=None, data=content, headers={
        **device.headers, "Content-Range": f"bytes 0-{len(content) - 1}/{len(content)}",
        "Content-Type": "application/octet-stream"})
    assert response.status_code == 200 and response.json["complete"], response.json
    return sha256


def evidence(world: World, **changes: Any) -> dict[str, Any]:
    """Return a submitted inspection with every kind of evidence the rapport states, with a fresh id."""
    data = example("overbewoond.json")["inspection"]
    rooms = data["rooms"]
    for room, detector in zip(rooms, (True, None, False, True, False), strict=True):
        room["smoke_detector"] = detector
    data.update({
        "id": str(uuid.uuid4()), "address_id": world.address_id,
        "dwelling": {"floor_area_m2": 70, "floor_area_source": "gemeten", "storeys": 3, "lodging": False},
        "occupants": {**data["occupants"], "arbeidsmigranten": 7},
        "fire_safety": {**data["fire_safety"], "smoke_detectors_tested_by": "testknop"},
        "tenancy": {**data["tenancy"], "landlord_stated": "Bloemen Uitzend B.V."},
        "entry": {"consent_by": "bewoner", "legitimation_shown": True, "purpose_stated": True, "machtiging": None},
        "present": [{"role": "toezichthouder", "count": 2,
                     "user_ids": [world.api.users["handhaver"]["id"], world.api.users["handhaver2"]["id"]]},
                    {"role": "tolk", "count": 1}, {"role": "bewoner", "count": 5}],
        "statements": [{"by_role": "bewoner", "text": "Wij betalen elk 450 euro per maand aan het uitzendbureau.",
                        "cautie_given": False},
                       {"by_role": "verhuurder", "text": "Ik verhuur de woning alleen aan het uitzendbureau.",
                        "cautie_given": True}],
        "photos": [{"sha256": world.photos[0], "caption": "Trap met fietsen", "room_id": None,
                    "taken_at": "2026-11-18T19:20:00+01:00"},
                   {"sha256": world.photos[1], "caption": "Zolder met vier bedden", "room_id": "r5",
                    "taken_at": "2026-11-18T19:41:00+01:00"}],
    })
    data.update(changes)
    return data


def push(world: World, inspection: dict[str, Any], device: Device | None = None) -> dict[str, Any]:
    """Push an inspection from the tablet; return it once applied."""
    answer = (device or world.device).push({"entity": "inspection", "id": inspection["id"], "data": inspection},
                                           protocol=2)
    assert answer.status_code == 200, answer.json
    assert answer.json["results"][0]["status"] == "applied", answer.json
    return inspection


def documents_of(world: World, inspection_id: str) -> list[dict[str, Any]]:
    with world.app.app_context():
        return rows(get_db(), "SELECT * FROM documents WHERE inspection_id = ? ORDER BY created_at", [inspection_id])


def rapport_pdf(world: World, inspection_id: str, as_: str = "handhaver", versie: str | None = None) -> bytes:
    url = f"/api/v1/inspections/{inspection_id}/rapport" + (f"?versie={versie}" if versie else "")
    response = world.api.get(url, as_=as_)
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype == "application/pdf"
    return bytes(response.data)


def sign(world: World, inspection_id: str, as_: str | None = "handhaver", headers: dict[str, str] | None = None
         ) -> Any:
    return world.api.post(f"/api/v1/inspections/{inspection_id}/rapport/sign", as_=as_, headers=headers or {})


def today() -> str:
    from server.rapport import today_here
    return today_here().isoformat()


def dutch(day: str) -> str:
    from reports.fmt import datum
    return datum(day)


def test_a_pushed_submitted_inspection_gets_a_concept_rapport_and_no_pdf_yet(world: World) -> None:
    draft = push(world, evidence(world, status="draft", finished_at=None))
    assert documents_of(world, draft["id"]) == [], "a draft is not evidence yet"
    inspection = push(world, evidence(world))
    found = documents_of(world, inspection["id"])
    assert len(found) == 1
    row = found[0]
    assert row["kind"] == "rapport" and row["status"] == "concept" and row["case_id"] is None
    assert re.fullmatch(r"RB-2026-\d{5}", row["kenmerk"]) and row["letter_date"] == VISIT
    assert row["sha256"] is None and row["created_by"] == world.api.users["handhaver"]["id"]
    assert not list((Path(world.app.config["DATA"]) / "documents").glob("**/*.pdf")), "drafting draws nothing"
    again = world.device.push_raw({"protocol": 2, "mutations": [{
        "seq": world.device.seq, "entity": "inspection", "id": inspection["id"], "op": "put", "base_version": None,
        "data": inspection}]})
    assert again.json["results"][0]["status"] == "duplicate"
    assert len(documents_of(world, inspection["id"])) == 1, "a retried push drafts no second rapport"
    second = push(world, evidence(world))
    assert documents_of(world, second["id"])[0]["kenmerk"] != row["kenmerk"], "each rapport its own kenmerk"


def test_the_concept_states_the_toezichthouder_the_visit_the_entry_and_how_he_measured(world: World) -> None:
    inspection = push(world, evidence(world))
    body = rapport_pdf(world, inspection["id"])
    text = pdf_text(body)
    assert "CONCEPT - nog niet ondertekend" in text and "Aldus naar waarheid" not in text
    for part in ("Jan de Vries", "Toezichthouder wonen", "Aanwijzingsbesluit toezichthouders Aalsmeer 2026",
                 "(kenmerk 2026-0042)", "Awb 5:11", "nummer AAL-0358-117", "Awb 5:12"):
        assert part in text, part
    assert "Datum 18 november 2026" in text and "19:05 uur" in text and "20:10 uur" in text, "Dutch local time"
    assert "Clematisstraat 7a, 1431 GH Aalsmeer" in text
    assert "gegeven door een bewoner" in text and "Legitimatiebewijs getoond ja" in text
    assert "Doel van het bezoek meegedeeld ja" in text and "Machtiging tot binnentreden geen" in text
    assert "Voor de jurist" not in text, "an entry with a resident's consent is not doubtful"
    assert "Fatima El Amrani" in text and "tolk" in text, "officials present by full name"
    assert "70 m²" in text and "gemeten ter plaatse" in text and "geregistreerd in de BAG 85 m²" in text
    assert "met de testknop" in text and "werkend in Woonkamer, Slaapkamer achter" in text
    assert "ontbreekt of werkt niet in Slaapkamer voor, Zolder" in text
    assert "Wij betalen elk 450 euro" in text and "geen cautie gegeven" in text
    assert "Ik verhuur de woning alleen" in text and "cautie gegeven (Awb 5:10a)" in text
    compact = text.replace(" ", "")
    for sha in world.photos:
        assert f"SHA-256{sha}" in compact, "each photo with its hash"
    assert "genomen 18 november 2026 19:20 uur" in text and "19:41 uur" in text
    assert pdf_images(body) == 2
    assert "Arbeidsmigrant" in text and "Pools 5" in text and "BRP" in text, "the full version holds everything"


def test_findings_carry_their_regime_and_voorschrift_and_signals_stand_apart(world: World) -> None:
    text = pdf_text(rapport_pdf(world, push(world, evidence(world))["id"]))
    violations = text[text.index("Overtredingen"):text.index("Signalen en adviezen")]
    signals = text[text.index("Signalen en adviezen"):text.index("Niet beoordeeld")]
    # On 18 November 2026 the register gives ROOKMELDER and VLUCHTWEG the Bbl (not yet verified) ...
    for code in ("ROOKMELDER", "VLUCHTWEG"):
        assert code in violations and code not in signals, code
    assert "Besluit bouwwerken leefomgeving (Bbl)" in violations and "nog niet geverifieerd" in violations
    assert "regime: bouwregels" in violations
    # ... and the rules without a voorschrift are signals and advice, never a ground for a last or a boete.
    for code in ("BEZETTING_SLAAPKAMER", "OVERBEWONING", "CO_MELDER", "BLUSDEKEN", "BRP_SIGNAAL"):
        assert code in signals and code not in violations, code
    assert "geen grondslag voor een last onder dwangsom" in signals
    assert "Roemer, 2020" in signals, "a signal says where its number comes from"


def test_an_entry_without_consent_or_machtiging_is_flagged_for_the_jurist(world: World) -> None:
    inspection = push(world, evidence(world, entry={"consent_by": None, "legitimation_shown": True,
                                                    "purpose_stated": None, "machtiging": None},
                                      present=[{"role": "verhuurder", "count": 1}]))
    text = pdf_text(rapport_pdf(world, inspection["id"]))
    assert "Voor de jurist: de grondslag van het binnentreden is twijfelachtig" in text
    assert "een verhuurder kan geen toestemming geven" in text and "Awbi art. 1" in text
    assert "Voor de jurist" not in pdf_text(rapport_pdf(world, inspection["id"], versie="verhuurder"))


def test_signing_freezes_the_rapport_and_its_landlord_version_dated_that_day(world: World) -> None:
    inspection = push(world, evidence(world))
    answer = sign(world, inspection["id"], as_=None, headers=world.device.headers)  # from his tablet
    assert answer.status_code == 200, answer.json
    signed = answer.json
    assert signed["status"] == "approved" and signed["letter_date"] == today(), "dated the day he signs"
    assert signed["signed_by"] == "Jan de Vries" and len(signed["sha256"]) == 64
    assert signed["landlord_version"]["kenmerk"] == f"{signed['kenmerk']}-V"

    body = rapport_pdf(world, inspection["id"], as_="teamleider")
    assert hashlib.sha256(body).hexdigest() == signed["sha256"]
    text = pdf_text(body)
    assert "CONCEPT" not in text
    assert (f"Aldus naar waarheid opgemaakt en ondertekend door Jan de Vries, Toezichthouder wonen, op "
            f"{dutch(today())}.") in text
    landlord = rapport_pdf(world, inspection["id"], as_="teamleider", versie="verhuurder")
    assert hashlib.sha256(landlord).hexdigest() == signed["landlord_version"]["sha256"]
    assert "Aldus naar waarheid opgemaakt en ondertekend door Jan de Vries" in pdf_text(landlord)
    render_png(body, "rapport_van_bevindingen", pages=5)
    render_png(landlord, "rapport_van_bevindingen_verhuurder", pages=4)

    with world.app.app_context():
        from server.rapport import landlord_version, rapport_of
        from server.rapport import signed as is_signed
        db = get_db()
        version = landlord_version(db, inspection["id"])
        assert version == {"id": signed["landlord_version"]["id"], "kenmerk": f"{signed['kenmerk']}-V",
                           "sha256": signed["landlord_version"]["sha256"], "letter_date": today()}
        assert is_signed(db, inspection["id"])
        own = rapport_of(db, inspection["id"])
        assert own is not None and own["data"]["content"]["kind"] == "rapport"
        kinds = {r["kind"]: r for r in rows(db, "SELECT * FROM documents WHERE inspection_id = ?",
                                             [inspection["id"]])}
        assert kinds["rapport_verhuurder"]["version_of"] == kinds["rapport"]["id"]
        assert kinds["rapport_verhuurder"]["approved_at"] == kinds["rapport"]["approved_at"], "frozen together"
        audited = rows(db, "SELECT action FROM audit_log WHERE record_id IN (?, ?)",
                       [kinds["rapport"]["id"], kinds["rapport_verhuurder"]["id"]])
        assert {"sign", "read"} <= {a["action"] for a in audited}
    for sha in (signed["sha256"], signed["landlord_version"]["sha256"]):
        assert pdf_path(world.app.config["DATA"], sha).exists()

    again = sign(world, inspection["id"])
    assert again.status_code == 409 and "al ondertekend" in again.json["message"]
    database = sqlite3.connect(Path(world.app.config["DATA"]) / "woontoezicht.db")
    try:
        with pytest.raises(sqlite3.IntegrityError, match="frozen"):
            database.execute("UPDATE documents SET letter_date = '2026-11-18' WHERE id = ?", [kinds["rapport"]["id"]])
    finally:
        database.close()


def test_nobody_but_the_inspections_own_toezichthouder_signs(world: World) -> None:
    inspection = push(world, evidence(world))
    before = documents_of(world, inspection["id"])
    for caller in ("teamleider", "handhaver2", "beheerder"):
        refused = sign(world, inspection["id"], as_=caller)
        assert refused.status_code == 403, (caller, refused.json)
        assert "Alleen de toezichthouder die deze inspectie deed" in refused.json["message"]
    refused = sign(world, inspection["id"], as_=None, headers=world.other_device.headers)
    assert refused.status_code == 403, "another handhaver's tablet"
    assert documents_of(world, inspection["id"]) == before, "a refusal changes nothing"
    assert sign(world, str(uuid.uuid4())).status_code == 404


def test_signing_waits_until_every_photo_has_arrived(world: World) -> None:
    absent = hashlib.sha256(b"nog op de tablet").hexdigest()
    inspection = push(world, evidence(world, photos=[{"sha256": absent, "caption": "Meterkast", "room_id": None}]))
    refused = sign(world, inspection["id"])
    assert refused.status_code == 409 and "1 foto van dit rapport is nog niet ontvangen" in refused.json["message"]
    info = world.api.get(f"/api/v1/inspections/{inspection['id']}/rapport/info", as_="handhaver").json
    assert info["status"] == "concept" and info["photos_missing"] == 1 and info["can_sign"] is True


def test_the_landlord_version_leaves_out_what_is_about_the_residents(world: World) -> None:
    inspection = push(world, evidence(world, notes="Bewoners vertellen over hun werk in de kassen."))
    full = pdf_text(rapport_pdf(world, inspection["id"]))
    body = rapport_pdf(world, inspection["id"], versie="verhuurder")
    landlord = pdf_text(body)
    first_page = landlord[:landlord.index("Pagina 1 van")]
    assert "versie voor de verhuurder" in first_page, "it says so on its first page"
    for kept in ("Jan de Vries", "gegeven door een bewoner", "ROOKMELDER", "Besluit bouwwerken leefomgeving",
                 "Ik verhuur de woning alleen", "Trap met fietsen", "Zolder met vier bedden", "70 m²"):
        assert kept in landlord, kept
    for gone in ("Ingeschreven in de BRP", "BRP_SIGNAAL", "Pools", "Bulgaars", "Wij betalen elk 450 euro",
                 "Bewoners vertellen", "Arbeidsmigrant volgens de Wgv", "Bloemen Uitzend"):
        assert gone in full and gone not in landlord, gone
    assert "Verklaringen van bewoners en anderen zijn in deze versie weggelaten" in landlord
    # Overbewoning and the bedroom rules rest on the counts: they stay, as the findings need them.
    assert "Aanwezig tijdens het bezoek" in landlord and "Personen" in landlord

    few = evidence(world, occupants={"present": 2, "reported": 2, "languages": {"pl": 2}, "arbeidsmigranten": 2},
                   rooms=[{"id": "r1", "name": "Woonkamer", "kind": "living", "storey": 0, "area_m2": 22, "beds": 0,
                           "occupants": 0, "smoke_detector": True},
                          {"id": "r2", "name": "Keuken", "kind": "kitchen", "storey": 0, "area_m2": 8, "beds": 0,
                           "occupants": 0, "smoke_detector": True},
                          {"id": "r3", "name": "Slaapkamer", "kind": "bedroom", "storey": 0, "area_m2": 12,
                           "beds": 2, "occupants": 2, "smoke_detector": True}],
                   dwelling={"floor_area_m2": 70, "floor_area_source": "gemeten", "storeys": 1, "lodging": False},
                   photos=[], manual_findings=[])
    few["fire_safety"]["storeys_with_smoke_detector"] = [0]
    push(world, few)
    text = pdf_text(rapport_pdf(world, few["id"], versie="verhuurder"))
    assert "OVERBEWONING" not in text and "BEZETTING_SLAAPKAMER" not in text
    for gone in ("Aanwezig tijdens het bezoek", "Opgegeven door de bewoners", "Personen", "per bewoner"):
        assert gone not in text, f"{gone}: no finding needs the counts"
    assert "Aanwezig tijdens het bezoek" in pdf_text(rapport_pdf(world, few["id"]))


def test_a_correction_gets_its_own_rapport_naming_the_one_it_corrects(world: World) -> None:
    original = push(world, evidence(world))
    kenmerk = documents_of(world, original["id"])[0]["kenmerk"]
    correction = push(world, evidence(world, corrects=original["id"]))
    own = documents_of(world, correction["id"])
    assert len(own) == 1 and own[0]["kenmerk"] != kenmerk
    text = pdf_text(rapport_pdf(world, correction["id"]))
    assert f"Dit rapport corrigeert rapport {kenmerk} van de inspectie van 18 november 2026" in text
    assert f"Corrigeert {kenmerk}" in text
    info = world.api.get(f"/api/v1/inspections/{original['id']}/rapport/info", as_="teamleider").json
    assert info["corrected_by"] == [own[0]["kenmerk"]] and info["corrects"] is None
    assert world.api.get(f"/api/v1/inspections/{correction['id']}/rapport/info").json["corrects"] == kenmerk


def test_reading_the_rapport_follows_who_may_read_the_inspection(world: World) -> None:
    inspection = push(world, evidence(world))
    assert world.api.get(f"/api/v1/inspections/{inspection['id']}/rapport", as_="handhaver2").status_code == 404
    other = world.api.get(f"/api/v1/inspections/{inspection['id']}/rapport", as_=None,
                          headers=world.other_device.headers)
    assert other.status_code == 403, "a tablet reads only its own user's rapporten"
    info = world.api.get(f"/api/v1/inspections/{inspection['id']}/rapport/info", as_=None,
                         headers=world.device.headers)
    assert info.status_code == 200 and info.json["status"] == "concept" and info.json["can_sign"] is True
    assert info.json["toezichthouder"] == "Jan de Vries" and info.json["landlord_version"] is None
    lead = world.api.get(f"/api/v1/inspections/{inspection['id']}/rapport/info", as_="teamleider").json
    assert lead["can_sign"] is False
    assert world.api.get(f"/api/v1/inspections/{inspection['id']}/rapport?versie=huurder").status_code == 422
    draft = push(world, evidence(world, status="draft", finished_at=None))
    waiting = world.api.get(f"/api/v1/inspections/{draft['id']}/rapport", as_="handhaver")
    assert waiting.status_code == 409 and "nog niet ingediend" in waiting.json["message"]
    with world.app.app_context():
        denied = rows(get_db(), "SELECT action FROM audit_log WHERE record_id = ? AND action = 'read_denied'",
                      [inspection["id"]])
    assert denied, "a refused read is audited"


def test_a_rapport_is_never_dated_before_the_visit(world: World) -> None:
    import datetime as dt

    from server.documents import Settings
    from server.rapport import RapportError
    from server.rapport_signing import sign as sign_rapport
    inspection = push(world, evidence(world))
    with world.app.app_context():
        with pytest.raises(RapportError, match="vóór het bezoek van 18 november 2026") as refused:
            sign_rapport(get_db(), Settings(world.app.config), inspection["id"], world.api.users["handhaver"],
                         today=dt.date(2026, 11, 17))
        assert refused.value.status == 409
        done = sign_rapport(get_db(), Settings(world.app.config), inspection["id"], world.api.users["handhaver"],
                            today=dt.date(2026, 11, 18))
    assert done["letter_date"] == VISIT, "the day of the visit itself is fine"


def test_an_inspection_submitted_before_rapporten_were_drafted_gets_its_concept_when_read(world: World) -> None:
    from tests.test_api_assignments_inspections import store_inspection
    old = evidence(world)
    store_inspection(world.app, old, world.api.users["handhaver"]["id"])
    assert documents_of(world, old["id"]) == []
    info = world.api.get(f"/api/v1/inspections/{old['id']}/rapport/info", as_="handhaver").json
    assert info["status"] == "concept" and info["kenmerk"].startswith("RB-2026-")
    assert len(documents_of(world, old["id"])) == 1


def test_a_case_rapport_of_the_previous_release_is_left_as_it_is(world: World) -> None:
    from server.rapport import rapport_of
    inspection = push(world, evidence(world))
    with world.app.app_context():
        db = get_db()
        db.execute("INSERT INTO documents (id, case_id, inspection_id, kind, status, letter_date, data, created_at, "
                   "kenmerk, sha256) VALUES (?, 'oude-zaak', ?, 'rapport', 'approved', '2026-11-20', ?, "
                   "'2026-11-20T10:00:00+00:00', 'HH-2026-0001-01', ?)",
                   [str(uuid.uuid4()), inspection["id"], json.dumps({"params": {"inspection_id": inspection["id"]}}),
                    "0" * 64])
        db.conn.commit()
        own = rapport_of(db, inspection["id"])
        assert own is not None and own["case_id"] is None and own["kenmerk"].startswith("RB-")
    assert sign(world, inspection["id"]).status_code == 200
    with world.app.app_context():
        old = rows(get_db(), "SELECT * FROM documents WHERE kenmerk = 'HH-2026-0001-01'")
    assert old[0]["status"] == "approved" and old[0]["sha256"] == "0" * 64, "untouched"
