"""Backups: a consistent copy while the server writes, restored into an empty folder that serves the same data
over real HTTP; damaged, altered or misplaced restores refused and leaving nothing behind; rotation."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import stat
import tarfile
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner
from flask import Flask
from PIL import Image
from sqlite_utils import Database

from server import create_app, store
from server.auth import add_user, create_api_token
from server.backup import MANIFEST, BackupError, backup_folder, check_rotation, create, job, restore, rotate
from server.cli import main
from server.db import connect, get_db, write
from server.jobs import TIMEZONE, JobContext
from server.migrations import migrations
from tests.conftest import new_address
from tests.documents_world import put_photo
from tests.processes import ServerProcess

NOW = dt.datetime(2026, 12, 1, 1, 0, tzinfo=TIMEZONE)
KNOWN = [m.name for m in migrations.pending(Database(memory=True))]


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(out, "JPEG")
    return out.getvalue()


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A data folder with users, a token, addresses, a photo and a document, and one backup taken from it."""
    data = tmp_path_factory.mktemp("source") / "data"
    app = create_app({"DATA": str(data), "TESTING": True})
    with app.app_context():
        db = get_db()
        lead = add_user(db, "tl", "teamleider", None)
        token = create_api_token(db, lead["id"])
        addresses = [store.put(db, "address", new_address(postcode=f"143{i}AB"), actor=lead["id"]) for i in range(3)]
        changed = store.put(db, "address", {**addresses[0], "notes": "tweede versie"}, actor=lead["id"])
    sha = put_photo(app, jpeg(), lead["id"])
    (data / "documents" / "ab").mkdir(parents=True)
    (data / "documents" / "ab" / "ab.pdf").write_bytes(b"%PDF-1.4 proef")
    with app.app_context():
        made = create(get_db(), data, backup_folder(data), NOW, 14, 30)
    return {"app": app, "data": data, "token": token, "addresses": [changed, *addresses[1:]], "sha": sha,
            "archive": made.path, "made": made}


def test_a_backup_is_one_private_archive_with_a_manifest_of_every_file(source: dict[str, Any]) -> None:
    archive: Path = source["archive"]
    assert archive.parent == source["data"] / "backups" and archive.name == "woontoezicht-20261201-010000.tar"
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile(MANIFEST))  # type: ignore[arg-type]
    assert names[-1] == MANIFEST and names[0] == "woontoezicht.db"
    assert f"attachments/{source['sha'][:2]}/{source['sha']}" in names and "documents/ab/ab.pdf" in names
    assert not any(n.startswith("backups/") or n.endswith(("-wal", "-shm")) for n in names)
    assert [f["path"] for f in manifest["files"]] == names[:-1]
    assert all(len(f["sha256"]) == 64 and f["size"] >= 0 for f in manifest["files"])
    assert manifest["created_at"] == "2026-12-01T01:00:00+01:00"
    assert manifest["migrations"] == KNOWN and manifest["app_version"]
    assert manifest["counts"]["addresses"] == 3 and manifest["counts"]["history"] == 1
    assert manifest["counts"]["users"] == 1 and manifest["counts"]["attachments"] == 1


def test_a_restored_folder_serves_the_same_records_over_http(source: dict[str, Any], tmp_path: Path) -> None:
    target = tmp_path / "terug"
    done = CliRunner().invoke(main, ["backup", "restore", str(source["archive"]), "--data", str(target)])
    assert done.exit_code == 0, done.output
    assert "elk gecontroleerd tegen het manifest" in done.output
    assert stat.S_IMODE(target.stat().st_mode) == 0o700
    with ServerProcess(target) as server:
        headers = {"Authorization": f"Bearer {source['token']}"}  # the token's hash came back with the users
        for address in source["addresses"]:
            answer = requests.get(f"{server.url}/api/v1/addresses/{address['id']}", headers=headers, timeout=10)
            assert answer.status_code == 200, answer.text
            assert {k: answer.json()[k] for k in ("id", "version", "postcode", "notes")} == {
                k: address.get(k) for k in ("id", "version", "postcode", "notes")}
        photo = requests.get(f"{server.url}/api/v1/attachments/{source['sha']}", headers=headers, timeout=10)
        assert photo.status_code == 200 and photo.content == jpeg()


