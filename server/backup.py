"""Backups: one archive file with a consistent copy of the database, the photos, the documents and a manifest.

`backup create` copies the database with SQLite's online backup API (one step, so the copy is one
consistent moment while the server goes on writing), then every file of the data folder (photos,
print copies, frozen PDFs, reports, the session secret) except the live database files, other
backups and unfinished uploads (their rows are dropped from the copy: a tablet starts such an
upload again). The archive is a plain tar (photos are JPEGs already; a tar reads anywhere) with
the manifest as its last member, because the manifest holds the SHA-256 of the very bytes written
before it: created_at, the app version, the migrations applied, the counts of key tables and every
file with its size and hash. It is written to a temporary file and renamed, mode 0600, in
DATA/backups/ by default.

`backup restore` unpacks into a new folder beside the target, checks every file against the
manifest and the database with PRAGMA integrity_check, and only then puts the folder in place: a
damaged or altered archive leaves nothing behind. Rotation keeps the newest BACKUP_KEEP and never
one older than BACKUP_MAX_DAYS, which must be shorter than the shortest retention term, so that
destroyed data also leaves the backups (DESIGN.md Scheduled jobs).
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import tarfile
import tempfile
import uuid
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import IO, Any

from sqlite_utils import Database

from server.db import DB_NAME
from server.jobs import TIMEZONE, JobContext, JobFailed, Outcome

MANIFEST = "manifest.json"
FORMAT = 1
NAME_RE = re.compile(r"^woontoezicht-(\d{8}-\d{6})(?:-(\d+))?\.tar$")
STAMP = "%Y%m%d-%H%M%S"
# The database files the online backup copies (never the live files themselves).
LIVE_FILES = {DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm", f"{DB_NAME}-journal"}
COUNTED = ("users", "addresses", "assignments", "inspections", "cases", "documents", "attachments", "parties",
           "history", "audit_log")
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot be done; the message (Dutch) names what, `code` is the exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.message, self.code = message, code


def backup_folder(data: Path) -> Path:
    """Return where backups go by default."""
    return data / "backups"


@dataclass
class Created:
    """A backup made: its file, size, number of files in it and the old backups rotation removed."""

    path: Path
    size: int
    files: int
    removed: list[Path]


def check_rotation(keep: int, max_days: int, shortest_years: int) -> None:
    """Refuse rotation settings that keep nothing, or keep backups as long as the shortest retention term."""
    if keep < 1:
        raise BackupError(f"WOONTOEZICHT_BACKUP_KEEP moet ten minste 1 zijn (nu {keep}).")
    limit = shortest_years * 365
    if not 1 <= max_days < limit:
        raise BackupError(f"WOONTOEZICHT_BACKUP_MAX_DAYS moet tussen 1 en {limit - 1} dagen liggen, korter dan de "
                          f"kortste bewaartermijn ({shortest_years} jaar), zodat vernietigde gegevens ook uit de "
                          f"reservekopieën verdwijnen (nu {max_days}).")


def shortest_term_years(config: Any) -> int:
    """Return the shortest retention term in years (the shipped 1 year when the configured file cannot be read)."""
    from server.retention import RetentionError, load_rules
    try:
        return load_rules(config.get("RETENTION") or None).shortest_years
    except RetentionError:
        return 1  # the shipped shortest term (12.3): a broken retention file must not stop the backups


def create(db: Database, data: Path, target: Path, now: dt.datetime, keep: int, max_days: int) -> Created:
    """Write a backup archive of the data folder into `target` and rotate the backups there."""
    target.mkdir(mode=0o700, parents=True, exist_ok=True)
    local = now.astimezone(TIMEZONE)
    final = _free_name(target, local)
    part = target / f".{final.name}.{uuid.uuid4().hex}.part"
    try:
        with tempfile.TemporaryDirectory(dir=target, prefix=".snapshot-") as scratch:
            snapshot = Path(scratch) / DB_NAME
            facts = _snapshot(db, snapshot)
            entries: list[dict[str, Any]] = []
            fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
                    entries.append(_add(tar, snapshot, DB_NAME))
                    for path, name in _data_files(data, target):
                        try:
                            entries.append(_add(tar, path, name))
                        except FileNotFoundError:
                            continue  # removed since the walk (an expired upload, a destroyed photo)
                    manifest = {"format": FORMAT, "created_at": local.isoformat(timespec="seconds"),
                                "app_version": app_version(), "database": DB_NAME, **facts, "files": entries}
                    _add_bytes(tar, MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode())
                out.flush()
                os.fsync(out.fileno())
        os.replace(part, final)
        _sync_folder(target)
    except OSError as err:
        part.unlink(missing_ok=True)
        if err.errno in (errno.ENOSPC, errno.EDQUOT):
            raise BackupError(f"De schijf is vol: geen reservekopie gemaakt in {target}.") from None
        raise BackupError(f"Kan geen reservekopie maken in {target}: {err.strerror or err}") from None
    removed = rotate(target, now, keep, max_days)
    return Created(final, final.stat().st_size, len(entries), removed)


def app_version() -> str:
    """Return the installed version of Woontoezicht."""
    try:
        return metadata.version("woontoezicht")
    except metadata.PackageNotFoundError:
        return "onbekend"


def _free_name(folder: Path, local: dt.datetime) -> Path:
    base = f"woontoezicht-{local.strftime(STAMP)}"
    candidate, n = folder / f"{base}.tar", 1
    while candidate.exists():
        n += 1
        candidate = folder / f"{base}-{n}.tar"
    return candidate


def _snapshot(db: Database, path: Path) -> dict[str, Any]:
    """Copy the database at one moment (online backup API, one step) into path; return its migrations and counts."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    copy = sqlite3.connect(str(path))
    try:
        db.conn.backup(copy)  # all pages in one step: a single read transaction, so one consistent moment
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no write-ahead log beside it
        # Unfinished uploads are not data: their partial files stay behind, so their rows do too.
        copy.execute("DELETE FROM partial_uploads")
        copy.commit()
        tables = {r[0] for r in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        counts = {t: copy.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608 - fixed names
                  for t in COUNTED if t in tables}
        migrations = [r[0] for r in copy.execute("SELECT name FROM _sqlite_migrations WHERE migration_set = "
                                                 "'woontoezicht' ORDER BY rowid")] \
            if "_sqlite_migrations" in tables else []
    finally:
        copy.close()
    return {"migrations": migrations, "counts": counts}


def _data_files(data: Path, target: Path) -> list[tuple[Path, str]]:
    """Return every file of the data folder a backup holds, with its name in the archive, in a stable order."""
    skip = {backup_folder(data).resolve(), target.resolve(), (data / "attachments" / "partial").resolve()}
    found = []
    for folder, dirs, files in os.walk(data):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if (here / d).resolve() not in skip and not d.startswith(".snapshot-"))
        for name in sorted(files):
            path = here / name
            relative = path.relative_to(data).as_posix()
            if relative in LIVE_FILES or name.endswith((".part", ".tmp")) or path.is_symlink():
                continue  # the live database (copied above); files still being written
            found.append((path, relative))
    return found


