"""Assignments: a teamleider plans visits; a handhaver sees his own."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Response, jsonify
from sqlite_utils import Database

from schemas import assignment_schema
from schemas.assignment import STATUSES
from schemas.base import Str, one_of
from server import store
from server.access import is_planner
from server.api import bp
from server.api.listing import list_records
from server.audit import audit
from server.auth import PLANNERS, current_user, require
from server.db import get_db, rows
from server.errors import BadRequest, Conflict, Invalid, NotFound
from server.http import PageQuery, json_object, load, query

WRITABLE = [name for name, f in assignment_schema.fields.items() if not f.dump_only and name != "id"]


class AssignmentQuery(PageQuery):
    """Filters on the assignment list."""

    inspector_id = Str(load_default=None)
    address_id = Str(load_default=None)
    week = Str(load_default=None)
    status = Str(load_default=None, validate=one_of(STATUSES))


assignment_query = AssignmentQuery()


def _check_references(db: Database, data: dict[str, Any]) -> None:
    errors = {}
    if store.get(db, "address", data["address_id"]) is None:
        errors["address_id"] = ["Onbekend adres."]
    inspector = rows(db, "SELECT role FROM users WHERE id = ? AND disabled_at IS NULL", [data["inspector_id"]])
    if not inspector:
        errors["inspector_id"] = ["Onbekende gebruiker."]
    elif inspector[0]["role"] != "handhaver":
        errors["inspector_id"] = ["Alleen een handhaver kan een opdracht uitvoeren."]
    if errors:
        raise Invalid(errors=errors)


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
    body.setdefault("id", str(uuid.uuid4()))
    loaded = load(assignment_schema, body)
    db = get_db()
    _check_references(db, loaded)
    if store.get(db, "assignment", loaded["id"], include_deleted=True) is not None:
        raise Conflict("Er bestaat al een opdracht met dit id.")
    record = store.put(db, "assignment", assignment_schema.dump(loaded), actor=current_user()["id"],
                       expected_version=0)
    audit(db, "create", "assignment", record["id"])
    return jsonify(record), 201


@bp.patch("/assignments/<assignment_id>")
@require(*PLANNERS)
def update_assignment(assignment_id: str) -> Response:
    """Reassign, replan, re-instruct or cancel an open assignment."""
    body = json_object()
    db = get_db()
    current = store.get(db, "assignment", assignment_id)
    if current is None:
        raise NotFound("Opdracht niet gevonden.")
    if "id" in body and body["id"] != assignment_id:
        raise BadRequest("Het id van een opdracht verandert niet.")
    if current["status"] != "open":
        raise Conflict("Een afgeronde of geannuleerde opdracht verandert niet meer.", current=current)
    merged = {k: current.get(k) for k in WRITABLE} | {k: v for k, v in body.items() if k != "id"} | {
        "id": assignment_id}
    loaded = load(assignment_schema, merged)
    _check_references(db, loaded)
    try:
        record = store.put(db, "assignment", assignment_schema.dump(loaded), actor=current_user()["id"],
                           expected_version=current["version"])
    except store.VersionConflict as err:
        raise Conflict("De opdracht is intussen gewijzigd.", current=err.current) from None
    audit(db, "update", "assignment", assignment_id, {"fields": sorted(k for k in body if k != "id")})
    return jsonify(record)
