"""Photos and other attachments, addressed by the SHA-256 of their bytes.

Uploads stream to a partial file in chunks (Content-Range), so a broken upload resumes where it
stopped. A partial belongs to the token that started it (its owner: the device, or the user of an
API token or session): another caller sending the same hash gets a partial of his own, and each
owner's partials count against a quota and expire. The last chunk is checked against hash, size,
type and content before the file is kept; whoever uploads a hash completely owns it (a table of
(sha256, user_id)), and only owners learn from the server that it has the file.

Files live in DATA/attachments/<first two hex>/<sha256>; partials in
DATA/attachments/partial/<owner>/<sha256>.part.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlite_utils import Database

from server import attachment_content as content
from server import store
from server.access import may_read_address_data
from server.db import rows, write

SHA256_RE = re.compile(r"[0-9a-f]{64}")  # always fullmatch: `$` would let a trailing newline through
RANGE_RE = re.compile(r"bytes (\d+)-(\d+)/(\d+)")
CHUNK = 64 * 1024
DISK_FULL = "De schijf van de server is vol; probeer het later opnieuw. Er is niets verloren gegaan."

# One request per partial at a time in this process (waitress is one process, many threads).
# A fixed pool, by hash prefix: bounded however many uploads pass (two uploads sharing a lock just wait).
_locks = [threading.Lock() for _ in range(256)]


class UploadError(Exception):
    """An upload that cannot be accepted; carries the HTTP status and Dutch message."""

    def __init__(self, status: int, error: str, message: str, offset: int | None = None) -> None:
        super().__init__(message)
        self.status, self.error, self.message, self.offset = status, error, message, offset


@dataclass(frozen=True)
class Limits:
    """The attachment settings an upload is held to."""

    max_bytes: int
    types: list[str]
    max_pixels: int
    quota_bytes: int
    partial_hours: int

    @classmethod
    def from_config(cls, config: Any) -> Limits:
        """Return the limits from the app config."""
        return cls(config["ATTACHMENT_MAX_BYTES"], list(config["ATTACHMENT_TYPES"]), config["ATTACHMENT_MAX_PIXELS"],
                   config["ATTACHMENT_PARTIAL_QUOTA_BYTES"], config["ATTACHMENT_PARTIAL_HOURS"])


def is_sha256(value: str) -> bool:
    """Return whether a value is a SHA-256 in lower-case hex, nothing before or after."""
    return SHA256_RE.fullmatch(value) is not None


def owner_of(who: dict[str, Any]) -> str:
    """Return whom a partial belongs to: the caller's device, else his user (API token or session)."""
    return f"device-{who['device_id']}" if who.get("device_id") else f"user-{who['user_id']}"


def lock_for(sha256: str, owner: str) -> threading.Lock:
    """Return the lock that serialises the requests on one owner's partial of a hash (shared by its prefix)."""
    return _locks[int(sha256[:2], 16)]


def folder(data: Path) -> Path:
    """Return the attachments folder of a data folder."""
    return data / "attachments"


def final_path(data: Path, sha256: str) -> Path:
    """Return where a complete attachment is kept."""
    return folder(data) / sha256[:2] / sha256


def partial_path(data: Path, sha256: str, owner: str) -> Path:
    """Return where one owner's upload in progress is kept."""
    return folder(data) / "partial" / owner / f"{sha256}.part"


def owned(db: Database, user_id: str, hashes: list[str]) -> set[str]:
    """Return which of these hashes this user uploaded completely (the only ones he learns exist)."""
    found: set[str] = set()
    for i in range(0, len(hashes), 500):
        chunk = hashes[i:i + 500]
        marks = ",".join("?" * len(chunk))
        found |= {r["sha256"] for r in rows(db, f"SELECT sha256 FROM attachment_owners WHERE user_id = ? "  # noqa: S608
                                                f"AND sha256 IN ({marks})", [user_id, *chunk])}
    return found


def status(db: Database, data: Path, sha256: str, who: dict[str, Any], limits: Limits) -> tuple[int, bool]:
    """Return (offset, complete) as this caller may know it: his own partial, or complete when he owns it.

    A partial that already holds the whole file (the server stopped right after its last chunk)
    is finished here; one that fails its checks is dropped, so the caller starts again from 0.
    """
    expire_partials(db, data, limits.partial_hours)
    if owned(db, who["user_id"], [sha256]):
        return _size(db, sha256), True
    owner = owner_of(who)
    with lock_for(sha256, owner):
        partial = _partial(db, sha256, owner)
        if partial is None:
            return 0, False
        if partial["received"] < partial["total"]:
            return int(partial["received"]), False
        try:
            result = _finish(db, data, sha256, owner, int(partial["total"]), limits, who)
        except UploadError as err:
            return (int(partial["received"]) if err.status == 507 else 0), False
        return int(result["offset"]), True


