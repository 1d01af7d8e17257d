"""Inspections: list per address, read one with the findings the server computed."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from schemas.base import Str
from server import store
from server.access import handhaver_addresses_sql, is_planner, may_read_address_data
from server.api import bp
from server.audit import audit
from server.auth import current_user, require
from server.db import get_db
from server.errors import NotFound
from server.evaluation import stored_evaluation
from server.http import PageQuery, page, query


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
    where: list[str] = ["1"]
    params: list[Any] = []
    if not is_planner(user):
        where.append(f"address_id IN ({handhaver_addresses_sql()})")
        params += [user["id"], user["id"]]
    if q["address_id"]:
        where.append("address_id = ?")
        params.append(q["address_id"])
    if q["after"]:
        where.append("id > ?")
        params.append(q["after"])
    db = get_db()
    items = store.select(db, "inspection", " AND ".join(where), params, order="id", limit=q["limit"] + 1)
    audit(db, "list", "inspection", None, {"filters": request.args.to_dict(), "count": min(len(items), q["limit"])})
    return jsonify(page(items, q["limit"], lambda r: r["id"], "api.list_inspections", address_id=q["address_id"]))


@bp.get("/inspections/<inspection_id>")
@require()
def get_inspection(inspection_id: str) -> Response:
    """Return one inspection with its findings, what was not assessed and the norm set used."""
    db = get_db()
    record = store.get(db, "inspection", inspection_id)
    user = current_user()
    if record is None or not (record.get("inspector_id") == user["id"]
                              or may_read_address_data(db, user, record["address_id"])):
        raise NotFound("Inspectie niet gevonden.")
    audit(db, "read", "inspection", inspection_id)
    evaluation = stored_evaluation(db, inspection_id) or {"norm_set": None, "findings": [], "not_assessed": []}
    return jsonify({**record, "findings": evaluation["findings"], "not_assessed": evaluation["not_assessed"],
                    "norm_set": evaluation["norm_set"]})
