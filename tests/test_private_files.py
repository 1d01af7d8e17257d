"""The files of the server and the tablet are readable by their owner only; idle clients cannot starve the server."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

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


def test_idle_connections_neither_starve_the_server_nor_stay_open(tmp_path: Path) -> None:
    import socket
    import time

    import requests

    from tests.processes import ServerProcess
    env = {"WOONTOEZICHT_CHANNEL_TIMEOUT": "2"}
    with ServerProcess(tmp_path / "data", env=env) as server:
        idle = []
        for _ in range(150):  # more than waitress's default limit of 100
            s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # a request never finished
            idle.append(s)
        started = time.monotonic()
        assert requests.get(f"{server.url}/healthz", timeout=5).status_code == 200
        assert time.monotonic() - started < 3
        time.sleep(4)  # past the channel timeout and a cleanup round
        closed = 0
        for s in idle:
            try:
                s.settimeout(0.5)
                closed += s.recv(1) == b""
            except OSError:
                closed += 1
            s.close()
        assert closed == len(idle)


def test_more_than_1024_open_connections_do_not_crash_the_server(tmp_path: Path) -> None:
    import resource
    import socket

    import requests

    from tests.processes import ServerProcess
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 4096:
        pytest.skip(f"the system allows {hard} open files; the test needs 4096")
    resource.setrlimit(resource.RLIMIT_NOFILE, (4096, hard))  # the server inherits it
    try:
        env = {"WOONTOEZICHT_CONNECTION_LIMIT": "2000", "WOONTOEZICHT_CHANNEL_TIMEOUT": "30"}
        with ServerProcess(tmp_path / "data", env=env) as server:
            idle = [socket.create_connection(("127.0.0.1", server.port), timeout=5) for _ in range(1100)]
            try:
                for s in idle[:50]:
                    s.sendall(b"GET /healthz HTTP/1.1\r\n")
                # select() cannot watch a descriptor past 1024: with it the server would have died here.
                assert requests.get(f"{server.url}/healthz", timeout=10).status_code == 200
                assert server.proc is not None and server.proc.poll() is None
            finally:
                for s in idle:
                    s.close()
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_an_existing_readable_data_folder_and_database_are_made_private(tmp_path: Path) -> None:
    import os
    data = tmp_path / "oud"
    create_app({"DATA": str(data), "TESTING": True}).app_context().push()
    os.chmod(data, 0o755)  # noqa: S103 - an older release left it so
    os.chmod(data / "woontoezicht.db", 0o644)
    create_app({"DATA": str(data), "TESTING": True})
    assert mode(data) == 0o700 and mode(data / "woontoezicht.db") == 0o600


def test_a_relative_data_folder_given_to_create_app_is_made_absolute(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = create_app({"DATA": "instance", "TESTING": True})
    assert app.config["DATA"] == str(tmp_path / "instance")
