"""`woontoezicht import bag` and `import brp`: parse, call server.bag_import / server.brp_import, answer."""

from __future__ import annotations

import datetime as dt
import sqlite3
import sys
import time
from pathlib import Path
from typing import NoReturn

import click
from flask import current_app
from sqlite_utils import Database

from server.commands import fail, with_db
from server.import_report import ImportRefused, ImportSetupError, PersonalData, bad_lines
from server.jobs import TIMEZONE

FILE = click.Path(exists=True, dir_okay=False, readable=True, path_type=Path)


class Progress:
    """A live line on standard error while reading and writing, on a terminal only (never in a pipe)."""

    def __init__(self) -> None:
        self.live = sys.stderr.isatty()
        self._last = 0.0
        self._shown = False

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        if not self.live or (now - self._last < 0.2 and done != total):
            return
        self._last = now
        text = f"{stage}: {done:,}".replace(",", ".") + (f" van {total:,}".replace(",", ".") if total else "")
        click.echo(f"\r{text:<50}", err=True, nl=False)
        self._shown = True

    def end(self) -> None:
        """End the live line."""
        if self._shown:
            click.echo("", err=True)
            self._shown = False


def _report_path(kind: str, moment: dt.datetime) -> Path:
    """Return where this run's report goes: DATA/reports/imports/import-<kind>-<moment>.rapport.txt."""
    folder = Path(current_app.config["DATA"]) / "reports" / "imports"
    return folder / f"import-{kind}-{moment.strftime('%Y%m%d-%H%M%S')}.rapport.txt"


def _refused(err: ImportRefused, report: Path | None) -> NoReturn:
    for line in bad_lines(err.shown, err.total, report if report and report.exists() else None):
        click.echo(line, err=True)
    fail(err.message, 2)


def _interrupted(err: sqlite3.OperationalError) -> NoReturn:
    fail(f"De import is onderbroken ({err}); niets is half ingelezen: wat al in delen geschreven was, maakt de "
         "volgende import af. Probeer het later opnieuw.", 1)


@click.group("import")
def import_group() -> None:
    """Adressen uit de BAG en aantallen ingeschrevenen uit de BRP inlezen."""


@import_group.command("bag")
@click.argument("file", type=FILE, metavar="BESTAND.csv")
@click.option("--full", is_flag=True, help="Het bestand is het volledige uittreksel van zijn gemeenten: adressen die "
                                           "er niet meer in staan, worden gemarkeerd als verdwenen uit de BAG.")
@with_db
def import_bag_command(db: Database, file: Path, full: bool) -> None:
    """Lees adressen uit een NLExtract-CSV (adres-full, ;-gescheiden); alles of niets.

    Uitkomst 0: ingelezen; 2: het bestand heeft foute regels (niets ingelezen, elke foute regel in het rapport);
    1: de instellingen kloppen niet.
    """
    from server.bag_import import import_bag
    moment = dt.datetime.now(TIMEZONE)
    report = _report_path("bag", moment)
    progress = Progress()
    try:
        result = import_bag(db, file, setting=current_app.config["BAG_GEMEENTEN"], moment=moment, actor="import:bag",
                            full=full, work=Path(current_app.config["DATA"]) / "tmp", progress=progress,
                            report=report)
    except ImportSetupError as err:
        progress.end()
        fail(str(err), 1)
    except ImportRefused as err:
        progress.end()
        _refused(err, report)
    except sqlite3.OperationalError as err:
        progress.end()
        _interrupted(err)
    progress.end()
    for note in result.notes:
        click.echo(note, err=True)
    click.echo(f"Nieuw: {result.new}, gewijzigd: {result.changed}, ongewijzigd: {result.unchanged}, "
               f"overgeslagen (andere gemeente): {result.skipped}, verdwenen uit de BAG: {result.gone}"
               + (f", terug in de BAG: {result.back}" if result.back else "") + ".")
    click.echo(f"Rapport: {report}", err=True)


@import_group.command("brp")
@click.argument("file", type=FILE, metavar="BESTAND.csv")
@click.option("--full", is_flag=True, help="Het bestand is een volledige selectie van de gemeente: adressen die er "
                                           "niet in staan, krijgen 0 ingeschrevenen.")
@click.option("--peildatum", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, metavar="JJJJ-MM-DD",
              help="De datum van de selectie; een kolom peildatum in het bestand gaat voor.")
@with_db
def import_brp_command(db: Database, file: Path, full: bool, peildatum: dt.datetime | None) -> None:
    """Lees het aantal ingeschrevenen per adres uit een CSV (alleen aantallen, nooit namen of BSN's).

    Kopregel nummeraanduiding;aantal of postcode;huisnummer;huisletter;toevoeging;aantal, met eventueel peildatum.
    Uitkomst 0: ingelezen; 2: het bestand heeft foute regels of persoonsgegevens (niets ingelezen).
    """
    from server.brp_import import import_brp
    moment = dt.datetime.now(TIMEZONE)
    report = _report_path("brp", moment)
    progress = Progress()
    try:
        result = import_brp(db, file, moment=moment, actor="import:brp", full=full,
                            peildatum=peildatum.date() if peildatum else None,
                            work=Path(current_app.config["DATA"]) / "tmp", progress=progress, report=report)
    except PersonalData as err:
        progress.end()
        fail(err.message, 2)
    except ImportRefused as err:
        progress.end()
        _refused(err, report)
    except sqlite3.OperationalError as err:
        progress.end()
        _interrupted(err)
    progress.end()
    for note in result.notes:
        click.echo(note, err=True)
    for line, text in result.shown_unmatched:
        click.echo(f"Regel {line}: {text}", err=True)
    if result.unmatched > len(result.shown_unmatched):
        click.echo(f"... en nog {result.unmatched - len(result.shown_unmatched)} regels zonder bekend adres; alle "
                   f"staan in {report}.", err=True)
    click.echo(f"Peildatum {result.peildatum}. Gewijzigd: {result.changed}, ongewijzigd: {result.unchanged}, "
               f"zonder bekend adres: {result.unmatched}"
               + (f", ouder dan de bekende peildatum: {result.older}" if result.older else "")
               + (f", op 0 gezet: {result.zeroed}" if full else "") + ".")
    click.echo(f"Rapport: {report}", err=True)
