"""The tablet's own SQLite store: records, outbox, sync state, photos and sync outcomes.

A local edit writes the record and its outbox entry in one transaction, so an edit is
either queued or not there at all. Records the handhaver changed and the server has
not yet acknowledged are `dirty`: a pull never overwrites or drops them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import sqlite3
import uuid
from pathlib import Path
from typing import Any, Iterator

from sqlite_utils import Database

from schemas import jsontext

DB_NAME = "veld.db"
SHA256_RE = re.compile(r"[0-9a-f]{64}")
# The address a record belongs to, for eviction and the address screen.
ADDRESS_OF = {"address": "id", "assignment": "address_id", "inspection": "address_id", "case": "address_id"}


def connect(path: Path) -> Database:
    """Open the store with WAL and synchronous=FULL; the file is readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = not path.exists()
    conn = sqlite3.connect(str(path), timeout=10, check_same_thread=False)
    if fresh:
        os.chmod(path, 0o600)  # it holds the device token
    db = Database(conn)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA busy_timeout=10000")
    return db


SCHEMA = [
    "CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT)",
    """CREATE TABLE IF NOT EXISTS records (
        entity TEXT NOT NULL, id TEXT NOT NULL, version INTEGER, data TEXT NOT NULL, address_id TEXT,
        dirty INTEGER NOT NULL DEFAULT 0, updated_at TEXT, PRIMARY KEY (entity, id))""",
    "CREATE INDEX IF NOT EXISTS records_address ON records(address_id)",
    """CREATE TABLE IF NOT EXISTS outbox (
        seq INTEGER PRIMARY KEY, entity TEXT NOT NULL, id TEXT NOT NULL, op TEXT NOT NULL,
        base_version INTEGER, data TEXT, created_at TEXT NOT NULL)""",
    # Acknowledging asks per entry whether later edits of the same record still wait.
    "CREATE INDEX IF NOT EXISTS outbox_record ON outbox(entity, id, seq)",
    """CREATE TABLE IF NOT EXISTS outcomes (
        seq INTEGER PRIMARY KEY, entity TEXT, id TEXT, status TEXT NOT NULL, code TEXT, message TEXT,
        errors TEXT, at TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS photos (
        sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, content_type TEXT, uploaded INTEGER NOT NULL DEFAULT 0)""",
]


