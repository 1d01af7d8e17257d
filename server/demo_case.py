"""The demo's enforcement case, from the rapport to the besluit and a Wgv boete, on an injected clock.

Every step is taken on the day it would have happened, counted back from today, so that each term
the letters state has passed honestly by the time the demo starts: the store's clock is set to that
day for the timestamps, and each domain function gets it as `today`. Synthetic data only.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlite_utils import Database

from schemas import assignment_schema, inspection_schema
from server import store
from server.case_steps import step
from server.cases import assess, get_case, open_case, set_overtreders
from server.documents import Settings, approve, make_concept, send
from server.evaluation import app_norm_sets, evaluate_and_store
from server.parties import addressee
from server.rapport import draft
from server.rapport_signing import sign

# Days after the visit on which each step is taken; the visit lies VISIT_AGO days before today.
VISIT_AGO = 130
REASON = ("U bent de verhuurder van de woning: u verhuurt de kamers aan de bewoners, beheert de inrichting en hebt "
          "het in uw macht de overtredingen te beëindigen.")


def _at(day: dt.date) -> Any:
    """Set the store's clock to ten in the morning of a day."""
    return store.clock_at(dt.datetime.combine(day, dt.time(9, 0), tzinfo=dt.UTC))


def _inspection(address: dict[str, Any], inspector: dict[str, Any], day: dt.date, assignment_id: str, *,
                kind: str, fixed_smoke: bool) -> dict[str, Any]:
    """Return a submitted inspection with fire-safety and Wgv violations (the smoke detectors fixed, or not)."""
    started = dt.datetime.combine(day, dt.time(10, 5), tzinfo=dt.UTC)
    return inspection_schema.dump(inspection_schema.load({
        "id": str(uuid.uuid4()), "address_id": address["id"], "assignment_id": assignment_id, "kind": kind,
        "started_at": started.isoformat(), "finished_at": (started + dt.timedelta(minutes=55)).isoformat(),
        "status": "submitted", "access": "granted",
        "entry": {"consent_by": "hoofdbewoner", "legitimation_shown": True, "purpose_stated": True,
                  "machtiging": None},
        "present": [{"role": "toezichthouder", "count": 1, "user_ids": [inspector["id"]]},
                    {"role": "tolk", "count": 1}, {"role": "bewoner", "count": 5}],
        "statements": [{"by_role": "bewoner", "text": "Wij wonen hier met zes; de huur gaat via het uitzendbureau.",
                        "cautie_given": False}],
        "dwelling": {"floor_area_m2": address.get("floor_area_m2") or 95, "floor_area_source": "gemeten",
                     "storeys": 2, "lodging": False},
        "rooms": [
            {"id": "r1", "name": "Woonkamer", "kind": "living", "storey": 0, "area_m2": 24, "beds": 0,
             "occupants": 0, "smoke_detector": True},
            {"id": "r2", "name": "Keuken", "kind": "kitchen", "storey": 0, "area_m2": 9, "beds": 0, "occupants": 0,
             "smoke_detector": None},
            {"id": "r3", "name": "Slaapkamer 1", "kind": "bedroom", "storey": 1, "area_m2": 11, "beds": 2,
             "occupants": 2, "smoke_detector": fixed_smoke},
            {"id": "r4", "name": "Slaapkamer 2", "kind": "bedroom", "storey": 1, "area_m2": 10, "beds": 2,
             "occupants": 2, "smoke_detector": fixed_smoke},
            {"id": "r5", "name": "Overloop", "kind": "verkeersruimte", "storey": 1, "area_m2": 4, "beds": 0,
             "occupants": 0, "smoke_detector": fixed_smoke},
            {"id": "r6", "name": "Slaapkamer 3", "kind": "bedroom", "storey": 1, "area_m2": 9, "beds": 2,
             "occupants": 2, "smoke_detector": fixed_smoke}],
        "occupants": {"present": 5, "reported": 6, "arbeidsmigranten": 6, "languages": {"pl": 4, "ro": 2}},
        "facilities": {"toilets": 1, "showers": 1, "hobs": 4, "washing_machine": True, "lockable_storage": True,
                       "wardrobe_outside_bedroom": False},
        "fire_safety": {"storeys_with_smoke_detector": [0, 1] if fixed_smoke else [0],
                        "smoke_detectors_tested_by": "testknop", "fuel_appliance": False,
                        "extinguisher_near_kitchen": True, "fire_blanket": True, "escape_route_clear": False,
                        "electrical_overload": False},
        "tenancy": {"landlord_stated": "Bloemhof Verhuur B.V.", "lease_start": "2025-09-01",
                    "lease_concluded_on": "2025-08-15", "lease_separate_from_employment": False,
                    "info_in_own_language": True, "info_card_present": True},
        "notes": "Demo: synthetische gegevens. De trap naar de slaapkamers staat vol fietsen en dozen.",
    }))


