"""Mijn week: a handhaver's visits of this week and the next, his recent inspections, and his rapporten to sign.

Signing calls server.rapport_signing.sign_audited, as the API's rapport sign endpoint does: only the
inspection's own toezichthouder signs, and nobody else's rapport can be signed here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from server import assignments, labels, rapport, rapport_signing, store
from server.audit import audit
from server.auth import current_user
from server.db import get_db
from server.documents import Settings
from server.errors import ApiError
from server.jobs import TIMEZONE, iso_week, week_monday
from server.web import bp
from server.web.access import page

INSPECTIONS_SHOWN = 20
RAPPORTEN_SHOWN = 50


def _addresses(db: Any, ids: set[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    chosen = sorted(ids)
    for chunk in (chosen[i:i + 500] for i in range(0, len(chosen), 500)):
        for record in store.select(db, "address", f"id IN ({','.join('?' * len(chunk))})", chunk):
            found[record["id"]] = record
    return found


def _weeks(today: dt.date) -> list[tuple[str, dt.date]]:
    week = iso_week(today)
    monday = week_monday(week)
    return [(week, monday), (iso_week(monday + dt.timedelta(days=7)), monday + dt.timedelta(days=7))]


@bp.get("/mijn-week")
@page("handhaver")
def my_week() -> str:
    """Show the signed-in handhaver's visits this week and next, his inspections and his rapporten to sign."""
    db, user = get_db(), current_user()
    weeks = [(week, monday, assignments.week_visits(db, week, user["id"], cancelled=False,
                                                    order="status != 'open', due, id", limit=500))
             for week, monday in _weeks(dt.datetime.now(TIMEZONE).date())]
    inspections = store.select(db, "inspection", "inspector_id = ?", [user["id"]], order="started_at DESC, id",
                               limit=INSPECTIONS_SHOWN)
    to_sign = rapport.to_sign(db, user["id"], RAPPORTEN_SHOWN)
    ids = {v["address_id"] for _, _, visits in weeks for v in visits} | {i["address_id"] for i in inspections} | {
        r["address_id"] for r in to_sign}
    audit(db, "list", "assignment", None, {"page": "mijn_week", "ids": [v["id"] for _, _, vs in weeks for v in vs]})
    audit(db, "list", "inspection", None, {"page": "mijn_week", "ids": [i["id"] for i in inspections]})
    return render_template("my_week.html", weeks=weeks, inspections=inspections, to_sign=to_sign,
                           addresses=_addresses(db, ids), kind_labels=labels.VISIT_KINDS,
                           status_labels=labels.VISIT_STATES,
                           address_text=labels.address, week_text=labels.week,
                           rapporten={i["id"]: rapport.rapport_of(db, i["id"]) for i in inspections
                                      if i.get("status") == "submitted"})


@bp.post("/mijn-week/rapport/<inspection_id>/ondertekenen")
@page("handhaver")
def my_week_sign(inspection_id: str) -> Response:
    """Sign the rapport of one of the handhaver's own inspections; another's is refused (403) and audited."""
    db, user = get_db(), current_user()
    try:
        answer = rapport_signing.sign_audited(db, Settings(current_app.config), inspection_id, user,
                                              {"page": "mijn_week"})
    except rapport.RapportError as err:
        if err.status == 409:  # not yet (photos on their way, no full name) or already: said on the week page
            flash(err.message, "error")
            return redirect(url_for("web.my_week"))
        error = ApiError(err.message, error=err.error)
        error.status = err.status
        raise error from None
    flash(f"Rapport {answer['kenmerk']} is ondertekend.", "ok")
    return redirect(url_for("web.my_week"))
