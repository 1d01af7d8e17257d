"""Cases: a teamleider opens, assesses and steps them; a handhaver reads those at his addresses."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Response, current_app, jsonify

from schemas.base import BaseSchema, Date, Int, List, Money, Nested, Str, between, matches, max_length, one_of
from server import case_steps
from server.access import may_read_address_data, scope_restriction
from server.api import bp
from server.api.listing import list_records
from server.audit import audit
from server.auth import current_user, require
from server.case_flow import CASE_STATES, CASE_STEPS, LAST_STATES, STEPS, TRACK_STATES, allowed_steps
from server.cases import (
    OVERTREDER_ROLES,
    CaseError,
    assess,
    get_case,
    open_case,
    set_overtreders,
    status_label,
    timeline,
)
from server.db import get_db, rows
from server.errors import ApiError, NotFound
from server.http import PageQuery, json_object, load, query

UUID_RE = r"^[0-9a-fA-F-]{36}$"
CODE = matches(r"^[A-Z][A-Z0-9_]{1,39}$", "Een code van een overtreding, zoals ROOKMELDER.")
ACTIONS = (*STEPS, *CASE_STEPS)


class CaseQuery(PageQuery):
    """Filters on the case list."""

    status = Str(load_default=None, validate=one_of(tuple(CASE_STATES)))
    address_id = Str(load_default=None)


class OpenCaseSchema(BaseSchema):
    """Open a case from an inspection, or from a melding at an address."""

    inspection_id = Str(load_default=None, validate=matches(UUID_RE, "Geen geldige UUID."))
    address_id = Str(load_default=None, validate=matches(UUID_RE, "Geen geldige UUID."))
    melding = Str(load_default=None, validate=max_length(5000))


class AssessmentSchema(BaseSchema):
    """The LHS assessment of a case's lasten: all of them, or those named in `codes`, each in its own cell."""

    codes = List(Str(validate=CODE), load_default=None)
    impact = Int(load_default=None, validate=between(1, 4))
    impact_reason = Str(load_default=None, validate=max_length(2000))
    behaviour = Str(required=True, validate=one_of(("A", "B", "C", "D")))
    behaviour_reason = Str(required=True, validate=[max_length(2000), matches(r"\S", "Mag niet leeg zijn.")])
    chosen = Str(load_default=None)
    chosen_reason = Str(load_default=None, validate=max_length(2000))


class StepSchema(BaseSchema):
    """A step with what it needs: `code` names the last of a step per last."""

    action = Str(required=True, validate=one_of(ACTIONS))
    code = Str(load_default=None, validate=CODE)
    reason = Str(load_default=None, validate=max_length(2000))
    received_on = Date(load_default=None)
    paid_on = Date(load_default=None)
    text = Str(load_default=None, validate=max_length(20000),
               metadata={"description": "De zienswijze zelf, of een verslag van wat mondeling is gezegd."})
    how = Str(load_default=None, validate=one_of(("schriftelijk", "mondeling", "e-mail")))
    file_sha256 = Str(load_default=None, validate=matches(r"^[0-9a-f]{64}$(?!\n)",
                                                          "Een SHA-256 is 64 tekens 0-9 en a-f."))
    inspection_id = Str(load_default=None, validate=matches(UUID_RE, "Geen geldige UUID."))
    inspector_id = Str(load_default=None, validate=max_length(64))


class OvertrederSchema(BaseSchema):
    """A party the case is against, in a role, with why it is the overtreder."""

    party_id = Str(required=True, validate=matches(UUID_RE, "Geen geldige UUID."))
    role = Str(required=True, validate=one_of(OVERTREDER_ROLES))
    reason = Str(required=True, validate=[max_length(2000), matches(r"\S", "Mag niet leeg zijn.")])


class OvertredersSchema(BaseSchema):
    """Whom the case is against."""

    overtreders = List(Nested(OvertrederSchema), required=True,
                       validate=lambda v: 1 <= len(v) <= 10)


class EarlierBoeteSchema(BaseSchema):
    """A boete imposed before the system, entered by hand (for the repeat maximum)."""

    party_id = Str(required=True, validate=matches(UUID_RE, "Geen geldige UUID."))
    code = Str(required=True, validate=CODE)
    imposed_on = Date(required=True)
    kenmerk = Str(required=True, validate=[max_length(100), matches(r"\S", "Mag niet leeg zijn.")])
    irrevocable_on = Date(load_default=None)
    amount = Money(load_default=None, low=1, high=10_000_000)


case_query, open_schema, assessment_schema, step_schema = CaseQuery(), OpenCaseSchema(), AssessmentSchema(), \
    StepSchema()
overtreders_schema, earlier_boete_schema = OvertredersSchema(), EarlierBoeteSchema()


def answer(err: CaseError) -> ApiError:
    """Turn a CaseError into the API error with its status."""
    error = ApiError(err.message, errors=err.errors,
                     error={404: "not_found", 409: "conflict", 422: "invalid", 500: "integrity"}.get(err.status,
                                                                                          "bad_request"),
                     **err.extra)
    error.status = err.status
    return error


