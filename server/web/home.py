"""The dashboard (the start page after signing in): each role its own parts.

A teamleider or beheerder sees this week per handhaver, open cases by stand, terms ending this week or
ended, what the deadlines job flagged, conflicts waiting, tablets to look after, the last job runs and the
figures; a handhaver his own week and his rapporten waiting for his signature. The figures are the
scheduler's (server.dashboard_figures), shown with when they were computed, never computed here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app, render_template, url_for
from werkzeug.routing import BuildError

from schemas.address import LOCATION_TYPES
from server import labels
from server.audit import audit
from server.dashboard import (
    flags,
    job_overview,
    my_week,
    open_cases_by_stand,
    rapporten_to_sign,
    tablets_to_watch,
    terms_of_week,
    waiting_conflicts,
    week_bounds,
    week_per_inspector,
)
from server.dashboard_figures import cached
from server.db import get_db
from server.figures import UNKNOWN_TYPE
from server.jobs import TIMEZONE
from server.jobs.runs import OUTCOMES
from server.web import bp
from server.web.access import page, signed_in
from server.web.charts import Chart, bar_chart
from server.weekly import code_titles

TYPE_LABELS = labels.LOCATION_TYPES


def link(endpoint: str, **values: Any) -> str | None:
    """Return the URL of another area's page, or None while that page is not there (yet)."""
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


@bp.get("/")
@page()
def home() -> str:
    """Show the start page of the signed-in user: the parts his role works with."""
    user = signed_in()
    assert user is not None
    db = get_db()
    now = dt.datetime.now(TIMEZONE)
    today = now.date()
    week, monday, sunday = week_bounds(today)
    context: dict[str, Any] = {"week": week, "monday": monday, "sunday": sunday, "link": link}
    if user["role"] == "handhaver":
        visits = my_week(db, user["id"], today)
        rapporten = rapporten_to_sign(db, user["id"])
        audit(db, "read", "dashboard", None, {"assignments": [v["id"] for v in visits],
                                              "documents": [r["id"] for r in rapporten]})
        return render_template("home.html", visits=visits, rapporten=rapporten, **context)
    terms, case_ids = terms_of_week(db, today)
    raised = flags(db)
    figures = cached(db)
    minutes = int(current_app.config["DASHBOARD_FIGURES_MINUTES"])
    context.update(
        per_inspector=week_per_inspector(db, today), stands=open_cases_by_stand(db), terms=terms, flags=raised,
        conflicts=waiting_conflicts(db), tablets=tablets_to_watch(db, now, int(current_app.config[
            "DASHBOARD_STALE_DAYS"])), jobs=job_overview(db), outcomes=OUTCOMES, figures=figures,
        figures_minutes=minutes, figures_late=figures is not None and dt.datetime.fromisoformat(
            figures["computed_at"]) < now - dt.timedelta(minutes=3 * minutes + 2),
        charts=charts_of(figures["figures"], code_titles(db)) if figures else {},
        type_labels=TYPE_LABELS)
    audit(db, "read", "dashboard", None, {"cases": sorted({t["case_id"] for t in terms}
                                                          | {f["case_id"] for f in raised}),
                                          "open_cases_read": len(case_ids)})
    return render_template("home.html", **context)


def charts_of(found: dict[str, Any], titles: dict[str, str]) -> dict[str, Chart]:
    """Return the dashboard's charts of the figures: residents and registrations per location type, findings
    per rule, cases per status."""
    per_type = found["addresses"]["by_location_type"]
    kinds = [k for k in (*LOCATION_TYPES, UNKNOWN_TYPE) if k in per_type]
    return {
        "residents": bar_chart("grafiek-bewoners", "Bewoners geteld en ingeschreven in de BRP per locatietype",
                               [(TYPE_LABELS[k], [per_type[k]["residents"], per_type[k]["brp_registered"]])
                                for k in kinds], ["geteld", "ingeschreven"]),
        "findings": bar_chart("grafiek-bevindingen", "Bevindingen bij de laatste inspectie van elk adres, per regel",
                              [(titles.get(code, code), [n]) for code, n in
                               sorted(found["findings_by_code"].items(), key=lambda kv: (-kv[1], kv[0]))]),
        "cases": bar_chart("grafiek-zaken", "Zaken per status",
                           [(label, [n]) for label, n in found["cases"]["by_status"].items()]),
    }
