"""`woontoezicht jobs list | run | schedule`: the administrator's view of the scheduled jobs."""

from __future__ import annotations

import datetime as dt
import json
import signal
import sys
import time
from pathlib import Path
from typing import Any

import click
from flask import Flask

from reports.fmt import tijdstip
from server.commands import data_option, fail, open_app
from server.db import get_db
from server.jobs import TIMEZONE, check_period
from server.jobs.registry import JOBS, JobSpec
from server.jobs.runs import (
    OUTCOMES,
    TRIGGERS,
    JobBusy,
    ScheduleError,
    default_period,
    last_run,
    lock_holder,
    queued,
    real_clock,
    run_job,
    trigger_of,
)

_DAYS = {"mon": "maandag", "tue": "dinsdag", "wed": "woensdag", "thu": "donderdag", "fri": "vrijdag",
         "sat": "zaterdag", "sun": "zondag", "0": "zondag", "1": "maandag", "2": "dinsdag", "3": "woensdag",
         "4": "donderdag", "5": "vrijdag", "6": "zaterdag", "7": "zondag"}


def describe(crontab: str) -> str:
    """Return a schedule in Dutch words where it is a simple one ('elke maandag om 02:00'), else the crontab."""
    parts = crontab.split()
    if len(parts) == 5 and parts[0].isdigit() and parts[1].isdigit():
        at = f"om {int(parts[1]):02d}:{int(parts[0]):02d}"
        day, month, weekday = parts[2], parts[3], parts[4].lower()
        if day == "*" and month == "*" and weekday == "*":
            return f"elke dag {at}"
        if day == "*" and month == "*" and weekday in _DAYS:
            return f"elke {_DAYS[weekday]} {at}"
        if day.isdigit() and month == "*" and weekday == "*":
            return f"de {int(day)}e van elke maand {at}"
    return f"volgens '{crontab}'"


def _run_line(run: dict[str, Any] | None) -> str:
    if run is None:
        return "nog nooit gedraaid"
    when = tijdstip(run["finished_at"] or run["started_at"])
    text = f"{run['period']} {OUTCOMES[run['outcome']]} ({when}, {TRIGGERS.get(run['trigger'], run['trigger'])})"
    if run["message"]:
        text += f": {run['message']}"
    return text


def job_status(app: Flask) -> list[dict[str, Any]]:
    """Return each job with its schedule, last run, live lock and queued runs (what `jobs list` shows)."""
    out = []
    with app.app_context():
        db = get_db()
        waiting = queued(db)
        for spec in JOBS.values():
            schedule = spec.schedule_in(app.config)
            try:
                trigger_of(spec, app.config)
                schedule_error = None
            except ScheduleError as err:
                schedule_error = str(err)
            held = lock_holder(db, spec.name, real_clock())
            out.append({"name": spec.name, "title": spec.title, "schedule": schedule,
                        "schedule_text": describe(schedule),
                        "schedule_error": schedule_error, "setting": f"WOONTOEZICHT_{spec.setting}",
                        "last_run": last_run(db, spec.name), "running_since": held["taken_at"] if held else None,
                        "queued": sum(1 for q in waiting if q["name"] == spec.name)})
    return out


@click.group("jobs")
def jobs_group() -> None:
    """Geplande taken: bekijken, nu draaien, de planner starten."""


@jobs_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Toon de taken als JSON.")
@data_option
def list_command(data: Path, as_json: bool) -> None:
    """Toon elke taak: naam, planning, laatste run met uitkomst en aantallen."""
    status = job_status(open_app(data))
    if as_json:
        click.echo(json.dumps(status, ensure_ascii=False, indent=2))
        return
    for job in status:
        schedule = job["schedule_text"] if not job["schedule_error"] else f"'{job['schedule']}'"
        line = f"{job['name']}\t{schedule}\t{_run_line(job['last_run'])}"
        if job["running_since"]:
            line += f"\tloopt nu (sinds {tijdstip(job['running_since'])})"
        if job["queued"]:
            line += "\tin de wachtrij"
        if job["schedule_error"]:
            line += f"\tFOUT: {job['schedule_error']}"
        click.echo(line)


