"""import brp: how many people the BRP registers per address (DESIGN.md commands), all or nothing.

A file has a header `nummeraanduiding;aantal` or `postcode;huisnummer;huisletter;toevoeging;aantal`
and optionally `peildatum` (the selection's date per row; otherwise --peildatum gives it). Only
counts ever enter the product: a file with a column such as bsn, naam or nationaliteit is refused
before a single row is read. Every row is checked in one streaming pass (a bad row refuses the
whole file), matched to its address by nummeraanduiding or by postcode and number, and each
address's brp_registered and brp_peildatum are stored in short transactions, all or nothing, as import bag
does (server.import_staging). Rows that match no address are listed, not stored. With full (a
complete selection of the municipality) every other address of the municipalities the file
matched gets 0. A count older than the one an address has (an earlier peildatum) is not applied.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from schemas import jsontext
from schemas.address import HUISLETTER_RE, TOEVOEGING_RE, normalise_postcode, postcode_error
from schemas.cli_locale import counted
from server.bag_rows import bag_id, label
from server.import_csv import Columns, CsvFile, FileRefused
from server.import_report import ImportRefused, PersonalData, database_file, write_report
from server.import_staging import SHOWN, Staging, finish_pending
from server.jobs import TIMEZONE, JobContext, Outcome, Progress, no_progress

PROGRESS_EVERY = 5000
ZERO_LINE = 1 << 40  # prepared lines of addresses --full sets to 0 come after every line of the file
MAX_COUNT = 10000  # the address schema's limit
BY_ID = ("nummeraanduiding", "aantal")
BY_NUMBER = ("postcode", "huisnummer", "huisletter", "toevoeging", "aantal")
LAYOUTS = "nummeraanduiding;aantal of postcode;huisnummer;huisletter;toevoeging;aantal (met eventueel ;peildatum)"
# Column names (or words in them) that hold data about persons: such a file is refused unread.
PERSONAL = frozenset({"bsn", "burgerservicenummer", "anummer", "a-nummer", "administratienummer", "naam", "namen",
                      "voornaam", "voornamen", "achternaam", "geslachtsnaam", "voorvoegsel", "tussenvoegsel",
                      "voorletters", "nationaliteit", "nationaliteiten", "geboortedatum", "geboorteplaats",
                      "geboorteland", "geslacht", "geslachtsaanduiding", "persoon", "personen", "bewoner",
                      "bewoners", "burger"})
_WORD = re.compile(r"[^a-z0-9]+")
_DIGITS = re.compile(r"^[0-9]+$")
ROWS = ("line INTEGER PRIMARY KEY, bag_id TEXT NOT NULL, postcode TEXT NOT NULL, huisnummer INTEGER NOT NULL, "
        "huisletter TEXT NOT NULL, toevoeging TEXT NOT NULL, aantal INTEGER NOT NULL, peildatum TEXT NOT NULL")
MATCH_BY_ID = """SELECT r.line, r.aantal, r.peildatum, a.id, a.version, a.data, a.gemeentecode FROM rows r
LEFT JOIN live.addresses a ON a.bag_id = r.bag_id AND a.deleted = 0 ORDER BY r.line"""
MATCH_BY_NUMBER = """SELECT r.line, r.aantal, r.peildatum, a.id, a.version, a.data, a.gemeentecode FROM rows r
LEFT JOIN live.addresses a ON a.deleted = 0 AND a.postcode = r.postcode AND a.huisnummer = r.huisnummer
     AND upper(coalesce(json_extract(a.data, '$.huisletter'), '')) = r.huisletter
     AND upper(coalesce(json_extract(a.data, '$.toevoeging'), '')) = r.toevoeging
ORDER BY r.line, a.bag_id IS NULL, a.id"""
# With full: the other addresses of the municipalities the file matched.
OTHERS_SQL = """SELECT a.id, a.version, a.data FROM live.addresses a
WHERE a.deleted = 0 AND a.gemeentecode IN (SELECT DISTINCT gemeentecode FROM matched)
  AND a.id NOT IN (SELECT id FROM matched) ORDER BY a.id"""


@dataclass
class BrpResult:
    """What an import of BRP counts did."""

    rows: int = 0
    changed: int = 0
    unchanged: int = 0
    unmatched: int = 0
    older: int = 0  # rows whose peildatum is before the address's own
    zeroed: int = 0  # addresses not in a full file, set to 0
    lock_seconds: float = 0.0  # the longest a write transaction held the lock
    transactions: int = 0
    notes: list[str] = field(default_factory=list)  # an earlier import finished first, and so on
    peildatum: str = ""  # the selection's (latest) peildatum: what full sets the other addresses to 0 at
    shown_unmatched: list[tuple[int, str]] = field(default_factory=list)  # the first few, for the screen

    def counts(self) -> dict[str, int]:
        """Return the counts of a job's outcome."""
        return {"rows": self.rows, "changed": self.changed, "unchanged": self.unchanged, "unmatched": self.unmatched,
                "older": self.older, "zeroed": self.zeroed, "lock_ms": round(self.lock_seconds * 1000)}

    def summary(self) -> str:
        """Return the counts as one Dutch line."""
        text = (f"{self.changed} gewijzigd, {self.unchanged} ongewijzigd, {self.unmatched} zonder bekend adres")
        if self.older:
            text += f", {self.older} ouder dan de bekende peildatum (niet gebruikt)"
        if self.zeroed:
            text += f", {counted(self.zeroed, 'ander adres', 'andere adressen')} op 0 gezet"
        return text


