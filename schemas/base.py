"""Marshmallow building blocks with Dutch error messages and strict JSON types."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

_FIELD_MESSAGES = {
    "required": "Verplicht veld.",
    "null": "Mag niet leeg zijn.",
    "validator_failed": "Ongeldige waarde.",
}


class BaseSchema(Schema):
    """Schema that refuses unknown fields and speaks Dutch."""

    error_messages = {
        "type": "Ongeldige invoer: een object verwacht.",
        "unknown": "Onbekend veld.",
    }

    class Meta:
        unknown = RAISE
        ordered = True


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def bad_text(value: str) -> bool:
    """Return whether text holds a NUL or a lone surrogate (not storable, not printable, not Unicode)."""
    return "\x00" in value or (not value.isascii() and _LONE_SURROGATE.search(value) is not None)


class Str(fields.String):
    """A string; refuses numbers and other types, NUL characters and lone surrogates."""

    default_error_messages = {**_FIELD_MESSAGES, "invalid": "Geen geldige tekst.",
                              "invalid_utf8": "Geen geldige UTF-8-tekst.",
                              "bad_text": "Tekst met een ongeldig teken (NUL of een losse surrogaat)."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        if bad_text(text):
            raise self.make_error("bad_text")
        return text


class Int(fields.Integer):
    """An integer in JSON; refuses strings, floats and booleans."""

    default_error_messages = {**_FIELD_MESSAGES, "invalid": "Geen geldig geheel getal.",
                              "too_large": "Getal is te groot."}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("strict", True)
        super().__init__(**kwargs)


class Float(fields.Float):
    """A JSON number; refuses strings, booleans, NaN and infinity."""

    default_error_messages = {**_FIELD_MESSAGES, "invalid": "Geen geldig getal.",
                              "too_large": "Getal is te groot.",
                              "special": "NaN en oneindig zijn niet toegestaan."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class Bool(fields.Boolean):
    """A JSON boolean: only true or false."""

    default_error_messages = {**_FIELD_MESSAGES, "invalid": "Moet true of false zijn."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, bool):  # 1 == True in Python; JSON wants true/false
            raise self.make_error("invalid")
        return value


class Date(fields.Date):
    """A calendar date written YYYY-MM-DD."""

    default_error_messages = {**_FIELD_MESSAGES,
                              "invalid": "Geen geldige datum (JJJJ-MM-DD).",
                              "format": "Datum kan niet worden weergegeven."}


# A day inside the ends of Python's calendar: a zone is less than a day off UTC, so every local
# time of a moment in between exists (the inspection date in Europe/Amsterdam, a time in UTC).
FIRST_MOMENT = dt.datetime(1, 1, 2, tzinfo=dt.UTC)
LAST_MOMENT = dt.datetime(9999, 12, 30, tzinfo=dt.UTC)
OUT_OF_RANGE = "Tijdstip valt buiten het bereik van de kalender (na 1 januari 1 en vóór 31 december 9999)."


def within_calendar(moment: dt.datetime) -> bool:
    """Return whether every time zone's local time of this aware moment can be represented."""
    return FIRST_MOMENT <= moment <= LAST_MOMENT


class DateTime(fields.AwareDateTime):
    """An ISO 8601 moment; a time without zone is read as UTC."""

    default_error_messages = {**_FIELD_MESSAGES,
                              "invalid": "Geen geldig tijdstip (ISO 8601).",
                              "invalid_awareness": "Tijdstip zonder tijdzone.",
                              "format": "Tijdstip kan niet worden weergegeven.",
                              "out_of_range": OUT_OF_RANGE}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("default_timezone", dt.UTC)
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        moment = super()._deserialize(value, attr, data, **kwargs)
        if not within_calendar(moment):
            raise self.make_error("out_of_range")
        return moment


class UUID(fields.UUID):
    """A UUID, dumped as its canonical string."""

    default_error_messages = {**_FIELD_MESSAGES, "invalid_uuid": "Geen geldige UUID."}

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else str(value)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        return str(super()._deserialize(value, attr, data, **kwargs))


