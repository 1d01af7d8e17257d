"""Steps of a case: the table's steps with what each needs and does (server/case_flow.py says which are
allowed when), hercontroles per last, the hercontrole's findings deciding a last, and earlier boetes.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlite_utils import Database

from schemas.judge import inspection_date
from server import store
from server.case_flow import (
    CASE_STEPS,
    FINAL_LAST,
    FINAL_TRACK,
    STEPS,
    TRACKS,
    IllegalStep,
    all_final,
    check_step,
    last_state,
    lasten_of,
    track_state,
)
from server.cases import CaseError, add_event, get_case, save
from server.db import rows, write
from server.evaluation import stored_evaluation

NEEDS_REASON = ("lod_ingetrokken", "last_ingetrokken", "wgv_ingetrokken", "ingetrokken")


def working_day_after(day: dt.date) -> dt.date:
    """Return the first day after `day` that is not a Saturday, Sunday or Atw feestdag (a hercontrole's day)."""
    from server.terms import non_working_reason
    nxt = day + dt.timedelta(days=1)
    while non_working_reason(nxt) is not None:
        nxt += dt.timedelta(days=1)
    return nxt


def hercontrole_day(end: dt.date, today: dt.date) -> dt.date:
    """Return a hercontrole's day: the first working day after the term, or from today when that has passed."""
    return max(working_day_after(end), working_day_after(today - dt.timedelta(days=1)))


def step(db: Database, case_id: str, user: dict[str, Any], action: str, detail: dict[str, Any] | None = None, *,
         code: str | None = None, document_id: str | None = None, today: dt.date | None = None,
         effective_on: dt.date | None = None) -> dict[str, Any]:
    """Take a step (on a track, one of its lasten, or the case); raise CaseError 409 when not allowed now."""
    today = today or dt.date.today()
    detail = dict(detail or {})
    with write(db):
        case = get_case(db, case_id)
        if action in CASE_STEPS:
            return _case_step(db, case, user, action, detail, today)
        name = STEPS.get(action)
        if name is not None and name.letter and document_id is None:
            raise CaseError(409, "Deze stap volgt uit het verzenden van een vastgestelde brief.")
        try:
            spec = check_step(case, action, code)
        except IllegalStep as err:
            raise CaseError(409, str(err)) from None
        if action in NEEDS_REASON and not str(detail.get("reason") or "").strip():
            raise CaseError(422, "Geef een reden.", {"reason": ["Verplicht veld."]})
        effective = _effects(db, case, user, action, code, detail, today) or effective_on or today
        tracks = case.setdefault("tracks", {})
        if spec.per_last:
            last = next(x for x in lasten_of(case, spec.track) if x["code"] == code)
            if spec.target:
                last.setdefault("states", {})[spec.track] = spec.target
            _track_done(case, spec.track)
        elif spec.target:
            tracks.setdefault(spec.track, {})["state"] = spec.target
            if spec.target == "ingetrokken":
                for last in lasten_of(case, spec.track):
                    if last_state(last, spec.track) not in FINAL_LAST:
                        last.setdefault("states", {})[spec.track] = "ingetrokken"
        updated = save(db, case, user)
        label = spec.label + (f" ({code})" if code else "")
        add_event(db, case_id, user["id"], action, label, {k: v for k, v in detail.items() if v is not None} or None,
                  document_id, effective)
    return updated


def _track_done(case: dict[str, Any], track: str) -> None:
    """Finish the lod track once every last of it is done."""
    if track == "lod" and track_state(case, "lod") == "besluit" and all(
            last_state(last, "lod") in FINAL_LAST for last in lasten_of(case, "lod")):
        case["tracks"]["lod"]["state"] = "afgerond"


def _case_step(db: Database, case: dict[str, Any], user: dict[str, Any], action: str, detail: dict[str, Any],
               today: dt.date) -> dict[str, Any]:
    if case["status"] != "open":
        raise CaseError(409, "De zaak is al afgesloten.")
    if action == "afgesloten":
        if not all_final(case):
            raise CaseError(409, "Er lopen nog stappen: sluit de zaak als elk traject en elke last is afgerond.")
        case["result"] = result_of(case)
    else:
        if not str(detail.get("reason") or "").strip():
            raise CaseError(422, "Geef een reden om de zaak in te trekken.", {"reason": ["Verplicht veld."]})
        for track in TRACKS:
            if track_state(case, track) not in ("geen", *FINAL_TRACK):
                case["tracks"][track]["state"] = "ingetrokken"
        case["result"] = "ingetrokken"
    case["status"] = "afgesloten"
    case["closed_on"] = today.isoformat()
    updated = save(db, case, user)
    add_event(db, case["id"], user["id"], action, f"{CASE_STEPS[action]} ({case['result']})", detail or None,
              effective_on=today)
    return updated


def result_of(case: dict[str, Any]) -> str:
    """Return a closed case's result, which decides its retention (Selectielijst 2020, procestype 12)."""
    states = {track_state(case, t) for t in TRACKS}
    if track_state(case, "wgv") in ("besluit_boete", "publicatie", "afgerond") and any(
            last_state(last, "wgv") in ("beboet", "betaald") for last in lasten_of(case, "wgv")):
        return "bestuurlijke_boete"
    if states & {"besluit", "afgerond"} or track_state(case, "wgv") != "geen":
        return "handhaving_uitgevoerd"
    return "toezicht_uitgevoerd"


def _effects(db: Database, case: dict[str, Any], user: dict[str, Any], action: str, code: str | None,
             detail: dict[str, Any], today: dt.date) -> dt.date | None:
    """Do what a step does beyond its state; return when it took legal effect when that is not today."""
    tracks = case.setdefault("tracks", {})
    if action in ("zienswijze_ontvangen", "boete_zienswijze_ontvangen"):
        received = dt.date.fromisoformat(str(detail.get("received_on") or today.isoformat()))
        if received > today:
            raise CaseError(422, "De ontvangstdatum ligt in de toekomst.", {"received_on": ["Ligt in de toekomst."]})
        if not (str(detail.get("text") or "").strip() or detail.get("file_sha256")):
            raise CaseError(422, "Leg de zienswijze vast: de tekst (of een samenvatting van wat mondeling is gezegd) "
                                 "of "
                                 "het ontvangen bestand.", {"text": ["Verplicht als er geen bestand is."]})
        track = "lod" if action == "zienswijze_ontvangen" else "wgv"
        tracks[track]["zienswijze"] = {"received_on": received.isoformat(), "text": detail.get("text"),
                                       "file_sha256": detail.get("file_sha256"), "how": detail.get("how")}
        return received
    if action == "zienswijzetermijn_verstreken":
        end = tracks["lod"].get("zienswijze_end")
        if not end or today <= dt.date.fromisoformat(end):
            raise CaseError(409, "De zienswijzetermijn loopt nog.")
        return dt.date.fromisoformat(end) + dt.timedelta(days=1)
    if action == "hercontrole_gepland":
        last = _last(case, "lod", code)
        end = (last.get("term") or {}).get("end")
        if not end:
            raise CaseError(409, "Deze last heeft geen begunstigingstermijn.")
        due = hercontrole_day(dt.date.fromisoformat(end), today)
        last["hercontrole"] = _plan(db, case, user, detail, due, [str(code)])
        return None
    if action == "wgv_hercontrole_gepland":
        ends = [(last.get("wgv") or {}).get("herstel_end") for last in lasten_of(case, "wgv")]
        known = [dt.date.fromisoformat(e) for e in ends if e]
        if not known:
            raise CaseError(409, "De waarschuwing noemt geen hersteltermijn.")
        due = hercontrole_day(max(known), today)
        tracks["wgv"]["hercontrole"] = _plan(db, case, user, detail, due,
                                             [last["code"] for last in lasten_of(case, "wgv")])
        return None
    if action in ("verbeurd", "wgv_nog_aanwezig"):
        track = "lod" if action == "verbeurd" else "wgv"
        last = _last(case, track, code)
        end = (last.get("term") or {}).get("end") if track == "lod" else (last.get("wgv") or {}).get("herstel_end")
        inspection = _later_finding(db, case, str(code), end, detail.get("inspection_id"))
        seen = inspection_date(inspection)
        if track == "lod":
            last["forfeited"] = {"first_on": (dt.date.fromisoformat(str(end)) + dt.timedelta(days=1)).isoformat(),
                                 "found_on": seen.isoformat(), "inspection_id": inspection["id"]}
        else:
            last.setdefault("wgv", {})["found_again"] = {"on": seen.isoformat(), "inspection_id": inspection["id"]}
        return seen
    if action in ("hersteld", "wgv_hersteld"):
        last = _last(case, "lod" if action == "hersteld" else "wgv", code)
        seen_on = None
        if detail.get("inspection_id"):
            inspection = _inspection_without(db, case, str(code), detail["inspection_id"])
            seen_on = inspection_date(inspection)
        elif not str(detail.get("reason") or "").strip():
            raise CaseError(422, "Noem de hercontrole die het herstel vaststelde, of geef een reden.",
                            {"inspection_id": ["Verplicht zonder reden."]})
        last["hersteld"] = {"on": (seen_on or today).isoformat(), "inspection_id": detail.get("inspection_id"),
                            "reason": detail.get("reason")}
        return seen_on
    if action in ("dwangsom_betaald", "boete_betaald"):
        paid = dt.date.fromisoformat(str(detail.get("paid_on") or today.isoformat()))
        if paid > today:
            raise CaseError(422, "De betaaldatum ligt in de toekomst.", {"paid_on": ["Ligt in de toekomst."]})
        if action == "boete_betaald":
            for last in lasten_of(case, "wgv"):
                if last_state(last, "wgv") == "beboet":
                    last["states"]["wgv"] = "betaald"
        return paid
    return None


def _last(case: dict[str, Any], track: str, code: str | None) -> dict[str, Any]:
    return next(x for x in lasten_of(case, track) if x["code"] == code)


def _plan(db: Database, case: dict[str, Any], user: dict[str, Any], detail: dict[str, Any], due: dt.date,
          codes: list[str]) -> dict[str, Any]:
    """Plan a hercontrole assignment at the case's address for its toezichthouder (or the one named)."""
    wanted = detail.get("inspector_id") or _case_inspector(db, case)
    inspector = rows(db, "SELECT id, role FROM users WHERE (id = ? OR name = ?) AND disabled_at IS NULL",
                     [wanted, wanted]) if wanted else []
    if not inspector or inspector[0]["role"] != "handhaver":
        raise CaseError(422, "Kies de handhaver die de hercontrole doet.", {"inspector_id": ["Geen handhaver."]})
    # One visit checks every last due that day: a second last joins the open hercontrole already planned for
    # it, so the handhaver gets one assignment, not one per last (which would leave the others open and late).
    for planned in store.select(db, "assignment", "address_id = ? AND inspector_id = ? AND status = 'open' AND due = ?",
                                [case["address_id"], inspector[0]["id"], due.isoformat()]):
        if planned.get("case_id") == case["id"] and planned.get("kind") == "hercontrole":
            instructions = _instructions(case, sorted({*_codes_planned(case, planned["id"]), *codes}))
            if instructions != planned.get("instructions"):
                store.put(db, "assignment", {k: v for k, v in planned.items() if k != "version"} | {
                    "instructions": instructions}, actor=user["id"])
            return {"due": due.isoformat(), "assignment_id": planned["id"], "inspector_id": inspector[0]["id"],
                    "codes": codes}
    assignment = store.put(db, "assignment", {
        "id": str(uuid.uuid4()), "address_id": case["address_id"], "inspector_id": inspector[0]["id"],
        "week": None, "due": due.isoformat(), "kind": "hercontrole", "status": "open",
        "instructions": _instructions(case, codes), "case_id": case["id"]}, actor=user["id"])
    return {"due": due.isoformat(), "assignment_id": assignment["id"], "inspector_id": inspector[0]["id"],
            "codes": codes}


def _instructions(case: dict[str, Any], codes: list[str]) -> str:
    return f"Hercontrole zaak {case['number']}: {', '.join(codes)}. Stel per overtreding vast of die nog bestaat."


def _codes_planned(case: dict[str, Any], assignment_id: str) -> list[str]:
    """Return the codes of the case whose hercontrole is this assignment (per last, or the wgv track's)."""
    codes = [last["code"] for last in case.get("lasten") or []
             if (last.get("hercontrole") or {}).get("assignment_id") == assignment_id]
    wgv = ((case.get("tracks") or {}).get("wgv") or {}).get("hercontrole") or {}
    return codes + (list(wgv.get("codes") or []) if wgv.get("assignment_id") == assignment_id else [])


def _case_inspector(db: Database, case: dict[str, Any]) -> str | None:
    if not case.get("inspection_id"):
        return None
    inspection = store.get(db, "inspection", case["inspection_id"])
    return inspection.get("inspector_id") if inspection else None


def _submitted_at_address(db: Database, case: dict[str, Any], inspection_id: str) -> dict[str, Any]:
    inspection = store.get(db, "inspection", str(inspection_id))
    if inspection is None or inspection["address_id"] != case["address_id"] or inspection["status"] != "submitted":
        raise CaseError(422, "Noem een ingediende inspectie op het adres van de zaak.",
                        {"inspection_id": ["Onbekende inspectie voor deze zaak."]})
    return inspection


def _later_finding(db: Database, case: dict[str, Any], code: str, end: str | None,
                   inspection_id: Any) -> dict[str, Any]:
    """Return the hercontrole after the term that found the violation again (a new finding, not the old visit)."""
    if not end:
        raise CaseError(409, "Deze overtreding heeft geen termijn om na te controleren.")
    if not inspection_id:
        raise CaseError(422, "Noem de hercontrole die de overtreding na de termijn opnieuw vaststelde.",
                        {"inspection_id": ["Verplicht veld."]})
    inspection = _submitted_at_address(db, case, inspection_id)
    if inspection_date(inspection) <= dt.date.fromisoformat(end):
        raise CaseError(409, f"Deze inspectie was op of vóór het einde van de termijn ({end}); alleen een hercontrole "
                             "daarna kan vaststellen dat de overtreding er nog is.")
    findings = (stored_evaluation(db, inspection["id"]) or {}).get("findings") or []
    if not any(f["code"] == code for f in findings):
        raise CaseError(409, f"Deze hercontrole stelde {code} niet opnieuw vast.")
    return inspection


def _inspection_without(db: Database, case: dict[str, Any], code: str, inspection_id: Any) -> dict[str, Any]:
    """Return a hercontrole at which the rule was judged and not violated."""
    inspection = _submitted_at_address(db, case, inspection_id)
    evaluation = stored_evaluation(db, inspection["id"]) or {}
    if any(f["code"] == code for f in evaluation.get("findings") or []):
        raise CaseError(409, f"Deze inspectie stelde {code} juist opnieuw vast.")
    if any(n["code"] == code for n in evaluation.get("not_assessed") or []) or inspection.get("access") != "granted":
        raise CaseError(409, f"Deze inspectie beoordeelde {code} niet; herstel is dan niet vastgesteld.")
    return inspection


def hercontrole_submitted(db: Database, inspection: dict[str, Any], assignment: dict[str, Any],
                          actor: dict[str, Any]) -> list[str]:
    """Decide the lasten a submitted hercontrole looked at (inside the push's transaction); return the steps taken.

    A last whose rule the hercontrole found again, after its term, is verbeurd (lod) or nog_aanwezig (wgv);
    one it judged and did not find is hersteld; one it could not judge stays as it was, for the team lead.
    """
    case_id = assignment.get("case_id")
    if not case_id or assignment.get("kind") != "hercontrole":
        return []
    case = store.get(db, "case", case_id)
    if case is None or case["status"] != "open":
        return []
    evaluation = stored_evaluation(db, inspection["id"]) or {}
    found = {f["code"] for f in evaluation.get("findings") or []}
    judged = found | {code for code in (last["code"] for last in case.get("lasten") or [])
                      if code not in {n["code"] for n in evaluation.get("not_assessed") or []}}
    seen = inspection_date(inspection)
    taken = []
    for track, gone, again in (("lod", "hersteld", "verbeurd"), ("wgv", "wgv_hersteld", "wgv_nog_aanwezig")):
        for last in lasten_of(case, track):
            if inspection.get("access") != "granted" or last["code"] not in judged:
                continue
            end = (last.get("term") or {}).get("end") if track == "lod" else (last.get("wgv") or {}).get("herstel_end")
            if not end or seen <= dt.date.fromisoformat(end):
                continue
            action = again if last["code"] in found else gone
            try:
                check_step(case, action, last["code"])
            except IllegalStep:
                continue
            step(db, case_id, actor, action, {"inspection_id": inspection["id"]}, code=last["code"], today=seen)
            case = get_case(db, case_id)
            taken.append(f"{action}:{last['code']}")
    return taken


# --- earlier boetes ------------------------------------------------------------------------------

def add_boete(db: Database, user: dict[str, Any] | None, *, party_id: str | None, code: str, imposed_on: dt.date,
              kenmerk: str, irrevocable_on: dt.date | None, amount: str | None, source: str,
              case_id: str | None = None, document_id: str | None = None) -> dict[str, Any]:
    """Record a boete: one this system imposed, or an earlier one entered by hand (before the system).

    Refused (CaseError 422) for a party that is not known.
    """
    from server import parties
    if party_id and parties.get_party(db, party_id) is None:
        raise CaseError(422, "Een of meer velden zijn ongeldig.", {"party_id": ["Onbekende partij."]})
    row = {"id": str(uuid.uuid4()), "party_id": party_id, "code": code, "imposed_on": imposed_on.isoformat(),
           "kenmerk": kenmerk, "irrevocable_on": irrevocable_on.isoformat() if irrevocable_on else None,
           "amount": amount, "case_id": case_id, "document_id": document_id, "source": source,
           "created_at": store.now(), "created_by": user["id"] if user else None}
    with write(db):
        db.table("boetes").insert(row)
    return row


def earlier_boete(db: Database, party_id: str | None, code: str, constatering: dt.date, *,
                  require_irrevocable: bool) -> dict[str, Any] | None:
    """Return an earlier boete for the same violation of the same overtreder within four years before the new
    constatering (what the repeat maximum needs), or None. Whether it must have become irrevocable is a setting:
    the Wgv's own text of art. 19 was not read (see the README)."""
    if not party_id:
        return None
    leap_day = constatering.month == 2 and constatering.day == 29
    since = constatering.replace(year=constatering.year - 4, day=28 if leap_day else constatering.day)
    found = rows(db, "SELECT * FROM boetes WHERE party_id = ? AND code = ? AND imposed_on >= ? AND imposed_on < ? "
                     "ORDER BY imposed_on DESC", [party_id, code, since.isoformat(), constatering.isoformat()])
    for boete in found:
        if not require_irrevocable:
            return boete
        if boete["irrevocable_on"] and boete["irrevocable_on"] <= constatering.isoformat():
            return boete
    return None
