"""The Woontoezicht server: store, API, commands and scheduled jobs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask app (see server.app.create_app)."""
    from server.app import create_app as build

    return build(test_config)
