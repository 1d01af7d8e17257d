"""Finding wire schema: computed by the norm engine, never sent by a client."""

from __future__ import annotations

from schemas.base import BaseSchema, Bool, Int, List, Nested, Raw, Str, max_length, one_of

# Where a rule's binding force comes from (DESIGN.md legal_basis); signaal: signals and advice only.
REGIMES = ("wgv", "wgv_vergunning", "bouwregels", "omgevingsplan", "signaal")


class VoorschriftSchema(BaseSchema):
    """A binding rule a finding rests on, by article; verified: checked against the official text."""

    regeling = Str(required=True, validate=max_length(300))
    artikel = Str(required=True, validate=max_length(300))
    text = Str(required=True, validate=max_length(5000))
    verified = Bool(required=True)
    source = Str(required=True, validate=max_length(2000))


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
    # From the legal-basis register, for the inspection date, whatever norm set judged it (server-side).
    regime = Str(allow_none=True, validate=one_of(REGIMES))
    voorschriften = List(Nested(VoorschriftSchema))
    toetsingskader = Str(allow_none=True)
    enforceable = Bool(metadata={"description": "Of de bevinding een last of boete kan dragen: een regime dat geen "
                                                "signaal is en ten minste één voorschrift."})


class NotAssessedSchema(BaseSchema):
    """A rule the engine could not judge, with the missing inputs named."""

    code = Str()
    title = Str()
    room_id = Str(allow_none=True)
    missing = List(Str())
    reason = Str()


finding_schema = FindingSchema()
not_assessed_schema = NotAssessedSchema()
