"""Addresses: the rule for changing an address's fields (the office's location type, verified, notes, ...).

The REST API's PATCH /api/v1/addresses/<id> and the office's address page call `update`, so an
address changes by the same schema and version check whichever way it is edited.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError
from sqlite_utils import Database

from schemas import address_schema
from server import store
from server.errors import Conflict, Invalid, NotFound

WRITABLE = [name for name, f in address_schema.fields.items() if not f.dump_only and name != "id"]


def update(db: Database, address_id: str, changes: dict[str, Any], actor: str,
           expected_version: int | None = None) -> dict[str, Any]:
    """Store an address with some fields changed, checked by the address schema; return it.

    Raises NotFound, Invalid (field errors) or Conflict when it changed since expected_version.
    """
    current = store.get(db, "address", address_id)
    if current is None:
        raise NotFound("Adres niet gevonden.")
    merged = ({k: current.get(k) for k in WRITABLE} | {k: v for k, v in changes.items() if k != "id"}
              | {"id": address_id})
    try:
        loaded = address_schema.load(merged)
    except ValidationError as err:
        raise Invalid(errors=err.messages) from None
    try:
        return store.put(db, "address", address_schema.dump(loaded), actor=actor,
                         expected_version=expected_version if expected_version is not None else current["version"])
    except store.VersionConflict as err:
        raise Conflict("Het adres is intussen gewijzigd.", current=err.current) from None


def label(record: dict[str, Any]) -> str:
    """Return the address as people write it: 'Uiterweg 118, 1432KD Aalsmeer'."""
    number = f"{record['huisnummer']}{record.get('huisletter') or ''}"
    if record.get("toevoeging"):
        number += f"-{record['toevoeging']}"
    return f"{record['straat']} {number}, {record['postcode']} {record['woonplaats']}"
