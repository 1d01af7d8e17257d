"""Handhavingszaken: opened from an inspection or a melding, one last per violated rule code, assessed per
last on the LHS matrix. The steps live in server/case_steps.py, the state tables in server/case_flow.py.
Every step is a timeline event; every change a new version in history.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import uuid
from typing import Any

from sqlite_utils import Database

from schemas.judge import inspection_date
from server import legal_basis, store
from server.case_flow import CASE_STATES, LAST_STATES, TRACK_STATES, TRACKS, impact_of, load_matrix, suggest
from server.db import rows, write
from server.evaluation import stored_evaluation
from server.settings import config_file

WGV_REGIMES = ("wgv", "wgv_vergunning")
OVERTREDER_ROLES = ("verhuurder", "eigenaar", "beheerder", "verhuurbemiddelaar", "werkgever", "uitzendbureau")


class CaseError(Exception):
    """A case request that cannot be honoured; carries the HTTP status and a Dutch message."""

    def __init__(self, status: int, message: str, errors: Any = None, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.message, self.errors, self.extra = status, message, errors, extra


def load_letters(path: str | None = None) -> dict[str, Any]:
    """Return the letter defaults: remedies per code, dwangsom, the dated boete maxima."""
    return config_file(path or None, "letters.json")


def _next_number(db: Database, year: int) -> str:
    found = rows(db, "SELECT last FROM case_numbers WHERE year = ?", [year])
    last = (found[0]["last"] if found else 0) + 1
    db.execute("INSERT INTO case_numbers (year, last) VALUES (?, ?) ON CONFLICT(year) DO UPDATE SET last = ?",
               [year, last, last])
    return f"HH-{year}-{last:04d}"


def add_event(db: Database, case_id: str, user_id: str | None, action: str, label: str,
              detail: dict[str, Any] | None = None, document_id: str | None = None,
              effective_on: dt.date | str | None = None) -> None:
    """Add a step to a case's timeline: when it was recorded (now) and, where it differs, when it took effect."""
    effective = effective_on.isoformat() if isinstance(effective_on, dt.date) else effective_on
    db.table("case_events").insert({"case_id": case_id, "at": store.now(), "user_id": user_id, "action": action,
                                    "label": label, "document_id": document_id, "effective_on": effective,
                                    "detail": json.dumps(detail, ensure_ascii=False) if detail else None})


def timeline(db: Database, case_id: str) -> list[dict[str, Any]]:
    """Return a case's steps, oldest first, with the full name (else login name) of who took them."""
    events = rows(db, "SELECT e.*, coalesce(u.full_name, u.name) AS user_name FROM case_events e "
                      "LEFT JOIN users u ON u.id = e.user_id WHERE e.case_id = ? ORDER BY e.id", [case_id])
    for e in events:
        e["detail"] = json.loads(e["detail"]) if e["detail"] else None
    return events


def _rooms(inspection: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in inspection.get("rooms") or []}


def room_label(room: dict[str, Any] | None, room_id: str | None) -> str:
    """Return how a letter names a room: its name, else its kind and id."""
    if room is None:
        return f"ruimte {room_id}" if room_id else "de woning"
    kinds = {"bedroom": "slaapkamer", "living": "woonkamer", "kitchen": "keuken", "bathroom": "badkamer",
             "toilet": "toilet", "verkeersruimte": "gang, trap of overloop", "other": "ruimte"}
    name = room.get("name") or f"{kinds.get(room.get('kind', ''), 'ruimte')} {room['id']}"
    return name[:1].upper() + name[1:]


def _storey(storey: int) -> str:
    return "de begane grond" if storey == 0 else f"verdieping {storey}"


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " en " + parts[-1]


