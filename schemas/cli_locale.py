"""Dutch for both command lines: Click's own messages from a shipped catalogue, and counted nouns.

Click writes its messages ("Usage:", "Error: No such option", "Show this message and exit.")
through the standard gettext functions, so a Dutch catalogue of its msgids, installed as the
process's text domain, makes `woontoezicht` and `woontoezicht-veld` speak Dutch throughout.
The catalogue and the root group that installs it live here because both commands need them
and the field client never imports the server (the rest of schemas never imports this module).
The .po is the source; `python -m schemas.cli_locale` compiles it into the .mo that ships
(a test checks that the two agree).
"""

from __future__ import annotations

import contextlib
import gettext
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

DOMAIN = "woontoezicht-cli"
LANGUAGE = "nl"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
PO_FILE = LOCALE_DIR / LANGUAGE / "LC_MESSAGES" / f"{DOMAIN}.po"
MO_FILE = PO_FILE.with_suffix(".mo")


@contextlib.contextmanager
def dutch_cli() -> Iterator[None]:
    """Make gettext (and so Click) answer in Dutch from the shipped catalogue while the block runs."""
    previous_domain = gettext.textdomain()
    previous_language = os.environ.get("LANGUAGE")
    gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
    gettext.textdomain(DOMAIN)
    # gettext picks the language from the environment only; LANGUAGE comes first, so setting it
    # forces Dutch whatever the machine's locale is.
    os.environ["LANGUAGE"] = LANGUAGE
    try:
        yield
    finally:
        gettext.textdomain(previous_domain)
        if previous_language is None:
            os.environ.pop("LANGUAGE", None)
        else:
            os.environ["LANGUAGE"] = previous_language


class DutchGroup(click.Group):
    """A root command group whose whole run, from parsing the arguments on, speaks Dutch."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Run the command line with the Dutch catalogue installed and Dutch usage lines."""
        dutch_usage(self)
        with dutch_cli():
            return super().main(*args, **kwargs)


# Click names an option's value after its type ("TEXT", "INTEGER RANGE"); these are the Dutch names.
TYPE_METAVARS = {"text": "TEKST", "integer": "GETAL", "integer range": "GETAL", "float": "GETAL",
                 "float range": "GETAL", "boolean": "JA|NEE", "uuid": "UUID"}


def _type_metavar(kind: click.ParamType) -> str | None:
    if isinstance(kind, click.Path):
        return "MAP" if not kind.file_okay else "BESTAND" if not kind.dir_okay else "PAD"
    if isinstance(kind, click.File):
        return "BESTAND"
    return TYPE_METAVARS.get(kind.name)


def dutch_usage(command: click.Command) -> None:
    """Write the usage line's placeholders in Dutch for a command and everything under it."""
    # Click's defaults ("[OPTIONS]", "COMMAND [ARGS]...", "TEXT") are constructor arguments and
    # type names, not messages, so the catalogue cannot reach them.
    command.options_metavar = "[OPTIES]"
    for param in command.params:
        if isinstance(param, click.Option) and param.metavar is None and not param.is_flag and not param.count:
            param.metavar = _type_metavar(param.type)
    if isinstance(command, click.Group):
        command.subcommand_metavar = "OPDRACHT [ARGUMENTEN]..."
        for sub in command.commands.values():
            dutch_usage(sub)


def counted(n: int, singular: str, plural: str) -> str:
    """Return a count with its noun in the right Dutch form: '1 wijziging', '2 wijzigingen'."""
    return f"{n} {singular if n == 1 else plural}"


def compile_catalogue(po_file: Path = PO_FILE) -> bytes:
    """Return the .mo compilation of a .po catalogue (Babel)."""
    import io

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    with po_file.open("rb") as f:
        catalog = read_po(f, locale=LANGUAGE, domain=DOMAIN)
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


if __name__ == "__main__":
    MO_FILE.write_bytes(compile_catalogue())
    print(f"{MO_FILE} bijgewerkt.", file=sys.stderr)
