"""Who may see a page: signed in through the session, the forced password change, and the role."""

from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar

from flask import abort, g, redirect, request, url_for

from server.auth import session_user
from server.db import get_db

F = TypeVar("F", bound=Callable[..., Any])

# The office's menu: (endpoint, label, roles). A page appears once its module is registered.
MENU: list[tuple[str, str, tuple[str, ...]]] = [
    ("web.home", "Overzicht", ("handhaver", "teamleider", "beheerder")),
    ("web.my_week", "Mijn week", ("handhaver",)),
    ("web.planning", "Planning", ("teamleider", "beheerder")),
    ("web.addresses", "Adressen", ("teamleider", "beheerder")),
    ("web.cases", "Zaken", ("teamleider",)),
    ("web.conflicts", "Conflicten", ("teamleider", "beheerder")),
    ("web.devices", "Tablets", ("beheerder",)),
    ("web.users", "Gebruikers", ("beheerder",)),
    ("web.jobs", "Taken", ("beheerder",)),
    ("web.audit_log", "Logboek", ("beheerder",)),
]


def signed_in() -> dict[str, Any] | None:
    """Return the user signed in with this request's session (cached on g), or None."""
    if "user" not in g:
        found = session_user(get_db())
        if found is None:
            return None
        g.user, g.device = found, None
    user: dict[str, Any] | None = g.user
    return user


def page(*roles: str) -> Callable[[F], F]:
    """Let only signed-in users with one of these roles (any role when none given) see the page.

    Someone not signed in is sent to /login and back here afterwards; a user with a temporary password
    first chooses his own; another role gets a 403 page.
    """
    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = signed_in()
            if user is None:
                target = request.full_path if request.method == "GET" else request.path
                return redirect(url_for("web.login", next=target.rstrip("?")))
            if user.get("must_change_password") and request.endpoint != "web.password":
                return redirect(url_for("web.password"))
            if roles and user["role"] not in roles:
                abort(403)
            return view(*args, **kwargs)
        return wrapped  # type: ignore[return-value]
    return decorate


def menu(user: dict[str, Any] | None, endpoints: set[str]) -> list[tuple[str, str]]:
    """Return the menu entries (endpoint, label) this user may open among the registered endpoints."""
    if user is None:
        return []
    return [(endpoint, label) for endpoint, label, roles in MENU if user["role"] in roles and endpoint in endpoints]


def safe_next(target: str | None) -> str | None:
    """Return a place to go after signing in only when it is a plain path on this site (never another host).

    Browsers drop tabs and newlines from a URL, so "/<tab>/evil.example" would become "//evil.example":
    any control character, a backslash, a scheme or a host refuses the target.
    """
    if not target or len(target) > 2000 or any(ord(c) < 32 or ord(c) == 127 for c in target) or "\\" in target:
        return None
    if not target.startswith("/") or target.startswith("//"):  # a single slash: no scheme, no host
        return None
    return target
