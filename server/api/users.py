"""Officials: the list for teamleider and beheerder; one user and its profile for the beheerder. Never hashes."""

from __future__ import annotations

from flask import Response, jsonify, request

from server.api import bp
from server.audit import audit
from server.auth import PLANNERS, require
from server.db import get_db, rows
from server.errors import Invalid, NotFound
from server.http import PageQuery, json_object, page, query
from server.officials import ProfileError, list_users, public_user, set_profile

user_query = PageQuery()


@bp.get("/users")
@require(*PLANNERS)
def list_users_endpoint() -> Response:
    """List users by id: login name, role, full name, function, e-mail, phone, aanwijzing, legitimation number."""
    q = query(user_query)
    db = get_db()
    found = list_users(db, after=q["after"], limit=q["limit"] + 1)
    audit(db, "list", "user", None, {"filters": request.args.to_dict(), "count": min(len(found), q["limit"]),
                                     "ids": [u["id"] for u in found[:q["limit"]]]})
    return jsonify(page(found, q["limit"], lambda u: u["id"], "api.list_users_endpoint"))


@bp.get("/users/<user_id>")
@require("beheerder")
def get_user(user_id: str) -> Response:
    """Return one user."""
    db = get_db()
    found = rows(db, "SELECT * FROM users WHERE id = ?", [user_id])
    if not found:
        raise NotFound("Gebruiker niet gevonden.")
    audit(db, "read", "user", user_id)
    return jsonify(public_user(found[0]))


@bp.patch("/users/<user_id>")
@require("beheerder")
def update_user(user_id: str) -> Response:
    """Change a user's full name, function, e-mail, phone, aanwijzing or legitimation number."""
    body = json_object()
    db = get_db()
    try:
        changed = set_profile(db, user_id, body)
    except ProfileError as err:
        raise Invalid(errors=err.messages) from None
    if changed is None:
        raise NotFound("Gebruiker niet gevonden.")
    audit(db, "update", "user", user_id, {"fields": sorted(body)})
    return jsonify(changed)
