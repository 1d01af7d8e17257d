"""Every rule code at its boundary, with missing inputs, against the Aalsmeer set."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any, Callable

import pytest

from schemas import address_schema, evaluate, inspection_schema, residents
from schemas.norm_engine import _RULES, RULE_PARAMS
from tests.conftest import example

Case = tuple[dict[str, Any], dict[str, Any]]


def base() -> Case:
    """Return the compliant dwelling: lint, 4 residents, two bedrooms of two."""
    raw = example("compliant.json")
    return address_schema.load(raw["address"]), inspection_schema.load(raw["inspection"])


def codes(address: dict[str, Any], inspection: dict[str, Any], norm_set: dict[str, Any]) -> list[str]:
    return [f["code"] for f in evaluate(inspection, address, norm_set).findings]


def not_assessed(address: dict[str, Any], inspection: dict[str, Any], norm_set: dict[str, Any]) -> dict[str, list[str]]:
    return {n["code"]: n["missing"] for n in evaluate(inspection, address, norm_set).not_assessed}


def test_engine_knows_exactly_the_domain_codes(aalsmeer: dict[str, Any]) -> None:
    domain = {"BEZETTING_SLAAPKAMER", "OPPERVLAKTE_SLAAPKAMER", "OVERBEWONING", "MAX_BEWONERS", "SANITAIR_TOILET",
              "SANITAIR_DOUCHE", "KOOKGELEGENHEID", "ROOKMELDER", "CO_MELDER", "BLUSMIDDEL", "BLUSDEKEN",
              "VLUCHTWEG", "ELEKTRA", "OPBERGRUIMTE", "INFORMATIEKAART", "HUURCONTRACT", "BRP_SIGNAAL"}
    assert set(RULE_PARAMS) == domain == set(_RULES) == set(aalsmeer["rules"])


def test_compliant_dwelling_has_no_findings_and_everything_assessed(aalsmeer: dict[str, Any]) -> None:
    address, inspection = base()
    result = evaluate(inspection, address, aalsmeer)
    assert result.findings == []
    assert result.not_assessed == []
    assert sorted(result.compliant) == sorted(aalsmeer["rules"])
    assert result.residents == 4


def test_overcrowded_example_fires_every_rule_code(aalsmeer: dict[str, Any]) -> None:
    raw = example("overbewoond.json")
    address, inspection = address_schema.load(raw["address"]), inspection_schema.load(raw["inspection"])
    result = evaluate(inspection, address, aalsmeer)
    assert {f["code"] for f in result.findings} == set(aalsmeer["rules"])
    assert result.residents == 9
    for f in result.findings:
        assert f["norm_set"] == {"id": "aalsmeer", "version": 1}
        assert f["legal_basis"] and f["title"] and f["description"]
        assert f["impact"] == aalsmeer["rules"][f["code"]]["impact"]


def bedroom(room_id: str, area: float | None, occupants: int | None, beds: int | None = None,
            storey: int = 1) -> dict[str, Any]:
    return {"id": room_id, "name": None, "kind": "bedroom", "storey": storey, "area_m2": area,
            "beds": beds, "occupants": occupants}


def with_bedrooms(*rooms: dict[str, Any]) -> Callable[[Case], None]:
    def change(case: Case) -> None:
        case[1]["rooms"] = [r for r in case[1]["rooms"] if r["kind"] != "bedroom"] + list(rooms)
    return change


def setting(section: str, key: str, value: Any) -> Callable[[Case], None]:
    def change(case: Case) -> None:
        case[1][section][key] = value
    return change


def address_setting(key: str, value: Any) -> Callable[[Case], None]:
    def change(case: Case) -> None:
        case[0][key] = value
    return change


def people(n: int) -> Callable[[Case], None]:
    """Make N residents: present and reported n, bedrooms holding at most n."""
    def change(case: Case) -> None:
        case[1]["occupants"]["present"] = n
        case[1]["occupants"]["reported"] = n
        for room in case[1]["rooms"]:
            if room["kind"] == "bedroom":
                room["occupants"] = 0
    return change


def both(*changes: Callable[[Case], None]) -> Callable[[Case], None]:
    def change(case: Case) -> None:
        for c in changes:
            c(case)
    return change


# (rule code, change at the norm: compliant, change one over: a finding)
BOUNDARIES = [
    ("BEZETTING_SLAAPKAMER", with_bedrooms(bedroom("a", 20, 2)), with_bedrooms(bedroom("a", 20, 3))),
    ("BEZETTING_SLAAPKAMER", with_bedrooms(bedroom("a", 20, None, beds=2)),
     with_bedrooms(bedroom("a", 20, None, beds=3))),
    ("OPPERVLAKTE_SLAAPKAMER", with_bedrooms(bedroom("a", 7.0, 2)), with_bedrooms(bedroom("a", 6.99, 2))),
    ("OVERBEWONING", both(people(4), setting("dwelling", "floor_area_m2", 48)),
     both(people(4), setting("dwelling", "floor_area_m2", 47.9))),
    ("OVERBEWONING", both(people(4), setting("dwelling", "floor_area_m2", 40), setting("dwelling", "lodging", True)),
     both(people(4), setting("dwelling", "floor_area_m2", 39.9), setting("dwelling", "lodging", True))),
    ("OVERBEWONING", both(people(4), setting("dwelling", "floor_area_m2", None), address_setting("floor_area_m2", 48)),
     both(people(4), setting("dwelling", "floor_area_m2", None), address_setting("floor_area_m2", 47))),
    ("MAX_BEWONERS", both(people(8), address_setting("location_type", "lint")),
     both(people(9), address_setting("location_type", "lint"))),
    ("MAX_BEWONERS", both(people(6), address_setting("location_type", "woonkern")),
     both(people(7), address_setting("location_type", "woonkern"))),
    ("SANITAIR_TOILET", both(people(8), setting("facilities", "toilets", 1)),
     both(people(9), setting("facilities", "toilets", 1))),
    ("SANITAIR_TOILET", both(people(16), setting("facilities", "toilets", 2)),
     both(people(16), setting("facilities", "toilets", 1))),
    ("SANITAIR_DOUCHE", both(people(8), setting("facilities", "showers", 1)),
     both(people(9), setting("facilities", "showers", 1))),
    ("KOOKGELEGENHEID", setting("facilities", "hobs", 4), setting("facilities", "hobs", 3)),
    ("KOOKGELEGENHEID", both(people(10), setting("facilities", "hobs", 5)),
     both(people(11), setting("facilities", "hobs", 5))),
    ("ROOKMELDER", setting("fire_safety", "storeys_with_smoke_detector", [0, 1]),
     setting("fire_safety", "storeys_with_smoke_detector", [0])),
    ("CO_MELDER", both(setting("fire_safety", "fuel_appliance", False), setting("fire_safety", "co_detector", False)),
     both(setting("fire_safety", "fuel_appliance", True), setting("fire_safety", "co_detector", False))),
    ("BLUSMIDDEL", setting("fire_safety", "extinguisher_near_kitchen", True),
     setting("fire_safety", "extinguisher_near_kitchen", False)),
    ("BLUSDEKEN", setting("fire_safety", "fire_blanket", True), setting("fire_safety", "fire_blanket", False)),
    ("VLUCHTWEG", setting("fire_safety", "escape_route_clear", True),
     setting("fire_safety", "escape_route_clear", False)),
    ("ELEKTRA", setting("fire_safety", "electrical_overload", False),
     setting("fire_safety", "electrical_overload", True)),
    ("OPBERGRUIMTE", setting("facilities", "lockable_storage", True), setting("facilities", "lockable_storage", False)),
    ("INFORMATIEKAART", setting("tenancy", "info_card_present", True), setting("tenancy", "info_card_present", False)),
    ("HUURCONTRACT", both(setting("tenancy", "lease_separate_from_employment", False),
                          setting("tenancy", "lease_start", dt.date(2023, 6, 30))),
     both(setting("tenancy", "lease_separate_from_employment", False),
          setting("tenancy", "lease_start", dt.date(2023, 7, 1)))),
    ("BRP_SIGNAAL", both(people(4), address_setting("brp_registered", 4)),
     both(people(5), address_setting("brp_registered", 4))),
]


@pytest.mark.parametrize(("code", "at_norm", "over"), BOUNDARIES,
                         ids=[f"{c}-{i}" for i, (c, _, _) in enumerate(BOUNDARIES)])
def test_rule_is_compliant_at_the_norm_and_a_finding_one_over(
        aalsmeer: dict[str, Any], code: str, at_norm: Callable[[Case], None], over: Callable[[Case], None]) -> None:
    case = base()
    at_norm(case)
    assert code not in codes(*case, aalsmeer)
    assert code not in not_assessed(*case, aalsmeer)
    case = base()
    over(case)
    assert codes(*case, aalsmeer).count(code) == 1


def test_room_rules_give_one_finding_per_room(aalsmeer: dict[str, Any]) -> None:
    case = base()
    with_bedrooms(bedroom("a", 6, 3), bedroom("b", 20, 2), bedroom("c", 6, 4))(case)
    findings = evaluate(case[1], case[0], aalsmeer).findings
    assert [f["room_id"] for f in findings if f["code"] == "BEZETTING_SLAAPKAMER"] == ["a", "c"]
    assert [f["room_id"] for f in findings if f["code"] == "OPPERVLAKTE_SLAAPKAMER"] == ["a", "c"]
    over = next(f for f in findings if f["code"] == "OPPERVLAKTE_SLAAPKAMER")
    assert (over["measured"], over["norm"], over["unit"]) == (2.0, 3.5, "m² per bewoner")


def test_smoke_detector_finding_names_each_storey_without_one(aalsmeer: dict[str, Any]) -> None:
    case = base()
    with_bedrooms(bedroom("a", 10, 1, storey=1), bedroom("b", 10, 1, storey=2))(case)
    setting("fire_safety", "storeys_with_smoke_detector", [1])(case)
    findings = [f for f in evaluate(case[1], case[0], aalsmeer).findings if f["code"] == "ROOKMELDER"]
    assert [f["storey"] for f in findings] == [0, 2]


# (change, rule code that becomes not assessed, input named as missing)
MISSING = [
    (setting("facilities", "toilets", None), "SANITAIR_TOILET", "facilities.toilets"),
    (setting("facilities", "showers", None), "SANITAIR_DOUCHE", "facilities.showers"),
    (setting("facilities", "hobs", None), "KOOKGELEGENHEID", "facilities.hobs"),
    (setting("facilities", "lockable_storage", None), "OPBERGRUIMTE", "facilities.lockable_storage"),
    (setting("fire_safety", "storeys_with_smoke_detector", None), "ROOKMELDER",
     "fire_safety.storeys_with_smoke_detector"),
    (setting("fire_safety", "fuel_appliance", None), "CO_MELDER", "fire_safety.fuel_appliance"),
    (setting("fire_safety", "co_detector", None), "CO_MELDER", "fire_safety.co_detector"),
    (setting("fire_safety", "extinguisher_near_kitchen", None), "BLUSMIDDEL", "fire_safety.extinguisher_near_kitchen"),
    (setting("fire_safety", "fire_blanket", None), "BLUSDEKEN", "fire_safety.fire_blanket"),
    (setting("fire_safety", "escape_route_clear", None), "VLUCHTWEG", "fire_safety.escape_route_clear"),
    (setting("fire_safety", "electrical_overload", None), "ELEKTRA", "fire_safety.electrical_overload"),
    (setting("tenancy", "info_card_present", None), "INFORMATIEKAART", "tenancy.info_card_present"),
    (setting("tenancy", "lease_separate_from_employment", None), "HUURCONTRACT",
     "tenancy.lease_separate_from_employment"),
    (both(setting("tenancy", "lease_separate_from_employment", False), setting("tenancy", "lease_start", None)),
     "HUURCONTRACT", "tenancy.lease_start"),
    (address_setting("brp_registered", None), "BRP_SIGNAAL", "address.brp_registered"),
    (address_setting("location_type", None), "MAX_BEWONERS", "address.location_type"),
    (both(setting("dwelling", "floor_area_m2", None), address_setting("floor_area_m2", None)), "OVERBEWONING",
     "dwelling.floor_area_m2"),
    (with_bedrooms(bedroom("a", None, 2)), "OPPERVLAKTE_SLAAPKAMER", "rooms[].area_m2"),
    (with_bedrooms(bedroom("a", 10, None)), "BEZETTING_SLAAPKAMER", "rooms[].occupants"),
    (with_bedrooms(bedroom("a", 10, 2, storey=None)), "ROOKMELDER", "rooms[].storey"),  # type: ignore[arg-type]
]


@pytest.mark.parametrize(("change", "code", "missing"), MISSING, ids=[f"{c}-{m}" for _, c, m in MISSING])
def test_missing_input_is_not_assessed_never_a_finding_or_a_pass(
        aalsmeer: dict[str, Any], change: Callable[[Case], None], code: str, missing: str) -> None:
    case = base()
    change(case)
    result = evaluate(case[1], case[0], aalsmeer)
    assert code not in [f["code"] for f in result.findings]
    assert code not in result.compliant
    assert missing in {m for n in result.not_assessed if n["code"] == code for m in n["missing"]}


def test_unknown_resident_count_leaves_count_rules_not_assessed(aalsmeer: dict[str, Any]) -> None:
    case = base()
    case[1]["occupants"]["present"] = case[1]["occupants"]["reported"] = None
    with_bedrooms(bedroom("a", 10, None))(case)
    result = evaluate(case[1], case[0], aalsmeer)
    assert result.residents is None
    missing = not_assessed(*case, aalsmeer)
    for code in ("OVERBEWONING", "MAX_BEWONERS", "SANITAIR_TOILET", "SANITAIR_DOUCHE", "BRP_SIGNAAL"):
        assert missing[code] == ["occupants.present", "occupants.reported", "rooms[].occupants"]


def test_residents_is_the_largest_count() -> None:
    _, inspection = base()
    inspection["occupants"] = {"present": 3, "reported": 5, "languages": {}}
    assert residents(inspection) == 5
    inspection["occupants"] = {"present": 3, "reported": None, "languages": {}}
    inspection["rooms"] = [bedroom("a", 10, 2), bedroom("b", 10, None, beds=4), bedroom("c", 10, None)]
    assert residents(inspection) == 6


@pytest.mark.parametrize("access", ["refused", "nobody_home", None])
def test_without_access_nothing_inside_is_assessed(aalsmeer: dict[str, Any], access: str | None) -> None:
    raw = example("overbewoond.json")
    address, inspection = address_schema.load(raw["address"]), inspection_schema.load(
        {**raw["inspection"], "access": access, "status": "draft"})
    result = evaluate(inspection, address, aalsmeer)
    assert result.findings == []
    assert result.compliant == []
    assert {n["code"] for n in result.not_assessed} == set(aalsmeer["rules"])
    assert all(n["missing"] == ["access"] for n in result.not_assessed)


def test_max_bewoners_does_not_apply_on_a_business_park(aalsmeer: dict[str, Any]) -> None:
    case = base()
    both(people(30), address_setting("location_type", "bedrijventerrein"))(case)
    assert "MAX_BEWONERS" not in codes(*case, aalsmeer)
    assert "MAX_BEWONERS" not in not_assessed(*case, aalsmeer)


def test_changed_parameter_moves_the_boundary(aalsmeer: dict[str, Any]) -> None:
    stricter = copy.deepcopy(aalsmeer)
    stricter["rules"]["BEZETTING_SLAAPKAMER"]["params"]["max_per_bedroom"]["value"] = 1
    case = base()
    assert "BEZETTING_SLAAPKAMER" not in codes(*case, aalsmeer)
    assert codes(*case, stricter).count("BEZETTING_SLAAPKAMER") == 2


def test_rule_left_out_of_a_set_is_not_judged(aalsmeer: dict[str, Any]) -> None:
    smaller = copy.deepcopy(aalsmeer)
    del smaller["rules"]["BLUSDEKEN"]
    case = base()
    setting("fire_safety", "fire_blanket", False)(case)
    assert "BLUSDEKEN" in codes(*case, aalsmeer)
    assert "BLUSDEKEN" not in codes(*case, smaller)
