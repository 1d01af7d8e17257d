"""Inspection wire schema: what a handhaver records on site."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import ValidationError, validate, validates, validates_schema

from schemas.base import (
    UUID,
    BaseSchema,
    Bool,
    Date,
    DateTime,
    Dict,
    Float,
    Int,
    List,
    Nested,
    Str,
    between,
    matches,
    matches_whole,
    max_length,
    one_of,
)
from schemas.norm_context import residents

KINDS = ("controle", "hercontrole", "melding")
STATUSES = ("draft", "submitted")
ACCESS = ("granted", "refused", "nobody_home")
# verkeersruimte: a hall, stairs or landing, an enclosed space an escape route runs through (sync protocol 2).
ROOM_KINDS = ("bedroom", "living", "kitchen", "bathroom", "toilet", "verkeersruimte", "other")
FLOOR_AREA_SOURCES = ("bag", "gemeten", "opgave")
DETECTOR_TESTS = ("testknop", "rookspray", "visueel")
# Who let the toezichthouder in: a resident. A landlord or beheerder cannot consent for a let dwelling.
CONSENT_BY = ("bewoner", "hoofdbewoner")
PRESENT_ROLES = ("toezichthouder", "tolk", "politie", "verhuurder", "beheerder", "bewoner", "other")
SHA256_RE = re.compile(r"[0-9a-f]{64}")  # whole values only: see matches_whole
# ISO 639-1 codes are two lowercase letters; counts per language spoken.
LANGUAGE_RE = re.compile(r"^[a-z]{2}$")
LANGUAGE_MESSAGE = "Een taalcode is een ISO 639-1-code van twee kleine letters, zoals pl."
MAX_ROOMS = 200

_AREA = between(0, 10000, min_inclusive=False, max_inclusive=False)
_PERSONS = between(0, 500)
_STOREY = between(-5, 49)


def _opt_int(validator: Any) -> Int:
    return Int(allow_none=True, load_default=None, validate=validator)


def _opt_bool() -> Bool:
    return Bool(allow_none=True, load_default=None)


# The evidence fields below came with sync protocol 2. They have no load_default: an
# inspection recorded before them loads to exactly what was stored, and absent means not
# recorded, as null does.

def _new_bool() -> Bool:
    return Bool(allow_none=True)


def _new_text(n: int) -> Str:
    return Str(allow_none=True, validate=max_length(n))


class DwellingSchema(BaseSchema):
    """The dwelling as measured on site."""

    floor_area_m2 = Float(allow_none=True, load_default=None, validate=_AREA)
    storeys = _opt_int(between(1, 50))
    lodging = _opt_bool()
    floor_area_source = Str(allow_none=True, validate=one_of(FLOOR_AREA_SOURCES))


class RoomSchema(BaseSchema):
    """One room: its use, storey (0 = ground floor), area, beds and occupants."""

    id = Str(required=True, validate=[matches(r"^[A-Za-z0-9_-]{1,64}$",
                                              "Een kamer-id is 1 tot 64 letters, cijfers, - of _.")])
    name = Str(allow_none=True, load_default=None, validate=max_length(80))
    kind = Str(required=True, validate=one_of(ROOM_KINDS))
    storey = Int(allow_none=True, load_default=None, validate=_STOREY)
    area_m2 = Float(allow_none=True, load_default=None, validate=between(0, 1000, min_inclusive=False))
    beds = _opt_int(between(0, 100))
    occupants = _opt_int(between(0, 100))
    smoke_detector = _new_bool()  # a working smoke detector in this room


class OccupantsSchema(BaseSchema):
    """Counts of people, never names: present, reported and languages spoken."""

    present = _opt_int(_PERSONS)
    reported = _opt_int(_PERSONS)
    # How many say they fit the Wgv definition of arbeidsmigrant (art. 1): a count, never a nationality.
    arbeidsmigranten = Int(allow_none=True, validate=_PERSONS)
    languages = Dict(keys=Str(validate=matches(LANGUAGE_RE.pattern, LANGUAGE_MESSAGE)),
                     values=Int(validate=_PERSONS), load_default=dict)


class FacilitiesSchema(BaseSchema):
    """Sanitary and cooking facilities."""

    toilets = _opt_int(between(0, 100))
    showers = _opt_int(between(0, 100))
    hobs = _opt_int(between(0, 100))
    washing_machine = _opt_bool()
    lockable_storage = _opt_bool()
    wardrobe_outside_bedroom = _new_bool()


class FireSafetySchema(BaseSchema):
    """The fire-safety checklist."""

    # Kept for older data; the per-room smoke_detector is finer.
    storeys_with_smoke_detector = List(Int(validate=_STOREY), allow_none=True, load_default=None)
    smoke_detectors_tested_by = Str(allow_none=True, validate=one_of(DETECTOR_TESTS))
    fuel_appliance = _opt_bool()
    co_detector = _opt_bool()
    extinguisher_near_kitchen = _opt_bool()
    fire_blanket = _opt_bool()
    escape_route_clear = _opt_bool()
    electrical_overload = _opt_bool()


class TenancySchema(BaseSchema):
    """The lease as seen on site."""

    landlord_stated = _new_text(200)  # who the residents say lets the dwelling; the office makes it a party
    lease_start = Date(allow_none=True, load_default=None)
    lease_concluded_on = Date(allow_none=True)
    lease_separate_from_employment = _opt_bool()
    info_in_own_language = _new_bool()
    info_card_present = _opt_bool()


class ManualFindingSchema(BaseSchema):
    """A finding the handhaver writes down himself."""

    code = Str(required=True, validate=matches(r"^[A-Z][A-Z0-9_]{1,39}$",
                                               "Een code is 2 tot 40 hoofdletters, cijfers of _, zoals VOCHT."))
    description = Str(required=True, validate=[max_length(2000), matches(r"\S", "Mag niet leeg zijn.")])
    room_id = Str(allow_none=True, load_default=None)


class PhotoSchema(BaseSchema):
    """A photo reference: the SHA-256 of its bytes, a caption and its room."""

    sha256 = Str(required=True, validate=matches_whole(SHA256_RE.pattern,
                                                 "Een SHA-256 is 64 tekens 0-9 en a-f."))
    caption = Str(allow_none=True, load_default=None, validate=max_length(500))
    room_id = Str(allow_none=True, load_default=None)
    taken_at = DateTime(allow_none=True)  # the device clock, as data


class EntrySchema(BaseSchema):
    """How the toezichthouder entered: whose consent, legitimation and purpose, or a machtiging."""

    consent_by = Str(allow_none=True, validate=one_of(CONSENT_BY))
    legitimation_shown = _new_bool()
    purpose_stated = _new_bool()
    machtiging = _new_text(200)  # reference of a machtiging tot binnentreden


class PresentSchema(BaseSchema):
    """Who was present, by role and count; officials by user id."""

    role = Str(required=True, validate=one_of(PRESENT_ROLES))
    count = Int(allow_none=True, validate=between(1, 100))
    user_ids = List(UUID(), allow_none=True, validate=validate.Length(max=20, error="Maximaal 20 ambtenaren."))


class StatementSchema(BaseSchema):
    """A statement heard on site, by role, and whether the cautie was given first (Awb 5:10a)."""

    by_role = Str(required=True, validate=one_of(PRESENT_ROLES))
    text = Str(required=True, validate=[max_length(5000), matches(r"\S", "Mag niet leeg zijn.")])
    cautie_given = _new_bool()


def _nested(schema: type[BaseSchema]) -> Nested:
    return Nested(schema, load_default=dict)


class InspectionSchema(BaseSchema):
    """One inspection; submitted, it is evidence and never changes again."""

    id = UUID(required=True)
    version = Int(dump_only=True)
    address_id = UUID(required=True)
    assignment_id = UUID(allow_none=True, load_default=None)
    inspector_id = Str(dump_only=True)
    kind = Str(required=True, validate=one_of(KINDS))
    started_at = DateTime(required=True)
    finished_at = DateTime(allow_none=True, load_default=None)
    status = Str(load_default="draft", validate=one_of(STATUSES))
    access = Str(allow_none=True, load_default=None, validate=one_of(ACCESS))
    dwelling = _nested(DwellingSchema)
    rooms = List(Nested(RoomSchema), load_default=list)
    occupants = _nested(OccupantsSchema)
    facilities = _nested(FacilitiesSchema)
    fire_safety = _nested(FireSafetySchema)
    tenancy = _nested(TenancySchema)
    manual_findings = List(Nested(ManualFindingSchema), load_default=list)
    notes = Str(allow_none=True, load_default=None, validate=max_length(20000))
    photos = List(Nested(PhotoSchema), load_default=list)
    corrects = UUID(allow_none=True, load_default=None)
    entry = Nested(EntrySchema, allow_none=True)
    present = List(Nested(PresentSchema), allow_none=True,
                   validate=validate.Length(max=50, error="Maximaal 50 regels."))
    statements = List(Nested(StatementSchema), allow_none=True,
                      validate=validate.Length(max=100, error="Maximaal 100 verklaringen."))
    attachments_complete = Bool(dump_only=True)
    created_at = DateTime(dump_only=True)
    updated_at = DateTime(dump_only=True)

    @validates("rooms")
    def _check_rooms(self, rooms: list[dict[str, Any]], data_key: str) -> None:
        if len(rooms) > MAX_ROOMS:
            raise ValidationError(f"Maximaal {MAX_ROOMS} kamers.")
        seen: set[str | None] = set()
        for room in rooms:
            room_id = room.get("id")  # missing when the room itself failed validation
            if room_id is not None and room_id in seen:
                raise ValidationError(f"Kamer-id {room_id} komt twee keer voor.")
            seen.add(room_id)

    @validates_schema
    def _check_consistency(self, data: dict[str, Any], **kwargs: Any) -> None:
        errors: dict[str, Any] = {}
        room_ids = {room.get("id") for room in data.get("rooms", [])}
        for key in ("photos", "manual_findings"):
            for i, item in enumerate(data.get(key, [])):
                if item.get("room_id") is not None and item["room_id"] not in room_ids:
                    errors.setdefault(key, {})[i] = {"room_id": ["Onbekende kamer."]}
        storeys = data.get("dwelling", {}).get("storeys")
        if storeys is not None:
            for i, room in enumerate(data.get("rooms", [])):
                if room.get("storey") is not None and room["storey"] >= storeys:
                    errors.setdefault("rooms", {})[i] = {
                        "storey": [f"De woning heeft {storeys} bouwlagen: verdieping 0 tot en met {storeys - 1}."]}
        finished, started = data.get("finished_at"), data.get("started_at")
        if finished is not None and started is not None and finished < started:
            errors["finished_at"] = ["Het einde ligt voor het begin van de inspectie."]
        if data.get("status") == "submitted":
            if data.get("access") is None:
                errors["access"] = ["Vul bij indienen in of er toegang was."]
            if finished is None:
                errors["finished_at"] = ["Vul bij indienen het einde van de inspectie in."]
        if data.get("corrects") is not None and data.get("corrects") == data.get("id"):
            errors["corrects"] = ["Een inspectie kan zichzelf niet corrigeren."]
        for i, present in enumerate(data.get("present") or []):
            if present.get("user_ids") and present.get("role") != "toezichthouder":
                errors.setdefault("present", {})[i] = {"user_ids": ["Alleen bij de rol toezichthouder."]}
        migrants = (data.get("occupants") or {}).get("arbeidsmigranten")
        if migrants is not None:
            counted = residents(data)
            if counted is not None and migrants > counted:
                errors["occupants"] = {"arbeidsmigranten": [f"Meer arbeidsmigranten dan bewoners ({counted})."]}
        if errors:
            raise ValidationError(errors)


inspection_schema = InspectionSchema()
