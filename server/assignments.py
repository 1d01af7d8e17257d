"""Assignments: the rules for planning a visit, moving it and cancelling it (DESIGN.md assignment).

The REST API (server.api.assignments) and the office's planning page call these, so a visit is
planned, moved or cancelled by the same rules whichever way the team lead works.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from marshmallow import ValidationError
from sqlite_utils import Database

from schemas import assignment_schema
from server import store
from server.db import rows, write
from server.errors import Conflict, Invalid, NotFound
from server.jobs import week_monday

WRITABLE = [name for name, f in assignment_schema.fields.items() if not f.dump_only and name != "id"]


def reference_errors(db: Database, data: dict[str, Any]) -> dict[str, list[str]]:
    """Return the Dutch field errors of an assignment's address and handhaver ({} when both are right)."""
    errors = {}
    if store.get(db, "address", data["address_id"]) is None:
        errors["address_id"] = ["Onbekend adres."]
    inspector = rows(db, "SELECT role FROM users WHERE id = ? AND disabled_at IS NULL", [data["inspector_id"]])
    if not inspector:
        errors["inspector_id"] = ["Onbekende gebruiker."]
    elif inspector[0]["role"] != "handhaver":
        errors["inspector_id"] = ["Alleen een handhaver kan een opdracht uitvoeren."]
    return errors


def _loaded(body: dict[str, Any]) -> dict[str, Any]:
    try:
        loaded: dict[str, Any] = assignment_schema.load(body)
    except ValidationError as err:
        raise Invalid(errors=err.messages) from None
    return loaded


def create(db: Database, body: dict[str, Any], actor: str) -> dict[str, Any]:
    """Plan one visit from its wire fields (an id is made when missing); return the stored assignment."""
    return plan(db, [body], actor)[0]


def plan(db: Database, bodies: list[dict[str, Any]], actor: str) -> list[dict[str, Any]]:
    """Plan many visits at once: each is checked first, and none is stored unless all are right.

    Raises Invalid with the first wrong visit's field errors, Conflict for an id in use.
    """
    loaded = []
    for body in bodies:
        data = _loaded({"id": str(uuid.uuid4()), **body})
        errors = reference_errors(db, data)
        if errors:
            raise Invalid(errors=errors)
        loaded.append(data)
    with write(db):
        stored = []
        for data in loaded:
            if store.get(db, "assignment", data["id"], include_deleted=True) is not None:
                raise Conflict("Er bestaat al een opdracht met dit id.")
            stored.append(store.put(db, "assignment", assignment_schema.dump(data), actor=actor, expected_version=0))
    return stored


# What a team lead may still choose for a cancelled visit a tablet did anyway (server.sync keeps the visit
# done and records a status conflict): set it back to cancelled, or keep it done. Nothing else changes.
SETTLED_STATUSES = ("cancelled", "done")


def update(db: Database, assignment_id: str, changes: dict[str, Any], actor: str,
           expected_version: int | None = None, *, settling_done_after_cancel: bool = False) -> dict[str, Any]:
    """Reassign, replan, re-instruct or cancel an open assignment; a done or cancelled one never changes.

    The one exception is settling_done_after_cancel (the Conflicten page, for the status conflict sync
    records when a cancelled visit is done on a tablet): the status of such a visit may then be set to
    cancelled or done again, and nothing else. Raises NotFound, Conflict (not open any more, or changed
    since expected_version) or Invalid.
    """
    current = store.get(db, "assignment", assignment_id)
    if current is None:
        raise NotFound("Opdracht niet gevonden.")
    settles = (settling_done_after_cancel and set(changes) <= {"status", "id"}
               and changes.get("status") in SETTLED_STATUSES and current["status"] in SETTLED_STATUSES)
    if current["status"] != "open" and not settles:
        raise Conflict("Een afgeronde of geannuleerde opdracht verandert niet meer.", current=current)
    merged = {k: current.get(k) for k in WRITABLE} | {k: v for k, v in changes.items() if k != "id"} | {
        "id": assignment_id}
    loaded = _loaded(merged)
    errors = reference_errors(db, loaded)
    if errors:
        raise Invalid(errors=errors)
    try:
        return store.put(db, "assignment", assignment_schema.dump(loaded), actor=actor,
                         expected_version=current["version"] if expected_version is None else expected_version)
    except store.VersionConflict as err:
        raise Conflict("De opdracht is intussen gewijzigd.", current=err.current) from None


def cancel(db: Database, assignment_id: str, actor: str, expected_version: int | None = None) -> dict[str, Any]:
    """Cancel an open visit (the status change the API makes); a done one cannot be cancelled."""
    return update(db, assignment_id, {"status": "cancelled"}, actor, expected_version)


def in_week(week: str, inspector_id: str | None = None, *, cancelled: bool = True) -> tuple[str, list[Any]]:
    """Return the SQL condition and parameters of the visits that belong to an ISO week '2026-W49'.

    A visit belongs to the week it is planned in; one planned by due date alone to the week of that date.
    ValueError for a week that is none.
    """
    monday = week_monday(week)
    where = "(week = ? OR (week IS NULL AND due BETWEEN ? AND ?))"
    params: list[Any] = [week, monday.isoformat(), (monday + dt.timedelta(days=6)).isoformat()]
    if inspector_id is not None:
        where += " AND inspector_id = ?"
        params.append(inspector_id)
    if not cancelled:
        where += " AND status != 'cancelled'"
    return where, params


def week_visits(db: Database, week: str, inspector_id: str | None = None, *, cancelled: bool = True,
                order: str = "inspector_id, due, id", limit: int = 2000) -> list[dict[str, Any]]:
    """Return the visits of an ISO week (see in_week), optionally of one handhaver and without the cancelled."""
    where, params = in_week(week, inspector_id, cancelled=cancelled)
    return store.select(db, "assignment", where, params, order=order, limit=limit)
