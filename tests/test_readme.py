"""The README documents every command and every setting, and opens with the two commands."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import click

from field_client.cli import main as veld_main
from server.cli import main as server_main
from server.settings import SETTINGS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def command_paths(group: click.Command, prefix: str) -> list[str]:
    """Return every leaf command's full name, e.g. 'woontoezicht norms check'."""
    if isinstance(group, click.Group):
        paths = []
        for name, sub in group.commands.items():
            paths.extend(command_paths(sub, f"{prefix} {name}"))
        return paths
    return [prefix]


def test_every_command_is_documented() -> None:
    commands = command_paths(server_main, "woontoezicht") + command_paths(veld_main, "woontoezicht-veld")
    assert "woontoezicht norms check" in commands
    missing = [c for c in commands if f"`{c}" not in README]
    assert missing == []


def test_every_setting_is_documented_with_its_default() -> None:
    for setting in SETTINGS:
        row = next((line for line in README.splitlines() if line.startswith(f"| `{setting.env}` |")), None)
        assert row is not None, setting.env
        default = ",".join(setting.default) if isinstance(setting.default, list) else str(setting.default)
        assert f"`{default.lower()}`" in row.lower() or setting.default in ("", None, []), setting.env


def test_readme_opens_with_the_main_job_and_the_test_command() -> None:
    blocks = re.findall(r"```sh\n(.*?)\n```", README, flags=re.S)
    assert "pip install -e ." in blocks[0] and "woontoezicht demo" in blocks[0]
    assert blocks[1].strip() == "bash .ci/run"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for step in ("ruff check", "mypy", "pytest", "pip install -q -e '.[test]'", "chromium-driver"):
        assert step in ci


def test_readme_stands_on_its_own_without_references_outside_the_repository() -> None:
    assert "../" not in README
    assert "shared/" not in README
    named = set(re.findall(r"\b[\w-]+\.md\b", README))
    assert [name for name in sorted(named) if not (ROOT / name).exists()] == [], "documents not in the repository"


def test_readme_documents_the_exit_codes() -> None:
    section = README.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    for code in ("`0`", "`1`", "`2`"):
        assert code in section


def test_git_ignores_the_default_data_folders() -> None:
    for path in ("instance/woontoezicht.db", "veld/veld.db"):
        done = subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT, check=False)
        assert done.returncode == 0, f"{path} is not ignored"
