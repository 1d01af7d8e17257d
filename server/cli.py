"""The `woontoezicht` command: one group, each module registers its own commands."""

from __future__ import annotations

import click

from server.commands import COMMANDS
from server.norms import norms_group
from server.terms import terms_group


@click.group()
@click.version_option(package_name="woontoezicht")
def main() -> None:
    """Woontoezicht: inspecties van huisvesting van arbeidsmigranten."""


main.add_command(norms_group)
main.add_command(terms_group)
for command in COMMANDS:
    main.add_command(command)
