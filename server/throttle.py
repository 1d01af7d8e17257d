"""Slowing down guesses: failed sign-ins, unknown tokens and wrong enrolment codes, counted per key.

A key is a client address ("addr:127.0.0.1"), a user name ("user:teamleider") or an enrolment code
("code:<sha256>"). Each key may fail a number of times freely; once those are used up, each
failure blocks it for a growing delay (1, 2, 4, ... seconds, at most MAX_DELAY). Nothing is ever locked
for good, so nobody can lock out a named team lead by failing on his name; the counters live in
the database, so every process (waitress threads, a second server, the scheduler) sees them. A
burst of failures is written to the audit log once, when it starts being refused, not once per
guess.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlite_utils import Database

from server.db import rows, write
from server.errors import ApiError

WINDOW = dt.timedelta(minutes=15)  # failures older than this are forgotten
MAX_DELAY = dt.timedelta(minutes=15)


class TooManyAttempts(ApiError):
    """Too many failed attempts from this address or for this name or code (429)."""

    status, error = 429, "too_many_attempts"
    message = "Te veel mislukte pogingen; wacht even en probeer het dan opnieuw."

    def __init__(self, retry_after: int) -> None:
        seconds = max(1, retry_after)
        super().__init__(f"Te veel mislukte pogingen; probeer het over {seconds} seconde{'n' if seconds != 1 else ''} "
                         "opnieuw.", retry_after=seconds)
        self.retry_after = seconds


def _now(at: dt.datetime | None) -> dt.datetime:
    return at or dt.datetime.now(dt.UTC)


def _stamp(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def check(db: Database, keys: list[str], at: dt.datetime | None = None) -> None:
    """Raise TooManyAttempts when any key is blocked right now."""
    moment = _now(at)
    marks = ",".join("?" * len(keys))
    found = rows(db, f"SELECT max(blocked_until) AS until FROM auth_failures WHERE key IN ({marks}) "  # noqa: S608
                     "AND blocked_until > ?", [*keys, _stamp(moment)])
    if found and found[0]["until"]:
        wait = dt.datetime.fromisoformat(found[0]["until"]) - moment
        raise TooManyAttempts(int(wait.total_seconds() + 0.999))


def failed(db: Database, keys: dict[str, int], at: dt.datetime | None = None) -> list[str]:
    """Count a failure for each key (key -> failures allowed freely); return the keys a burst just blocked.

    The caller audits the returned keys: a burst is logged once, when it first gets blocked.
    """
    moment = _now(at)
    started_blocking = []
    with write(db):
        for key, free in keys.items():
            found = rows(db, "SELECT * FROM auth_failures WHERE key = ?", [key])
            row: dict[str, Any] | None = found[0] if found else None
            if row is None or dt.datetime.fromisoformat(row["last_at"]) < moment - WINDOW:
                row = {"key": key, "failures": 0, "first_at": _stamp(moment), "blocked_until": None,
                       "logged_at": None}
            row["failures"] += 1
            row["last_at"] = _stamp(moment)
            over = row["failures"] - free
            if over >= 0:  # the free ones are used up: the next attempt waits, longer after each failure
                delay = min(dt.timedelta(seconds=2 ** min(over, 20)), MAX_DELAY)
                row["blocked_until"] = _stamp(moment + delay)
                if row["logged_at"] is None:
                    row["logged_at"] = _stamp(moment)
                    started_blocking.append(key)
            db.execute("INSERT INTO auth_failures (key, failures, first_at, last_at, blocked_until, logged_at) "
                       "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET failures = excluded.failures, "
                       "first_at = excluded.first_at, last_at = excluded.last_at, "
                       "blocked_until = excluded.blocked_until, logged_at = excluded.logged_at",
                       [key, row["failures"], row["first_at"], row["last_at"], row["blocked_until"],
                        row["logged_at"]])
    return started_blocking


def forget(db: Database, key: str) -> None:
    """Forget a key's failures (a user who signed in with the right password)."""
    with write(db):
        db.execute("DELETE FROM auth_failures WHERE key = ?", [key])