class Money(fields.Decimal):
    """An amount in euros with at most two decimals, from a JSON number or a string like "500.00"."""

    default_error_messages = {**_FIELD_MESSAGES, "invalid": "Geen geldig bedrag (bijvoorbeeld 500 of \"1234.50\").",
                              "special": "Geen geldig bedrag."}

    def __init__(self, *, low: int = 0, high: int = 10_000_000, **kwargs: Any) -> None:
        kwargs.setdefault("as_string", True)
        kwargs["metadata"] = {"minimum": low, "maximum": high, **kwargs.get("metadata", {})}
        super().__init__(**kwargs)
        self.low, self.high = low, high

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise self.make_error("invalid")
        amount = super()._deserialize(value, attr, data, **kwargs)
        if amount.as_tuple().exponent < -2:  # type: ignore[operator]
            raise self.make_error("invalid")
        if not self.low <= amount <= self.high:
            raise ValidationError(f"Moet minstens {self.low} en hoogstens {self.high} euro zijn.")
        return amount


class List(fields.List):
    """A JSON array."""

    default_error_messages = {**_FIELD_MESSAGES, "invalid": "Geen geldige lijst."}


class Dict(fields.Dict):
    """A JSON object with typed keys and values."""

    default_error_messages = {**_FIELD_MESSAGES, "invalid": "Geen geldig object."}


class Nested(fields.Nested):
    """A nested object."""

    default_error_messages = {**_FIELD_MESSAGES, "type": "Geen geldig object."}


def between(low: float, high: float, *, min_inclusive: bool = True, max_inclusive: bool = True) -> validate.Range:
    """Return a range check with a Dutch message."""
    lower = f"minstens {_num(low)}" if min_inclusive else f"groter dan {_num(low)}"
    upper = f"hoogstens {_num(high)}" if max_inclusive else f"kleiner dan {_num(high)}"
    return validate.Range(min=low, max=high, min_inclusive=min_inclusive, max_inclusive=max_inclusive,
                          error=f"Moet {lower} en {upper} zijn.")


def one_of(choices: tuple[str, ...]) -> validate.OneOf:
    """Return a choice check with a Dutch message."""
    return validate.OneOf(choices, error="Moet een van deze waarden zijn: " + ", ".join(choices) + ".")


def max_length(n: int) -> validate.Length:
    """Return a length check with a Dutch message."""
    return validate.Length(max=n, error=f"Maximaal {n} tekens.")


def matches(pattern: str, error: str) -> validate.Regexp:
    """Return a pattern check with the given Dutch message."""
    return validate.Regexp(pattern, error=error)


def matches_whole(pattern: str, error: str) -> validate.Regexp:
    """Return a check that the whole value matches the pattern (a fullmatch), with the given Dutch message."""
    # Regexp uses re.match, and `$` also matches before a trailing newline, which `(?!\n)` refuses.
    # Not \Z: the pattern goes into the OpenAPI document, whose (ECMA 262) regular expressions lack it.
    return validate.Regexp(rf"^(?:{pattern})$(?!\n)", error=error)


def _num(x: float) -> str:
    return str(x).replace(".", ",") if isinstance(x, float) else str(x)


class Raw(fields.Raw):
    """Any JSON value; checked by the schema that holds it."""

    default_error_messages = dict(_FIELD_MESSAGES)


def to_wire(value: Any) -> Any:
    """Return loaded data as JSON-ready data (dates and times as ISO 8601), like a schema's dump.

    A fraction of the cost of dump() for large records; valid for schemas without data_key renames.
    """
    kind = type(value)
    if kind in _AS_IS:  # most values: one lookup instead of three isinstance checks
        return value
    if isinstance(value, dict):
        return {k: to_wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_wire(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


_AS_IS = frozenset({str, int, float, bool, type(None)})
