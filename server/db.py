"""The SQLite connection: one per request on `g`, WAL, synchronous=FULL, immediate writes."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from flask import Flask, current_app, g
from sqlite_utils import Database
from sqlite_utils.utils import dedupe_keys

DB_NAME = "woontoezicht.db"


def connect(path: str | Path, busy_timeout_ms: int = 10000) -> Database:
    """Open the database with the pragmas every connection needs; a new file is its owner's only (0600)."""
    if str(path) != ":memory:":
        with contextlib.suppress(FileExistsError):  # SQLite's WAL and shm files take the same mode
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    conn = sqlite3.connect(str(path), timeout=busy_timeout_ms / 1000, check_same_thread=False)
    db = Database(conn)
    db.execute("PRAGMA journal_mode=WAL")
    # FULL: a commit is on disk before we answer, so an acknowledged write survives a crash.
    db.execute("PRAGMA synchronous=FULL")
    db.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    db.execute("PRAGMA foreign_keys=ON")
    # Savepoint journals in memory, not in temporary files: nested writes (sqlite-utils'
    # atomic(), a push replayed with a savepoint per mutation) journal every page they touch
    # first, and writing those journals to files cost a third of a push's SQL time. Durability
    # does not depend on them (the WAL does). Temporary sorts and index builds of every
    # connection, the commands' too, stay in memory as well, which a municipality's database
    # (tens to hundreds of megabytes) allows.
    db.execute("PRAGMA temp_store=MEMORY")
    return db


@contextlib.contextmanager
def write(db: Database) -> Iterator[Database]:
    """Run a write transaction that takes the write lock up front (BEGIN IMMEDIATE).

    Deferred transactions that read and then write can deadlock between threads
    (SQLITE_BUSY on upgrade); taking the lock at BEGIN makes writers queue instead.
    Nested use joins the outer transaction through a savepoint, except inside an
    unguarded() section of the same connection, where it joins without one.
    """
    if db.conn.in_transaction:
        section = _UNGUARDED.get()
        if section is not None and section.conn is db.conn:
            before = db.conn.total_changes
            try:
                yield db
            except BaseException:
                if db.conn.total_changes != before:
                    section.broken = True  # a savepoint would have undone these rows; the caller must
                raise
            return
        # A savepoint; nested ones may share the name (SQLite uses the innermost), which saves
        # the random names sqlite-utils' atomic() makes in the per-record loops of a push.
        db.conn.execute("SAVEPOINT nested_write")
        try:
            yield db
        except BaseException:
            if db.conn.in_transaction:  # a RAISE(ROLLBACK) trigger may have ended it already
                db.conn.execute("ROLLBACK TO nested_write")
                db.conn.execute("RELEASE nested_write")
            raise
        db.conn.execute("RELEASE nested_write")
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    db.conn.execute("COMMIT")


@dataclass
class Section:
    """An unguarded() section: broken once a nested write failed after changing rows."""

    conn: sqlite3.Connection
    broken: bool = False


_UNGUARDED: ContextVar[Section | None] = ContextVar("unguarded", default=None)


@contextlib.contextmanager
def unguarded(db: Database) -> Iterator[Section]:
    """Let nested write() blocks on this connection skip their savepoints, inside a transaction.

    A savepoint copies every page it is the first to change into a journal, which made up a
    sixth of a push's time. The caller takes on what the savepoints did: when the section is
    `broken` (a nested write ended in an exception after it changed rows, which a savepoint
    would have undone), the caller must undo the whole enclosing write and do it again guarded.
    """
    if not db.conn.in_transaction:
        raise RuntimeError("unguarded() runs inside a write()")
    active = _UNGUARDED.get()
    if active is not None and active.conn is db.conn:
        raise RuntimeError("unguarded() sections do not nest: the outer one's write() would not undo the inner")
    section = Section(db.conn)
    token = _UNGUARDED.set(section)
    try:
        yield section
    finally:
        _UNGUARDED.reset(token)


def database_path(app: Flask) -> Path:
    """Return the database file of this app."""
    return Path(app.config["DATA"]) / DB_NAME


def get_db() -> Database:
    """Return this request's connection, opening it on first use."""
    if "db" not in g:
        g.db = connect(database_path(current_app), current_app.config["BUSY_TIMEOUT_MS"])
    db: Database = g.db
    return db


def close_db(exc: BaseException | None = None) -> None:
    """Close this request's connection, if any."""
    db = g.pop("db", None)
    if db is not None:
        db.close()


def init_app(app: Flask) -> None:
    """Close the connection at the end of every request."""
    app.teardown_appcontext(close_db)


def rows(db: Database, sql: str, params: Any = ()) -> list[dict[str, Any]]:
    """Return the rows of a query as dicts.

    Straight on the connection: sqlite-utils' query() wraps every statement in a savepoint
    of its own, which costs more than the indexed lookups the sync hot path makes.
    """
    opened = not db.conn.in_transaction
    cursor = db.conn.execute(sql, params)
    if cursor.description is None:
        if opened and db.conn.in_transaction:
            db.conn.rollback()  # not a query: undo it, and leave no implicit transaction open
        raise ValueError("rows() is for statements that return rows")
    keys = [d[0] for d in cursor.description]
    if len(set(keys)) != len(keys):
        keys = list(dedupe_keys(keys))  # "id", "id_2", as sqlite-utils names repeated columns
    return [dict(zip(keys, row, strict=True)) for row in cursor.fetchall()]
