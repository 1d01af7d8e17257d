"""The evidence fields of an inspection (DESIGN.md): optional, checked with Dutch messages, old records unchanged;
and the entry-basis check the rapport prints for the jurist."""

from __future__ import annotations

from typing import Any

import pytest
from marshmallow import ValidationError

from schemas import inspection_schema
from schemas.base import to_wire
from schemas.entry_basis import entry_doubtful, entry_doubts
from tests.conftest import example

EXAMPLES = ("compliant.json", "overbewoond.json", "geen-toegang.json")


def recorded(**changes: Any) -> dict[str, Any]:
    data = example("overbewoond.json")["inspection"]
    data.update(changes)
    return data


TOP_LEVEL = {"entry", "present", "statements"}
NEW_FIELDS = {"floor_area_source", "smoke_detector", "arbeidsmigranten",
              "wardrobe_outside_bedroom", "smoke_detectors_tested_by", "landlord_stated", "lease_concluded_on",
              "info_in_own_language", "taken_at"}


def keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys(v)}
    return set()


@pytest.mark.parametrize("name", EXAMPLES)
def test_an_inspection_recorded_before_the_evidence_fields_gains_none_of_them(name: str) -> None:
    raw = example(name)["inspection"]
    stored = to_wire(inspection_schema.load(raw))
    again = to_wire(inspection_schema.load(stored))  # read back, as a pull or a re-judgement does
    assert not keys(stored) & NEW_FIELDS and not keys(again) & NEW_FIELDS
    assert not set(stored) & TOP_LEVEL and not set(again) & TOP_LEVEL  # occupants.present is another field
    assert again == to_wire(inspection_schema.load(again))


def test_every_evidence_field_is_kept() -> None:
    data = recorded(
        entry={"consent_by": "hoofdbewoner", "legitimation_shown": True, "purpose_stated": True, "machtiging": None},
        present=[{"role": "toezichthouder", "count": 2,
                  "user_ids": ["0b7e3f9a-1c2d-4e5f-8a9b-000000000900"]}, {"role": "tolk", "count": 1}],
        statements=[{"by_role": "bewoner", "text": "Wij betalen 450 euro per bed.", "cautie_given": False}])
    data["rooms"].append({"id": "h1", "name": "Trap", "kind": "verkeersruimte", "storey": 1, "smoke_detector": False})
    data["dwelling"]["floor_area_source"] = "gemeten"
    data["occupants"]["arbeidsmigranten"] = 7
    data["facilities"]["wardrobe_outside_bedroom"] = True
    data["fire_safety"]["smoke_detectors_tested_by"] = "testknop"
    data["tenancy"].update(landlord_stated="De heer Voorbeeld", lease_concluded_on="2024-02-15",
                           info_in_own_language=False)
    data["photos"][0]["taken_at"] = "2026-11-18T19:30:00+01:00"
    loaded = to_wire(inspection_schema.load(data))
    assert loaded["entry"]["consent_by"] == "hoofdbewoner" and loaded["present"][1] == {"role": "tolk", "count": 1}
    assert loaded["statements"][0]["cautie_given"] is False
    assert loaded["rooms"][-1]["kind"] == "verkeersruimte" and loaded["rooms"][-1]["smoke_detector"] is False
    assert loaded["tenancy"]["lease_concluded_on"] == "2024-02-15"
    assert loaded["photos"][0]["taken_at"] == "2026-11-18T19:30:00+01:00"


@pytest.mark.parametrize(("change", "where", "message"), [
    (lambda d: d.update(entry={"consent_by": "verhuurder"}), ("entry", "consent_by"), "bewoner, hoofdbewoner"),
    (lambda d: d.update(entry={"legitimation_shown": "ja"}), ("entry", "legitimation_shown"), "true of false"),
    (lambda d: d.update(entry={"machtiging": "x" * 201}), ("entry", "machtiging"), "Maximaal 200"),
    (lambda d: d.update(present=[{"count": 1}]), ("present", 0, "role"), "Verplicht veld"),
    (lambda d: d.update(present=[{"role": "tolk", "user_ids": ["0b7e3f9a-1c2d-4e5f-8a9b-000000000900"]}]),
     ("present", 0, "user_ids"), "toezichthouder"),
    (lambda d: d.update(present=[{"role": "toezichthouder", "count": 0}]), ("present", 0, "count"), "minstens 1"),
    (lambda d: d.update(statements=[{"by_role": "bewoner", "text": "  "}]), ("statements", 0, "text"), "leeg"),
    (lambda d: d["occupants"].update(arbeidsmigranten=10), ("occupants", "arbeidsmigranten"), "Meer arbeidsmigranten"),
    (lambda d: d["dwelling"].update(floor_area_source="geschat"), ("dwelling", "floor_area_source"), "gemeten"),
    (lambda d: d["fire_safety"].update(smoke_detectors_tested_by="geur"), ("fire_safety", "smoke_detectors_tested_by"),
     "rookspray"),
    (lambda d: d["tenancy"].update(lease_concluded_on="1-7-2023"), ("tenancy", "lease_concluded_on"), "JJJJ-MM-DD"),
    (lambda d: d["photos"][0].update(taken_at="gisteren"), ("photos", 0, "taken_at"), "ISO 8601"),
    (lambda d: d["rooms"][0].update(kind="gang"), ("rooms", 0, "kind"), "verkeersruimte"),
])
def test_bad_evidence_gets_a_dutch_message_at_its_field(change: Any, where: tuple[Any, ...], message: str) -> None:
    data = recorded()
    change(data)
    with pytest.raises(ValidationError) as err:
        inspection_schema.load(data)
    messages: Any = err.value.messages
    for step in where:
        messages = messages[step]
    assert message in " ".join(messages)


def entered(**entry: Any) -> dict[str, Any]:
    return {"access": "granted", "entry": {"legitimation_shown": True, "purpose_stated": True, **entry},
            "present": [{"role": "toezichthouder", "count": 1}, {"role": "bewoner", "count": 3}]}


@pytest.mark.parametrize(("inspection", "doubt"), [
    (entered(consent_by="bewoner"), None),
    (entered(machtiging="Machtiging tot binnentreden 2026-031"), None),
    ({**entered(), "access": "refused"}, None),
    (entered(), "geen machtiging"),
    ({**entered(), "present": [{"role": "verhuurder", "count": 1}]}, "verhuurder kan geen toestemming"),
    ({**entered(consent_by="bewoner"), "present": [{"role": "beheerder"}]}, None),
    (entered(consent_by="bewoner", legitimation_shown=False), "Legitimatie niet getoond"),
    (entered(consent_by="bewoner", legitimation_shown=None), "Niet vastgelegd dat de legitimatie"),
    (entered(consent_by="bewoner", purpose_stated=False), "Doel van het binnentreden niet meegedeeld"),
    ({"access": "granted"}, "geen machtiging"),  # recorded before the entry fields: nothing shows how he got in
])
def test_a_doubtful_entry_basis_is_flagged_with_its_reason(inspection: dict[str, Any], doubt: str | None) -> None:
    doubts = entry_doubts(inspection)
    assert entry_doubtful(inspection) == (doubt is not None)
    if doubt is not None:
        assert any(doubt in line for line in doubts), doubts


def test_an_entry_without_anything_recorded_names_every_missing_step() -> None:
    assert len(entry_doubts({"access": "granted"})) == 3