def personal_columns(names: list[str]) -> list[str]:
    """Return the header's columns that name data about persons."""
    return [name for name in names if name in PERSONAL or any(w in PERSONAL for w in _WORD.split(name) if w)]


def parse_peildatum(raw: str) -> dt.date | None:
    """Return a peildatum written JJJJ-MM-DD or JJJJMMDD (as the BRP writes dates), else None."""
    text = raw.strip()
    try:
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            return dt.date.fromisoformat(text)
        if re.fullmatch(r"[0-9]{8}", text):
            return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None
    return None


def date_in_name(path: Path) -> dt.date | None:
    """Return the date a file's name gives (brp-2026-03-02.csv, brp_20260302.csv): the inbox's peildatum."""
    found = re.search(r"(?<![0-9])([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{8})(?![0-9])", path.stem)
    return parse_peildatum(found[1]) if found else None


def _layout(names: list[str], peildatum: dt.date | None) -> tuple[str, ...]:
    personal = personal_columns(names)
    if personal:
        raise PersonalData(f"Regel 1: het bestand bevat persoonsgegevens ({', '.join(personal)}). Woontoezicht leest "
                           f"alleen aantallen per adres: maak een selectie met alleen de kolommen {LAYOUTS}. "
                           "Niets ingelezen.")
    layout = BY_ID if "nummeraanduiding" in names else BY_NUMBER
    missing = [c for c in layout if c not in names]
    unknown = [c for c in names if c not in layout and c != "peildatum"]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"{'kolom' if len(missing) == 1 else 'kolommen'} {', '.join(missing)} "
                         f"{'ontbreekt' if len(missing) == 1 else 'ontbreken'}")
        if unknown:
            parts.append(f"onbekende {'kolom' if len(unknown) == 1 else 'kolommen'} {', '.join(unknown)}")
        raise ImportRefused(f"Regel 1: {'; '.join(parts)}. Verwacht: {LAYOUTS}. Niets ingelezen.")
    if "peildatum" not in names and peildatum is None:
        raise ImportRefused("Regel 1: het bestand heeft geen kolom peildatum; geef de peildatum van de selectie met "
                            "--peildatum JJJJ-MM-DD (of, in de inbox, in de bestandsnaam). Niets ingelezen.")
    return layout


def check_row(fields: dict[str, str], layout: tuple[str, ...], peildatum: dt.date | None,
              today: dt.date) -> tuple[tuple[Any, ...] | None, list[str]]:
    """Return the staged row (bag_id, postcode, huisnummer, letter, toevoeging, aantal, peildatum), or the errors."""
    errors: list[str] = []
    number_id, postcode, huisnummer, letter, toevoeging = "", "", 0, "", ""
    if layout is BY_ID:
        padded, why = bag_id(fields["nummeraanduiding"], "nummeraanduiding")
        if why:
            errors.append(f"nummeraanduiding {why}")
        number_id = padded or ""
    else:
        postcode = normalise_postcode(fields["postcode"])
        bad = postcode_error(postcode) if postcode else "Postcode ontbreekt."
        if bad:
            errors.append(f"postcode {fields['postcode']!r}: {bad}")
        if _DIGITS.match(fields["huisnummer"]) and 1 <= int(fields["huisnummer"]) <= 99999:
            huisnummer = int(fields["huisnummer"])
        else:
            errors.append(f"huisnummer {fields['huisnummer']!r} is geen getal van 1 tot 99999")
        letter, toevoeging = fields["huisletter"].upper(), fields["toevoeging"].upper()
        if letter and not HUISLETTER_RE.match(letter):
            errors.append(f"huisletter {fields['huisletter']!r} is geen enkele letter")
        if toevoeging and not TOEVOEGING_RE.match(toevoeging):
            errors.append(f"toevoeging {fields['toevoeging']!r} is geen 1 tot 4 letters of cijfers")
    raw = fields["aantal"]
    aantal = int(raw) if _DIGITS.match(raw) and int(raw) <= MAX_COUNT else None
    if aantal is None:
        errors.append(f"aantal {raw!r} is geen geheel getal van 0 tot {MAX_COUNT}")
    day = peildatum
    if fields.get("peildatum"):
        day = parse_peildatum(fields["peildatum"])
        if day is None:
            errors.append(f"peildatum {fields['peildatum']!r} is geen datum (JJJJ-MM-DD)")
    elif day is None:
        errors.append("peildatum ontbreekt (vul de kolom of geef --peildatum)")
    if day is not None and day > today:
        errors.append(f"peildatum {day.isoformat()} ligt in de toekomst")
    if errors:
        return None, errors
    assert day is not None and aantal is not None
    return (number_id, postcode, huisnummer, letter, toevoeging, aantal, day.isoformat()), []


