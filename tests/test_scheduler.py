"""The scheduler itself: APScheduler running with a fast tick on an injected clock, over real SQLite.

Probe jobs (below) record when they ran in a table of their own, so a test sees every run, its period
and whether two ever overlapped. The clock is injected: no test waits for a Monday.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

import pytest
from click.testing import CliRunner
from flask import Flask

from server.app import create_app
from server.cli import main
from server.db import connect, database_path, rows, write
from server.jobs import TIMEZONE, JobContext, JobFailed, Outcome
from server.jobs.registry import JobSpec
from server.jobs.runs import queue_run, run_job, runs_of, take_lock
from server.jobs.scheduler import Scheduler

ROOT = Path(__file__).resolve().parent.parent


class Clock:
    """A clock the test moves; thread-safe, aware (Europe/Amsterdam)."""

    def __init__(self, start: dt.datetime) -> None:
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> dt.datetime:
        with self._lock:
            return self._now

    def set(self, moment: dt.datetime) -> None:
        with self._lock:
            self._now = moment


def at(text: str) -> dt.datetime:
    """Return a local Amsterdam moment from '2026-12-09 10:00'."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=TIMEZONE)


# --- probe jobs ----------------------------------------------------------------------------------

def _probe_table(ctx: JobContext) -> None:
    ctx.db.execute("CREATE TABLE IF NOT EXISTS probe_runs (name TEXT, period TEXT, started REAL, ended REAL)")


def probe(ctx: JobContext) -> Outcome:
    """Record the run and take a little time, so that overlapping runs would show."""
    started = time.monotonic()
    time.sleep(float(ctx.config.get("PROBE_SECONDS", 0.05)))
    with write(ctx.db):
        _probe_table(ctx)
        ctx.db.execute("INSERT INTO probe_runs VALUES (?, ?, ?, ?)", [ctx.name, ctx.period, started, time.monotonic()])
    return Outcome(f"Proef voor {ctx.period} gedaan.", {"runs": 1})


def failing_once(ctx: JobContext) -> Outcome:
    """Fail while a flag file exists, then succeed."""
    flag = ctx.data / "fail-next"
    if flag.exists():
        flag.unlink()
        raise JobFailed("Het invoerbestand ontbreekt.", {"read": 0})
    return Outcome("Gelukt na de vorige poging.")


def broken(ctx: JobContext) -> Outcome:
    """A job with a bug."""
    raise ZeroDivisionError("deling door nul")


def blocking(ctx: JobContext) -> Outcome:
    """Wait until told to stop (a file appears): a job that is running when its process is killed."""
    (ctx.data / "started").write_text("1")
    while not (ctx.data / "release").exists():
        time.sleep(0.02)
    return Outcome("Losgelaten.")


PROBE = JobSpec("probe", "Proef", "week", "0 2 * * mon", "tests.test_scheduler:probe")
DAILY = JobSpec("daily", "Dagproef", "day", "0 6 * * *", "tests.test_scheduler:probe")
REPORT = JobSpec("report", "Weekproef vorige week", "week", "0 7 * * mon", "tests.test_scheduler:probe",
                 covers_offset=-1)
FLAKY = JobSpec("flaky", "Faalt eerst", "week", "0 2 * * mon", "tests.test_scheduler:failing_once")
BROKEN = JobSpec("broken", "Kapot", "week", "0 2 * * mon", "tests.test_scheduler:broken")
BLOCKING = JobSpec("blocking", "Blijft hangen", "week", "0 2 * * mon", "tests.test_scheduler:blocking")


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return create_app({"DATA": str(tmp_path / "data"), "JOB_RETRY_MINUTES": 60, "JOB_ATTEMPTS": 3,
                       "JOB_LEASE_SECONDS": 300})


def probe_runs(app: Flask) -> list[dict[str, Any]]:
    db = connect(database_path(app))
    try:
        if not rows(db, "SELECT name FROM sqlite_master WHERE name = 'probe_runs'"):
            return []
        return rows(db, "SELECT * FROM probe_runs ORDER BY started")
    finally:
        db.close()


