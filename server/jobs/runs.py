"""Runs of jobs: recorded per period in `job_runs`, one at a time per job by a leased lock, queued by the office.

A run takes the job's lock (a row in `job_locks` with a lease its holder renews while it runs), records
itself as running, calls the job and records what it answered or why it failed. A lease that ran out
means its holder died: the next one takes the lock and marks that run as broken off. What is due is
decided from `job_runs` alone (never from the scheduler's memory): the period of the job's latest
scheduled moment, when no run of that period succeeded and it was not tried too often already.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
import sqlite3
import threading
import traceback
import uuid
from pathlib import Path
from typing import Any, Callable, Mapping

from apscheduler.triggers.cron import CronTrigger
from flask import Flask
from sqlite_utils import Database

from server.db import connect, database_path, get_db, rows, write
from server.jobs import TIMEZONE, JobContext, JobFailed, Outcome, Progress, no_progress, period_of, shift_week
from server.jobs.registry import JOBS, JobSpec

Clock = Callable[[], dt.datetime]

TRIGGERS = {"schedule": "gepland", "manual": "handmatig", "queue": "via de kantoorpagina's"}
OUTCOMES = {"running": "loopt", "ok": "gelukt", "failed": "mislukt", "interrupted": "onderbroken"}
# How far back the latest scheduled moment is looked for, per period kind (a schedule fires at least once
# per period).
_WINDOW = {"day": dt.timedelta(days=2), "week": dt.timedelta(days=8), "month": dt.timedelta(days=32)}


def real_clock() -> dt.datetime:
    """Return now in Europe/Amsterdam."""
    return dt.datetime.now(TIMEZONE)


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def new_holder() -> str:
    """Return a name for whoever takes locks: host, process and a random part (two schedulers in one process differ)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class JobBusy(Exception):
    """The job is running already (its lock is held by a live lease)."""


class ScheduleError(ValueError):
    """A job's schedule setting is not a crontab line."""


# --- schedules and periods -------------------------------------------------------------------------

def trigger_of(spec: JobSpec, config: Mapping[str, Any]) -> CronTrigger:
    """Return the job's schedule as an APScheduler trigger; ScheduleError (Dutch) when the setting is wrong."""
    text = spec.schedule_in(config)
    try:
        return CronTrigger.from_crontab(text, timezone=TIMEZONE)
    except ValueError:
        raise ScheduleError(f"WOONTOEZICHT_{spec.setting} is geen geldige planning ({text!r}); schrijf vijf velden: "
                            "minuut (0-59) uur (0-23) dag (1-31) maand (1-12) weekdag (mon-sun), zoals '0 2 * * mon'."
                            ) from None


def latest_fire(trigger: CronTrigger, kind: str, now: dt.datetime) -> dt.datetime | None:
    """Return the latest moment on or before now at which the schedule fired (within one period)."""
    moment = trigger.get_next_fire_time(None, now - _WINDOW[kind])
    latest = None
    while moment is not None and moment <= now:
        latest = moment
        moment = trigger.get_next_fire_time(moment, moment + dt.timedelta(seconds=1))
    return latest


def covered(spec: JobSpec, moment: dt.datetime) -> str:
    """Return the period a run at `moment` covers (the weekly report at a Monday: the week before)."""
    period = period_of(spec.period, moment)
    return shift_week(period, spec.covers_offset) if spec.covers_offset else period


def due_period(spec: JobSpec, config: Mapping[str, Any], now: dt.datetime) -> str | None:
    """Return the period the job's latest scheduled moment covers (None when it never fired in the window)."""
    fired = latest_fire(trigger_of(spec, config), spec.period, now)
    return covered(spec, fired) if fired else None


def default_period(spec: JobSpec, now: dt.datetime) -> str:
    """Return the period a run started now by hand covers."""
    return covered(spec, now)


# --- the lock ----------------------------------------------------------------------------------------

def take_lock(db: Database, name: str, holder: str, now: dt.datetime, lease_seconds: int) -> bool:
    """Take the job's lock unless a live lease holds it; a run whose holder's lease ran out is marked broken off."""
    with write(db):
        held = rows(db, "SELECT * FROM job_locks WHERE name = ?", [name])
        if held and held[0]["leased_until"] > _stamp(now):
            return False
        if held and held[0]["run_id"] is not None:
            db.execute("UPDATE job_runs SET outcome = 'interrupted', finished_at = ?, message = ? WHERE id = ? AND "
                       "outcome = 'running'",
                       [_stamp(now), "Onderbroken: het proces dat de taak uitvoerde, stopte voordat de taak klaar was "
                        f"(slot van {held[0]['holder']} verlopen).", held[0]["run_id"]])
        db.execute("INSERT OR REPLACE INTO job_locks (name, holder, run_id, taken_at, leased_until) VALUES "
                   "(?, ?, NULL, ?, ?)", [name, holder, _stamp(now), _stamp(now + dt.timedelta(seconds=lease_seconds))])
    return True


