"""Legal terms: end dates of enforcement terms, with the Algemene termijnenwet (Atw) for the statutory ones.

Pure functions of dates. The Atw applies only to a term set by law ("een in een wet gestelde
termijn"): here bezwaar (Awb 6:7), invordering (Awb 5:33) and the 13 weeks of Awb 5:51.
- art. 1: a term that ends on a Saturday, Sunday or algemeen erkende feestdag (server/atw.py, the
  days of art. 3) is extended to the next day that is none of those;
- art. 2: a term of at least three days is extended, as far as needed, to hold at least two days
  that are none of those;
- art. 4 lid 1 onderdeel a: the Atw does not apply to a term of more than 90 days or more than
  twelve weeks (read in secondary sources only): the 13 weeks of Awb 5:51 are not extended.
Terms the college sets itself (the zienswijze of Awb 4:8, a begunstigingstermijn, the hersteltermijn
of a Wgv waarschuwing) are not Atw terms: moving them off a weekend or feestdag is municipal policy
(a setting in terms.json), and their texts say so without naming the Atw.
Also the `woontoezicht terms` commands, so a jurist's question is answered by the letters' code.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any, NoReturn

import click
from marshmallow import ValidationError, validates_schema

from reports.fmt import datum, weekdag_datum
from schemas.base import BaseSchema, Bool, Dict, Int, Str, between
from server.atw import (
    AtwDays,
    TermsConfigError,
    atw_holidays,
    load_atw_days,
    non_working_reason,
    read_config,
    shipped_atw_days,
)
from server.settings import SettingError, read_settings

__all__ = ["AtwDays", "Term", "TermsConfigError", "atw_holidays", "begunstiging_days", "begunstigingstermijn",
           "bezwaar", "boete_beslistermijn", "invordering", "load_atw_days", "load_terms", "non_working_reason",
           "term", "terms_group", "zienswijze"]

ATW_ART_1 = "Algemene termijnenwet, artikel 1"
ATW_ART_2 = "Algemene termijnenwet, artikel 2"
POLICY = "beleid"
ATW_MAX_DAYS, ATW_MAX_WEEKS = 90, 12  # art. 4 lid 1 onderdeel a: longer terms are not extended
MAX_DAYS = 3650


class _TermsSchema(BaseSchema):
    source = Str(load_default="")
    zienswijze_weeks = Int(required=True, validate=between(1, 52))
    bezwaar_weeks = Int(required=True, validate=between(1, 52))
    invordering_weeks = Int(required=True, validate=between(1, 52))
    boete_beslistermijn_weeks = Int(load_default=13, validate=between(1, 52))
    policy_terms_move_to_working_day = Bool(load_default=True)
    begunstigingstermijn_days = Dict(keys=Str(), values=Int(validate=between(1, MAX_DAYS)), required=True)

    @validates_schema
    def _has_default(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "default" not in data.get("begunstigingstermijn_days", {}):
            raise ValidationError({"begunstigingstermijn_days": ["Mist de sleutel 'default'."]})


@dataclass(frozen=True)
class Term:
    """A term: from which date, its nominal end, its end, and why and on what basis it moved."""

    start: dt.date
    nominal_end: dt.date
    end: dt.date
    moved_because: str | None
    statutory: bool = True
    basis: str | None = None  # ATW_ART_1, ATW_ART_2 or POLICY when moved, else None
    caveats: tuple[str, ...] = ()  # Dutch notes for the office (not for letters): unverified days, unknown years

    def as_dict(self) -> dict[str, Any]:
        """Return the term as JSON-ready data."""
        return {"start": self.start.isoformat(), "nominal_end": self.nominal_end.isoformat(),
                "end": self.end.isoformat(), "moved_because": self.moved_because, "statutory": self.statutory,
                "basis": self.basis, "caveats": list(self.caveats)}


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _next_ordinary(day: dt.date, atw_days: AtwDays) -> dt.date:
    while non_working_reason(day, atw_days) is not None:
        day += dt.timedelta(days=1)
    return day


def _second_ordinary_after(start: dt.date, atw_days: AtwDays) -> dt.date:
    first = _next_ordinary(start + dt.timedelta(days=1), atw_days)
    return _next_ordinary(first + dt.timedelta(days=1), atw_days)


def term(start: dt.date, *, days: int = 0, weeks: int = 0, statutory: bool = True, move: bool = True,
         atw_days: AtwDays | None = None) -> Term:
    """Return the term of days/weeks from start: with Atw art. 1 and 2 if statutory, else moved by policy if move."""
    if days < 0 or weeks < 0:
        raise ValueError("a term cannot be negative")
    atw_days = atw_days or shipped_atw_days()
    nominal = start + dt.timedelta(days=days, weeks=weeks)
    if statutory and (days > ATW_MAX_DAYS or weeks > ATW_MAX_WEEKS):
        return Term(start, nominal, nominal, None, True)
    if not statutory and not move:
        return Term(start, nominal, nominal, None, False)
    end = _next_ordinary(nominal, atw_days)
    skipped, basis = _days(nominal, end - dt.timedelta(days=1)), ATW_ART_1 if statutory else POLICY
    examined = _days(nominal, end)
    if statutory and days + 7 * weeks >= 3:
        # Art. 2 over the term as art. 1 leaves it: both counts end on the same ordinary day, so
        # the later of the two ends is the term's end whichever article is applied first.
        second = _second_ordinary_after(start, atw_days)
        examined += _days(start + dt.timedelta(days=1), second)
        if second > end:
            end, basis = second, ATW_ART_2
            skipped = [d for d in _days(start + dt.timedelta(days=1), end) if non_working_reason(d, atw_days)]
    if not skipped:
        return Term(start, nominal, end, None, statutory, caveats=_caveats(examined, [], atw_days))
    reasons = "; ".join(f"{datum(d)} is {non_working_reason(d, atw_days)}" for d in skipped)
    clause = {ATW_ART_1: "verlengd tot en met de eerstvolgende dag die geen zaterdag, zondag of feestdag is "
                         f"({ATW_ART_1})",
              ATW_ART_2: "verlengd zodat de termijn ten minste twee dagen telt die geen zaterdag, zondag of "
                         f"feestdag zijn ({ATW_ART_2})",
              POLICY: "verschoven naar de eerstvolgende werkdag (beleid van de gemeente)"}[basis]
    return Term(start, nominal, end, f"{reasons}; {clause}", statutory, basis,
                _caveats(examined, skipped, atw_days))


def _caveats(examined: list[dt.date], skipped: list[dt.date], atw_days: AtwDays) -> tuple[str, ...]:
    notes = [f"{datum(e.day)} telt als met een feestdag gelijkgestelde dag, maar het besluit zelf is niet "
             f"gecontroleerd ({e.decree}). {e.source}"
             for e in atw_days.days if e.day in skipped and not e.verified]
    notes += [f"Voor {year} zijn geen bij koninklijk besluit met een feestdag gelijkgestelde dagen bekend; "
              "controleer de Staatscourant." for year in sorted({d.year for d in examined} - atw_days.years)]
    return tuple(notes)


def load_terms(path: str | None = None, atw_days: str | None = None) -> dict[str, Any]:
    """Return the configured terms (shipped, or the file at path) with the equated days (shipped, or atw_days)."""
    config = read_config(_TermsSchema(), path, "terms.json")
    config["atw_days"] = load_atw_days(atw_days)
    return config


def _policy(config: dict[str, Any]) -> dict[str, Any]:
    return {"statutory": False, "move": bool(config.get("policy_terms_move_to_working_day", True)),
            "atw_days": config.get("atw_days")}


def _statute(config: dict[str, Any]) -> dict[str, Any]:
    return {"statutory": True, "atw_days": config.get("atw_days")}


def zienswijze(letter_date: dt.date, config: dict[str, Any]) -> Term:
    """Return the zienswijze term of a voornemen (Awb 4:8: set by the college), from the date of the letter."""
    return term(letter_date, weeks=int(config["zienswijze_weeks"]), **_policy(config))


def bezwaar(sent_on: dt.date, config: dict[str, Any]) -> Term:
    """Return the bezwaar term: 6 weeks from the day after the decision was sent (Awb 6:7, 6:8), with the Atw."""
    return term(sent_on, weeks=int(config["bezwaar_weeks"]), **_statute(config))


def begunstiging_days(letter_date: dt.date, days: int, config: dict[str, Any]) -> Term:
    """Return a begunstigingstermijn (or Wgv hersteltermijn) of so many days: set by the college, not the Atw."""
    return term(letter_date, days=days, **_policy(config))


def begunstigingstermijn(letter_date: dt.date, code: str, config: dict[str, Any]) -> Term:
    """Return the begunstigingstermijn for one violation, by its code's default."""
    table = config["begunstigingstermijn_days"]
    return begunstiging_days(letter_date, int(table.get(code, table["default"])), config)