def herstelmaatregel(code: str, findings: list[dict[str, Any]], inspection: dict[str, Any] | None,
                     address: dict[str, Any], fallback: str | None) -> str:
    """Return the concrete remedy for a last, built from its findings (the rooms and numbers they name)."""
    rooms = _rooms(inspection or {})
    where = [room_label(rooms.get(f.get("room_id") or ""), f.get("room_id")) for f in findings if f.get("room_id")]
    norm = findings[0].get("norm") if findings else None
    if code == "BEZETTING_SLAAPKAMER" and where:
        parts = [f"{label} terug tot ten hoogste {_n(f.get('norm'))}" for label, f in
                 zip(where, [f for f in findings if f.get("room_id")], strict=True)]
        return f"Breng het aantal personen dat slaapt in {' en in '.join(parts)}, en houd dat zo."
    if code == "OPPERVLAKTE_SLAAPKAMER" and where:
        parts = []
        for f in (f for f in findings if f.get("room_id")):
            room = rooms.get(f["room_id"]) or {}
            most = math.floor(float(room.get("area_m2") or 0) / float(f.get("norm") or 1)) if room else None
            label = room_label(room or None, f["room_id"])
            parts.append(f"{label} ten hoogste {most} {'persoon' if most == 1 else 'personen'}" if most is not None
                         else label)
        return (f"Laat niet meer personen slapen dan de oppervlakte toelaat (ten minste {_n(norm)} m² per persoon): "
                f"{_join(parts)}.")
    if code in ("OVERBEWONING", "OVERBEWONING_LOGIES") and norm:
        area = (inspection or {}).get("dwelling", {}).get("floor_area_m2") or address.get("floor_area_m2")
        if area:
            most = math.floor(float(area) / float(norm))
            return (f"Breng het aantal bewoners terug tot ten hoogste {most} ({_n(area)} m² gebruiksoppervlakte, "
                    f"ten minste {_n(norm)} m² per persoon) en houd dat zo.")
    if code == "MAX_BEWONERS" and norm is not None:
        return f"Breng het aantal bewoners terug tot ten hoogste {_n(norm)} en houd dat zo."
    if code == "ROOKMELDER":
        places = where + [_storey(f["storey"]) for f in findings
                          if f.get("storey") is not None and not f.get("room_id")]
        if places:
            return (f"Plaats een werkende rookmelder die voldoet aan NEN-EN 14604 op {_join(places)}, en houd die "
                    "werkend.")
    if code in ("SANITAIR_TOILET", "SANITAIR_DOUCHE", "KOOKGELEGENHEID") and norm is not None:
        noun = {"SANITAIR_TOILET": "toiletten", "SANITAIR_DOUCHE": "douches", "KOOKGELEGENHEID": "kookpitten"}[code]
        return f"Zorg voor ten minste {_n(norm)} {noun}, of breng het aantal bewoners terug, en houd dat zo."
    return fallback or f"Beëindig de overtreding: {findings[0]['title'][:1].lower()}{findings[0]['title'][1:]}." \
        if findings else (fallback or "Beëindig de overtreding.")


