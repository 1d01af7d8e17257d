"""Both command lines speak Dutch: Click's own messages from the shipped catalogue, every help text."""

from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path

import click
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from click.testing import CliRunner

from field_client.cli import main as veld_main
from schemas import cli_locale
from server.cli import main as server_main
from tests.processes import BIN

# English that Click writes when its catalogue is not installed, or that a help text left in.
ENGLISH = ("Usage:", "Options:", "Commands:", "Show this message", "Show the version", "[OPTIONS]", "COMMAND [ARGS]",
           "Error:", "Try ", "for help", "No such", "Missing argument", "Invalid value", "default:", "required]",
           " TEXT", " INTEGER", " DIRECTORY", " PATH", " FLOAT", " FILENAME")


def run(program: str, *args: str) -> subprocess.CompletedProcess[str]:
    # An English locale on purpose: the commands must speak Dutch whatever the machine is set to.
    env = {**os.environ, "LANG": "en_US.UTF-8", "LC_ALL": "en_US.UTF-8"}
    env.pop("LANGUAGE", None)
    return subprocess.run([str(BIN / program), *args], capture_output=True, text=True, env=env, timeout=60,
                          check=False)


def test_the_shipped_catalogue_is_the_compilation_of_its_po() -> None:
    with cli_locale.PO_FILE.open("rb") as f:
        catalog = read_po(f, locale="nl", domain=cli_locale.DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    assert cli_locale.MO_FILE.read_bytes() == compiled.getvalue(), "run: python -m schemas.cli_locale"


def test_every_message_of_the_installed_click_has_a_dutch_translation() -> None:
    with cli_locale.PO_FILE.open("rb") as f:
        catalog = read_po(f, locale="nl")
    translated = {m.id if isinstance(m.id, str) else m.id[0]: m.string for m in catalog if m.id and m.string}
    source = Path(click.__file__).parent
    msgids = {message if isinstance(message, str) else message[0]
              for _, _, message, *_ in extract_from_dir(str(source), keywords={"_": None, "ngettext": (1, 2)})}
    assert msgids, "no messages found in click's source"
    assert sorted(msgids - set(translated)) == []


@pytest.mark.parametrize(("program", "args", "expected"), [
    ("woontoezicht", ["--help"], ["Gebruik: woontoezicht [OPTIES] OPDRACHT [ARGUMENTEN]...", "Opties:",
                                  "Opdrachten:", "Toon deze hulptekst en stop."]),
    ("woontoezicht", ["user", "list", "--kleur"], ["Gebruik: woontoezicht user list [OPTIES]",
                                                   "Hulp: 'woontoezicht user list --help'.",
                                                   "Fout: Onbekende optie '--kleur'."]),
    ("woontoezicht", ["token", "create"], ["Fout: Ontbrekend argument 'GEBRUIKER'."]),
    ("woontoezicht", ["serve", "--port", "veel"], ["Fout: Ongeldige waarde voor '--port': 'veel' is geen geldig"]),
    ("woontoezicht", ["verzin"], ["Fout: Onbekende opdracht 'verzin'."]),
    ("woontoezicht-veld", ["--help"], ["Gebruik: woontoezicht-veld [OPTIES] OPDRACHT [ARGUMENTEN]...", "Opties:",
                                       "Opdrachten:", "Toon deze hulptekst en stop."]),
    ("woontoezicht-veld", ["sync", "--kleur"], ["Fout: Onbekende optie '--kleur'."]),
    ("woontoezicht-veld", ["enroll"], ["Fout: Ontbrekend argument 'URL'."]),
])
def test_help_and_usage_errors_are_dutch_in_both_commands(program: str, args: list[str], expected: list[str]) -> None:
    result = run(program, *args)
    out = result.stdout + result.stderr
    assert result.returncode == (0 if "--help" in args else 2), out
    for text in expected:
        assert text in out
    assert [e for e in ENGLISH if e in out] == []


def command_tree(command: click.Command, path: str) -> list[tuple[str, click.Command]]:
    """Return every command and group under command with its full name."""
    found = [(path, command)]
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            found.extend(command_tree(sub, f"{path} {name}"))
    return found


ALL_COMMANDS = command_tree(server_main, "woontoezicht") + command_tree(veld_main, "woontoezicht-veld")


@pytest.mark.parametrize(("path", "command"), ALL_COMMANDS, ids=[p for p, _ in ALL_COMMANDS])
def test_every_command_group_and_option_has_a_dutch_help_text(path: str, command: click.Command) -> None:
    assert command.help, f"{path} has no help text"
    undocumented = [p.name for p in command.params if isinstance(p, click.Option) and not p.help]
    assert undocumented == []
    root = server_main if path.split()[0] == "woontoezicht" else veld_main
    shown = CliRunner().invoke(root, [*path.split()[1:], "--help"], prog_name=path.split()[0])
    assert shown.exit_code == 0, shown.output
    assert shown.output.startswith(f"Gebruik: {path} [OPTIES]")
    assert [e for e in ENGLISH if e in shown.output] == []


def test_a_password_prompt_asks_again_in_dutch_and_an_abort_is_dutch(tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["user", "add", "anna", "--role", "teamleider", "--data", str(tmp_path / "instance")]
    mismatch = runner.invoke(server_main, args, input="lang-genoeg-ww\nander-wachtwoord\n")
    assert "Herhaal ter bevestiging" not in mismatch.output  # the command asks in its own words
    assert "Herhaal wachtwoord" in mismatch.output
    assert "Fout: de twee ingevoerde waarden zijn niet gelijk." in mismatch.output
    assert mismatch.exit_code == 1 and "Afgebroken." in mismatch.output
    assert "Aborted" not in mismatch.output and "Error" not in mismatch.output


def test_dutch_stays_inside_the_command_run() -> None:
    before = os.environ.get("LANGUAGE")
    CliRunner().invoke(server_main, ["--help"])
    assert os.environ.get("LANGUAGE") == before


def test_counted_nouns_are_singular_only_for_one() -> None:
    assert cli_locale.counted(1, "wijziging", "wijzigingen") == "1 wijziging"
    assert cli_locale.counted(2, "wijziging", "wijzigingen") == "2 wijzigingen"
    assert cli_locale.counted(0, "adres", "adressen") == "0 adressen"