def renew_lock(db: Database, name: str, holder: str, now: dt.datetime, lease_seconds: int) -> bool:
    """Extend the lease of a lock this holder has; False when it lost it."""
    with write(db):
        cursor = db.execute("UPDATE job_locks SET leased_until = ? WHERE name = ? AND holder = ?",
                            [_stamp(now + dt.timedelta(seconds=lease_seconds)), name, holder])
    return cursor.rowcount == 1


def release_lock(db: Database, name: str, holder: str) -> None:
    """Give the lock back (only this holder's)."""
    with write(db):
        db.execute("DELETE FROM job_locks WHERE name = ? AND holder = ?", [name, holder])


def lock_holder(db: Database, name: str, now: dt.datetime) -> dict[str, Any] | None:
    """Return the live lock of a job, or None."""
    held = rows(db, "SELECT * FROM job_locks WHERE name = ? AND leased_until > ?", [name, _stamp(now)])
    return held[0] if held else None


class _Heartbeat:
    """Renew a lease from a thread of its own while the job runs on the caller's thread."""

    def __init__(self, path: Path, name: str, holder: str, clock: Clock, lease_seconds: int) -> None:
        self._stop = threading.Event()
        self._args = (path, name, holder, clock, lease_seconds)
        self._thread = threading.Thread(target=self._run, name=f"lease-{name}", daemon=True)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        path, name, holder, clock, lease_seconds = self._args
        db = connect(path)
        try:
            while not self._stop.wait(max(0.05, lease_seconds / 3)):
                with contextlib.suppress(sqlite3.OperationalError):  # busy: the next beat renews, the lease has margin
                    renew_lock(db, name, holder, clock(), lease_seconds)
        finally:
            db.close()


# --- runs ----------------------------------------------------------------------------------------

