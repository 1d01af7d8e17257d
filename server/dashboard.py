"""What the dashboard shows, read from the store in a few indexed queries: the week's visits, cases, terms,
conflicts, tablets and job runs, and a handhaver's own week and rapporten.

The figures are not here: they come from server.dashboard_figures (computed by the scheduler).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlite_utils import Database

from schemas import jsontext
from server import assignments, labels, rapport
from server.cases import status_label, upgraded
from server.db import rows
from server.deadlines import ended_terms, open_flags
from server.devices import outbox_text
from server.jobs import TIMEZONE, iso_week
from server.jobs.registry import JOBS
from server.jobs.runs import last_run, queued

TERM_KINDS = {"zienswijze": "Zienswijzetermijn", "begunstigingstermijn": "Begunstigingstermijn",
              "hersteltermijn": "Hersteltermijn van de waarschuwing",
              "beslistermijn": "Beslistermijn bestuurlijke boete (art. 5:51 Awb)"}
CONFLICT_ENTITIES = {"address": "adres", "assignment": "opdracht", "inspection": "inspectie"}
LIMIT = 50  # rows of one list on the dashboard
TERM_CANDIDATES = """status = 'open' AND (json_type(cases.data, '$.lasten') IS NULL
    OR json_extract(cases.data, '$.tracks.lod.zienswijze_end') < ?
    OR json_extract(cases.data, '$.tracks.wgv.beslistermijn_end') < ?
    OR EXISTS (SELECT 1 FROM json_each(cases.data, '$.lasten') AS last
               WHERE json_extract(last.value, '$.term.end') < ?
                  OR json_extract(last.value, '$.wgv.herstel_end') < ?))"""


def week_bounds(today: dt.date) -> tuple[str, dt.date, dt.date]:
    """Return the ISO week of today, its Monday and its Sunday."""
    monday = today - dt.timedelta(days=today.weekday())
    return iso_week(today), monday, monday + dt.timedelta(days=6)


def _visited(inspection: dict[str, Any], monday: dt.date, sunday: dt.date) -> bool:
    started = dt.datetime.fromisoformat(inspection["started_at"])
    day = (started if started.tzinfo else started.replace(tzinfo=dt.UTC)).astimezone(TIMEZONE).date()
    return monday <= day <= sunday


def week_per_inspector(db: Database, today: dt.date) -> list[dict[str, Any]]:
    """Return per handhaver this week's visits: planned, done, no access, open, and inspections submitted."""
    week, monday, sunday = week_bounds(today)
    per: dict[str | None, dict[str, Any]] = {}
    for row in rows(db, "SELECT id FROM users WHERE role = 'handhaver' AND disabled_at IS NULL"):
        per[row["id"]] = {"planned": 0, "done": 0, "no_access": 0, "open": 0, "inspections": 0,
                          "inspections_no_access": 0}
    where, params = assignments.in_week(week, cancelled=False)
    for row in rows(db, f"SELECT inspector_id, status FROM assignments WHERE deleted = 0 AND {where}",  # noqa: S608
                    params):
        entry = per.setdefault(row["inspector_id"], {"planned": 0, "done": 0, "no_access": 0, "open": 0,
                                                     "inspections": 0, "inspections_no_access": 0})
        entry["planned"] += 1
        entry[row["status"] if row["status"] in ("done", "no_access", "open") else "open"] += 1
    # The Dutch days of the week lie within a day of the UTC ones: read a day around them, keep the week's.
    low = (monday - dt.timedelta(days=1)).isoformat()
    high = (sunday + dt.timedelta(days=2)).isoformat()
    for inspector_id, entry in per.items():
        if inspector_id is None:
            continue
        for found in rows(db, "SELECT started_at, json_extract(data, '$.access') AS access FROM inspections "
                              "WHERE inspector_id = ? AND started_at >= ? AND started_at < ? AND deleted = 0 "
                              "AND status = 'submitted'", [inspector_id, low, high]):
            if found["started_at"] and _visited(found, monday, sunday):
                entry["inspections"] += 1
                entry["inspections_no_access"] += found["access"] != "granted"
    names = labels.user_names(db, {k for k in per if k})
    out = [{"inspector_id": k, "name": names.get(k, labels.UNKNOWN_USER) if k else "Nog niemand toegewezen", **v}
           for k, v in per.items()]
    return sorted(out, key=lambda e: (e["inspector_id"] is None, e["name"].lower()))


