"""The files of the server and the tablet: readable by their owner only."""

from __future__ import annotations

import stat
from pathlib import Path

from server import create_app
from server.db import get_db


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_data_folder_and_database_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    data = tmp_path / "nieuw" / "data"
    app = create_app({"DATA": str(data), "TESTING": True})
    with app.app_context():
        get_db().execute("SELECT 1")
        assert mode(data) == 0o700
        for name in ("woontoezicht.db", "woontoezicht.db-wal", "woontoezicht.db-shm", "secret_key"):
            assert (data / name).exists(), name
            assert mode(data / name) == 0o600, name


def test_a_new_tablet_folder_and_its_store_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    from field_client.tablet_store import TabletStore
    folder = tmp_path / "veld"
    store = TabletStore(folder)
    try:
        store.set_state(token="wtd_geheim")
        assert mode(folder) == 0o700
        assert mode(folder / "veld.db") == 0o600
    finally:
        store.close()
