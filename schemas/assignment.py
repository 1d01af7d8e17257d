"""Assignment wire schema: a visit planned for a handhaver."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from marshmallow import ValidationError, validates, validates_schema

from schemas.base import UUID, BaseSchema, Date, DateTime, Int, Str, max_length, one_of

KINDS = ("controle", "hercontrole", "melding")
STATUSES = ("open", "done", "no_access", "cancelled")
ISO_WEEK_RE = re.compile(r"^([0-9]{4})-W([0-9]{2})$")


def iso_week_monday(week: str) -> dt.date:
    """Return the Monday of an ISO week written '2026-W47'; ValueError when invalid."""
    m = ISO_WEEK_RE.match(week)
    if not m:
        raise ValueError(week)
    return dt.date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)


class AssignmentSchema(BaseSchema):
    """A visit planned for one handhaver in an ISO week or by a due date."""

    id = UUID(required=True)
    version = Int(dump_only=True)
    address_id = UUID(required=True)
    inspector_id = Str(required=True, validate=max_length(64))
    week = Str(allow_none=True, load_default=None)
    due = Date(allow_none=True, load_default=None)
    kind = Str(load_default="controle", validate=one_of(KINDS))
    status = Str(load_default="open", validate=one_of(STATUSES))
    instructions = Str(allow_none=True, load_default=None, validate=max_length(5000))
    case_id = Str(allow_none=True, load_default=None, validate=max_length(64))
    created_at = DateTime(dump_only=True)
    updated_at = DateTime(dump_only=True)

    @validates("week")
    def _check_week(self, value: str | None, data_key: str) -> None:
        if value is None:
            return
        try:
            iso_week_monday(value)
        except ValueError:
            raise ValidationError("Geen geldige ISO-week: schrijf bijvoorbeeld 2026-W47.") from None

    @validates_schema
    def _check_when(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("week") is None and data.get("due") is None:
            raise ValidationError("Vul een week of een uiterste datum in.", "week")


assignment_schema = AssignmentSchema()
