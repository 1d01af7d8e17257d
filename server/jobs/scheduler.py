"""The scheduler process: APScheduler 3 in Europe/Amsterdam, each job on its schedule, and a tick.

Never started inside the web server (it would run once per worker): `woontoezicht jobs schedule`
runs it in a process of its own, and `woontoezicht demo` starts that process as a child. The tick
(at start, then every SCHEDULER_TICK_SECONDS) runs what `job_runs` says is missing, once, and the
runs the office pages queued; the cron triggers only make a run punctual. Both end in run_job,
which decides again under the job's lock, so a second scheduler, a manual run or a fired trigger
that races the tick never runs a period twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from typing import Any, Callable

from apscheduler.events import EVENT_JOB_ERROR, JobExecutionEvent
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from reports.fmt import tijdstip
from server.db import get_db
from server.jobs import TIMEZONE
from server.jobs.registry import JOBS, JobSpec
from server.jobs.runs import (
    TRIGGERS,
    Clock,
    JobBusy,
    default_period,
    due_period,
    link_queued,
    needs_run,
    new_holder,
    queued,
    real_clock,
    run_job,
    take_queued,
    trigger_of,
    untake_queued,
)

# A weekly job missed for hours (the machine was off) still runs when the process is back; coalesced, once.
MISFIRE_GRACE_SECONDS = 12 * 3600


class Scheduler:
    """One scheduler: its jobs' triggers and the tick, over one data folder."""

    def __init__(self, app: Flask, *, clock: Clock = real_clock, tick_seconds: float | None = None,
                 jobs: dict[str, JobSpec] | None = None, say: Callable[[str], None] | None = None,
                 parent_pid: int | None = None) -> None:
        self.app = app
        self.clock = clock
        self.jobs = jobs if jobs is not None else JOBS
        self.tick_seconds = tick_seconds if tick_seconds is not None else float(app.config["SCHEDULER_TICK_SECONDS"])
        self.holder = new_holder()
        self.say = say or (lambda line: None)
        self.parent_pid = parent_pid
        self.stopped = threading.Event()
        self.tick_count = 0  # ticks completed (how a test knows the scheduler looked again)
        # The dashboard's figures are the real scheduler's work, not that of one running a test's own jobs.
        self.figures = jobs is None
        self._triggers = {name: trigger_of(spec, app.config) for name, spec in self.jobs.items()}  # fails early
        self._scheduler = BackgroundScheduler(timezone=TIMEZONE, job_defaults={
            "coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE_SECONDS})
        self._scheduler.add_listener(self._crashed, EVENT_JOB_ERROR)
        # One run at a time per job in this process; the database lock guards against other processes.
        self._running: set[str] = set()
        self._guard = threading.Lock()

    # --- what runs ---

    def tick(self) -> None:
        """Run what is due and missing, and what the office pages queued; keep the dashboard's figures fresh."""
        for spec in self.jobs.values():
            self.run_if_due(spec)
        self.run_queued()
        if self.figures:
            self._dispatch(self.refresh_figures)
        self.tick_count += 1

    def run_queued(self) -> None:
        """Run the runs the office pages queued, each once (the tick's second half)."""
        with self.app.app_context():
            waiting = queued(get_db())
        for entry in waiting:
            if entry["name"] not in self.jobs:
                continue
            spec = self.jobs[entry["name"]]
            with self.app.app_context():
                if not take_queued(get_db(), entry["id"], self.clock()):
                    continue
            self._dispatch(self._run_queued, spec, entry)

    def refresh_figures(self) -> bool:
        """Compute the dashboard's figures again when they are older than DASHBOARD_FIGURES_MINUTES (one at a time)."""
        from server.dashboard_figures import refresh_if_stale
        with self._guard:
            if "figures" in self._running:
                return False
            self._running.add("figures")
        try:
            with self.app.app_context():
                return refresh_if_stale(get_db(), self.app.config, self.clock())
        finally:
            with self._guard:
                self._running.discard("figures")

    def _run_queued(self, spec: JobSpec, entry: dict[str, Any]) -> None:
        run = self._run(spec, entry["period"] or default_period(spec, self.clock()), "queue",
                        requested_by=entry["requested_by"])
        with self.app.app_context():
            if run is None:  # the job was running (here or elsewhere): the entry waits for a later tick
                untake_queued(get_db(), entry["id"])
            else:
                link_queued(get_db(), entry["id"], run["id"])

    def _dispatch(self, function: Callable[..., Any], *args: Any) -> None:
        """Run a job in the scheduler's thread pool, so the tick stays short (a long backup does not hold up
        the queue or the other jobs); before start() (a test's direct tick) run it here."""
        if not self._scheduler.running:
            function(*args)
            return
        self._scheduler.add_job(function, args=list(args), misfire_grace_time=None)

    def run_if_due(self, spec: JobSpec) -> None:
        """Run the job when its latest scheduled period has no successful run yet (and is not tried too often)."""
        now = self.clock()
        period = due_period(spec, self.app.config, now)
        if period is None:
            return
        with self.app.app_context():
            if not needs_run(get_db(), spec, period, now, self.app.config):
                return
        with self._guard:
            if spec.name in self._running:
                return
        self._dispatch(self._run_scheduled, spec, period)

    def _run_scheduled(self, spec: JobSpec, period: str) -> None:
        self._run(spec, period, "schedule", only_if_needed=True)

    def _run(self, spec: JobSpec, period: str, trigger: str, *, requested_by: str | None = None,
             only_if_needed: bool = False) -> dict[str, Any] | None:
        with self._guard:
            if spec.name in self._running:
                return None
            self._running.add(spec.name)
        try:
            self.say(f"{spec.name} ({period}) gestart, {TRIGGERS[trigger]}.")
            run = run_job(self.app, spec, period, trigger=trigger, clock=self.clock, holder=self.holder,
                          requested_by=requested_by, only_if_needed=only_if_needed)
        except JobBusy as err:
            self.say(str(err))
            return None
        finally:
            with self._guard:
                self._running.discard(spec.name)
        if run is None:
            self.say(f"{spec.name} ({period}): al gedaan; niets te doen.")
        else:
            self.say(f"{spec.name} ({period}) {'gelukt' if run['outcome'] == 'ok' else 'mislukt'}: {run['message']}")
        return run

    def _crashed(self, event: JobExecutionEvent) -> None:
        self.say(f"Fout in de planner bij {event.job_id}: {event.exception!r}")

    # --- the process ---

    def start(self) -> None:
        """Start the triggers and the tick in background threads; the first tick runs at once."""
        for name, spec in self.jobs.items():
            self._scheduler.add_job(self.run_if_due, self._triggers[name], args=[spec], id=name, name=name)
        self._scheduler.add_job(self.tick, IntervalTrigger(seconds=self.tick_seconds, timezone=TIMEZONE),
                                id="tick", name="tick", next_run_time=dt.datetime.now(TIMEZONE))
        self._scheduler.start()

    def next_runs(self) -> dict[str, str]:
        """Return each job's next scheduled moment, in Dutch."""
        return {job.id: tijdstip(job.next_run_time.isoformat()) for job in self._scheduler.get_jobs()
                if job.id != "tick" and job.next_run_time}

    def stop(self, wait: bool = True) -> None:
        """Stop the triggers; with wait, let a running job finish first."""
        self.stopped.set()
        if self._scheduler.running:
            self._scheduler.shutdown(wait=wait)

    def run_forever(self, announce: Callable[[], object] | None = None) -> None:
        """Run until stopped (a signal handler sets `stopped`, or the parent went away); a running job finishes."""
        self.start()
        if announce:
            announce()
        try:
            while not self.stopped.wait(1.0):
                if self.parent_pid is not None and os.getppid() != self.parent_pid:
                    self.say("Het programma dat de planner startte, is gestopt; de planner stopt ook.")
                    break
        finally:
            self.stop()


def quiet_apscheduler() -> None:
    """Keep APScheduler's own English log lines off the admin's screen; our lines say what happened."""
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
