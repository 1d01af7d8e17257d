"""Users, passwords, API tokens, devices and enrolment codes; who is asking.

Passwords are hashed with werkzeug's scrypt; tokens and codes are random
secrets stored only as SHA-256 hashes (they carry enough entropy that a slow
hash adds nothing).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import secrets
import uuid
from typing import Any, Callable, TypeVar

from flask import current_app, g, request, session
from sqlite_utils import Database
from werkzeug.security import check_password_hash, generate_password_hash

from server import throttle
from server.db import get_db, rows, write
from server.errors import ApiError, Forbidden, Unauthorized
from server.store import now

ROLES = ("handhaver", "teamleider", "beheerder")
PLANNERS = ("teamleider", "beheerder")
USER_TOKEN_PREFIX = "wtu_"  # noqa: S105 - a prefix, not a secret
DEVICE_TOKEN_PREFIX = "wtd_"  # noqa: S105 - a prefix, not a secret
# Enrolment codes are typed on a tablet: no 0/O or 1/I/L to confuse.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$")
MIN_PASSWORD = 10
SESSION_MAX_AGE = dt.timedelta(days=30)  # an office session in use every day still ends after this


class AuthError(ValueError):
    """A user, token or code request that cannot be honoured; the message is Dutch."""


class DeviceRevoked(ApiError):
    """The device was revoked: it must wipe its local data (401)."""

    status, error, message = 401, "device_revoked", "Deze tablet is ingetrokken; lokale gegevens worden gewist."


def hash_secret(secret: str) -> str:
    """Return the SHA-256 of a token or code."""
    return hashlib.sha256(secret.encode()).hexdigest()


def add_user(db: Database, name: str, role: str, password: str | None,
             profile: dict[str, Any] | None = None, *, temporary: bool = False) -> dict[str, Any]:
    """Create a user (with full name, function and the like); refuse a bad name, role, password or profile.

    A temporary password must be changed at the first sign-in to the office pages.
    """
    from server.officials import ProfileError, check_profile
    try:
        details = check_profile(profile or {})
    except ProfileError as err:
        raise AuthError(str(err)) from None
    if not NAME_RE.match(name):
        raise AuthError("Een gebruikersnaam is 2 tot 64 letters, cijfers, punt, - of _.")
    if role not in ROLES:
        raise AuthError(f"Onbekende rol {role!r}: kies uit {', '.join(ROLES)}.")
    if password is not None and len(password) < MIN_PASSWORD:
        raise AuthError(f"Een wachtwoord heeft minstens {MIN_PASSWORD} tekens.")
    with write(db):
        if rows(db, "SELECT 1 FROM users WHERE name = ?", [name]):
            raise AuthError(f"Gebruiker {name} bestaat al.")
        user = {"id": str(uuid.uuid4()), "name": name, "role": role,
                "password_hash": generate_password_hash(password) if password else None, "created_at": now(),
                "must_change_password": 1 if temporary and password else 0, **details}
        db.table("users").insert(user)
    return user


def set_password(db: Database, user_id: str, password: str, *, temporary: bool = False) -> None:
    """Replace a user's password (ending his sessions); a temporary one must be changed at the next sign-in."""
    if len(password) < MIN_PASSWORD:
        raise AuthError(f"Een wachtwoord heeft minstens {MIN_PASSWORD} tekens.")
    with write(db):
        db.execute("UPDATE users SET password_hash = ?, must_change_password = ? WHERE id = ?",
                   [generate_password_hash(password), 1 if temporary else 0, user_id])


def session_mark(user: dict[str, Any]) -> str:
    """Return what a session keeps of its user's password hash: a new password ends every older session."""
    return hash_secret(f"{user['id']}:{user['password_hash'] or ''}")[:24]


def start_session(db: Database, user: dict[str, Any]) -> None:
    """Sign the user in on this request's (fresh) session: a new server-side session row and its cookie."""
    sid = secrets.token_urlsafe(32)
    with write(db):
        # Ended sessions are kept nowhere; one signed in a month ago signs in again (the audit log keeps both).
        db.execute("DELETE FROM web_sessions WHERE ended_at IS NOT NULL OR created_at < ?", [_oldest_session()])
        db.execute("INSERT INTO web_sessions (id, user_id, created_at) VALUES (?, ?, ?)",
                   [hash_secret(sid), user["id"], now()])
    session.permanent = True
    session["user_id"], session["mark"], session["sid"] = user["id"], session_mark(user), sid