def invordering(forfeited_on: dt.date, config: dict[str, Any]) -> Term:
    """Return when a forfeited dwangsom is due (Awb 5:33: within 6 weeks), with the Atw."""
    return term(forfeited_on, weeks=int(config["invordering_weeks"]), **_statute(config))


def boete_beslistermijn(rapport_date: dt.date, config: dict[str, Any]) -> Term:
    """Return the 13 weeks from the rapport to decide on a boete (Awb 5:51); Atw art. 4 keeps it unextended."""
    return term(rapport_date, weeks=int(config.get("boete_beslistermijn_weeks", 13)), **_statute(config))


# `woontoezicht terms end KIND DATE [--days N] [--json]`

EXIT_INVALID = 2
KINDS = ("bezwaar", "zienswijze", "invordering", "begunstiging")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _fail(message: str, code: int = EXIT_INVALID) -> NoReturn:
    click.echo(message, err=True)
    raise SystemExit(code)


def _parse_date(text: str) -> dt.date:
    try:
        if _ISO_DATE.fullmatch(text):
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    _fail(f"Ongeldige datum '{text}': schrijf JJJJ-MM-DD, bijvoorbeeld 2025-03-18.")


def _parse_days(kind: str, text: str | None) -> int:
    if kind != "begunstiging":
        if text is not None:
            _fail(f"--days hoort alleen bij begunstiging; de {_LABELS[kind].lower()} staat vast (WOONTOEZICHT_TERMS).")
        return 0
    if text is None:
        _fail("Bij begunstiging hoort --days N: het aantal dagen van de termijn.")
    if not re.fullmatch(r"\d{1,4}", text) or not 1 <= int(text) <= MAX_DAYS:
        _fail(f"--days moet een geheel getal van 1 tot en met {MAX_DAYS} zijn, niet '{text}'.")
    return int(text)