def parse_range(header: str | None) -> tuple[int, int, int]:
    """Return (first, last, total) from 'bytes a-b/total'."""
    m = RANGE_RE.fullmatch(header or "")
    if not m:
        raise UploadError(400, "bad_range", "Geef Content-Range: bytes begin-eind/totaal mee.")
    first, last, total = (int(g) for g in m.groups())
    if not first <= last < total:
        raise UploadError(400, "bad_range", "Content-Range klopt niet: begin <= eind < totaal.")
    return first, last, total


def receive(db: Database, data: Path, sha256: str, content_range: str | None, stream: IO[bytes],
            length: int | None, limits: Limits, who: dict[str, Any]) -> dict[str, Any]:
    """Append one chunk to the caller's partial at its offset; on the last chunk verify and keep the file.

    Return {"offset", "complete"}; raise UploadError with the status to answer.
    """
    first, last, total = parse_range(content_range)
    if total > limits.max_bytes:
        raise UploadError(413, "too_large", f"Bijlage is groter dan {limits.max_bytes} bytes.")
    if length is not None and length != last - first + 1:
        raise UploadError(400, "bad_range", "De lengte van de inhoud past niet bij Content-Range.")
    expire_partials(db, data, limits.partial_hours)
    if owned(db, who["user_id"], [sha256]):
        return {"offset": _size(db, sha256), "complete": True}
    owner = owner_of(who)
    with lock_for(sha256, owner):
        partial = _partial(db, sha256, owner)
        if partial is not None and partial["received"] == partial["total"]:
            return _finish(db, data, sha256, owner, int(partial["total"]), limits, who)
        received = int(partial["received"]) if partial else 0
        if first != received:
            raise UploadError(409, "offset_mismatch", f"Verwacht verder te gaan bij byte {received}.", received)
        if partial is None:
            _start(db, sha256, owner, total, limits, who)
        elif partial["total"] != total:
            raise UploadError(400, "bad_range", "Het totaal verschilt van het begin van deze upload.")
        part = partial_path(data, sha256, owner)
        wanted = last - first + 1
        written = _write_at(part, first, stream, wanted)
        _received(db, sha256, owner, first, first + written)
        if written != wanted:
            # A cut connection: keep what arrived whole, so the next try resumes from there.
            raise UploadError(400, "incomplete_chunk", "Het stuk is niet helemaal aangekomen.", first + written)
        if last + 1 < total:
            return {"offset": last + 1, "complete": False}
        return _finish(db, data, sha256, owner, total, limits, who)


def _partial(db: Database, sha256: str, owner: str) -> dict[str, Any] | None:
    found = rows(db, "SELECT * FROM partial_uploads WHERE sha256 = ? AND owner = ?", [sha256, owner])
    return found[0] if found else None


def _size(db: Database, sha256: str) -> int:
    found = rows(db, "SELECT size FROM attachments WHERE sha256 = ?", [sha256])
    return int(found[0]["size"]) if found else 0


def _start(db: Database, sha256: str, owner: str, total: int, limits: Limits, who: dict[str, Any]) -> None:
    """Open a partial for this owner, within his quota: the sizes his open partials announced count."""
    with write(db):
        used = int(rows(db, "SELECT coalesce(sum(total), 0) AS n FROM partial_uploads WHERE owner = ?",
                        [owner])[0]["n"])
        if used + total > limits.quota_bytes:
            raise UploadError(413, "partial_quota", (
                f"De ruimte voor onvoltooide uploads van dit apparaat is vol: {_mb(used)} van de "
                f"{_mb(limits.quota_bytes)} MB is in gebruik en deze bijlage vraagt {_mb(total)} MB. Rond eerst de "
                f"lopende uploads af of wacht tot ze na {limits.partial_hours} uur verlopen."))
        at = store.now()
        db.execute("INSERT INTO partial_uploads (sha256, owner, total, received, started_at, updated_at, device_id, "
                   "user_id) VALUES (?, ?, ?, 0, ?, ?, ?, ?)", [sha256, owner, total, at, at, who.get("device_id"),
                                                                who.get("user_id")])