def _parse_run(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    for key in ("counts", "files"):
        out[key] = json.loads(row[key]) if row.get(key) else ({} if key == "counts" else [])
    return out


def runs_of(db: Database, name: str, period: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
    """Return a job's runs, newest first (of one period when given)."""
    where, params = ("name = ? AND period = ?", [name, period]) if period else ("name = ?", [name])
    return [_parse_run(r) for r in rows(db, f"SELECT * FROM job_runs WHERE {where} ORDER BY id DESC LIMIT ?",  # noqa: S608
                                        [*params, limit])]


def last_run(db: Database, name: str) -> dict[str, Any] | None:
    """Return the job's latest run, or None."""
    found = runs_of(db, name, limit=1)
    return found[0] if found else None


def needs_run(db: Database, spec: JobSpec, period: str, now: dt.datetime, config: Mapping[str, Any]) -> bool:
    """Return whether the scheduler should run the job for this period: not done, not running, not tried too often."""
    done = runs_of(db, spec.name, period, limit=1000)
    if any(r["outcome"] in ("ok", "running") for r in done):
        return False
    # A run broken off (its process died) is tried again at once; one that failed after the retry time.
    tried = [r for r in done if r["outcome"] in ("failed", "interrupted")]
    if len(tried) >= int(config.get("JOB_ATTEMPTS", 3)):
        return False
    failed = [r for r in tried if r["outcome"] == "failed"]
    if failed and tried[0]["outcome"] == "failed":
        retry_at = dt.datetime.fromisoformat(failed[0]["finished_at"] or failed[0]["started_at"]) + dt.timedelta(
            minutes=int(config.get("JOB_RETRY_MINUTES", 60)))
        return now >= retry_at
    return True


def run_job(app: Flask, spec: JobSpec, period: str, *, trigger: str, clock: Clock = real_clock,
            holder: str | None = None, requested_by: str | None = None, progress: Progress = no_progress,
            again: bool = False, only_if_needed: bool = False) -> dict[str, Any] | None:
    """Run a job for a period under its lock and record the run; return the run (None when not needed).

    Raises JobBusy when the job is running already. With only_if_needed (the scheduler), whether the
    period still needs a run is decided again once the lock is held, so two schedulers that both saw it
    due run it once.
    """
    holder = holder or new_holder()
    lease = int(app.config.get("JOB_LEASE_SECONDS", 300))
    path = database_path(app)
    with app.app_context():
        db = get_db()
        if not take_lock(db, spec.name, holder, clock(), lease):
            held = lock_holder(db, spec.name, clock())
            since = f" sinds {held['taken_at']}" if held else ""
            raise JobBusy(f"De taak {spec.name} draait al{since}; probeer het later opnieuw.")
        try:
            if only_if_needed and not needs_run(db, spec, period, clock(), app.config):
                return None
            with write(db):
                cursor = db.execute("INSERT INTO job_runs (name, period, trigger, started_at, outcome, requested_by, "
                                    "holder) VALUES (?, ?, ?, ?, 'running', ?, ?)",
                                    [spec.name, period, trigger, _stamp(clock()), requested_by, holder])
                run_id = int(cursor.lastrowid or 0)
                db.execute("UPDATE job_locks SET run_id = ? WHERE name = ? AND holder = ?", [run_id, spec.name, holder])
            ctx = JobContext(db=db, config=app.config, data=Path(app.config["DATA"]), name=spec.name, period=period,
                             now=clock(), actor=f"job:{spec.name}", progress=progress, again=again)
            with _Heartbeat(path, spec.name, holder, clock, lease):
                outcome, failure = _call(spec, ctx, run_id)
            _finish(db, run_id, clock(), outcome, failure)
            return _parse_run(rows(db, "SELECT * FROM job_runs WHERE id = ?", [run_id])[0])
        finally:
            release_lock(db, spec.name, holder)


def _call(spec: JobSpec, ctx: JobContext, run_id: int) -> tuple[Outcome | None, JobFailed | None]:
    """Call the job; turn its failure, or an unexpected error (with its traceback in a file), into a JobFailed."""
    try:
        return spec.function()(ctx), None
    except JobFailed as err:
        if ctx.db.conn.in_transaction:
            ctx.db.conn.rollback()
        return None, err
    except Exception as err:  # a bug: recorded with its traceback, so that the next run can still succeed
        if ctx.db.conn.in_transaction:
            ctx.db.conn.rollback()
        logs = ctx.data / "logs"
        logs.mkdir(mode=0o700, exist_ok=True)
        report = logs / f"taak-{run_id}-{spec.name}.txt"
        report.write_text(traceback.format_exc(), encoding="utf-8")
        return None, JobFailed(f"Onverwachte fout ({type(err).__name__}: {err}); de details staan in "
                               f"logs/{report.name}.", report=f"logs/{report.name}")


def _finish(db: Database, run_id: int, now: dt.datetime, outcome: Outcome | None, failure: JobFailed | None) -> None:
    if outcome is not None:
        values = ["ok", outcome.message, json.dumps(outcome.counts), json.dumps(outcome.files), outcome.report]
    else:
        assert failure is not None
        values = ["failed", failure.message, json.dumps(failure.counts), None, failure.report]
    with write(db):
        db.execute("UPDATE job_runs SET outcome = ?, message = ?, counts = ?, files = ?, report = ?, finished_at = ? "
                   "WHERE id = ?", [*values, _stamp(now), run_id])


# --- the queue ----------------------------------------------------------------------------------------

def queue_run(db: Database, name: str, requested_by: str | None, now: dt.datetime, period: str | None = None, *,
              jobs: Mapping[str, JobSpec] = JOBS) -> int:
    """Ask the scheduler to run a job (the office pages' button); return the queue entry's id."""
    if name not in jobs:
        raise KeyError(name)
    with write(db):
        waiting = rows(db, "SELECT id FROM job_queue WHERE name = ? AND taken_at IS NULL AND period IS ?",
                       [name, period])
        if waiting:
            return int(waiting[0]["id"])  # asked twice before the scheduler came by: one run
        cursor = db.execute("INSERT INTO job_queue (name, period, requested_at, requested_by) VALUES (?, ?, ?, ?)",
                            [name, period, _stamp(now), requested_by])
    return int(cursor.lastrowid or 0)


def queued(db: Database) -> list[dict[str, Any]]:
    """Return the runs asked for and not yet taken, oldest first."""
    return rows(db, "SELECT * FROM job_queue WHERE taken_at IS NULL ORDER BY id")


def take_queued(db: Database, entry_id: int, now: dt.datetime) -> bool:
    """Mark a queue entry taken (False when another scheduler took it first)."""
    with write(db):
        cursor = db.execute("UPDATE job_queue SET taken_at = ? WHERE id = ? AND taken_at IS NULL",
                            [_stamp(now), entry_id])
    return cursor.rowcount == 1


def link_queued(db: Database, entry_id: int, run_id: int | None) -> None:
    """Record which run served a queue entry."""
    with write(db):
        db.execute("UPDATE job_queue SET run_id = ? WHERE id = ?", [run_id, entry_id])


def untake_queued(db: Database, entry_id: int) -> None:
    """Put a taken queue entry back (its job was running); the next tick takes it again."""
    with write(db):
        db.execute("UPDATE job_queue SET taken_at = NULL WHERE id = ? AND run_id IS NULL", [entry_id])
