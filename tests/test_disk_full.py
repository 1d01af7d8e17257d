"""A full disk answers 507 with a Dutch message, stores nothing half, and loses nothing acknowledged."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from server import db as server_db
from tests.conftest import Api, new_address
from tests.sync_fixtures import Device, inspection_at, put
from tests.test_api_bad_input import snapshot


def fill_the_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on the database cannot grow by a single page: SQLite answers SQLITE_FULL, as on a full disk."""
    opened = server_db.connect

    def connect(*args: Any, **kwargs: Any) -> Any:
        db = opened(*args, **kwargs)
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {int(pages)}")
        return db
    monkeypatch.setattr(server_db, "connect", connect)


def test_a_push_onto_a_full_disk_gets_507_and_the_same_push_succeeds_later(
        api: Api, app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    address = new_address()
    api.post("/api/v1/addresses", json=address)
    device = Device(api, app, "handhaver")
    assert device.push(put("inspection", inspection_at(address["id"], status="draft"))).status_code == 200
    before = snapshot(app)
    batch = [inspection_at(address["id"], status="draft", notes="x" * 4000) for _ in range(40)]
    fill_the_disk(monkeypatch)
    refused = device.push(*(put("inspection", i) for i in batch))
    assert refused.status_code == 507
    assert refused.json["error"] == "disk_full" and "niets verloren" in refused.json["message"]
    monkeypatch.undo()
    assert snapshot(app) == before  # nothing acknowledged, nothing half stored
    device.seq -= len(batch)
    again = device.push(*(put("inspection", i) for i in batch))
    assert again.status_code == 200 and again.json["last_seq"] == 41
    assert all(api.get(f"/api/v1/inspections/{i['id']}").status_code == 200 for i in batch)


def test_a_rest_write_onto_a_full_disk_gets_507(api: Api, app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot(app)
    fill_the_disk(monkeypatch)
    answer = api.post("/api/v1/addresses", json=new_address(notes="x" * 4900))
    assert answer.status_code == 507 and answer.json["error"] == "disk_full"
    monkeypatch.undo()
    assert snapshot(app) == before