def _n(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace(".", ",") if value is not None else "-"


def lasten_from(findings: list[dict[str, Any]], inspection: dict[str, Any] | None, address: dict[str, Any],
                on: dt.date, letters: dict[str, Any], terms_config: dict[str, Any]
                ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return (lasten, signalen): one last per violated rule code with a voorschrift; the rest are signals."""
    annotated = legal_basis.annotate([f for f in findings if int(f["impact"]) >= 1], on)
    lasten: dict[str, dict[str, Any]] = {}
    signalen = []
    days = terms_config["begunstigingstermijn_days"]
    for finding in annotated:
        if not finding["enforceable"]:
            signalen.append(finding)
            continue
        last = lasten.setdefault(finding["code"], {
            "code": finding["code"], "title": finding["title"], "impact": int(finding["impact"]),
            "regime": finding["regime"], "voorschriften": finding["voorschriften"],
            "toetsingskader": finding.get("toetsingskader"), "findings": [],
            "tracks": ["lod"] + (["wgv"] if finding["regime"] in WGV_REGIMES else []),
            "states": {"lod": "open", **({"wgv": "open"} if finding["regime"] in WGV_REGIMES else {})},
            "begunstigingstermijn_days": int(days.get(finding["code"], days["default"])),
            "dwangsom": dict(letters["dwangsom"]), "assessment": None})
        last["findings"].append({k: v for k, v in finding.items() if k not in ("voorschriften", "enforceable")})
    for last in lasten.values():
        last["herstelmaatregel"] = herstelmaatregel(last["code"], last["findings"], inspection, address,
                                                    letters["remedies"].get(last["code"]))
    return list(lasten.values()), signalen


def open_case(db: Database, user: dict[str, Any], *, inspection_id: str | None = None,
              address_id: str | None = None, melding: str | None = None, today: dt.date | None = None,
              letters: dict[str, Any] | None = None, terms_config: dict[str, Any] | None = None) -> dict[str, Any]:
    """Open a case from a submitted inspection (its violations of a voorschrift become lasten) or from a melding."""
    from server import parties, terms
    today = today or dt.date.today()
    letters = letters or load_letters()
    terms_config = terms_config or terms.load_terms()
    lasten: list[dict[str, Any]] = []
    signalen: list[dict[str, Any]] = []
    with write(db):
        if inspection_id:
            inspection = store.get(db, "inspection", inspection_id)
            if inspection is None:
                raise CaseError(422, "Onbekende inspectie.", {"inspection_id": ["Onbekende inspectie."]})
            if inspection["status"] != "submitted":
                raise CaseError(409, "Alleen een ingediende inspectie kan een zaak openen.")
            if rows(db, "SELECT 1 FROM cases WHERE json_extract(data, '$.inspection_id') = ? AND status = 'open'",
                    [inspection_id]):
                raise CaseError(409, "Er loopt al een zaak voor deze inspectie.")
            address = store.get(db, "address", inspection["address_id"], include_deleted=True) or {}
            evaluation = stored_evaluation(db, inspection_id) or {"findings": []}
            lasten, signalen = lasten_from(evaluation["findings"], inspection, address, inspection_date(inspection),
                                           letters, terms_config)
            if not lasten:
                raise CaseError(409, "Deze inspectie heeft geen overtreding van een bindend voorschrift; de signalen "
                                     "en "
                                     "adviezen staan in het rapport. Open zo nodig een zaak vanuit een melding.")
            address_id = inspection["address_id"]
        elif not (address_id and melding and melding.strip()):
            raise CaseError(422, "Open een zaak vanuit een inspectie of een melding met adres.",
                            {"melding": ["Vul de melding en het adres in."]})
        if store.get(db, "address", str(address_id)) is None:
            raise CaseError(422, "Onbekend adres.", {"address_id": ["Onbekend adres."]})
        landlord = parties.parties_at(db, str(address_id), "verhuurder", today)
        impact = impact_of(lasten)
        record = {
            "id": str(uuid.uuid4()), "number": _next_number(db, today.year), "address_id": address_id,
            "inspection_id": inspection_id, "melding": melding, "status": "open", "result": None,
            "lasten": lasten, "signalen": signalen, "violations": [f for last in lasten for f in last["findings"]],
            "overtreders": [{"party_id": p["id"], "name": p["name"], "role": "verhuurder", "reason": None}
                            for p in landlord[:1]],
            "impact": {"class": impact, "from_findings": impact}, "tracks": {}, "terms": {},
            "opened_on": today.isoformat(), "opened_by": user["id"],
        }
        case = store.put(db, "case", _jsonable(record), actor=user["id"], expected_version=0)
        add_event(db, case["id"], user["id"], "geopend",
                  f"Zaak {case['number']} geopend" + (" vanuit inspectie" if inspection_id else " vanuit melding"),
                  {"lasten": [x["code"] for x in lasten], "signalen": sorted({s["code"] for s in signalen})},
                  effective_on=today)
    return case


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def get_case(db: Database, case_id: str) -> dict[str, Any]:
    """Return a case or raise CaseError 404."""
    case = store.get(db, "case", case_id)
    if case is None:
        raise CaseError(404, "Zaak niet gevonden.")
    return upgraded(case)


# The states of a case made by the release before lasten and tracks, and where they stand now.
_OLD_STATES = {"waarschuwing": ("wgv", "waarschuwing"), "voornemen": ("lod", "voornemen"),
               "besluit": ("lod", "besluit"), "hercontrole": ("lod", "besluit"), "verbeurd": ("lod", "besluit"),
               "invordering": ("lod", "besluit")}


def upgraded(case: dict[str, Any]) -> dict[str, Any]:
    """Return a case in today's form: one made before lasten and tracks gets them from its violations and state.

    Its stored versions stay as they were (history); the next change stores the new form.
    """
    if "lasten" in case:
        return case
    from server import terms
    on = dt.date.fromisoformat(case.get("opened_on") or dt.date.today().isoformat())
    lasten, signalen = lasten_from(case.get("violations") or [], None, {}, on, load_letters(), terms.load_terms())
    old = case.get("status") or "open"
    track = _OLD_STATES.get(old)
    tracks = {track[0]: {"state": track[1]}} if track else {}
    closed = old == "gesloten"
    return {**case, "lasten": lasten, "signalen": signalen, "overtreders": case.get("overtreders") or [],
            "tracks": tracks, "status": "afgesloten" if closed else "open",
            "result": case.get("outcome") if closed else None}


def save(db: Database, case: dict[str, Any], user: dict[str, Any]) -> dict[str, Any]:
    """Store a changed case as its next version (inside the caller's transaction)."""
    return store.put(db, "case", _jsonable(case), actor=user["id"], expected_version=case["version"])


def set_overtreders(db: Database, case_id: str, user: dict[str, Any], overtreders: list[dict[str, Any]]
                    ) -> dict[str, Any]:
    """Record whom the case is against and why each is the overtreder (a party with a role and a reason)."""
    from server import parties
    with write(db):
        case = get_case(db, case_id)
        if case["status"] != "open":
            raise CaseError(409, "Een afgesloten zaak verandert niet meer.")
        errors: dict[str, Any] = {}
        out = []
        for i, item in enumerate(overtreders):
            party = parties.get_party(db, item["party_id"])
            if party is None:
                errors[str(i)] = {"party_id": ["Onbekende partij."]}
                continue
            out.append({"party_id": party["id"], "name": party["name"], "role": item["role"],
                        "reason": item["reason"].strip()})
        if errors:
            raise CaseError(422, "Een of meer partijen zijn onbekend.", {"overtreders": errors})
        case["overtreders"] = out
        updated = save(db, case, user)
        add_event(db, case_id, user["id"], "overtreders", "Overtreder(s) vastgelegd: "
                  + "; ".join(f"{o['name']} ({o['role']})" for o in out), {"overtreders": out})
    return updated


def assess(db: Database, case_id: str, user: dict[str, Any], *, behaviour: str, behaviour_reason: str,
           chosen: str | None = None, chosen_reason: str | None = None, impact: int | None = None,
           impact_reason: str | None = None, codes: list[str] | None = None, matrix_path: str | None = None
           ) -> dict[str, Any]:
    """Record the LHS assessment of the lasten named by `codes` (all when None): per last, its own cell."""
    matrix = load_matrix(matrix_path)
    with write(db):
        case = get_case(db, case_id)
        if case["status"] != "open":
            raise CaseError(409, "Een afgesloten zaak wordt niet meer beoordeeld.")
        lasten = case.get("lasten") or []
        if not lasten:
            raise CaseError(409, "Deze zaak heeft geen lasten om te beoordelen.")
        known = {last["code"] for last in lasten}
        unknown = sorted(set(codes or ()) - known)
        if unknown:
            raise CaseError(422, "Beoordeel alleen lasten van deze zaak.",
                            {"codes": [f"Geen last van deze zaak: {', '.join(unknown)}."]})
        chosen_codes = set(codes or known)
        errors: dict[str, list[str]] = {}
        assessed = []
        for last in lasten:
            if last["code"] not in chosen_codes:
                continue
            klass = impact if impact is not None else last["impact"]
            if klass != last["impact"] and not (impact_reason or "").strip():
                errors["impact_reason"] = ["Geef een reden als u de gevolgenklasse aanpast."]
            suggested = suggest(matrix, klass, behaviour)
            final = chosen or suggested
            if final not in matrix["interventions"]:
                errors["chosen"] = ["Onbekende interventie."]
                continue
            if final != suggested and not (chosen_reason or "").strip():
                errors["chosen_reason"] = ["Geef een reden als u afwijkt van de matrix."]
            last["assessment"] = {
                "impact": klass, "impact_reason": impact_reason if klass != last["impact"] else None,
                "behaviour": behaviour, "behaviour_label": matrix["behaviour"][behaviour],
                "behaviour_reason": behaviour_reason, "suggested": suggested,
                "suggested_label": matrix["interventions"][suggested], "chosen": final,
                "chosen_label": matrix["interventions"][final],
                "chosen_reason": chosen_reason if final != suggested else None,
                "assessed_by": user["id"], "assessed_at": store.now()}
            assessed.append(f"{last['code']}: gevolgen {klass}, gedrag {behaviour}, {matrix['interventions'][final]}")
        if errors:
            raise CaseError(422, "De beoordeling is onvolledig.", errors)
        updated = save(db, case, user)
        add_event(db, case_id, user["id"], "beoordeeld", "LHS-beoordeling: " + "; ".join(assessed),
                  {"codes": sorted(chosen_codes)})
    return updated


RESULTS = {"toezicht_uitgevoerd": "toezicht uitgevoerd, zonder sanctie",
           "handhaving_uitgevoerd": "handhaving uitgevoerd",
           "bestuurlijke_boete": "handhaving uitgevoerd met een bestuurlijke boete",
           "ingetrokken": "ingetrokken"}


def status_label(case: dict[str, Any]) -> str:
    """Return a case's state in Dutch: its tracks' states, or opened/closed."""
    if case["status"] != "open":
        result = case.get("result")
        return CASE_STATES["afgesloten"] + (f" ({RESULTS.get(result, result)})" if result else "")
    parts = [f"{TRACKS[t]}: {TRACK_STATES[t][state]}" for t, state in
             ((t, (case.get("tracks") or {}).get(t, {}).get("state", "geen")) for t in TRACKS) if state != "geen"]
    return "; ".join(parts) or "Geopend"


def case_summary(case: dict[str, Any]) -> dict[str, Any]:
    """Return what a tablet needs of an open case: number, state, lasten with their states and next dates."""
    case = upgraded(case)
    ends = [(last.get("term") or {}).get("end") for last in case.get("lasten") or []]
    dues = [(last.get("hercontrole") or {}).get("due") for last in case.get("lasten") or []] + [
        ((case.get("tracks") or {}).get("wgv") or {}).get("hercontrole", {}).get("due")]
    return {"begunstigingstermijn_end": max([e for e in ends if e], default=None),
            "hercontrole_on": min([d for d in dues if d], default=None),
            "id": case["id"], "number": case["number"], "address_id": case["address_id"],
            "status": case["status"], "status_label": status_label(case),
            "violations": [{"code": last["code"], "title": last["title"],
                            "states": {t: LAST_STATES[t][s] for t, s in (last.get("states") or {}).items()},
                            "term_end": (last.get("term") or {}).get("end"),
                            "hercontrole_on": (last.get("hercontrole") or {}).get("due")}
                           for last in case.get("lasten") or []]}
