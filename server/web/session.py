"""The session cookie: signed, HttpOnly, SameSite=Lax, and Secure whenever the page came over https."""

from __future__ import annotations

from flask import Flask, current_app, request
from flask.sessions import SecureCookieSessionInterface


def served_over_https() -> bool:
    """Return whether this request came over https (behind a trusted proxy: as the proxy says)."""
    if request.is_secure:
        return True
    return bool(current_app.config["TRUST_PROXY"]) and request.headers.get("X-Forwarded-Proto", "") == "https"


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session with its Secure flag decided per request."""

    def get_cookie_secure(self, app: Flask) -> bool:
        """Mark the cookie Secure when configured or when this request is https."""
        return bool(app.config["SESSION_COOKIE_SECURE"]) or served_over_https()
