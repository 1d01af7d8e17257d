"""The deadlines job on an injected clock: ended terms move cases on, hercontroles are planned per last on
working days, and what is late is flagged for the dashboard and cleared once resolved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from server import store
from server.case_steps import hercontrole_submitted
from server.db import rows
from server.deadlines import expired_terms, open_flags, watch
from server.jobs import JobContext
from server.jobs.registry import JOBS
from tests.enforcement_world import VISIT, World

D = dt.timedelta


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(tmp_path)
    yield w
    w.close()


def hercontroles(world: World) -> list[dict[str, Any]]:
    return store.select(world.db, "assignment", "address_id = ?", [world.address["id"]], order="due")


def planned(world: World) -> list[dict[str, Any]]:
    return [a for a in hercontroles(world) if a.get("kind") == "hercontrole"]


def flags(world: World) -> list[tuple[str, str]]:
    return [(f["kind"], f["code"]) for f in open_flags(world.db)]


def visit_for(world: World, assignment: dict[str, Any], on: dt.date, **changes: Any) -> dict[str, Any]:
    """Submit a hercontrole for a planned assignment, as a push does (the assignment done, its lasten decided)."""
    inspection = world.hercontrole(on, assignment_id=assignment["id"], **changes)
    current = store.get(world.db, "assignment", assignment["id"])
    assert current is not None
    done = store.put(world.db, "assignment", {**current, "status": "done"}, actor=world.handhaver["id"])
    hercontrole_submitted(world.db, inspection, done, world.handhaver)
    return inspection


def test_an_ended_zienswijze_term_makes_the_case_ready_for_a_besluit_once(world: World) -> None:
    world.sent("voornemen_lod", VISIT + D(days=2))  # Friday 20 November: the term runs to 4 December
    assert expired_terms(world.db, dt.date(2026, 12, 4)) == []
    assert watch(world.db, dt.date(2026, 12, 4))["ready_for_besluit"] == 0
    assert [t["kind"] for t in expired_terms(world.db, dt.date(2026, 12, 5))] == ["zienswijze"]
    counts = watch(world.db, dt.date(2026, 12, 5))
    assert counts["ready_for_besluit"] == 1
    case = world.fresh()
    assert case["tracks"]["lod"]["state"] == "gereed_voor_besluit"
    event = rows(world.db, "SELECT * FROM case_events WHERE case_id = ? AND action = 'zienswijzetermijn_verstreken'",
                 [case["id"]])
    assert len(event) == 1 and event[0]["effective_on"] == "2026-12-05" and event[0]["user_id"] == "job:deadlines"
    version = case["version"]
    assert watch(world.db, dt.date(2026, 12, 5))["ready_for_besluit"] == 0  # the same day again: nothing changes
    assert world.fresh()["version"] == version
    assert expired_terms(world.db, dt.date(2026, 12, 6)) == []


def test_every_last_gets_its_hercontrole_on_the_working_day_after_its_term_and_one_visit_per_day(
        world: World) -> None:
    world.sent("voornemen_lod", VISIT + D(days=2))
    # Terms: VLUCHTWEG 7 days (to Monday 14 December), ROOKMELDER and HUURCONTRACT made to end on one day.
    world.sent("besluit_lod", dt.date(2026, 12, 7), lasten={"HUURCONTRACT": {"begunstigingstermijn_days": 14}})
    assert watch(world.db, dt.date(2026, 12, 14))["hercontroles_planned"] == 0  # the term's last day
    assert watch(world.db, dt.date(2026, 12, 15))["hercontroles_planned"] == 1
    first = planned(world)
    assert [(a["due"], a["inspector_id"], a["case_id"]) for a in first] == [
        ("2026-12-15", world.handhaver["id"], world.case["id"])]
    assert "VLUCHTWEG" in first[0]["instructions"]
    watch(world.db, dt.date(2026, 12, 15))
    assert len(planned(world)) == 1  # a second run of the day plans nothing more
    counts = watch(world.db, dt.date(2026, 12, 22))  # ROOKMELDER and HUURCONTRACT ended Monday 21 December
    assert counts["hercontroles_planned"] == 2
    later = [a for a in planned(world) if a["due"] == "2026-12-22"]
    assert len(later) == 1  # both lasten due that day: one visit
    assert "HUURCONTRACT" in later[0]["instructions"] and "ROOKMELDER" in later[0]["instructions"]
    case = world.fresh()
    assert {x["code"]: x["hercontrole"]["assignment_id"] for x in case["lasten"]} == {
        "VLUCHTWEG": first[0]["id"], "ROOKMELDER": later[0]["id"], "HUURCONTRACT": later[0]["id"]}
    # The VLUCHTWEG visit of 15 December was not done: flagged as late, cleared once it is done.
    assert ("hercontrole_te_laat", "VLUCHTWEG") in flags(world)
    visit_for(world, first[0], dt.date(2026, 12, 23))
    watch(world.db, dt.date(2026, 12, 23))
    assert ("hercontrole_te_laat", "VLUCHTWEG") not in flags(world)
    cleared = rows(world.db, "SELECT cleared_on FROM deadline_flags WHERE kind = 'hercontrole_te_laat' AND code = "
                             "'VLUCHTWEG'")
    assert cleared == [{"cleared_on": "2026-12-23"}]


def test_a_hercontrole_planned_late_is_planned_from_today_not_in_the_past(world: World) -> None:
    world.sent("voornemen_lod", VISIT + D(days=2))
    world.sent("besluit_lod", dt.date(2026, 12, 7))
    watch(world.db, dt.date(2026, 12, 26))  # the job did not run for two weeks; Saturday 26 December (2e Kerstdag)
    assert {a["due"] for a in planned(world)} == {"2026-12-28"}  # the first working day from then


def test_a_hercontrole_waits_unassigned_on_the_dashboard_when_its_toezichthouder_is_gone(world: World) -> None:
    world.sent("voornemen_lod", VISIT + D(days=2))
    world.sent("besluit_lod", dt.date(2026, 12, 7))
    world.db.execute("UPDATE users SET disabled_at = '2026-12-10T09:00:00+00:00' WHERE id = ?",
                     [world.handhaver["id"]])
    counts = watch(world.db, dt.date(2026, 12, 15))
    assert counts["hercontroles_planned"] == 0 and planned(world) == []
    assert ("hercontrole_niet_toegewezen", "VLUCHTWEG") in flags(world)
    message = next(f["message"] for f in open_flags(world.db) if f["kind"] == "hercontrole_niet_toegewezen")
    assert world.case["number"] in message and "14 december 2026" in message
    assert [t["kind"] for t in expired_terms(world.db, dt.date(2026, 12, 15))] == ["begunstigingstermijn"]
    world.db.execute("UPDATE users SET disabled_at = NULL WHERE id = ?", [world.handhaver["id"]])
    world.step("hercontrole_gepland", dt.date(2026, 12, 15), code="VLUCHTWEG", inspector_id=world.handhaver["id"])
    watch(world.db, dt.date(2026, 12, 15))
    assert flags(world) == [] and expired_terms(world.db, dt.date(2026, 12, 15)) == []


def test_the_wgv_track_gets_its_hercontrole_and_the_5_51_term_is_flagged_before_and_after_it_ends(
        world: World) -> None:
    world.sent("waarschuwing", VISIT + D(days=2), codes=["HUURCONTRACT"])
    end = dt.date.fromisoformat(world.fresh()["tracks"]["wgv"]["herstel_end"])
    assert [t["kind"] for t in expired_terms(world.db, end + D(days=1))] == ["hersteltermijn"]
    watch(world.db, end + D(days=1))
    [assignment] = planned(world)
    assert world.fresh()["tracks"]["wgv"]["state"] == "hercontrole"
    visit_for(world, assignment, end + D(days=3))  # the violation is still there: nog_aanwezig by the push's hook
    assert world.fresh()["lasten"][2]["states"]["wgv"] == "nog_aanwezig"
    world.sent("voornemen_boete", end + D(days=4), lasten={"HUURCONTRACT": {"boete_amount": "5000"}})
    deadline = dt.date.fromisoformat(world.fresh()["tracks"]["wgv"]["beslistermijn_end"])
    watch(world.db, deadline - D(days=20))
    assert flags(world) == []
    watch(world.db, deadline - D(days=3))
    assert flags(world) == [("beslistermijn_nadert", "")]
    watch(world.db, deadline + D(days=1))
    assert flags(world) == [("beslistermijn_verstreken", "")]
    assert [t["kind"] for t in expired_terms(world.db, deadline + D(days=1))] == ["beslistermijn"]
    assert "artikel 5:51 Awb" in open_flags(world.db)[0]["message"]


def test_the_deadlines_job_answers_with_its_counts_in_dutch(world: World) -> None:
    world.sent("voornemen_lod", VISIT + D(days=2))
    ctx = JobContext(db=world.db, config=world.app.config, data=Path(world.app.config["DATA"]), name="deadlines",
                     period="2026-12-05", now=dt.datetime(2026, 12, 5, 6, 0, tzinfo=dt.UTC), actor="job:deadlines")
    outcome = JOBS["deadlines"].function()(ctx)
    assert outcome.counts["ready_for_besluit"] == 1
    assert outcome.message.startswith("1 open zaak bekeken; 1 gereed voor het besluit; 0 hercontroles gepland")
