"""Planning: choose addresses by filter and plan visits for a handhaver in bulk; a week's visits per handhaver,
moved or cancelled; a handhaver's week list to print.

Visits are planned, moved and cancelled by server.assignments, the functions the REST API calls, and the
form is read by the API's assignment schema.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from marshmallow import ValidationError
from werkzeug.wrappers import Response

from schemas import assignment_schema
from schemas.address import LOCATION_TYPES
from schemas.assignment import KINDS
from schemas.base import BaseSchema, Str, between, max_length, one_of
from server import address_search, assignments, labels, store
from server.audit import audit
from server.auth import PLANNERS, current_user
from server.db import get_db, rows
from server.errors import Invalid
from server.http import QueryInt
from server.jobs import TIMEZONE, iso_week, week_monday
from server.web import bp
from server.web.access import page
from server.web.forms import field_errors, typed

LOCATION_LABELS = labels.LOCATION_TYPES
KIND_LABELS = labels.VISIT_KINDS
STATUS_LABELS = labels.VISIT_STATES
# Dutch names of the form's fields, for the summary of errors above a form.
FIELD_LABELS = {"address_id": "Adressen", "inspector_id": "Handhaver", "week": "Week", "due": "Uiterste datum",
                "kind": "Soort bezoek", "instructions": "Instructies", "status": "Status", "_schema": "Formulier"}
PLAN_FIELDS = {"inspector_id": "text", "week": "text", "due": "text", "kind": "text", "instructions": "text?"}
MAX_PLANNED = 500  # addresses per submit: a page holds 50, so more is no form of ours
MOVE_FIELDS = {"inspector_id": "text", "week": "text?", "due": "text?"}


class PlanningFilters(BaseSchema):
    """The filters above the address list (query string)."""

    q = Str(load_default=None, validate=max_length(100))
    type = Str(load_default=None, validate=one_of((*LOCATION_TYPES, address_search.UNKNOWN_TYPE)))
    geverifieerd = Str(load_default=None, validate=one_of(("ja", "nee")))
    nooit = Str(load_default=None)
    brp = Str(load_default=None)
    zaak = Str(load_default=None)
    pagina = QueryInt(load_default=1, validate=between(1, 100_000))


planning_filters = PlanningFilters()
FILTER_FIELDS = {"q": "text", "type": "text", "geverifieerd": "text", "nooit": "text", "brp": "text", "zaak": "text",
                 "pagina": "int"}


def this_week() -> str:
    """Return the current ISO week in the Netherlands, as '2026-W49'."""
    return iso_week(dt.datetime.now(TIMEZONE).date())


def handhavers() -> list[dict[str, Any]]:
    """Return the active handhavers (who may be given a visit), by name, each with the name pages show (label)."""
    found = rows(get_db(), "SELECT id, name, full_name FROM users WHERE role = 'handhaver' AND disabled_at IS NULL "
                           "ORDER BY coalesce(full_name, name) COLLATE NOCASE")
    return [{**p, "label": labels.person(p["full_name"], p["name"])} for p in found]


user_names = labels.user_names  # the address pages name their users by these too
address_text = labels.address


def _filters(args: Any) -> tuple[dict[str, Any], dict[str, str]]:
    try:
        filters = planning_filters.load(typed(args, FILTER_FIELDS))
    except ValidationError as err:
        return planning_filters.load({}), field_errors(err.messages)
    typed_in = address_search.words(filters["q"] or "")
    postcode, number_id, errors = address_search.checked(typed_in.get("postcode"), typed_in.get("bag_id"))
    filters["_where"] = {"postcode": postcode, "bag_id": number_id, "straat": typed_in.get("straat"),
                         "huisnummer": typed_in.get("huisnummer")}
    return filters, {"q": next(iter(errors.values()))} if errors else {}


def _search(filters: dict[str, Any]) -> address_search.Search:
    verified = {"ja": True, "nee": False}.get(filters["geverifieerd"] or "")
    return address_search.Search(location_type=filters["type"], verified=verified,
                                 never_inspected=bool(filters["nooit"]), brp_gap=bool(filters["brp"]),
                                 open_case=bool(filters["zaak"]), include_gone=False, page=filters["pagina"],
                                 **filters.get("_where", {}))


def _filter_args(filters: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """Return the filters as query arguments (the ones set), for links and the form's action."""
    out = {k: v for k, v in filters.items() if not k.startswith("_") and v not in (None, "")}
    out.update(changes)
    return {k: v for k, v in out.items() if v not in (None, "") and not (k == "pagina" and v == 1)}


