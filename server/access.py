"""Who may read which address's data: planners everything, a handhaver his own addresses."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from server.auth import PLANNERS
from server.db import rows


def is_planner(user: dict[str, Any]) -> bool:
    """Return whether the user plans and manages (teamleider or beheerder)."""
    return user["role"] in PLANNERS


def handhaver_addresses_sql() -> str:
    """Return SQL selecting the address ids a handhaver works on (parameter: user id twice)."""
    return ("SELECT address_id FROM assignments WHERE inspector_id = ? AND deleted = 0 "
            "UNION SELECT address_id FROM inspections WHERE inspector_id = ? AND deleted = 0")


def may_read_address_data(db: Database, user: dict[str, Any], address_id: str) -> bool:
    """Return whether the user may read inspections and cases of this address."""
    if is_planner(user):
        return True
    return bool(rows(db, f"SELECT 1 FROM ({handhaver_addresses_sql()}) WHERE address_id = ?",  # noqa: S608
                     [user["id"], user["id"], address_id]))
