"""Shared fixtures: example files and a fresh copy of their data."""

from __future__ import annotations

import copy
import json
import uuid
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from schemas import address_schema, inspection_schema, shipped_norm_sets

EXAMPLES = resources.files("schemas").joinpath("examples")


def example(name: str) -> dict[str, Any]:
    """Return a fresh copy of an example file's raw JSON."""
    return copy.deepcopy(json.loads(EXAMPLES.joinpath(name).read_text(encoding="utf-8")))


@pytest.fixture
def aalsmeer() -> dict[str, Any]:
    """The shipped Aalsmeer norm set."""
    return next(s for s in shipped_norm_sets() if s["id"] == "aalsmeer")


@pytest.fixture
def compliant() -> tuple[dict[str, Any], dict[str, Any]]:
    """The compliant example, loaded through the schemas."""
    raw = example("compliant.json")
    return address_schema.load(raw["address"]), inspection_schema.load(raw["inspection"])


# --- server fixtures ---------------------------------------------------------



class Api:
    """A test client that signs each call with a role's token."""

    def __init__(self, client: FlaskClient, tokens: dict[str, str], users: dict[str, dict[str, Any]]) -> None:
        self.client, self.tokens, self.users = client, tokens, users

    def call(self, method: str, url: str, as_: str | None = "teamleider", **kwargs: Any) -> Any:
        headers = dict(kwargs.pop("headers", {}))
        if as_ is not None:
            headers["Authorization"] = f"Bearer {self.tokens[as_]}"
        return self.client.open(url, method=method, headers=headers, **kwargs)

    def get(self, url: str, as_: str | None = "teamleider", **kwargs: Any) -> Any:
        return self.call("GET", url, as_, **kwargs)

    def post(self, url: str, as_: str | None = "teamleider", **kwargs: Any) -> Any:
        return self.call("POST", url, as_, **kwargs)

    def patch(self, url: str, as_: str | None = "teamleider", **kwargs: Any) -> Any:
        return self.call("PATCH", url, as_, **kwargs)

    def delete(self, url: str, as_: str | None = "teamleider", **kwargs: Any) -> Any:
        return self.call("DELETE", url, as_, **kwargs)


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    """A server app on a fresh data folder (real SQLite file)."""
    from server import create_app
    return create_app({"DATA": str(tmp_path / "data"), "TESTING": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def api(app: Flask, client: FlaskClient) -> Api:
    """Users of every role (plus a second handhaver) with API tokens."""
    from server.auth import add_user, create_api_token
    from server.db import get_db
    tokens, users = {}, {}
    with app.app_context():
        db = get_db()
        for name, role in [("teamleider", "teamleider"), ("beheerder", "beheerder"), ("handhaver", "handhaver"),
                           ("handhaver2", "handhaver")]:
            users[name] = add_user(db, name, role, None)  # tokens only: no slow password hash
            tokens[name] = create_api_token(db, users[name]["id"])
    return Api(client, tokens, users)


def new_address(**changes: Any) -> dict[str, Any]:
    """Return a valid new address (wire form) with a fresh id."""
    data = example("compliant.json")["address"]
    data.update(id=str(uuid.uuid4()), **changes)
    return data