def _render_planning(filters: dict[str, Any], filter_errors: dict[str, str], values: dict[str, Any],
                     errors: dict[str, str], status: int = 200) -> tuple[str, int]:
    db = get_db()
    found, more = address_search.find(db, _search(filters))
    audit(db, "list", "address", None, {"page": "planning", "filters": _filter_args(filters), "count": len(found),
                                        "ids": [a["id"] for a in found]})
    return render_template(
        "planning.html", addresses=found, more=more, filters=filters, filter_errors=filter_errors,
        filter_values={k: "" if v is None else v for k, v in filters.items()},
        filter_args=_filter_args(filters), values=values, errors=errors, handhavers=handhavers(),
        location_options=list(LOCATION_LABELS.items()), kinds=[(k, KIND_LABELS[k]) for k in KINDS],
        labels=LOCATION_LABELS, field_labels=FIELD_LABELS, address_text=address_text,
        selected=set(values.get("address_id") or []), this_week=this_week()), status


@bp.get("/planning")
@page(*PLANNERS)
def planning() -> tuple[str, int]:
    """Show the addresses to plan, filtered, a page at a time, with the form that plans visits to them."""
    filters, filter_errors = _filters(request.args)
    return _render_planning(filters, filter_errors, {"kind": "controle"}, {}, 422 if filter_errors else 200)


@bp.post("/planning")
@page(*PLANNERS)
def planning_plan() -> Response | tuple[str, int]:
    """Plan a visit to each chosen address (or every address on the page) for one handhaver, all or none."""
    filters, filter_errors = _filters(request.args)
    form = request.form
    chosen = [a for a in form.getlist("address_id") if a]
    if form.get("all_on_page"):
        chosen += [a for a in form.getlist("page_ids") if a]
    chosen = list(dict.fromkeys(chosen))
    fields = typed(form, PLAN_FIELDS)
    values = {**{k: form.get(k, "") for k in PLAN_FIELDS}, "address_id": chosen,
              "all_on_page": form.get("all_on_page", "")}
    errors: dict[str, str] = {}
    try:  # the fields every visit shares, checked once by the API's schema
        assignment_schema.load({"id": str(uuid.uuid4()), "address_id": chosen[0] if chosen else str(uuid.uuid4()),
                                **fields})
    except ValidationError as err:
        errors = field_errors(err.messages)
    if not chosen:
        errors["address_id"] = "Kies minstens één adres."
    elif len(chosen) > MAX_PLANNED:
        errors["address_id"] = f"Plan hoogstens {MAX_PLANNED} adressen tegelijk."
    if not errors:
        user = current_user()
        db = get_db()
        try:
            made = assignments.plan(db, [{**fields, "address_id": a} for a in chosen], user["id"])
        except Invalid as err:
            errors = field_errors(err.errors)
        else:
            for record in made:
                audit(db, "create", "assignment", record["id"], {"page": "planning"})
            week = fields.get("week") or iso_week(dt.date.fromisoformat(fields["due"]))
            name = user_names(db, {fields["inspector_id"]}).get(fields["inspector_id"], "")
            flash(f"{len(made)} {'bezoek' if len(made) == 1 else 'bezoeken'} gepland voor {name}.", "ok")
            return redirect(url_for("web.planning_week", week=week))
    return _render_planning(filters, filter_errors, values, errors, 422)


def _week_or_error(week: str | None) -> tuple[str, dt.date | None, str | None]:
    week = (week or "").strip() or this_week()
    try:
        return week, week_monday(week), None
    except ValueError as err:
        return week, None, str(err)


