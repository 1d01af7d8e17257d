"""What the case pages share: the case as a page shows it, the refusals of the domain as form errors, the
forms' nested fields, and the documents' settings from the app config."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask import current_app
from marshmallow import Schema, ValidationError
from werkzeug.datastructures import MultiDict

from reports import TITLES
from server import labels, store
from server.case_flow import LAST_STATES, TRACK_STATES, TRACKS, allowed_steps, track_state
from server.cases import CaseError, get_case, status_label
from server.db import get_db
from server.documents import Settings
from server.errors import NotFound
from server.jobs import TIMEZONE
from server.web.forms import field_errors, typed

THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+$")  # "10.000": ten thousand, as a Dutch person writes it


def settings() -> Settings:
    """Return what documents need from the app config (the API's documents views use the same)."""
    return Settings(current_app.config)


def load_case(case_id: str) -> dict[str, Any]:
    """Return a case, or answer the 404 page."""
    try:
        return get_case(get_db(), case_id)
    except CaseError:
        raise NotFound("Deze zaak bestaat niet (meer).") from None


def address_of(case: dict[str, Any]) -> dict[str, Any]:
    """Return the case's address (also when it was deleted since)."""
    return store.get(get_db(), "address", case["address_id"], include_deleted=True) or {}


def label_of(address: dict[str, Any]) -> str:
    """Return an address as people write it, or a plain word when it is unknown."""
    return labels.address(address)


def shown(case: dict[str, Any]) -> dict[str, Any]:
    """Return the case with what its pages show: the labels of its states and the steps it allows now."""
    tracks = {t: {"name": TRACKS[t], "state": track_state(case, t),
                  "label": TRACK_STATES[t][track_state(case, t)], **(case.get("tracks") or {}).get(t, {})}
              for t in TRACKS if track_state(case, t) != "geen" or any(t in (last.get("tracks") or ())
                                                                     for last in case.get("lasten") or [])}
    lasten = [{**last, "state_labels": {t: LAST_STATES[t][s] for t, s in (last.get("states") or {}).items()}}
              for last in case.get("lasten") or []]
    address = address_of(case)
    allowed = allowed_steps(case)
    return {**case, "letter_kinds": list(dict.fromkeys(s["letter"] for s in allowed if s["letter"])),
            "shown_tracks": tracks, "shown_lasten": lasten, "status_text": status_label(case),
            "address": address, "address_text": label_of(address), "allowed": allowed}


def next_term(case: dict[str, Any]) -> tuple[str, str] | None:
    """Return the first date still to come that the case waits for, with what it is (for the list), or None."""
    if case.get("status") != "open":
        return None
    found: list[tuple[str, str]] = []
    tracks = case.get("tracks") or {}
    lod, wgv = tracks.get("lod") or {}, tracks.get("wgv") or {}
    if track_state(case, "lod") == "voornemen" and lod.get("zienswijze_end"):
        found.append((lod["zienswijze_end"], "einde zienswijzetermijn"))
    if track_state(case, "wgv") == "voornemen_boete" and wgv.get("boete_zienswijze_end"):
        found.append((wgv["boete_zienswijze_end"], "einde zienswijzetermijn boete"))
    if track_state(case, "wgv") == "waarschuwing" and wgv.get("herstel_end"):
        found.append((wgv["herstel_end"], "einde hersteltermijn"))
    if wgv.get("hercontrole") and track_state(case, "wgv") == "hercontrole":
        found.append((wgv["hercontrole"]["due"], "hercontrole"))
    for last in case.get("lasten") or []:
        state = (last.get("states") or {}).get("lod")
        if state == "open" and (last.get("term") or {}).get("end"):
            found.append((last["term"]["end"], f"einde begunstigingstermijn {last['code']}"))
        if state in ("open", "verbeurd") and (last.get("hercontrole") or {}).get("due"):
            found.append((last["hercontrole"]["due"], f"hercontrole {last['code']}"))
        if state == "invordering" and (last.get("invordering") or {}).get("due"):
            found.append((last["invordering"]["due"], f"betaling dwangsom {last['code']}"))
    return min(found) if found else None


def title(kind: str) -> str:
    """Return a document kind's Dutch title."""
    return TITLES.get(kind, kind)


def refusal(err: CaseError) -> tuple[str, dict[str, str]]:
    """Return a domain refusal as (message, {field: message}) for a form."""
    return err.message, (field_errors(err.errors) if err.errors else {})


def today() -> dt.date:
    """Return today's date in the Netherlands, whatever zone the server's clock is set to."""
    return dt.datetime.now(TIMEZONE).date()


def amount_text(value: str) -> str:
    """Read an amount as a Dutch person types it ("1.234,50", "1234,50" or "10.000") as the schema's "1234.50"."""
    value = value.strip().replace("€", "").replace(" ", "")
    if "," in value or THOUSANDS.match(value):
        value = value.replace(".", "").replace(",", ".")
    return value


def nested_form(schema: Schema, form: MultiDict[str, str], kinds: dict[str, str], money: tuple[str, ...] = ()
                ) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """Load a form whose field names are dotted paths ("lasten.ROOKMELDER.dwangsom.amount") through the schema.

    Return (data, {}) or (None, {dotted field: Dutch message}), the names matching the form's own.
    """
    flat = typed(form, kinds)
    for name in money:
        if isinstance(flat.get(name), str):
            flat[name] = amount_text(flat[name])
    body: dict[str, Any] = {}
    for name, value in flat.items():
        parts = name.split(".")
        here = body
        for part in parts[:-1]:
            here = here.setdefault(part, {})
        here[parts[-1]] = value
    try:
        return schema.load(body), {}
    except ValidationError as err:
        # A Dict field names its values' errors under "value"; the form names the field itself.
        return None, {name.replace(".value.", ".").removesuffix(".value"): text
                      for name, text in field_errors(err.messages).items()}
