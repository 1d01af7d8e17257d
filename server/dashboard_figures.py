"""The dashboard's figures: server.figures' result, computed by the scheduler and kept with when it was computed.

Over a large database the figures take seconds (bench/figures_bench.py), too long for a page that must
answer in under 100 ms and too heavy to compute in a web worker. So the scheduler process computes them
on its tick at most every DASHBOARD_FIGURES_MINUTES and keeps the result per ISO week in
`dashboard_figures`; the dashboard only reads the latest row and says when it was computed. The numbers
are figures()' own, never recomputed by the page, so they equal `report figures` for that moment.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

from sqlite_utils import Database

from schemas import jsontext
from server.db import rows, write
from server.figures import figures
from server.jobs import TIMEZONE, iso_week


def cached(db: Database) -> dict[str, Any] | None:
    """Return the latest stored figures: {week, computed_at, today, figures}, or None when never computed."""
    found = rows(db, "SELECT * FROM dashboard_figures ORDER BY computed_at DESC LIMIT 1")
    if not found:
        return None
    row = found[0]
    return {**row, "figures": jsontext.loads(row["figures"])}


def is_stale(entry: dict[str, Any] | None, now: dt.datetime, minutes: int) -> bool:
    """Return whether stored figures are missing, of another week or day, or older than `minutes`."""
    if entry is None:
        return True
    local = now.astimezone(TIMEZONE)
    if entry["week"] != iso_week(local.date()) or entry["today"] != local.date().isoformat():
        return True
    return dt.datetime.fromisoformat(entry["computed_at"]) <= now - dt.timedelta(minutes=minutes)


def refresh(db: Database, config: Mapping[str, Any], now: dt.datetime) -> dict[str, Any]:
    """Compute the figures of now's week as of now and store them; return the stored entry."""
    today = now.astimezone(TIMEZONE).date()
    week = iso_week(today)
    found = figures(db, week, today, config)  # read outside the write lock: seconds on a large database
    entry = {"week": week, "computed_at": now.astimezone(dt.UTC).isoformat(timespec="seconds"),
             "today": today.isoformat(), "figures": found}
    with write(db):
        db.execute("INSERT OR REPLACE INTO dashboard_figures (week, computed_at, today, figures) VALUES (?, ?, ?, ?)",
                   [week, entry["computed_at"], entry["today"], jsontext.dumps(found)])
    return entry


def refresh_if_stale(db: Database, config: Mapping[str, Any], now: dt.datetime) -> bool:
    """Compute and store the figures when the stored ones are stale; return whether it did."""
    if not is_stale(cached(db), now, int(config.get("DASHBOARD_FIGURES_MINUTES", 15))):
        return False
    refresh(db, config, now)
    return True
