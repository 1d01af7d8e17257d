"""The audit log: who read or changed which record, when and from where."""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context
from sqlite_utils import Database

from schemas import jsontext
from server.auth import remote_addr as request_addr
from server.db import write
from server.store import now


def audit(db: Database, action: str, entity: str | None = None, record_id: str | None = None,
          detail: dict[str, Any] | None = None, *, user_id: str | None = None, device_id: str | None = None,
          remote_addr: str | None = None) -> None:
    """Write one audit entry; in a request, user, device and address come from the request."""
    if has_request_context():
        user = g.get("user")
        device = g.get("device")
        user_id = user_id or (user["id"] if user else None)
        device_id = device_id or (device["id"] if device else None)
        remote_addr = remote_addr or request_addr()
    with write(db):  # plain SQL: sqlite-utils' insert() reads the table's columns on every call
        db.execute("INSERT INTO audit_log (at, user_id, device_id, action, entity, record_id, remote_addr, detail) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   [now(), user_id, device_id, action, entity, record_id, remote_addr,
                    jsontext.dumps(detail) if detail else None])
