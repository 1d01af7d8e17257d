"""Parties and their roles at addresses: teamleider and beheerder write, a handhaver reads within his scope.

Device tokens get nothing here (a tablet receives names and roles inside the address records it
pulls). Every read and write is audited.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from flask import Response, jsonify, request

from schemas.base import BaseSchema, Date, Str, matches, max_length
from schemas.party import KVK_RE, party_link_schema, party_schema
from server import parties, store
from server.access import is_planner, may_read_address_data
from server.api import bp
from server.api.addresses import if_match_version
from server.audit import audit
from server.auth import PLANNERS, current_user, require
from server.db import get_db, rows
from server.errors import BadRequest, NotFound
from server.http import PageQuery, json_object, load, page, query
from server.scope import scope_params, user_addresses_sql

WRITABLE = [name for name, f in party_schema.fields.items() if not f.dump_only and name != "id"]


class PartyQuery(PageQuery):
    """Search parties by (part of) their name or by KvK number."""

    name = Str(load_default=None, validate=max_length(200))
    kvk = Str(load_default=None, validate=matches(KVK_RE.pattern, "Een KvK-nummer is 8 cijfers."))


class LinkEndSchema(BaseSchema):
    """Ending a party's role at an address: the first day it no longer holds."""

    until = Date(required=True)


party_query = PartyQuery()
link_end_schema = LinkEndSchema()


def _scope_of(user: dict[str, Any]) -> tuple[str, list[Any]] | None:
    """Limit parties to those linked to an address in a handhaver's scope; None: all."""
    if is_planner(user):
        return None
    return (f"id IN (SELECT party_id FROM address_parties WHERE address_id IN ({user_addresses_sql()}))",  # noqa: S608
            scope_params(user["id"]))


@bp.get("/parties")
@require()
def list_parties() -> Response:
    """List parties by id, searched by name or KvK number; a handhaver sees those at his addresses."""
    q = query(party_query)
    user = current_user()
    db = get_db()
    found = parties.search_parties(db, name=q["name"], kvk=q["kvk"], after=q["after"], limit=q["limit"] + 1,
                                   restrict=_scope_of(user))
    audit(db, "list", "party", None, {"filters": request.args.to_dict(), "count": min(len(found), q["limit"]),
                                      "ids": [p["id"] for p in found[:q["limit"]]]})
    return jsonify(page(found, q["limit"], lambda p: p["id"], "api.list_parties", name=q["name"], kvk=q["kvk"]))


@bp.post("/parties")
@require(*PLANNERS)
def create_party() -> tuple[Response, int]:
    """Create a party; the id may be given (a UUID) or is made here."""
    body = json_object()
    body.setdefault("id", str(uuid.uuid4()))
    loaded = load(party_schema, body)
    db = get_db()
    record = parties.create_party(db, party_schema.dump(loaded), current_user()["id"])
    audit(db, "create", "party", record["id"])
    return jsonify(record), 201


def _readable_party(party_id: str) -> dict[str, Any]:
    db = get_db()
    record = parties.get_party(db, party_id)
    user = current_user()
    if record is not None and not is_planner(user):
        scope = _scope_of(user)
        assert scope is not None
        if not rows(db, f"SELECT 1 FROM parties WHERE id = ? AND {scope[0]}", [party_id, *scope[1]]):  # noqa: S608
            audit(db, "read_denied", "party", party_id)
            record = None
    if record is None:
        raise NotFound("Partij niet gevonden.")
    return record


@bp.get("/parties/<party_id>")
@require()
def get_party(party_id: str) -> Response:
    """Return one party."""
    record = _readable_party(party_id)
    audit(get_db(), "read", "party", party_id)
    return jsonify(record)


@bp.patch("/parties/<party_id>")
@require(*PLANNERS)
def update_party(party_id: str) -> Response:
    """Change some fields of a party; If-Match: <version> guards against lost updates."""
    body = json_object()
    db = get_db()
    current = parties.get_party(db, party_id)
    if current is None:
        raise NotFound("Partij niet gevonden.")
    if "id" in body and body["id"] != party_id:
        raise BadRequest("Het id van een partij verandert niet.")
    expected = if_match_version()
    merged = {k: current.get(k) for k in WRITABLE} | {k: v for k, v in body.items() if k != "id"} | {"id": party_id}
    loaded = load(party_schema, merged)
    record = parties.update_party(db, party_schema.dump(loaded), current_user()["id"],
                                  expected if expected is not None else current["version"])
    audit(db, "update", "party", party_id, {"fields": sorted(k for k in body if k != "id")})
    return jsonify(record)


def _address(address_id: str, *, write: bool = False) -> dict[str, Any]:
    db = get_db()
    address = store.get(db, "address", address_id)
    user = current_user()
    if address is not None and not write and not may_read_address_data(db, user, address_id):
        audit(db, "read_denied", "address_party", address_id)
        address = None
    if address is None:
        raise NotFound("Adres niet gevonden.")
    return address


@bp.get("/addresses/<address_id>/parties")
@require()
def list_address_parties(address_id: str) -> Response:
    """Return every party link of an address (ended ones too), each with its party and whether it holds today."""
    _address(address_id)
    db = get_db()
    found = parties.links(db, address_id)
    audit(db, "list", "address_party", address_id, {"count": len(found), "ids": [link["id"] for link in found]})
    return jsonify({"items": found, "next": None})


@bp.post("/addresses/<address_id>/parties")
@require(*PLANNERS)
def link_party(address_id: str) -> tuple[Response, int]:
    """Give a party a role at an address, from a date until a date (both optional)."""
    _address(address_id, write=True)
    loaded = load(party_link_schema, json_object())
    db = get_db()
    made = parties.link(db, address_id, loaded["party_id"], loaded["role"], loaded["from"], loaded["until"],
                        current_user()["id"])
    audit(db, "create", "address_party", made["id"], {"address_id": address_id, "party_id": made["party_id"],
                                                      "role": made["role"]})
    return jsonify(made), 201


@bp.patch("/addresses/<address_id>/parties/<link_id>")
@require(*PLANNERS)
def end_party_link(address_id: str, link_id: str) -> Response:
    """End a party's role at an address on a date (`until`); the link stays, as history."""
    loaded = load(link_end_schema, json_object())
    return _ended(address_id, link_id, loaded["until"])


@bp.delete("/addresses/<address_id>/parties/<link_id>")
@require(*PLANNERS)
def delete_party_link(address_id: str, link_id: str) -> Response:
    """End a party's role at an address today (one not started yet never holds); nothing is deleted."""
    return _ended(address_id, link_id, dt.date.today(), withdraw=True)


def _ended(address_id: str, link_id: str, until: dt.date, *, withdraw: bool = False) -> Response:
    _address(address_id, write=True)
    db = get_db()
    ended = parties.end_link(db, address_id, link_id, until, current_user()["id"], withdraw=withdraw)
    audit(db, "update", "address_party", link_id, {"address_id": address_id, "until": ended["until"]})
    return jsonify(ended)