def open_cases_by_stand(db: Database) -> list[dict[str, Any]]:
    """Return the open cases counted per stand (status_label), most first, at addresses still in the BAG."""
    counts: dict[str, int] = {}
    for row in rows(db, "SELECT c.status, json_extract(c.data, '$.tracks') AS tracks, "
                        "json_type(c.data, '$.lasten') IS NOT NULL AS current, count(*) AS n FROM cases c "
                        "JOIN addresses a ON a.id = c.address_id AND a.bag_gone_on IS NULL AND a.deleted = 0 "
                        "WHERE c.deleted = 0 AND c.status NOT IN ('afgesloten', 'gesloten') GROUP BY 1, 2, 3"):
        case = {"status": row["status"], "tracks": jsontext.loads(row["tracks"]) if row["tracks"] else {}}
        if not row["current"]:  # a case of the release before tracks: its state says where it stands now
            case = upgraded({"status": row["status"], "violations": [], "opened_on": None})
        if case["status"] != "open":
            continue
        label = status_label(case)
        counts[label] = counts.get(label, 0) + row["n"]
    return [{"label": k, "count": v} for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def terms_of_week(db: Database, today: dt.date) -> tuple[list[dict[str, Any]], list[str]]:
    """Return the open terms that ended, or end before next Monday, without the step that should follow.

    Each: case id and number, kind (Dutch), rule code, end date, ended (bool), what should follow. Also
    the ids of the cases read.
    """
    _, _, sunday = week_bounds(today)
    monday = sunday + dt.timedelta(days=1)
    out = []
    ids = []
    # Only the open cases with a term end before next Monday at one of the places ended_terms reads it (and any
    # case of the release before tracks) are read and judged: a superset, so ended_terms still decides. Of a case
    # in today's form only what ended_terms reads is loaded (its tracks and lasten), not the whole record.
    sql = ("SELECT id, number, status, json_extract(data, '$.tracks'), json_extract(data, '$.lasten'), "  # noqa: S608
           "CASE WHEN json_type(data, '$.lasten') IS NULL THEN data END FROM cases "
           f"WHERE deleted = 0 AND {TERM_CANDIDATES} ORDER BY number")
    for case_id, number, status, tracks, lasten, old in db.execute(sql, [monday.isoformat()] * 4):
        ids.append(case_id)
        case = (upgraded({"id": case_id, **jsontext.loads(old)}) if old is not None else
                {"id": case_id, "number": number, "status": status, "tracks": jsontext.loads(tracks) if tracks else {},
                 "lasten": jsontext.loads(lasten) if lasten else []})
        for term in ended_terms(case, monday):
            out.append({"case_id": term.case_id, "number": term.number, "kind": TERM_KINDS.get(term.kind, term.kind),
                        "code": term.code, "end": term.end, "ended": term.end < today, "follows": term.follows})
    out.sort(key=lambda t: (t["end"], t["number"]))
    return out, ids


def flags(db: Database) -> list[dict[str, Any]]:
    """Return the deadlines job's open flags, most urgent first (at most LIMIT)."""
    return open_flags(db)[:LIMIT]


def waiting_conflicts(db: Database) -> dict[str, Any]:
    """Return how many sync conflicts wait for a team lead, and the oldest few."""
    total = rows(db, "SELECT count(*) AS n FROM conflicts WHERE resolved_at IS NULL")[0]["n"]
    oldest = rows(db, "SELECT id, entity, record_id, field, reason, created_at FROM conflicts "
                      "WHERE resolved_at IS NULL ORDER BY created_at LIMIT 5")
    for row in oldest:
        row["entity_label"] = CONFLICT_ENTITIES.get(row["entity"], row["entity"])
    return {"total": total, "oldest": oldest}


def tablets_to_watch(db: Database, now: dt.datetime, stale_days: int) -> list[dict[str, Any]]:
    """Return the tablets not revoked that did not sync for stale_days or reported unsynced work."""
    cutoff = (now - dt.timedelta(days=stale_days)).astimezone(dt.UTC).isoformat(timespec="microseconds")
    found = rows(db, "SELECT d.id, d.label, d.last_seen_at, d.outbox_size, d.outbox_oldest_at, d.outbox_reported_at, "
                     "u.name AS user_name, u.full_name FROM devices d JOIN users u ON u.id = d.user_id "
                     "WHERE d.revoked_at IS NULL AND (d.last_seen_at IS NULL OR d.last_seen_at < ? "
                     "OR d.outbox_size > 0) ORDER BY d.last_seen_at IS NOT NULL, d.last_seen_at LIMIT ?",
                     [cutoff, LIMIT])
    for device in found:
        device["stale"] = device["last_seen_at"] is None or device["last_seen_at"] < cutoff
        device["outbox"] = outbox_text(device)
        device["user"] = labels.person(device["full_name"], device["user_name"])
    return found


def job_overview(db: Database) -> list[dict[str, Any]]:
    """Return each job with its latest run and whether a run of it is queued."""
    waiting = {q["name"] for q in queued(db)}
    return [{"name": spec.name, "title": spec.title, "run": last_run(db, spec.name), "queued": spec.name in waiting}
            for spec in JOBS.values()]


def my_week(db: Database, user_id: str, today: dt.date) -> list[dict[str, Any]]:
    """Return a handhaver's visits of this week with their addresses, open ones first."""
    found = assignments.week_visits(db, week_bounds(today)[0], user_id, cancelled=False, order="id", limit=LIMIT * 10)
    addresses = _addresses(db, {r["address_id"] for r in found})
    out = []
    for row in found:
        kind = row.get("kind") or "controle"
        out.append({"id": row["id"], "address_id": row["address_id"],
                    "address": addresses.get(row["address_id"], labels.address(None)),
                    "kind": labels.VISIT_KINDS.get(kind, kind),
                    "status": labels.VISIT_STATES.get(row["status"], row["status"]), "open": row["status"] == "open",
                    "due": row.get("due")})
    return sorted(out, key=lambda a: (not a["open"], a["address"]))


def _addresses(db: Database, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    return {r["id"]: labels.address(jsontext.loads(r["data"])) for r in rows(
        db, "SELECT a.id, a.data FROM json_each(?) AS chosen JOIN addresses a ON a.id = chosen.value",
        [jsontext.dumps(sorted(ids))])}


def rapporten_to_sign(db: Database, user_id: str) -> list[dict[str, Any]]:
    """Return the rapporten waiting for a handhaver's signature (server.rapport.to_sign) with their addresses."""
    found = rapport.to_sign(db, user_id, LIMIT)
    addresses = _addresses(db, {r["address_id"] for r in found})
    for row in found:
        row["address"] = addresses.get(row["address_id"], labels.address(None))
    return found
