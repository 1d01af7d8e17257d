"""The figures (DESIGN.md "Figures"): addresses, residents, the BRP gap, inspections, findings and cases.

Everything is read in a few SQL passes (addresses, submitted inspections with their residents, the
findings of the latest inspections, cases) and put together in Python, so the weekly report, the
terugmelding list and `report figures` count the same way:

- An inspection's *visit* is the inspection it corrects at the start of a correction chain (A, corrected
  by B, corrected by C is one visit). The visit keeps the root's inspection date (the Dutch date of its
  started_at: the day the dwelling was seen) and takes everything else (access, residents, findings)
  from the chain's last correction. When one inspection was corrected twice, the correction the server
  received last counts. A corrected inspection is therefore counted nowhere on its own.
- The latest inspection of an address is its latest visit with access granted, by inspection date
  (then by the moment it started, then by when the server received it).
- Addresses marked gone from the BAG (`bag_gone_on`), and deleted ones, are left out of every figure,
  with their inspections and cases.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from sqlite_utils import Database

from schemas import jsontext
from schemas.address import LOCATION_TYPES
from server.jobs import TIMEZONE, week_monday

UNKNOWN_TYPE = "onbekend"
TYPES = (*LOCATION_TYPES, UNKNOWN_TYPE)
CLOSED_STATES = ("afgesloten", "gesloten")  # "gesloten": a case stored by the release before tracks
_CHUNK = 5000  # inspection ids per findings query (passed as one JSON array parameter)


@dataclass
class Address:
    """What the figures need of one address."""

    id: str
    location_type: str
    verified: bool
    brp_registered: int | None
    brp_peildatum: str | None


@dataclass
class Visit:
    """One visit: the chain's first inspection (date) and its last correction (what counts)."""

    root_id: str
    head_id: str
    address_id: str
    date: dt.date
    started: dt.datetime
    received: str
    access: str | None
    residents: int | None


@dataclass
class World:
    """The stored data the figures are made of, read once."""

    addresses: dict[str, Address]
    visits: list[Visit]
    latest: dict[str, Visit] = field(default_factory=dict)  # address id -> its latest visit with access


