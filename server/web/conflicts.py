"""Conflicten: what a tablet and the server both changed, side by side, and the team lead's choice."""

from __future__ import annotations

import re
from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from marshmallow import fields as mfields
from marshmallow import validate
from werkzeug.wrappers import Response

from reports import fmt
from schemas.base import BaseSchema, Str, max_length, one_of
from server import conflicts as settling
from server import labels, store
from server.address_search import UNKNOWN_TYPE
from server.audit import audit
from server.bag_rows import label as address_label
from server.db import get_db, rows
from server.errors import Conflict, Invalid
from server.web import bp
from server.web.access import page
from server.web.forms import parse

PAGE_SIZE = 50
INT = re.compile(r"^-?\d{1,12}$")
NUMBER = re.compile(r"^-?\d{1,12}([.,]\d{1,6})?$")

# Dutch names of the fields a tablet changes (an address's) and of an assignment's status.
FIELD_LABELS = {
    "notes": "Notities", "location_type": "Soort locatie", "floor_area_m2": "Gebruiksoppervlakte (m²)",
    "floor_area_source": "Bron van de oppervlakte", "straat": "Straat", "huisnummer": "Huisnummer",
    "huisletter": "Huisletter", "toevoeging": "Toevoeging", "postcode": "Postcode", "woonplaats": "Woonplaats",
    "gemeentecode": "Gemeentecode", "bag_id": "BAG-id", "status": "Status", "verified": "Geverifieerd",
}
VALUE_LABELS = {  # the same words as every other page (server.labels)
    "location_type": {k: v for k, v in labels.LOCATION_TYPES.items() if k != UNKNOWN_TYPE},
    "floor_area_source": {"bag": "BAG", "gemeten": "gemeten", "opgave": "opgave"},
    "status": labels.VISIT_STATES,
}
ENTITY_LABELS = {"address": "Adres", "assignment": "Opdracht", "inspection": "Inspectie"}


class ResolveForm(BaseSchema):
    """The choice for one conflict: the server's value, the tablet's, or another one typed."""

    choice = Str(required=True, validate=one_of(settling.CHOICES),
                 error_messages={"required": "Kies welke waarde blijft."})
    value = Str(allow_none=True, validate=max_length(5000))
    na = Str(validate=max_length(200))


RESOLVE_FIELDS = {"choice": "text", "value": "text?", "na": "text"}


def shown(field: str | None, value: Any) -> str:
    """Return a stored value as a person reads it."""
    if value is None or value == "":
        return "(leeg)"
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, (int, float)):
        return fmt.getal(value)
    if isinstance(value, list):
        return ", ".join(shown(None, v) for v in value) or "(leeg)"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {shown(None, v)}" for k, v in value.items())
    return str(VALUE_LABELS.get(field or "", {}).get(str(value), value))


def _cursor(text: str | None) -> tuple[str, str] | None:
    if not text or "|" not in text:
        return None
    created, _, conflict_id = text.partition("|")
    return created, conflict_id


def _schema_field(conflict: dict[str, Any]) -> mfields.Field | None:
    schema = settling.SCHEMAS.get(conflict["entity"])
    return schema.fields.get(conflict["field"] or "") if schema is not None else None


def _choices(field: mfields.Field | None, name: str) -> list[tuple[str, str]] | None:
    """Return the options of a field that takes one of a few values (a select), else None (typed as text)."""
    if isinstance(field, mfields.Boolean):
        return [("true", "ja"), ("false", "nee")]
    for rule in getattr(field, "validators", []):
        if isinstance(rule, validate.OneOf):
            return [(str(c), shown(name, c)) for c in rule.choices]
    return None


def typed_value(field: mfields.Field | None, text: str | None) -> Any:
    """Turn the typed third value into what the field's schema expects (the schema judges it)."""
    if text is None:
        return None
    if isinstance(field, mfields.Boolean):
        return {"true": True, "false": False}.get(text, text)
    if isinstance(field, mfields.Integer) and INT.match(text):
        return int(text)
    if isinstance(field, mfields.Float) and NUMBER.match(text):
        return float(text.replace(",", "."))
    return text