def test_a_backup_taken_while_another_thread_writes_is_one_consistent_moment(tmp_path: Path) -> None:
    data = tmp_path / "data"
    app: Flask = create_app({"DATA": str(data), "TESTING": True})
    stop = threading.Event()
    written = [0]

    def writer() -> None:
        # Each transaction adds an address and its assignment together: a consistent copy has as many of each.
        db = connect(data / "woontoezicht.db")
        try:
            while not stop.is_set():
                with write(db):
                    address = store.put(db, "address", new_address(), actor=None)
                    store.put(db, "assignment", {"id": str(uuid.uuid4()), "address_id": address["id"],
                                                 "inspector_id": "hh", "week": "2026-W49", "due": None,
                                                 "kind": "controle", "status": "open", "instructions": None,
                                                 "case_id": None}, actor=None)
                written[0] += 1
        finally:
            db.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while written[0] < 20:
            stop.wait(0.01)
        with app.app_context():
            made = create(get_db(), data, backup_folder(data), NOW, 14, 30)
        at_backup = written[0]
        while written[0] < at_backup + 20:  # the writer went on during and after the copy
            stop.wait(0.01)
    finally:
        stop.set()
        thread.join()
    restored = restore(made.path, tmp_path / "terug", KNOWN)
    copy = Database(str(restored.folder / "woontoezicht.db"))
    addresses = copy.execute("SELECT count(*) FROM addresses").fetchone()[0]
    assignments = copy.execute("SELECT count(*) FROM assignments").fetchone()[0]
    changes = copy.execute("SELECT count(*) FROM changes WHERE entity = 'assignment'").fetchone()[0]
    copy.close()
    assert 20 <= addresses == assignments == changes < written[0]
    assert restored.manifest["counts"]["addresses"] == addresses


def test_an_altered_archive_is_refused_naming_the_file_and_nothing_is_left(source: dict[str, Any],
                                                                            tmp_path: Path) -> None:
    altered = tmp_path / "veranderd.tar"
    altered.write_bytes(source["archive"].read_bytes())
    name = f"attachments/{source['sha'][:2]}/{source['sha']}"
    with tarfile.open(altered) as tar:
        offset = tar.getmember(name).offset_data
    with open(altered, "r+b") as handle:  # one byte of the photo, same size: only its hash tells
        handle.seek(offset + 10)
        byte = handle.read(1)
        handle.seek(offset + 10)
        handle.write(bytes([byte[0] ^ 0xFF]))
    target = tmp_path / "terug"
    done = CliRunner().invoke(main, ["backup", "restore", str(altered), "--data", str(target)])
    assert done.exit_code == 2
    assert done.output.strip() == (f"Het bestand {name} in de reservekopie is beschadigd of gewijzigd (SHA-256 of "
                                   "grootte klopt niet met het manifest); niets teruggezet.")
    assert not target.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["veranderd.tar"]  # no half-restored folder beside it


