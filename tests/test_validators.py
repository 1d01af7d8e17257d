"""Every validator with good and bad values; Dutch messages; unknown fields refused."""

from __future__ import annotations

from typing import Any

import pytest
from marshmallow import ValidationError

from schemas import address_schema, assignment_schema, inspection_schema
from schemas.address import normalise_postcode
from schemas.base import to_wire
from schemas.errors import flatten_messages
from tests.conftest import example


def address(**changes: Any) -> dict[str, Any]:
    return {**example("compliant.json")["address"], **changes}


def inspection(**changes: Any) -> dict[str, Any]:
    return {**example("compliant.json")["inspection"], **changes}


def errors_of(schema: Any, data: dict[str, Any]) -> dict[str, Any]:
    with pytest.raises(ValidationError) as info:
        schema.load(data)
    messages: dict[str, Any] = info.value.messages  # type: ignore[assignment]
    return messages


@pytest.mark.parametrize(("raw", "normal"), [
    ("1431 ab", "1431AB"), ("1431AB", "1431AB"), (" 1432kd ", "1432KD"), ("1433 he", "1433HE"), ("9999ZZ", "9999ZZ"),
])
def test_good_postcodes_are_normalised(raw: str, normal: str) -> None:
    assert normalise_postcode(raw) == normal
    assert address_schema.load(address(postcode=raw))["postcode"] == normal


@pytest.mark.parametrize("raw", ["0431AB", "143AB", "14311AB", "1431A", "1431SA", "1431 sd", "1431SS", "ABCD12",
                                 "1431-AB", "", "1431ÄB"])
def test_bad_postcodes_are_refused_in_dutch(raw: str) -> None:
    messages = errors_of(address_schema, address(postcode=raw))
    assert messages["postcode"][0].startswith("Geen geldige postcode")


@pytest.mark.parametrize("bag_id", ["0358200000012001", "0000200000000000", "9999209999999999", None])
def test_good_nummeraanduiding_ids(bag_id: str | None) -> None:
    assert address_schema.load(address(bag_id=bag_id))["bag_id"] == bag_id


@pytest.mark.parametrize(("bag_id", "fragment"), [
    (358200000012001, "geen getal"),            # an integer loses the leading zero
    ("358200000012001", "16 cijfers"),          # 15 digits
    ("03582000000120011", "16 cijfers"),        # 17 digits
    ("0358010000012001", "16 cijfers"),         # a verblijfsobject, not a nummeraanduiding
    ("0358100000012001", "16 cijfers"),         # a pand
    ("03582000000120a1", "16 cijfers"),
])
def test_bad_nummeraanduiding_ids(bag_id: Any, fragment: str) -> None:
    assert fragment in errors_of(address_schema, address(bag_id=bag_id))["bag_id"][0]


@pytest.mark.parametrize(("kind", "value", "ok"), [
    ("verblijfsobject", "0358010000012001", True), ("verblijfsobject", "0358200000012001", False),
    ("pand", "0358100000012001", True), ("pand", "0358010000012001", False),
    ("nummeraanduiding", "0358200000012001", True), ("pand", 358100000012001, False),
])
def test_bag_patterns_per_object_kind(kind: str, value: Any, ok: bool) -> None:
    from schemas.address import bag_id_error
    assert (bag_id_error(value, kind) is None) is ok


@pytest.mark.parametrize(("field", "value", "stored"), [
    ("huisnummer", 1, 1), ("huisnummer", 99999, 99999),
    ("huisletter", "a", "A"), ("huisletter", "B", "B"), ("huisletter", None, None),
    ("toevoeging", "2", "2"), ("toevoeging", "bis", "BIS"), ("toevoeging", "A1b2", "A1B2"), ("toevoeging", None, None),
    ("gemeentecode", "0358", "0358"), ("location_type", "grootschalig", "grootschalig"),
    ("floor_area_m2", 0.5, 0.5), ("floor_area_m2", 9999.9, 9999.9), ("brp_registered", 0, 0),
])
def test_good_address_values(field: str, value: Any, stored: Any) -> None:
    assert address_schema.load(address(**{field: value}))[field] == stored


@pytest.mark.parametrize(("field", "value"), [
    ("huisnummer", 0), ("huisnummer", 100000), ("huisnummer", "12"), ("huisnummer", 12.5), ("huisnummer", True),
    ("huisletter", "ab"), ("huisletter", "1"), ("huisletter", ""),
    ("toevoeging", "12345"), ("toevoeging", "a-1"), ("toevoeging", ""),
    ("gemeentecode", "358"), ("gemeentecode", 358), ("location_type", "stad"),
    ("floor_area_m2", 0), ("floor_area_m2", -3), ("floor_area_m2", 10000.1), ("floor_area_m2", "80"),
    ("brp_registered", -1), ("verified", "ja"), ("verified", 1), ("straat", ""), ("straat", "   "),
    ("id", "niet-een-uuid"), ("postcode", None),
])
def test_bad_address_values_get_a_dutch_message(field: str, value: Any) -> None:
    messages = errors_of(address_schema, address(**{field: value}))
    assert list(messages) == [field]
    assert not any(word in str(messages) for word in ("Not a valid", "Missing data", "Invalid"))


def test_unknown_and_missing_fields_are_named() -> None:
    data = address(bsn="123456782")
    del data["straat"]
    messages = errors_of(address_schema, data)
    assert messages == {"bsn": ["Onbekend veld."], "straat": ["Verplicht veld."]}