def _oldest_session() -> str:
    """Return when the oldest session still good was signed in (SESSION_MAX_AGE ago)."""
    return (dt.datetime.now(dt.UTC) - SESSION_MAX_AGE).isoformat(timespec="seconds")


def end_session(db: Database) -> None:
    """End this request's session on the server (its cookie is cleared by the caller)."""
    sid = session.get("sid")
    if sid:
        with write(db):
            db.execute("UPDATE web_sessions SET ended_at = ? WHERE id = ? AND ended_at IS NULL",
                       [now(), hash_secret(str(sid))])


def end_other_sessions(db: Database, user_id: str) -> None:
    """End every session of a user but this request's (after he changed his password)."""
    current = hash_secret(str(session.get("sid", "")))
    with write(db):
        db.execute("UPDATE web_sessions SET ended_at = ? WHERE user_id = ? AND id != ? AND ended_at IS NULL",
                   [now(), user_id, current])


def session_user(db: Database) -> dict[str, Any] | None:
    """Return the active user of this request's session cookie, or None (an ended session is cleared).

    The cookie must name a session the server has not ended, of a user who is not disabled and whose
    password has not changed since.
    """
    user_id, sid = session.get("user_id"), session.get("sid")
    if not user_id:
        return None
    found = rows(db, "SELECT u.* FROM users u JOIN web_sessions s ON s.user_id = u.id WHERE u.id = ? AND "
                     "u.disabled_at IS NULL AND s.id = ? AND s.ended_at IS NULL AND s.created_at >= ?",
                 [user_id, hash_secret(str(sid)), _oldest_session()])
    if not found or not secrets.compare_digest(str(session.get("mark", "")), session_mark(found[0])):
        session.clear()
        return None
    return found[0]


def find_user(db: Database, name_or_id: str) -> dict[str, Any] | None:
    """Return the user with this name or id."""
    found = rows(db, "SELECT * FROM users WHERE name = ? OR id = ?", [name_or_id, name_or_id])
    return found[0] if found else None


def official(db: Database, user_id: str) -> dict[str, Any]:
    """Return what letters and rapporten print of an official; raise AuthError for an unknown user.

    Keys: id, role, full_name, function_title, email, phone, aanwijzing, legitimation_no (each may be
    None: not recorded yet), and complete: whether the full name is known (letters never show login names).
    """
    found = rows(db, "SELECT * FROM users WHERE id = ?", [user_id])
    if not found:
        raise AuthError("Onbekende gebruiker.")
    user = found[0]
    out = {key: user.get(key) for key in ("id", "role", "full_name", "function_title", "email", "phone",
                                          "aanwijzing", "legitimation_no")}
    return {**out, "complete": bool((user.get("full_name") or "").strip())}


def check_login(db: Database, name: str, password: str) -> dict[str, Any] | None:
    """Return the user when name and password match, else None."""
    user = find_user(db, name)
    if user and user["password_hash"] and not user["disabled_at"] and check_password_hash(user["password_hash"],
                                                                                          password):
        return user
    return None


def create_api_token(db: Database, user_id: str, label: str | None = None) -> str:
    """Create a personal API token; return the secret (shown once)."""
    token = USER_TOKEN_PREFIX + secrets.token_urlsafe(32)
    with write(db):
        db.table("api_tokens").insert({"id": str(uuid.uuid4()), "user_id": user_id, "token_hash": hash_secret(token),
                                 "label": label, "created_at": now()})
    return token


def list_api_tokens(db: Database) -> list[dict[str, Any]]:
    """Return every personal API token (never the secret) with its user's name."""
    return rows(db, "SELECT t.id, t.label, t.created_at, t.revoked_at, t.last_used_at, u.name AS user_name "
                    "FROM api_tokens t JOIN users u ON u.id = t.user_id ORDER BY t.created_at")


def revoke_api_token(db: Database, token_id: str) -> bool:
    """Revoke a personal API token; return False when unknown."""
    with write(db):
        cursor = db.execute("UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?",
                            [now(), token_id])
    return cursor.rowcount > 0


