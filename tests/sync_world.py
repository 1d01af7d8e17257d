"""A real server process plus tablets (field client stores) for sync tests over real HTTP."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path
from typing import Any

import requests

from field_client.sync_engine import SyncEngine
from field_client.tablet_store import TabletStore
from tests.conftest import example
from tests.processes import ServerProcess


class World:
    """One server process with users, an API token for the teamleider, and helpers to make tablets."""

    def __init__(self, root: Path, env: dict[str, str] | None = None) -> None:
        self.root = root
        self.server = ServerProcess(root / "server", env=env)
        for name, role in (("tl", "teamleider"), ("hh1", "handhaver"), ("hh2", "handhaver")):
            done = self.server.cli("user", "add", name, "--role", role, "--password-stdin", input="lang-genoeg-ww\n")
            assert done.returncode == 0, done.stderr
        self.token = self.server.cli("token", "create", "tl").stdout.strip()
        self.server.start()
        self.users = {u["name"]: u for u in self.rest("GET", "/api/v1/assignments") and self._users()}

    def _users(self) -> list[dict[str, Any]]:
        db = sqlite3.connect(self.server.data / "woontoezicht.db")
        try:
            return [{"id": r[0], "name": r[1]} for r in db.execute("SELECT id, name FROM users")]
        finally:
            db.close()

    def rest(self, method: str, path: str, json: Any = None) -> Any:
        """Call the REST API as the teamleider; return the JSON answer."""
        response = requests.request(method, self.server.url + path, json=json, timeout=30,
                                    headers={"Authorization": f"Bearer {self.token}"})
        assert response.status_code < 400, response.text
        return response.json()

    def tablet(self, user: str, name: str | None = None) -> tuple[TabletStore, SyncEngine]:
        """Enrol a fresh tablet for a user; return its store and engine."""
        code = self.server.cli("device", "code", user).stdout.strip()
        store = TabletStore(self.root / (name or f"tablet-{user}-{uuid.uuid4().hex[:6]}"))
        engine = SyncEngine(store, attempts=3, backoff=0.1, timeout=10)
        engine.enroll(self.server.url, code, name or user)
        return store, engine

    def synced_tablet(self, user: str = "hh1", name: str | None = None
                      ) -> tuple[dict[str, Any], TabletStore, SyncEngine]:
        """Return an address assigned to the user and his fresh tablet after its first sync cycle."""
        address = self.address(user)
        store, engine = self.tablet(user, name)
        engine.cycle()
        return address, store, engine

    def address(self, user: str | None = "hh1", **changes: Any) -> dict[str, Any]:
        """Create an address (and an assignment for the user, so it is in his scope)."""
        data = example("overbewoond.json")["address"]
        data.update(id=str(uuid.uuid4()), **changes)
        self.rest("POST", "/api/v1/addresses", data)
        if user:
            self.rest("POST", "/api/v1/assignments", {"address_id": data["id"], "week": "2026-W48",
                                                      "inspector_id": self.users[user]["id"]})
        return data

    def db_rows(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        """Read the server database directly."""
        db = sqlite3.connect(self.server.data / "woontoezicht.db")
        try:
            return list(db.execute(sql, params or []))
        finally:
            db.close()

    def stop(self) -> None:
        """Stop the server."""
        self.server.stop()


def inspection_for(address_id: str, **changes: Any) -> dict[str, Any]:
    """Return a submitted inspection of an address with a fresh id."""
    data = example("overbewoond.json")["inspection"]
    data.update({"id": str(uuid.uuid4()), "address_id": address_id, "photos": [], **changes})
    return data


def queue_inspections(store: TabletStore, address_id: str, count: int, draft: bool = False) -> None:
    """Queue `count` inspections of an address on a tablet: submitted, or drafts not yet finished."""
    changes: dict[str, Any] = {"status": "draft", "finished_at": None} if draft else {}
    for _ in range(count):
        store.queue("inspection", inspection_for(address_id, **changes))
