"""The server store: versions, history, tombstones, the change sequence, concurrent writers."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from server import store
from server.db import connect, unguarded, write
from server.migrations import migrate
from tests.conftest import new_address


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "store.db"
    db = connect(path)
    migrate(db)
    db.close()
    return path


def test_every_change_bumps_the_version_keeps_history_and_moves_to_the_end(db_path: Path) -> None:
    db = connect(db_path)
    a, b = new_address(), new_address()
    store.put(db, "address", a, actor="u1")
    store.put(db, "address", b, actor="u1")
    second = store.put(db, "address", {**a, "notes": "tweede"}, actor="u2")
    assert second["version"] == 2
    assert [h["notes"] for h in store.history(db, "address", a["id"])] == [None]
    order = [(r["entity"], r["record_id"]) for r in db.query("SELECT entity, record_id FROM changes ORDER BY seq")]
    assert order == [("address", b["id"]), ("register", b["id"]), ("address", a["id"]), ("register", a["id"])], \
        "one entry per record (and its register entry), latest change last"
    tombstone = store.delete(db, "address", a["id"], actor="u2")
    assert tombstone is not None and tombstone["version"] == 3
    assert store.get(db, "address", a["id"]) is None
    assert store.get(db, "address", a["id"], include_deleted=True) is not None
    assert [r["op"] for r in db.query("SELECT op FROM changes WHERE record_id = ?", [a["id"]])] == ["delete"] * 2
    assert [h["version"] for h in store.history(db, "address", a["id"])] == [1, 2]
    assert store.last_change_seq(db) == 8


def test_expected_version_guards_against_lost_updates(db_path: Path) -> None:
    db = connect(db_path)
    a = new_address()
    store.put(db, "address", a, actor=None, expected_version=0)
    with pytest.raises(store.VersionConflict) as info:
        store.put(db, "address", {**a, "notes": "x"}, actor=None, expected_version=0)
    assert info.value.current is not None and info.value.current["version"] == 1
    assert store.get(db, "address", a["id"])["notes"] is None  # type: ignore[index]


def test_a_failed_transaction_leaves_nothing_behind(db_path: Path) -> None:
    db = connect(db_path)
    a = new_address()
    def interrupted() -> None:
        with write(db):
            store.put(db, "address", a, actor=None)
            raise RuntimeError("stroom weg")

    with pytest.raises(RuntimeError):
        interrupted()
    assert store.get(db, "address", a["id"]) is None
    assert list(db.query("SELECT * FROM changes")) == []


def test_concurrent_writers_neither_fail_nor_lose_a_write(db_path: Path) -> None:
    """Eight threads, each with its own connection, update one record and add their own."""
    shared = new_address(brp_registered=0)
    setup = connect(db_path)
    store.put(setup, "address", shared, actor=None)
    errors: list[BaseException] = []
    per_thread = 25

    def work(n: int) -> None:
        db = connect(db_path)
        try:
            for i in range(per_thread):
                store.put(db, "address", new_address(huisnummer=n * 100 + i + 1), actor=f"t{n}")
                with write(db):  # read-modify-write: must not lose an increment
                    current = store.get(db, "address", shared["id"])
                    assert current is not None
                    store.put(db, "address", {**current, "brp_registered": current["brp_registered"] + 1},
                              actor=f"t{n}")
        except BaseException as err:  # collected and asserted below
            errors.append(err)
        finally:
            db.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    final = store.get(setup, "address", shared["id"])
    assert final is not None
    assert final["brp_registered"] == 8 * per_thread
    assert final["version"] == 8 * per_thread + 1
    assert setup.execute("SELECT count(*) FROM addresses").fetchone()[0] == 8 * per_thread + 1
    assert setup.execute("SELECT count(*) FROM history").fetchone()[0] == 8 * per_thread


def test_migrations_run_once_and_keep_data(db_path: Path) -> None:
    db = connect(db_path)
    a = new_address()
    store.put(db, "address", a, actor=None)
    assert migrate(db) == []
    assert store.get(db, "address", a["id"]) is not None


def test_unguarded_sections_do_not_nest(tmp_path: Path) -> None:
    db = connect(tmp_path / "x.db")
    with pytest.raises(RuntimeError), unguarded(db):
        pass  # outside a transaction
    with write(db), unguarded(db), pytest.raises(RuntimeError), unguarded(db):
        pass  # inside another section
    db.close()
