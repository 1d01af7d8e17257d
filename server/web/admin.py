"""The beheerder's pages: Tablets (list, enrolment code with its QR code, revoke) and Gebruikers (add,
disable, role, password reset, the official's fields)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

import segno
from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from markupsafe import Markup
from werkzeug.wrappers import Response

from schemas.base import BaseSchema, Str, max_length, one_of
from server import accounts
from server import devices as device_rules
from server.audit import audit
from server.auth import ROLES, AuthError, create_enrol_code
from server.db import get_db, rows
from server.errors import Conflict, NotFound
from server.officials import PROFILE_FIELDS, ProfileError, profile_schema, public_user, set_profile
from server.web import bp
from server.web.access import page
from server.web.forms import field_errors, parse

PAGE_SIZE = 50
PICK_LIMIT = 500  # users offered for an enrolment code (a municipality has a few dozen)
REVOKE_HOW = ("", "force", "keep_data")
PROFILE_KINDS = dict.fromkeys(PROFILE_FIELDS, "text?")
ROLE_OPTIONS = [(role, accounts.ROLE_LABELS[role]) for role in ROLES]
PROFILE_LABELS = {"full_name": "Volledige naam", "function_title": "Functie", "email": "E-mailadres",
                  "phone": "Telefoonnummer", "aanwijzing": "Aanwijzingsbesluit (Awb 5:11)",
                  "legitimation_no": "Nummer legitimatiebewijs (Awb 5:12)"}
PROFILE_HINTS = {"full_name": "Zoals brieven en rapporten hem tonen.",
                 "function_title": "Bijvoorbeeld toezichthouder woonoverlast.",
                 "aanwijzing": "Kenmerk van het besluit dat hem als toezichthouder aanwijst."}


def _back(text: str | None) -> tuple[str, str] | None:
    if not text or "|" not in text:
        return None
    first, _, second = text.partition("|")
    return first, second


# --- Tablets ---------------------------------------------------------------------------------------------

class EnrolForm(BaseSchema):
    """For whom a tablet is enrolled."""

    user_id = Str(required=True, validate=max_length(64), error_messages={"required": "Kies een gebruiker."})


class RevokeForm(BaseSchema):
    """How a tablet is revoked: plainly, giving up its unsynced work, or letting it keep its data."""

    how = Str(load_default="", validate=one_of(REVOKE_HOW))


def _enrol_users(db: Any) -> list[tuple[str, str]]:
    found = rows(db, "SELECT id, name, full_name, role FROM users WHERE disabled_at IS NULL "
                     "ORDER BY role = 'handhaver' DESC, name LIMIT ?", [PICK_LIMIT])
    return [(u["id"], f"{u['full_name'] or u['name']} ({u['name']}, {u['role']})") for u in found]


def _devices_page(values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
                  status: int = 200) -> tuple[str, int]:
    db = get_db()
    after = request.args.get("na")
    found = device_rules.devices_page(db, after=_back(after), limit=PAGE_SIZE + 1)
    shown = found[:PAGE_SIZE]
    audit(db, "list", "device", None, {"count": len(shown), "ids": [d["id"] for d in shown]})
    last = shown[-1] if shown else None
    next_after = f"{last['created_at']}|{last['id']}" if len(found) > PAGE_SIZE and last else None
    items = [{**d, "outbox": _outbox(d), "unsynced": device_rules.unsynced(d)} for d in shown]
    return render_template("devices.html", items=items, users=_enrol_users(db), after=after or "",
                           next_after=next_after, values=values or {"user_id": request.args.get("gebruiker", "")},
                           errors=errors or {}, hours=current_app.config["ENROLL_CODE_HOURS"]), status


@bp.get("/tablets")
@page("beheerder")
def devices() -> tuple[str, int]:
    """List the tablets with their user, last sync and reported unsynced work; a form for an enrolment code."""
    return _devices_page()


def _outbox(device: dict[str, Any]) -> str:
    if device["outbox_size"] is None:
        return "nooit gemeld"
    return device_rules.outbox_text(device)


def enrol_payload(server_url: str, code: str) -> str:
    """Return what the QR code holds: woontoezicht://enroll?server=<url, percent-encoded>&code=<code>."""
    return f"woontoezicht://enroll?server={quote(server_url, safe='')}&code={quote(code, safe='')}"


