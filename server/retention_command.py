"""`woontoezicht retention [--apply]`: the list of what the Selectielijst terms make due, and destroying it."""

from __future__ import annotations

import datetime as dt
import getpass
from pathlib import Path

import click
from flask import current_app
from sqlite_utils import Database

from server.commands import fail, with_db
from server.jobs import TIMEZONE
from server.retention import RetentionError, describe, load_rules, plan, write_csv

CONFIRM_WORD = "vernietigen"


def _actor() -> str:
    """Return who destroys, as the destruction log records it: the login that ran the command."""
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):  # no login name in this environment
        return "cli"


def _date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(f"Geen datum: {value!r} (verwacht JJJJ-MM-DD).", 2)


@click.command("retention")
@click.option("--apply", "apply_", is_flag=True,
              help="Vernietig wat vervallen is, overal (ook op de tablets); zonder deze optie alleen de lijst.")
@click.option("--yes", is_flag=True, help=f"Vraag bij --apply niet om '{CONFIRM_WORD}' te typen.")
@click.option("--date", "on", default=None, metavar="JJJJ-MM-DD",
              help="Toon wat op die datum vervallen is (vooruitkijken); niet samen met --apply.")
@click.option("--csv", "csv_file", default=None, type=click.Path(dir_okay=False, path_type=Path), metavar="BESTAND",
              help="Schrijf de lijst ook als CSV (puntkomma's), zoals de maandelijkse taak voor de archivaris.")
@with_db
def retention_command(db: Database, apply_: bool, yes: bool, on: str | None, csv_file: Path | None) -> None:
    """Toon wat de bewaartermijnen (Selectielijst) laten vervallen; --apply vernietigt het.

    Zonder --apply verandert er niets. Met --apply gaan de zaken en inspecties op de lijst overal weg:
    hun gegevens, geschiedenis, documenten en foto's die niets anders meer noemt, en op de tablets bij
    hun volgende synchronisatie; per onderdeel blijft alleen een regel in het vernietigingslogboek.
    """
    chosen = _date(on)
    if chosen is not None and apply_:
        fail("--date kan niet samen met --apply: vernietigen gebeurt alleen met de termijnen van vandaag.", 2)
    today = chosen or dt.datetime.now(TIMEZONE).date()
    try:
        rules = load_rules(current_app.config.get("RETENTION") or None)
    except RetentionError as err:
        fail(str(err), 1)
    found = plan(db, rules, today)
    for line in describe(found):
        click.echo(line)
    if csv_file is not None:
        write_csv(found, csv_file)
        click.echo(f"Lijst geschreven: {csv_file}", err=True)
    if not apply_:
        if found.due:
            click.echo("Er is niets vernietigd. Vernietigen: woontoezicht retention --apply", err=True)
        return
    if not found.due:
        return
    if not yes:
        answer = click.prompt(f"Dit vernietigt {len(found.due)} onderdelen definitief. Typ '{CONFIRM_WORD}' om door "
                              "te gaan", default="", show_default=False, err=True)
        if answer.strip().lower() != CONFIRM_WORD:
            fail("Niets vernietigd.", 1)
    from server.destruction import destroy
    done = destroy(db, Path(current_app.config["DATA"]), rules, today, _actor())
    count = len(done.plan.due)
    click.echo(f"Vernietigd: {count} {'onderdeel' if count == 1 else 'onderdelen'} (vastgelegd in het "
               f"vernietigingslogboek), {done.files_removed} {'bestand' if done.files_removed == 1 else 'bestanden'} "
               "verwijderd. Tablets verwijderen ze bij hun volgende synchronisatie; reservekopieën van vóór nu "
               f"bevatten ze nog tot ze na {current_app.config['BACKUP_MAX_DAYS']} dagen zijn verwijderd.")
