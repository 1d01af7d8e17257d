"""Inspections: list per address, read one with the findings the server computed."""

from __future__ import annotations

from flask import Response, jsonify

from schemas.base import Str
from server import store
from server.access import may_read_inspection, scope_restriction
from server.api import bp
from server.api.listing import list_records
from server.audit import audit
from server.auth import current_user, require
from server.db import get_db
from server.errors import NotFound
from server.evaluation import stored_evaluation
from server.http import PageQuery, query
from server.legal_basis import annotate_evaluation


class InspectionQuery(PageQuery):
    """Filters on the inspection list."""

    address_id = Str(load_default=None)


inspection_query = InspectionQuery()


@bp.get("/inspections")
@require()
def list_inspections() -> Response:
    """List inspections, per address when address_id is given; a handhaver sees his own addresses."""
    q = query(inspection_query)
    user = current_user()
    restrict = scope_restriction(user, own_inspections=True)
    return list_records("inspection", q, {"address_id": q["address_id"]}, "api.list_inspections", restrict)


@bp.get("/inspections/<inspection_id>")
@require()
def get_inspection(inspection_id: str) -> Response:
    """Return one inspection with its findings (with their legal basis), what was not assessed and the norm set."""
    db = get_db()
    record = store.get(db, "inspection", inspection_id)
    user = current_user()
    if record is None or not may_read_inspection(db, user, record):
        if record is not None:
            audit(db, "read_denied", "inspection", inspection_id)
        raise NotFound("Inspectie niet gevonden.")
    audit(db, "read", "inspection", inspection_id)
    evaluation = stored_evaluation(db, inspection_id) or {"norm_set": None, "findings": [], "not_assessed": []}
    evaluation = annotate_evaluation(evaluation, record)  # the grondslag in force on the inspection date
    return jsonify({**record, "findings": evaluation["findings"], "not_assessed": evaluation["not_assessed"],
                    "norm_set": evaluation["norm_set"]})
