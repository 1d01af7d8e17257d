"""Sync conflicts waiting for the team lead: the open ones, page by page, and a choice that settles one.

server.sync records a conflict (both values kept) when a tablet's change clashes with the server's; the
choice made here (keep one of the two, or a third value) is stored as the record's next version, so every
tablet that holds the record pulls it, and the conflict is marked resolved by whom and when.
"""

from __future__ import annotations

import json
from typing import Any

from marshmallow import Schema
from sqlite_utils import Database

from schemas import address_schema, assignment_schema
from server import addresses, assignments, store
from server.db import rows, write
from server.errors import Conflict, Invalid, NotFound

# The records whose conflicting field can be set to a chosen value, each loaded by its wire schema.
SCHEMAS: dict[str, Schema] = {"address": address_schema, "assignment": assignment_schema}
CHOICES = ("server", "device", "other")


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    for key in ("server_value", "device_value"):
        row[key] = json.loads(row[key]) if row[key] is not None else None
    return row


def open_conflicts(db: Database, *, after: tuple[str, str] | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """Return open conflicts oldest first, after (created_at, id) when given; values decoded from JSON."""
    start = after or ("", "")
    found = rows(db, "SELECT * FROM conflicts WHERE resolved_at IS NULL AND (created_at, id) > (?, ?) "
                     "ORDER BY created_at, id LIMIT ?", [start[0], start[1], limit])
    return [_decoded(row) for row in found]


def get_conflict(db: Database, conflict_id: str) -> dict[str, Any] | None:
    """Return one conflict, values decoded, or None."""
    found = rows(db, "SELECT * FROM conflicts WHERE id = ?", [conflict_id])
    return _decoded(found[0]) if found else None


def settable(conflict: dict[str, Any]) -> bool:
    """Return whether a value can be chosen for this conflict (a field of a record with a wire schema)."""
    schema = SCHEMAS.get(conflict["entity"])
    return schema is not None and conflict["field"] in schema.fields and not schema.fields[conflict["field"]].dump_only


def _done_after_cancel(conflict: dict[str, Any]) -> bool:
    """Return whether this is the conflict sync records when a cancelled visit was done on a tablet."""
    return (conflict["entity"], conflict["field"], conflict["server_value"], conflict["device_value"]) == (
        "assignment", "status", "cancelled", "done")


def _update(db: Database, conflict: dict[str, Any], value: Any, user_id: str, version: int) -> dict[str, Any]:
    """Store the chosen value by the record's own rule (the one the API's PATCH applies)."""
    changes = {conflict["field"]: value}
    if conflict["entity"] == "address":
        return addresses.update(db, conflict["record_id"], changes, user_id, expected_version=version)
    return assignments.update(db, conflict["record_id"], changes, user_id, expected_version=version,
                              settling_done_after_cancel=_done_after_cancel(conflict))


def resolve(db: Database, conflict_id: str, user_id: str, choice: str, other: Any = None) -> dict[str, Any]:
    """Settle a conflict: keep the server's value, take the tablet's, or set another one; return the new record.

    The chosen value goes through the record's own update rule (server.addresses.update or
    server.assignments.update, as the API's PATCH): Invalid with the field's Dutch message under "value"
    when it does not fit, Conflict with it under "value" when the record may not change (a done or
    cancelled visit; only a cancelled visit done on a tablet may be set back to cancelled or stay done).
    It is stored as the record's next version, even when it equals the current value, so that every tablet
    holding the record pulls the decision. NotFound for an unknown conflict or a record that is gone;
    Conflict without field errors when it was resolved already.
    """
    if choice not in CHOICES:
        raise Invalid(errors={"choice": ["Kies een van de waarden of vul een andere in."]})
    with write(db):
        conflict = _waiting(db, conflict_id)
        if not settable(conflict):
            raise Conflict("Voor dit conflict kan geen waarde gekozen worden.")
        field = conflict["field"]
        current = store.get(db, conflict["entity"], conflict["record_id"])
        if current is None:
            raise NotFound("Het record van dit conflict bestaat niet meer.")
        value = {"server": conflict["server_value"], "device": conflict["device_value"]}.get(choice, other)
        try:
            stored = _update(db, conflict, value, user_id, current["version"])
        except Invalid as err:
            messages = err.errors if isinstance(err.errors, dict) else {"_schema": err.errors}
            mine = messages.get(field) or next(iter(messages.values()))
            raise Invalid(errors={"value": mine}) from None
        except Conflict as err:
            raise Conflict(err.message, errors={"value": [err.message]}) from None
        db.execute("UPDATE conflicts SET resolved_at = ?, resolved_by = ? WHERE id = ?",
                   [store.now(), user_id, conflict_id])
    return stored


def _waiting(db: Database, conflict_id: str) -> dict[str, Any]:
    """Return a conflict still waiting for a choice; NotFound when unknown, Conflict when resolved already."""
    conflict = get_conflict(db, conflict_id)
    if conflict is None:
        raise NotFound("Dit conflict bestaat niet (meer).")
    if conflict["resolved_at"]:
        raise Conflict("Dit conflict is al afgehandeld.")
    return conflict


def dismiss(db: Database, conflict_id: str, user_id: str) -> None:
    """Mark a conflict resolved without a value: only one whose record is gone or takes no chosen value."""
    with write(db):
        conflict = _waiting(db, conflict_id)
        if settable(conflict) and store.get(db, conflict["entity"], conflict["record_id"]) is not None:
            raise Conflict("Kies bij dit conflict welke waarde blijft.")
        db.execute("UPDATE conflicts SET resolved_at = ?, resolved_by = ? WHERE id = ?",
                   [store.now(), user_id, conflict_id])
