"""Logboek (beheerder): the audit log, newest first, filtered by user, record, action and period, and as CSV.

The log may hold millions of rows, so every page is one keyset query (time and id below the last row
shown) that an index answers in its own order: audit_log_user, audit_log_action, audit_log_at
(m017) or audit_log_record (entity and record id). The CSV streams the same query in batches, so an
export of the whole log holds neither the rows in memory nor a read transaction open for long.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

from flask import Response, render_template, request, stream_with_context, url_for
from marshmallow import ValidationError, validates_schema

from reports.fmt import datum
from schemas.base import BaseSchema, Date, Str, matches_whole, max_length
from server import labels
from server.audit import audit
from server.db import get_db, rows
from server.jobs import TIMEZONE
from server.web import bp
from server.web.access import page
from server.web.forms import parse

PAGE = 50
BATCH = 5000  # rows per query of the CSV export
ACTIONS = {"read": "gelezen", "list": "lijst gelezen", "create": "gemaakt", "update": "gewijzigd",
           "approve": "vastgesteld", "send": "verzonden", "push": "wijzigingen van een tablet",
           "pull": "gegevens naar een tablet", "login": "aangemeld", "logout": "afgemeld",
           "login_failed": "aanmelden mislukt", "password_changed": "wachtwoord gewijzigd",
           "auth_throttled": "vertraagd na mislukte pogingen", "enroll": "tablet gekoppeld",
           "enroll_refused": "koppelen geweigerd", "read_denied": "lezen geweigerd",
           "missing": "ontbrekende foto's gevraagd",
           "head": "uploadstand gevraagd", "upload": "geüpload", "queue": "in de wachtrij gezet",
           "export": "geëxporteerd", "resolve": "opgelost", "revoke": "ingetrokken", "delete": "verwijderd"}
ENTITIES = {"address": "adres", "assignment": "opdracht", "inspection": "inspectie", "case": "zaak",
            "document": "document", "party": "partij", "address_party": "partij bij een adres", "user": "gebruiker",
            "device": "tablet", "attachment": "foto of bijlage", "conflict": "conflict", "dashboard": "overzicht",
            "inbox": "inboxbestand", "job": "taak", "audit_log": "logboek"}
CURSOR = r"[0-9T:.+\-]{10,40}\|[0-9]{1,18}"  # 18 digits: always an SQLite integer
FIELDS = {"gebruiker": "text", "soort": "text", "record": "text", "handeling": "text", "van": "text", "tot": "text",
          "na": "text"}
CSV_HEADER = ["Tijdstip", "Gebruiker", "Tablet", "Handeling", "Soort", "Record", "IP-adres", "Details"]


class LogFilter(BaseSchema):
    """The Logboek's filters (a GET form) and where the page starts."""

    gebruiker = Str(validate=max_length(64))
    soort = Str(validate=max_length(40))
    record = Str(validate=max_length(200))
    handeling = Str(validate=max_length(40))
    van = Date()
    tot = Date()
    na = Str(validate=matches_whole(CURSOR, "Ongeldige plaats in het logboek."))

    @validates_schema
    def _whole(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("record") and not data.get("soort"):
            raise ValidationError("Kies bij een record ook de soort.", "soort")
        for name in ("van", "tot"):
            if data.get(name) and not 1900 <= data[name].year <= 2999:
                raise ValidationError("Kies een datum tussen 1900 en 2999.", name)
        if data.get("van") and data.get("tot") and data["van"] > data["tot"]:
            raise ValidationError("De einddatum ligt voor de begindatum.", "tot")


def _utc(day: dt.date) -> str:
    """Return the start of a Dutch day as the log writes times (UTC, microseconds)."""
    return dt.datetime.combine(day, dt.time(), TIMEZONE).astimezone(dt.UTC).isoformat(timespec="microseconds")


def where_of(f: dict[str, Any]) -> tuple[str, list[Any]]:
    """Return the SQL condition and parameters of the filters (without the page's start)."""
    parts, params = ["1 = 1"], []
    if f.get("gebruiker"):
        parts.append("l.user_id = ?")
        params.append(f["gebruiker"])
    if f.get("soort"):
        parts.append("l.entity = ?")
        params.append(f["soort"])
    if f.get("record"):
        parts.append("l.record_id = ?")
        params.append(f["record"])
    if f.get("handeling"):
        parts.append("l.action = ?")
        params.append(f["handeling"])
    if f.get("van"):
        parts.append("l.at >= ?")
        params.append(_utc(f["van"]))
    if f.get("tot"):
        parts.append("l.at < ?")
        params.append(_utc(f["tot"] + dt.timedelta(days=1)))
    return " AND ".join(parts), params


def query(f: dict[str, Any], after: tuple[str, int] | None, limit: int) -> tuple[str, list[Any]]:
    """Return the SQL and parameters of up to limit entries matching the filters, newest first, below a (time, id)."""
    where, params = where_of(f)
    if after is not None:
        where += " AND (l.at, l.id) < (?, ?)"
        params += [after[0], after[1]]
    # One record's entries are few: read them by record and sort them, rather than walk the kind's in time order.
    hint = " INDEXED BY audit_log_record" if f.get("record") else ""
    sql = (f"SELECT l.*, d.label AS device_label FROM audit_log l{hint} LEFT JOIN devices d ON d.id = l.device_id "  # noqa: S608
           f"WHERE {where} ORDER BY l.at DESC, l.id DESC LIMIT ?")  # the conditions are fixed text, values bound
    return sql, [*params, limit]


def entries(f: dict[str, Any], after: tuple[str, int] | None, limit: int) -> list[dict[str, Any]]:
    """Return up to limit entries matching the filters, newest first, after (below) a (time, id) position."""
    return rows(get_db(), *query(f, after, limit))


def _cursor(text: str | None) -> tuple[str, int] | None:
    if not text:
        return None
    at, _, number = text.rpartition("|")
    return at, int(number)


def _filters() -> tuple[dict[str, Any], dict[str, str]]:
    data, errors = parse(LogFilter(), request.args, FIELDS)
    return (data or {}), errors


def _people(found: list[dict[str, Any]]) -> dict[str, str]:
    """Return the names of the users the entries name: who did it, and the user a user entry is about."""
    return labels.user_names(get_db(), {e["user_id"] for e in found if e["user_id"]}
                  | {e["record_id"] for e in found if e["entity"] == "user" and e["record_id"]})


def _when(at: str) -> str:
    """Return a logged moment as "1 december 2026 18:07:03" (Dutch time, to the second)."""
    moment = dt.datetime.fromisoformat(at).astimezone(TIMEZONE)
    return f"{datum(moment.date())} {moment:%H:%M:%S}"


def _shown(entry: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    user = entry["user_id"]
    about = names.get(entry["record_id"]) if entry["entity"] == "user" else None
    return {**entry, "user": names.get(user, user or ""), "when": _when(entry["at"]), "about": about,
            "action_label": ACTIONS.get(entry["action"], entry["action"]),
            "entity_label": ENTITIES.get(entry["entity"] or "", entry["entity"] or ""),
            "detail_text": (entry["detail"] or "")[:300] + ("…" if len(entry["detail"] or "") > 300 else "")}


@bp.get("/logboek")
@page("beheerder")
def audit_log() -> tuple[str, int]:
    """Show one page of the audit log with its filters."""
    f, errors = _filters()
    options = {"user_options": [(u["id"], labels.person(u["full_name"], u["name"])) for u in rows(
        get_db(), "SELECT id, name, full_name FROM users ORDER BY coalesce(full_name, name) COLLATE NOCASE")],
        "action_options": sorted(ACTIONS.items(), key=lambda kv: kv[1]),
        "entity_options": sorted(ENTITIES.items(), key=lambda kv: kv[1])}
    if errors:
        return render_template("audit_log.html", entries=[], errors=errors, values=request.args, next_url=None,
                               filtered=True, first_url=None, csv_url=None, **options), 422
    found = entries(f, _cursor(f.get("na")), PAGE + 1)
    more, found = len(found) > PAGE, found[:PAGE]
    names = _people(found)
    kept: dict[str, Any] = {k: v for k, v in request.args.items() if k in FIELDS and k != "na" and v}
    next_url = url_for("web.audit_log", **kept, na=f"{found[-1]['at']}|{found[-1]['id']}") if more else None
    audit(get_db(), "list", "audit_log", None, {"filters": kept, "count": len(found)})
    return render_template("audit_log.html", entries=[_shown(e, names) for e in found], errors={},
                           values=request.args, next_url=next_url, filtered=bool(kept),
                           first_url=url_for("web.audit_log", **kept) if f.get("na") else None,
                           csv_url=url_for("web.audit_log_csv", **kept), **options), 200


@bp.get("/logboek.csv")
@page("beheerder")
def audit_log_csv() -> Response | tuple[str, int]:
    """Stream the filtered audit log as CSV for Dutch Excel: UTF-8 with BOM, ';'-separated, Dutch headers."""
    f, errors = _filters()
    if errors:
        return audit_log()
    f.pop("na", None)
    audit(get_db(), "export", "audit_log", None, {"filters": {k: str(v) for k, v in f.items()}})
    stamp = dt.datetime.now(TIMEZONE).strftime("%Y-%m-%d")
    return Response(stream_with_context(_csv_lines(f)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="logboek-{stamp}.csv"',
                             "Content-Type": "text/csv; charset=utf-8"})


def _csv_lines(f: dict[str, Any]) -> Iterator[bytes]:
    yield "\ufeff".encode()
    yield _csv_row(CSV_HEADER)
    after: tuple[str, int] | None = None
    while True:
        batch = entries(f, after, BATCH)
        if not batch:
            return
        names = _people(batch)
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        for e in batch:
            shown = _shown(e, names)
            writer.writerow([_local(e["at"]), shown["user"], e["device_label"] or "", shown["action_label"],
                             shown["entity_label"], shown["about"] or e["record_id"] or "", e["remote_addr"] or "",
                             e["detail"] or ""])
        yield out.getvalue().encode("utf-8")
        after = (batch[-1]["at"], batch[-1]["id"])


def _local(at: str) -> str:
    """Return a logged moment in Dutch time as Excel sorts and reads it: 2026-12-01 18:07:03."""
    return dt.datetime.fromisoformat(at).astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M:%S")


def _csv_row(cells: list[str]) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerow(cells)
    return out.getvalue().encode("utf-8")
