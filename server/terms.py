"""Legal terms: end dates of enforcement terms, extended by the Algemene termijnenwet.

Pure functions of dates. A term that ends on a Saturday, Sunday or an 'algemeen erkende
feestdag' ends on the next day that is none of those (Atw art. 1). The holidays are those
of Atw art. 3 as we read it: Nieuwjaarsdag, tweede Paasdag, Hemelvaartsdag, tweede
Pinksterdag, Koningsdag, 5 mei and both Christmas days. Good Friday is a public holiday
in the `holidays` library but not in the Atw, so it is left out; 5 May counts every year
in the Atw, not only in lustrum years (reading not checked against the consolidated
text: the list is one function to change).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import holidays

from server.settings import config_file

ATW_NAMES = {"New Year's Day", "Easter Monday", "Ascension Day", "Pentecost Monday", "King's Day",
             "Christmas Day", "Second Day of Christmas"}


def atw_holidays(year: int) -> dict[dt.date, str]:
    """Return the Atw holidays of a year with their Dutch names."""
    names = {"New Year's Day": "Nieuwjaarsdag", "Easter Monday": "tweede Paasdag", "Ascension Day": "Hemelvaartsdag",
             "Pentecost Monday": "tweede Pinksterdag", "King's Day": "Koningsdag", "Christmas Day": "eerste Kerstdag",
             "Second Day of Christmas": "tweede Kerstdag"}
    found = {day: names[name] for day, name in
             holidays.country_holidays("NL", years=year, language="en_US").items() if name in ATW_NAMES}
    found[dt.date(year, 5, 5)] = "Bevrijdingsdag"
    return found


def non_working_reason(day: dt.date) -> str | None:
    """Return why a day is not a working day under the Atw, or None."""
    if day.weekday() == 5:
        return "zaterdag"
    if day.weekday() == 6:
        return "zondag"
    return atw_holidays(day.year).get(day)


@dataclass(frozen=True)
class Term:
    """A term: from which date, its nominal end, and its end after the Atw."""

    start: dt.date
    nominal_end: dt.date
    end: dt.date
    moved_because: str | None

    def as_dict(self) -> dict[str, Any]:
        """Return the term as JSON-ready data."""
        return {"start": self.start.isoformat(), "nominal_end": self.nominal_end.isoformat(),
                "end": self.end.isoformat(), "moved_because": self.moved_because}


def term(start: dt.date, *, days: int = 0, weeks: int = 0) -> Term:
    """Return the term that runs days/weeks from start, extended to a working day (Atw art. 1)."""
    nominal = start + dt.timedelta(days=days, weeks=weeks)
    end, reasons = nominal, []
    while (reason := non_working_reason(end)) is not None:
        reasons.append(f"{end.isoformat()} is {reason}")
        end += dt.timedelta(days=1)
    return Term(start, nominal, end, "; ".join(reasons) or None)


def load_terms(path: str | None = None) -> dict[str, Any]:
    """Return the configured terms: the shipped defaults, or the file at path."""
    return config_file(path, "terms.json")


def zienswijze(letter_date: dt.date, config: dict[str, Any]) -> Term:
    """Return the zienswijze term of a voornemen (Awb 4:8), from the date of the letter."""
    return term(letter_date, weeks=int(config["zienswijze_weeks"]))


def bezwaar(sent_on: dt.date, config: dict[str, Any]) -> Term:
    """Return the bezwaar term: 6 weeks from the day after the decision was sent (Awb 6:7, 6:8)."""
    return term(sent_on, weeks=int(config["bezwaar_weeks"]))


def begunstigingstermijn(letter_date: dt.date, code: str, config: dict[str, Any]) -> Term:
    """Return the begunstigingstermijn for one violation, by its code's default."""
    table = config["begunstigingstermijn_days"]
    return term(letter_date, days=int(table.get(code, table["default"])))


def invordering(forfeited_on: dt.date, config: dict[str, Any]) -> Term:
    """Return when a forfeited dwangsom is due (Awb 5:33)."""
    return term(forfeited_on, weeks=int(config["invordering_weeks"]))