def now() -> str:
    """Return the time as an ISO 8601 UTC string."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class TabletStore:
    """The local store in one data folder: veld.db and photos/."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # the token, drafts and photos: his only
        self.db = connect(self.folder / DB_NAME)
        with self.db.atomic():
            for statement in SCHEMA:
                self.db.execute(statement)
            columns = {r["name"] for r in self.db.query("PRAGMA table_info(photos)")}
            if "refused" not in columns:  # a store made before photos could be refused
                self.db.execute("ALTER TABLE photos ADD COLUMN refused TEXT")

    def close(self) -> None:
        """Close the database."""
        self.db.close()

    # --- state -----------------------------------------------------------------------

    def get_state(self, key: str, default: Any = None) -> Any:
        """Return a state value."""
        found = list(self.db.query("SELECT value FROM state WHERE key = ?", [key]))
        return json.loads(found[0]["value"]) if found else default

    def set_state(self, **values: Any) -> None:
        """Set state values (in the current transaction, if any)."""
        with self.db.atomic():
            for key, value in values.items():
                self.db.execute("INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE "
                                "SET value = excluded.value", [key, json.dumps(value)])

    @property
    def enrolled(self) -> bool:
        """Return whether this tablet has a device token."""
        return bool(self.get_state("token"))

    # --- records ---------------------------------------------------------------------

    def get(self, entity: str, record_id: str) -> dict[str, Any] | None:
        """Return a local record's data, or None."""
        found = list(self.db.query("SELECT data FROM records WHERE entity = ? AND id = ?", [entity, record_id]))
        return jsontext.loads(found[0]["data"]) if found else None

    def meta(self, entity: str, record_id: str) -> dict[str, Any] | None:
        """Return a record's version and dirty flag."""
        found = list(self.db.query("SELECT version, dirty FROM records WHERE entity = ? AND id = ?",
                                   [entity, record_id]))
        return found[0] if found else None

    def all(self, entity: str, where: str = "1", params: list[Any] | None = None) -> list[dict[str, Any]]:
        """Return the data of every local record of one entity matching a WHERE clause."""
        sql = f"SELECT data FROM records WHERE entity = ? AND ({where})"  # noqa: S608 - callers pass fixed SQL
        return [jsontext.loads(r["data"]) for r in self.db.query(sql, [entity, *(params or [])])]

    def _write_record(self, entity: str, data: dict[str, Any], version: int | None, dirty: bool) -> None:
        address_id = data.get(ADDRESS_OF.get(entity, ""))
        self.db.execute("INSERT INTO records (entity, id, version, data, address_id, dirty, updated_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(entity, id) DO UPDATE SET version = excluded.version,"
                        " data = excluded.data, address_id = excluded.address_id, dirty = excluded.dirty, "
                        "updated_at = excluded.updated_at",
                        [entity, data["id"], version, jsontext.dumps(data), address_id, int(dirty),
                         now()])

    def save_local(self, entity: str, data: dict[str, Any]) -> None:
        """Keep a local edit that is not queued yet (a draft): dirty, never overwritten by a pull."""
        meta = self.meta(entity, data["id"])
        with self.db.atomic():
            self._write_record(entity, data, meta["version"] if meta else None, True)

    def queue(self, entity: str, data: dict[str, Any], op: str = "put") -> int:
        """Write a record and its outbox entry in one transaction; return the entry's seq."""
        with self.db.atomic():
            meta = self.meta(entity, data["id"])
            base = meta["version"] if meta else None
            seq = int(self.get_state("next_seq", 1))
            self._write_record(entity, data, base, True)
            self.db.execute("INSERT INTO outbox (seq, entity, id, op, base_version, data, created_at) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?)",
                            [seq, entity, data["id"], op, base, jsontext.dumps(data), now()])
            self.set_state(next_seq=seq + 1)
        return seq

    def outbox(self, limit: int | None = None, upto: int | None = None, after: int = 0) -> list[dict[str, Any]]:
        """Return queued entries in seq order: after seq `after`, up to seq `upto` when given."""
        entries = list(self.db.query("SELECT * FROM outbox WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?",
                                     [after, upto if upto is not None else 2**62, limit or -1]))
        for e in entries:
            e["data"] = jsontext.loads(e["data"]) if e["data"] else None
        return entries

    def outbox_size(self) -> int:
        """Return how many entries wait for the server."""
        return int(self.db.execute("SELECT count(*) FROM outbox").fetchone()[0])

    def acknowledge(self, last_seq: int, results: list[dict[str, Any]]) -> None:
        """Record the server's answers and drop the entries up to last_seq, in one transaction."""
        with self.db.atomic():
            entries = {e["seq"]: e for e in self.db.query(
                "SELECT seq, entity, id, op, data FROM outbox WHERE seq <= ?", [last_seq])}
            remap: dict[str, str] = self.get_state("address_remap") or {}
            requeue: dict[str, None] = {}
            for result in results:
                entry = entries.get(result["seq"])
                if entry is None:
                    continue
                status = result["status"]
                original = result.get("original") or {}
                if status == "duplicate" and original:
                    status = original.get("status", "applied")
                    result = {**original, **result, "status": status}
                sent = jsontext.loads(entry["data"]) if entry["data"] else {}
                if status == "rejected" and result.get("code") == "address_exists" and entry["entity"] == "address":
                    remap[entry["id"]] = str(result["existing_id"])
                    self._move_address(entry["id"], remap[entry["id"]])
                elif status == "rejected" and entry["entity"] == "inspection" and sent.get("address_id") in remap:
                    requeue[entry["id"]] = None  # sent with the duplicate address's id: again, with the right one
                elif status in ("applied", "duplicate"):
                    self._applied(entry, result.get("version"))
                else:
                    self.db.execute("INSERT OR REPLACE INTO outcomes (seq, entity, id, status, code, message, errors,"
                                    " at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                    [entry["seq"], entry["entity"], entry["id"], status, result.get("code"),
                                     result.get("message"), json.dumps(result.get("errors") or result.get("fields")),
                                     now()])
                    if status == "conflict" and result.get("current"):
                        self._write_record(entry["entity"], result["current"], result["current"].get("version"),
                                           False)
            self.db.execute("DELETE FROM outbox WHERE seq <= ?", [last_seq])
            self.set_state(acknowledged_seq=last_seq, address_remap=remap or None)
            for inspection_id in requeue:
                waiting = self.db.execute("SELECT count(*) FROM outbox WHERE entity = 'inspection' AND id = ?",
                                          [inspection_id]).fetchone()[0]
                record = self.get("inspection", inspection_id)
                if record is not None and not waiting:  # a later entry of it will come back and be queued itself
                    self.queue("inspection", record)

    def _move_address(self, old_id: str, new_id: str) -> None:
        """Link everything recorded at an address found on site to the existing address the server has."""
        mine = self.get("address", old_id)
        if self.get("address", new_id) is None and mine is not None:
            register = self.get("register", new_id) or {}
            self._write_record("address", {**mine, **register, "id": new_id}, None, False)
        self.db.execute("DELETE FROM records WHERE entity = 'address' AND id = ?", [old_id])
        for row in list(self.db.query("SELECT entity, id, data, version, dirty FROM records WHERE address_id = ?",
                                      [old_id])):
            data = {**jsontext.loads(row["data"]), "address_id": new_id}
            self._write_record(row["entity"], data, row["version"], bool(row["dirty"]))

    def outbox_report(self) -> dict[str, Any]:
        """Return what the tablet tells the server of its outbox with each pull: size and oldest change."""
        size, oldest = self.db.execute("SELECT count(*), min(created_at) FROM outbox").fetchone()
        return {"outbox": size, **({"outbox_oldest": oldest} if oldest else {})}

    def renumber_outbox(self, user_id: str) -> None:
        """Number the queued changes again from seq 1, in their order, for a newly enrolled device.

        Refuses when they were made by another user: his evidence is never pushed under someone else.
        """
        with self.db.atomic():
            entries = list(self.db.query("SELECT seq FROM outbox ORDER BY seq"))
            previous = (self.get_state("user") or {}).get("id")
            if entries and previous not in (None, user_id):
                raise ValueError("outbox of another user")
            for new, entry in enumerate(entries, start=1):
                self.db.execute("UPDATE outbox SET seq = ? WHERE seq = ?", [-new, entry["seq"]])
            self.db.execute("UPDATE outbox SET seq = -seq")
            self.db.execute("DELETE FROM outcomes")
            self.set_state(next_seq=len(entries) + 1, acknowledged_seq=0)

    def _applied(self, entry: dict[str, Any], version: int | None) -> None:
        later = self.db.execute("SELECT count(*) FROM outbox WHERE entity = ? AND id = ? AND seq > ?",
                                [entry["entity"], entry["id"], entry["seq"]]).fetchone()[0]
        if entry["op"] == "delete":
            if not later:
                self.db.execute("DELETE FROM records WHERE entity = ? AND id = ?", [entry["entity"], entry["id"]])
            return
        self.db.execute("UPDATE records SET version = ?, dirty = ? WHERE entity = ? AND id = ?",
                        [version, int(bool(later)), entry["entity"], entry["id"]])

    def outcomes(self, statuses: tuple[str, ...] = ("rejected", "conflict")) -> list[dict[str, Any]]:
        """Return the rejections and conflicts the server sent back, newest first."""
        marks = ",".join("?" * len(statuses))
        found = list(self.db.query(f"SELECT * FROM outcomes WHERE status IN ({marks}) ORDER BY seq DESC",  # noqa: S608
                                   list(statuses)))
        for o in found:
            o["errors"] = json.loads(o["errors"]) if o["errors"] else None
        return found

    # --- pull --------------------------------------------------------------------------

    def _queued_ids(self) -> set[tuple[str, str]]:
        return {(r["entity"], r["id"]) for r in self.db.query("SELECT entity, id FROM outbox")}

    def apply_page(self, changes: list[dict[str, Any]], cursor: str, reset: bool) -> None:
        """Apply one pull page and commit its cursor with it; never touch unsynced local work."""
        unlinked: list[str] = []
        with self.db.atomic():
            if reset:
                self.drop_synced()
            queued = self._queued_ids()
            for change in changes:
                key = (change["entity"], change["id"])
                meta = self.meta(*key)
                protected = key in queued or bool(meta and meta["dirty"])
                if change["op"] == "evict":
                    self._evict(change["id"], queued)
                elif protected:
                    continue
                elif change["op"] == "delete":
                    gone = self.get(*key)
                    self.db.execute("DELETE FROM records WHERE entity = ? AND id = ?", list(key))
                    if gone is not None and change["entity"] == "inspection":
                        unlinked += self._drop_unnamed_photos(gone)
                else:
                    self._write_record(change["entity"], change["data"], change["version"], False)
            self.set_state(cursor=cursor)
        for sha in unlinked:  # after the commit: a page undone must not have lost the files of photos it kept
            self.photo_path(sha).unlink(missing_ok=True)

    def _drop_unnamed_photos(self, inspection: dict[str, Any]) -> list[str]:
        """Forget the photos of a deleted inspection (one the server destroyed) that nothing left here names.

        Return their hashes: the caller removes the files once the page has committed.
        """
        dropped = []
        for photo in inspection.get("photos") or []:
            sha = photo.get("sha256")
            if not isinstance(sha, str) or not SHA256_RE.fullmatch(sha):
                continue  # not a hash: nothing of ours to remove (and never a path outside photos/)
            pattern = f'%"{sha}"%'  # a hash is hex: nothing in it needs escaping for LIKE
            named = self.db.execute("SELECT 1 FROM records WHERE entity = 'inspection' AND data LIKE ? LIMIT 1",
                                    [pattern]).fetchone() or self.db.execute(
                "SELECT 1 FROM outbox WHERE data LIKE ? LIMIT 1", [pattern]).fetchone()
            if named:
                continue
            self.db.execute("DELETE FROM photos WHERE sha256 = ?", [sha])
            dropped.append(sha)
        return dropped

    def _evict(self, address_id: str, queued: set[tuple[str, str]]) -> None:
        user = (self.get_state("user") or {}).get("id")
        for row in list(self.db.query("SELECT entity, id, dirty, data FROM records WHERE address_id = ?",
                                      [address_id])):
            if row["dirty"] or (row["entity"], row["id"]) in queued:
                continue
            data = jsontext.loads(row["data"])
            if row["entity"] == "inspection" and data.get("inspector_id") == user:
                continue  # his own work stays on his tablet
            self.db.execute("DELETE FROM records WHERE entity = ? AND id = ?", [row["entity"], row["id"]])

    def drop_synced(self) -> None:
        """Drop every record the server can send again; keep the outbox and unsynced work."""
        queued = self._queued_ids()
        for row in list(self.db.query("SELECT entity, id FROM records WHERE dirty = 0")):
            if (row["entity"], row["id"]) not in queued:
                self.db.execute("DELETE FROM records WHERE entity = ? AND id = ?", [row["entity"], row["id"]])
        self.set_state(cursor=None)

    # --- photos ------------------------------------------------------------------------

    def photo_path(self, sha256: str) -> Path:
        """Return where a photo's bytes are kept."""
        return self.folder / "photos" / sha256[:2] / sha256

    def add_photo(self, content: bytes, content_type: str | None = None) -> str:
        """Keep a photo by the SHA-256 of its bytes; return the hash."""
        sha = hashlib.sha256(content).hexdigest()
        path = self.photo_path(sha)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{uuid.uuid4().hex}.tmp")
            tmp.write_bytes(content)
            os.replace(tmp, path)
        with self.db.atomic():
            self.db.execute("INSERT OR IGNORE INTO photos (sha256, size, content_type) VALUES (?, ?, ?)",
                            [sha, len(content), content_type])
        return sha

    def photos_to_upload(self) -> list[str]:
        """Return photos named by queued inspections that the server may not have yet."""
        wanted: list[str] = []
        for entry in self.outbox():
            if entry["entity"] == "inspection" and entry["data"]:
                wanted += [p["sha256"] for p in entry["data"].get("photos") or []]
        if not wanted:
            return []
        marks = ",".join("?" * len(set(wanted)))
        found = {r["sha256"] for r in self.db.query(
            f"SELECT sha256 FROM photos WHERE uploaded = 0 AND sha256 IN ({marks})", list(set(wanted)))}  # noqa: S608
        return [s for s in dict.fromkeys(wanted) if s in found]

    def refuse_photo(self, sha256: str, message: str) -> None:
        """Remember that the server refused this photo for good (its message kept): it is not sent again."""
        with self.db.atomic():
            self.db.execute("UPDATE photos SET uploaded = -1, refused = ? WHERE sha256 = ?", [message, sha256])

    def refused_photos(self) -> list[dict[str, Any]]:
        """Return the photos the server refused, with its message."""
        return list(self.db.query("SELECT sha256, refused FROM photos WHERE uploaded = -1 ORDER BY sha256"))

    def mark_uploaded(self, sha256: str) -> None:
        """Remember that the server has this photo."""
        with self.db.atomic():
            self.db.execute("UPDATE photos SET uploaded = 1 WHERE sha256 = ?", [sha256])

    # --- wiping --------------------------------------------------------------------------

    def wipe(self) -> None:
        """Delete every local record, queued change, photo and the token (a revoked tablet)."""
        with self.db.atomic():
            for table in ("records", "outbox", "outcomes", "photos", "state"):
                self.db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
        shutil.rmtree(self.folder / "photos", ignore_errors=True)
        self.db.execute("VACUUM")

    def counts(self) -> dict[str, int]:
        """Return how many records of each entity are on the tablet."""
        return {r["entity"]: r["n"] for r in self.db.query("SELECT entity, count(*) AS n FROM records GROUP BY entity")}

    def iter_records(self) -> Iterator[dict[str, Any]]:
        """Yield every record row (for tests and the contract)."""
        yield from self.db.query("SELECT * FROM records ORDER BY entity, id")
