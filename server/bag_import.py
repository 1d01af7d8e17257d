"""import bag: addresses from an NLExtract `adres-full` CSV (DOMAIN.md Address data), all or nothing.

Three steps. Reading: one streaming pass checks every row (server.bag_rows) and stages the good
ones in a scratch file; a file with any bad row is refused whole, every bad row named. Preparing:
each staged row is matched to its stored address (by nummeraanduiding, else an address without
one at the same postcode, number, letter and toevoeging) and the record it becomes is staged,
without holding the write lock. Writing: short transactions store every new and changed record
through the record store (versions, history, the change sequence, the tablets' address register),
all or nothing (server.import_staging); an address changed meanwhile is merged again from its
current version. With `full` (the file is the
complete extract of its municipalities) an address of those municipalities that is not in it is
marked gone (bag_gone_on), never deleted; one that comes back is unmarked.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from marshmallow.utils import missing
from sqlite_utils import Database

from schemas import address_schema, jsontext
from schemas.cli_locale import counted
from server.bag_rows import BAG_COLUMNS, GemeentenError, check_row, gemeenten, label, merged, unchanged
from server.import_csv import CsvFile, FileRefused
from server.import_report import ImportRefused, ImportSetupError, database_file, write_report
from server.import_staging import Staging, finish_pending
from server.jobs import TIMEZONE, JobContext, Outcome, Progress, no_progress

PROGRESS_EVERY = 5000
GONE_LINE = 1 << 40  # prepared lines of addresses gone from the BAG come after every line of the file
# A new address: every field of the schema at its default, then the BAG's fields of its row.
NEW_ADDRESS = {name: None if f.load_default is missing else f.load_default
               for name, f in address_schema.fields.items() if not f.dump_only and name != "id"}
ROWS = ("line INTEGER PRIMARY KEY, bag_id TEXT NOT NULL, postcode TEXT NOT NULL, huisnummer INTEGER NOT NULL, "
        "huisletter TEXT NOT NULL, toevoeging TEXT NOT NULL, gemeentecode TEXT NOT NULL, patch TEXT NOT NULL")
# Each row with the stored address of its nummeraanduiding (a), else one without a nummeraanduiding at the
# same postcode, number, letter and toevoeging (b). Read from the live database without a lock.
MATCH_SQL = """
SELECT r.line, r.patch, a.id, a.version, a.data, b.id, b.version, b.data FROM rows r
LEFT JOIN live.addresses a ON a.bag_id = r.bag_id AND a.deleted = 0
LEFT JOIN live.addresses b ON a.id IS NULL AND b.bag_id IS NULL AND b.deleted = 0 AND b.postcode = r.postcode
     AND b.huisnummer = r.huisnummer AND upper(coalesce(json_extract(b.data, '$.huisletter'), '')) = r.huisletter
     AND upper(coalesce(json_extract(b.data, '$.toevoeging'), '')) = r.toevoeging
ORDER BY r.line"""
# Addresses of the file's municipalities whose nummeraanduiding the file lacks (only with full).
GONE_SQL = """
SELECT a.id, a.version, a.data FROM live.addresses a
WHERE a.deleted = 0 AND a.bag_id IS NOT NULL AND a.bag_gone_on IS NULL
  AND a.gemeentecode IN (SELECT DISTINCT gemeentecode FROM rows)
  AND NOT EXISTS (SELECT 1 FROM rows r WHERE r.bag_id = a.bag_id)
ORDER BY a.id"""


@dataclass
class BagResult:
    """What an import of the BAG did."""

    rows: int = 0
    new: int = 0
    changed: int = 0  # including those back in the BAG
    unchanged: int = 0
    skipped: int = 0  # rows of other municipalities
    gone: int = 0
    back: int = 0
    lock_seconds: float = 0.0  # the longest a write transaction held the lock
    transactions: int = 0
    skipped_by_gemeente: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # an earlier import finished first, and so on

    def counts(self) -> dict[str, int]:
        """Return the counts of a job's outcome."""
        return {"rows": self.rows, "new": self.new, "changed": self.changed, "unchanged": self.unchanged,
                "skipped": self.skipped, "gone": self.gone, "back": self.back,
                "lock_ms": round(self.lock_seconds * 1000)}

    def summary(self) -> str:
        """Return the counts as one Dutch line."""
        text = (f"{counted(self.new, 'nieuw adres', 'nieuwe adressen')}, {self.changed} gewijzigd"
                + (f" (waarvan {self.back} terug in de BAG)" if self.back else "")
                + f", {self.unchanged} ongewijzigd, {self.skipped} overgeslagen (andere gemeente), "
                  f"{self.gone} verdwenen uit de BAG")
        return text