def wait_until(condition: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


def ticks(scheduler: Scheduler, count: int) -> None:
    """Let the running scheduler tick `count` more times (and the runs they dispatched finish)."""
    target = scheduler.tick_count + count
    wait_until(lambda: scheduler.tick_count >= target)


def record_run(app: Flask, name: str, period: str, outcome: str = "ok") -> None:
    db = connect(database_path(app))
    with write(db):
        db.execute("INSERT INTO job_runs (name, period, trigger, started_at, finished_at, outcome, message) VALUES "
                   "(?, ?, 'schedule', '2026-11-09T01:00:00+00:00', '2026-11-09T01:00:01+00:00', ?, 'eerder')",
                   [name, period, outcome])
    db.close()


# --- catching up, once ------------------------------------------------------------------------------

def test_a_missed_weekly_run_is_caught_up_once_and_the_next_week_runs_on_its_monday(app: Flask) -> None:
    record_run(app, "probe", "2026-W46")  # the last run before the scheduler was off for three weeks
    clock = Clock(at("2026-12-02 10:00"))  # a Wednesday of 2026-W49
    scheduler = Scheduler(app, clock=clock, tick_seconds=0.02, jobs={"probe": PROBE})
    scheduler.start()
    try:
        wait_until(lambda: len(probe_runs(app)) == 1)
        ticks(scheduler, 15)
        assert [r["period"] for r in probe_runs(app)] == ["2026-W49"]  # once; the missed W47 and W48 coalesced
        clock.set(at("2026-12-07 01:59"))  # Monday of W50, a minute before its time: nothing yet
        ticks(scheduler, 10)
        assert len(probe_runs(app)) == 1
        clock.set(at("2026-12-07 02:00"))
        wait_until(lambda: len(probe_runs(app)) == 2)
        ticks(scheduler, 15)
    finally:
        scheduler.stop()
    assert [r["period"] for r in probe_runs(app)] == ["2026-W49", "2026-W50"]
    db = connect(database_path(app))
    recorded = rows(db, "SELECT period, outcome, trigger, message FROM job_runs WHERE name = 'probe' ORDER BY id")
    assert recorded[1:] == [{"period": "2026-W49", "outcome": "ok", "trigger": "schedule",
                             "message": "Proef voor 2026-W49 gedaan."},
                            {"period": "2026-W50", "outcome": "ok", "trigger": "schedule",
                             "message": "Proef voor 2026-W50 gedaan."}]


def test_daily_and_past_week_jobs_run_for_the_period_their_schedule_covers(app: Flask) -> None:
    clock = Clock(at("2026-12-07 05:00"))  # Monday, before the 06:00 daily job and the 07:00 report
    scheduler = Scheduler(app, clock=clock, tick_seconds=0.02, jobs={"daily": DAILY, "report": REPORT})
    scheduler.start()
    try:
        wait_until(lambda: len(probe_runs(app)) == 2)
        first = sorted((r["name"], r["period"]) for r in probe_runs(app))
        clock.set(at("2026-12-07 07:30"))
        wait_until(lambda: len(probe_runs(app)) == 4)
        ticks(scheduler, 10)
    finally:
        scheduler.stop()
    # At 05:00 the daily job last fired on Sunday 06:00 and the report on the Monday before, covering its past week.
    assert first == [("daily", "2026-12-06"), ("report", "2026-W48")]
    assert sorted((r["name"], r["period"]) for r in probe_runs(app)) == [
        ("daily", "2026-12-06"), ("daily", "2026-12-07"), ("report", "2026-W48"), ("report", "2026-W49")]


# --- never two at once ------------------------------------------------------------------------------

def test_two_schedulers_and_a_manual_run_never_run_one_job_at_once_nor_a_period_twice(tmp_path: Path) -> None:
    config = {"DATA": str(tmp_path / "data"), "PROBE_SECONDS": 0.3}
    first, second = create_app(config), create_app(config)
    clock = Clock(at("2026-12-07 03:00"))
    schedulers = [Scheduler(a, clock=clock, tick_seconds=0.01, jobs={"probe": PROBE}) for a in (first, second)]
    for scheduler in schedulers:
        scheduler.start()
    try:
        db = connect(database_path(first))
        for _ in range(3):  # queued from the office pages, while the schedulers also find W50 due
            queue_run(db, "probe", "teamleider", clock(), period="2026-W50", jobs={"probe": PROBE})
            wait_until(lambda: not rows(db, "SELECT 1 FROM job_queue WHERE taken_at IS NULL"))
        ticks(schedulers[0], 20)
        wait_until(lambda: not rows(db, "SELECT 1 FROM job_runs WHERE outcome = 'running'"))
    finally:
        for scheduler in schedulers:
            scheduler.stop()
    runs = probe_runs(first)
    for earlier, later in itertools.pairwise(runs):
        assert later["started"] >= earlier["ended"], "two runs of one job overlapped"
    scheduled = rows(db, "SELECT period FROM job_runs WHERE name = 'probe' AND trigger = 'schedule' AND outcome = 'ok'")
    assert scheduled == [{"period": "2026-W50"}]  # the schedulers together: one scheduled run of the week
    queued = rows(db, "SELECT count(*) AS n FROM job_runs WHERE trigger = 'queue'")[0]["n"]
    assert 1 <= queued <= 3  # each queue entry is served at most once (entries asked for while waiting merge)
    assert rows(db, "SELECT count(*) AS n FROM job_queue WHERE taken_at IS NULL")[0]["n"] == 0


def test_a_run_found_due_before_another_scheduler_finished_that_period_does_nothing_under_the_lock(app: Flask) -> None:
    clock = Clock(at("2026-12-07 03:00"))
    first = run_job(app, PROBE, "2026-W50", trigger="schedule", clock=clock, only_if_needed=True)
    assert first is not None and first["outcome"] == "ok"
    # A second scheduler decided the week was due just before the first run finished; under the lock it looks again.
    assert run_job(app, PROBE, "2026-W50", trigger="schedule", clock=clock, only_if_needed=True) is None
    assert [r["period"] for r in probe_runs(app)] == ["2026-W50"]
    # A manual run is an explicit request: it runs again.
    again = run_job(app, PROBE, "2026-W50", trigger="manual", clock=clock)
    assert again is not None and len(probe_runs(app)) == 2


def test_a_queued_run_is_picked_up_by_the_tick_and_linked_to_its_run(app: Flask) -> None:
    record_run(app, "probe", "2026-W50")  # nothing is due by schedule
    clock = Clock(at("2026-12-08 12:00"))
    scheduler = Scheduler(app, clock=clock, tick_seconds=0.02, jobs={"probe": PROBE})
    scheduler.start()
    try:
        db = connect(database_path(app))
        entry = queue_run(db, "probe", "teamleider", clock(), jobs={"probe": PROBE})
        wait_until(lambda: rows(db, "SELECT run_id FROM job_queue WHERE id = ?", [entry])[0]["run_id"] is not None)
    finally:
        scheduler.stop()
    run_id = rows(db, "SELECT run_id FROM job_queue WHERE id = ?", [entry])[0]["run_id"]
    run = rows(db, "SELECT * FROM job_runs WHERE id = ?", [run_id])[0]
    assert (run["trigger"], run["requested_by"], run["period"], run["outcome"]) == ("queue", "teamleider", "2026-W50",
                                                                                    "ok")


def test_a_job_killed_with_its_process_is_taken_over_once_its_lease_ran_out(tmp_path: Path) -> None:
    data = tmp_path / "data"
    create_app({"DATA": str(data)})
    script = ("import sys; from server.app import create_app; from server.jobs.runs import run_job; "
              "from tests.test_scheduler import BLOCKING; "
              "app = create_app({'DATA': sys.argv[1], 'JOB_LEASE_SECONDS': 2}); "
              "run_job(app, BLOCKING, '2026-W50', trigger='schedule')")
    child = subprocess.Popen([sys.executable, "-c", script, str(data)], cwd=ROOT, env={**os.environ,
                             "PYTHONPATH": str(ROOT)})
    try:
        wait_until(lambda: (data / "started").exists())
        app = create_app({"DATA": str(data), "JOB_LEASE_SECONDS": 2})
        db = connect(database_path(app))
        assert not take_lock(db, "blocking", "someone-else", dt.datetime.now(TIMEZONE), 2)  # held while alive
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
    (data / "release").write_text("1")
    later = Clock(dt.datetime.now(TIMEZONE) + dt.timedelta(seconds=10))  # past the dead holder's lease
    run = run_job(app, BLOCKING, "2026-W50", trigger="schedule", clock=later, only_if_needed=True)
    assert run is not None and run["outcome"] == "ok"
    first, second = runs_of(db, "blocking", "2026-W50")[::-1]
    assert first["outcome"] == "interrupted" and first["message"].startswith("Onderbroken: het proces")
    assert second["id"] == run["id"]


# --- failures ------------------------------------------------------------------------------------

def test_a_failed_run_records_why_is_retried_after_the_retry_time_and_then_succeeds(app: Flask) -> None:
    (Path(app.config["DATA"]) / "fail-next").write_text("1")
    clock = Clock(at("2026-12-07 02:00"))
    scheduler = Scheduler(app, clock=clock, tick_seconds=0.02, jobs={"flaky": FLAKY})
    scheduler.start()
    db = connect(database_path(app))
    try:
        wait_until(lambda: bool(runs_of(db, "flaky")) and runs_of(db, "flaky")[0]["outcome"] != "running")
        ticks(scheduler, 10)
        assert [(r["outcome"], r["message"], r["counts"]) for r in runs_of(db, "flaky")] == [
            ("failed", "Het invoerbestand ontbreekt.", {"read": 0})]  # not retried at once
        clock.set(at("2026-12-07 03:01"))  # past JOB_RETRY_MINUTES (60)
        wait_until(lambda: runs_of(db, "flaky")[0]["outcome"] == "ok")
        ticks(scheduler, 10)
    finally:
        scheduler.stop()
    assert [r["outcome"] for r in runs_of(db, "flaky")] == ["ok", "failed"]


def test_a_failing_period_is_tried_at_most_job_attempts_times(app: Flask) -> None:
    for _ in range(3):
        record_run(app, "flaky", "2026-W50", outcome="failed")
    clock = Clock(at("2026-12-09 12:00"))
    scheduler = Scheduler(app, clock=clock, tick_seconds=0.02, jobs={"flaky": FLAKY})
    scheduler.start()
    try:
        ticks(scheduler, 15)
    finally:
        scheduler.stop()
    db = connect(database_path(app))
    assert [r["outcome"] for r in runs_of(db, "flaky")] == ["failed"] * 3


def test_a_bug_in_a_job_is_a_failed_run_with_its_traceback_in_a_file_not_a_dead_scheduler(app: Flask) -> None:
    run = run_job(app, BROKEN, "2026-W50", trigger="manual")
    assert run is not None and run["outcome"] == "failed"
    assert run["message"].startswith("Onverwachte fout (ZeroDivisionError: deling door nul)")
    trace = (Path(app.config["DATA"]) / run["report"]).read_text()
    assert "ZeroDivisionError" in trace and "def broken" not in run["message"]
    db = connect(database_path(app))
    assert rows(db, "SELECT count(*) AS n FROM job_locks")[0]["n"] == 0  # the lock was given back


# --- the commands -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("jobs") / "data"
    result = CliRunner().invoke(main, ["init", "--demo", "--data", str(data)])
    assert result.exit_code == 0, result.output
    return data


def test_jobs_run_records_a_manual_run_that_jobs_list_shows(demo: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["jobs", "run", "deadlines", "--data", str(demo)])
    assert result.exit_code == 0, result.output
    assert "deadlines (" in result.output and "gelukt" in result.output
    listed = runner.invoke(main, ["jobs", "list", "--data", str(demo)])
    line = next(x for x in listed.output.splitlines() if x.startswith("deadlines\t"))
    assert "elke dag om 06:00" in line and "gelukt" in line and "handmatig" in line and "open zaak" in line


@pytest.mark.parametrize(("args", "message"), [
    (["jobs", "run", "bestaat-niet"], "Onbekende taak: bestaat-niet."),
    (["jobs", "run", "weekly-report", "--week", "2026-W54"], "Week 2026-W54 bestaat niet."),
    (["jobs", "run", "weekly-report", "--week", "week 3"], "Geen ISO-week: 'week 3'"),
    (["jobs", "run", "deadlines", "--week", "2026-W49"], "De taak deadlines draait per dag; --week past daar niet."),
])
def test_jobs_run_with_bad_input_says_so_in_one_dutch_line_and_exits_2(demo: Path, args: list[str],
                                                                       message: str) -> None:
    result = CliRunner().invoke(main, [*args, "--data", str(demo)])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_jobs_run_refuses_while_the_job_runs_elsewhere(demo: Path) -> None:
    app = create_app({"DATA": str(demo)})
    db = connect(database_path(app))
    assert take_lock(db, "deadlines", "another-scheduler", dt.datetime.now(TIMEZONE), 300)
    try:
        result = CliRunner().invoke(main, ["jobs", "run", "deadlines", "--data", str(demo)])
    finally:
        db.execute("DELETE FROM job_locks")
        db.conn.commit()
    assert result.exit_code == 1
    assert "De taak deadlines draait al sinds" in result.output


def test_the_scheduler_refuses_a_schedule_that_is_no_crontab_in_one_dutch_line(demo: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "server", "jobs", "schedule", "--data", str(demo)], cwd=ROOT,
                          env={**os.environ, "WOONTOEZICHT_SCHEDULE_BACKUP": "elke nacht"}, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1].startswith("WOONTOEZICHT_SCHEDULE_BACKUP is geen geldige planning")
    assert "Traceback" not in done.stderr
