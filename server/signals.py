"""Registration signals (`signals brp` and the brp-signals job): the terugmelding list for Burgerzaken.

Every address where the latest inspection with access counted more residents than the BRP registers
there (both known), largest gap first; then the addresses with residents counted and no registration
count known, which the BRP import may not cover. Counted as server.figures counts (corrections,
addresses gone from the BAG); only counts, never a person.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

from sqlite_utils import Database

from reports import signals as lists
from reports.signals import addresses
from schemas import jsontext
from server.figures import World, brp_gap, load, residents
from server.jobs import JobContext, JobFailed, Outcome, check_period
from server.report_files import reports_folder, write_atomic
from server.weekly import letterhead

FORMATS = ("csv", "xlsx", "pdf")  # the order they are written in: the PDF last marks a complete list


def _details(db: Database, ids: list[str]) -> dict[str, dict[str, Any]]:
    found = db.execute("SELECT a.id, a.data FROM json_each(?) AS chosen JOIN addresses a ON a.id = chosen.value",
                       [jsontext.dumps(ids)])
    return {row[0]: jsontext.loads(row[1]) for row in found}


def signal_rows(db: Database, world: World | None = None) -> list[dict[str, Any]]:
    """Return the list's rows: addresses with a gap (largest first), then counted ones without a BRP count."""
    world = world or load(db)
    gaps: list[tuple[Any, ...]] = []
    unknown: list[tuple[Any, ...]] = []
    for address in world.addresses.values():
        counted = residents(world, address.id)
        if counted is None:
            continue
        gap = brp_gap(world, address)
        if gap:
            gaps.append((address, counted, gap))
        elif address.brp_registered is None and counted > 0:
            unknown.append((address, counted, None))
    details = _details(db, [item[0].id for item in gaps + unknown])
    out = []
    for address, counted, gap in gaps + unknown:
        data = details[address.id]
        out.append({"straat": data.get("straat"), "huisnummer": data.get("huisnummer"),
                    "huisletter": data.get("huisletter"), "toevoeging": data.get("toevoeging"),
                    "postcode": data.get("postcode"), "woonplaats": data.get("woonplaats"),
                    "bag_id": data.get("bag_id"), "inspection_date": world.latest[address.id].date.isoformat(),
                    "counted": counted, "registered": address.brp_registered, "gap": gap,
                    "brp_peildatum": address.brp_peildatum})

    def order(row: dict[str, Any]) -> tuple[Any, ...]:
        known = row["registered"] is not None
        return (not known, -(row["gap"] if known else row["counted"]), row["postcode"] or "", row["huisnummer"] or 0,
                row["huisletter"] or "", row["toevoeging"] or "")

    return sorted(out, key=order)


def gather(db: Database, config: Mapping[str, Any], now: dt.datetime) -> dict[str, Any]:
    """Return the plain data of the terugmelding list as of `now`."""
    return {"made_at": now.isoformat(timespec="seconds"), "letterhead": letterhead(config), "rows": signal_rows(db)}


def render(data: dict[str, Any], kind: str) -> bytes:
    """Return the list in one format: csv, xlsx or pdf."""
    return {"csv": lists.csv_bytes, "xlsx": lists.xlsx_bytes, "pdf": lists.pdf_bytes}[kind](data)


def file_name(week: str, kind: str) -> str:
    """Return the name of a week's list in a format."""
    return f"terugmelding-{week}.{kind}"


def job(ctx: JobContext) -> Outcome:
    """Write the terugmelding list of ctx.period as CSV, XLSX and PDF into DATA/reports/."""
    try:
        week = check_period("week", ctx.period)
    except ValueError as err:
        raise JobFailed(str(err)) from None
    folder = reports_folder(ctx.data)
    relative = [f"{folder.name}/{file_name(week, kind)}" for kind in FORMATS]
    if (folder / file_name(week, "pdf")).exists() and not ctx.again:
        return Outcome(f"Terugmeldlijst {week} bestaat al ({relative[-1]}); niets opnieuw gemaakt.",
                       {"written": 0, "kept": 1}, [])
    ctx.progress("Terugmeldlijst", 0, None)
    data = gather(ctx.db, ctx.config, ctx.now)
    for kind in FORMATS:
        write_atomic(folder / file_name(week, kind), render(data, kind))
    gaps = [row for row in data["rows"] if row["registered"] is not None]
    unknown = len(data["rows"]) - len(gaps)
    ctx.progress("Terugmeldlijst", 1, 1)
    return Outcome(f"Terugmeldlijst {week} gemaakt: {addresses(len(gaps))} met meer bewoners dan ingeschreven "
                   f"(verschil {sum(row['gap'] for row in gaps)}), {addresses(unknown)} zonder BRP-aantal.",
                   {"written": 1, "kept": 0, "addresses_with_gap": len(gaps),
                    "gap": sum(row["gap"] for row in gaps), "without_brp_count": unknown}, relative, relative[-1])
