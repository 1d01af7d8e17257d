"""The dashboard's terms of the week (server.dashboard.terms_of_week), read from only the cases' tracks and lasten,
are the terms server.deadlines.ended_terms finds in the whole records of the open cases, one release old ones too."""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from server import store
from server.cases import upgraded
from server.dashboard import TERM_KINDS, terms_of_week, week_bounds
from server.deadlines import ended_terms
from tests.enforcement_world import VISIT, World

TODAY = dt.date(2026, 12, 9)  # a Wednesday: next Monday is 14 December


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    world = World(Path(tmp_path_factory.mktemp("terms")))
    base = world.fresh()
    variants: list[dict[str, Any]] = []

    def lod(state: str, **track: Any) -> dict[str, Any]:
        return {"lod": {"state": state, **track}}

    last = copy.deepcopy(base["lasten"][0]) if base.get("lasten") else {"code": "ROOKMELDER", "tracks": ["lod"]}
    variants.append({"tracks": lod("voornemen", zienswijze_end="2026-12-01")})  # ended
    variants.append({"tracks": lod("voornemen", zienswijze_end="2026-12-12")})  # ends this week
    variants.append({"tracks": lod("voornemen", zienswijze_end="2026-12-20")})  # later: not shown
    variants.append({"tracks": lod("besluit"), "lasten": [{**last, "states": {"lod": "open"},
                                                           "term": {"end": "2026-12-03"}}]})
    variants.append({"tracks": lod("besluit"), "lasten": [{**last, "states": {"lod": "open"}, "term": {
        "end": "2026-12-03"}, "hercontrole": {"due": "2026-12-04"}}]})  # its hercontrole is planned: not shown
    variants.append({"tracks": {"wgv": {"state": "waarschuwing"}}, "lasten": [
        {**last, "tracks": ["wgv"], "wgv": {"herstel_end": "2026-12-10"}},
        {**last, "code": "TWEEDE", "tracks": ["wgv"], "wgv": {"herstel_end": "2026-11-30"}}]})
    variants.append({"tracks": {"wgv": {"state": "voornemen_boete", "beslistermijn_end": "2026-12-08"}}})
    variants.append({"tracks": None, "lasten": None})
    variants.append({"tracks": lod("voornemen", zienswijze_end="2026-12-01"), "status": "afgesloten"})
    for n, changes in enumerate(variants):
        record = {**{k: v for k, v in base.items() if k not in ("version", "created_at", "updated_at")},
                  "id": str(uuid.uuid4()), "number": f"HH-2026-9{n:03d}", "lasten": [], **changes}
        store.put(world.db, "case", record, actor=None)
    # A case of the release before lasten and tracks: its old state and violations say where it stands.
    old = {k: v for k, v in base.items() if k not in ("version", "created_at", "updated_at", "lasten", "tracks",
                                                       "signalen", "result")}
    store.put(world.db, "case", {**old, "id": str(uuid.uuid4()), "number": "HH-2026-9900", "status": "open",
                                 "opened_on": VISIT.isoformat()}, actor=None)
    yield world
    world.close()


def from_whole_records(world: World, today: dt.date) -> list[dict[str, Any]]:
    monday = week_bounds(today)[2] + dt.timedelta(days=1)
    out = [{"case_id": t.case_id, "number": t.number, "kind": TERM_KINDS.get(t.kind, t.kind), "code": t.code,
            "end": t.end, "ended": t.end < today, "follows": t.follows}
           for case in store.select(world.db, "case", "status = 'open'", order="number")
           for t in ended_terms(upgraded(case), monday)]
    return sorted(out, key=lambda t: (t["end"], t["number"]))


def test_the_week_terms_are_those_ended_terms_finds_in_the_whole_open_cases(world: World) -> None:
    terms, ids = terms_of_week(world.db, TODAY)
    assert terms == from_whole_records(world, TODAY)
    kinds = {(t["number"], t["kind"], t["ended"]) for t in terms}
    assert ("HH-2026-9000", "Zienswijzetermijn", True) in kinds
    assert ("HH-2026-9001", "Zienswijzetermijn", False) in kinds
    assert ("HH-2026-9003", "Begunstigingstermijn", True) in kinds
    assert ("HH-2026-9005", "Hersteltermijn van de waarschuwing", False) in kinds  # the latest of its lasten's ends
    assert ("HH-2026-9006", "Beslistermijn bestuurlijke boete (art. 5:51 Awb)", True) in kinds
    assert not any(t["number"] in ("HH-2026-9002", "HH-2026-9004", "HH-2026-9008") for t in terms)
    assert {t["case_id"] for t in terms} <= set(ids)


def test_a_case_of_the_release_before_tracks_is_judged_in_its_upgraded_form(world: World) -> None:
    terms, ids = terms_of_week(world.db, dt.date(2027, 6, 2))
    assert terms == from_whole_records(world, dt.date(2027, 6, 2))
    old = store.select(world.db, "case", "number = 'HH-2026-9900'")[0]
    assert old["id"] in ids
