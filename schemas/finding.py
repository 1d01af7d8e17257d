"""Finding wire schema: computed by the norm engine, never sent by a client."""

from __future__ import annotations

from schemas.base import BaseSchema, Int, List, Nested, Raw, Str


class NormSetRefSchema(BaseSchema):
    """Which norm set (id and version) a finding was judged by."""

    id = Str()
    version = Int()


class FindingSchema(BaseSchema):
    """A violation (or, for impact 0, a signal) found by the norm engine."""

    code = Str()
    title = Str()
    impact = Int()
    room_id = Str(allow_none=True)
    storey = Int(allow_none=True)
    measured = Raw(allow_none=True)
    norm = Raw(allow_none=True)
    unit = Str(allow_none=True)
    description = Str()
    legal_basis = Str()
    norm_set = Nested(NormSetRefSchema)


class NotAssessedSchema(BaseSchema):
    """A rule the engine could not judge, with the missing inputs named."""

    code = Str()
    title = Str()
    room_id = Str(allow_none=True)
    missing = List(Str())
    reason = Str()


finding_schema = FindingSchema()
not_assessed_schema = NotAssessedSchema()
