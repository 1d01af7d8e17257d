"""Scheduled jobs: what a job is handed, what it answers, and the periods runs are counted in.

A job is a plain function `run(ctx: JobContext) -> Outcome` in the module that owns its work
(server.bag_import, server.figures, ...); server.jobs.registry names them, server.jobs.runs
records and locks their runs, server.jobs.scheduler runs them on their schedules. A job that
cannot do its work raises JobFailed with a Dutch message: the run is recorded as failed with
that message, and stored data stays as it was.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping
from zoneinfo import ZoneInfo

from sqlite_utils import Database

TIMEZONE = ZoneInfo("Europe/Amsterdam")

# progress(stage, done, total): a stage in Dutch ("Controleren", "Schrijven"), rows done so far and
# the total when known. The scheduler passes one that does nothing; a terminal gets a live line.
Progress = Callable[[str, int, "int | None"], None]


def no_progress(stage: str, done: int, total: int | None) -> None:
    """Show nothing (the scheduler's progress)."""


class JobError(Exception):
    """Base of the jobs' errors."""


class JobFailed(JobError):
    """A job could not do its work; the message (Dutch) is what the run records and the admin reads."""

    def __init__(self, message: str, counts: Mapping[str, int] | None = None, report: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.counts = dict(counts or {})
        self.report = report


@dataclass
class JobContext:
    """What a run is handed: the database, the settings, the data folder, its period and its clock."""

    db: Database
    config: Mapping[str, Any]
    data: Path
    name: str
    period: str  # "2026-W49", "2026-12-01" or "2026-12": what this run covers
    now: dt.datetime  # aware, Europe/Amsterdam: the run's "now" (injected in tests)
    actor: str = "job"  # recorded as updated_by / in the audit log: "job:<name>"
    progress: Progress = no_progress
    # Set by `jobs run --again`: make the period's output again even when it exists.
    again: bool = False

    @property
    def today(self) -> dt.date:
        """Return the run's date in Europe/Amsterdam."""
        return self.now.astimezone(TIMEZONE).date()


@dataclass
class Outcome:
    """What a run did: counts by name, one Dutch line, files it wrote (relative to the data folder)."""

    message: str
    counts: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    report: str | None = None  # a file with the run's full report (every bad row), relative to the data folder


# --- periods -------------------------------------------------------------------------------------

WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def iso_week(day: dt.date) -> str:
    """Return the ISO week of a date as '2026-W49'."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_monday(week: str) -> dt.date:
    """Return the Monday of an ISO week '2026-W49'; ValueError with a Dutch message when it is none."""
    found = WEEK_RE.match(week)
    if not found:
        raise ValueError(f"Geen ISO-week: {week!r} (verwacht zoals 2026-W49).")
    try:
        return dt.date.fromisocalendar(int(found[1]), int(found[2]), 1)
    except ValueError:
        raise ValueError(f"Week {week} bestaat niet.") from None


def shift_week(week: str, weeks: int) -> str:
    """Return the ISO week `weeks` after (negative: before) `week`."""
    return iso_week(week_monday(week) + dt.timedelta(weeks=weeks))


def period_of(kind: str, moment: dt.datetime) -> str:
    """Return the period of kind 'week', 'day' or 'month' that contains a moment (Europe/Amsterdam)."""
    day = moment.astimezone(TIMEZONE).date()
    if kind == "week":
        return iso_week(day)
    if kind == "day":
        return day.isoformat()
    if kind == "month":
        return f"{day.year}-{day.month:02d}"
    raise ValueError(kind)


def check_period(kind: str, period: str) -> str:
    """Return period when it is a valid period of this kind; ValueError with a Dutch message otherwise."""
    if kind == "week":
        week_monday(period)
        return period
    if kind == "day":
        try:
            if DAY_RE.match(period):
                dt.date.fromisoformat(period)
                return period
        except ValueError:
            pass
        raise ValueError(f"Geen datum: {period!r} (verwacht JJJJ-MM-DD).")
    found = MONTH_RE.match(period)
    if kind == "month" and found and 1 <= int(found[2]) <= 12:
        return period
    raise ValueError(f"Geen maand: {period!r} (verwacht JJJJ-MM).")
