"""One storage contract, run against the server store and the tablet store (Kinto style).

Both agree on versions (one up per accepted change, the latest wins), tombstones (a
delete is reported and the record is gone, not silently kept) and cursors (a feed or
pull resumes where it stopped, also after reopening the file).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Protocol

import pytest

from field_client.tablet_store import TabletStore
from server import store as server_store
from server.db import connect
from server.migrations import migrate
from tests.conftest import new_address


class Contract(Protocol):
    def put(self, record: dict[str, Any]) -> int: ...
    def delete(self, record_id: str) -> None: ...
    def read(self, record_id: str) -> tuple[int, dict[str, Any]] | None: ...
    def changes_after(self, cursor: Any) -> tuple[list[tuple[str, str]], Any]: ...
    def reopen(self) -> None: ...


class ServerSide:
    """The server store: versions made here, changes read from the change sequence."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "server.db"
        self.db = connect(self.path)
        migrate(self.db)

    def put(self, record: dict[str, Any]) -> int:
        return int(server_store.put(self.db, "address", record, actor="test")["version"])

    def delete(self, record_id: str) -> None:
        server_store.delete(self.db, "address", record_id, actor="test")

    def read(self, record_id: str) -> tuple[int, dict[str, Any]] | None:
        found = server_store.get(self.db, "address", record_id)
        return None if found is None else (found["version"], found)

    def changes_after(self, cursor: Any) -> tuple[list[tuple[str, str]], Any]:
        found = list(self.db.query("SELECT seq, record_id, op FROM changes WHERE seq > ? AND entity = 'address' "
                                   "ORDER BY seq", [cursor or 0]))
        return [(r["record_id"], r["op"]) for r in found], (found[-1]["seq"] if found else cursor)

    def reopen(self) -> None:
        self.db.close()
        self.db = connect(self.path)


class TabletSide:
    """The tablet store: versions as the server sent them, changes applied page by page with the cursor."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder / "tablet"
        self.store = TabletStore(self.folder)
        self.version: dict[str, int] = {}
        self.log: list[tuple[str, str]] = []

    def _apply(self, change: dict[str, Any]) -> None:
        self.log.append((change["id"], change["op"]))
        self.store.apply_page([change], json.dumps(len(self.log)), reset=False)

    def put(self, record: dict[str, Any]) -> int:
        version = self.version.get(record["id"], 0) + 1
        self.version[record["id"]] = version
        self._apply({"entity": "address", "id": record["id"], "version": version, "op": "put",
                     "data": {**record, "version": version}})
        return version

    def delete(self, record_id: str) -> None:
        self.version[record_id] += 1
        self._apply({"entity": "address", "id": record_id, "version": self.version[record_id], "op": "delete",
                     "data": None})

    def read(self, record_id: str) -> tuple[int, dict[str, Any]] | None:
        data = self.store.get("address", record_id)
        meta = self.store.meta("address", record_id)
        return None if data is None or meta is None else (int(meta["version"]), data)

    def changes_after(self, cursor: Any) -> tuple[list[tuple[str, str]], Any]:
        position = int(json.loads(self.store.get_state("cursor") or "0"))
        start = int(cursor or 0)
        return self.log[start:position], position

    def reopen(self) -> None:
        self.store.close()
        self.store = TabletStore(self.folder)


@pytest.fixture(params=["server", "tablet"])
def side(request: pytest.FixtureRequest, tmp_path: Path) -> Contract:
    return ServerSide(tmp_path) if request.param == "server" else TabletSide(tmp_path)


def test_every_accepted_change_is_one_version_up_and_the_latest_wins(side: Contract) -> None:
    record = new_address()
    assert side.put(record) == 1
    assert side.put({**record, "notes": "tweede"}) == 2
    found = side.read(record["id"])
    assert found is not None
    assert found[0] == 2 and found[1]["notes"] == "tweede"


def test_a_delete_is_a_reported_tombstone(side: Contract) -> None:
    record = new_address()
    side.put(record)
    cursor = side.changes_after(None)[1]
    side.delete(record["id"])
    assert side.read(record["id"]) is None
    changes, _ = side.changes_after(cursor)
    assert changes == [(record["id"], "delete")]


def test_the_feed_resumes_at_the_cursor_after_reopening(side: Contract) -> None:
    first, second = new_address(), new_address()
    side.put(first)
    _, cursor = side.changes_after(None)
    side.reopen()
    side.put(second)
    changes, _ = side.changes_after(cursor)
    assert changes == [(second["id"], "put")]
    assert side.read(first["id"]) is not None
