"""What the server maps in pushes from tablets that still send older address records.

Sync protocol 2 replaced an address's free-text `landlord` and `employer_or_agency` by parties,
which the office keeps; a tablet never changes them. A protocol-1 tablet (and a protocol-2 one
with a change queued before it was updated) still sends those fields with an address. They do
not touch parties: a landlord name the tablet changed is what the handhaver heard on site, so it
goes to `tenancy.landlord_stated` of the inspections of that address in the same batch, where
that is empty. The `parties` a tablet received inside an address record (names and roles, made
by the server) are left out of what it sends back.
"""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from server import store

LEGACY_ADDRESS_FIELDS = ("landlord", "employer_or_agency")
SERVER_MADE_ADDRESS_FIELDS = ("parties",)


def stated_landlords(db: Database, mutations: list[dict[str, Any]]) -> dict[str, str]:
    """Return, per address, the landlord name a batch's address mutations changed (what was heard on site)."""
    stated: dict[str, str] = {}
    for m in mutations:
        data = m.get("data")
        if m["entity"] != "address" or not isinstance(data, dict) or not isinstance(data.get("landlord"), str):
            continue
        text = " ".join(data["landlord"].split())
        if text and text != _landlord_at(db, m["id"], m.get("base_version")):
            stated[m["id"]] = text[:200]
    return stated


def _landlord_at(db: Database, address_id: str, version: int | None) -> str | None:
    """Return the landlord the device started from (kept in history since parties replaced it)."""
    if version is None:
        return None
    current = store.get(db, "address", address_id, include_deleted=True)
    if current is not None and current["version"] == version:
        base: dict[str, Any] | None = current
    else:
        base = next((old for old in store.history(db, "address", address_id) if old["version"] == version), None)
    landlord = (base or {}).get("landlord")
    return " ".join(landlord.split()) if isinstance(landlord, str) else None


def mapped(m: dict[str, Any], stated: dict[str, str]) -> dict[str, Any]:
    """Return a mutation as the current schemas read it (the original is kept for its fingerprint)."""
    data = m.get("data")
    if not isinstance(data, dict):
        return m
    if m["entity"] == "address":
        drop = LEGACY_ADDRESS_FIELDS + SERVER_MADE_ADDRESS_FIELDS
        if any(key in data for key in drop):
            return {**m, "data": {k: v for k, v in data.items() if k not in drop}}
        return m
    if m["entity"] == "inspection" and isinstance(data.get("address_id"), str) and data["address_id"] in stated:
        tenancy = data.get("tenancy")
        if tenancy is None or (isinstance(tenancy, dict) and not (tenancy.get("landlord_stated") or "").strip()):
            heard = stated[data["address_id"]]
            return {**m, "data": {**data, "tenancy": {**(tenancy or {}), "landlord_stated": heard}}}
    return m