def import_brp(db: Database, path: Path, *, moment: dt.datetime, actor: str, full: bool,
               peildatum: dt.date | None, work: Path, progress: Progress = no_progress,
               report: Path | None = None) -> BrpResult:
    """Import per-address BRP counts; refuse the file whole (ImportRefused) when any row is bad."""
    today = moment.astimezone(TIMEZONE).date()
    if peildatum is not None and peildatum > today:
        raise ImportRefused(f"--peildatum {peildatum.isoformat()} ligt in de toekomst. Niets ingelezen.")
    result = BrpResult()
    result.notes = finish_pending(db, "brp", remerge=remerge, progress=progress)
    with Staging(work) as staging:
        staging.table("rows", ROWS)
        staging.table("unmatched", "line INTEGER PRIMARY KEY, text TEXT NOT NULL")
        staging.table("matched", "line INTEGER PRIMARY KEY, id TEXT NOT NULL, gemeentecode TEXT")
        try:
            layout = _read(staging, path, peildatum, today, result, progress)
        except (FileRefused, ImportRefused) as err:
            refused = err if isinstance(err, ImportRefused) else ImportRefused(f"{err} Niets ingelezen.")
            if report and not isinstance(refused, PersonalData):
                write_report(report, "Woontoezicht: import brp", path, moment, refused.message,
                             [(f"Foute regels ({refused.total}):", (f"Regel {n}: {m}" for n, m in staging.bad_rows()))])
            raise refused from None
        for (latest,) in staging.query("SELECT max(peildatum) FROM rows"):
            result.peildatum = latest
        _prepare(staging, database_file(db), layout, full, result, progress)
        kinds = staging.kinds()
        written = staging.write(db, kind="brp", source=path.name, actor=actor, remerge=remerge, progress=progress)
        result.lock_seconds, result.transactions = written.lock_seconds, written.transactions
        result.changed, result.zeroed = kinds.get("changed", 0), kinds.get("zeroed", 0)
        result.unchanged = result.rows - result.unmatched - result.older - result.changed
        if report:
            write_report(report, "Woontoezicht: import brp", path, moment,
                         "\n".join([*result.notes, f"Ingelezen (peildatum {result.peildatum}): {result.summary()}."]), [
                             (f"Regels zonder bekend adres ({result.unmatched}):",
                              (f"Regel {n}: {t}" for n, t in staging.query("SELECT line, text FROM unmatched "
                                                                          "ORDER BY line"))),
                             (f"Op 0 gezet, niet in de volledige selectie ({result.zeroed}):",
                              (t for (t,) in staging.query("SELECT label FROM prepared WHERE kind = 'zeroed' "
                                                           "ORDER BY line")))])
        result.shown_unmatched = [(int(n), str(t)) for n, t in staging.query(
            "SELECT line, text FROM unmatched ORDER BY line LIMIT ?", [SHOWN])]
    return result


