"""The jobs there are: name, Dutch title, period, default schedule and the function that runs it."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from server.jobs import JobContext, Outcome


@dataclass(frozen=True)
class JobSpec:
    """One job: how often it is due, when by default, and where its function lives."""

    name: str
    title: str
    period: str  # week | day | month: a run is recorded, and done once, per period
    schedule: str  # default crontab (minute hour day month weekday), Europe/Amsterdam
    runner: str  # "module:function", imported when the job runs (each module owns its job)
    # The period a run covers relative to the one it is due in: the weekly report, due on Monday,
    # covers the week before (-1).
    covers_offset: int = 0

    @property
    def setting(self) -> str:
        """Return the name of the setting that holds this job's schedule."""
        return "SCHEDULE_" + self.name.upper().replace("-", "_")

    def function(self) -> Callable[[JobContext], Outcome]:
        """Return the function that runs this job."""
        module, name = self.runner.split(":")
        found: Callable[[JobContext], Outcome] = getattr(importlib.import_module(module), name)
        return found

    def schedule_in(self, config: Mapping[str, Any]) -> str:
        """Return this job's schedule from the settings (its default when unset)."""
        return str(config.get(self.setting) or self.schedule)


JOBS: dict[str, JobSpec] = {spec.name: spec for spec in [
    JobSpec("import-bag", "Adressen uit de BAG inlezen", "week", "0 2 * * mon", "server.bag_import:job"),
    JobSpec("import-brp", "Aantallen ingeschrevenen uit de BRP inlezen", "week", "30 2 * * mon",
            "server.brp_import:job"),
    JobSpec("brp-signals", "Terugmeldlijst voor Burgerzaken", "week", "0 3 * * mon", "server.signals:job"),
    JobSpec("deadlines", "Termijnen bewaken", "day", "0 6 * * *", "server.deadlines:job"),
    JobSpec("weekly-report", "Weekrapportage", "week", "0 7 * * mon", "server.weekly:job", covers_offset=-1),
    JobSpec("backup", "Reservekopie", "day", "0 1 * * *", "server.backup:job"),
    JobSpec("retention", "Bewaartermijnen (lijst voor de archivaris)", "month", "0 4 1 * *",
            "server.retention:job"),
]}
