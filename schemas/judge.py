"""Judge an inspection: pick the norm set in force and evaluate."""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterable
from zoneinfo import ZoneInfo

from schemas.norm_engine import Evaluation, evaluate
from schemas.norm_set import select_norm_set

# Inspections happen in the Netherlands: the inspection date is the local date.
LOCAL_ZONE = ZoneInfo("Europe/Amsterdam")


def inspection_date(inspection: dict[str, Any]) -> dt.date:
    """Return the inspection date: the Dutch calendar date of started_at."""
    started = inspection["started_at"]
    if isinstance(started, str):
        started = dt.datetime.fromisoformat(started)
    if started.tzinfo is None:
        started = started.replace(tzinfo=dt.UTC)
    return started.astimezone(LOCAL_ZONE).date()


def judge(inspection: dict[str, Any], address: dict[str, Any], norm_sets: Iterable[dict[str, Any]],
          on: dt.date | None = None) -> tuple[dict[str, Any], Evaluation]:
    """Return the norm set in force on the inspection date and the evaluation against it."""
    norm_set = select_norm_set(norm_sets, address["gemeentecode"], on or inspection_date(inspection))
    return norm_set, evaluate(inspection, address, norm_set)
