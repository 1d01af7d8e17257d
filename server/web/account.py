"""Signing in and out, and choosing a new password (forced after a temporary one)."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from schemas.base import BaseSchema, Str, max_length
from server import throttle
from server.audit import audit
from server.auth import (
    MIN_PASSWORD,
    AuthError,
    address_key,
    check_login,
    count_failure,
    end_other_sessions,
    end_session,
    find_user,
    session_mark,
    set_password,
    start_session,
)
from server.db import get_db
from server.web import bp
from server.web.access import page, safe_next, signed_in
from server.web.forms import keep_posted_form, parse


class LoginForm(BaseSchema):
    """The sign-in form."""

    username = Str(required=True, validate=max_length(64))
    password = Str(required=True, validate=max_length(200))
    next = Str(validate=max_length(2000))
    csrf_token = Str()


class PasswordForm(BaseSchema):
    """A new password, typed twice, after the current one."""

    current = Str(required=True, validate=max_length(200))
    new = Str(required=True, validate=max_length(200))
    again = Str(required=True, validate=max_length(200))
    csrf_token = Str()


LOGIN_FIELDS = {"username": "text", "password": "raw", "next": "text", "csrf_token": "raw"}
PASSWORD_FIELDS = {"current": "raw", "new": "raw", "again": "raw", "csrf_token": "raw"}


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | tuple[str, int] | str:
    """Show the sign-in form; sign in with a name and password."""
    target = safe_next(request.values.get("next"))
    if request.method == "GET":
        if signed_in():
            return redirect(target or url_for("web.home"))
        return render_template("login.html", values={"next": target or ""}, errors={},
                               expired=request.args.get("verlopen") == "1")
    data, errors = parse(LoginForm(), request.form, LOGIN_FIELDS)
    values = {"username": request.form.get("username", ""), "next": target or ""}
    if data is None:
        return render_template("login.html", values=values, errors=errors), 422
    db = get_db()
    name_key = f"user:{data['username'].lower()}"
    try:
        throttle.check(db, [address_key(), name_key])
    except throttle.TooManyAttempts as err:
        response = current_app.make_response((render_template("login.html", values=values, errors={},
                                                               message=err.message), 429))
        response.headers["Retry-After"] = str(err.retry_after)
        return response
    user = check_login(db, data["username"], data["password"])
    if user is None:
        count_failure(db, {name_key: int(current_app.config["AUTH_FREE_FAILURES_NAME"])})
        # The name only when it is a user's: what was typed may be a password in the wrong field.
        known = find_user(db, data["username"])
        audit(db, "login_failed", "user", known["id"] if known else None,
              {"name": known["name"]} if known else {"name_known": False})
        return render_template("login.html", values=values, errors={},
                               message="Onbekende gebruikersnaam of verkeerd wachtwoord."), 401
    throttle.forget(db, name_key)
    kept = session.get("kept_form")
    session.clear()  # a fresh session: nothing of before sign-in carries over but a form kept for its page
    start_session(db, user)
    if kept:
        session["kept_form"] = kept
    g.user, g.device = user, None
    audit(db, "login", "user", user["id"])
    if user.get("must_change_password"):
        return redirect(url_for("web.password"))
    return redirect(target or url_for("web.home"))


@bp.post("/logout")
def logout() -> Response:
    """Sign out: the session ends here and its cookie is emptied."""
    user = signed_in()
    if user:
        audit(get_db(), "logout", "user", user["id"])
        end_session(get_db())  # a copy of the cookie is worth nothing from now on
    session.clear()
    return redirect(url_for("web.login"))


@bp.route("/wachtwoord", methods=["GET", "POST"])
@page()
def password() -> Response | tuple[str, int] | str:
    """Choose a new password (the current one first); required after a temporary one."""
    user: dict[str, Any] = g.user
    forced = bool(user.get("must_change_password"))
    if request.method == "GET":
        return render_template("password.html", errors={}, forced=forced, min_length=MIN_PASSWORD)
    data, errors = parse(PasswordForm(), request.form, PASSWORD_FIELDS)
    db = get_db()
    name_key = f"user:{user['name'].lower()}"
    if data is not None:
        try:  # guessing the current password here is slowed down as signing in is
            throttle.check(db, [address_key(), name_key])
        except throttle.TooManyAttempts as err:
            return render_template("password.html", errors={"current": err.message}, forced=forced,
                                   min_length=MIN_PASSWORD), 429
        if check_login(db, user["name"], data["current"]) is None:
            count_failure(db, {name_key: int(current_app.config["AUTH_FREE_FAILURES_NAME"])})
            errors["current"] = "Dit is niet uw huidige wachtwoord."
        elif data["new"] != data["again"]:
            errors["again"] = "De twee nieuwe wachtwoorden verschillen."
        elif data["new"] == data["current"]:
            errors["new"] = "Kies een ander wachtwoord dan het huidige."
        else:
            try:
                set_password(db, user["id"], data["new"])
            except AuthError as err:
                errors["new"] = str(err)
    if errors:
        return render_template("password.html", errors=errors, forced=forced, min_length=MIN_PASSWORD), 422
    fresh = dict(user, password_hash=db.execute("SELECT password_hash FROM users WHERE id = ?",
                                                [user["id"]]).fetchone()[0])
    session["mark"] = session_mark(fresh)  # this session goes on; every other one of his has ended
    end_other_sessions(db, user["id"])
    audit(db, "password_changed", "user", user["id"])
    return redirect(url_for("web.home", gewijzigd=1))


def expired_form() -> tuple[str, int]:
    """Answer a form refused for its CSRF token: sign in again (what was typed kept) or fill it in again."""
    if request.method == "POST" and signed_in() is None:
        kept = keep_posted_form()
        return render_template("login.html", values={"next": request.path}, errors={}, expired=True,
                               kept=kept), 400
    return render_template("error.html", status=400, detail={},
                           message="Dit formulier is verlopen of kwam niet van deze pagina's. Open de pagina "
                                   "opnieuw en vul het nog eens in."), 400