def _read(staging: Staging, path: Path, peildatum: dt.date | None, today: dt.date, result: BrpResult,
          progress: Progress) -> tuple[str, ...]:
    with CsvFile(path) as csv_file:
        layout = _layout(csv_file.header(Columns(required=())), peildatum)
        for line in csv_file:
            result.rows += 1
            if result.rows % PROGRESS_EVERY == 0:
                progress("Controleren", result.rows, None)
            if line.fields is None:
                staging.bad(line.number, line.error or "onleesbaar")
                continue
            row, errors = check_row(line.fields, layout, peildatum, today)
            if row is None:
                staging.bad(line.number, "; ".join(errors))
            else:
                staging.add("rows", (line.number, *row))
    progress("Controleren", result.rows, result.rows)
    if result.rows == 0:
        raise ImportRefused("Regel 2: het bestand bevat alleen de kopregel, geen aantallen. Niets ingelezen.")
    key = "bag_id" if layout is BY_ID else "postcode, huisnummer, huisletter, toevoeging"
    staging.flush()
    staging.conn.execute(f"CREATE INDEX rows_key ON rows({key})")
    for lines, in staging.query(f"SELECT group_concat(line) FROM rows GROUP BY {key} HAVING count(*) > 1"):  # noqa: S608
        first, *others = sorted(int(n) for n in lines.split(","))
        for number in others:
            staging.bad(number, f"hetzelfde adres staat ook op regel {first}")
    if staging.bad_count:
        raise ImportRefused(f"Niets ingelezen: {counted(staging.bad_count, 'foute regel', 'foute regels')} in "
                            f"{path.name}.", staging.shown_bad(), staging.bad_count)
    return layout


def _patched(current: dict[str, Any], patch: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """Return the address with a count and peildatum applied and the kind, or None and why nothing changes."""
    if (current.get("brp_peildatum") or "") > patch["brp_peildatum"]:
        return None, "older"
    if all(current.get(k) == v for k, v in patch.items()):
        return None, "unchanged"
    return {**current, **patch}, "changed"


def _prepare(staging: Staging, database: Path, layout: tuple[str, ...], full: bool, result: BrpResult,
             progress: Progress) -> None:
    staging.attach_live(database)
    try:
        last, done = None, 0
        for line, aantal, peildatum, record_id, version, data, gemeentecode in staging.query(
                MATCH_BY_ID if layout is BY_ID else MATCH_BY_NUMBER):
            if line == last:
                continue  # more than one stored address answers the row: the one with a nummeraanduiding counts
            last, done = line, done + 1
            if done % PROGRESS_EVERY == 0:
                progress("Voorbereiden", done, None)
            if record_id is None:
                result.unmatched += 1
                staging.add("unmatched", (line, _row_text(staging, line, layout)))
                continue
            staging.add("matched", (line, record_id, gemeentecode))
            patch = {"brp_registered": aantal, "brp_peildatum": peildatum}
            current = jsontext.loads(data)
            record, kind = _patched(current, patch)
            if kind == "older":
                result.older += 1
            if record is not None:
                staging.prepare(line, record_id, version, record, kind, patch)
        if full:
            staging.flush()
            zero = {"brp_registered": 0, "brp_peildatum": result.peildatum}
            for i, (record_id, version, data) in enumerate(staging.query(OTHERS_SQL)):
                current = jsontext.loads(data)
                record, _ = _patched(current, zero)
                if record is not None:
                    staging.prepare(ZERO_LINE + i, record_id, version, record, "zeroed", zero,
                                    f"{label(current)} ({current.get('bag_id') or 'geen BAG-id'}): was "
                                    f"{current.get('brp_registered')}")
    finally:
        staging.detach_live()


def _row_text(staging: Staging, line: int, layout: tuple[str, ...]) -> str:
    """Return what a row names, to list it as unmatched."""
    for bag, postcode, huisnummer, letter, toevoeging in staging.query(
            "SELECT bag_id, postcode, huisnummer, huisletter, toevoeging FROM rows WHERE line = ?", [line]):
        if layout is BY_ID:
            return f"geen adres met nummeraanduiding {bag}"
        number = f"{huisnummer}{letter}" + (f"-{toevoeging}" if toevoeging else "")
        return f"geen adres {postcode} {number}"
    return "geen adres"


def remerge(current: dict[str, Any], patch: dict[str, Any], kind: str) -> dict[str, Any] | None:
    """Return what a prepared count makes of an address that changed meanwhile, or None when nothing changes."""
    return _patched(current, patch)[0]


def job(ctx: JobContext) -> Outcome:
    """Import the newest CSV in DATA/inbox/brp/ (scheduled job import-brp)."""
    from server.inbox import run_inbox

    full = bool(ctx.config.get("BRP_INBOX_FULL", False))

    def run(path: Path, report: Path) -> tuple[str, dict[str, int]]:
        result = import_brp(ctx.db, path, moment=ctx.now, actor=ctx.actor, full=full, peildatum=date_in_name(path),
                            work=ctx.data / "tmp", progress=ctx.progress, report=report)
        return (f"BRP-aantallen uit {path.name} ingelezen (peildatum {result.peildatum}): {result.summary()}.",
                result.counts())

    return run_inbox(ctx, "brp", run)