def _moment(started_at: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(started_at)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def load(db: Database) -> World:
    """Read the addresses and the submitted inspections (two SQL passes) and resolve corrections."""
    addresses: dict[str, Address] = {}
    for row in db.execute(
            "SELECT id, location_type, verified, json_extract(data, '$.brp_registered'), "
            "json_extract(data, '$.brp_peildatum') FROM addresses "
            "WHERE deleted = 0 AND bag_gone_on IS NULL"):  # the query column of the gone mark (m013_bag_facts)
        kind = row[1] if row[1] in LOCATION_TYPES else UNKNOWN_TYPE
        registered = row[3] if isinstance(row[3], int) and not isinstance(row[3], bool) else None
        addresses[row[0]] = Address(row[0], kind, bool(row[2]), registered, row[4])
    inspections: dict[str, tuple[Any, ...]] = {}
    correctors: dict[str, list[tuple[str, str]]] = {}
    for row in db.execute(
            "SELECT i.id, i.address_id, i.started_at, i.created_at, json_extract(i.data, '$.corrects'), "
            "json_extract(i.data, '$.access'), e.residents FROM inspections i "
            "LEFT JOIN evaluations e ON e.inspection_id = i.id WHERE i.deleted = 0 AND i.status = 'submitted'"):
        inspections[row[0]] = row
        if row[4]:
            correctors.setdefault(row[4], []).append((row[3], row[0]))
    visits = []
    for root in inspections.values():
        if root[4] and root[4] in inspections:
            continue  # a correction: counted as the visit it corrects
        if root[1] not in addresses or not root[2]:
            continue
        head = _head(root[0], correctors, inspections)
        started = _moment(root[2])
        residents = head[6] if isinstance(head[6], int) else None
        visits.append(Visit(root[0], head[0], root[1], started.astimezone(TIMEZONE).date(), started, root[3],
                            head[5], residents))
    world = World(addresses, visits)
    for visit in visits:
        if visit.access != "granted":
            continue
        best = world.latest.get(visit.address_id)
        if best is None or (visit.date, visit.started, visit.received) > (best.date, best.started, best.received):
            world.latest[visit.address_id] = visit
    return world


def _head(root_id: str, correctors: dict[str, list[tuple[str, str]]],
          inspections: dict[str, tuple[Any, ...]]) -> tuple[Any, ...]:
    """Return the last correction of a chain (the root itself when never corrected)."""
    node, seen = root_id, {root_id}
    while correctors.get(node):
        _, latest = max(correctors[node])  # the correction the server received last
        if latest in seen:  # a cycle cannot be pushed (a correction names a submitted inspection); stop anyway
            break
        seen.add(latest)
        node = latest
    return inspections[node]


def residents(world: World, address_id: str) -> int | None:
    """Return the residents N counted at an address's latest inspection (None: never counted)."""
    visit = world.latest.get(address_id)
    return visit.residents if visit else None


def brp_gap(world: World, address: Address) -> int | None:
    """Return max(0, N - brp_registered) where both are known, else None."""
    counted = residents(world, address.id)
    if counted is None or address.brp_registered is None:
        return None
    return max(0, counted - address.brp_registered)


def findings_by_code(db: Database, inspection_ids: Iterable[str]) -> dict[str, int]:
    """Return how many findings the given inspections' evaluations hold per rule code."""
    counts: dict[str, int] = {}
    ids = list(inspection_ids)
    for start in range(0, len(ids), _CHUNK):
        # Parsing the findings here is about twice as fast as json_each with json_extract per finding.
        for (text,) in db.execute("SELECT e.findings FROM json_each(?) AS chosen "
                                  "JOIN evaluations e ON e.inspection_id = chosen.value",
                                  [jsontext.dumps(ids[start:start + _CHUNK])]):
            for finding in jsontext.loads(text):
                code = finding.get("code")
                if code is not None:
                    counts[code] = counts.get(code, 0) + 1
    return dict(sorted(counts.items()))


def case_label(status: str | None, result: str | None) -> str:
    """Return a case's status label for counting: 'Open', or 'Afgesloten' with its result in words."""
    from server.case_flow import CASE_STATES
    from server.cases import RESULTS
    if status not in CLOSED_STATES:
        return CASE_STATES["open"]
    return CASE_STATES["afgesloten"] + (f" ({RESULTS.get(result, result)})" if result else "")


def cases_by_status(db: Database, world: World) -> dict[str, int]:
    """Return the number of live cases per status label, at addresses that count."""
    counts: dict[str, int] = {}
    for address_id, status, result, outcome, count in db.execute(
            "SELECT address_id, status, json_extract(data, '$.result'), json_extract(data, '$.outcome'), count(*) "
            "FROM cases WHERE deleted = 0 GROUP BY 1, 2, 3, 4"):
        if address_id not in world.addresses:
            continue
        label = case_label(status, result or (outcome if status == "gesloten" else None))
        counts[label] = counts.get(label, 0) + count
    return dict(sorted(counts.items()))


def terms_expired(db: Database, world: World, today: dt.date) -> int:
    """Return how many open terms ended before today without the step that should follow, at addresses that count."""
    from server.deadlines import expired_terms  # the deadlines module owns what a term and its next step are
    terms = expired_terms(db, today)
    if not terms:
        return 0
    address_of = dict(db.execute("SELECT c.id, c.address_id FROM json_each(?) AS chosen "
                                 "JOIN cases c ON c.id = chosen.value",
                                 [jsontext.dumps(sorted({t["case_id"] for t in terms}))]).fetchall())
    return sum(1 for t in terms if address_of.get(t["case_id"]) in world.addresses)


def week_counts(world: World, weeks: list[str]) -> list[dict[str, Any]]:
    """Return per ISO week the visits on its days and those of them without access."""
    firsts = {week: week_monday(week) for week in weeks}
    counts = {week: [0, 0] for week in weeks}
    by_day = {first + dt.timedelta(days=d): week for week, first in firsts.items() for d in range(7)}
    for visit in world.visits:
        week = by_day.get(visit.date)
        if week is not None:
            counts[week][0] += 1
            counts[week][1] += visit.access != "granted"
    return [{"week": week, "inspections": counts[week][0], "no_access": counts[week][1]} for week in weeks]


def figures_of(db: Database, world: World, week: str, today: dt.date, config: Mapping[str, Any]) -> dict[str, Any]:
    """Return the figures of DESIGN.md from a loaded world (week: the one counted in `inspections`)."""
    monday = week_monday(week)
    year = (monday + dt.timedelta(days=3)).year  # the ISO week's year: the one its Thursday falls in
    per_type = {kind: {"total": 0, "verified": 0, "residents": 0, "residents_verified": 0, "brp_registered": 0,
                       "brp_gap": 0} for kind in TYPES}
    with_gap = 0
    for address in world.addresses.values():
        row = per_type[address.location_type]
        row["total"] += 1
        row["verified"] += address.verified
        counted = residents(world, address.id) or 0
        row["residents"] += counted
        if address.verified:
            row["residents_verified"] += counted
        if address.brp_registered is not None:
            row["brp_registered"] += address.brp_registered
        gap = brp_gap(world, address) or 0
        row["brp_gap"] += gap
        with_gap += gap > 0
    gap_total = sum(row["brp_gap"] for row in per_type.values())
    this_week = week_counts(world, [week])[0]
    in_year = sum(1 for visit in world.visits if visit.date.year == year)
    return {
        "week": week,
        "addresses": {"total": len(world.addresses),
                      "verified": sum(a.verified for a in world.addresses.values()),
                      "by_location_type": per_type},
        "residents": {"counted": sum(row["residents"] for row in per_type.values())},
        "brp": {"addresses_with_gap": with_gap, "gap": gap_total,
                "gemeentefonds_eur": gap_total * int(config["GEMEENTEFONDS_EUR"]),
                "registration_cost_eur": gap_total * int(config["REGISTRATION_COST_EUR"])},
        "inspections": {"week": this_week["inspections"], "year": in_year, "no_access_week": this_week["no_access"]},
        "findings_by_code": findings_by_code(db, (v.head_id for v in world.latest.values())),
        "cases": {"by_status": cases_by_status(db, world), "terms_expired": terms_expired(db, world, today)},
    }


def figures(db: Database, week: str, today: dt.date, config: Mapping[str, Any]) -> dict[str, Any]:
    """Return the figures as DESIGN.md defines them: the data as it is now, inspections counted for `week`."""
    return figures_of(db, load(db), week, today, config)
