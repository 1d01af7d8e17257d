"""`report figures`: the figures of DESIGN.md over a world counted by hand (tests/figures_world.py)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Iterator

import pytest
from click.testing import CliRunner

from server import create_app
from server.cli import main
from server.db import get_db
from server.figures import figures
from server.jobs import TIMEZONE, iso_week
from tests.figures_world import TODAY, WEEK, FiguresWorld, expected_figures


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FiguresWorld]:
    made = FiguresWorld(tmp_path_factory.mktemp("figures"))
    yield made
    made.close()


def found(world: FiguresWorld, week: str = WEEK, today: dt.date = TODAY) -> dict[str, Any]:
    return figures(world.db, week, today, world.app.config)


def test_the_figures_of_the_world_are_exactly_those_counted_by_hand(world: FiguresWorld) -> None:
    assert found(world) == expected_figures()


def test_a_corrected_visit_counts_once_in_the_week_of_the_visit_with_its_last_correction(world: FiguresWorld) -> None:
    # A3 was visited on 25 November (W48); its corrections were made in W49 and count in neither W49 nor twice.
    w48 = found(world, "2026-W48")
    assert w48["inspections"] == {"week": 1, "year": 6, "no_access_week": 0}
    assert found(world)["addresses"]["by_location_type"]["lint"]["residents"] == 5  # the second correction's N


def test_the_latest_inspection_with_access_counts_even_when_a_later_visit_found_nobody_home(
        world: FiguresWorld) -> None:
    bedrijventerrein = found(world)["addresses"]["by_location_type"]["bedrijventerrein"]
    assert (bedrijventerrein["residents"], bedrijventerrein["brp_gap"]) == (4, 3)


def test_the_year_counts_the_calendar_year_of_the_week(world: FiguresWorld) -> None:
    # A4's visit of June 2025 counts in 2025, not in 2026.
    assert found(world, "2025-W24")["inspections"] == {"week": 1, "year": 1, "no_access_week": 0}


def test_the_estimates_follow_the_settings(world: FiguresWorld) -> None:
    brp = figures(world.db, WEEK, TODAY, {**world.app.config, "GEMEENTEFONDS_EUR": 400,
                                          "REGISTRATION_COST_EUR": 100})["brp"]
    assert brp == {"addresses_with_gap": 3, "gap": 12, "gemeentefonds_eur": 4800, "registration_cost_eur": 1200}


def test_a_term_that_ends_today_is_not_yet_expired(world: FiguresWorld) -> None:
    # A1's zienswijze term ended on 20 November: expired from the 21st, not on the 20th itself.
    assert found(world, today=dt.date(2026, 11, 20))["cases"]["terms_expired"] == 0
    assert found(world, today=dt.date(2026, 11, 21))["cases"]["terms_expired"] == 1


def test_an_empty_database_has_figures_of_zero(tmp_path: Path) -> None:
    app = create_app({"DATA": str(tmp_path / "data"), "TESTING": True})
    with app.app_context():
        empty = figures(get_db(), WEEK, TODAY, app.config)
    assert empty["addresses"]["total"] == 0 and empty["residents"] == {"counted": 0}
    assert set(empty["addresses"]["by_location_type"]) == {"woonkern", "lint", "bedrijventerrein", "grootschalig",
                                                            "onbekend"}
    assert empty["brp"] == {"addresses_with_gap": 0, "gap": 0, "gemeentefonds_eur": 0, "registration_cost_eur": 0}
    assert empty["findings_by_code"] == {} and empty["cases"] == {"by_status": {}, "terms_expired": 0}


def run(data: Path, *args: str) -> Any:
    return CliRunner().invoke(main, ["report", "figures", *args, "--data", str(data)])


def test_report_figures_json_prints_the_figures_of_the_chosen_week(world: FiguresWorld) -> None:
    result = run(world.data, "--week", WEEK, "--json")
    assert result.exit_code == 0, result.output
    today = dt.datetime.now(TIMEZONE).date()
    assert json.loads(result.output) == found(world, today=today)


def test_report_figures_counts_the_current_week_by_default(world: FiguresWorld) -> None:
    result = run(world.data, "--json")
    assert json.loads(result.output)["week"] == iso_week(dt.datetime.now(TIMEZONE).date())


def test_report_figures_without_json_is_a_dutch_summary(world: FiguresWorld) -> None:
    result = run(world.data, "--week", WEEK)
    assert result.exit_code == 0
    assert "week 49 van 2026 (30 november 2026 tot en met 6 december 2026)" in result.output
    assert "Adressen: 6, waarvan 4 geverifieerd." in result.output
    assert "Bewoners geteld: 22, waarvan 18 op geverifieerde adressen." in result.output
    assert "verschil 12; geschatte Gemeentefonds-uitkering € 3.900,00" in result.output.replace("\xa0", " ")
    assert "Inspecties: 4 in de week (waarvan 2 zonder toegang), 6 in 2026." in result.output


@pytest.mark.parametrize(("week", "message"), [
    ("2026-W54", "--week: Week 2026-W54 bestaat niet.\n"),
    ("foo", "--week: Geen ISO-week: 'foo' (verwacht zoals 2026-W49).\n"),
    ("2026-49", "--week: Geen ISO-week: '2026-49' (verwacht zoals 2026-W49).\n"),
])
def test_a_bad_week_is_one_dutch_line_and_exit_2_and_writes_nothing(tmp_path: Path, week: str, message: str) -> None:
    data = tmp_path / "nowhere"
    result = run(data, "--week", week, "--json")
    assert (result.exit_code, result.output) == (2, message)
    assert not data.exists()  # not even a database
