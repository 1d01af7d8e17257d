"""Attachment endpoints: which photos are missing, resumable chunked upload, download."""

from __future__ import annotations

from pathlib import Path

from flask import Response, current_app, jsonify, request, send_file

from schemas.base import BaseSchema, List, Str, matches
from server import attachments
from server.access import may_read_address_data
from server.api import bp
from server.audit import audit
from server.auth import current_device, current_user, require
from server.db import get_db, rows
from server.errors import ApiError, BadRequest, NotFound
from server.http import json_object, load

SHA_MESSAGE = "Een SHA-256 is 64 tekens 0-9 en a-f."


class MissingSchema(BaseSchema):
    """Which of these hashes does the server lack?"""

    sha256 = List(Str(validate=matches(attachments.SHA256_RE.pattern, SHA_MESSAGE)), required=True)


missing_schema = MissingSchema()


def _data() -> Path:
    return Path(current_app.config["DATA"])


def _check_sha(sha256: str) -> None:
    if not attachments.SHA256_RE.match(sha256):
        raise BadRequest(SHA_MESSAGE)


def _who() -> dict[str, str | None]:
    user = current_user()
    device = current_device()
    return {"user_id": user["id"], "device_id": device["id"] if device else None}


@bp.post("/attachments/missing")
@require()
def missing() -> Response:
    """Answer which of the given hashes the server does not have yet."""
    body = load(missing_schema, json_object())
    if len(body["sha256"]) > 5000:
        raise BadRequest("Maximaal 5000 hashes per keer.")
    have = attachments.have(get_db(), body["sha256"])
    return jsonify({"missing": [h for h in dict.fromkeys(body["sha256"]) if h not in have]})


@bp.route("/attachments/<sha256>", methods=["HEAD"])
@require()
def upload_offset(sha256: str) -> Response:
    """Tell how many bytes of this attachment the server has (Upload-Offset)."""
    _check_sha(sha256)
    received, complete = attachments.offset(get_db(), _data(), sha256)
    response = Response(status=200)
    response.headers["Upload-Offset"] = str(received)
    response.headers["Upload-Complete"] = "1" if complete else "0"
    return response


@bp.put("/attachments/<sha256>")
@require()
def upload_chunk(sha256: str) -> Response:
    """Append a chunk (Content-Range: bytes a-b/total) at its offset; verify on the last one."""
    _check_sha(sha256)
    config = current_app.config
    db = get_db()
    try:
        result = attachments.receive(db, _data(), sha256, request.headers.get("Content-Range"), request.stream,
                                     request.content_length, config["ATTACHMENT_MAX_BYTES"],
                                     config["ATTACHMENT_TYPES"], _who())
    except attachments.UploadError as err:
        extra = {"offset": err.offset} if err.offset is not None else {}
        error = ApiError(err.message, error=err.error, **extra)
        error.status = err.status
        raise error from None
    if result["complete"]:
        audit(db, "upload", "attachment", sha256)
    response = jsonify(result)
    response.headers["Upload-Offset"] = str(result["offset"])
    return response


@bp.get("/attachments/<sha256>")
@require()
def download(sha256: str) -> Response:
    """Return an attachment to someone who may read an inspection naming it (or who uploaded it)."""
    _check_sha(sha256)
    db = get_db()
    user = current_user()
    found = rows(db, "SELECT * FROM attachments WHERE sha256 = ?", [sha256])
    if not found:
        raise NotFound("Bijlage niet gevonden.")
    addresses = [r["address_id"] for r in rows(db, "SELECT DISTINCT i.address_id FROM inspection_photos p "
                                                   "JOIN inspections i ON i.id = p.inspection_id WHERE p.sha256 = ?",
                                               [sha256])]
    allowed = found[0]["user_id"] == user["id"] or any(may_read_address_data(db, user, a) for a in addresses)
    if not allowed:
        raise NotFound("Bijlage niet gevonden.")
    audit(db, "read", "attachment", sha256)
    return send_file(attachments.final_path(_data(), sha256), mimetype=found[0]["content_type"], max_age=3600)
