"""Cases: a teamleider opens, assesses and steps them; a handhaver reads those at his addresses."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify

from schemas.base import BaseSchema, Date, Int, Raw, Str, between, matches, max_length, one_of
from server.access import may_read_address_data, scope_restriction
from server.api import bp
from server.api.listing import list_records
from server.audit import audit
from server.auth import current_user, require
from server.case_flow import STATES, TRANSITIONS, allowed_actions
from server.cases import CaseError, assess, get_case, open_case, step, timeline
from server.db import get_db, rows
from server.errors import ApiError, NotFound
from server.http import PageQuery, json_object, load, query

UUID_RE = r"^[0-9a-fA-F-]{36}$"


class CaseQuery(PageQuery):
    """Filters on the case list."""

    status = Str(load_default=None, validate=one_of(tuple(STATES)))
    address_id = Str(load_default=None)


class OpenCaseSchema(BaseSchema):
    """Open a case from an inspection, or from a melding at an address."""

    inspection_id = Str(load_default=None, validate=matches(UUID_RE, "Geen geldige UUID."))
    address_id = Str(load_default=None, validate=matches(UUID_RE, "Geen geldige UUID."))
    melding = Str(load_default=None, validate=max_length(5000))


class AssessmentSchema(BaseSchema):
    """The LHS assessment of a case."""

    impact = Int(load_default=None, validate=between(1, 4))
    impact_reason = Str(load_default=None, validate=max_length(2000))
    behaviour = Str(required=True, validate=one_of(("A", "B", "C", "D")))
    behaviour_reason = Str(required=True, validate=[max_length(2000), matches(r"\S", "Mag niet leeg zijn.")])
    chosen = Str(load_default=None)
    chosen_reason = Str(load_default=None, validate=max_length(2000))


class StepSchema(BaseSchema):
    """A lifecycle step with what it needs."""

    action = Str(required=True, validate=one_of(tuple(TRANSITIONS)))
    reason = Str(load_default=None, validate=max_length(2000))
    received_on = Date(load_default=None)
    inspector_id = Str(load_default=None, validate=max_length(64))
    note = Raw(load_default=None)


case_query, open_schema, assessment_schema, step_schema = CaseQuery(), OpenCaseSchema(), AssessmentSchema(), \
    StepSchema()


def answer(err: CaseError) -> ApiError:
    """Turn a CaseError into the API error with its status."""
    error = ApiError(err.message, errors=err.errors,
                     error={404: "not_found", 409: "conflict", 422: "invalid", 500: "integrity"}.get(err.status,
                                                                                          "bad_request"))
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
    """Return a case with its timeline, documents and the steps it allows."""
    db = get_db()
    documents = rows(db, "SELECT id, kind, kenmerk, status, letter_date, sha256, approved_at, sent_on, created_at "
                         "FROM documents WHERE case_id = ? ORDER BY created_at", [case["id"]])
    return {**case, "status_label": STATES[case["status"]], "timeline": timeline(db, case["id"]),
            "documents": documents, "allowed_actions": allowed_actions(case["status"])}


@bp.get("/cases")
@require()
def list_cases() -> Response:
    """List cases; a handhaver sees those at his addresses."""
    q = query(case_query)
    user = current_user()
    restrict = scope_restriction(user)
    return list_records("case", q, {"status": q["status"], "address_id": q["address_id"]}, "api.list_cases",
                        restrict)


@bp.post("/cases")
@require("teamleider")
def create_case() -> tuple[Response, int]:
    """Open a case from an inspection or a melding."""
    body = load(open_schema, json_object())
    db = get_db()
    try:
        case = open_case(db, current_user(), **body)
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
    """Record the LHS assessment."""
    body = load(assessment_schema, json_object())
    db = get_db()
    try:
        case = assess(db, case_id, current_user(), matrix_path=current_app.config["LHS_MATRIX"] or None, **body)
    except CaseError as err:
        raise answer(err) from None
    audit(db, "assess", "case", case_id)
    return jsonify(full(case))


@bp.post("/cases/<case_id>/transitions")
@require("teamleider")
def transition_case(case_id: str) -> Response:
    """Take a lifecycle step; an illegal one gets 409 and changes nothing."""
    body = load(step_schema, json_object())
    action = body.pop("action")
    detail = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in body.items() if v is not None}
    db = get_db()
    try:
        case = step(db, case_id, current_user(), action, detail)
    except CaseError as err:
        raise answer(err) from None
    audit(db, "step", "case", case_id, {"action": action})
    return jsonify(full(case))
