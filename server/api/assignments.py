"""Assignments: a teamleider plans visits; a handhaver sees his own."""

from __future__ import annotations

from flask import Response, jsonify

from schemas.assignment import STATUSES
from schemas.base import Str, one_of
from server import assignments, store
from server.access import is_planner
from server.api import bp
from server.api.listing import list_records
from server.audit import audit
from server.auth import PLANNERS, current_user, require
from server.db import get_db
from server.errors import BadRequest, NotFound
from server.http import PageQuery, json_object, query


class AssignmentQuery(PageQuery):
    """Filters on the assignment list."""

    inspector_id = Str(load_default=None)
    address_id = Str(load_default=None)
    week = Str(load_default=None)
    status = Str(load_default=None, validate=one_of(STATUSES))


assignment_query = AssignmentQuery()


@bp.get("/assignments")
@require()
def list_assignments() -> Response:
    """List assignments: a handhaver only his own."""
    q = query(assignment_query)
    user = current_user()
    restrict = None if is_planner(user) else ("inspector_id = ?", [user["id"]])
    columns = {c: q[c] for c in ("inspector_id", "address_id", "week", "status")}
    return list_records("assignment", q, columns, "api.list_assignments", restrict)


@bp.get("/assignments/<assignment_id>")
@require()
def get_assignment(assignment_id: str) -> Response:
    """Return one assignment (a handhaver only his own)."""
    db = get_db()
    record = store.get(db, "assignment", assignment_id)
    user = current_user()
    if record is None or (not is_planner(user) and record["inspector_id"] != user["id"]):
        if record is not None:
            audit(db, "read_denied", "assignment", assignment_id)
        raise NotFound("Opdracht niet gevonden.")
    audit(db, "read", "assignment", assignment_id)
    return jsonify(record)


@bp.post("/assignments")
@require(*PLANNERS)
def create_assignment() -> tuple[Response, int]:
    """Plan a visit for a handhaver in a week or by a date."""
    body = json_object()
    record = assignments.create(get_db(), body, current_user()["id"])
    audit(get_db(), "create", "assignment", record["id"])
    return jsonify(record), 201


@bp.patch("/assignments/<assignment_id>")
@require(*PLANNERS)
def update_assignment(assignment_id: str) -> Response:
    """Reassign, replan, re-instruct or cancel an open assignment."""
    body = json_object()
    if "id" in body and body["id"] != assignment_id and store.get(get_db(), "assignment", assignment_id):
        raise BadRequest("Het id van een opdracht verandert niet.")
    db = get_db()
    record = assignments.update(db, assignment_id, body, current_user()["id"])
    audit(db, "update", "assignment", assignment_id, {"fields": sorted(k for k in body if k != "id")})
    return jsonify(record)
