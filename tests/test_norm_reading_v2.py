"""Norm set version 2 of Aalsmeer (reading 2): every corrected rule at its boundaries, and version 1 unchanged."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any, Callable

import pytest

from schemas import address_schema, evaluate, inspection_schema, shipped_norm_sets
from schemas.judge import judge
from schemas.norm_engine import known_codes
from schemas.norm_set import dump_norm_set, parse_norm_set
from tests.conftest import example

Case = tuple[dict[str, Any], dict[str, Any]]
V1_FINDINGS = Path(__file__).parent / "data" / "norm_set_v1_examples.json"


@pytest.fixture(scope="module")
def aalsmeer2() -> dict[str, Any]:
    return next(s for s in shipped_norm_sets() if s["id"] == "aalsmeer" and s["version"] == 2)


def base() -> Case:
    """The compliant dwelling recorded with the new fields: 4 residents, all arbeidsmigranten, detectors per room."""
    raw = example("compliant.json")
    inspection = raw["inspection"]
    inspection["started_at"], inspection["finished_at"] = "2026-12-03T09:30:00+01:00", "2026-12-03T10:15:00+01:00"
    for room in inspection["rooms"]:
        room["smoke_detector"] = room["kind"] in ("living", "bedroom")
    inspection["rooms"].append({"id": "h1", "name": "Overloop", "kind": "verkeersruimte", "storey": 1,
                                "smoke_detector": True})
    inspection["occupants"]["arbeidsmigranten"] = 4
    inspection["facilities"]["wardrobe_outside_bedroom"] = False
    inspection["tenancy"].update(lease_concluded_on="2025-01-20", info_in_own_language=True)
    del inspection["fire_safety"]["storeys_with_smoke_detector"]
    return address_schema.load(raw["address"]), inspection_schema.load(inspection)


def judged(norm_set: dict[str, Any], *changes: Callable[[Case], None]) -> tuple[list[str], dict[str, list[str]]]:
    case = base()
    for change in changes:
        change(case)
    result = evaluate(case[1], case[0], norm_set)
    return [f["code"] for f in result.findings], {n["code"]: n["missing"] for n in result.not_assessed}


def setting(section: str, key: str, value: Any) -> Callable[[Case], None]:
    def change(case: Case) -> None:
        if value is ...:
            case[1][section].pop(key, None)
        else:
            case[1][section][key] = value
    return change


def room(room_id: str, **values: Any) -> Callable[[Case], None]:
    def change(case: Case) -> None:
        target = next(r for r in case[1]["rooms"] if r["id"] == room_id)
        for key, value in values.items():
            if value is ...:
                target.pop(key, None)
            else:
                target[key] = value
    return change


def people(n: int) -> Callable[[Case], None]:
    def change(case: Case) -> None:
        case[1]["occupants"].update(present=n, reported=n, arbeidsmigranten=min(n, 4))
        for r in case[1]["rooms"]:
            if r["kind"] == "bedroom":
                r["occupants"] = 0
    return change


def test_version_2_knows_every_domain_code_and_says_when_it_starts(aalsmeer2: dict[str, Any]) -> None:
    assert aalsmeer2["engine"] == 2 and aalsmeer2["valid_from"] == dt.date(2026, 12, 1)
    assert "1 december 2026" in aalsmeer2["source"]
    assert set(aalsmeer2["rules"]) == known_codes()
    assert all(rule["toetsingskader"] for rule in aalsmeer2["rules"].values())


def test_the_compliant_dwelling_is_compliant_and_fully_assessed_under_version_2(aalsmeer2: dict[str, Any]) -> None:
    address, inspection = base()
    result = evaluate(inspection, address, aalsmeer2)
    assert result.findings == [] and result.not_assessed == []
    assert sorted(result.compliant) == sorted(aalsmeer2["rules"])


def test_an_inspection_from_1_december_2026_is_judged_by_version_2(aalsmeer: dict[str, Any],
                                                                   aalsmeer2: dict[str, Any]) -> None:
    address, inspection = base()
    inspection["started_at"] = dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC)  # 00:30 in Aalsmeer
    used, _ = judge(inspection, address, [aalsmeer, aalsmeer2])
    assert used["version"] == 2
    inspection["started_at"] = dt.datetime(2026, 11, 30, 22, 59, tzinfo=dt.UTC)
    used, _ = judge(inspection, address, [aalsmeer, aalsmeer2])
    assert used["version"] == 1


# (rule code, change at the norm: compliant, change beyond it: a finding)
BOUNDARIES = [
    ("OVERBEWONING", [people(4), setting("dwelling", "floor_area_m2", 48)],
     [people(4), setting("dwelling", "floor_area_m2", 47.9)]),
    ("OVERBEWONING_LOGIES", [people(4), setting("dwelling", "lodging", True), setting("dwelling", "floor_area_m2", 40)],
     [people(4), setting("dwelling", "lodging", True), setting("dwelling", "floor_area_m2", 39.9)]),
    ("ROOKMELDER", [room("r3", smoke_detector=False)],  # r4 on the same storey has one
     [room("r3", smoke_detector=False), room("r4", smoke_detector=False), room("r5", smoke_detector=False),
      room("h1", smoke_detector=False)]),
    ("ROOKMELDER", [room("h1", smoke_detector=True)], [room("h1", smoke_detector=False)]),
    ("HUURCONTRACT", [setting("tenancy", "lease_separate_from_employment", False),
                      setting("tenancy", "lease_concluded_on", dt.date(2023, 6, 30))],
     [setting("tenancy", "lease_separate_from_employment", False),
      setting("tenancy", "lease_concluded_on", dt.date(2023, 7, 1))]),
    ("OPBERGRUIMTE", [setting("facilities", "wardrobe_outside_bedroom", True)],
     [setting("facilities", "wardrobe_outside_bedroom", True), setting("facilities", "lockable_storage", False)]),
    ("WGV_INFORMATIE", [setting("tenancy", "info_in_own_language", True)],
     [setting("tenancy", "info_in_own_language", False)]),
]


@pytest.mark.parametrize(("code", "at_norm", "beyond"), BOUNDARIES,
                         ids=[f"{b[0]}-{i}" for i, b in enumerate(BOUNDARIES)])
def test_each_corrected_rule_is_compliant_at_its_norm_and_a_finding_beyond_it(
        aalsmeer2: dict[str, Any], code: str, at_norm: list[Callable[[Case], None]],
        beyond: list[Callable[[Case], None]]) -> None:
    assert code not in judged(aalsmeer2, *at_norm)[0]
    assert code in judged(aalsmeer2, *beyond)[0]


def test_a_lodging_is_judged_only_by_the_lodging_rule_and_a_dwelling_only_by_the_dwelling_rule(
        aalsmeer2: dict[str, Any]) -> None:
    crowded = [people(8), setting("dwelling", "floor_area_m2", 50)]
    codes = judged(aalsmeer2, *crowded)[0]
    assert "OVERBEWONING" in codes and "OVERBEWONING_LOGIES" not in codes
    codes = judged(aalsmeer2, *crowded, setting("dwelling", "lodging", True))[0]
    assert "OVERBEWONING_LOGIES" in codes and "OVERBEWONING" not in codes


def test_overbewoning_says_where_the_floor_area_came_from(aalsmeer2: dict[str, Any]) -> None:
    case = base()
    people(4)(case)
    case[1]["dwelling"].update(floor_area_m2=40, floor_area_source="gemeten")
    finding = next(f for f in evaluate(case[1], case[0], aalsmeer2).findings if f["code"] == "OVERBEWONING")
    assert "40 m² gebruiksoppervlakte (gemeten) voor 4 bewoners is 10 m² per persoon" in finding["description"]
    case[1]["dwelling"].update(floor_area_m2=None)
    case[0]["floor_area_m2"] = 40
    finding = next(f for f in evaluate(case[1], case[0], aalsmeer2).findings if f["code"] == "OVERBEWONING")
    assert "(volgens het adresgegeven)" in finding["description"]


def test_a_verkeersruimte_without_a_detector_is_a_finding_of_its_own(aalsmeer2: dict[str, Any]) -> None:
    case = base()
    room("h1", smoke_detector=False)(case)
    [finding] = [f for f in evaluate(case[1], case[0], aalsmeer2).findings if f["code"] == "ROOKMELDER"]
    assert finding["room_id"] == "h1" and finding["storey"] == 1
    assert finding["description"] == ("Overloop op de 1e verdieping heeft geen werkende rookmelder; de vluchtroute "
                                      "voert erdoor.")


def test_a_storey_whose_every_room_was_checked_without_a_detector_is_a_finding(aalsmeer2: dict[str, Any]) -> None:
    case = base()
    for room_id in ("r1", "r2"):
        room(room_id, smoke_detector=False)(case)
    [finding] = [f for f in evaluate(case[1], case[0], aalsmeer2).findings if f["code"] == "ROOKMELDER"]
    assert finding["storey"] == 0
    assert finding["description"] == "Begane grond (Woonkamer, Keuken) heeft geen werkende rookmelder."


@pytest.mark.parametrize(("listed", "expect"), [(None, "not_assessed"), ([0, 1], "compliant"), ([1], "finding")])
def test_rooms_not_checked_fall_back_to_the_storey_list(aalsmeer2: dict[str, Any], listed: list[int] | None,
                                                        expect: str) -> None:
    changes = [room(r, smoke_detector=None) for r in ("r1", "r2", "r3", "r4", "r5", "h1")]
    changes.append(setting("fire_safety", "storeys_with_smoke_detector", listed))
    codes, missing = judged(aalsmeer2, *changes)
    assert ("ROOKMELDER" in codes) == (expect == "finding")
    assert ("ROOKMELDER" in missing) == (expect == "not_assessed")
    if expect == "not_assessed":
        assert missing["ROOKMELDER"] == ["rooms[].smoke_detector", "fire_safety.storeys_with_smoke_detector"]


def test_an_inspection_recorded_before_the_new_fields_is_judged_by_its_storey_list(aalsmeer2: dict[str, Any]) -> None:
    raw = example("compliant.json")
    address, inspection = address_schema.load(raw["address"]), inspection_schema.load(raw["inspection"])
    result = evaluate(inspection, address, aalsmeer2)
    assert result.findings == []
    assert "ROOKMELDER" in result.compliant
    assert {n["code"]: n["missing"] for n in result.not_assessed} == {
        "OPBERGRUIMTE": ["facilities.wardrobe_outside_bedroom"],
        "HUURCONTRACT": ["occupants.arbeidsmigranten"], "WGV_INFORMATIE": ["occupants.arbeidsmigranten"]}


@pytest.mark.parametrize("count", [None, 0])
def test_wgv_rules_need_arbeidsmigranten(aalsmeer2: dict[str, Any], count: int | None) -> None:
    changes = [setting("occupants", "arbeidsmigranten", count), setting("tenancy", "info_in_own_language", False),
               setting("tenancy", "lease_separate_from_employment", False)]
    codes, missing = judged(aalsmeer2, *changes)
    assert "HUURCONTRACT" not in codes and "WGV_INFORMATIE" not in codes
    assert ("HUURCONTRACT" in missing) == (count is None) == ("WGV_INFORMATIE" in missing)


def test_huurcontract_is_dated_by_when_the_lease_was_concluded_not_when_it_started(aalsmeer2: dict[str, Any]) -> None:
    separate = setting("tenancy", "lease_separate_from_employment", False)
    before_law = [separate, setting("tenancy", "lease_concluded_on", dt.date(2023, 5, 1)),
                  setting("tenancy", "lease_start", dt.date(2023, 9, 1))]
    assert "HUURCONTRACT" not in judged(aalsmeer2, *before_law)[0]
    codes, missing = judged(aalsmeer2, separate, setting("tenancy", "lease_concluded_on", None))
    assert "HUURCONTRACT" not in codes and missing["HUURCONTRACT"] == ["tenancy.lease_concluded_on"]


def test_opbergruimte_is_not_assessed_until_the_wardrobe_is_recorded(aalsmeer2: dict[str, Any]) -> None:
    codes, missing = judged(aalsmeer2, setting("facilities", "wardrobe_outside_bedroom", ...),
                            setting("facilities", "lockable_storage", False))
    assert "OPBERGRUIMTE" not in codes and missing["OPBERGRUIMTE"] == ["facilities.wardrobe_outside_bedroom"]
    assert "OPBERGRUIMTE" not in judged(aalsmeer2, setting("facilities", "lockable_storage", False))[0]


def test_v2_findings_carry_their_toetsingskader(aalsmeer2: dict[str, Any]) -> None:
    codes = judged(aalsmeer2, setting("tenancy", "info_in_own_language", False))
    assert codes[0] == ["WGV_INFORMATIE"]
    case = base()
    case[1]["tenancy"]["info_in_own_language"] = False
    [finding] = evaluate(case[1], case[0], aalsmeer2).findings
    assert finding["norm_set"] == {"id": "aalsmeer", "version": 2}
    assert "taal" in finding["toetsingskader"]
    assert finding["description"] == ("4 arbeidsmigranten zijn niet schriftelijk geïnformeerd over de rechten en "
                                      "plichten in een taal die zij begrijpen.")


def test_version_1_gives_byte_identical_findings_for_the_examples(aalsmeer: dict[str, Any]) -> None:
    expected = json.loads(V1_FINDINGS.read_text(encoding="utf-8"))  # made by the release before reading 2
    for name, before in expected.items():
        raw = example(name)
        result = evaluate(inspection_schema.load(raw["inspection"]), address_schema.load(raw["address"]), aalsmeer)
        assert json.dumps(result.findings, ensure_ascii=False) == json.dumps(before["findings"], ensure_ascii=False)
        assert result.not_assessed == before["not_assessed"] and result.compliant == before["compliant"]
        assert result.residents == before["residents"]


def test_version_1_ignores_the_new_fields(aalsmeer: dict[str, Any]) -> None:
    raw = example("overbewoond.json")
    address, plain = address_schema.load(raw["address"]), inspection_schema.load(raw["inspection"])
    recorded = copy.deepcopy(plain)
    recorded["rooms"].append({"id": "h1", "name": "Gang", "kind": "verkeersruimte", "storey": 0, "area_m2": None,
                              "beds": None, "occupants": None, "smoke_detector": False})
    recorded["occupants"]["arbeidsmigranten"] = 0
    recorded["facilities"]["wardrobe_outside_bedroom"] = False
    recorded["tenancy"].update(lease_concluded_on=dt.date(2020, 1, 1), info_in_own_language=False)
    assert evaluate(recorded, address, aalsmeer).findings == evaluate(plain, address, aalsmeer).findings


def test_a_set_naming_an_unknown_reading_is_refused(aalsmeer2: dict[str, Any]) -> None:
    data = dump_norm_set(copy.deepcopy(aalsmeer2))
    data["engine"] = 3
    with pytest.raises(Exception, match="engine"):
        parse_norm_set(data, "test")
    data["engine"] = 1  # reading 1 knows no WGV_INFORMATIE
    with pytest.raises(Exception, match="WGV_INFORMATIE"):
        parse_norm_set(data, "test")


def test_the_version_1_file_dumps_as_it_was_stored(aalsmeer: dict[str, Any]) -> None:
    assert "engine" not in dump_norm_set(aalsmeer)
    assert all("toetsingskader" not in r for r in dump_norm_set(aalsmeer)["rules"].values())
