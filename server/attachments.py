"""Photos and other attachments, addressed by the SHA-256 of their bytes.

Uploads stream to a partial file in chunks (Content-Range), so a broken upload
resumes where it stopped; the last chunk is checked against hash, size and type
before the file is kept. Files live in DATA/attachments/<first two hex>/<sha256>.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from pathlib import Path
from typing import IO, Any

from sqlite_utils import Database

from server import store
from server.db import rows, write

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
RANGE_RE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")
CHUNK = 64 * 1024
MAGIC = [(b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"%PDF-", "application/pdf")]

# One upload per hash at a time in this process (waitress is one process, many threads).
_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


class UploadError(Exception):
    """An upload that cannot be accepted; carries the HTTP status and Dutch message."""

    def __init__(self, status: int, error: str, message: str, offset: int | None = None) -> None:
        super().__init__(message)
        self.status, self.error, self.message, self.offset = status, error, message, offset


def lock_for(sha256: str) -> threading.Lock:
    """Return the lock that serialises uploads of one hash."""
    with _locks_guard:
        return _locks.setdefault(sha256, threading.Lock())


def folder(data: Path) -> Path:
    """Return the attachments folder of a data folder."""
    return data / "attachments"


def final_path(data: Path, sha256: str) -> Path:
    """Return where a complete attachment is kept."""
    return folder(data) / sha256[:2] / sha256


def partial_path(data: Path, sha256: str) -> Path:
    """Return where an upload in progress is kept."""
    return folder(data) / "partial" / f"{sha256}.part"


def have(db: Database, hashes: list[str]) -> set[str]:
    """Return which of these hashes the server has complete."""
    found: set[str] = set()
    for i in range(0, len(hashes), 500):
        chunk = hashes[i:i + 500]
        marks = ",".join("?" * len(chunk))
        found |= {r["sha256"] for r in rows(db, f"SELECT sha256 FROM attachments WHERE sha256 IN ({marks})",  # noqa: S608
                                            chunk)}
    return found


def offset(db: Database, data: Path, sha256: str) -> tuple[int, bool]:
    """Return (bytes received, complete) for a hash."""
    if have(db, [sha256]):
        size = rows(db, "SELECT size FROM attachments WHERE sha256 = ?", [sha256])[0]["size"]
        return int(size), True
    part = partial_path(data, sha256)
    return (part.stat().st_size if part.exists() else 0), False


def parse_range(header: str | None) -> tuple[int, int, int]:
    """Return (first, last, total) from 'bytes a-b/total'."""
    m = RANGE_RE.match(header or "")
    if not m:
        raise UploadError(400, "bad_range", "Geef Content-Range: bytes begin-eind/totaal mee.")
    first, last, total = (int(g) for g in m.groups())
    if not first <= last < total:
        raise UploadError(400, "bad_range", "Content-Range klopt niet: begin <= eind < totaal.")
    return first, last, total


def receive(db: Database, data: Path, sha256: str, content_range: str | None, stream: IO[bytes],
            length: int | None, max_bytes: int, allowed_types: list[str], who: dict[str, Any]) -> dict[str, Any]:
    """Append one chunk at its offset; on the last chunk verify and keep the file.

    Return {"offset", "complete"}; raise UploadError with the status to answer.
    """
    first, last, total = parse_range(content_range)
    if total > max_bytes:
        raise UploadError(413, "too_large", f"Bijlage is groter dan {max_bytes} bytes.")
    if length is not None and length != last - first + 1:
        raise UploadError(400, "bad_range", "De lengte van de inhoud past niet bij Content-Range.")
    with lock_for(sha256):
        received, complete = offset(db, data, sha256)
        if complete:
            return {"offset": received, "complete": True}
        if first != received:
            raise UploadError(409, "offset_mismatch", f"Verwacht verder te gaan bij byte {received}.", received)
        part = partial_path(data, sha256)
        part.parent.mkdir(parents=True, exist_ok=True)
        if first == 0:
            _start(db, sha256, total, who)
        elif _total_of(db, sha256) not in (None, total):
            raise UploadError(400, "bad_range", "Het totaal verschilt van het begin van deze upload.")
        wanted = last - first + 1
        written = _append(part, stream, wanted)
        if written != wanted:
            # A cut connection: keep what arrived whole, so the next try resumes from there.
            raise UploadError(400, "incomplete_chunk", "Het stuk is niet helemaal aangekomen.", first + written)
        if last + 1 < total:
            return {"offset": last + 1, "complete": False}
        return _finish(db, data, sha256, total, allowed_types, who)


def _start(db: Database, sha256: str, total: int, who: dict[str, Any]) -> None:
    with write(db):
        db.table("uploads").upsert({"sha256": sha256, "total": total, "received": 0, "started_at": store.now(),
                                    "device_id": who.get("device_id"), "user_id": who.get("user_id")}, pk="sha256")


def _total_of(db: Database, sha256: str) -> int | None:
    found = rows(db, "SELECT total FROM uploads WHERE sha256 = ?", [sha256])
    return int(found[0]["total"]) if found else None


def _append(part: Path, stream: IO[bytes], wanted: int) -> int:
    written = 0
    with open(part, "ab") as out:
        while written < wanted:
            chunk = stream.read(min(CHUNK, wanted - written))
            if not chunk:
                break
            out.write(chunk)
            written += len(chunk)
        out.flush()
        os.fsync(out.fileno())
    return written


def _finish(db: Database, data: Path, sha256: str, total: int, allowed_types: list[str],
            who: dict[str, Any]) -> dict[str, Any]:
    part = partial_path(data, sha256)
    digest = hashlib.sha256()
    with open(part, "rb") as f:
        head = f.read(16)
        digest.update(head)
        for chunk in iter(lambda: f.read(CHUNK), b""):
            digest.update(chunk)
    size = part.stat().st_size
    kind = next((t for magic, t in MAGIC if head.startswith(magic)), None)
    if size != total or digest.hexdigest() != sha256:
        _drop(db, part, sha256)
        raise UploadError(422, "hash_mismatch", "De inhoud past niet bij de SHA-256 of de grootte; upload opnieuw.")
    if kind is None or kind not in allowed_types:
        _drop(db, part, sha256)
        raise UploadError(415, "unsupported_type", "Alleen " + ", ".join(allowed_types) + " zijn toegestaan.")
    target = final_path(data, sha256)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(part, target)
    with write(db):
        db.table("attachments").insert({"sha256": sha256, "size": size, "content_type": kind,
                                        "created_at": store.now(), "device_id": who.get("device_id"),
                                        "user_id": who.get("user_id")}, ignore=True)
        db.execute("DELETE FROM uploads WHERE sha256 = ?", [sha256])
    return {"offset": size, "complete": True}


def _drop(db: Database, part: Path, sha256: str) -> None:
    part.unlink(missing_ok=True)
    with write(db):
        db.execute("DELETE FROM uploads WHERE sha256 = ?", [sha256])
