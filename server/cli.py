"""The `woontoezicht` command: one group, each module registers its own commands."""

from __future__ import annotations

import click

from schemas.cli_locale import DutchGroup
from server.backup_command import backup_group
from server.commands import COMMANDS, group_data_option
from server.import_commands import import_group
from server.jobs.commands import jobs_group
from server.norms import norms_group
from server.report_commands import report_group, signals_group
from server.retention_command import retention_command
from server.terms import terms_group


@click.group(cls=DutchGroup)
@click.version_option(package_name="woontoezicht", message="%(prog)s, versie %(version)s",
                      help="Toon de versie en stop.")
@group_data_option
def main() -> None:
    """Woontoezicht: inspecties van huisvesting van arbeidsmigranten.

    Uitkomst: 0 gelukt, 1 mislukt (zoals een bezette poort of een fout in de instellingen),
    2 ongeldige invoer (een onbekende gebruiker, een fout bestand, een verkeerde optie).
    """


main.add_command(norms_group)
main.add_command(terms_group)
main.add_command(import_group)
main.add_command(report_group)
main.add_command(signals_group)
main.add_command(jobs_group)
main.add_command(backup_group)
main.add_command(retention_command)
for command in COMMANDS:
    main.add_command(command)
