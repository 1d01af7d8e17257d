"""The record store: versioned records, their history and the change sequence.

Every synced entity lives in its own table with the wire record as JSON and a
few columns pulled out for queries. A change bumps the version, keeps the
replaced version in `history` and moves the record to the end of `changes`,
all in one transaction.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence

from sqlite_utils import Database

from schemas import jsontext
from server.db import rows, write
from server.migrations import ENTITY_TABLES


class StoreError(Exception):
    """Base of the store's errors."""


class VersionConflict(StoreError):
    """The record changed since the version the writer started from."""

    def __init__(self, current: dict[str, Any] | None) -> None:
        super().__init__("versieconflict")
        self.current = current


@dataclass(frozen=True)
class Entity:
    """How one kind of record is stored and scoped."""

    name: str
    table: str
    address_of: Callable[[dict[str, Any]], str | None]
    owner_of: Callable[[dict[str, Any]], str | None]
    # Called inside the write transaction with the old record (or None) and the new one.
    after_put: Callable[[Database, dict[str, Any] | None, dict[str, Any]], None] | None = None
    # Whether a change goes into the change sequence (tablets pull it); parties never do.
    synced: bool = True


def _assignment_changed(db: Database, old: dict[str, Any] | None, new: dict[str, Any]) -> None:
    from server.scope import assignment_changed  # scope builds on this module

    assignment_changed(db, old, new)


def _address_changed(db: Database, old: dict[str, Any] | None, new: dict[str, Any]) -> None:
    from server.scope import address_stored  # scope builds on this module

    address_stored(db, new)


# Changes are scoped by address (everything at an address a user works on) and by owner
# (a user's own assignments); norm sets have neither and go to every device.
ENTITIES: dict[str, Entity] = {
    "address": Entity("address", "addresses", lambda d: d["id"], lambda d: None, _address_changed),
    "assignment": Entity("assignment", "assignments", lambda d: d["address_id"],
                         lambda d: d["inspector_id"], _assignment_changed),
    "inspection": Entity("inspection", "inspections", lambda d: d["address_id"],
                         lambda d: None),
    # Server-made; tablets receive a summary of open cases at their addresses.
    "case": Entity("case", "cases", lambda d: d["address_id"], lambda d: None),
    # Office-only: whom letters go to (server.parties); a tablet gets names and roles inside addresses.
    "party": Entity("party", "parties", lambda d: None, lambda d: None, synced=False),
}
QUERY_COLUMNS: dict[str, dict[str, str]] = {**ENTITY_TABLES,
                                            "cases": {"address_id": "TEXT", "status": "TEXT", "number": "TEXT"},
                                            "parties": {"kind": "TEXT", "name": "TEXT", "kvk": "TEXT"}}

_RECORD_META = ("id", "version", "created_at", "updated_at")


# An injected clock for seeding history (the demo's case): set only by clock_at, never in a request.
_CLOCK: ContextVar[dt.datetime | None] = ContextVar("store_clock", default=None)


def now() -> str:
    """Return the server time as an ISO 8601 UTC string (the injected moment inside clock_at)."""
    moment = _CLOCK.get()
    return (moment or dt.datetime.now(dt.UTC)).isoformat(timespec="microseconds")


@contextlib.contextmanager
def clock_at(moment: dt.datetime) -> Iterator[None]:
    """Stamp everything stored inside this block with `moment` (seeding data on an injected clock)."""
    token = _CLOCK.set(moment)
    try:
        yield
    finally:
        _CLOCK.reset(token)


def _row_to_record(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "version": row["version"], **jsontext.loads(row["data"]),
            "created_at": row["created_at"], "updated_at": row["updated_at"]}


def get(db: Database, entity: str, record_id: str, *, include_deleted: bool = False) -> dict[str, Any] | None:
    """Return the current record, or None when unknown (or deleted)."""
    table = ENTITIES[entity].table
    found = rows(db, f"SELECT * FROM {table} WHERE id = ?", [record_id])  # noqa: S608 - table from a fixed map
    if not found or (found[0]["deleted"] and not include_deleted):
        return None
    return _row_to_record(found[0])