_LABELS = {"bezwaar": "Bezwaartermijn", "zienswijze": "Zienswijzetermijn",
           "invordering": "Betalingstermijn van een verbeurde dwangsom", "begunstiging": "Begunstigingstermijn"}


def _compute(kind: str, start: dt.date, days: int, config: dict[str, Any]) -> Term:
    if kind == "bezwaar":
        return bezwaar(start, config)
    if kind == "zienswijze":
        return zienswijze(start, config)
    if kind == "invordering":
        return invordering(start, config)
    return begunstiging_days(start, days, config)


def _human(kind: str, days: int, result: Term) -> list[str]:
    label = f"{_LABELS[kind]} van {days} dagen" if kind == "begunstiging" else _LABELS[kind]
    nature = "wettelijke termijn" if result.statutory else "termijn van het college"
    start = f"{'verbeurd' if kind == 'invordering' else 'brief verzonden'} op {datum(result.start)}"
    lines = [f"{label} ({nature}): {start}, termijn eindigt op {weekdag_datum(result.end)}."]
    if result.moved_because:
        lines.append(f"Berekend einde {weekdag_datum(result.nominal_end)}: {result.moved_because}.")
    return lines


@click.group("terms")
def terms_group() -> None:
    """Termijnen berekenen, met dezelfde regels als de brieven."""


@terms_group.command("end")
@click.argument("kind")
@click.argument("date")
@click.option("--days", "days_text", default=None, metavar="N",
              help="Aantal dagen van de begunstigingstermijn (alleen bij begunstiging).")
@click.option("--json", "as_json", is_flag=True,
              help="Schrijf JSON: {kind, from, end, computed_end, moved_because, statutory}.")
def end_command(kind: str, date: str, days_text: str | None, as_json: bool) -> None:
    """Toon wanneer een termijn eindigt die begint met een brief verzonden (of een dwangsom verbeurd) op DATE.

    KIND is bezwaar, zienswijze, invordering of begunstiging (met --days); DATE is JJJJ-MM-DD.
    """
    if kind not in KINDS:
        _fail(f"Onbekende termijn '{kind}': kies bezwaar, zienswijze, invordering of begunstiging.")
    start = _parse_date(date)
    days = _parse_days(kind, days_text)
    try:
        settings = read_settings()
        config = load_terms(settings["TERMS"] or None, settings["ATW_DAYS"] or None)
    except SettingError as err:
        _fail(str(err))
    except TermsConfigError as err:
        _fail(str(err), 1)
    try:
        result = _compute(kind, start, days, config)
    except OverflowError:
        _fail("De termijn eindigt na het jaar 9999 en kan niet worden berekend.")
    for caveat in result.caveats:
        click.echo(f"Let op: {caveat[0].lower()}{caveat[1:]}", err=True)
    if as_json:
        click.echo(json.dumps({"kind": kind, "from": result.start.isoformat(), "end": result.end.isoformat(),
                               "computed_end": result.nominal_end.isoformat(), "moved_because": result.moved_because,
                               "statutory": result.statutory}, ensure_ascii=False))
    else:
        for line in _human(kind, days, result):
            click.echo(line)