def _visit(db: Database, address: dict[str, Any], inspector: dict[str, Any], day: dt.date, *, kind: str,
           case_id: str | None, fixed_smoke: bool) -> dict[str, Any]:
    """Plan and do a visit on a day: its assignment (done), the judged inspection, the signed rapport."""
    with _at(day):
        assignment = store.put(db, "assignment", assignment_schema.dump(assignment_schema.load({
            "id": str(uuid.uuid4()), "address_id": address["id"], "inspector_id": inspector["id"], "week": None,
            "due": day.isoformat(), "kind": kind, "status": "done", "case_id": case_id,
            "instructions": "Demo: controle op bewoning en brandveiligheid."})), actor=inspector["id"])
        record = _inspection(address, inspector, day, assignment["id"], kind=kind, fixed_smoke=fixed_smoke)
        record["inspector_id"] = inspector["id"]
        stored = store.put(db, "inspection", record, actor=inspector["id"])
        evaluate_and_store(db, stored, app_norm_sets())
        draft(db, stored)
    return stored


def seed(db: Database, config: dict[str, Any], address: dict[str, Any], lead: dict[str, Any],
         inspector: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """Run the demo case from the visit to a paid boete and an invordering, every letter approved and sent."""
    settings = Settings(config)
    visit = today - dt.timedelta(days=VISIT_AGO)
    sent: list[str] = []

    def on(days: int) -> dt.date:
        return visit + dt.timedelta(days=days)

    def letter(kind: str, day: dt.date, **params: Any) -> dict[str, Any]:
        with _at(day):
            concept = make_concept(db, settings, case["id"], lead, {"kind": kind, "letter_date": day.isoformat(),
                                                                    **params}, today=day)
            approved = approve(db, settings, concept["id"], lead, confirm_unverified=True, today=day)
            sent.append(concept["kenmerk"])
            return send(db, settings, approved["id"], lead, day, method="aangetekend",
                        reference=f"RR{358000000 + len(sent):09d}NL", today=day)

    def take(action: str, day: dt.date, code: str | None = None, **detail: Any) -> None:
        with _at(day):
            step(db, case["id"], lead, action, detail, code=code, today=day)

    first = _visit(db, address, inspector, visit, kind="controle", case_id=None, fixed_smoke=False)
    with _at(on(1)):
        sign(db, settings, first["id"], inspector, today=on(1))
    with _at(on(2)):
        case = open_case(db, lead, inspection_id=first["id"], today=on(2), letters=settings.letters,
                         terms_config=settings.terms)
        party = addressee(db, address["id"], on(2))
        assert party is not None, "the demo address has a verhuurder with a postal address"
        set_overtreders(db, case["id"], lead, [{"party_id": party["id"], "role": "verhuurder", "reason": REASON}])
        assess(db, case["id"], lead, behaviour="B", behaviour_reason="Demo: onverschillig; eerder gewezen op de "
               "regels voor verhuur aan arbeidsmigranten.", chosen=None, chosen_reason=None)
    fire = [x["code"] for x in case["lasten"] if x["code"] in ("ROOKMELDER", "VLUCHTWEG")]
    letter("voornemen_lod", on(3), codes=fire)
    letter("waarschuwing", on(3), codes=["HUURCONTRACT"])
    take("zienswijze_ontvangen", on(10), received_on=on(9).isoformat(), how="schriftelijk",
         text="Demo: de verhuurder schrijft dat de rookmelders zijn besteld en dat de bewoners de fietsen zelf op de "
              "trap zetten.")
    letter("besluit_lod", on(20), weging={"zienswijze": (
        "Dat rookmelders zijn besteld, neemt de overtreding niet weg: zij moeten er hangen en werken. Dat bewoners de "
        "fietsen op de trap zetten, komt voor uw rekening als verhuurder: u kunt een stalling aanwijzen en de "
        "bewoners daarop aanspreken. De zienswijze geeft geen reden af te zien van de last.")})
    take("wgv_hercontrole_gepland", on(55), inspector_id=inspector["id"])
    again = _visit(db, address, inspector, on(62), kind="hercontrole", case_id=case["id"], fixed_smoke=True)
    with _at(on(62)):
        sign(db, settings, again["id"], inspector, today=on(62))
    take("hersteld", on(62), code="ROOKMELDER", inspection_id=again["id"])
    take("verbeurd", on(62), code="VLUCHTWEG", inspection_id=again["id"])
    take("wgv_nog_aanwezig", on(62), code="HUURCONTRACT", inspection_id=again["id"])
    letter("voornemen_boete", on(63), lasten={"HUURCONTRACT": {"boete_amount": "4000"}})
    letter("invordering", on(64))
    letter("besluit_boete", on(80), weging={"evenredigheid": "Demo: de verhuurder heeft na de waarschuwing niets "
                                                              "gedaan; een boete van EUR 4.000 is passend."})
    letter("publicatie", on(81), weging_namen="Demo: de verhuurder is een rechtspersoon; de naam wordt openbaar.")
    take("boete_betaald", on(100), paid_on=on(99).isoformat())
    take("dwangsom_betaald", on(105), code="VLUCHTWEG", paid_on=on(104).isoformat())
    take("afgesloten", on(106))
    with _at(on(106)):
        dossier = make_concept(db, settings, case["id"], lead, {"kind": "dossier", "letter_date": on(106).isoformat()},
                               today=on(106))
        approve(db, settings, dossier["id"], lead, today=on(106))
    return get_case(db, case["id"])
