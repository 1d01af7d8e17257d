"""What each user's tablets receive: norm sets, their assignments, and everything at their addresses.

A user's addresses are those of his assignments that are not cancelled. When an
address enters a user's scope its records are moved to the end of the change
sequence, so they arrive even if older than a device's cursor; when it leaves,
an eviction for that user is logged.
"""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from server.db import rows
from server.store import log_change

EVICT = "evict"


def user_addresses_sql() -> str:
    """Return SQL selecting the address ids in a user's scope (parameter: user id)."""
    return "SELECT address_id FROM assignments WHERE inspector_id = ? AND status != 'cancelled' AND deleted = 0"


def in_scope(db: Database, user_id: str, address_id: str) -> bool:
    """Return whether an address is in a user's scope."""
    return bool(rows(db, f"SELECT 1 FROM ({user_addresses_sql()}) WHERE address_id = ?",  # noqa: S608
                     [user_id, address_id]))


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