def create_enrol_code(db: Database, user_id: str, created_by: str | None, hours: int) -> str:
    """Create a one-time enrolment code valid for some hours; return it (shown once)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    code = "-".join(raw[i:i + 4] for i in range(0, 12, 4))
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours)
    with write(db):
        db.table("enrol_codes").insert({"code_hash": hash_secret(normalise_code(code)), "user_id": user_id,
                                  "created_by": created_by, "created_at": now(),
                                  "expires_at": expires.isoformat(timespec="seconds")})
    return code


def normalise_code(code: str) -> str:
    """Return a code as it is hashed: no spaces or dashes, capitals."""
    return re.sub(r"[\s-]", "", code).upper()


def enroll(db: Database, code: str, label: str) -> tuple[dict[str, Any], str, dict[str, Any]]:
    """Spend an enrolment code on a new device; return (device, token, user)."""
    with write(db):
        found = rows(db, "SELECT * FROM enrol_codes WHERE code_hash = ?", [hash_secret(normalise_code(code))])
        if not found or found[0]["used_at"]:
            raise AuthError("Onbekende of al gebruikte koppelcode.")
        entry = found[0]
        if dt.datetime.fromisoformat(entry["expires_at"]) < dt.datetime.now(dt.UTC):
            raise AuthError("Deze koppelcode is verlopen; vraag een nieuwe aan.")
        user = rows(db, "SELECT * FROM users WHERE id = ?", [entry["user_id"]])[0]
        token = DEVICE_TOKEN_PREFIX + secrets.token_urlsafe(32)
        device = {"id": str(uuid.uuid4()), "user_id": user["id"], "label": label, "token_hash": hash_secret(token),
                  "created_at": now(), "last_seq": 0}
        db.table("devices").insert(device)
        db.execute("UPDATE enrol_codes SET used_at = ?, device_id = ? WHERE code_hash = ?",
                   [now(), device["id"], entry["code_hash"]])
    return device, token, user


def list_devices(db: Database) -> list[dict[str, Any]]:
    """Return every device with its user's name, newest first."""
    return rows(db, "SELECT d.*, u.name AS user_name FROM devices d JOIN users u ON u.id = d.user_id "
                    "ORDER BY d.created_at DESC")


def revoke_device(db: Database, device_id: str, *, keep_data: bool = False) -> dict[str, Any] | None:
    """Revoke a device (its tablet wipes itself unless keep_data); return the device as it was, None when unknown.

    A device revoked before stays as it was revoked.
    """
    with write(db):
        found = rows(db, "SELECT * FROM devices WHERE id = ?", [device_id])
        if not found:
            return None
        if found[0]["revoked_at"] is None:
            db.execute("UPDATE devices SET revoked_at = ?, wipe_on_revoke = ? WHERE id = ?",
                       [now(), 0 if keep_data else 1, device_id])
    return found[0]


