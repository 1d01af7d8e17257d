"""Term end dates and the Algemene termijnenwet."""

from __future__ import annotations

import datetime as dt

import pytest

from server.terms import begunstigingstermijn, bezwaar, load_terms, non_working_reason, term, zienswijze

D = dt.date


@pytest.mark.parametrize(("start", "weeks", "end", "because"), [
    (D(2026, 3, 2), 2, D(2026, 3, 16), None),                        # Monday + 2 weeks: a Monday
    (D(2026, 3, 7), 2, D(2026, 3, 23), "zaterdag"),                  # ends on a Saturday
    (D(2026, 3, 8), 2, D(2026, 3, 23), "zondag"),                    # ends on a Sunday
    (D(2026, 4, 13), 2, D(2026, 4, 28), "Koningsdag"),               # 27 April 2026 is a Monday
    (D(2026, 12, 11), 2, D(2026, 12, 28), "eerste Kerstdag"),        # Fri 25 Dec, then Sat 26 and Sun 27
    (D(2026, 3, 23), 2, D(2026, 4, 7), "tweede Paasdag"),            # Easter Monday 6 April 2026
    (D(2026, 4, 30), 2, D(2026, 5, 15), "Hemelvaartsdag"),           # Ascension 14 May 2026
    (D(2026, 5, 11), 2, D(2026, 5, 26), "tweede Pinksterdag"),       # Whit Monday 25 May 2026
    (D(2026, 4, 21), 2, D(2026, 5, 6), "Bevrijdingsdag"),            # 5 May counts every year
])
def test_a_term_ending_on_a_weekend_or_holiday_moves_to_the_next_working_day(
        start: dt.date, weeks: int, end: dt.date, because: str | None) -> None:
    result = term(start, weeks=weeks)
    assert result.end == end
    if because is None:
        assert result.moved_because is None and result.nominal_end == end
    else:
        assert because in (result.moved_because or "")


def test_good_friday_is_not_an_atw_holiday() -> None:
    assert non_working_reason(D(2026, 4, 3)) is None


def test_configured_terms() -> None:
    config = load_terms()
    assert zienswijze(D(2026, 3, 2), config).end == D(2026, 3, 16)
    assert bezwaar(D(2026, 3, 2), config).end == D(2026, 4, 13)
    assert begunstigingstermijn(D(2026, 3, 2), "VLUCHTWEG", config).end == D(2026, 3, 9)
    assert begunstigingstermijn(D(2026, 3, 2), "ONBEKEND", config).end == D(2026, 3, 30)