def _received(db: Database, sha256: str, owner: str, before: int, after: int) -> None:
    """Move the partial's offset, only from where this chunk started (its bytes are on disk by now)."""
    with write(db):
        moved = db.execute("UPDATE partial_uploads SET received = ?, updated_at = ? WHERE sha256 = ? AND owner = ? "
                           "AND received = ?", [after, store.now(), sha256, owner, before]).rowcount
    if moved != 1:  # expired and removed while this chunk was on its way
        raise UploadError(409, "offset_mismatch", "Deze upload is verlopen; begin opnieuw bij byte 0.", 0)


def _write_at(part: Path, offset: int, stream: IO[bytes], wanted: int) -> int:
    """Write a chunk at its offset, cut off anything after it, and sync it to disk; return bytes written."""
    written = 0
    try:
        part.parent.mkdir(parents=True, exist_ok=True)
        with os.fdopen(os.open(part, os.O_RDWR | os.O_CREAT, 0o600), "r+b") as out:
            out.seek(offset)
            while written < wanted:
                chunk = stream.read(min(CHUNK, wanted - written))
                if not chunk:
                    break
                out.write(chunk)
                written += len(chunk)
            out.flush()
            out.truncate()  # bytes after the offset are left from a try that failed halfway
            os.fsync(out.fileno())
    except OSError as err:
        _raise_if_disk_full(err, offset)
        raise
    return written


def _raise_if_disk_full(err: OSError, offset: int) -> None:
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        raise UploadError(507, "disk_full", DISK_FULL, offset) from err


def _finish(db: Database, data: Path, sha256: str, owner: str, total: int, limits: Limits,
            who: dict[str, Any]) -> dict[str, Any]:
    """Verify a whole partial (hash, size, type, content) and keep it; its uploader becomes an owner."""
    part = partial_path(data, sha256, owner)
    size, digest, head = _digest(part)
    if size != total or digest != sha256:
        _drop(db, part, sha256, owner)
        raise UploadError(422, "hash_mismatch", "De inhoud past niet bij de SHA-256 of de grootte; upload opnieuw.")
    kind = content.sniff(head)
    if kind is None or kind not in limits.types:
        _drop(db, part, sha256, owner)
        raise UploadError(415, "unsupported_type", "Alleen " + ", ".join(limits.types) + " zijn toegestaan.")
    try:
        content.check(part, kind, limits.max_pixels)
    except content.Refused as err:
        _drop(db, part, sha256, owner)
        raise UploadError(422, err.error, err.message) from None
    target = final_path(data, sha256)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(part, target)  # the same verified bytes as any copy already there
    except OSError as err:
        _raise_if_disk_full(err, total)
        raise
    at = store.now()
    with write(db):
        db.execute("INSERT OR IGNORE INTO attachments (sha256, size, content_type, created_at, device_id, user_id) "
                   "VALUES (?, ?, ?, ?, ?, ?)", [sha256, size, kind, at, who.get("device_id"), who["user_id"]])
        db.execute("INSERT OR IGNORE INTO attachment_owners (sha256, user_id, device_id, created_at) "
                   "VALUES (?, ?, ?, ?)", [sha256, who["user_id"], who.get("device_id"), at])
        db.execute("DELETE FROM partial_uploads WHERE sha256 = ? AND owner = ?", [sha256, owner])
    return {"offset": size, "complete": True}