def select(db: Database, entity: str, where: str = "1", params: list[Any] | None = None, *,
           order: str = "id", limit: int | None = None) -> list[dict[str, Any]]:
    """Return live records matching a WHERE clause on the table's query columns."""
    table = ENTITIES[entity].table
    sql = f"SELECT * FROM {table} WHERE deleted = 0 AND ({where}) ORDER BY {order}"  # noqa: S608
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [_row_to_record(r) for r in rows(db, sql, params or [])]


def _columns(entity: Entity, data: dict[str, Any]) -> dict[str, Any]:
    values = {}
    for name in QUERY_COLUMNS[entity.table]:
        value = data.get(name)
        values[name] = int(value) if isinstance(value, bool) else value
    return values


def put(db: Database, entity: str, record: dict[str, Any], *, actor: str | None,
        expected_version: int | None = None) -> dict[str, Any]:
    """Store a record (wire form, JSON-ready) as its next version; return the stored record.

    The stored record shares nested values with `record`; neither is to be changed in place.
    With expected_version, refuse with VersionConflict when the stored version differs.
    """
    kind = ENTITIES[entity]
    record_id = record["id"]
    data = {k: v for k, v in record.items() if k not in _RECORD_META}
    with write(db):
        old = rows(db, f"SELECT * FROM {kind.table} WHERE id = ?", [record_id])  # noqa: S608
        old_row = old[0] if old else None
        current_version = old_row["version"] if old_row else 0
        if expected_version is not None and expected_version != current_version:
            raise VersionConflict(_row_to_record(old_row) if old_row else None)
        stamp = now()
        if old_row:
            _keep_history(db, entity, old_row)
        row = {"id": record_id, "version": current_version + 1, "data": jsontext.dumps(data),
               "deleted": 0, "created_at": old_row["created_at"] if old_row else stamp, "updated_at": stamp,
               "updated_by": actor, **_columns(kind, data)}
        _upsert(db, kind.table, row)
        if kind.synced:
            log_change(db, entity, record_id, "put", kind.address_of(record), kind.owner_of(record))
        # What _row_to_record(row) would give, without parsing the text just written: a new
        # top-level dict whose nested values are the caller's (records are read-only data).
        stored = {"id": record_id, "version": row["version"], **data, "created_at": row["created_at"],
                  "updated_at": row["updated_at"]}
        if kind.after_put:
            kind.after_put(db, _row_to_record(old_row) if old_row and not old_row["deleted"] else None, stored)
    return stored


def put_staged(db: Database, entity: str, staged: str, *, actor: str | None, where: str = "1",
               params: Sequence[Any] = ()) -> int:
    """Store the prepared records of a staged table at once, as put() would one by one; return how many.

    `staged` names a table (an attached one may be) with columns line, id, base_version (the
    version the record was prepared from, 0 for a new one) and data (the record without its
    meta fields, as jsontext.dumps writes it); `where` (on alias p, with `params`) picks the rows.
    Records go into the change sequence in line order. Run it inside write(); a record that
    changed since it was prepared raises VersionConflict, so merge those first and leave them out.
    Only addresses can be staged: their after_put (the tablets' offline address register,
    server.scope.address_stored) is done here in the same set-based way.
    """
    if entity != "address":
        raise ValueError(f"put_staged stores addresses only, not {entity}")
    kind = ENTITIES[entity]
    if not db.conn.in_transaction:
        raise RuntimeError("put_staged runs inside a write()")
    picked = f"FROM {staged} p WHERE ({where})"
    if rows(db, f"SELECT 1 {picked} AND EXISTS (SELECT 1 FROM {kind.table} a WHERE a.id = p.id "  # noqa: S608
                f"AND a.version != p.base_version) LIMIT 1", list(params)):
        raise VersionConflict(None)
    columns = list(QUERY_COLUMNS[kind.table])
    # Booleans come out of json_extract as 1 and 0, as _columns stores them.
    extracted = ", ".join(f"json_extract(p.data, '$.{name}')" for name in columns)
    stamp = now()
    db.execute(f"INSERT INTO history (entity, record_id, version, data, deleted, changed_at, changed_by) "  # noqa: S608
               f"SELECT ?, a.id, a.version, a.data, a.deleted, a.updated_at, a.updated_by FROM {staged} p "
               f"JOIN {kind.table} a ON a.id = p.id WHERE ({where})", [entity, *params])
    names = ["id", "version", "data", "deleted", "created_at", "updated_at", "updated_by", *columns]
    updates = ", ".join(f"{c} = excluded.{c}" for c in names if c not in ("id", "created_at"))
    # The WHERE before ON CONFLICT keeps SQLite from reading ON CONFLICT as part of the SELECT's join.
    cursor = db.execute(
        f"INSERT INTO {kind.table} ({', '.join(names)}) "
        f"SELECT p.id, p.base_version + 1, p.data, 0, ?, ?, ?, {extracted} {picked} ORDER BY p.line "
        f"ON CONFLICT(id) DO UPDATE SET {updates}", [stamp, stamp, actor, *params])
    for change in (f"'{entity}', p.id, p.id", "'register', p.id, NULL"):  # the address itself and its register entry
        db.execute(f"INSERT OR REPLACE INTO changes (entity, record_id, address_id, owner_id, op) "
                   f"SELECT {change}, NULL, 'put' {picked} ORDER BY p.line", list(params))
    return int(cursor.rowcount)


