"""A demo database made by the release before parties, officials and norm set version 2 opens with the
current code: every migration runs, its inspections stay valid, its findings stay as they were stored (and are
served so), and its free-text landlords become parties, with the old names kept in history."""

from __future__ import annotations

import gzip
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlite_utils import Database

from schemas import inspection_schema
from server import store
from server.auth import create_api_token, find_user
from server.db import DB_NAME, get_db, rows
from server.migrations import migrations

FIXTURE = Path(__file__).parent / "data" / "demo-before-parties.db.gz"
# Made by `woontoezicht init --demo` of commit eccfcf7 (the release before this work), then VACUUMed with the
# password hashes removed; migrations m001-m005.
ANNOTATIONS = ("regime", "voorschriften", "toetsingskader", "enforceable")


def old_rows(path: Path, sql: str) -> list[dict[str, Any]]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql)]
    finally:
        conn.close()


@pytest.fixture(scope="module")
def old(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The previous release's database, as it was (read only by the tests)."""
    path = tmp_path_factory.mktemp("old") / DB_NAME
    with gzip.open(FIXTURE) as f, path.open("wb") as out:
        shutil.copyfileobj(f, out)
    return path


@pytest.fixture(scope="module")
def migrated(old: Path, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """The current server opened on a copy of it."""
    from server import create_app
    data = tmp_path_factory.mktemp("data")
    shutil.copy(old, data / DB_NAME)
    return create_app({"DATA": str(data), "TESTING": True})


def test_every_migration_ran(old: Path, migrated: Flask) -> None:
    before = {r["name"] for r in old_rows(old, "SELECT name FROM _sqlite_migrations")}
    assert before == {"m001_users_and_devices", "m002_records", "m003_sync", "m004_cases", "m005_document_kenmerk"}
    with migrated.app_context():
        db = get_db()
        assert list(migrations.pending(db)) == []
        applied = {r["name"] for r in rows(db, "SELECT name FROM _sqlite_migrations")}
    assert applied == {m.name for m in migrations.pending(Database(memory=True))}  # every one, the new ones too


def test_every_inspection_is_valid_under_the_current_schema(migrated: Flask) -> None:
    with migrated.app_context():
        inspections = store.select(get_db(), "inspection")
    assert len(inspections) == 6
    for record in inspections:
        sent = {k: v for k, v in record.items() if k not in ("version", "created_at", "updated_at", "inspector_id")}
        inspection_schema.load(sent)


def test_every_stored_finding_is_kept_exactly(old: Path, migrated: Flask) -> None:
    before = old_rows(old, "SELECT * FROM evaluations ORDER BY inspection_id")
    with migrated.app_context():
        after = rows(get_db(), "SELECT * FROM evaluations ORDER BY inspection_id")
    assert after == before
    assert {r["norm_set_version"] for r in after} == {1}


def test_the_api_serves_the_same_findings_with_their_legal_basis(old: Path, migrated: Flask) -> None:
    with migrated.app_context():
        lead = find_user(get_db(), "teamleider")
        assert lead is not None
        token = create_api_token(get_db(), lead["id"])
    client = migrated.test_client()
    for row in old_rows(old, "SELECT inspection_id, findings FROM evaluations"):
        answer = client.get(f"/api/v1/inspections/{row['inspection_id']}", headers={"Authorization": f"Bearer {token}"})
        body = answer.get_json()
        assert answer.status_code == 200 and body is not None
        served = [{k: v for k, v in f.items() if k not in ANNOTATIONS} for f in body["findings"]]
        assert served == json.loads(row["findings"])
        assert body["norm_set"] == {"id": "aalsmeer", "version": 1}
        for finding in body["findings"]:
            assert finding["regime"] in ("signaal", "bouwregels", "omgevingsplan", "wgv"), finding["code"]


def test_landlords_became_parties_and_the_names_stay_in_history(old: Path, migrated: Flask) -> None:
    before = {r["id"]: json.loads(r["data"]) for r in old_rows(old, "SELECT id, data FROM addresses")}
    with migrated.app_context():
        db = get_db()
        names = {r["name"]: r for r in rows(db, "SELECT * FROM parties")}
        for address_id, data in before.items():
            live = store.get(db, "address", address_id)
            assert live is not None and "landlord" not in live and "employer_or_agency" not in live
            assert live["version"] == 2
            kept = store.history(db, "address", address_id)[-1]
            assert (kept["landlord"], kept["employer_or_agency"]) == (data["landlord"], data["employer_or_agency"])
            links = {(r["role"], r["name"]) for r in rows(db, "SELECT a.role, p.name FROM address_parties a JOIN "
                                                              "parties p ON p.id = a.party_id WHERE a.address_id = ?",
                                                          [address_id])}
            expected = {("verhuurder", data["landlord"])}
            if data["employer_or_agency"]:
                role = "uitzendbureau" if "Uitzend" in data["employer_or_agency"] or "Flex" in \
                    data["employer_or_agency"] else "werkgever"
                expected.add((role, data["employer_or_agency"]))
            assert links == expected
    distinct = {d["landlord"] for d in before.values()} | {d["employer_or_agency"] for d in before.values()} - {None}
    assert set(names) == distinct, "one party per distinct name"
    assert names["Particulier"]["kind"] == "natuurlijk_persoon"
    assert names["Bloemhof Verhuur B.V."]["kind"] == "rechtspersoon"
    assert all(json.loads(r["data"])["postal_address"] is None for r in names.values())


def test_old_users_get_the_new_fields_empty(migrated: Flask) -> None:
    with migrated.app_context():
        users = rows(get_db(), "SELECT name, full_name, aanwijzing FROM users ORDER BY name")
    assert [u["name"] for u in users] == ["beheerder", "handhaver1", "handhaver2", "teamleider"]
    assert {(u["full_name"], u["aanwijzing"]) for u in users} == {(None, None)}


def test_a_second_start_changes_nothing(migrated: Flask) -> None:
    from server import create_app
    with migrated.app_context():
        before = rows(get_db(), "SELECT count(*) AS n FROM history")[0]["n"], \
            rows(get_db(), "SELECT count(*) AS n FROM parties")[0]["n"]
    again = create_app({"DATA": migrated.config["DATA"], "TESTING": True})
    with again.app_context():
        after = rows(get_db(), "SELECT count(*) AS n FROM history")[0]["n"], \
            rows(get_db(), "SELECT count(*) AS n FROM parties")[0]["n"]
    assert after == before


def test_a_case_of_the_previous_release_reads_with_lasten_and_its_rapport_stays_readable(
        old: Path, migrated: Flask) -> None:
    [before] = old_rows(old, "SELECT id, data FROM cases")
    with migrated.app_context():
        db = get_db()
        lead = find_user(db, "teamleider")
        assert lead is not None
        token = create_api_token(db, lead["id"])
    client = migrated.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    case = client.get(f"/api/v1/cases/{before['id']}", headers=headers).json
    assert case is not None
    old_codes = {v["code"] for v in json.loads(before["data"])["violations"]}
    assert case["status"] == "open" and case["lasten"], "the old violations became lasten"
    assert {last["code"] for last in case["lasten"]} | {s["code"] for s in case["signalen"]} == old_codes
    assert case["allowed_actions"], "the case can go on"
    [rapport] = case["documents"]
    answer = client.get(f"/api/v1/documents/{rapport['id']}", headers=headers)
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    answer.close()
