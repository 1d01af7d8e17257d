"""Enrolment: a tablet spends a one-time code for its device token."""

from __future__ import annotations

from flask import Response, current_app, jsonify

from schemas.base import BaseSchema, Str, matches, max_length
from server import throttle
from server.api import bp
from server.audit import audit
from server.auth import AuthError, address_key, count_failure, enroll, hash_secret, normalise_code
from server.db import get_db
from server.errors import ApiError
from server.http import json_object, load


class EnrollSchema(BaseSchema):
    """The enrolment request."""

    code = Str(required=True, validate=max_length(40))
    label = Str(required=True, validate=[max_length(80), matches(r"\S", "Mag niet leeg zijn.")])


enroll_schema = EnrollSchema()


class InvalidCode(ApiError):
    """The enrolment code is unknown, used or expired (403)."""

    status, error, message = 403, "invalid_code", "Onbekende, verlopen of al gebruikte koppelcode."


@bp.post("/devices/enroll")
def enroll_device() -> tuple[Response, int]:
    """Enrol a device with a one-time code; answer its id, token and user."""
    body = load(enroll_schema, json_object())
    db = get_db()
    code_key = f"code:{hash_secret(normalise_code(body['code']))}"
    throttle.check(db, [address_key(), code_key])
    try:
        device, token, user = enroll(db, body["code"], body["label"])
    except AuthError as err:
        audit(db, "enroll_refused", "device", None, {"label": body["label"]})
        count_failure(db, {code_key: int(current_app.config["AUTH_FREE_FAILURES_NAME"])})
        raise InvalidCode(str(err)) from None
    audit(db, "enroll", "device", device["id"], {"label": body["label"]}, user_id=user["id"], device_id=device["id"])
    return jsonify({"device_id": device["id"], "token": token,
                    "user": {"id": user["id"], "name": user["name"], "role": user["role"]}}), 201
