"""Every server setting, declared once: name, default and help text.

Each is read from the environment as WOONTOEZICHT_<NAME>; the README lists
them all and a test checks that it does.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Callable, Mapping


@dataclass(frozen=True)
class Setting:
    """One setting: its name, default, help text and how to parse it."""

    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str

    @property
    def env(self) -> str:
        """Return the environment variable that sets it."""
        return f"WOONTOEZICHT_{self.name}"


SETTINGS: list[Setting] = [
    Setting("DATA", "./instance", "Map met de database, foto's en documenten."),
    Setting("NORM_SETS", "", "Extra map met normensets (JSON) naast de meegeleverde; leeg voor geen."),
]


class SettingError(ValueError):
    """A setting in the environment has a value that cannot be parsed."""


def read_settings(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return every setting, from the environment where set, else its default."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = environ.get(setting.env)
        if raw is None or raw == "":
            values[setting.name] = setting.default
            continue
        try:
            values[setting.name] = setting.parse(raw)
        except ValueError:
            raise SettingError(f"{setting.env} heeft een ongeldige waarde: {raw!r}.") from None
    return values