def _digest(part: Path) -> tuple[int, str, bytes]:
    digest = hashlib.sha256()
    size = 0
    with open(part, "rb") as f:
        head = f.read(16)
        digest.update(head)
        size += len(head)
        for chunk in iter(lambda: f.read(CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest(), head


def _drop(db: Database, part: Path, sha256: str, owner: str) -> None:
    part.unlink(missing_ok=True)
    with write(db):
        db.execute("DELETE FROM partial_uploads WHERE sha256 = ? AND owner = ?", [sha256, owner])


def expire_partials(db: Database, data: Path, hours: int, now: dt.datetime | None = None, *,
                    strays: bool = False) -> int:
    """Remove partials that received nothing for `hours`; return how many. Called lazily and by a job.

    With strays, also remove files in the partial folder that no upload row knows and that are as
    old (left by a crash, or by the layout before partials had owners).
    """
    moment = now or dt.datetime.now(dt.UTC)
    cutoff = (moment - dt.timedelta(hours=hours)).isoformat(timespec="microseconds")
    removed = 0
    for row in rows(db, "SELECT sha256, owner FROM partial_uploads WHERE updated_at < ?", [cutoff]):
        lock = lock_for(row["sha256"], row["owner"])
        if not lock.acquire(blocking=False):  # a chunk is being written: not idle after all
            continue
        try:
            with write(db):
                gone = db.execute("DELETE FROM partial_uploads WHERE sha256 = ? AND owner = ? AND updated_at < ?",
                                  [row["sha256"], row["owner"], cutoff]).rowcount
            if gone:
                partial_path(data, row["sha256"], row["owner"]).unlink(missing_ok=True)
                removed += 1
        finally:
            lock.release()
    if strays:
        removed += _remove_strays(db, data, moment.timestamp() - hours * 3600)
    return removed


def _remove_strays(db: Database, data: Path, before: float) -> int:
    known = {partial_path(data, r["sha256"], r["owner"]) for r in rows(db, "SELECT sha256, owner FROM partial_uploads")}
    removed = 0
    for path in (folder(data) / "partial").rglob("*.part"):
        if path not in known and path.lstat().st_mtime < before:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


# The photos an inspection names that its own inspector uploaded: the only copies its readers may have
# (naming a hash one did not upload grants nothing). may_read and inspectors_photos share this rule.
_INSPECTORS_OWN = ("FROM inspection_photos p JOIN inspections i ON i.id = p.inspection_id AND i.deleted = 0 "
                   "JOIN attachment_owners o ON o.sha256 = p.sha256 AND o.user_id = i.inspector_id")


def inspectors_photos(db: Database, inspection_ids: list[str]) -> set[tuple[str, str]]:
    """Return the (inspection id, sha256) of these inspections' photos that their inspector uploaded.

    These are the photos whoever may read the inspection may download (may_read); any other photo an
    inspection names has not been received as far as its readers are concerned.
    """
    found: set[tuple[str, str]] = set()
    for i in range(0, len(inspection_ids), 500):
        chunk = inspection_ids[i:i + 500]
        marks = ",".join("?" * len(chunk))
        found |= {(r["inspection_id"], r["sha256"]) for r in rows(
            db, f"SELECT DISTINCT p.inspection_id, p.sha256 {_INSPECTORS_OWN} "
                f"WHERE p.inspection_id IN ({marks})", chunk)}
    return found


def may_read(db: Database, user: dict[str, Any], sha256: str) -> bool:
    """Return whether the user may have this attachment: he uploaded it, or he may read an inspection naming it.

    Only inspections made by a user who uploaded the photo count: naming a hash one did not
    upload grants nothing.
    """
    if owned(db, user["id"], [sha256]):
        return True
    naming = rows(db, f"SELECT DISTINCT i.address_id {_INSPECTORS_OWN} WHERE p.sha256 = ?",
                  [sha256])
    # The inspector himself owns the photo (the join), so he was let through above.
    if any(may_read_address_data(db, user, r["address_id"]) for r in naming):
        return True
    return any(may_read_address_data(db, user, r["address_id"]) for r in cases_naming(db, sha256))


def cases_naming(db: Database, sha256: str) -> list[dict[str, Any]]:
    """Return the live cases (id, address_id) whose zienswijze step names this file, uploaded by who took it.

    Whoever may read such a case may have the file, as he may read the zienswijze's text (the case's
    timeline links it). As with inspections, naming a hash one did not upload grants nothing.
    """
    return rows(db, "SELECT DISTINCT c.id, c.address_id FROM case_events e "
                    "JOIN cases c ON c.id = e.case_id AND c.deleted = 0 "
                    "JOIN attachment_owners o ON o.sha256 = ? AND o.user_id = e.user_id "
                    "WHERE e.action IN ('zienswijze_ontvangen', 'boete_zienswijze_ontvangen') "
                    "AND json_extract(e.detail, '$.file_sha256') = ?", [sha256, sha256])


def withdraw(db: Database, data: Path, sha256: str, user_id: str) -> None:
    """Undo an upload that nothing came to name (a refused step): the user's ownership, and the file if his alone.

    Call it only for a hash the user did not own before this upload.
    """
    with write(db):
        db.execute("DELETE FROM attachment_owners WHERE sha256 = ? AND user_id = ?", [sha256, user_id])
        if rows(db, "SELECT 1 FROM attachment_owners WHERE sha256 = ? LIMIT 1", [sha256]):
            return  # someone else uploaded the same bytes: they stay his
        db.execute("DELETE FROM attachments WHERE sha256 = ?", [sha256])
        final_path(data, sha256).unlink(missing_ok=True)


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f}".replace(".", ",")
