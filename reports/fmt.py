"""Dutch dates and amounts for letters and reports, by Babel."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal

LOCALE = "nl_NL"
TZ = ZoneInfo("Europe/Amsterdam")


def day(value: dt.date | str) -> dt.date:
    """Return a date from a date or an ISO string."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def datum(value: dt.date | str | None) -> str:
    """Return a date as a letter writes it: '7 maart 2025'."""
    if value is None or value == "":
        return "-"
    return format_date(day(value), "d MMMM y", locale=LOCALE)


def weekdag_datum(value: dt.date | str) -> str:
    """Return a date with its weekday: 'vrijdag 7 maart 2025'."""
    return format_date(day(value), "EEEE d MMMM y", locale=LOCALE)


def tijdstip(value: str | None) -> str:
    """Return an ISO timestamp in Dutch local time: '7 maart 2025 14:03'."""
    if not value:
        return "-"
    return format_datetime(_local(value), "d MMMM y HH:mm", locale=LOCALE)


def _local(value: str) -> dt.datetime:
    """Return an ISO timestamp as Dutch local time (a time without zone is read as UTC)."""
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(TZ)


def lokale_dag(value: str) -> dt.date:
    """Return the Dutch calendar day of an ISO timestamp (or the day of an ISO date)."""
    return day(value) if len(value) == 10 else _local(value).date()


def weken(days: int) -> str:
    """Return a term in words: 'twee weken', '10 dagen'."""
    words = {1: "één week", 2: "twee weken", 3: "drie weken", 4: "vier weken", 6: "zes weken", 8: "acht weken"}
    if days % 7 == 0 and days // 7 in words:
        return words[days // 7]
    return f"{days // 7} weken" if days % 7 == 0 else f"{days} dagen"


def bedrag(value: Decimal | int | float | str) -> str:
    """Return an amount in euros: '€ 1.234,50' (with a non-breaking space)."""
    return format_currency(Decimal(str(value)), "EUR", locale=LOCALE)


def getal(value: Decimal | int | float | str | None) -> str:
    """Return a number the Dutch way: '3,5'; '-' when unknown."""
    if value is None or value == "":
        return "-"
    return format_decimal(Decimal(str(value)), locale=LOCALE)
