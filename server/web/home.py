"""The start page after signing in."""

from __future__ import annotations

from flask import render_template

from server.web import bp
from server.web.access import page


@bp.get("/")
@page()
def home() -> str:
    """Show the start page of the signed-in user."""
    return render_template("home.html")
