"""Addresses: search and read (every role); create and update (teamleider, beheerder)."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Response, jsonify, request

from schemas import address_schema
from schemas.address import LOCATION_TYPES, normalise_postcode
from schemas.base import Str, one_of
from server import addresses, store
from server.api import bp
from server.api.listing import list_records
from server.audit import audit
from server.auth import PLANNERS, current_user, require
from server.db import get_db
from server.errors import BadRequest, Conflict, Invalid, NotFound
from server.http import PageQuery, QueryBool, QueryInt, json_object, load, query


class AddressQuery(PageQuery):
    """Filters on the address list."""

    postcode = Str(load_default=None)
    huisnummer = QueryInt(load_default=None)
    location_type = Str(load_default=None, validate=one_of(LOCATION_TYPES))
    verified = QueryBool(load_default=None)
    gemeentecode = Str(load_default=None)


address_query = AddressQuery()


@bp.get("/addresses")
@require()
def list_addresses() -> Response:
    """List addresses, filtered and paged."""
    q = query(address_query)
    columns = {"postcode": normalise_postcode(q["postcode"]) if q["postcode"] else None,
               "huisnummer": q["huisnummer"], "location_type": q["location_type"], "gemeentecode": q["gemeentecode"],
               "verified": None if q["verified"] is None else int(q["verified"])}
    return list_records("address", q, columns, "api.list_addresses")


@bp.get("/addresses/<address_id>")
@require()
def get_address(address_id: str) -> Response:
    """Return one address."""
    db = get_db()
    record = store.get(db, "address", address_id)
    if record is None:
        raise NotFound("Adres niet gevonden.")
    audit(db, "read", "address", address_id)
    return jsonify(record)


@bp.post("/addresses")
@require(*PLANNERS)
def create_address() -> tuple[Response, int]:
    """Create an address; the id may be given (a UUID) or is made here."""
    body = json_object()
    body.setdefault("id", str(uuid.uuid4()))
    _refuse_legacy(body)
    loaded = load(address_schema, body)
    db = get_db()
    if store.get(db, "address", loaded["id"], include_deleted=True) is not None:
        raise Conflict("Er bestaat al een adres met dit id.")
    record = store.put(db, "address", address_schema.dump(loaded), actor=current_user()["id"], expected_version=0)
    audit(db, "create", "address", record["id"])
    return jsonify(record), 201


@bp.patch("/addresses/<address_id>")
@require(*PLANNERS)
def update_address(address_id: str) -> Response:
    """Change some fields of an address; If-Match: <version> guards against lost updates."""
    body = json_object()
    db = get_db()
    if store.get(db, "address", address_id) is None:
        raise NotFound("Adres niet gevonden.")
    expected = if_match_version()
    _refuse_legacy(body)
    if "id" in body and body["id"] != address_id:
        raise BadRequest("Het id van een adres verandert niet.")
    record = addresses.update(db, address_id, body, current_user()["id"], expected)
    audit(db, "update", "address", address_id, {"fields": sorted(k for k in body if k != "id")})
    return jsonify(record)


def _refuse_legacy(body: dict[str, Any]) -> None:
    """Say where the landlord and employer went, rather than just "unknown field"."""
    errors = {key: ["Vervallen veld: leg de partij vast met POST /api/v1/parties en koppel haar met POST "
                    "/api/v1/addresses/<id>/parties (rol verhuurder, werkgever of uitzendbureau)."]
              for key in ("landlord", "employer_or_agency") if key in body}
    if errors:
        raise Invalid(errors=errors)


def if_match_version() -> int | None:
    """Return the version an If-Match header names, None without one; 400 when it is not a number."""
    raw = request.headers.get("If-Match")
    if raw is None:
        return None
    try:
        return int(raw.strip().strip('"'))
    except ValueError:
        raise BadRequest("If-Match moet het versienummer zijn.") from None


def address_label(record: dict[str, Any]) -> str:
    """Return the address as people write it: 'Uiterweg 118, 1432KD Aalsmeer'."""
    return addresses.label(record)
