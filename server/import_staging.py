"""Where an import keeps what it read and what it will store: a scratch SQLite file in the data folder.

The imports read files of up to half a million rows in bounded memory. Each good row goes into the
staging file as it is read (one streaming pass that also collects every bad row), the records to
store are prepared from it against the live database without holding the write lock, and then
they are stored through the record store (store.put_staged) in short write transactions, so a
tablet pushing meanwhile waits a moment at most (its busy timeout is 10 s).

Up to CHUNK records go in one transaction. A larger import is written in chunks of CHUNK with a
pause between them (SQLite's busy handler polls every 100 ms, so a waiting push gets in), and it
stays all or nothing: before the first chunk a row in import_batches records the staging file and
the number of records, each chunk moves its `applied_through` in the same transaction, and an
import that stopped halfway (a crash, a kill) is finished from its staging file before the next
import of its kind starts. Every record is prepared from the version it was read at; one that
changed since (a tablet's push, the office) is merged again from its current version inside the
chunk's transaction.

The staging file lives in a temporary folder inside the data folder (on the database's disk, not a
memory-backed /tmp) and is removed once everything in it is stored.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from schemas import jsontext
from server import store
from server.db import rows, write

SHOWN = 10  # bad rows printed on screen; the report lists all of them
BATCH = 5000  # rows buffered before they are written to the staging file
CHUNK = 20000  # records stored in one write transaction
PAUSE = 0.15  # seconds between two chunks, so that waiting writers get the lock
# remerge(current record data, patch, kind) -> the record data to store, or None when nothing changes
Remerge = Callable[[dict[str, Any], dict[str, Any], str], "dict[str, Any] | None"]
PREPARED = ("line INTEGER PRIMARY KEY, id TEXT NOT NULL, base_version INTEGER NOT NULL, data TEXT NOT NULL, "
            "kind TEXT NOT NULL, label TEXT, patch TEXT NOT NULL, bag_id TEXT")


@dataclass
class Written:
    """What storing did: records stored, the longest a write transaction held the lock, transactions."""

    stored: int = 0
    lock_seconds: float = 0.0
    transactions: int = 0


class Staging:
    """A staging file: bad rows, staged rows and prepared records of one import."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.folder = Path(tempfile.mkdtemp(prefix="import-", dir=folder))  # mode 700
        self.path = self.folder / "staging.db"
        os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        self.conn = sqlite3.connect(self.path, isolation_level=None)
        # A scratch file until it is complete: no journal; synced to disk once before chunked writing starts.
        self.conn.execute("PRAGMA journal_mode=OFF")
        self.conn.execute("PRAGMA synchronous=OFF")
        self.keep = False  # set while a chunked write that has started is not finished
        self.bad_count = 0
        self._buffers: dict[str, list[Sequence[Any]]] = {}
        self._inserts: dict[str, str] = {}
        self.table("bad", "line INTEGER NOT NULL, message TEXT NOT NULL")
        # What put_staged stores (line, id, base_version, data); kind (new, changed, gone, ...), label (for the
        # report), patch (what the import sets, to merge again onto a record changed meanwhile) and bag_id (of a new
        # record, to find one made meanwhile) are the import's.
        self.table("prepared", PREPARED)

    def close(self) -> None:
        """Remove the staging file (kept when a chunked write stopped halfway: the next import finishes it)."""
        self.conn.close()
        if not self.keep:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- staging rows ------------------------------------------------------------------------------

    def table(self, name: str, columns: str) -> None:
        """Create a staging table, e.g. table("rows", "line INTEGER PRIMARY KEY, bag_id TEXT")."""
        self.conn.execute(f"CREATE TABLE {name} ({columns})")
        width = len(columns.split(","))
        self._inserts[name] = f"INSERT INTO {name} VALUES ({', '.join('?' * width)})"  # noqa: S608 - fixed names
        self._buffers[name] = []

    def add(self, name: str, row: Sequence[Any]) -> None:
        """Add a row to a staging table (buffered: flush() before reading the table)."""
        buffer = self._buffers[name]
        buffer.append(row)
        if len(buffer) >= BATCH:
            self._flush(name)

    def _flush(self, name: str) -> None:
        buffer = self._buffers[name]
        if buffer:
            self.conn.execute("BEGIN")
            self.conn.executemany(self._inserts[name], buffer)
            self.conn.execute("COMMIT")
            buffer.clear()

    def flush(self) -> None:
        """Write every buffered row."""
        for name in self._buffers:
            self._flush(name)

    def bad(self, line: int, message: str) -> None:
        """Note a bad row: its line number and why (Dutch)."""
        self.bad_count += 1
        self.add("bad", (line, message))

    def bad_rows(self) -> Iterator[tuple[int, str]]:
        """Yield every bad row, by line."""
        self.flush()
        yield from self.conn.execute("SELECT line, message FROM bad ORDER BY line, rowid")

    def shown_bad(self) -> list[tuple[int, str]]:
        """Return the first bad rows by line (those printed on screen)."""
        self.flush()
        return [(int(line), str(message)) for line, message in self.conn.execute(
            "SELECT line, message FROM bad ORDER BY line, rowid LIMIT ?", [SHOWN])]

    def query(self, sql: str, params: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
        """Yield the rows of a query on the staging file (with the live database when attached)."""
        self.flush()
        yield from self.conn.execute(sql, params)

    # --- preparing ---------------------------------------------------------------------------------

    def prepare(self, line: int, record_id: str, base_version: int, data: dict[str, Any], kind: str,
                patch: dict[str, Any], label: str | None = None) -> None:
        """Stage a record to store, prepared from `base_version` (0: a new record) with the fields `patch` sets."""
        self.add("prepared", (line, record_id, base_version, jsontext.dumps(data), kind, label,
                              jsontext.dumps(patch), data.get("bag_id") if base_version == 0 else None))

    def attach_live(self, database: Path) -> None:
        """Attach the live database, read-only, as `live` (preparing reads it without any lock held)."""
        self.flush()
        self.conn.execute("ATTACH DATABASE ? AS live", [f"file:{database}?mode=ro"])

    def detach_live(self) -> None:
        """Detach the live database."""
        self.conn.execute("DETACH DATABASE live")

    def kinds(self) -> dict[str, int]:
        """Return how many prepared records there are of each kind."""
        self.flush()
        return {kind: n for kind, n in self.conn.execute("SELECT kind, count(*) FROM prepared GROUP BY kind")}

    # --- writing -----------------------------------------------------------------------------------

    def write(self, db: Database, *, kind: str, source: str, actor: str, remerge: Remerge,
              progress: Callable[[str, int, int | None], None]) -> Written:
        """Store every prepared record: in one transaction, or, when there are more than CHUNK, in chunks."""
        self.flush()
        self.conn.execute("CREATE INDEX IF NOT EXISTS prepared_bag ON prepared(bag_id) WHERE bag_id IS NOT NULL")
        total = self.conn.execute("SELECT count(*) FROM prepared").fetchone()[0]
        if not total:
            return Written()
        batch = None
        if total > CHUNK:
            self.conn.close()
            with self.path.open("rb+") as stream:  # everything the chunks will read is on disk before they start
                os.fsync(stream.fileno())
            self.conn = sqlite3.connect(self.path, isolation_level=None)
            with write(db):
                batch = int(db.execute(
                    "INSERT INTO import_batches (kind, source, staging, total, applied_through, actor, started_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)", [kind, source, str(self.path), total, -1, actor,
                                                     store.now()]).lastrowid or 0)
            self.keep = True
        written = store_chunks(db, self.path, batch, -1, total, actor=actor, remerge=remerge, progress=progress)
        self.keep = False
        return written


def store_chunks(db: Database, staging: Path, batch: int | None, after: int, total: int, *, actor: str,
                 remerge: Remerge, progress: Callable[[str, int, int | None], None]) -> Written:
    """Store the prepared records of a staging file after line `after`, CHUNK per write transaction."""
    written = Written()
    db.execute("ATTACH DATABASE ? AS stage", [str(staging)])
    try:
        db.execute("CREATE TEMP TABLE IF NOT EXISTS import_settled (line INTEGER PRIMARY KEY)")
        done = 0
        while True:
            last, size = db.execute("SELECT max(line), count(*) FROM (SELECT line FROM stage.prepared WHERE line > ? "
                                    "ORDER BY line LIMIT ?)", [after, CHUNK]).fetchone()
            if last is None:
                break
            if written.transactions:
                time.sleep(PAUSE)
            with write(db):
                locked = time.perf_counter()  # BEGIN IMMEDIATE has the lock from here
                settled = _settle(db, after, last, actor, remerge)
                stored = store.put_staged(db, "address", "stage.prepared", actor=actor,
                                          where="p.line > ? AND p.line <= ? AND p.line NOT IN "
                                                "(SELECT line FROM temp.import_settled)", params=[after, last])
                if batch is not None:
                    db.execute("UPDATE import_batches SET applied_through = ? WHERE id = ?", [last, batch])
            written.lock_seconds = max(written.lock_seconds, time.perf_counter() - locked)  # after COMMIT
            written.stored += stored + settled
            written.transactions += 1
            done += size
            after = last
            progress("Schrijven", done, total)
        if batch is not None:
            with write(db):
                db.execute("UPDATE import_batches SET finished_at = ? WHERE id = ?", [store.now(), batch])
    finally:
        db.execute("DROP TABLE IF EXISTS temp.import_settled")
        db.execute("DETACH DATABASE stage")
    return written


def _settle(db: Database, after: int, last: int, actor: str, remerge: Remerge) -> int:
    """Merge again, from their current version, the chunk's records that changed since they were prepared.

    Also a new record whose nummeraanduiding an address got meanwhile (made on a tablet, say) is merged
    into that address instead. Each is stored with put (or not at all when nothing changes any more) and
    noted in temp.import_settled, which put_staged then leaves out. Return how many were stored.
    """
    db.execute("DELETE FROM temp.import_settled")
    found = rows(db, "SELECT p.line, a.id, p.patch, p.kind FROM stage.prepared p JOIN addresses a ON a.id = p.id "
                     "WHERE p.line > ? AND p.line <= ? AND a.version != p.base_version "
                     "UNION ALL SELECT p.line, a.id, p.patch, p.kind FROM stage.prepared p "
                     "JOIN addresses a ON a.bag_id = p.bag_id AND a.deleted = 0 "
                     "WHERE p.line > ? AND p.line <= ? AND p.bag_id IS NOT NULL ORDER BY 1", [after, last, after, last])
    stored = 0
    for row in found:
        db.execute("INSERT OR IGNORE INTO temp.import_settled (line) VALUES (?)", [row["line"]])
        current = store.get(db, "address", row["id"])
        if current is None:
            continue  # deleted meanwhile: an import does not bring it back
        record = remerge(record_data(current), jsontext.loads(row["patch"]), row["kind"])
        if record is not None:
            store.put(db, "address", {"id": current["id"], **record}, actor=actor, expected_version=current["version"])
            stored += 1
    return stored


def finish_pending(db: Database, kind: str, *, remerge: Remerge,
                   progress: Callable[[str, int, int | None], None]) -> list[str]:
    """Finish every chunked import of this kind that stopped halfway; return a Dutch note per batch."""
    notes = []
    for batch in rows(db, "SELECT * FROM import_batches WHERE kind = ? AND finished_at IS NULL ORDER BY id", [kind]):
        staging = Path(batch["staging"])
        started = dt.datetime.fromisoformat(batch["started_at"]).strftime("%Y-%m-%d %H:%M")
        if not staging.exists():
            with write(db):
                db.execute("UPDATE import_batches SET finished_at = ?, note = ? WHERE id = ?",
                           [store.now(), "werkbestand ontbrak; niet afgemaakt", batch["id"]])
            notes.append(f"Let op: de import van {batch['source']} (begonnen {started} UTC) stopte halverwege en kan "
                         "niet worden afgemaakt (het werkbestand ontbreekt); lees dat bestand opnieuw in.")
            continue
        store_chunks(db, staging, batch["id"], batch["applied_through"], batch["total"],
                     actor=batch["actor"] or f"import:{kind}", remerge=remerge, progress=progress)
        shutil.rmtree(staging.parent, ignore_errors=True)
        notes.append(f"De import van {batch['source']} (begonnen {started} UTC) stopte halverwege en is nu afgemaakt.")
    return notes


def record_data(record: dict[str, Any]) -> dict[str, Any]:
    """Return a stored record without its meta fields (what put stores as data)."""
    return {k: v for k, v in record.items() if k not in ("id", "version", "created_at", "updated_at")}
