"""Jinja filters for the pages: Dutch dates and amounts as the letters write them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from flask import Flask

from reports import fmt


def datum(value: dt.date | str | None) -> str:
    """Return "7 maart 2026" for a date or a timestamp (its Amsterdam day); "" for nothing."""
    if not value:
        return ""
    if isinstance(value, str) and "T" in value:
        return fmt.datum(fmt.lokale_dag(value))
    return fmt.datum(value)


def tijdstip(value: str | None) -> str:
    """Return a timestamp as "7 maart 2026 14:05" in Amsterdam time; "" for nothing."""
    return fmt.tijdstip(value) if value else ""


def bedrag(value: Decimal | int | float | str | None) -> str:
    """Return "€ 1.234,50"; "" for nothing."""
    return "" if value is None or value == "" else fmt.bedrag(value)


def getal(value: Any) -> str:
    """Return a number with Dutch separators; "" for nothing."""
    return fmt.getal(value) if value is not None else ""


def register_filters(app: Flask) -> None:
    """Make the filters available to every template."""
    app.jinja_env.filters.update(datum=datum, tijdstip=tijdstip, bedrag=bedrag, getal=getal)