def _described(db: Any, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add to each conflict what it is about (address or assignment), who sent it, and the current value."""
    user_ids = {c["user_id"] for c in found if c["user_id"]}
    device_ids = {c["device_id"] for c in found if c["device_id"]}
    people = {u["id"]: u["full_name"] or u["name"] for u in rows(
        db, f"SELECT id, name, full_name FROM users WHERE id IN ({','.join('?' * len(user_ids))})",  # noqa: S608
        list(user_ids))} if user_ids else {}
    tablets = {d["id"]: d["label"] for d in rows(
        db, f"SELECT id, label FROM devices WHERE id IN ({','.join('?' * len(device_ids))})",  # noqa: S608
        list(device_ids))} if device_ids else {}
    out = []
    for c in found:
        record = store.get(db, c["entity"], c["record_id"]) if c["entity"] in store.ENTITIES else None
        about = ENTITY_LABELS.get(c["entity"], c["entity"])
        if c["entity"] == "address" and record:
            about = f"Adres {address_label(record)}"
        elif c["entity"] == "assignment" and record:
            where = store.get(db, "address", record["address_id"])
            when = f"week {record['week']}" if record.get("week") else f"uiterlijk {fmt.datum(record['due'])}" \
                if record.get("due") else ""
            about = f"Opdracht ({record['kind']}{', ' + when if when else ''})" + (
                f" op {address_label(where)}" if where else "")
        field = _schema_field(c)
        current = record.get(c["field"]) if record and c["field"] else None
        out.append({**c, "about": about, "gone": record is None, "field_label": FIELD_LABELS.get(c["field"] or "",
                                                                                          c["field"] or "—"),
                    "server_text": shown(c["field"], c["server_value"]),
                    "device_text": shown(c["field"], c["device_value"]),
                    "current": current, "current_text": shown(c["field"], current),
                    "by": people.get(c["user_id"], "onbekend"), "tablet": tablets.get(c["device_id"]),
                    "options": _choices(field, c["field"] or ""),
                    "settable": settling.settable(c) and record is not None,
                    "is_number": isinstance(field, (mfields.Integer, mfields.Float))})
    return out


def _render(after: str | None, errors: dict[str, dict[str, str]] | None = None,
            kept: dict[str, dict[str, str]] | None = None, status: int = 200) -> tuple[str, int]:
    db = get_db()
    found = settling.open_conflicts(db, after=_cursor(after), limit=PAGE_SIZE + 1)
    shown_rows = found[:PAGE_SIZE]
    audit(db, "list", "conflict", None, {"count": len(shown_rows), "ids": [c["id"] for c in shown_rows]})
    more = len(found) > PAGE_SIZE
    last = shown_rows[-1] if shown_rows else None
    return render_template("conflicts.html", items=_described(db, shown_rows), errors=errors or {}, kept=kept or {},
                           after=after or "", next_after=f"{last['created_at']}|{last['id']}" if more and last
                           else None), status


@bp.get("/conflicten")
@page("teamleider", "beheerder")
def conflicts() -> tuple[str, int]:
    """List the open conflicts, oldest first, with both values and a choice for each."""
    return _render(request.args.get("na"))


@bp.post("/conflicten/<conflict_id>")
@page("teamleider", "beheerder")
def conflicts_resolve(conflict_id: str) -> Response | tuple[str, int]:
    """Settle one conflict with the chosen value; it becomes the record's next version."""
    db = get_db()
    conflict = settling.get_conflict(db, conflict_id)
    if conflict is None:
        abort(404)
    data, errors = parse(ResolveForm(), request.form, RESOLVE_FIELDS)
    kept = {conflict_id: {"choice": request.form.get("choice", ""), "value": request.form.get("value", "")}}
    after = request.form.get("na") or None
    status = 422
    if data is not None and data["choice"] == "other" and data.get("value") is None and \
            not (_schema_field(conflict) or mfields.Field()).allow_none:
        errors = {"value": "Vul de andere waarde in."}
    if data is not None and not errors:
        try:
            stored = settling.resolve(db, conflict_id, g.user["id"], data["choice"],
                                       typed_value(_schema_field(conflict), data.get("value")))
        except (Invalid, Conflict) as err:
            if isinstance(err, Conflict) and not err.errors:
                raise  # resolved already or nothing to choose: the error page says so
            status = err.status
            # A refused kept value is shown at the choice, a refused typed one at the typed value.
            at = "value" if data["choice"] == "other" else "choice"
            errors = {(at if k == "value" else k): (v[0] if isinstance(v, list) and v else str(v))
                      for k, v in (err.errors or {}).items()}
        else:
            audit(db, "resolve", "conflict", conflict_id, {"entity": conflict["entity"],
                                                           "record_id": conflict["record_id"],
                                                           "field": conflict["field"], "choice": data["choice"],
                                                           "version": stored["version"]})
            flash(f"Conflict afgehandeld: {FIELD_LABELS.get(conflict['field'] or '', conflict['field'] or '')} is nu "
                  f"{shown(conflict['field'], stored.get(conflict['field'] or ''))}; de tablets krijgen dit bij hun "
                  "volgende synchronisatie.", "ok")
            return redirect(url_for("web.conflicts", na=after) if after else url_for("web.conflicts"))
    return _render(after, {conflict_id: errors}, kept, status)


@bp.post("/conflicten/<conflict_id>/afhandelen")
@page("teamleider", "beheerder")
def conflicts_dismiss(conflict_id: str) -> Response:
    """Set aside a conflict that has nothing left to choose (its record is gone, or it holds no field)."""
    db = get_db()
    conflict = settling.get_conflict(db, conflict_id)
    if conflict is None:
        abort(404)
    settling.dismiss(db, conflict_id, g.user["id"])
    audit(db, "resolve", "conflict", conflict_id, {"entity": conflict["entity"], "record_id": conflict["record_id"],
                                                   "field": conflict["field"], "choice": "dismiss"})
    flash("Conflict afgehandeld; er is niets aan het record veranderd.", "ok")
    after = request.form.get("na") or None
    return redirect(url_for("web.conflicts", na=after) if after else url_for("web.conflicts"))
