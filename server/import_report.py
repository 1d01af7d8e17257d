"""What an import answers when it refuses a file, and the report file it writes (Dutch, every row named)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from sqlite_utils import Database

from server.jobs import TIMEZONE


class ImportProblem(Exception):
    """Base of the imports' errors."""


class ImportRefused(ImportProblem):
    """The file is not one to import (bad rows, wrong columns, ...): nothing was stored."""

    def __init__(self, message: str, shown: Sequence[tuple[int, str]] = (), total: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.shown = list(shown)
        self.total = total


class PersonalData(ImportRefused):
    """The file holds personal data (names, BSNs): refused unread, and never kept."""


class ImportSetupError(ImportProblem):
    """The import cannot run as configured (a setting): not the file's fault."""


def bad_lines(shown: Sequence[tuple[int, str]], total: int, report: Path | None) -> list[str]:
    """Return the bad rows to print: the first few, then how many more and where all of them are."""
    lines = [f"Regel {line}: {message}" for line, message in shown]
    if total > len(shown):
        rest = total - len(shown)
        lines.append(f"... en nog {rest} {'foute regel' if rest == 1 else 'foute regels'}"
                     + (f"; alle staan in {report}" if report else "") + ".")
    elif report and shown:
        lines.append(f"Alle foute regels staan ook in {report}.")
    return lines


def write_report(path: Path, title: str, source: Path, moment: dt.datetime, outcome: str,
                 sections: Iterable[tuple[str, Iterable[str]]]) -> None:
    """Write a report: what was read, when, the outcome, then each section's heading and lines (streamed)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    # Its reader's only, as everything in the data folder (a BRP report holds counts per address).
    with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as out:
        local = moment.astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M")
        out.write(f"{title}\nBestand: {source.name}\nTijdstip: {local}\n\n{outcome}\n")
        for heading, lines in sections:
            first = True
            for line in lines:
                if first:
                    out.write(f"\n{heading}\n")
                    first = False
                out.write(f"{line}\n")
    os.replace(temporary, path)


def database_file(db: Database) -> Path:
    """Return the file of a connection's main database."""
    for _, name, file in db.execute("PRAGMA database_list").fetchall():
        if name == "main":
            return Path(file)
    raise ImportSetupError("Geen database-bestand gevonden.")