@pytest.mark.parametrize(("path", "value"), [
    (("dwelling", "floor_area_m2"), 0), (("dwelling", "floor_area_m2"), 10000), (("dwelling", "storeys"), 0),
    (("dwelling", "storeys"), 51), (("occupants", "present"), -1), (("occupants", "present"), 501),
    (("occupants", "reported"), 2.5), (("facilities", "toilets"), -1), (("facilities", "hobs"), "4"),
    (("fire_safety", "co_detector"), "nee"), (("fire_safety", "storeys_with_smoke_detector"), [0, "1"]),
    (("tenancy", "lease_start"), "1-3-2024"), (("tenancy", "lease_start"), "2024-02-30"),
    (("occupants", "languages"), {"pol": 2}), (("occupants", "languages"), {"pl": -1}),
    (("facilities", "sauna"), True), (("dwelling",), "groot"),
])
def test_bad_inspection_sections_are_refused(path: tuple[str, ...], value: Any) -> None:
    data = inspection()
    if len(path) == 1:
        data[path[0]] = value
    else:
        data[path[0]] = {**data[path[0]], path[1]: value}
    messages = errors_of(inspection_schema, data)
    assert path[0] in messages
    lines = flatten_messages(messages)
    assert lines and all(line.startswith(path[0]) for line in lines)


@pytest.mark.parametrize(("room_change", "field"), [
    ({"area_m2": 0}, "area_m2"), ({"area_m2": 1000.5}, "area_m2"), ({"beds": -1}, "beds"),
    ({"occupants": 101}, "occupants"), ({"kind": "garage"}, "kind"), ({"storey": 2}, "storey"),
    ({"id": "kamer 1"}, "id"), ({"naam": "x"}, "naam"),
])
def test_bad_rooms_are_refused(room_change: dict[str, Any], field: str) -> None:
    data = inspection()
    data["rooms"] = [dict(data["rooms"][0], **room_change)] + data["rooms"][1:]
    messages = errors_of(inspection_schema, data)
    assert field in messages["rooms"][0]


def test_good_inspection_loads_with_every_section() -> None:
    loaded = inspection_schema.load(inspection())
    assert loaded["occupants"]["languages"] == {"pl": 3, "ro": 1}
    assert loaded["started_at"].utcoffset() is not None


def test_missing_sections_load_as_empty_not_checked() -> None:
    loaded = inspection_schema.load({"id": "0b7e3f9a-1c2d-4e5f-8a9b-000000000999",
                                     "address_id": "6f1c2a8e-4b7d-4c1e-9a51-1d2b3c4d5e01",
                                     "kind": "controle", "started_at": "2026-11-17T09:30:00Z"})
    assert loaded["status"] == "draft"
    assert loaded["rooms"] == [] and loaded["facilities"] == {} and loaded["photos"] == []


def test_duplicate_room_ids_and_unknown_room_references_are_refused() -> None:
    data = inspection()
    data["rooms"] = data["rooms"] + [dict(data["rooms"][0])]
    assert "twee keer" in errors_of(inspection_schema, data)["rooms"][0]
    data = inspection(photos=[{"sha256": "a" * 64, "caption": "x", "room_id": "r99"}])
    assert errors_of(inspection_schema, data)["photos"] == {0: {"room_id": ["Onbekende kamer."]}}


@pytest.mark.parametrize("sha", ["A" * 64, "a" * 63, "g" * 64, ""])
def test_bad_photo_hashes_are_refused(sha: str) -> None:
    messages = errors_of(inspection_schema, inspection(photos=[{"sha256": sha}]))
    assert "sha256" in messages["photos"][0]


def test_submitted_inspection_needs_access_and_end_time() -> None:
    messages = errors_of(inspection_schema, inspection(access=None, finished_at=None))
    assert set(messages) == {"access", "finished_at"}


def test_end_before_start_is_refused() -> None:
    messages = errors_of(inspection_schema, inspection(finished_at="2026-11-17T08:00:00+01:00"))
    assert messages == {"finished_at": ["Het einde ligt voor het begin van de inspectie."]}


def test_server_set_fields_cannot_be_sent() -> None:
    messages = errors_of(inspection_schema, inspection(inspector_id="u1", version=3))
    assert set(messages) == {"inspector_id", "version"}


@pytest.mark.parametrize(("changes", "field"), [
    ({"week": "2025-W53"}, "week"), ({"week": "2026-47"}, "week"), ({"week": None, "due": None}, "week"),
    ({"kind": "inval"}, "kind"), ({"status": "klaar"}, "status"), ({"due": "morgen"}, "due"),
])
def test_bad_assignments_are_refused(changes: dict[str, Any], field: str) -> None:
    good = {"id": "0b7e3f9a-1c2d-4e5f-8a9b-000000000201", "address_id": "6f1c2a8e-4b7d-4c1e-9a51-1d2b3c4d5e01",
            "inspector_id": "h1", "week": "2026-W47"}
    assert assignment_schema.load(good)["status"] == "open"
    assert field in errors_of(assignment_schema, {**good, **changes})


def test_iso_week_53_exists_in_long_years() -> None:
    good = {"id": "0b7e3f9a-1c2d-4e5f-8a9b-000000000201", "address_id": "6f1c2a8e-4b7d-4c1e-9a51-1d2b3c4d5e01",
            "inspector_id": "h1", "week": "2026-W53"}
    assert assignment_schema.load(good)["week"] == "2026-W53"


@pytest.mark.parametrize("name", ["compliant.json", "overbewoond.json", "geen-toegang.json"])
def test_fast_wire_form_equals_the_schema_dump(name: str) -> None:

    raw = example(name)
    for schema, key in ((inspection_schema, "inspection"), (address_schema, "address")):
        loaded = schema.load(raw[key])
        assert to_wire(loaded) == schema.dump(loaded)
