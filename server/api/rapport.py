"""The rapport van bevindingen of an inspection: its PDF, what the office and the tablet show of it, and signing.

Readers of the inspection (server.access) read it; the toezichthouder who made the
inspection signs it, with his personal token or his tablet's device token, and nobody
else. A device token reads and signs only its own user's rapporten. Every read is audited,
and the signing.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify

from schemas.base import BaseSchema, Str, one_of
from server import rapport, rapport_signing, store
from server.access import may_read_inspection
from server.api import bp
from server.audit import audit
from server.auth import current_device, current_user, require
from server.db import get_db
from server.documents import Settings
from server.errors import ApiError, Forbidden, NotFound
from server.http import query


class RapportQuery(BaseSchema):
    """Which version of the rapport: the full one (default) or the one for the verhuurder."""

    versie = Str(load_default="volledig", validate=one_of(rapport.VERSIONS),
                 metadata={"description": "volledig (standaard) of verhuurder: de versie die brieven meesturen."})


rapport_query = RapportQuery()


def _answer(err: rapport.RapportError) -> ApiError:
    error = ApiError(err.message, error=err.error)
    error.status = err.status
    return error


def _inspection(inspection_id: str) -> dict[str, Any]:
    """Return the submitted inspection the caller may read; a device token only its own user's (else 403)."""
    db, user = get_db(), current_user()
    inspection = store.get(db, "inspection", inspection_id)
    if inspection is None:
        raise NotFound("Inspectie niet gevonden.")
    if current_device() is not None and inspection.get("inspector_id") != user["id"]:
        audit(db, "read_denied", "inspection", inspection_id)
        raise Forbidden("Een tablet leest en ondertekent alleen de rapporten van zijn eigen gebruiker.")
    if not may_read_inspection(db, user, inspection):
        audit(db, "read_denied", "inspection", inspection_id)
        raise NotFound("Inspectie niet gevonden.")
    try:
        return rapport.submitted_inspection(db, inspection_id)
    except rapport.RapportError as err:
        raise _answer(err) from None


@bp.get("/inspections/<inspection_id>/rapport")
@require()
def rapport_pdf(inspection_id: str) -> Response:
    """Return the rapport as PDF: a concept drawn now and marked CONCEPT, or the frozen file checked by its hash."""
    version = query(rapport_query)["versie"]
    inspection = _inspection(inspection_id)
    db = get_db()
    try:
        body, row = rapport_signing.pdf(db, Settings(current_app.config), inspection, version)
    except rapport.RapportError as err:
        raise _answer(err) from None
    audit(db, "read", "document", row["id"], {"inspection_id": inspection_id, "versie": version,
                                              "status": row["status"]})
    kenmerk = f"{row['kenmerk']}-V" if version == "verhuurder" and row["status"] == "concept" else row["kenmerk"]
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{kenmerk}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Document-Status"] = row["status"]
    response.headers["X-Document-Kenmerk"] = kenmerk
    if row["sha256"]:
        response.headers["X-Document-SHA256"] = row["sha256"]
        response.set_etag(row["sha256"])
    return response


@bp.get("/inspections/<inspection_id>/rapport/info")
@require()
def rapport_info(inspection_id: str) -> Response:
    """Return the rapport's kenmerk, status, who signed it when, its hash and its verhuurder's version."""
    inspection = _inspection(inspection_id)
    db = get_db()
    answer = rapport_signing.info(db, Settings(current_app.config), inspection)
    audit(db, "read", "document", answer["document_id"], {"inspection_id": inspection_id, "info": True})
    answer["can_sign"] = answer["status"] == "concept" and inspection.get("inspector_id") == current_user()["id"]
    return jsonify(answer)


@bp.post("/inspections/<inspection_id>/rapport/sign")
@require()
def rapport_sign(inspection_id: str) -> Response:
    """Sign the rapport as the inspection's own toezichthouder: it and its verhuurder's version are frozen."""
    db, user = get_db(), current_user()
    try:
        answer = rapport_signing.sign_audited(db, Settings(current_app.config), inspection_id, user)
    except rapport.RapportError as err:
        raise _answer(err) from None
    return jsonify({**answer, "can_sign": False})
