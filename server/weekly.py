"""The weekly report (`report weekly` and the weekly-report job): the figures of a week as a PDF with charts."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Mapping

from sqlite_utils import Database

from reports import weekly
from server.figures import figures_of, load, week_counts
from server.jobs import TIMEZONE, JobContext, JobFailed, Outcome, check_period, shift_week
from server.report_files import reports_folder, write_atomic

HISTORY_WEEKS = 12


def code_titles(db: Database) -> dict[str, str]:
    """Return each rule code's title, from the newest stored norm set version that has it."""
    titles: dict[str, str] = {}
    for (text,) in db.execute("SELECT data FROM norm_sets ORDER BY valid_from, version"):
        for code, rule in (json.loads(text).get("rules") or {}).items():
            titles[code] = rule.get("title") or titles.get(code, code)
    return titles


def letterhead(config: Mapping[str, Any]) -> dict[str, Any]:
    """Return the letterhead of the municipality's documents from the settings."""
    return {"name": config["LETTERHEAD_NAME"], "address": list(config["LETTERHEAD_ADDRESS"]),
            "logo": config.get("LETTERHEAD_LOGO") or None}


def gather(db: Database, config: Mapping[str, Any], week: str, now: dt.datetime) -> dict[str, Any]:
    """Return the plain data of the weekly report of `week`, as of `now` (the figures among it)."""
    world = load(db)
    today = now.astimezone(TIMEZONE).date()
    weeks = [shift_week(week, -n) for n in range(HISTORY_WEEKS - 1, -1, -1)]
    return {"figures": figures_of(db, world, week, today, config), "weeks": week_counts(world, weeks),
            "made_at": now.isoformat(timespec="seconds"), "letterhead": letterhead(config),
            "code_titles": code_titles(db)}


def make(db: Database, config: Mapping[str, Any], week: str, now: dt.datetime) -> tuple[dict[str, Any], bytes]:
    """Return the figures of a week and the weekly report's PDF made from them."""
    data = gather(db, config, week, now)
    return data["figures"], weekly.render(weekly.collect(data))


def figures_text(found: dict[str, Any]) -> bytes:
    """Return figures as the JSON file kept beside a report (UTF-8, indented to be read)."""
    return (json.dumps(found, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def names(week: str) -> tuple[str, str]:
    """Return the file names of a week's report and of the figures it was made from."""
    return f"weekrapport-{week}.pdf", f"cijfers-{week}.json"


def job(ctx: JobContext) -> Outcome:
    """Write the weekly report of ctx.period (the week reported) and its figures into DATA/reports/."""
    try:
        week = check_period("week", ctx.period)
    except ValueError as err:
        raise JobFailed(str(err)) from None
    folder = reports_folder(ctx.data)
    pdf_name, json_name = names(week)
    relative = [f"{folder.name}/{json_name}", f"{folder.name}/{pdf_name}"]
    if (folder / pdf_name).exists() and not ctx.again:
        # A report, once made, is a file: its history is not recomputed.
        return Outcome(f"Weekrapportage {week} bestaat al ({relative[1]}); niets opnieuw gemaakt.",
                       {"written": 0, "kept": 1}, [])
    ctx.progress("Cijfers", 0, None)
    found, pdf = make(ctx.db, ctx.config, week, ctx.now)
    # The figures first, the PDF last: a report on disk always has the figures it was made from beside it.
    write_atomic(folder / json_name, figures_text(found))
    write_atomic(folder / pdf_name, pdf)
    ctx.progress("Cijfers", 1, 1)
    return Outcome(f"Weekrapportage {week} gemaakt: {found['inspections']['week']} inspecties in de week, "
                   f"{found['residents']['counted']} bewoners geteld, verschil met de BRP {found['brp']['gap']}.",
                   {"written": 1, "kept": 0, "inspections": found["inspections"]["week"],
                    "residents": found["residents"]["counted"], "brp_gap": found["brp"]["gap"]}, relative,
                   relative[1])

