"""The import jobs' inboxes: DATA/inbox/bag/ and inbox/brp/, each file read once and then put away.

The newest CSV of the inbox is imported; afterwards it moves to done/ (imported) or failed/
(refused, nothing stored) inside the inbox, with its report beside it (the same name plus
`.rapport.txt`). Once the newest is imported, older CSVs still waiting are out of date: they move to
done/ too, with a report saying so, and are never read. A file with personal data (the BRP import
refuses names and BSNs) is removed, not kept. An empty inbox is nothing to do, not a failure.
Only `*.csv` files count, so a file still being copied in under another name is left alone.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

from server.import_report import ImportRefused, ImportSetupError, PersonalData, write_report
from server.jobs import JobContext, JobFailed, Outcome

REPORT_SUFFIX = ".rapport.txt"


def waiting(inbox: Path) -> list[Path]:
    """Return the CSV files waiting in an inbox, oldest first (by modification time, then name)."""
    if not inbox.is_dir():
        return []
    found = [p for p in inbox.iterdir() if p.is_file() and p.suffix.lower() == ".csv" and not p.name.startswith(".")]
    return sorted(found, key=lambda p: (p.stat().st_mtime, p.name))


def _free_name(folder: Path, name: str, moment: dt.datetime) -> Path:
    """Return folder/name, or with the moment in it when a file of that name was put away before."""
    target = folder / name
    if not target.exists() and not (folder / (name + REPORT_SUFFIX)).exists():
        return target
    stem, suffix = os.path.splitext(name)
    return folder / f"{stem}-{moment.strftime('%Y%m%d-%H%M%S')}{suffix}"


def _put_away(source: Path, folder: Path, report: Path | None, moment: dt.datetime) -> tuple[Path, Path | None]:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = _free_name(folder, source.name, moment)
    os.replace(source, target)
    kept = None
    if report is not None and report.exists():
        kept = target.with_name(target.name + REPORT_SUFFIX)
        os.replace(report, kept)
    return target, kept


def run_inbox(ctx: JobContext, kind: str, run: Callable[[Path, Path], tuple[str, dict[str, int]]]) -> Outcome:
    """Import the newest CSV of DATA/inbox/<kind>/ with run(file, report) -> (message, counts), then put it away."""
    inbox = ctx.data / "inbox" / kind
    files = waiting(inbox)
    if not files:
        return Outcome(f"Niets te doen: geen CSV-bestand in inbox/{kind}/.")
    newest, older = files[-1], files[:-1]
    scratch = ctx.data / "tmp"
    scratch.mkdir(mode=0o700, parents=True, exist_ok=True)
    report = scratch / f"{newest.name}{REPORT_SUFFIX}"

    def rel(path: Path | None) -> str | None:
        return None if path is None else path.relative_to(ctx.data).as_posix()

    try:
        message, counts = run(newest, report)
    except ImportSetupError as err:
        report.unlink(missing_ok=True)
        raise JobFailed(f"{newest.name} niet ingelezen: {err}") from None  # the file waits for the next run
    except PersonalData as err:
        newest.unlink()  # only counts may enter the product: a file with names or BSNs is not kept
        kept = inbox / "failed" / f"{newest.name}{REPORT_SUFFIX}"
        write_report(kept, f"Woontoezicht: import {kind}", newest, ctx.now,
                     f"Niets ingelezen en het bestand is verwijderd. {err.message}", [])
        raise JobFailed(f"{newest.name} niet ingelezen en verwijderd: {err.message}", report=rel(kept)) from None
    except ImportRefused as err:
        if not report.exists():
            write_report(report, f"Woontoezicht: import {kind}", newest, ctx.now, err.message,
                         [("Foute regels:", (f"Regel {n}: {m}" for n, m in err.shown))])
        _, failed_report = _put_away(newest, inbox / "failed", report, ctx.now)
        raise JobFailed(f"{newest.name} niet ingelezen: {err.message}", counts={"bad_rows": err.total},
                        report=rel(failed_report)) from None
    target, kept_report = _put_away(newest, inbox / "done", report, ctx.now)
    files_written = [rel(target), rel(kept_report)]
    for old in older:
        note = scratch / f"{old.name}{REPORT_SUFFIX}"
        write_report(note, f"Woontoezicht: import {kind}", old, ctx.now,
                     f"Niet ingelezen: het nieuwere bestand {newest.name} is ingelezen.", [])
        old_target, old_kept = _put_away(old, inbox / "done", note, ctx.now)
        files_written += [rel(old_target), rel(old_kept)]
    if older:
        message += f" {len(older)} ouder{' bestand' if len(older) == 1 else 'e bestanden'} niet ingelezen."
    return Outcome(message, counts, [f for f in files_written if f], rel(kept_report))