def authenticate(db: Database, token: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Return (user, device or None) for a bearer token; raise Unauthorized or DeviceRevoked."""
    digest = hash_secret(token)
    if token.startswith(DEVICE_TOKEN_PREFIX):
        found = rows(db, "SELECT * FROM devices WHERE token_hash = ?", [digest])
        if not found:
            raise Unauthorized("Onbekend token.")
        device = found[0]
        if device["revoked_at"]:
            if device["wipe_on_revoke"]:
                raise DeviceRevoked(wipe=True)
            # Its own code, so that an app from before --keep-data (which wipes on device_revoked) keeps its data.
            raise DeviceRevoked("Deze tablet is ingetrokken; de gegevens op de tablet blijven bewaard. Koppel hem "
                                "opnieuw met 'woontoezicht-veld enroll --keep-outbox'.", error="device_suspended",
                                wipe=False)
        user = rows(db, "SELECT * FROM users WHERE id = ?", [device["user_id"]])[0]
        _check_active(user)
        return user, device
    found = rows(db, "SELECT t.*, u.disabled_at FROM api_tokens t JOIN users u ON u.id = t.user_id "
                     "WHERE t.token_hash = ? AND t.revoked_at IS NULL", [digest])
    if not found:
        raise Unauthorized("Onbekend of ingetrokken token.")
    user = rows(db, "SELECT * FROM users WHERE id = ?", [found[0]["user_id"]])[0]
    _check_active(user)
    return user, None


def address_key() -> str:
    """Return the throttle key of this request's client address."""
    return f"addr:{remote_addr() or '-'}"


def count_failure(db: Database, names: dict[str, int]) -> None:
    """Count a failed attempt from this client address (and for the given name keys); audit a new burst once."""
    from server.audit import audit  # audit reads the request through this module
    keys = {address_key(): int(current_app.config["AUTH_FREE_FAILURES"]), **names}
    for key in throttle.failed(db, keys):
        audit(db, "auth_throttled", None, None, {"key": key.split(":", 1)[0] if key.startswith("code:") else key})


def authenticate_guarded(db: Database, token: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Authenticate a bearer token, refusing a client address that guessed too often (429)."""
    throttle.check(db, [address_key()])
    try:
        user, device = authenticate(db, token)
    except DeviceRevoked:
        raise
    except Unauthorized:
        count_failure(db, {})
        raise
    if device is None:
        _note_token_use(db, token)
    return user, device


def _note_token_use(db: Database, token: str) -> None:
    """Record when (at most once a minute) and from where a personal API token was last used."""
    stale = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).isoformat(timespec="seconds")
    with write(db):
        db.execute("UPDATE api_tokens SET last_used_at = ?, last_used_from = ? WHERE token_hash = ? AND "
                   "(last_used_at IS NULL OR last_used_at < ?)", [now(), remote_addr(), hash_secret(token), stale])


def _check_active(user: dict[str, Any]) -> None:
    if user["disabled_at"]:
        raise Unauthorized("Dit account is uitgeschakeld.")


def current_user() -> dict[str, Any]:
    """Return the user of this request; raise Unauthorized when there is none."""
    if "user" not in g:
        header = request.headers.get("Authorization", "")
        db = get_db()
        if header:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise Unauthorized("Gebruik Authorization: Bearer <token>.")
            g.user, g.device = authenticate_guarded(db, token.strip())
        elif session.get("user_id"):
            found = session_user(db)
            if found is None:
                raise Unauthorized()
            _check_session_request(found)
            g.user, g.device = found, None
        else:
            raise Unauthorized()
    user: dict[str, Any] = g.user
    return user


def _check_session_request(user: dict[str, Any]) -> None:
    """Refuse a session's API call that changes something without the page's CSRF token, or before a forced
    password change."""
    if user.get("must_change_password"):
        raise Forbidden("Kies eerst een nieuw wachtwoord (aanmelden op de kantoorpagina's).")
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        from flask_wtf.csrf import validate_csrf
        from wtforms import ValidationError
        try:
            validate_csrf(request.headers.get("X-CSRFToken"))
        except ValidationError:
            raise Forbidden("Een verzoek vanuit een sessie heeft het CSRF-token van de pagina nodig "
                            "(kop X-CSRFToken).", error="csrf") from None


def current_device() -> dict[str, Any] | None:
    """Return the device of this request, if it came from a tablet."""
    current_user()
    device: dict[str, Any] | None = g.device
    return device


F = TypeVar("F", bound=Callable[..., Any])


# What a device token may do (DESIGN.md: sync, attachments, signing its user's own rapporten),
# whatever its user's role: every other endpoint refuses it.
DEVICE_ENDPOINTS = frozenset({"api.sync_push", "api.sync_pull", "api.missing", "api.upload_offset",
                              "api.upload_chunk", "api.download", "api.rapport_pdf", "api.rapport_info",
                              "api.rapport_sign"})


def require(*roles: str) -> Callable[[F], F]:
    """Let only signed-in users with one of these roles (any role when none given) through.

    A device token gets through only to the endpoints in DEVICE_ENDPOINTS.
    """
    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if g.device is not None and request.endpoint not in DEVICE_ENDPOINTS:
                raise Forbidden("Een tabletkoppeling geeft alleen toegang tot synchroniseren en foto's; gebruik "
                                "voor andere verzoeken een persoonlijk API-token.")
            if roles and user["role"] not in roles:
                raise Forbidden()
            return view(*args, **kwargs)
        return wrapped  # type: ignore[return-value]
    return decorate


def remote_addr() -> str | None:
    """Return the client's address: with TRUST_PROXY, the last X-Forwarded-For hop (the one our proxy added).

    Earlier hops are whatever the client wrote, so trusting the first would let anyone pick his address
    for the audit log and the sign-in throttle.
    """
    if current_app.config["TRUST_PROXY"] and request.headers.get("X-Forwarded-For"):
        return request.headers["X-Forwarded-For"].split(",")[-1].strip() or request.remote_addr
    return request.remote_addr
