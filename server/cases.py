"""Handhavingszaken: opened from an inspection or a melding, assessed on the LHS matrix, stepped
through their lifecycle. Every step is a timeline event; every change a new version in history.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from sqlite_utils import Database

from reports.fmt import datum
from server import store
from server.case_flow import (
    DOCUMENT_STEP,
    STATES,
    TRANSITIONS,
    IllegalTransition,
    impact_of,
    load_matrix,
    next_state,
    suggest,
)
from server.db import rows, write
from server.evaluation import stored_evaluation


class CaseError(Exception):
    """A case request that cannot be honoured; carries the HTTP status and a Dutch message."""

    def __init__(self, status: int, message: str, errors: Any = None) -> None:
        super().__init__(message)
        self.status, self.message, self.errors = status, message, errors


def _next_number(db: Database, year: int) -> str:
    found = rows(db, "SELECT last FROM case_numbers WHERE year = ?", [year])
    last = (found[0]["last"] if found else 0) + 1
    db.execute("INSERT INTO case_numbers (year, last) VALUES (?, ?) ON CONFLICT(year) DO UPDATE SET last = ?",
               [year, last, last])
    return f"HH-{year}-{last:04d}"


def add_event(db: Database, case_id: str, user_id: str | None, action: str, label: str,
              detail: dict[str, Any] | None = None, document_id: str | None = None) -> None:
    """Add a step to a case's timeline."""
    db.table("case_events").insert({"case_id": case_id, "at": store.now(), "user_id": user_id, "action": action,
                                    "label": label, "document_id": document_id,
                                    "detail": json.dumps(detail, ensure_ascii=False) if detail else None})


def timeline(db: Database, case_id: str) -> list[dict[str, Any]]:
    """Return a case's steps, oldest first, with the name of who took them."""
    events = rows(db, "SELECT e.*, u.name AS user_name FROM case_events e LEFT JOIN users u ON u.id = e.user_id "
                      "WHERE e.case_id = ? ORDER BY e.id", [case_id])
    for e in events:
        e["detail"] = json.loads(e["detail"]) if e["detail"] else None
    return events


def open_case(db: Database, user: dict[str, Any], *, inspection_id: str | None = None,
              address_id: str | None = None, melding: str | None = None, today: dt.date | None = None
              ) -> dict[str, Any]:
    """Open a case from a submitted inspection (its findings become the violations) or from a melding."""
    today = today or dt.date.today()
    violations: list[dict[str, Any]] = []
    with write(db):
        if inspection_id:
            inspection = store.get(db, "inspection", inspection_id)
            if inspection is None:
                raise CaseError(422, "Onbekende inspectie.", {"inspection_id": ["Onbekende inspectie."]})
            if inspection["status"] != "submitted":
                raise CaseError(409, "Alleen een ingediende inspectie kan een zaak openen.")
            if rows(db, "SELECT 1 FROM cases WHERE json_extract(data, '$.inspection_id') = ? AND status != "
                        "'gesloten'", [inspection_id]):
                raise CaseError(409, "Er loopt al een zaak voor deze inspectie.")
            evaluation = stored_evaluation(db, inspection_id) or {"findings": []}
            violations = [f for f in evaluation["findings"] if f["impact"] >= 1]
            if not violations:
                raise CaseError(409, "Deze inspectie heeft geen overtredingen; open een zaak vanuit een melding.")
            address_id = inspection["address_id"]
        elif not (address_id and melding and melding.strip()):
            raise CaseError(422, "Open een zaak vanuit een inspectie of een melding met adres.",
                            {"melding": ["Vul de melding en het adres in."]})
        if store.get(db, "address", str(address_id)) is None:
            raise CaseError(422, "Onbekend adres.", {"address_id": ["Onbekend adres."]})
        impact = impact_of(violations)
        record = {
            "id": str(uuid.uuid4()), "number": _next_number(db, today.year), "address_id": address_id,
            "inspection_id": inspection_id, "melding": melding, "status": "open", "outcome": None,
            "violations": violations, "remedies": {},
            "impact": {"class": impact, "from_findings": impact, "override_reason": None},
            "assessment": None, "terms": {}, "dwangsom": None, "opened_on": today.isoformat(),
            "opened_by": user["id"],
        }
        case = store.put(db, "case", record, actor=user["id"], expected_version=0)
        add_event(db, case["id"], user["id"], "geopend",
                  f"Zaak {case['number']} geopend" + (" vanuit inspectie" if inspection_id else " vanuit melding"),
                  {"violations": [v["code"] for v in violations]})
    return case


def get_case(db: Database, case_id: str) -> dict[str, Any]:
    """Return a case or raise CaseError 404."""
    case = store.get(db, "case", case_id)
    if case is None:
        raise CaseError(404, "Zaak niet gevonden.")
    return case


