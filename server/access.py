"""Who may read which address's data: planners everything, a handhaver the addresses of his scope.

A handhaver's scope follows his assignments (server.scope): open ones, and those he finished in
the last SCOPE_DONE_DAYS days. Having pushed something at an address grants nothing; his own
inspections he may always read.
"""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from server.auth import PLANNERS
from server.scope import in_scope, scope_params, user_addresses_sql


def is_planner(user: dict[str, Any]) -> bool:
    """Return whether the user plans and manages (teamleider or beheerder)."""
    return user["role"] in PLANNERS


def scope_restriction(user: dict[str, Any], *, own_inspections: bool = False) -> tuple[str, list[Any]] | None:
    """Return a WHERE clause (and its parameters) limiting a list to what the user may read; None: all."""
    if is_planner(user):
        return None
    clause, params = f"address_id IN ({user_addresses_sql()})", scope_params(user["id"])
    if own_inspections:
        return f"({clause} OR inspector_id = ?)", [*params, user["id"]]
    return clause, params


def may_read_address_data(db: Database, user: dict[str, Any], address_id: str) -> bool:
    """Return whether the user may read inspections and cases of this address."""
    return is_planner(user) or in_scope(db, user["id"], address_id)


def may_read_inspection(db: Database, user: dict[str, Any], inspection: dict[str, Any]) -> bool:
    """Return whether the user may read this inspection: his own always, others' within his scope."""
    return inspection.get("inspector_id") == user["id"] or may_read_address_data(db, user, inspection["address_id"])