def import_bag(db: Database, path: Path, *, setting: str, moment: dt.datetime, actor: str, full: bool,
               work: Path, progress: Progress = no_progress, report: Path | None = None) -> BagResult:
    """Import an NLExtract adres-full CSV; refuse it whole (ImportRefused) when any row is bad.

    `setting` maps municipality names to gemeentecodes (BAG_GEMEENTEN); `work` is the folder for
    the scratch file; `report`, when given, receives every bad row, or what was marked gone.
    """
    try:
        codes = gemeenten(setting)
    except GemeentenError as err:
        raise ImportSetupError(str(err)) from None
    result = BagResult()
    result.notes = finish_pending(db, "bag", remerge=remerge, progress=progress)
    with Staging(work) as staging:
        staging.table("rows", ROWS)
        try:
            _read(staging, path, codes, result, progress)
        except (FileRefused, ImportRefused) as err:
            refused = err if isinstance(err, ImportRefused) else ImportRefused(f"{err} Niets ingelezen.")
            if report:
                write_report(report, "Woontoezicht: import bag", path, moment, refused.message,
                             [(f"Foute regels ({refused.total}):", (f"Regel {n}: {m}" for n, m in staging.bad_rows()))])
            raise refused from None
        today = moment.astimezone(TIMEZONE).date()
        _prepare(staging, database_file(db), today, full, progress)
        kinds = staging.kinds()
        written = staging.write(db, kind="bag", source=path.name, actor=actor, remerge=remerge, progress=progress)
        result.lock_seconds, result.transactions = written.lock_seconds, written.transactions
        result.new, result.back, result.gone = kinds.get("new", 0), kinds.get("back", 0), kinds.get("gone", 0)
        result.changed = kinds.get("changed", 0) + result.back
        result.unchanged = result.rows - result.skipped - result.new - result.changed
        if report:
            write_report(report, "Woontoezicht: import bag", path, moment,
                         "\n".join([*result.notes, f"Ingelezen: {result.summary()}."]), [
                             (f"Verdwenen uit de BAG, gemarkeerd ({result.gone}):", _labels(staging, "gone")),
                             (f"Terug in de BAG ({result.back}):", _labels(staging, "back")),
                             ("Overgeslagen regels van andere gemeenten:",
                              (f"{name}: {n}" for name, n in sorted(result.skipped_by_gemeente.items())))])
    return result


def _labels(staging: Staging, kind: str) -> Any:
    return (text for (text,) in staging.query("SELECT label FROM prepared WHERE kind = ? ORDER BY line", [kind]))


def _read(staging: Staging, path: Path, codes: dict[str, str], result: BagResult, progress: Progress) -> None:
    """Check every row of the file once, staging the good ones; raise ImportRefused when any is bad."""
    with CsvFile(path) as csv_file:
        csv_file.header(BAG_COLUMNS)
        for line in csv_file:
            result.rows += 1
            if result.rows % PROGRESS_EVERY == 0:
                progress("Controleren", result.rows, None)
            if line.fields is None:
                staging.bad(line.number, line.error or "onleesbaar")
                continue
            patch, errors, other = check_row(line.fields, codes)
            if other is not None:
                result.skipped += 1
                result.skipped_by_gemeente[other] = result.skipped_by_gemeente.get(other, 0) + 1
                continue
            if patch is None:
                staging.bad(line.number, "; ".join(errors))
                continue
            staging.add("rows", (line.number, patch["bag_id"], patch["postcode"], patch["huisnummer"],
                                 patch["huisletter"] or "", patch["toevoeging"] or "", patch["gemeentecode"],
                                 jsontext.dumps(patch)))
    progress("Controleren", result.rows, result.rows)
    if result.rows == 0:
        raise ImportRefused("Regel 2: het bestand bevat alleen de kopregel, geen adressen. Niets ingelezen.")
    staging.flush()
    staging.conn.execute("CREATE INDEX rows_bag ON rows(bag_id)")
    staging.conn.execute("CREATE INDEX rows_key ON rows(postcode, huisnummer)")
    for bag_id, lines in staging.query("SELECT bag_id, group_concat(line) FROM rows GROUP BY bag_id "
                                       "HAVING count(*) > 1"):
        first, *others = sorted(int(n) for n in lines.split(","))
        for number in others:
            staging.bad(number, f"nummeraanduiding {bag_id} staat ook op regel {first}")
    if staging.bad_count:
        raise ImportRefused(f"Niets ingelezen: {counted(staging.bad_count, 'foute regel', 'foute regels')} in "
                            f"{path.name}.", staging.shown_bad(), staging.bad_count)
    good = result.rows - result.skipped
    if good == 0:
        found = ", ".join(f"{name} ({n})" for name, n in sorted(result.skipped_by_gemeente.items())[:5])
        raise ImportRefused(f"Regel 2 en verder: geen enkele regel is van een gemeente uit "
                            f"WOONTOEZICHT_BAG_GEMEENTEN; in het bestand: {found}. Niets ingelezen.")


