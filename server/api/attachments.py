"""Attachment endpoints: which photos are missing, resumable chunked upload, download.

What they tell depends on who asks: a hash is "missing" and has no offset for everyone who did
not upload it, whether the server has it or not. HEAD, /missing and refused reads are audited.
"""

from __future__ import annotations

from pathlib import Path

from flask import Response, current_app, jsonify, request, send_file

from schemas.base import BaseSchema, List, Str, matches_whole
from server import attachments
from server.api import bp
from server.audit import audit
from server.auth import current_device, current_user, require
from server.db import get_db, rows
from server.errors import ApiError, BadRequest, NotFound
from server.http import json_object, load

SHA_MESSAGE = "Een SHA-256 is 64 tekens 0-9 en a-f."


class MissingSchema(BaseSchema):
    """Which of these hashes does the server lack?"""

    sha256 = List(Str(validate=matches_whole(attachments.SHA256_RE.pattern, SHA_MESSAGE)), required=True)


missing_schema = MissingSchema()


def _data() -> Path:
    return Path(current_app.config["DATA"])


def _limits() -> attachments.Limits:
    return attachments.Limits.from_config(current_app.config)


def _check_sha(sha256: str) -> None:
    if not attachments.is_sha256(sha256):
        raise BadRequest(SHA_MESSAGE)


def _who() -> dict[str, str | None]:
    user = current_user()
    device = current_device()
    return {"user_id": user["id"], "device_id": device["id"] if device else None}


def _refused(err: attachments.UploadError) -> ApiError:
    extra = {"offset": err.offset} if err.offset is not None else {}
    error = ApiError(err.message, error=err.error, **extra)
    error.status = err.status
    return error


@bp.post("/attachments/missing")
@require()
def missing() -> Response:
    """Answer which of the given hashes this caller's user has not uploaded (whatever the server has)."""
    body = load(missing_schema, json_object())
    if len(body["sha256"]) > 5000:
        raise BadRequest("Maximaal 5000 hashes per keer.")
    db = get_db()
    asked = list(dict.fromkeys(body["sha256"]))
    have = attachments.owned(db, current_user()["id"], asked)
    answer = [h for h in asked if h not in have]
    audit(db, "missing", "attachment", None, {"asked": len(asked), "missing": len(answer)})
    return jsonify({"missing": answer})


@bp.route("/attachments/<sha256>", methods=["HEAD"])
@require()
def upload_offset(sha256: str) -> Response:
    """Tell the caller his own upload's offset, or Upload-Complete: 1 when his user has the file."""
    _check_sha(sha256)
    db = get_db()
    try:
        received, complete = attachments.status(db, _data(), sha256, _who(), _limits())
    except attachments.UploadError as err:
        raise _refused(err) from None
    audit(db, "head", "attachment", sha256, {"offset": received, "complete": complete})
    response = Response(status=200)
    response.headers["Upload-Offset"] = str(received)
    response.headers["Upload-Complete"] = "1" if complete else "0"
    return response


@bp.put("/attachments/<sha256>")
@require()
def upload_chunk(sha256: str) -> Response:
    """Append a chunk (Content-Range: bytes a-b/total) at its offset; verify on the last one."""
    _check_sha(sha256)
    db = get_db()
    try:
        result = attachments.receive(db, _data(), sha256, request.headers.get("Content-Range"), request.stream,
                                     request.content_length, _limits(), _who())
    except attachments.UploadError as err:
        raise _refused(err) from None
    if result["complete"]:
        audit(db, "upload", "attachment", sha256)
    response = jsonify(result)
    response.headers["Upload-Offset"] = str(result["offset"])
    return response


@bp.get("/attachments/<sha256>")
@require()
def download(sha256: str) -> Response:
    """Return an attachment to its uploaders and to whoever may read an inspection of an uploader naming it."""
    _check_sha(sha256)
    db = get_db()
    found = rows(db, "SELECT content_type FROM attachments WHERE sha256 = ?", [sha256])
    if not found or not attachments.may_read(db, current_user(), sha256):
        audit(db, "read_denied", "attachment", sha256)
        raise NotFound("Bijlage niet gevonden.")
    audit(db, "read", "attachment", sha256)
    response = send_file(attachments.final_path(_data(), sha256), mimetype=found[0]["content_type"])
    # Evidence about people's homes: never kept by a shared cache, never guessed as another type.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