def readable_case(case_id: str) -> dict[str, Any]:
    """Return a case the current user may read, or raise 404."""
    db = get_db()
    try:
        case = get_case(db, case_id)
    except CaseError as err:
        raise answer(err) from None
    if not may_read_address_data(db, current_user(), case["address_id"]):
        audit(db, "read_denied", "case", case_id)
        raise NotFound("Zaak niet gevonden.")
    return case


def full(case: dict[str, Any]) -> dict[str, Any]:
    """Return a case with its timeline, documents, the labels of its states and the steps it allows."""
    db = get_db()
    documents = rows(db, "SELECT id, kind, kenmerk, status, letter_date, sha256, approved_at, sent_on, created_at, "
                         "dispatch_method, dispatch_reference FROM documents WHERE case_id = ? ORDER BY created_at",
                     [case["id"]])
    tracks = {t: {**info, "label": TRACK_STATES[t][info.get("state", "geen")]}
              for t, info in (case.get("tracks") or {}).items()}
    lasten = [{**last, "state_labels": {t: LAST_STATES[t][s] for t, s in (last.get("states") or {}).items()}}
              for last in case.get("lasten") or []]
    return {**case, "tracks": tracks, "lasten": lasten, "status_label": status_label(case),
            "timeline": timeline(db, case["id"]), "documents": documents, "allowed_actions": allowed_steps(case)}


@bp.get("/cases")
@require()
def list_cases() -> Response:
    """List cases; a handhaver sees those at his addresses."""
    q = query(case_query)
    return list_records("case", q, {"status": q["status"], "address_id": q["address_id"]}, "api.list_cases",
                        scope_restriction(current_user()))


@bp.post("/cases")
@require("teamleider")
def create_case() -> tuple[Response, int]:
    """Open a case from an inspection or a melding."""
    body = load(open_schema, json_object())
    db = get_db()
    from server.documents import Settings
    settings = Settings(current_app.config)
    try:
        case = open_case(db, current_user(), letters=settings.letters, terms_config=settings.terms, **body)
    except CaseError as err:
        raise answer(err) from None
    audit(db, "create", "case", case["id"])
    return jsonify(full(case)), 201


@bp.get("/cases/<case_id>")
@require()
def get_case_view(case_id: str) -> Response:
    """Return a case with its timeline and documents."""
    case = readable_case(case_id)
    audit(get_db(), "read", "case", case_id)
    return jsonify(full(case))


@bp.post("/cases/<case_id>/assessment")
@require("teamleider")
def assess_case(case_id: str) -> Response:
    """Record the LHS assessment, per last."""
    body = load(assessment_schema, json_object())
    db = get_db()
    try:
        case = assess(db, case_id, current_user(), matrix_path=current_app.config["LHS_MATRIX"] or None, **body)
    except CaseError as err:
        raise answer(err) from None
    audit(db, "assess", "case", case_id)
    return jsonify(full(case))


@bp.post("/cases/<case_id>/overtreders")
@require("teamleider")
def case_overtreders(case_id: str) -> Response:
    """Record whom the case is against and why each party is the overtreder."""
    body = load(overtreders_schema, json_object())
    db = get_db()
    readable_case(case_id)
    try:
        case = set_overtreders(db, case_id, current_user(), body["overtreders"])
    except CaseError as err:
        raise answer(err) from None
    audit(db, "update", "case", case_id, {"overtreders": [o["party_id"] for o in body["overtreders"]]})
    return jsonify(full(case))


@bp.post("/cases/<case_id>/transitions")
@require("teamleider")
def transition_case(case_id: str) -> Response:
    """Take a step; an illegal one gets 409 and changes nothing."""
    body = load(step_schema, json_object())
    action, code = body.pop("action"), body.pop("code")
    detail = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in body.items() if v is not None}
    db = get_db()
    readable_case(case_id)
    try:
        case = case_steps.step(db, case_id, current_user(), action, detail, code=code)
    except CaseError as err:
        raise answer(err) from None
    audit(db, "step", "case", case_id, {"action": action, "code": code})
    return jsonify(full(case))


@bp.post("/boetes")
@require("teamleider")
def record_earlier_boete() -> tuple[Response, int]:
    """Enter by hand a boete imposed before the system (date, kenmerk, irrevocable since)."""
    body = load(earlier_boete_schema, json_object())
    db = get_db()
    try:
        row = case_steps.add_boete(db, current_user(), party_id=body["party_id"], code=body["code"],
                                   imposed_on=body["imposed_on"], kenmerk=body["kenmerk"],
                                   irrevocable_on=body["irrevocable_on"],
                                   amount=str(body["amount"]) if body["amount"] is not None else None,
                                   source="handmatig")
    except CaseError as err:
        raise answer(err) from None
    audit(db, "create", "boete", row["id"], {"party_id": body["party_id"], "code": body["code"]})
    return jsonify(row), 201
