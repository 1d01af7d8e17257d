"""The inspections "open a case" offers (server.web.cases.recent_inspections): the newest submitted ones with
findings from which no open case was opened, at most RECENT_INSPECTIONS, past a first batch without findings too."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from server import store
from server.web.cases import RECENT_INSPECTIONS, recent_inspections
from tests.conftest import example
from tests.enforcement_world import VISIT, World


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    world = World(Path(tmp_path_factory.mktemp("recent")))
    yield world
    world.close()


def submitted(world: World, name: str, on: dt.date) -> dict[str, Any]:
    raw = example(name)["inspection"]
    raw.update(id=str(uuid.uuid4()), address_id=world.address["id"], photos=[])
    return world.submit(raw, on=on)


def test_only_newest_inspections_with_findings_and_no_open_case_are_offered(world: World) -> None:
    with_findings = submitted(world, "overbewoond.json", VISIT + dt.timedelta(days=1))
    without = submitted(world, "compliant.json", VISIT + dt.timedelta(days=2))
    offered = [r["id"] for r in recent_inspections()]
    assert with_findings["id"] in offered
    assert without["id"] not in offered
    assert world.case["inspection_id"] not in offered  # its case is open
    store.put(world.db, "case", {**world.fresh(), "status": "afgesloten"}, actor=None)
    assert world.case["inspection_id"] in [r["id"] for r in recent_inspections()]  # no longer once it is closed


def test_past_a_batch_of_newer_ones_without_findings_the_next_with_findings_are_offered(world: World) -> None:
    older = [submitted(world, "overbewoond.json", VISIT + dt.timedelta(days=10 + n))
             for n in range(RECENT_INSPECTIONS + 2)]
    for n in range(RECENT_INSPECTIONS - 5):  # newer, without findings: most of the first batch
        submitted(world, "compliant.json", VISIT + dt.timedelta(days=50 + n))
    offered = recent_inspections()
    assert len(offered) == RECENT_INSPECTIONS
    assert [r["id"] for r in offered] == [r["id"] for r in reversed(older)][:RECENT_INSPECTIONS]
    assert all(r["findings"] >= 1 and r["address"] != "onbekend adres" and r["inspector"] for r in offered)