def qr_svg(payload: str) -> Markup:
    """Return the payload as an inline SVG QR code: presentation attributes only (the CSP allows no style)."""
    svg = segno.make(payload, error="m", micro=False).svg_inline(
        scale=5, border=4, dark="#000", light="#fff", svgclass="qr-code", lineclass=None,
        title="QR-code met het serveradres en de koppelcode")
    # segno's output holds only path data and our constant title, never the typed input as text.
    labelled = svg.replace("<svg ", '<svg role="img" aria-label="QR-code met het serveradres en de koppelcode" ', 1)
    return Markup(labelled)  # noqa: S704


@bp.post("/tablets/koppelcode")
@page("beheerder")
def devices_code() -> tuple[str, int]:
    """Make a one-time enrolment code for a user; show it once as text and as a QR code."""
    data, errors = parse(EnrolForm(), request.form, {"user_id": "text"})
    db = get_db()
    user = None
    if data is not None:
        found = rows(db, "SELECT * FROM users WHERE id = ? AND disabled_at IS NULL", [data["user_id"]])
        if not found:
            errors = {"user_id": "Kies een actieve gebruiker uit de lijst."}
        else:
            user = found[0]
    if user is None:
        return _devices_page({"user_id": request.form.get("user_id", "")}, errors, 422)
    hours = int(current_app.config["ENROLL_CODE_HOURS"])
    code = create_enrol_code(db, user["id"], g.user["id"], hours)
    audit(db, "create", "enrol_code", None, {"user_id": user["id"], "hours": hours})
    server_url = public_url()
    payload = enrol_payload(server_url, code)
    expires = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours)).isoformat(timespec="seconds")
    return render_template("device_code.html", user=user, code=code, payload=payload, svg=qr_svg(payload),
                           server_url=server_url, hours=hours, expires=expires), 200


def public_url() -> str:
    """Return the address tablets reach this server at: PUBLIC_URL, else as this request came in (behind a
    trusted proxy: the scheme and host the proxy says the browser used)."""
    configured = str(current_app.config["PUBLIC_URL"]).strip().rstrip("/")
    if configured:
        return configured
    scheme, host = request.scheme, request.host
    if current_app.config["TRUST_PROXY"]:
        scheme = request.headers.get("X-Forwarded-Proto", scheme).split(",")[0].strip() or scheme
        host = request.headers.get("X-Forwarded-Host", host).split(",")[0].strip() or host
    return f"{scheme}://{host}{request.script_root}"


def _device_or_404(device_id: str) -> dict[str, Any]:
    device = device_rules.get_device(get_db(), device_id)
    if device is None:
        abort(404)
    return device


@bp.get("/tablets/<device_id>/intrekken")
@page("beheerder")
def devices_revoke_form(device_id: str) -> str:
    """Ask before revoking a tablet, with the warning when it may hold unsynced work."""
    device = _device_or_404(device_id)
    audit(get_db(), "read", "device", device_id)
    return render_template("device_revoke.html", device=device, outbox=_outbox(device),
                           unsynced=device_rules.unsynced(device), refused=False)