def assess(db: Database, case_id: str, user: dict[str, Any], *, behaviour: str, behaviour_reason: str,
           chosen: str | None, chosen_reason: str | None, impact: int | None = None,
           impact_reason: str | None = None, matrix_path: str | None = None) -> dict[str, Any]:
    """Record the LHS assessment: impact class (overridable with a reason), behaviour, suggested and chosen."""
    matrix = load_matrix(matrix_path)
    with write(db):
        case = get_case(db, case_id)
        if case["status"] == "gesloten":
            raise CaseError(409, "Een gesloten zaak wordt niet meer beoordeeld.")
        errors: dict[str, list[str]] = {}
        from_findings = case["impact"]["from_findings"]
        if impact is not None and impact != from_findings and not (impact_reason or "").strip():
            errors["impact_reason"] = ["Geef een reden als u de gevolgenklasse aanpast."]
        klass = impact if impact is not None else from_findings
        suggested = suggest(matrix, klass, behaviour)
        final = chosen or suggested
        if final not in matrix["interventions"]:
            errors["chosen"] = ["Onbekende interventie."]
        if final != suggested and not (chosen_reason or "").strip():
            errors["chosen_reason"] = ["Geef een reden als u afwijkt van de matrix."]
        if errors:
            raise CaseError(422, "De beoordeling is onvolledig.", errors)
        case["impact"] = {"class": klass, "from_findings": from_findings,
                          "override_reason": impact_reason if klass != from_findings else None}
        case["assessment"] = {"behaviour": behaviour, "behaviour_label": matrix["behaviour"][behaviour],
                              "behaviour_reason": behaviour_reason, "suggested": suggested,
                              "suggested_label": matrix["interventions"][suggested], "chosen": final,
                              "chosen_label": matrix["interventions"][final], "chosen_reason": chosen_reason,
                              "assessed_by": user["id"], "assessed_at": store.now()}
        updated = store.put(db, "case", case, actor=user["id"], expected_version=case["version"])
        add_event(db, case_id, user["id"], "beoordeeld",
                  f"LHS-beoordeling: gevolgen {klass}, gedrag {behaviour}; gekozen: "
                  f"{matrix['interventions'][final]}", {"suggested": suggested, "chosen": final})
    return updated


def step(db: Database, case_id: str, user: dict[str, Any], action: str, detail: dict[str, Any] | None = None,
         document_id: str | None = None, today: dt.date | None = None) -> dict[str, Any]:
    """Take a lifecycle step; raise CaseError 409 for an illegal transition."""
    today = today or dt.date.today()
    detail = detail or {}
    with write(db):
        case = get_case(db, case_id)
        if action in DOCUMENT_STEP.values() and document_id is None:
            raise CaseError(409, "Deze stap volgt uit het verzenden van een goedgekeurde brief.")
        try:
            target = next_state(case["status"], action)
        except IllegalTransition as err:
            raise CaseError(409, str(err)) from None
        _guard(case, action, detail, today)
        _effects(db, case, user, action, detail, today)
        case["status"] = target
        if target == "gesloten":
            case["outcome"] = action
        updated = store.put(db, "case", case, actor=user["id"], expected_version=case["version"])
        add_event(db, case_id, user["id"], action, TRANSITIONS[action].label, detail or None, document_id)
    return updated


def _guard(case: dict[str, Any], action: str, detail: dict[str, Any], today: dt.date) -> None:
    terms = case.get("terms") or {}
    if action == "besluit_verzonden" and not terms.get("zienswijze_ontvangen"):
        end = terms.get("zienswijze_end")
        if end and today <= dt.date.fromisoformat(end):
            raise CaseError(409, f"De zienswijzetermijn loopt tot en met {datum(end)}; neem het besluit daarna, of leg "
                                 "eerst de ontvangen zienswijze vast.")
    if action == "verbeurd":
        end = terms.get("begunstigingstermijn_end")
        if not end or today <= dt.date.fromisoformat(end):
            raise CaseError(409, "Een dwangsom verbeurt pas na afloop van de begunstigingstermijn.")
    if action == "ingetrokken" and not str(detail.get("reason") or "").strip():
        raise CaseError(422, "Geef een reden om de zaak in te trekken.", {"reason": ["Verplicht veld."]})
    if action == "hercontrole_gepland" and not detail.get("inspector_id"):
        raise CaseError(422, "Kies de handhaver die de hercontrole doet.", {"inspector_id": ["Verplicht veld."]})


def _effects(db: Database, case: dict[str, Any], user: dict[str, Any], action: str, detail: dict[str, Any],
             today: dt.date) -> None:
    terms = case.setdefault("terms", {})
    if action == "zienswijze_ontvangen":
        terms["zienswijze_ontvangen"] = detail.get("received_on") or today.isoformat()
    elif action == "hercontrole_gepland":
        due = _hercontrole_date(case, today)
        inspector = rows(db, "SELECT id, role FROM users WHERE id = ? OR name = ?",
                         [detail["inspector_id"], detail["inspector_id"]])
        if not inspector or inspector[0]["role"] != "handhaver":
            raise CaseError(422, "Kies een handhaver.", {"inspector_id": ["Geen handhaver."]})
        assignment = store.put(db, "assignment", {
            "id": str(uuid.uuid4()), "address_id": case["address_id"], "inspector_id": inspector[0]["id"],
            "week": None, "due": due.isoformat(), "kind": "hercontrole", "status": "open",
            "instructions": f"Hercontrole zaak {case['number']}: " + ", ".join(v["code"] for v in case["violations"]),
            "case_id": case["id"]}, actor=user["id"])
        terms["hercontrole_on"] = due.isoformat()
        terms["hercontrole_assignment_id"] = assignment["id"]


def _hercontrole_date(case: dict[str, Any], today: dt.date) -> dt.date:
    """Return the day after the begunstigingstermijn, or after a warning's term to remedy, or today."""
    terms = case.get("terms") or {}
    end = terms.get("begunstigingstermijn_end") if case["status"] == "besluit" else terms.get("herstel_end")
    return dt.date.fromisoformat(end) + dt.timedelta(days=1) if end else today


def case_summary(case: dict[str, Any]) -> dict[str, Any]:
    """Return what a tablet needs of an open case: number, state, violations, next dates."""
    terms = case.get("terms") or {}
    return {"id": case["id"], "number": case["number"], "address_id": case["address_id"],
            "status": case["status"], "status_label": STATES[case["status"]],
            "violations": [{"code": v["code"], "title": v["title"], "room_id": v.get("room_id")}
                           for v in case["violations"]],
            "begunstigingstermijn_end": terms.get("begunstigingstermijn_end"),
            "hercontrole_on": terms.get("hercontrole_on")}
