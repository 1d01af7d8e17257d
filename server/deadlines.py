"""The deadlines job: terms that ended move a case on, and what is late or due soon is flagged.

Every day (DESIGN.md Scheduled jobs): a zienswijze term that ended without a zienswijze makes the
case ready for a besluit; a begunstigingstermijn (or the Wgv hersteltermijn of a warning) that ended
gets a hercontrole on the next working day, for the toezichthouder of the case's inspection (or a
flag saying it waits for a team lead to assign it, when he is gone); hercontroles past their day,
boete decisions near or past the 13 weeks of Awb 5:51, and unpaid forfeited dwangsommen are
flagged for the dashboard. The terms themselves come from the case (the letters wrote them when
they were sent); this module only reads them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from reports.fmt import datum
from server import store
from server.case_flow import last_state, lasten_of, track_state
from server.cases import CaseError, upgraded
from server.db import rows, write
from server.jobs import JobContext, Outcome

# How many days before the 5:51 term ends its coming end is flagged.
BESLISTERMIJN_WARN_DAYS = 14


@dataclass(frozen=True)
class OpenTerm:
    """A term of an open case that ended before today without the step that should follow it."""

    case_id: str
    number: str
    kind: str  # zienswijze | begunstigingstermijn | hersteltermijn | beslistermijn
    code: str  # the last's rule code, or "" for a term of the whole track
    end: dt.date
    follows: str  # the step that should follow, in Dutch

    def as_dict(self) -> dict[str, Any]:
        """Return the term as JSON-ready data."""
        return {"case_id": self.case_id, "number": self.number, "kind": self.kind, "code": self.code,
                "end": self.end.isoformat(), "follows": self.follows}


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(str(value)) if value else None


def ended_terms(case: dict[str, Any], today: dt.date) -> list[OpenTerm]:
    """Return the terms of one case that ended before today while the step after them was not taken."""
    case = upgraded(case)
    if case.get("status") != "open":
        return []
    tracks = case.get("tracks") or {}
    lod, wgv = tracks.get("lod") or {}, tracks.get("wgv") or {}
    out: list[OpenTerm] = []

    def add(kind: str, code: str, end: dt.date | None, follows: str) -> None:
        if end is not None and end < today:
            out.append(OpenTerm(case["id"], case["number"], kind, code, end, follows))

    if track_state(case, "lod") == "voornemen":
        add("zienswijze", "", _date(lod.get("zienswijze_end")), "de zaak gereed voor het besluit")
    if track_state(case, "lod") == "besluit":
        for last in lasten_of(case, "lod"):
            if last_state(last, "lod") == "open" and not last.get("hercontrole"):
                add("begunstigingstermijn", last["code"], _date((last.get("term") or {}).get("end")),
                    "een hercontrole")
    if track_state(case, "wgv") == "waarschuwing" and not wgv.get("hercontrole"):
        ends = [_date((last.get("wgv") or {}).get("herstel_end")) for last in lasten_of(case, "wgv")]
        known = [e for e in ends if e]
        add("hersteltermijn", "", max(known) if known else None, "een hercontrole")
    if track_state(case, "wgv") in ("voornemen_boete", "zienswijze_ontvangen"):
        add("beslistermijn", "", _date(wgv.get("beslistermijn_end")), "het besluit bestuurlijke boete")
    return out


def _open_cases(db: Database) -> list[dict[str, Any]]:
    return [upgraded(c) for c in store.select(db, "case", "status = 'open'", order="number")]


def expired_terms(db: Database, today: dt.date) -> list[dict[str, Any]]:
    """Return every open term that ended before today without the step that should follow (the figures' count)."""
    return [t.as_dict() for case in _open_cases(db) for t in ended_terms(case, today)]


# --- flags for the dashboard -----------------------------------------------------------------------

def _inspector_available(db: Database, user_id: str | None) -> bool:
    if not user_id:
        return False
    found = rows(db, "SELECT role FROM users WHERE id = ? AND disabled_at IS NULL", [user_id])
    return bool(found) and found[0]["role"] == "handhaver"


def _case_inspector(db: Database, case: dict[str, Any]) -> str | None:
    inspection = store.get(db, "inspection", case["inspection_id"]) if case.get("inspection_id") else None
    return inspection.get("inspector_id") if inspection else None


def flags_of(db: Database, case: dict[str, Any], today: dt.date) -> list[dict[str, Any]]:
    """Return what is late or due soon in one open case: {kind, code, due, message} each."""
    out: list[dict[str, Any]] = []
    number = case["number"]
    tracks = case.get("tracks") or {}
    planned = [(last["code"], last["hercontrole"]) for last in case.get("lasten") or [] if last.get("hercontrole")
               and last_state(last, "lod") in ("open", "verbeurd")]
    wgv = tracks.get("wgv") or {}
    if wgv.get("hercontrole") and track_state(case, "wgv") == "hercontrole":
        planned.append(("", wgv["hercontrole"]))
    for code, hercontrole in planned:
        due = _date(hercontrole.get("due"))
        assignment = store.get(db, "assignment", str(hercontrole.get("assignment_id") or ""))
        if due and due < today and assignment is not None and assignment.get("status") == "open":
            out.append({"kind": "hercontrole_te_laat", "code": code, "due": due,
                        "message": f"Zaak {number}: de hercontrole{f' van {code}' if code else ''} was gepland op "
                                   f"{datum(due)} en is nog niet gedaan."})
    for term in ended_terms(case, today):
        if term.kind in ("begunstigingstermijn", "hersteltermijn"):
            which = _term_word(term.kind) + (f" van {term.code}" if term.code else "")
            out.append({"kind": "hercontrole_niet_toegewezen", "code": term.code, "due": term.end,
                        "message": f"Zaak {number}: de {which} eindigde op {datum(term.end)}; de hercontrole wacht op "
                                   "een handhaver (de toezichthouder van de inspectie is niet meer beschikbaar)."})
    if track_state(case, "wgv") in ("voornemen_boete", "zienswijze_ontvangen"):
        end = _date(wgv.get("beslistermijn_end"))
        if end and today > end - dt.timedelta(days=BESLISTERMIJN_WARN_DAYS):
            passed = today > end
            out.append({"kind": "beslistermijn_verstreken" if passed else "beslistermijn_nadert", "code": "",
                        "due": end,
                        "message": f"Zaak {number}: de termijn van artikel 5:51 Awb voor het besluit bestuurlijke "
                                   "boete (13 weken na de dagtekening van het rapport) "
                                   f"{'eindigde' if passed else 'eindigt'} op {datum(end)}; het besluit is nog niet "
                                   "verzonden."})
    for last in lasten_of(case, "lod"):
        invordering = last.get("invordering") or {}
        due = _date(invordering.get("due"))
        if last_state(last, "lod") == "invordering" and due and due < today:
            out.append({"kind": "betaling_te_laat", "code": last["code"], "due": due,
                        "message": f"Zaak {number}: de verbeurde dwangsom voor {last['code']} moest uiterlijk "
                                   f"{datum(due)} betaald zijn en is niet als betaald vastgelegd."})
    return out


def _term_word(kind: str) -> str:
    return {"begunstigingstermijn": "begunstigingstermijn",
            "hersteltermijn": "hersteltermijn van de waarschuwing"}[kind]


def open_flags(db: Database) -> list[dict[str, Any]]:
    """Return the flags raised and not cleared, most urgent (earliest due) first: what the dashboard shows."""
    return rows(db, "SELECT f.*, c.number FROM deadline_flags f LEFT JOIN cases c ON c.id = f.case_id "
                    "WHERE f.cleared_on IS NULL ORDER BY f.due, f.id")


def _store_flags(db: Database, found: list[tuple[str, dict[str, Any]]], today: dt.date) -> tuple[int, int]:
    """Raise new flags and clear the ones no longer true; return (raised, cleared)."""
    current = {(r["case_id"], r["kind"], r["code"]): r for r in
               rows(db, "SELECT * FROM deadline_flags WHERE cleared_on IS NULL")}
    wanted = {(case_id, f["kind"], f["code"]): f for case_id, f in found}
    raised = cleared = 0
    for key, flag in wanted.items():
        due = flag["due"].isoformat() if flag["due"] else None
        if key not in current:
            db.execute("INSERT INTO deadline_flags (case_id, kind, code, due, message, raised_on) VALUES (?, ?, ?, ?, "
                       "?, ?)", [*key, due, flag["message"], today.isoformat()])
            raised += 1
        elif current[key]["message"] != flag["message"] or current[key]["due"] != due:
            db.execute("UPDATE deadline_flags SET message = ?, due = ? WHERE id = ?",
                       [flag["message"], due, current[key]["id"]])
    for key, row in current.items():
        if key not in wanted:
            db.execute("UPDATE deadline_flags SET cleared_on = ? WHERE id = ?", [today.isoformat(), row["id"]])
            cleared += 1
    return raised, cleared


# --- the job -----------------------------------------------------------------------------------------

def watch(db: Database, today: dt.date, actor: str = "job:deadlines") -> dict[str, int]:
    """Take the steps ended terms call for and refresh the flags; return counts. Running it twice changes nothing."""
    from server.case_steps import step

    user = {"id": actor, "role": "systeem", "name": actor}
    counts = {"ready_for_besluit": 0, "hercontroles_planned": 0, "flags_raised": 0, "flags_cleared": 0,
              "flags_open": 0, "cases": 0}
    found: list[tuple[str, dict[str, Any]]] = []
    for case in _open_cases(db):
        counts["cases"] += 1
        with write(db):
            for term in ended_terms(case, today):
                inspector = _case_inspector(db, case)
                try:
                    if term.kind == "zienswijze":
                        step(db, case["id"], user, "zienswijzetermijn_verstreken", today=today)
                        counts["ready_for_besluit"] += 1
                    elif term.kind in ("begunstigingstermijn", "hersteltermijn") and _inspector_available(db,
                                                                                                          inspector):
                        action = "hercontrole_gepland" if term.kind == "begunstigingstermijn" else \
                            "wgv_hercontrole_gepland"
                        step(db, case["id"], user, action, {"inspector_id": inspector}, code=term.code or None,
                             today=today)
                        counts["hercontroles_planned"] += 1
                except CaseError:
                    continue  # the case moved on meanwhile (a team lead took the step): nothing to do
                case = upgraded(store.get(db, "case", case["id"]) or case)
            found.extend((case["id"], flag) for flag in flags_of(db, case, today))
    with write(db):
        counts["flags_raised"], counts["flags_cleared"] = _store_flags(db, found, today)
    counts["flags_open"] = len(found)
    return counts


def job(ctx: JobContext) -> Outcome:
    """Run the deadlines watch for the run's day."""
    counts = watch(ctx.db, ctx.today, ctx.actor)
    parts = [f"{counts['cases']} open {'zaak' if counts['cases'] == 1 else 'zaken'} bekeken",
             f"{counts['ready_for_besluit']} gereed voor het besluit",
             f"{counts['hercontroles_planned']} "
             f"{'hercontrole' if counts['hercontroles_planned'] == 1 else 'hercontroles'} gepland",
             f"{counts['flags_open']} {'signalering' if counts['flags_open'] == 1 else 'signaleringen'} open "
             f"({counts['flags_raised']} nieuw, {counts['flags_cleared']} opgelost)"]
    return Outcome("; ".join(parts) + ".", counts)
