"""`woontoezicht backup create` and `backup restore`: the commands over server.backup."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from flask import current_app
from sqlite_utils import Database

from server.backup import (
    BackupError,
    backup_folder,
    check_rotation,
    create,
    megabytes,
    restore,
    shortest_term_years,
)
from server.commands import data_option, fail, with_db
from server.jobs import TIMEZONE


@click.group("backup")
def backup_group() -> None:
    """Reservekopieën maken en terugzetten."""


@backup_group.command("create")
@click.option("--to", "to", default=None, type=click.Path(file_okay=False, path_type=Path), metavar="MAP",
              help="Map voor de reservekopie (standaard DATA/backups); daar wordt ook geroteerd.")
@with_db
def backup_create_command(db: Database, to: Path | None) -> None:
    """Maak een reservekopie: database (consistent, terwijl de server doorwerkt), foto's, documenten, manifest.

    Op standaarduitvoer komt alleen het pad van het archief. Daarna blijven in die map de nieuwste
    WOONTOEZICHT_BACKUP_KEEP reservekopieën, geen enkele ouder dan WOONTOEZICHT_BACKUP_MAX_DAYS dagen.
    """
    config = current_app.config
    data = Path(config["DATA"])
    keep, max_days = int(config["BACKUP_KEEP"]), int(config["BACKUP_MAX_DAYS"])
    target = (to.resolve() if to else backup_folder(data))
    try:
        check_rotation(keep, max_days, shortest_term_years(config))
        made = create(db, data, target, dt.datetime.now(TIMEZONE), keep, max_days)
    except BackupError as err:
        fail(err.message, err.code)
    click.echo(f"Reservekopie gemaakt: {megabytes(made.size)}, {made.files} bestanden, gecontroleerd met SHA-256 in "
               "het manifest.", err=True)
    for path in made.removed:
        click.echo(f"Oude reservekopie verwijderd: {path.name}", err=True)
    click.echo(str(made.path))


@backup_group.command("restore")
@click.argument("archive", metavar="ARCHIEF", type=click.Path(dir_okay=False, path_type=Path))
@data_option
def backup_restore_command(data: Path, archive: Path) -> None:
    """Zet een reservekopie terug in een lege (of nieuwe) datamap (--data), elk bestand gecontroleerd.

    Een beschadigd of gewijzigd archief, of een map die niet leeg is: één regel, uitkomst 2, en er
    blijft niets half teruggezet achter.
    """
    from server.migrations import migrations
    known = [m.name for m in migrations.pending(Database(memory=True))]  # every migration this release has
    try:
        done = restore(archive.resolve(), data, known)
    except BackupError as err:
        fail(err.message, err.code)
    except OSError as err:
        fail(f"Kan de reservekopie niet terugzetten in {data}: {err.strerror or err}", 1)
    click.echo(f"Teruggezet in {done.folder}: {done.files} bestanden, elk gecontroleerd tegen het manifest van "
               f"{done.manifest.get('created_at')} (versie {done.manifest.get('app_version')}); de database is "
               f"in orde. Start met: woontoezicht serve --data {done.folder}", err=True)