def _period_for(spec: JobSpec, week: str | None) -> str:
    if week is None:
        return default_period(spec, real_clock())
    if spec.period != "week":
        fail(f"De taak {spec.name} draait per {'dag' if spec.period == 'day' else 'maand'}; --week past daar niet.", 2)
    try:
        return check_period("week", week)
    except ValueError as err:
        fail(str(err), 2)


class _TerminalProgress:
    """A live progress line on standard error, on a terminal only, at most five times a second."""

    def __init__(self) -> None:
        self.live = sys.stderr.isatty()
        self._last = 0.0
        self._shown = False

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        if not self.live or time.monotonic() - self._last < 0.2:
            return
        self._last = time.monotonic()
        share = f" ({100 * done // total}%)" if total else ""
        click.echo(f"\r{stage}: {done:,}".replace(",", ".") + (f" van {total:,}".replace(",", ".") if total else "")
                   + share + "   ", err=True, nl=False)
        self._shown = True

    def end(self) -> None:
        if self._shown:
            click.echo("", err=True)


@jobs_group.command("run")
@click.argument("name", metavar="NAAM")
@click.option("--week", default=None, metavar="JJJJ-Www", help="De week waarvoor de taak draait (bij weektaken; "
              "standaard de week van nu, bij weekly-report de vorige).")
@click.option("--again", is_flag=True, help="Maak wat de taak voor die periode maakt opnieuw, ook als het al bestaat.")
@data_option
def run_command(data: Path, name: str, week: str | None, again: bool) -> None:
    """Draai één taak nu, vastgelegd zoals een geplande run. Uitkomst 0: gelukt; 1: mislukt of draait al."""
    spec = JOBS.get(name)
    if spec is None:
        fail(f"Onbekende taak: {name}. Taken: {', '.join(JOBS)}.", 2)
    assert spec is not None
    period = _period_for(spec, week)
    app = open_app(data)
    progress = _TerminalProgress()
    try:
        run = run_job(app, spec, period, trigger="manual", requested_by="cli", progress=progress, again=again)
    except JobBusy as err:
        fail(str(err))
    finally:
        progress.end()
    assert run is not None
    if run["outcome"] != "ok":
        fail(f"{name} ({period}) mislukt: {run['message']}")
    click.echo(f"{name} ({period}) gelukt: {run['message']}", err=True)
    for file in run["files"]:
        click.echo(str(Path(app.config["DATA"]) / file))


@jobs_group.command("schedule")
@click.option("--exit-with-parent", "parent_pid", type=int, default=None, hidden=True,
              help="Stop wanneer het proces met dit nummer stopt (woontoezicht demo).")
@data_option
def schedule_command(data: Path, parent_pid: int | None) -> None:
    """Start de planner: elke taak op haar planning (Europe/Amsterdam), gemiste runs één keer ingehaald."""
    from server.jobs.scheduler import Scheduler, quiet_apscheduler

    app = open_app(data)
    quiet_apscheduler()

    def say(line: str) -> None:
        click.echo(f"[{dt.datetime.now(TIMEZONE):%Y-%m-%d %H:%M:%S}] {line}", err=True)

    try:
        scheduler = Scheduler(app, say=say, parent_pid=parent_pid)
    except ScheduleError as err:
        fail(str(err))

    def stop(signum: int, frame: Any) -> None:
        scheduler.stopped.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    say(f"Planner gestart voor {app.config['DATA']} (stoppen: Ctrl+C).")

    def announce() -> None:
        for job, when in sorted(scheduler.next_runs().items()):
            say(f"  {job}: volgende run {when}")

    try:
        scheduler.run_forever(announce=announce)
    finally:
        say("Planner gestopt.")