class _Hashing:
    """A file read through while its SHA-256 and size are counted."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle, self.digest, self.size = handle, hashlib.sha256(), 0

    def read(self, n: int = -1) -> bytes:
        chunk = self.handle.read(n)
        self.digest.update(chunk)
        self.size += len(chunk)
        return chunk


def _add(tar: tarfile.TarFile, path: Path, name: str) -> dict[str, Any]:
    """Add one file (its size as it is now) and return its manifest entry from the bytes written."""
    with open(path, "rb") as handle:
        info = tarfile.TarInfo(name)
        stat = os.fstat(handle.fileno())
        info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), 0o600
        reader = _Hashing(handle)
        tar.addfile(info, reader)  # tarfile reads exactly info.size bytes
    return {"path": name, "size": reader.size, "sha256": reader.digest.hexdigest()}


def _add_bytes(tar: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(content), 0o600
    info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
    tar.addfile(info, io.BytesIO(content))


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def backups_in(folder: Path) -> list[tuple[dt.datetime, Path]]:
    """Return the backups in a folder (by their name), newest first."""
    found: list[tuple[dt.datetime, int, Path]] = []
    if not folder.is_dir():
        return []
    for path in folder.iterdir():
        match = NAME_RE.match(path.name)
        if match and path.is_file():
            stamp = dt.datetime.strptime(match[1], STAMP).replace(tzinfo=TIMEZONE)
            found.append((stamp, int(match[2] or 1), path))
    return [(stamp, path) for stamp, _, path in sorted(found, reverse=True)]


def rotate(folder: Path, now: dt.datetime, keep: int, max_days: int) -> list[Path]:
    """Remove the backups past the newest `keep`, and every one older than `max_days`; return those removed."""
    oldest = now - dt.timedelta(days=max_days)
    removed = []
    for i, (stamp, path) in enumerate(backups_in(folder)):
        if i >= keep or stamp < oldest:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


# --- restore -------------------------------------------------------------------------------------

@dataclass
class Restored:
    """A backup put back: where, how many files, and what its manifest says of it."""

    folder: Path
    files: int
    manifest: dict[str, Any]


def restore(archive: Path, target: Path, known_migrations: list[str]) -> Restored:
    """Put a backup into an empty (or new) data folder, every file checked; leave nothing behind when it fails."""
    if not archive.is_file():
        raise BackupError(f"Reservekopie niet gevonden: {archive}", 2)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"De map {target} is niet leeg; zet een reservekopie alleen terug in een lege of nieuwe "
                          "map.", 2)
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}.terugzetten-", dir=target.parent))
    try:
        manifest, written = _unpack(archive, scratch)
        _check(manifest, written, known_migrations)
        _integrity(scratch / str(manifest.get("database") or DB_NAME))
        _put_in_place(scratch, target)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return Restored(target, len(written), manifest)


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts and path.as_posix() == name \
        and "\\" not in name


def _unpack(archive: Path, scratch: Path) -> tuple[dict[str, Any], dict[str, tuple[int, str]]]:
    """Write every member under scratch, hashing as it goes; return the manifest and {name: (size, sha256)}."""
    written: dict[str, tuple[int, str]] = {}
    manifest: dict[str, Any] | None = None
    current = archive.name
    try:
        with tarfile.open(archive, mode="r:") as tar:
            for member in tar:
                current = member.name
                if not member.isfile() or not _safe_name(member.name) or member.name in written:
                    raise BackupError(f"De reservekopie {archive.name} bevat iets onverwachts: {member.name!r}; "
                                      "niets teruggezet.", 2)
                source = tar.extractfile(member)
                assert source is not None  # a regular file
                if member.name == MANIFEST:
                    manifest = json.loads(source.read(64 * 1024 * 1024))
                    continue
                destination = scratch / member.name
                _folders(scratch, destination.parent)
                written[member.name] = _copy(source, destination)
    except (tarfile.TarError, EOFError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise BackupError(f"De reservekopie {archive.name} is beschadigd bij {current}: {err}; niets teruggezet.",
                          2) from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        raise BackupError(f"De reservekopie {archive.name} heeft geen leesbaar {MANIFEST}; niets teruggezet.", 2)
    return manifest, written


def _folders(root: Path, folder: Path) -> None:
    """Make a folder and those between it and root, each its owner's only (the data folder's rule)."""
    for part in [*reversed(folder.relative_to(root).parents), folder.relative_to(root)]:
        if part != Path("."):
            (root / part).mkdir(mode=0o700, exist_ok=True)


def _copy(source: IO[bytes], destination: Path) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with os.fdopen(os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
        for chunk in iter(lambda: source.read(CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    return size, digest.hexdigest()


def _check(manifest: dict[str, Any], written: dict[str, tuple[int, str]], known_migrations: list[str]) -> None:
    """Refuse unless the files are exactly the manifest's, each with its size and SHA-256, from a known release."""
    listed: dict[str, dict[str, Any]] = {}
    for entry in manifest["files"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            raise BackupError(f"Het {MANIFEST} van de reservekopie is onleesbaar; niets teruggezet.", 2)
        listed[entry["path"]] = entry
    for name, entry in listed.items():
        if name not in written:
            raise BackupError(f"Het bestand {name} ontbreekt in de reservekopie; niets teruggezet.", 2)
        if written[name] != (entry.get("size"), entry.get("sha256")):
            raise BackupError(f"Het bestand {name} in de reservekopie is beschadigd of gewijzigd (SHA-256 of grootte "
                              "klopt niet met het manifest); niets teruggezet.", 2)
    extra = sorted(set(written) - set(listed))
    if extra:
        raise BackupError(f"Het bestand {extra[0]} staat niet in het manifest van de reservekopie; niets "
                          "teruggezet.", 2)
    unknown = [m for m in manifest.get("migrations") or [] if m not in known_migrations]
    if unknown:
        raise BackupError(f"De reservekopie komt van een nieuwere versie van Woontoezicht "
                          f"({manifest.get('app_version')}, migratie {unknown[0]}); zet haar terug met die versie. "
                          "Niets teruggezet.", 2)


def _integrity(path: Path) -> None:
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            answer = [r[0] for r in connection.execute("PRAGMA integrity_check")]
        finally:
            connection.close()
    except sqlite3.DatabaseError as err:
        raise BackupError(f"De database in de reservekopie is onbruikbaar ({err}); niets teruggezet.", 2) from None
    if answer != ["ok"]:
        raise BackupError(f"De database in de reservekopie is beschadigd ({answer[0]}); niets teruggezet.", 2)


def _put_in_place(scratch: Path, target: Path) -> None:
    """Move the checked folder to the target: one rename (it replaces an empty folder), else entry by entry."""
    try:
        os.rename(scratch, target)
    except OSError:  # the target is a mount point, or otherwise cannot be replaced: fill it instead
        for entry in sorted(scratch.iterdir()):
            os.rename(entry, target / entry.name)
        scratch.rmdir()
    os.chmod(target, 0o700)
    _sync_folder(target.parent)


# --- the job -------------------------------------------------------------------------------------

def megabytes(size: int) -> str:
    """Return a size in MB, Dutch style (one decimal, a comma)."""
    return f"{size / 1_000_000:.1f}".replace(".", ",") + " MB"


def job(ctx: JobContext) -> Outcome:
    """Make the day's backup in DATA/backups/ and rotate the backups there."""
    keep, max_days = int(ctx.config["BACKUP_KEEP"]), int(ctx.config["BACKUP_MAX_DAYS"])
    try:
        check_rotation(keep, max_days, shortest_term_years(ctx.config))
        made = create(ctx.db, ctx.data, backup_folder(ctx.data), ctx.now, keep, max_days)
    except BackupError as err:
        raise JobFailed(err.message) from None
    relative = made.path.relative_to(ctx.data).as_posix()
    gone = len(made.removed)
    return Outcome(f"Reservekopie gemaakt: {relative} ({megabytes(made.size)}, {made.files} bestanden); "
                   f"{gone or 'geen'} oude verwijderd.",
                   {"files": made.files, "bytes": made.size, "removed": gone}, [relative])