def _with_addresses(db: Any, visits: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    ids = sorted({v["address_id"] for v in visits})
    found: dict[str, dict[str, Any]] = {}
    for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
        for record in store.select(db, "address", f"id IN ({','.join('?' * len(chunk))})", chunk):
            found[record["id"]] = record
    return found


def _render_week(week: str, move_errors: dict[str, dict[str, str]] | None = None,
                 move_values: dict[str, dict[str, str]] | None = None, status: int = 200) -> tuple[str, int]:
    db = get_db()
    week, monday, week_error = _week_or_error(week)
    visits = assignments.week_visits(db, week) if monday else []
    audit(db, "list", "assignment", None, {"page": "planning_week", "week": week, "count": len(visits),
                                           "ids": [v["id"] for v in visits]})
    people = handhavers()
    names = {p["id"]: p["label"] for p in people}
    names.update(user_names(db, {v["inspector_id"] for v in visits} - set(names)))
    order = {"open": 0, "done": 1, "no_access": 2, "cancelled": 3}
    by_person: dict[str, list[dict[str, Any]]] = {p["id"]: [] for p in people}
    for visit in sorted(visits, key=lambda v: (order.get(v["status"], 9), v.get("due") or "", v["id"])):
        by_person.setdefault(visit["inspector_id"], []).append(visit)
    shift = {"prev": iso_week(monday - dt.timedelta(days=7)), "next": iso_week(monday + dt.timedelta(days=7))} \
        if monday else {}
    return render_template(
        "planning_week.html", week=week, monday=monday, week_error=week_error, shift=shift, by_person=by_person,
        names=names, addresses=_with_addresses(db, visits), handhavers=people, kind_labels=KIND_LABELS,
        status_labels=STATUS_LABELS, address_text=address_text, move_errors=move_errors or {},
        move_values=move_values or {}, field_labels=FIELD_LABELS, week_text=labels.week,
        sunday=monday + dt.timedelta(days=6) if monday else None), status if not week_error else 422


@bp.get("/planning/week")
@page(*PLANNERS)
def planning_week() -> tuple[str, int]:
    """Show a week's visits per handhaver, with a form to move and a button to cancel each open one."""
    return _render_week(request.args.get("week", ""))


def _version(form: Any) -> int | None:
    raw = (form.get("version") or "").strip()
    return int(raw) if raw.isdigit() else None


@bp.post("/planning/opdracht/<assignment_id>/verplaatsen")
@page(*PLANNERS)
def planning_move(assignment_id: str) -> Response | tuple[str, int]:
    """Give an open visit another handhaver, week or due date."""
    fields = typed(request.form, MOVE_FIELDS)
    db = get_db()
    try:
        assignments.update(db, assignment_id, fields, current_user()["id"], _version(request.form))
    except Invalid as err:
        values = {k: request.form.get(k, "") for k in MOVE_FIELDS}
        return _render_week(request.form.get("view_week", ""), {assignment_id: field_errors(err.errors)},
                            {assignment_id: values}, 422)
    audit(db, "update", "assignment", assignment_id, {"page": "planning", "fields": sorted(fields)})
    flash("Het bezoek is verplaatst.", "ok")
    return redirect(url_for("web.planning_week", week=request.form.get("view_week") or None))


@bp.post("/planning/opdracht/<assignment_id>/annuleren")
@page(*PLANNERS)
def planning_cancel(assignment_id: str) -> Response:
    """Cancel an open visit; a visit already made cannot be cancelled (a 409 page)."""
    db = get_db()
    assignments.cancel(db, assignment_id, current_user()["id"], _version(request.form))
    audit(db, "update", "assignment", assignment_id, {"page": "planning", "fields": ["status"]})
    flash("Het bezoek is geannuleerd.", "ok")
    return redirect(url_for("web.planning_week", week=request.form.get("view_week") or None))


@bp.get("/planning/weeklijst")
@page(*PLANNERS)
def planning_print() -> Response | tuple[str, int]:
    """Show one handhaver's visits of a week as a list to print (without a handhaver: the week, to choose one)."""
    db = get_db()
    week, monday, week_error = _week_or_error(request.args.get("week"))
    person = request.args.get("handhaver") or ""
    if not person:
        return redirect(url_for("web.planning_week", week=week))
    names = user_names(db, {person}) if person else {}
    if person not in names:
        return render_template("error.html", status=404, message="Onbekende handhaver.", detail={}), 404
    visits = assignments.week_visits(db, week, person, cancelled=False) if monday else []
    audit(db, "list", "assignment", None, {"page": "planning_print", "week": week, "inspector_id": person,
                                           "count": len(visits), "ids": [v["id"] for v in visits]})
    return render_template("planning_print.html", week=week, monday=monday, week_error=week_error,
                           sunday=monday + dt.timedelta(days=6) if monday else None, visits=visits,
                           name=names[person], addresses=_with_addresses(db, visits), kind_labels=KIND_LABELS,
                           status_labels=STATUS_LABELS, labels=LOCATION_LABELS,
                           address_text=address_text, week_text=labels.week), 422 if week_error else 200