def _prepare(staging: Staging, database: Path, today: dt.date, full: bool, progress: Progress) -> None:
    """Stage the record each row makes of its stored address (or a new one), and with full the gone marks."""
    staging.attach_live(database)
    try:
        claimed: set[str] = set()  # addresses without a nummeraanduiding matched by postcode and number
        last = None
        done = 0
        ids = _new_ids()
        for line, patch_text, a_id, a_version, a_data, b_id, b_version, b_data in staging.query(MATCH_SQL):
            if line == last:
                continue  # a second stored address with the same nummeraanduiding or number: the first one counts
            last = line
            done += 1
            if done % PROGRESS_EVERY == 0:
                progress("Voorbereiden", done, None)
            patch = jsontext.loads(patch_text)
            if a_id is not None:
                _stage_change(staging, line, a_id, a_version, jsontext.loads(a_data), patch)
            elif b_id is not None and b_id not in claimed:
                claimed.add(b_id)
                _stage_change(staging, line, b_id, b_version, jsontext.loads(b_data), patch)
            else:
                staging.prepare(line, next(ids), 0, merged(NEW_ADDRESS, patch), "new", patch)
        if full:
            gone = {"bag_gone_on": today.isoformat()}
            for i, (record_id, version, data) in enumerate(staging.query(GONE_SQL)):
                current = jsontext.loads(data)
                staging.prepare(GONE_LINE + i, record_id, version, {**current, **gone}, "gone", gone,
                                f"{label(current)} ({current['bag_id']})")
    finally:
        staging.detach_live()


def _new_ids() -> Iterator[str]:
    """Yield ids for new addresses: random UUIDs (version 4) that rise, so a large import appends to the indexes."""
    high, low = uuid.uuid4().int >> 64 << 64, uuid.uuid4().int >> 96 << 32
    for n in itertools.count():
        yield str(uuid.UUID(int=high | low | n, version=4))


def _stage_change(staging: Staging, line: int, record_id: str, version: int, current: dict[str, Any],
                  patch: dict[str, Any]) -> None:
    record = merged(current, patch)
    if unchanged(current, record):
        return
    kind = "back" if current.get("bag_gone_on") else "changed"
    staging.prepare(line, record_id, version, record, kind, patch,
                    f"{label(record)} ({record['bag_id']})" if kind == "back" else None)


def remerge(current: dict[str, Any], patch: dict[str, Any], kind: str) -> dict[str, Any] | None:
    """Return what a prepared record becomes on an address that changed meanwhile, or None when nothing changes."""
    if kind == "gone":
        return None if current.get("bag_gone_on") else {**current, **patch}
    record = merged(current, patch)
    return None if unchanged(current, record) else record


def job(ctx: JobContext) -> Outcome:
    """Import the newest CSV in DATA/inbox/bag/ (scheduled job import-bag)."""
    from server.inbox import run_inbox

    full = bool(ctx.config.get("BAG_INBOX_FULL", True))

    def run(path: Path, report: Path) -> tuple[str, dict[str, int]]:
        result = import_bag(ctx.db, path, setting=str(ctx.config.get("BAG_GEMEENTEN") or ""), moment=ctx.now,
                            actor=ctx.actor, full=full, work=ctx.data / "tmp", progress=ctx.progress, report=report)
        return f"Adressen uit {path.name} ingelezen: {result.summary()}.", result.counts()

    return run_inbox(ctx, "bag", run)