def test_a_cut_off_archive_is_refused_and_nothing_is_left(source: dict[str, Any], tmp_path: Path) -> None:
    cut = tmp_path / "afgebroken.tar"
    cut.write_bytes(source["archive"].read_bytes()[:40_000])
    target = tmp_path / "terug"
    target.mkdir()
    done = CliRunner().invoke(main, ["backup", "restore", str(cut), "--data", str(target)])
    assert done.exit_code == 2 and "niets teruggezet" in done.output
    assert list(target.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afgebroken.tar", "terug"]


def test_restoring_into_a_folder_that_is_not_empty_is_refused_and_changes_nothing(source: dict[str, Any],
                                                                                    tmp_path: Path) -> None:
    target = tmp_path / "bezet"
    target.mkdir()
    (target / "woontoezicht.db").write_bytes(b"iets")
    done = CliRunner().invoke(main, ["backup", "restore", str(source["archive"]), "--data", str(target)])
    assert done.exit_code == 2
    assert done.output.strip() == (f"De map {target} is niet leeg; zet een reservekopie alleen terug in een lege of "
                                   "nieuwe map.")
    assert [p.name for p in target.iterdir()] == ["woontoezicht.db"]
    assert (target / "woontoezicht.db").read_bytes() == b"iets"


def test_an_archive_of_a_newer_release_is_refused(source: dict[str, Any], tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="nieuwere versie"):
        restore(source["archive"], tmp_path / "terug", KNOWN[:-1])
    assert not (tmp_path / "terug").exists()


def _fake_backups(folder: Path, moments: list[dt.datetime]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for moment in moments:
        path = folder / f"woontoezicht-{moment:%Y%m%d-%H%M%S}.tar"
        path.write_bytes(b"")
        paths.append(path)
    return paths


def test_rotation_keeps_the_newest_and_drops_those_too_old(tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    daily = _fake_backups(folder, [NOW - dt.timedelta(days=n) for n in range(6)])
    old = _fake_backups(folder, [NOW - dt.timedelta(days=40)])
    (folder / "iets-anders.tar").write_bytes(b"")  # not a backup of ours: never touched
    removed = rotate(folder, NOW, 4, 30)
    assert sorted(removed) == sorted([*daily[4:], *old])
    assert sorted(p.name for p in folder.iterdir()) == sorted([*(p.name for p in daily[:4]), "iets-anders.tar"])
    # However many may be kept, none older than the maximum age.
    too_old = _fake_backups(folder, [NOW - dt.timedelta(days=31)])
    assert rotate(folder, NOW, 100, 30) == too_old


def test_the_backup_job_makes_the_day_s_archive_and_rotates(source: dict[str, Any]) -> None:
    data: Path = source["data"]
    _fake_backups(backup_folder(data), [NOW - dt.timedelta(days=45)])
    later = NOW + dt.timedelta(days=1)
    with source["app"].app_context():
        ctx = JobContext(get_db(), source["app"].config, data, "backup", "2026-12-02", later, "job:backup")
        outcome = job(ctx)
    assert outcome.files == ["backups/woontoezicht-20261202-010000.tar"]
    assert outcome.counts["removed"] == 1 and outcome.counts["bytes"] == (data / outcome.files[0]).stat().st_size
    assert outcome.message.startswith("Reservekopie gemaakt: backups/woontoezicht-20261202-010000.tar (")
    names = sorted(p.name for p in backup_folder(data).iterdir())
    assert names == ["woontoezicht-20261201-010000.tar", "woontoezicht-20261202-010000.tar"]


def test_rotation_settings_that_would_outlive_the_shortest_retention_term_are_refused() -> None:
    with pytest.raises(BackupError, match="korter dan de kortste bewaartermijn"):
        check_rotation(14, 365, 1)
    with pytest.raises(BackupError, match="ten minste 1"):
        check_rotation(0, 30, 1)
    check_rotation(14, 364, 1)


def test_backup_create_prints_only_the_archive_path_and_refuses_a_bad_max_age(tmp_path: Path) -> None:
    data = tmp_path / "data"
    target = tmp_path / "elders"
    runner = CliRunner()
    made = runner.invoke(main, ["backup", "create", "--to", str(target), "--data", str(data)])
    assert made.exit_code == 0, made.output
    path = Path(made.stdout.strip())
    assert path.parent == target and path.exists() and "bestanden" in made.stderr
    refused = runner.invoke(main, ["backup", "create", "--data", str(data)],
                            env={"WOONTOEZICHT_BACKUP_MAX_DAYS": "400"})
    assert refused.exit_code == 1 and "korter dan de kortste bewaartermijn" in refused.output
    assert not backup_folder(data).exists() or list(backup_folder(data).iterdir()) == []
    assert os.environ.get("WOONTOEZICHT_BACKUP_MAX_DAYS") is None
