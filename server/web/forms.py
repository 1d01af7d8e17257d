"""Forms: posted values typed for the same marshmallow schemas as the API, their errors per field.

A form's fields are all text; `typed` turns them into what the schema expects (numbers, booleans, dates
as ISO text, nothing for an empty field) without judging them: the schema does that and says what is
wrong in Dutch, so a page and the API refuse the same input with the same words.
"""

from __future__ import annotations

import re
from typing import Any

from flask import g, request, session
from marshmallow import Schema, ValidationError
from werkzeug.datastructures import MultiDict

INT = re.compile(r"^-?\d{1,18}$")
NEVER_KEPT = frozenset({"/login", "/wachtwoord", "/logout"})  # forms of passwords: never into the cookie
KEPT_LIMIT = 2500  # characters of a form kept across an expired session (the cookie holds at most 4 KB)


def typed(form: MultiDict[str, str], kinds: dict[str, str]) -> dict[str, Any]:
    """Return the form's fields named in kinds as the schema wants them.

    Kinds: "text" (stripped; empty is left out), "text?" (empty becomes None), "int", "bool" (a checkbox:
    present is True), "list" (every value of a repeated field), "raw" (as sent, spaces kept; empty is left out).
    """
    out: dict[str, Any] = {}
    for name, kind in kinds.items():
        if kind == "bool":
            out[name] = name in form and form.get(name) not in ("", "0", "off", "false")
            continue
        if kind == "list":
            out[name] = [v for v in form.getlist(name) if v != ""]
            continue
        if name not in form:
            continue
        value = form.get(name, "")
        if kind == "raw":
            if value != "":
                out[name] = value
            continue
        value = value.strip()
        if value == "":
            if kind == "text?":
                out[name] = None
            continue
        if kind == "int":
            out[name] = int(value) if INT.match(value) else value  # the schema names a non-number
        else:
            out[name] = value
    return out


def parse(schema: Schema, form: MultiDict[str, str], kinds: dict[str, str]) -> tuple[dict[str, Any] | None,
                                                                                   dict[str, Any]]:
    """Load the form through the schema; return (data, {}) or (None, {field: "Dutch message"})."""
    try:
        return schema.load(typed(form, kinds)), {}
    except ValidationError as err:
        return None, field_errors(err.messages)


def field_errors(messages: Any, prefix: str = "") -> dict[str, str]:
    """Flatten marshmallow's messages into {field or field.sub: first message}."""
    out: dict[str, str] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            out.update(field_errors(value, f"{prefix}{key}." if not isinstance(value, list) or
                                    (value and isinstance(value[0], dict)) else f"{prefix}{key}"))
        return {k.rstrip("."): v for k, v in out.items()}
    if isinstance(messages, list):
        texts = [m for m in messages if isinstance(m, str)]
        if texts:
            out[prefix.rstrip(".") or "_schema"] = texts[0]
        for i, item in enumerate(m for m in messages if isinstance(m, dict)):
            out.update(field_errors(item, f"{prefix}{i}."))
        return out
    out[prefix.rstrip(".") or "_schema"] = str(messages)
    return out


# What the error summary calls a field when its page gives no label of its own.
FIELD_LABELS = {
    "current": "Huidig wachtwoord", "new": "Nieuw wachtwoord", "again": "Nieuw wachtwoord nog eens",
    "username": "Gebruikersnaam", "password": "Wachtwoord", "name": "Naam", "role": "Rol", "user_id": "Gebruiker",
    "inspector_id": "Handhaver", "address_ids": "Adressen", "week": "Week", "due": "Datum", "kind": "Soort",
    "bestand": "Bestand", "soort": "Soort", "gebruiker": "Gebruiker", "handeling": "Handeling",
    "record": "Nummer van het gegeven", "van": "Vanaf", "tot": "Tot en met", "label": "Naam van de tablet",
    "text": "Tekst", "reason": "Reden", "value": "Waarde", "email": "E-mailadres", "phone": "Telefoonnummer",
    "full_name": "Volledige naam", "function_title": "Functie", "aanwijzing": "Aanwijzing",
    "legitimation_no": "Legitimatienummer", "notes": "Notities", "location_type": "Soort locatie",
    "verified": "Geverifieerd",
}


def field_label(name: str) -> str:
    """Return a field's Dutch name for the error summary ("bedrag" for "amount", else the name in words)."""
    return FIELD_LABELS.get(name) or name.replace("_", " ").replace(".", ", ").capitalize()


def keep_posted_form() -> bool:
    """Keep this POST's fields (not passwords, files or the token) for its page after signing in again.

    The cookie is signed, not encrypted: password forms are never kept. The fields come back only on the
    page they were typed on, to a user whose role may open that page (who may read what it holds).
    """
    if request.path in NEVER_KEPT:
        return False
    values = {k: request.form.getlist(k) for k in request.form if k != "csrf_token" and "password" not in k
              and "wachtwoord" not in k}
    if not values or sum(len(k) + sum(len(v) for v in vs) for k, vs in values.items()) > KEPT_LIMIT:
        return False
    session["kept_form"] = {"path": request.path, "values": values}
    return True


def kept_values() -> dict[str, list[str]]:
    """Return the fields kept for this page across an expired session, each with every value it had (taken
    from the session once)."""
    if "kept_values" not in g:
        kept = session.get("kept_form")
        if kept and kept.get("path") == request.path and request.method == "GET" and session.get("user_id"):
            session.pop("kept_form", None)
            g.kept_values = kept.get("values", {})
        else:
            g.kept_values = {}
    values: dict[str, list[str]] = g.kept_values
    return values


def kept_value(name: str) -> str:
    """Return the kept value of one field ("" when none), for the field macros."""
    kept = kept_values().get(name) or [""]
    return kept[0] if isinstance(kept, list) else str(kept)


def kept_list(name: str) -> list[str]:
    """Return every kept value of a repeated field (ticked boxes), for a page's own checkboxes."""
    kept = kept_values().get(name) or []
    return kept if isinstance(kept, list) else [str(kept)]
