"""Sync endpoints for tablets: push, pull, and the conflict list for team leads."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, g, jsonify

from schemas.base import Str, between, max_length
from server.api import bp
from server.audit import audit
from server.auth import PLANNERS, current_device, current_user, require
from server.db import get_db, rows
from server.errors import Forbidden, UpgradeRequired
from server.http import PageQuery, QueryDateTime, QueryInt, json_object, load, query
from server.sync import MAX_PULL, PROTOCOL, PUSH_PROTOCOLS, load_push, pull, push, touch_device


def _device() -> tuple[dict[str, Any], dict[str, Any]]:
    user = current_user()
    device = current_device()
    if device is None:
        raise Forbidden("Alleen een gekoppelde tablet synchroniseert; gebruik een apparaattoken.")
    return user, device


def _check_protocol(value: Any, accepted: tuple[int, ...] = (PROTOCOL,)) -> None:
    if type(value) is not int or value not in accepted:
        if type(value) is int and 0 < value < PROTOCOL:
            raise UpgradeRequired(f"Deze app spreekt protocol {value}; de server spreekt protocol {PROTOCOL} en stuurt "
                                  "gegevens die deze versie niet kan lezen. Werk de app bij; wat nog wacht om "
                                  "verzonden te worden, blijft bewaard en wordt nog aangenomen.", protocol=PROTOCOL)
        raise UpgradeRequired(f"Protocol {value!r} wordt niet ondersteund (server spreekt protocol {PROTOCOL}); "
                              "werk de app bij.", protocol=PROTOCOL)


@bp.post("/sync/push")
@require()
def sync_push() -> Response:
    """Apply a batch of a device's queued mutations, in seq order."""
    user, device = _device()
    body = json_object(keep_lone_surrogates=True)  # refused per mutation, so the queue still drains
    if "protocol" in body:
        _check_protocol(body["protocol"], PUSH_PROTOCOLS)  # protocol 1 is mapped (server.protocol1)
    check_text = bool(g.get("lone_surrogates"))
    loaded = load(load_push, body)
    db = get_db()

    def audit_push(result: dict[str, Any]) -> None:  # committed with the batch
        audit(db, "push", None, None, {"seqs": [r["seq"] for r in result["results"]],
                                       "records": [f"{m['entity']}:{m['id']}" for m in loaded["mutations"]]})
    result = push(db, device, user, loaded["mutations"], then=audit_push, check_text=check_text)
    return jsonify(result)


class PullQuery(PageQuery):
    """Pull parameters; the tablet reports its outbox with each pull (DESIGN.md)."""

    cursor = Str(load_default=None, validate=max_length(200))
    limit = QueryInt(load_default=500, validate=between(1, MAX_PULL))
    protocol = QueryInt(load_default=PROTOCOL, validate=between(0, 1000))
    outbox = QueryInt(load_default=None, validate=between(0, 10**9),
                      metadata={"description": "Aantal wijzigingen dat op de tablet wacht."})
    outbox_oldest = QueryDateTime(load_default=None,
                                  metadata={"description": "Tijdstip van de oudste wachtende wijziging (ISO 8601)."})


pull_query = PullQuery()


@bp.get("/sync/pull")
@require()
def sync_pull() -> Response:
    """Return the changes in this device's scope after the cursor."""
    user, device = _device()
    q = query(pull_query)
    _check_protocol(q["protocol"])
    db = get_db()
    touch_device(db, device, q["outbox"], q["outbox_oldest"])
    result = pull(db, user, q["cursor"], q["limit"])
    audit(db, "pull", None, None, {"records": [f"{c['entity']}:{c['id']}" for c in result["changes"]],
                                   "reset": result["reset"]})
    return jsonify(result)


@bp.get("/conflicts")
@require(*PLANNERS)
def list_conflicts() -> Response:
    """List open conflicts (both values kept) for the team lead."""
    db = get_db()
    found = rows(db, "SELECT * FROM conflicts WHERE resolved_at IS NULL ORDER BY created_at LIMIT 1000")
    for c in found:
        c["server_value"] = json.loads(c["server_value"]) if c["server_value"] is not None else None
        c["device_value"] = json.loads(c["device_value"]) if c["device_value"] is not None else None
    audit(db, "list", "conflict", None, {"count": len(found), "ids": [c["id"] for c in found]})
    return jsonify({"items": found, "next": None})