@bp.post("/tablets/<device_id>/intrekken")
@page("beheerder")
def devices_revoke(device_id: str) -> Response | tuple[str, int]:
    """Revoke a tablet; refused with the warning when it may hold unsynced work, unless forced or keep-data."""
    device = _device_or_404(device_id)
    data, _ = parse(RevokeForm(), request.form, {"how": "text"})
    if data is None:
        abort(400)
    db = get_db()
    try:
        done = device_rules.revoke(db, device_id, force=data["how"] == "force", keep_data=data["how"] == "keep_data")
    except device_rules.UnsyncedWork:
        return render_template("device_revoke.html", device=device, outbox=_outbox(device),
                               unsynced=True, refused=True), 409
    if done.already:
        flash(f"Tablet {device['label']} was al ingetrokken; niets veranderd.", "warn")
    else:
        audit(db, "revoke", "device", device_id, {"how": data["how"] or "plain", "outbox": device["outbox_size"]})
        flash(f"Tablet {device['label']} van {device['user_full_name'] or device['user_name']} is ingetrokken; "
              + ("hij bewaart zijn gegevens en kan opnieuw gekoppeld worden." if data["how"] == "keep_data" else
                 "hij wist bij de volgende verbinding zijn gegevens."), "ok")
    return redirect(url_for("web.devices"))


# --- Gebruikers -----------------------------------------------------------------------------------------

class RoleForm(BaseSchema):
    """A user's new role."""

    role = Str(required=True, validate=one_of(ROLES))


def _user_or_404(user_id: str) -> dict[str, Any]:
    found = rows(get_db(), "SELECT * FROM users WHERE id = ?", [user_id])
    if not found:
        abort(404)
    return found[0]


@bp.get("/gebruikers")
@page("beheerder")
def users() -> str:
    """List the users by login name, with role, full name, function and whether they are active."""
    db = get_db()
    after = request.args.get("na") or ""
    found = rows(db, "SELECT * FROM users WHERE name > ? ORDER BY name LIMIT ?", [after, PAGE_SIZE + 1])
    shown = [public_user(u) for u in found[:PAGE_SIZE]]
    audit(db, "list", "user", None, {"count": len(shown), "ids": [u["id"] for u in shown]})
    return render_template("users.html", items=shown, after=after, roles=accounts.ROLE_LABELS,
                           next_after=shown[-1]["name"] if len(found) > PAGE_SIZE else None)


@bp.route("/gebruikers/nieuw", methods=["GET", "POST"])
@page("beheerder")
def users_new() -> str | tuple[str, int]:
    """Add a user with a temporary password, shown once; he chooses his own at his first sign-in."""
    if request.method == "GET":
        return render_template("user_new.html", values={"role": "handhaver"}, errors={}, **_labels())
    data, errors = parse(accounts.new_user_schema, request.form, {"name": "text", "role": "text", **PROFILE_KINDS})
    values = {k: request.form.get(k, "") for k in ("name", "role", *PROFILE_FIELDS)}
    if data is not None:
        try:
            user, password = accounts.create(get_db(), data)
        except AuthError as err:
            errors = {"name": str(err)}
        except ProfileError as err:
            errors = field_errors(err.messages)
        else:
            audit(get_db(), "create", "user", user["id"], {"role": user["role"]})
            return _user_page(user["id"], password=password, created=True)
    return render_template("user_new.html", values=values, errors=errors, **_labels()), 422


def _labels() -> dict[str, Any]:
    return {"roles": ROLE_OPTIONS, "profile_fields": PROFILE_FIELDS, "labels": PROFILE_LABELS, "hints": PROFILE_HINTS}


def _user_page(user_id: str, *, password: str | None = None, created: bool = False,
               values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
               role_error: str | None = None, message: str | None = None, status: int = 200) -> tuple[str, int]:
    user = public_user(_user_or_404(user_id))
    db = get_db()
    tablets = rows(db, "SELECT id, label, created_at, last_seen_at, revoked_at FROM devices WHERE user_id = ? "
                       "ORDER BY created_at DESC LIMIT 20", [user_id])
    return render_template("user.html", user=user, password=password, created=created,
                           values=values if values is not None else {k: v or "" for k, v in user.items()},
                           errors=errors or {},
                           role_error=role_error, message=message, tablets=tablets, me=g.user["id"] == user_id,
                           role_labels=accounts.ROLE_LABELS, **_labels()), status


