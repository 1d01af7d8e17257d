"""Norm set files: validation, and the choice by municipality and inspection date."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from schemas import NormSetError, NormSetNotFound, load_norm_sets, select_norm_set
from schemas.judge import inspection_date, judge
from schemas.norm_set import dump_norm_set, parse_norm_set


def variant(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    data = dump_norm_set(copy.deepcopy(base))
    data.update(changes)
    return parse_norm_set(data, "test")


def test_every_shipped_parameter_names_its_source(aalsmeer: dict[str, Any]) -> None:
    for code, rule in aalsmeer["rules"].items():
        assert rule["params"] or rule["source"], code
        for name, param in rule["params"].items():
            assert len(param["source"]) > 20, (code, name)


def test_set_is_chosen_by_municipality_and_latest_valid_from(aalsmeer: dict[str, Any]) -> None:
    snf2025 = variant(aalsmeer, version=2, valid_from="2025-07-01")
    other = variant(aalsmeer, id="haarlemmermeer", gemeentecode="0394", valid_from="2020-01-01")
    sets = [aalsmeer, snf2025, other]
    assert select_norm_set(sets, "0358", dt.date(2025, 6, 30)) is aalsmeer
    assert select_norm_set(sets, "0358", dt.date(2025, 7, 1)) is snf2025
    assert select_norm_set(sets, "0394", dt.date(2025, 1, 1)) is other
    with pytest.raises(NormSetNotFound, match="0358"):
        select_norm_set(sets, "0358", dt.date(2024, 12, 31))
    with pytest.raises(NormSetNotFound, match="0363"):
        select_norm_set(sets, "0363", dt.date(2026, 1, 1))


def test_same_valid_from_takes_the_highest_version(aalsmeer: dict[str, Any]) -> None:
    fixed = variant(aalsmeer, version=3)
    assert select_norm_set([fixed, aalsmeer], "0358", dt.date(2026, 1, 1)) is fixed


def test_inspection_date_is_the_dutch_calendar_date() -> None:
    # 23:30 UTC on 31 December is already New Year's Day in Aalsmeer.
    assert inspection_date({"started_at": "2025-12-31T23:30:00+00:00"}) == dt.date(2026, 1, 1)
    assert inspection_date({"started_at": dt.datetime(2025, 6, 30, 21, 59, tzinfo=dt.UTC)}) == dt.date(2025, 6, 30)


def test_judge_uses_the_set_in_force_on_the_inspection_date(aalsmeer: dict[str, Any],
                                                             compliant: tuple[dict[str, Any], dict[str, Any]]) -> None:
    stricter = copy.deepcopy(dump_norm_set(aalsmeer))
    stricter.update(version=2, valid_from="2026-11-18")
    stricter["rules"]["BEZETTING_SLAAPKAMER"]["params"]["max_per_bedroom"]["value"] = 1
    sets = [aalsmeer, parse_norm_set(stricter, "test")]
    address, inspection = compliant  # inspected on 17 November 2026
    used, result = judge(inspection, address, sets)
    assert used["version"] == 1 and result.findings == []
    used, result = judge(inspection, address, sets, on=dt.date(2026, 11, 18))
    assert used["version"] == 2
    assert [f["norm_set"] for f in result.findings] == [{"id": "aalsmeer", "version": 2}] * 2


@pytest.mark.parametrize(("change", "fragment"), [
    (lambda d: d["rules"].update(ONBEKEND=d["rules"]["BLUSDEKEN"]), "Onbekende regelcode"),
    (lambda d: d["rules"]["BEZETTING_SLAAPKAMER"]["params"].pop("max_per_bedroom"), "ontbreekt"),
    (lambda d: d["rules"]["BEZETTING_SLAAPKAMER"]["params"]["max_per_bedroom"].update(value="twee"),
     "geen geldige waarde"),
    (lambda d: d["rules"]["MAX_BEWONERS"]["params"]["max_by_location_type"].update(value={"lint": -1}),
     "geen geldige waarde"),
    (lambda d: d["rules"]["HUURCONTRACT"]["params"]["applies_from"].update(value="1 juli 2023"),
     "geen geldige waarde"),
    (lambda d: d["rules"]["BLUSDEKEN"].update(source=None), "bron"),
    (lambda d: d["rules"]["BLUSDEKEN"].update(impact=5), "impact"),
    (lambda d: d["rules"]["OVERBEWONING"]["params"]["min_m2_per_person"].pop("source"), "source"),
    (lambda d: d.update(valid_from="2025-13-01"), "valid_from"),
    (lambda d: d.update(gemeentecode=358), "gemeentecode"),
])
def test_malformed_norm_sets_are_refused(aalsmeer: dict[str, Any], change: Any, fragment: str) -> None:
    data = dump_norm_set(copy.deepcopy(aalsmeer))
    change(data)
    with pytest.raises(NormSetError, match=fragment):
        parse_norm_set(data, "test")


def test_extra_folder_adds_sets_and_refuses_duplicates(tmp_path: Path, aalsmeer: dict[str, Any]) -> None:
    newer = dump_norm_set(copy.deepcopy(aalsmeer))
    newer.update(version=3, valid_from="2027-07-01")  # the shipped set has versions 1 and 2
    (tmp_path / "aalsmeer-3.json").write_text(json.dumps(newer), encoding="utf-8")
    assert sorted(s["version"] for s in load_norm_sets([tmp_path])) == [1, 2, 3]
    (tmp_path / "copy.json").write_text(json.dumps(newer), encoding="utf-8")
    with pytest.raises(NormSetError, match="twee keer"):
        load_norm_sets([tmp_path])


def test_unreadable_norm_set_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "kapot.json").write_text("{niet json", encoding="utf-8")
    with pytest.raises(NormSetError, match=r"kapot\.json"):
        load_norm_sets([tmp_path])
