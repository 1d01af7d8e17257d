"""What each user may read and what his tablets receive: norm sets, the address register, his
assignments, and everything at the addresses of his scope.

A user's scope is the addresses of his open assignments and of those he finished (done or no
access) in the last SCOPE_DONE_DAYS days. When an address enters a user's scope its records are
moved to the end of the change sequence, so they arrive even if older than a device's cursor;
when it leaves (reassigned, cancelled, or finished too long ago), an eviction for that user is
logged. Finished assignments age out without an event, so a sweep at pull time logs their
evictions once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app, has_app_context
from sqlite_utils import Database

from server.db import rows, write
from server.store import log_change

EVICT = "evict"
REGISTER = "register"
DEFAULT_DONE_DAYS = 90
# The sweep runs at most this often per user (it is a write on an otherwise read-only pull).
SWEEP_EVERY = dt.timedelta(hours=1)


def done_days() -> int:
    """Return how many days a finished assignment keeps its address in scope (SCOPE_DONE_DAYS)."""
    if has_app_context():
        return int(current_app.config.get("SCOPE_DONE_DAYS", DEFAULT_DONE_DAYS))
    return DEFAULT_DONE_DAYS


def cutoff(at: dt.datetime | None = None, days: int | None = None) -> str:
    """Return the moment before which a finished assignment no longer counts, as stored text."""
    moment = (at or dt.datetime.now(dt.UTC)) - dt.timedelta(days=done_days() if days is None else days)
    return moment.isoformat(timespec="microseconds")


def user_addresses_sql() -> str:
    """Return SQL selecting the address ids in a user's scope (parameters: user id, cutoff())."""
    return ("SELECT address_id FROM assignments WHERE inspector_id = ? AND deleted = 0 AND "
            "(status = 'open' OR (status IN ('done', 'no_access') AND updated_at >= ?))")


def scope_params(user_id: str) -> list[Any]:
    """Return the parameters of user_addresses_sql() for a user, now."""
    return [user_id, cutoff()]


def in_scope(db: Database, user_id: str, address_id: str) -> bool:
    """Return whether an address is in a user's scope."""
    return bool(rows(db, f"SELECT 1 FROM ({user_addresses_sql()}) WHERE address_id = ?",  # noqa: S608
                     [*scope_params(user_id), address_id]))


def _evict_id(user_id: str, address_id: str) -> str:
    return f"{user_id}/{address_id}"


def address_entered(db: Database, user_id: str, address_id: str) -> None:
    """Re-log everything at an address so the user's devices receive it whatever their cursor."""
    db.execute("DELETE FROM changes WHERE entity = ? AND record_id = ?", [EVICT, _evict_id(user_id, address_id)])
    for entity, table in (("address", "addresses"), ("inspection", "inspections"), ("case", "cases")):
        column = "id" if entity == "address" else "address_id"
        for row in rows(db, f"SELECT id, deleted FROM {table} WHERE {column} = ?", [address_id]):  # noqa: S608
            log_change(db, entity, row["id"], "delete" if row["deleted"] else "put", address_id, None)


def address_left(db: Database, user_id: str, address_id: str) -> None:
    """Log an eviction of an address for one user's devices."""
    log_change(db, EVICT, _evict_id(user_id, address_id), EVICT, None, user_id)


def assignment_changed(db: Database, old: dict[str, Any] | None, new: dict[str, Any]) -> None:
    """Keep scopes right after an assignment was created or changed (inside its transaction)."""
    new_active = new["status"] != "cancelled"
    if old is not None and old["status"] != "cancelled":
        moved = old["inspector_id"] != new["inspector_id"] or old["address_id"] != new["address_id"]
        if (moved or not new_active) and not in_scope(db, old["inspector_id"], old["address_id"]):
            address_left(db, old["inspector_id"], old["address_id"])
    entered = new_active and (old is None or old["status"] == "cancelled"
                              or old["inspector_id"] != new["inspector_id"] or old["address_id"] != new["address_id"])
    if entered:
        address_entered(db, new["inspector_id"], new["address_id"])


def sweep(db: Database, user_id: str, at: dt.datetime | None = None) -> int:
    """Log evictions for addresses whose finished assignments aged out of a user's scope; return how many.

    Each finished assignment is looked at once: those updated between the previous sweep's
    cutoff and this one's. Runs at most once per SWEEP_EVERY per user.
    """
    at = at or dt.datetime.now(dt.UTC)
    limit = cutoff(at)
    previous = rows(db, "SELECT cutoff FROM scope_sweeps WHERE user_id = ?", [user_id])
    if previous and previous[0]["cutoff"] > cutoff(at - SWEEP_EVERY):
        return 0
    since = previous[0]["cutoff"] if previous else ""
    evicted = 0
    with write(db):
        aged = rows(db, "SELECT DISTINCT address_id FROM assignments WHERE inspector_id = ? AND deleted = 0 AND "
                        "status IN ('done', 'no_access') AND updated_at >= ? AND updated_at < ?",
                    [user_id, since, limit])
        for row in aged:
            if not rows(db, f"SELECT 1 FROM ({user_addresses_sql()}) WHERE address_id = ?",  # noqa: S608
                        [user_id, limit, row["address_id"]]):
                address_left(db, user_id, row["address_id"])
                evicted += 1
        db.execute("INSERT INTO scope_sweeps (user_id, cutoff) VALUES (?, ?) ON CONFLICT(user_id) DO UPDATE "
                   "SET cutoff = excluded.cutoff", [user_id, limit])
    return evicted


def register_entry(address: dict[str, Any]) -> dict[str, Any]:
    """Return what the offline address register holds of an address (no parties, notes or counts)."""
    return {key: address.get(key) for key in ("id", "postcode", "huisnummer", "huisletter", "toevoeging", "straat",
                                              "woonplaats", "bag_id", "gemeentecode")}


def address_stored(db: Database, address: dict[str, Any], op: str = "put") -> None:
    """Move an address's register entry to the end of the change sequence (every tablet gets it)."""
    log_change(db, REGISTER, address["id"], op, None, None)

