"""Party wire schemas: whom letters go to (a person or an organisation), and its role at an address."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import ValidationError, pre_load, validates_schema

from schemas.address import HUISLETTER_RE, TOEVOEGING_RE, normalise_postcode, postcode_error
from schemas.base import (
    UUID,
    BaseSchema,
    Date,
    DateTime,
    Int,
    Nested,
    Str,
    between,
    matches,
    max_length,
    one_of,
)

KINDS = ("natuurlijk_persoon", "rechtspersoon")
ROLES = ("verhuurder", "eigenaar", "beheerder", "verhuurbemiddelaar", "werkgever", "uitzendbureau")
NETHERLANDS = "Nederland"
KVK_RE = re.compile(r"^[0-9]{8}$")
# A practical check, not RFC 5322: one @, something on both sides, a dot in the domain, no spaces.
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
EMAIL_MESSAGE = "Geen geldig e-mailadres, zoals naam@voorbeeld.nl."


def _text(n: int) -> Str:
    return Str(allow_none=True, load_default=None, validate=[max_length(n), matches(r"\S", "Mag niet leeg zijn.")])


def is_netherlands(land: str | None) -> bool:
    """Return whether a postal address's land is the Netherlands (empty counts as such)."""
    return not land or land.strip().casefold() in ("nederland", "nl", "the netherlands", "netherlands")


class PostalAddressSchema(BaseSchema):
    """Where letters go; in the Netherlands the postcode is checked (and normalised to 1431AB)."""

    straat = _text(80)
    huisnummer = Int(allow_none=True, load_default=None, validate=between(1, 99999))
    huisletter = Str(allow_none=True, load_default=None,
                     validate=matches(HUISLETTER_RE.pattern, "Een huisletter is precies één letter."))
    toevoeging = Str(allow_none=True, load_default=None,
                     validate=matches(TOEVOEGING_RE.pattern, "Een huisnummertoevoeging is 1 tot 4 letters of cijfers."))
    postcode = Str(allow_none=True, load_default=None, validate=max_length(12))
    woonplaats = _text(80)
    land = Str(load_default=NETHERLANDS, validate=[max_length(60), matches(r"\S", "Mag niet leeg zijn.")])

    @pre_load
    def _normalise(self, data: Any, **kwargs: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if isinstance(data.get("postcode"), str) and is_netherlands(data.get("land")):
            data["postcode"] = normalise_postcode(data["postcode"])
        for key in ("huisletter", "toevoeging"):
            if isinstance(data.get(key), str):
                data[key] = data[key].upper()
        return data

    @validates_schema
    def _check_postcode(self, data: dict[str, Any], **kwargs: Any) -> None:
        postcode = data.get("postcode")
        if postcode and is_netherlands(data.get("land")):
            message = postcode_error(postcode)
            if message:
                raise ValidationError({"postcode": [message]})


class PartySchema(BaseSchema):
    """A natural person or an organisation letters go to; kvk only for a rechtspersoon."""

    id = UUID(required=True)
    version = Int(dump_only=True)
    kind = Str(required=True, validate=one_of(KINDS))
    name = Str(required=True, validate=[max_length(200), matches(r"\S", "Mag niet leeg zijn.")])
    kvk = Str(allow_none=True, load_default=None,
              validate=matches(KVK_RE.pattern, "Een KvK-nummer is 8 cijfers."))
    postal_address = Nested(PostalAddressSchema, allow_none=True, load_default=None)
    email = Str(allow_none=True, load_default=None, validate=[max_length(254), matches(EMAIL_RE.pattern,
                                                                                     EMAIL_MESSAGE)])
    created_at = DateTime(dump_only=True)
    updated_at = DateTime(dump_only=True)

    @validates_schema
    def _kvk_for_organisations(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("kvk") and data.get("kind") == "natuurlijk_persoon":
            raise ValidationError({"kvk": ["Alleen een rechtspersoon heeft een KvK-nummer."]})


class PartyLinkSchema(BaseSchema):
    """A party's role at an address, from a date until (not including) a date; null: open-ended."""

    party_id = UUID(required=True)
    role = Str(required=True, validate=one_of(ROLES))
    from_ = Date(data_key="from", attribute="from", allow_none=True, load_default=None)
    until = Date(allow_none=True, load_default=None)

    @validates_schema
    def _order(self, data: dict[str, Any], **kwargs: Any) -> None:
        start, end = data.get("from"), data.get("until")
        if start is not None and end is not None and end <= start:
            raise ValidationError({"until": ["Moet na de begindatum (from) liggen."]})


party_schema = PartySchema()
party_link_schema = PartyLinkSchema()
