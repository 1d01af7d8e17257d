"""The `woontoezicht-veld` command on the tablet."""

from __future__ import annotations

import click


@click.group()
@click.version_option(package_name="woontoezicht")
def main() -> None:
    """Woontoezicht op de tablet: offline inspecteren en synchroniseren."""
