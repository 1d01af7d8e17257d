"""The shape every list endpoint shares: filters on query columns, a role restriction, paging, audit."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from server import store
from server.audit import audit
from server.db import get_db
from server.http import page


def list_records(entity: str, q: dict[str, Any], columns: dict[str, Any], endpoint: str,
                 restrict: tuple[str, list[Any]] | None = None) -> Response:
    """Answer a page of live records whose query columns equal the given (non-null) filter values."""
    where: list[str] = ["1"]
    params: list[Any] = []
    if restrict:
        where.append(restrict[0])
        params += restrict[1]
    for column, value in columns.items():
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    if q["after"]:
        where.append("id > ?")
        params.append(q["after"])
    db = get_db()
    items = store.select(db, entity, " AND ".join(where), params, order="id", limit=q["limit"] + 1)
    audit(db, "list", entity, None, {"filters": request.args.to_dict(), "count": min(len(items), q["limit"]),
                                     "ids": [r["id"] for r in items[:q["limit"]]]})
    return jsonify(page(items, q["limit"], lambda r: r["id"], endpoint,
                        **{column: request.args.get(column) for column in columns}))
