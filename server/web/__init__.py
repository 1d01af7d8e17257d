"""The office's web pages (server-rendered Dutch HTML) on the same app and port as the API.

Pages call the same domain functions as the REST API; forms are parsed by marshmallow schemas and
carry Flask-WTF's CSRF token. The API blueprint is exempt from the form check (tokens are not sent
by browsers on their own); a session-authenticated unsafe API call needs the token in X-CSRFToken
(server.auth checks that).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static",
               static_url_path="/kantoor-static")
csrf = CSRFProtect()

# No script or style from anywhere but this server, none inline; frames only from here (the PDF preview).
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "font-src 'self'; connect-src 'self'; frame-src 'self'; object-src 'none'; "
                           "base-uri 'none'; form-action 'self'; frame-ancestors 'self'")


def is_page() -> bool:
    """Return whether this request is for an office page (not the API, the tablet sync or health)."""
    return not request.path.startswith(("/api/", "/healthz"))


def init_app(app: Flask) -> None:
    """Register the pages, CSRF protection, the pages' security headers and their HTML errors."""
    from server import api
    from server.web import (  # noqa: F401 - routes register on import
        account,
        addresses,
        admin,
        audit_pages,
        cases,
        conflicts,
        home,
        jobs_pages,
        my_week,
        planning,
    )
    from server.web.account import expired_form
    from server.web.filters import register_filters
    from server.web.forms import field_label, kept_list, kept_value
    from server.web.session import SessionInterface

    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # the token lives as long as the session
    app.config.setdefault("WTF_CSRF_SSL_STRICT", False)  # SameSite=Lax and the token guard; proxies drop Referer
    app.session_interface = SessionInterface()
    csrf.init_app(app)
    csrf.exempt(api.bp)
    register_filters(app)
    app.jinja_env.globals.update(kept_value=kept_value, kept_list=kept_list, field_label=field_label)
    app.register_blueprint(bp)
    app.extensions["html_errors"] = error_page
    app.after_request(_security_headers)
    app.context_processor(_page_context)

    @app.errorhandler(CSRFError)
    def _csrf_error(err: CSRFError) -> tuple[str, int]:
        return expired_form()  # sign in again (what was typed kept) or fill the form in again


def _page_context() -> dict[str, Any]:
    from flask import current_app

    from server.web.access import menu, signed_in
    if not is_page():
        return {}
    try:
        user = signed_in()
    except Exception:  # an error page must render even when the database does not answer
        user = None
    endpoints = {rule.endpoint for rule in current_app.url_map.iter_rules()}
    return {"current_user": user, "office_menu": menu(user, endpoints)}


def error_page(status: int, message: str, detail: dict[str, Any] | None = None) -> Response:
    """Render an error as a Dutch page with the same status."""
    return Response(render_template("error.html", status=status, message=message, detail=detail or {}),
                    status=status, mimetype="text/html")


def _security_headers(response: Response) -> Response:
    if is_page():
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-store")  # case data stays off shared caches
    return response
