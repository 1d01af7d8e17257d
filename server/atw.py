"""The calendar of the Algemene termijnenwet (BWBR0002448), article 3, and reading the term files.

Lid 1: Nieuwjaarsdag, tweede Paas- and Pinksterdag, both Christmas days, Hemelvaartsdag, the day
the King's birthday is celebrated and "de vijfde mei" (every year); lid 2: Goede Vrijdag; lid 3:
the days a royal decree equates for given years, published in the Staatscourant: a dated list
(config/atw_days.json, replaceable through the ATW_DAYS setting), each decree with the years it
covers, where it was read and whether the decree itself was read. Easter comes from dateutil; the
list does not depend on what any holiday library calls a public holiday.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass
from typing import Any

from dateutil.easter import easter
from marshmallow import ValidationError, validates_schema

from schemas.base import BaseSchema, Bool, Date, Int, List, Nested, Str, between
from schemas.errors import flatten_messages
from server.settings import config_file


class TermsConfigError(ValueError):
    """A terms file or a list of equated days cannot be used; the message is Dutch and names the file."""


@dataclass(frozen=True)
class EquatedDay:
    """A day a royal decree equates with an algemeen erkende feestdag (Atw art. 3 lid 3)."""

    day: dt.date
    name: str
    decree: str
    source: str
    verified: bool


@dataclass(frozen=True)
class AtwDays:
    """The equated days in force, and the years for which a decree is known."""

    days: tuple[EquatedDay, ...]
    years: frozenset[int]


class _DaySchema(BaseSchema):
    date = Date(required=True)
    name = Str(required=True)


class _DecreeSchema(BaseSchema):
    title = Str(required=True)
    source = Str(required=True)
    verified = Bool(required=True)
    years = List(Int(validate=between(1965, 9999)), required=True)
    days = List(Nested(_DaySchema), required=True)

    @validates_schema
    def _days_in_years(self, data: dict[str, Any], **kwargs: Any) -> None:
        wrong = {i: {"date": [f"{d['date'].isoformat()} valt niet in de jaren van dit besluit "
                              f"({', '.join(str(y) for y in data['years'])})."]}
                 for i, d in enumerate(data["days"]) if d["date"].year not in data["years"]}
        if wrong:
            raise ValidationError({"days": wrong})


class _AtwDaysSchema(BaseSchema):
    source = Str(load_default="")
    decrees = List(Nested(_DecreeSchema), required=True)


def read_config(schema: BaseSchema, path: str | None, shipped: str) -> dict[str, Any]:
    """Return a term file loaded by schema: the file at path, or the shipped server/config/<shipped>."""
    where = path or f"server/config/{shipped}"
    try:
        raw = config_file(path, shipped)
    except FileNotFoundError:
        raise TermsConfigError(f"{where}: bestand niet gevonden.") from None
    except OSError as err:
        raise TermsConfigError(f"{where}: kan niet worden gelezen ({err.strerror or err}).") from None
    except UnicodeDecodeError:
        raise TermsConfigError(f"{where}: geen UTF-8-tekst.") from None
    except json.JSONDecodeError as err:
        raise TermsConfigError(f"{where}: geen geldige JSON (regel {err.lineno}, kolom {err.colno}): "
                               f"{err.msg}.") from None
    try:
        loaded: dict[str, Any] = schema.load(raw)
    except ValidationError as err:
        raise TermsConfigError(f"{where}: " + "; ".join(flatten_messages(err.messages))) from None
    return loaded


def load_atw_days(path: str | None = None) -> AtwDays:
    """Return the days equated by royal decree: the shipped list, or the file at path (ATW_DAYS)."""
    if not path:
        return shipped_atw_days()
    return _atw_days(read_config(_AtwDaysSchema(), path, "atw_days.json"))


@functools.cache
def shipped_atw_days() -> AtwDays:
    """Return the equated days shipped in server/config/atw_days.json (read once)."""
    return _atw_days(read_config(_AtwDaysSchema(), None, "atw_days.json"))


def _atw_days(loaded: dict[str, Any]) -> AtwDays:
    days = tuple(EquatedDay(d["date"], d["name"], decree["title"], decree["source"], decree["verified"])
                 for decree in loaded["decrees"] for d in decree["days"])
    return AtwDays(days, frozenset(y for decree in loaded["decrees"] for y in decree["years"]))


def _koningsdag(year: int) -> dt.date:
    # Besluit van 30 januari 2013 (BWBR0032908): 27 April, "behoudens uitzonderingen in verband
    # met zondagen". Which day replaces a Sunday the decree does not say; it is celebrated on the
    # Saturday before (26 April 2025), a Saturday anyway, so no term depends on this choice.
    day = dt.date(year, 4, 27)
    return day - dt.timedelta(days=1) if day.weekday() == 6 else day


@functools.cache
def _statutory_days(year: int) -> dict[dt.date, str]:
    sunday = easter(year)
    return {
        dt.date(year, 1, 1): "Nieuwjaarsdag",
        sunday - dt.timedelta(days=2): "Goede Vrijdag",  # art. 3 lid 2
        sunday + dt.timedelta(days=1): "tweede Paasdag",
        _koningsdag(year): "Koningsdag",
        dt.date(year, 5, 5): "Bevrijdingsdag",  # "de vijfde mei": every year, not only in lustrum years
        sunday + dt.timedelta(days=39): "Hemelvaartsdag",
        sunday + dt.timedelta(days=50): "tweede Pinksterdag",
        dt.date(year, 12, 25): "eerste Kerstdag",
        dt.date(year, 12, 26): "tweede Kerstdag",
    }


def atw_holidays(year: int, atw_days: AtwDays | None = None) -> dict[dt.date, str]:
    """Return the Atw days of a year (art. 3 lid 1, 2 and 3) with their Dutch names."""
    found = dict(_statutory_days(year))
    for equated in (atw_days or shipped_atw_days()).days:
        if equated.day.year == year:
            found.setdefault(equated.day, f"een met een feestdag gelijkgestelde dag ({equated.name})")
    return found


def non_working_reason(day: dt.date, atw_days: AtwDays | None = None) -> str | None:
    """Return why a day is a Saturday, Sunday or Atw day ("zaterdag", "Goede Vrijdag", ...), or None."""
    if day.weekday() == 5:
        return "zaterdag"
    if day.weekday() == 6:
        return "zondag"
    return atw_holidays(day.year, atw_days).get(day)