@bp.get("/gebruikers/<user_id>")
@page("beheerder")
def users_page(user_id: str) -> tuple[str, int]:
    """Show one user: his official's fields to edit, his role, disable or enable, a password reset."""
    _user_or_404(user_id)
    audit(get_db(), "read", "user", user_id)
    return _user_page(user_id)


@bp.post("/gebruikers/<user_id>")
@page("beheerder")
def users_profile(user_id: str) -> Response | tuple[str, int]:
    """Change a user's official's fields (the same schema as PATCH /api/v1/users/<id>)."""
    _user_or_404(user_id)
    data, errors = parse(profile_schema, request.form, PROFILE_KINDS)
    if data is None:
        return _user_page(user_id, values={k: request.form.get(k, "") for k in PROFILE_FIELDS}, errors=errors,
                          status=422)
    try:
        set_profile(get_db(), user_id, data)
    except ProfileError as err:
        return _user_page(user_id, values={k: request.form.get(k, "") for k in PROFILE_FIELDS},
                          errors=field_errors(err.messages), status=422)
    audit(get_db(), "update", "user", user_id, {"fields": sorted(data)})
    flash("De gegevens zijn opgeslagen.", "ok")
    return redirect(url_for("web.users_page", user_id=user_id))


@bp.post("/gebruikers/<user_id>/rol")
@page("beheerder")
def users_role(user_id: str) -> Response | tuple[str, int]:
    """Give a user another role; the last active beheerder keeps his."""
    _user_or_404(user_id)
    data, errors = parse(RoleForm(), request.form, {"role": "text"})
    if data is None:
        return _user_page(user_id, role_error=errors.get("role"), status=422)
    try:
        user = accounts.set_role(get_db(), user_id, data["role"], g.user["id"])
    except Conflict as err:
        return _user_page(user_id, role_error=err.message, status=409)
    audit(get_db(), "role", "user", user_id, {"role": user["role"]})
    flash(f"{user['full_name'] or user['name']} is nu {accounts.ROLE_LABELS[user['role']]}.", "ok")
    return redirect(url_for("web.users_page", user_id=user_id))


def _switch(user_id: str, disabled: bool) -> Response | tuple[str, int]:
    _user_or_404(user_id)
    try:
        user = accounts.set_disabled(get_db(), user_id, disabled, g.user["id"])
    except Conflict as err:
        return _user_page(user_id, message=err.message, status=409)
    except NotFound:
        abort(404)
    audit(get_db(), "disable" if disabled else "enable", "user", user_id)
    name = user["full_name"] or user["name"]
    flash(f"{name} is uitgeschakeld: aanmelden, zijn API-tokens en tablets werken niet meer." if disabled else
          f"{name} is weer ingeschakeld.", "ok")
    return redirect(url_for("web.users_page", user_id=user_id))


@bp.post("/gebruikers/<user_id>/uitschakelen")
@page("beheerder")
def users_disable(user_id: str) -> Response | tuple[str, int]:
    """Disable a user: his sessions, API tokens and tablets stop working at once."""
    return _switch(user_id, True)


@bp.post("/gebruikers/<user_id>/inschakelen")
@page("beheerder")
def users_enable(user_id: str) -> Response | tuple[str, int]:
    """Enable a disabled user again."""
    return _switch(user_id, False)


@bp.post("/gebruikers/<user_id>/wachtwoord")
@page("beheerder")
def users_password(user_id: str) -> tuple[str, int]:
    """Give a user a new temporary password, shown once; his sessions end."""
    _user_or_404(user_id)
    if user_id == g.user["id"]:
        return _user_page(user_id, message="Uw eigen wachtwoord wijzigt u via Wachtwoord bovenaan.", status=409)
    password = accounts.reset_password(get_db(), user_id)
    audit(get_db(), "password_reset", "user", user_id)
    return _user_page(user_id, password=password)
