"""Address wire schema and the Dutch address validators (postcode, BAG ids)."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import ValidationError, post_load, pre_load, validates

from schemas.base import (
    UUID,
    BaseSchema,
    Bool,
    Date,
    DateTime,
    Float,
    Int,
    List,
    Nested,
    Str,
    between,
    matches,
    max_length,
    one_of,
)

LOCATION_TYPES = ("woonkern", "lint", "bedrijventerrein", "grootschalig")
# Where an address's floor_area_m2 comes from: the BAG's registered area, measured on site, or stated.
FLOOR_AREA_SOURCES = ("bag", "gemeten", "opgave")
# The BAG's adresseerbare objecten: every one has an address and may house people.
OBJECT_TYPES = ("verblijfsobject", "ligplaats", "standplaats")
# Fields that come from the BAG and BRP imports and the office: a tablet neither changes nor sets them.
OFFICE_FIELDS = ("brp_registered", "brp_peildatum", "gebruiksdoel", "bag_floor_area_m2", "bouwjaar", "pand_id",
                 "object_type", "object_id", "nevenadres", "x", "y", "bag_gone_on")

POSTCODE_RE = re.compile(r"^[1-9][0-9]{3}[A-Z]{2}$")
UNUSED_POSTCODE_LETTERS = frozenset({"SA", "SD", "SS"})
BAG_PATTERNS = {
    "nummeraanduiding": re.compile(r"^[0-9]{4}20[0-9]{10}$"),
    "verblijfsobject": re.compile(r"^[0-9]{4}01[0-9]{10}$"),
    "pand": re.compile(r"^[0-9]{4}10[0-9]{10}$"),
    "ligplaats": re.compile(r"^[0-9]{4}02[0-9]{10}$"),
    "standplaats": re.compile(r"^[0-9]{4}03[0-9]{10}$"),
}
HUISLETTER_RE = re.compile(r"^[A-Za-z]$")
TOEVOEGING_RE = re.compile(r"^[A-Za-z0-9]{1,4}$")
GEMEENTECODE_RE = re.compile(r"^[0-9]{4}$")


def normalise_postcode(value: str) -> str:
    """Return the postcode without spaces and in capitals ('1431 ab' -> '1431AB')."""
    return re.sub(r"\s+", "", value).upper()


def postcode_error(value: str) -> str | None:
    """Return a Dutch message when a normalised postcode is invalid, else None."""
    if not POSTCODE_RE.match(value):
        return "Geen geldige postcode: vier cijfers (niet beginnend met 0) en twee letters, zoals 1431AB."
    if value[4:] in UNUSED_POSTCODE_LETTERS:
        return f"Geen geldige postcode: de letters {value[4:]} worden niet gebruikt."
    return None


def bag_id_error(value: Any, kind: str) -> str | None:
    """Return a Dutch message when value is not a BAG id of this kind, else None."""
    if not isinstance(value, str):
        return "Een BAG-id is tekst van 16 cijfers (geen getal: voorloopnullen tellen)."
    if not BAG_PATTERNS[kind].match(value):
        return f"Geen geldig BAG-id voor een {kind}: 16 cijfers volgens het BAG-patroon."
    return None


class PartyRefSchema(BaseSchema):
    """What a tablet receives of a party, inside the address record: its name and role only."""

    name = Str()
    role = Str()


class AddressSchema(BaseSchema):
    """An address to inspect, as it travels over the wire."""

    id = UUID(required=True)
    version = Int(dump_only=True)
    # The patterns in metadata only tell the OpenAPI document the format; the validators below check it.
    bag_id = Str(allow_none=True, load_default=None, error_messages={
        "invalid": "Een BAG-id is tekst van 16 cijfers (geen getal: voorloopnullen tellen)."},
        metadata={"pattern": BAG_PATTERNS["nummeraanduiding"].pattern,
                  "description": "BAG-id van de nummeraanduiding: 16 cijfers."})
    postcode = Str(required=True, metadata={"pattern": r"^\s*[1-9][0-9]{3}\s*[A-Za-z]{2}\s*$",
                                            "description": "Vier cijfers en twee letters, zoals 1431AB; "
                                                           "opgeslagen zonder spatie, in hoofdletters."})
    huisnummer = Int(required=True, validate=between(1, 99999))
    huisletter = Str(allow_none=True, load_default=None,
                     validate=matches(HUISLETTER_RE.pattern, "Een huisletter is precies één letter."))
    toevoeging = Str(allow_none=True, load_default=None,
                     validate=matches(TOEVOEGING_RE.pattern,
                                      "Een huisnummertoevoeging is 1 tot 4 letters of cijfers."))
    straat = Str(required=True, validate=[max_length(80), matches(r"\S", "Mag niet leeg zijn.")])
    woonplaats = Str(required=True, validate=[max_length(80), matches(r"\S", "Mag niet leeg zijn.")])
    gemeentecode = Str(required=True,
                       validate=matches(GEMEENTECODE_RE.pattern, "Een gemeentecode is vier cijfers, zoals 0358."))
    location_type = Str(allow_none=True, load_default=None, validate=one_of(LOCATION_TYPES))
    verified = Bool(load_default=False)
    floor_area_m2 = Float(allow_none=True, load_default=None,
                          validate=between(0, 10000, min_inclusive=False, max_inclusive=False))
    floor_area_source = Str(allow_none=True, load_default=None, validate=one_of(FLOOR_AREA_SOURCES),
                            metadata={"description": "Waar floor_area_m2 vandaan komt: bag (geregistreerd), "
                                                     "gemeten (ter plaatse) of opgave."})
    # What the BAG registers (import bag), kept apart from a measured area so both stay known.
    bag_floor_area_m2 = Float(allow_none=True, load_default=None,
                              validate=between(0, 1_000_000, min_inclusive=False),
                              metadata={"description": "Gebruiksoppervlakte zoals de BAG die registreert."})
    gebruiksdoel = List(Str(validate=max_length(40)), allow_none=True, load_default=None,
                        metadata={"description": "Gebruiksdoelen van het verblijfsobject volgens de BAG."})
    bouwjaar = Int(allow_none=True, load_default=None, validate=between(1000, 9999))
    pand_id = Str(allow_none=True, load_default=None,
                  validate=matches(BAG_PATTERNS["pand"].pattern, "Een pand-id is 16 cijfers volgens het BAG-patroon."))
    object_type = Str(allow_none=True, load_default=None, validate=one_of(OBJECT_TYPES))
    object_id = Str(allow_none=True, load_default=None,
                    validate=matches(r"^[0-9]{4}0[123][0-9]{10}$",
                                     "Een BAG-objectid is 16 cijfers: een verblijfsobject, ligplaats of standplaats."))
    nevenadres = Bool(allow_none=True, load_default=None,
                      metadata={"description": "Een nevenadres van het object (niet zijn hoofdadres)."})
    # RD New (EPSG:28992) coordinates in metres, as the BAG gives them.
    x = Float(allow_none=True, load_default=None, validate=between(-7000, 300000))
    y = Float(allow_none=True, load_default=None, validate=between(289000, 629000))
    bag_gone_on = Date(allow_none=True, load_default=None,
                       metadata={"description": "Sinds deze dag niet meer in de BAG (gemarkeerd, nooit gewist)."})
    # The free-text landlord and employer_or_agency became parties (/api/v1/addresses/<id>/parties);
    # a tablet receives the name and role of each party at the address, never sends them.
    parties = List(Nested(PartyRefSchema), dump_only=True)
    brp_registered = Int(allow_none=True, load_default=None, validate=between(0, 10000))
    brp_peildatum = Date(allow_none=True, load_default=None)
    notes = Str(allow_none=True, load_default=None, validate=max_length(5000))
    created_at = DateTime(dump_only=True)
    updated_at = DateTime(dump_only=True)

    @pre_load
    def _normalise(self, data: Any, **kwargs: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("postcode"), str):
            data = {**data, "postcode": normalise_postcode(data["postcode"])}
        return data

    @validates("postcode")
    def _check_postcode(self, value: str, data_key: str) -> None:
        message = postcode_error(value)
        if message:
            raise ValidationError(message)

    @validates("bag_id")
    def _check_bag_id(self, value: str | None, data_key: str) -> None:
        if value is not None:
            message = bag_id_error(value, "nummeraanduiding")
            if message:
                raise ValidationError(message)

    @post_load
    def _capitalise(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        for key in ("huisletter", "toevoeging"):
            if data.get(key):
                data[key] = data[key].upper()
        return data


address_schema = AddressSchema()
