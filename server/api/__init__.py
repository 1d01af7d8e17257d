"""The REST API under /api/v1: one blueprint, one module per resource."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def init_app(app: Flask) -> None:
    """Register every API module's routes."""
    from server.api import (  # noqa: F401 - routes register on import
        addresses,
        assignments,
        attachments,
        cases,
        devices,
        documents,
        inspections,
        openapi,
        parties,
        rapport,
        sync,
        users,
    )

    app.register_blueprint(bp)
