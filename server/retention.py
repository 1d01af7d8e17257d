"""Retention: which closed cases and which inspections without a case the Selectielijst terms make due.

A closed case is kept for the term of its result (server.cases RESULTS, mapped to a Selectielijst
category in server/config/retention.json, replaceable by the setting RETENTION), counted from the
day it closed; a submitted inspection that never had a case for the term of supervision without
enforcement (12.1), from its inspection date. A case takes with it everything that is part of it:
the inspections it refers to (and their corrections), their assignments and rapporten, its letters
and dossier. Nothing an open case needs is ever due: everything at an address with an open case
waits, and an inspection another kept case refers to (or that a kept inspection corrects) stays.

This module only lists (the dry run, the monthly job); server.destruction destroys, and only when
the beheerder runs `woontoezicht retention --apply`. Addresses and parties are master data, not
case data: they are never destroyed here.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlite_utils import Database

from schemas import jsontext
from schemas.judge import inspection_date
from server.cases import upgraded
from server.db import rows
from server.jobs import TIMEZONE, JobContext, JobFailed, Outcome
from server.settings import config_file

WITHOUT_CASE = "inspection_without_case"


class RetentionError(Exception):
    """The retention configuration cannot be used (the message says why, in Dutch)."""


@dataclass(frozen=True)
class Rule:
    """One Selectielijst result: its category number, title, term in years, source and whether it was checked."""

    key: str
    category: str
    title: str
    years: int
    source: str
    verified: bool

    @property
    def label(self) -> str:
        """Return the rule as a list shows it: category and title."""
        return f"{self.category} {self.title}"


@dataclass(frozen=True)
class Rules:
    """The terms in force: per case result, and for an inspection that never had a case."""

    results: dict[str, Rule]
    without_case: Rule
    source: str

    @property
    def shortest_years(self) -> int:
        """Return the shortest term of any rule, in years."""
        return min([r.years for r in self.results.values()] + [self.without_case.years])

    @property
    def all_verified(self) -> bool:
        """Return whether every rule was checked against the Selectielijst itself."""
        return all(r.verified for r in [*self.results.values(), self.without_case])


def _rule(key: str, raw: Any) -> Rule:
    if not isinstance(raw, dict):
        raise RetentionError(f"Bewaartermijnen: '{key}' is geen object.")
    years = raw.get("years")
    if not isinstance(years, int) or isinstance(years, bool) or not 1 <= years <= 200:
        raise RetentionError(f"Bewaartermijnen: '{key}' heeft geen termijn in hele jaren (years, 1-200).")
    for name in ("category", "title"):
        if not isinstance(raw.get(name), str) or not raw[name].strip():
            raise RetentionError(f"Bewaartermijnen: '{key}' mist '{name}'.")
    return Rule(key, raw["category"], raw["title"], years, str(raw.get("source") or ""), raw.get("verified") is True)


def load_rules(path: str | None = None) -> Rules:
    """Return the retention terms: the file at path (the setting RETENTION), or the shipped one."""
    try:
        raw = config_file(path or None, "retention.json")
    except (OSError, ValueError) as err:
        raise RetentionError(f"Kan het bestand met bewaartermijnen niet lezen: {err}") from None
    results = raw.get("results")
    if not isinstance(results, dict) or not results:
        raise RetentionError("Bewaartermijnen: 'results' ontbreekt (per resultaat van een zaak een termijn).")
    return Rules({key: _rule(key, value) for key, value in results.items()},
                 _rule(WITHOUT_CASE, raw.get(WITHOUT_CASE)), str(raw.get("source") or ""))


@dataclass
class Item:
    """One thing a term makes due: a closed case or an inspection without a case, and what goes with it."""

    entity: str  # case | inspection
    record_id: str
    reference: str  # the case number or the rapport's kenmerk (the id when there is none)
    rule: Rule
    start: dt.date  # the day the case closed, or the inspection date
    due_since: dt.date
    address_id: str | None
    inspections: list[str] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)  # {id, kenmerk, kind, sha256, status}
    assignments: list[str] = field(default_factory=list)
    waiting: str | None = None  # why it is kept although its term passed

    @property
    def what(self) -> str:
        """Return what the item is, in Dutch."""
        return f"zaak {self.reference}" if self.entity == "case" else f"inspectie {self.reference}"

    def parts(self) -> dict[str, Any]:
        """Return the ids and kenmerken destroyed with the item (what the destruction log keeps of them)."""
        return {"inspections": sorted(self.inspections), "assignments": sorted(self.assignments),
                "documents": sorted(d["kenmerk"] or d["id"] for d in self.documents)}


@dataclass
class Unjudged:
    """A closed case whose result maps to no rule: kept until the configuration names it."""

    record_id: str
    number: str
    result: str | None


@dataclass
class Plan:
    """What is due on a day: items to destroy, items due but kept (with why), cases no rule covers."""

    today: dt.date
    rules: Rules
    due: list[Item]
    waiting: list[Item]
    unjudged: list[Unjudged]


def _local_date(stamp: str) -> dt.date:
    moment = dt.datetime.fromisoformat(stamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(TIMEZONE).date()


def _strings(value: Any) -> set[str]:
    """Return every string inside a JSON value (the ids a case's data names, wherever it keeps them)."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(_strings(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_strings(v) for v in value)) if value else set()
    return set()


def closed_on(db: Database, case: dict[str, Any]) -> dt.date:
    """Return the day a closed case closed: as recorded, else its closing step, else its last change (never earlier)."""
    if case.get("closed_on"):
        return dt.date.fromisoformat(str(case["closed_on"])[:10])
    found = rows(db, "SELECT max(coalesce(effective_on, substr(at, 1, 10))) AS on_ FROM case_events WHERE case_id = ? "
                     "AND action IN ('afgesloten', 'ingetrokken', 'gesloten')", [case["id"]])
    if found and found[0]["on_"]:
        return max(dt.date.fromisoformat(found[0]["on_"][:10]), _local_date(case["updated_at"]))
    return _local_date(case["updated_at"])


def plan(db: Database, rules: Rules, today: dt.date) -> Plan:
    """Return what the terms make due on `today`, and what waits because something kept still needs it."""
    inspections = {r["id"]: r for r in rows(db, "SELECT id, address_id, assignment_id, status, started_at, "
                                                "json_extract(data, '$.corrects') AS corrects FROM inspections "
                                                "WHERE deleted = 0")}
    assignments = {r["id"]: r for r in rows(db, "SELECT id, json_extract(data, '$.case_id') AS case_id "
                                                "FROM assignments WHERE deleted = 0")}
    cases = {}
    for row in rows(db, "SELECT id, version, data, created_at, updated_at FROM cases WHERE deleted = 0"):
        cases[row["id"]] = upgraded({"id": row["id"], "version": row["version"], **jsontext.loads(row["data"]),
                                     "created_at": row["created_at"], "updated_at": row["updated_at"]})
    cases_of = _cases_of(inspections, assignments, cases)
    open_at: dict[str | None, str] = {}
    for case in cases.values():
        if case.get("status") == "open":
            open_at.setdefault(case.get("address_id"), case.get("number") or case["id"])

    found: list[Item] = []
    unjudged: list[Unjudged] = []
    for case in cases.values():
        if case.get("status") == "open":
            continue
        rule = rules.results.get(str(case.get("result")))
        if rule is None:
            unjudged.append(Unjudged(case["id"], case.get("number") or case["id"], case.get("result")))
            continue
        start = closed_on(db, case)
        due_since = start + relativedelta(years=rule.years)
        if due_since <= today:
            mine = sorted(i for i, owners in cases_of.items() if case["id"] in owners)
            found.append(Item("case", case["id"], case.get("number") or case["id"], rule, start, due_since,
                              case.get("address_id"), inspections=mine))
    for inspection in inspections.values():
        if inspection["status"] != "submitted" or not inspection["started_at"] or cases_of.get(inspection["id"]):
            continue
        start = inspection_date(inspection)
        due_since = start + relativedelta(years=rules.without_case.years)
        if due_since <= today:
            found.append(Item("inspection", inspection["id"], inspection["id"], rules.without_case, start, due_since,
                              inspection["address_id"], inspections=[inspection["id"]]))

    for item in found:
        if item.address_id in open_at:
            item.waiting = f"er loopt een zaak op dit adres ({open_at[item.address_id]})"
    _keep_what_is_needed(found, inspections, cases_of)
    _attach(db, found, inspections, assignments, set(cases))
    found.sort(key=lambda i: (i.due_since, i.reference))
    return Plan(today, rules, [i for i in found if i.waiting is None], [i for i in found if i.waiting is not None],
                sorted(unjudged, key=lambda u: u.number))


def _cases_of(inspections: dict[str, dict[str, Any]], assignments: dict[str, dict[str, Any]],
              cases: dict[str, dict[str, Any]]) -> dict[str, set[str]]:
    """Return per inspection the cases it belongs to: named in a case, done for its hercontrole, or correcting one."""
    owners: dict[str, set[str]] = {}
    for case in cases.values():
        for named in _strings({k: v for k, v in case.items() if k not in ("id", "address_id")}) & inspections.keys():
            owners.setdefault(named, set()).add(case["id"])
    for inspection in inspections.values():
        case_id = (assignments.get(inspection["assignment_id"] or "") or {}).get("case_id")
        if case_id in cases:
            owners.setdefault(inspection["id"], set()).add(case_id)
    # A correction replaces the inspection it corrects everywhere: it belongs to the same cases.
    changed = True
    while changed:
        changed = False
        for inspection in inspections.values():
            inherited = owners.get(inspection["corrects"] or "", set()) - owners.get(inspection["id"], set())
            if inherited:
                owners.setdefault(inspection["id"], set()).update(inherited)
                changed = True
    return owners


def _keep_what_is_needed(found: list[Item], inspections: dict[str, dict[str, Any]],
                         cases_of: dict[str, set[str]]) -> None:
    """Drop from the items every inspection something kept needs; an inspection item then waits."""
    while True:
        going_cases = {i.record_id for i in found if i.entity == "case" and i.waiting is None}
        going = {x for i in found if i.waiting is None for x in i.inspections}
        needed: dict[str, str] = {}
        for x in going:
            kept_cases = cases_of.get(x, set()) - going_cases
            if kept_cases:
                needed[x] = "hoort ook bij een zaak die blijft"
        for inspection in inspections.values():
            if inspection["id"] not in going and inspection["corrects"] in going:
                needed[inspection["corrects"]] = "een inspectie die blijft, corrigeert deze"
        if not needed:
            return
        for item in found:
            if item.waiting is not None:
                continue
            if item.entity == "inspection" and item.record_id in needed:
                item.waiting = needed[item.record_id]
            else:
                item.inspections = [x for x in item.inspections if x not in needed]


def _attach(db: Database, found: list[Item], inspections: dict[str, dict[str, Any]],
            assignments: dict[str, dict[str, Any]], live_cases: set[str]) -> None:
    """Add to each item the documents and assignments that go with it, and its reference."""
    going = {x for i in found if i.waiting is None for x in i.inspections}
    going_cases = {i.record_id for i in found if i.entity == "case" and i.waiting is None}
    made_for: dict[str, list[str]] = {}  # assignment -> the inspections made for it
    for x, row in inspections.items():
        if row["assignment_id"]:
            made_for.setdefault(row["assignment_id"], []).append(x)
    of_case: dict[str, set[str]] = {}
    for a, row in assignments.items():
        if row["case_id"]:
            of_case.setdefault(row["case_id"], set()).add(a)
    for item in found:
        docs = rows(db, "SELECT id, kenmerk, kind, sha256, status FROM documents WHERE case_id IS NULL AND "
                        "inspection_id IN (SELECT value FROM json_each(?)) ORDER BY kenmerk", [jsontext.dumps(
                            item.inspections)])
        if item.entity == "case":
            docs += rows(db, "SELECT id, kenmerk, kind, sha256, status FROM documents WHERE case_id = ? AND "
                             "(inspection_id IS NULL OR inspection_id NOT IN (SELECT id FROM inspections WHERE "
                             "deleted = 0 AND id NOT IN (SELECT value FROM json_each(?)))) ORDER BY kenmerk",
                         [item.record_id, jsontext.dumps(sorted(going))])
        item.documents = docs
        if item.entity == "inspection":
            rapport = next((d for d in docs if d["kind"] == "rapport"), None)
            item.reference = rapport["kenmerk"] if rapport and rapport["kenmerk"] else item.record_id
        mine = {inspections[x]["assignment_id"] for x in item.inspections if inspections[x]["assignment_id"]}
        if item.entity == "case":
            mine |= of_case.get(item.record_id, set())
        # An assignment goes when nothing kept uses it: no kept inspection was made for it, its case goes too.
        item.assignments = sorted(
            a for a in mine if a in assignments
            and all(x in going for x in made_for.get(a, []))
            and (assignments[a]["case_id"] in going_cases or assignments[a]["case_id"] not in live_cases))


# --- the list, on screen and for the archivist ---------------------------------------------------

HEADER = ["soort", "kenmerk", "id", "categorie", "regel", "termijn_jaren", "termijn_vanaf", "vervallen_sinds",
          "inspecties", "documenten", "opdrachten", "status", "reden"]


def _day(value: dt.date) -> str:
    return value.strftime("%d-%m-%Y")


def table_rows(found: Plan) -> list[list[str]]:
    """Return the list as rows (HEADER's columns): what is due, what waits, and cases no rule covers."""
    out = []
    for status, items in (("te vernietigen", found.due), ("uitgesteld", found.waiting)):
        for item in items:
            out.append(["zaak" if item.entity == "case" else "inspectie", item.reference, item.record_id,
                        item.rule.category, item.rule.title, str(item.rule.years), item.start.isoformat(),
                        item.due_since.isoformat(), str(len(item.inspections)), str(len(item.documents)),
                        str(len(item.assignments)), status, item.waiting or ""])
    for case in found.unjudged:
        out.append(["zaak", case.number, case.record_id, "", "", "", "", "", "", "", "", "geen regel",
                    f"resultaat '{case.result}' staat niet in de bewaartermijnen"])
    return out


def describe(found: Plan) -> list[str]:
    """Return the dry run as Dutch lines: a table of what is due, then what waits and why."""
    lines = [f"Bewaartermijnen op {_day(found.today)} (Selectielijst gemeenten en intergemeentelijke organen 2020; "
             "termijn vanaf het afsluiten van de zaak, of vanaf de inspectiedatum voor een inspectie zonder zaak)."]
    if not found.rules.all_verified:
        lines.append("Let op: de termijnen komen uit een secundaire bron en zijn niet aan de Selectielijst zelf "
                     "getoetst (verified: false); laat de archivaris ze bevestigen.")
    if not found.due:
        lines.append("Niets te vernietigen.")
    else:
        lines.append(f"Te vernietigen ({len(found.due)}):")
        lines.append(f"  {'wat':<30} {'regel':<56} {'termijn':<8} {'vanaf':<10}  vervallen sinds")
        for item in found.due:
            lines.append(f"  {item.what:<30} {item.rule.label[:56]:<56} {_years(item.rule.years):<8} "
                         f"{_day(item.start):<10}  {_day(item.due_since)}")
            lines.append(f"  {'':<30} met {_count(len(item.inspections), 'inspectie', 'inspecties')}, "
                         f"{_count(len(item.documents), 'document', 'documenten')}, "
                         f"{_count(len(item.assignments), 'opdracht', 'opdrachten')}")
    for item in found.waiting:
        lines.append(f"Uitgesteld: {item.what} ({item.rule.label}, vervallen sinds {_day(item.due_since)}): "
                     f"{item.waiting}.")
    for case in found.unjudged:
        lines.append(f"Geen regel: zaak {case.number} (resultaat '{case.result}' staat niet in de bewaartermijnen; "
                     "blijft bewaard).")
    return lines


def _years(n: int) -> str:
    return f"{n} jaar"


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def write_csv(found: Plan, target: Path) -> None:
    """Write the list for the archivist as CSV (semicolons, UTF-8 with a byte order mark), whole or not at all."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(table_rows(found))
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    part = target.with_name(f".{target.name}.{uuid.uuid4().hex}.part")
    with os.fdopen(os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8-sig",
                   newline="") as out:
        out.write(buffer.getvalue())
        out.flush()
        os.fsync(out.fileno())
    os.replace(part, target)


# --- the job: the monthly dry run ----------------------------------------------------------------

def job(ctx: JobContext) -> Outcome:
    """List what is due for the archivist (DATA/reports/retentie-<month>.csv); never destroy anything."""
    try:
        rules = load_rules(ctx.config.get("RETENTION") or None)
    except RetentionError as err:
        raise JobFailed(str(err)) from None
    found = plan(ctx.db, rules, ctx.today)
    relative = f"reports/retentie-{ctx.period}.csv"
    target = ctx.data / relative
    counts = {"due": len(found.due), "waiting": len(found.waiting), "unjudged": len(found.unjudged)}
    if target.exists() and not ctx.again:
        return Outcome(f"De lijst voor {ctx.period} bestond al ({relative}); niet opnieuw gemaakt.", counts,
                       [relative], relative)
    write_csv(found, target)
    return Outcome(f"Bewaartermijnen: {_count(len(found.due), 'zaak of inspectie', 'zaken en inspecties')} te "
                   f"vernietigen, {len(found.waiting)} uitgesteld; de lijst staat in {relative}. Er is niets "
                   "vernietigd: dat doet de beheerder met 'woontoezicht retention --apply'.", counts, [relative],
                   relative)