def _upsert(db: Database, table: str, row: dict[str, Any]) -> None:
    """Insert or replace a row by id with plain SQL (sqlite-utils' upsert introspects the table each call)."""
    db.execute(_upsert_sql(table, tuple(row)), list(row.values()))


@functools.lru_cache(maxsize=64)
def _upsert_sql(table: str, columns: tuple[str, ...]) -> str:
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != "id")
    return (f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "  # noqa: S608
            f"ON CONFLICT(id) DO UPDATE SET {updates}")


def delete(db: Database, entity: str, record_id: str, *, actor: str | None,
           expected_version: int | None = None) -> dict[str, Any] | None:
    """Mark a record deleted (a tombstone a device can learn about); return the tombstone."""
    kind = ENTITIES[entity]
    with write(db):
        old = rows(db, f"SELECT * FROM {kind.table} WHERE id = ?", [record_id])  # noqa: S608
        if not old or old[0]["deleted"]:
            return None
        old_row = old[0]
        if expected_version is not None and expected_version != old_row["version"]:
            raise VersionConflict(_row_to_record(old_row))
        _keep_history(db, entity, old_row)
        stamp = now()
        db.execute(f"UPDATE {kind.table} SET deleted = 1, version = version + 1, updated_at = ?, updated_by = ? "  # noqa: S608
                   "WHERE id = ?", [stamp, actor, record_id])
        record = _row_to_record(old_row)
        if kind.synced:
            log_change(db, entity, record_id, "delete", kind.address_of(record), kind.owner_of(record))
        if entity == "address":
            log_change(db, "register", record_id, "delete", None, None)  # off every tablet's register
    return {**record, "version": old_row["version"] + 1, "updated_at": stamp}


def _keep_history(db: Database, entity: str, old_row: dict[str, Any]) -> None:
    db.execute("INSERT INTO history (entity, record_id, version, data, deleted, changed_at, changed_by) "
               "VALUES (?, ?, ?, ?, ?, ?, ?)",
               [entity, old_row["id"], old_row["version"], old_row["data"], old_row["deleted"],
                old_row["updated_at"], old_row["updated_by"]])


def log_change(db: Database, entity: str, record_id: str, op: str, address_id: str | None,
               owner_id: str | None) -> int:
    """Move a record to the end of the change sequence; return its new sequence number."""
    # UNIQUE (entity, record_id): REPLACE drops the record's old row and appends a new seq.
    cursor = db.execute("INSERT OR REPLACE INTO changes (entity, record_id, address_id, owner_id, op) "
                        "VALUES (?, ?, ?, ?, ?)", [entity, record_id, address_id, owner_id, op])
    return int(cursor.lastrowid or 0)


def history(db: Database, entity: str, record_id: str) -> list[dict[str, Any]]:
    """Return every replaced version of a record, oldest first."""
    found = rows(db, "SELECT * FROM history WHERE entity = ? AND record_id = ? ORDER BY version",
                 [entity, record_id])
    return [{**jsontext.loads(r["data"]), "id": record_id, "version": r["version"],
             "deleted": bool(r["deleted"]), "changed_at": r["changed_at"], "changed_by": r["changed_by"]}
            for r in found]


def last_change_seq(db: Database) -> int:
    """Return the highest change sequence number handed out so far."""
    found = rows(db, "SELECT seq FROM sqlite_sequence WHERE name = 'changes'")
    return int(found[0]["seq"]) if found else 0
