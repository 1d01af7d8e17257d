"""Helpers for protocol tests against the Flask app: enrolled devices and pushes."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Flask

from server.auth import create_enrol_code
from server.db import get_db
from tests.conftest import Api, example


class Device:
    """An enrolled tablet talking the sync protocol through the test client."""

    def __init__(self, api: Api, app: Flask, user: str) -> None:
        with app.app_context():
            code = create_enrol_code(get_db(), api.users[user]["id"], None, 24)
        enrolled = api.post("/api/v1/devices/enroll", as_=None, json={"code": code, "label": f"tablet {user}"}).json
        self.api, self.id, self.token = api, enrolled["device_id"], enrolled["token"]
        self.user = api.users[user]
        self.seq = 0
        self.cursor: str | None = None

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def push_raw(self, body: Any, **kwargs: Any) -> Any:
        return self.api.post("/api/v1/sync/push", as_=None, headers=self.headers, json=body, **kwargs)

    def push(self, *mutations: dict[str, Any], protocol: int = 1) -> Any:
        """Push mutations with the next seq numbers (protocol 1, which the server still accepts, unless told)."""
        batch = []
        for m in mutations:
            self.seq += 1
            batch.append({"seq": self.seq, "op": "put", "base_version": None, **m})
        return self.push_raw({"protocol": protocol, "mutations": batch})

    def pull_all(self, limit: int = 500) -> list[dict[str, Any]]:
        """Pull until done; return every change received."""
        changes = []
        while True:
            url = f"/api/v1/sync/pull?limit={limit}" + (f"&cursor={self.cursor}" if self.cursor else "")
            page = self.api.get(url, as_=None, headers=self.headers).json
            changes += page["changes"]
            self.cursor = page["cursor"]
            if not page["more"]:
                return changes


def inspection_at(address_id: str, assignment_id: str | None = None, **changes: Any) -> dict[str, Any]:
    """Return a submitted overcrowded inspection of an address, with a fresh id."""
    data = example("overbewoond.json")["inspection"]
    data.update({"id": str(uuid.uuid4()), "address_id": address_id, "assignment_id": assignment_id, "photos": [],
                 **changes})
    return data


def put(entity: str, data: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """Return a put mutation (seq added by Device.push)."""
    return {"entity": entity, "id": data["id"], "data": data, **extra}
