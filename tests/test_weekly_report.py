"""`report weekly` and the weekly-report job: a PDF with charts whose numbers are those of `report figures`."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path
from typing import Any, Iterator, cast

import pytest
from click.testing import CliRunner
from PIL import Image, ImageStat
from sqlite_utils import Database

from reports.weekly import TITLES
from server.cli import main
from server.figures import figures
from server.jobs import TIMEZONE, JobContext, iso_week, shift_week
from server.weekly import code_titles, job, make
from tests.documents_world import pdf_text
from tests.figures_world import NOW, TODAY, WEEK, FiguresWorld, expected_figures


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FiguresWorld]:
    made = FiguresWorld(tmp_path_factory.mktemp("weekly"))
    yield made
    made.close()


@pytest.fixture(scope="module")
def report(world: FiguresWorld) -> tuple[dict[str, Any], bytes]:
    return make(world.db, world.app.config, WEEK, NOW)


def n(value: int) -> str:
    """Return a count as the report writes it (Dutch thousands separator)."""
    return f"{value:,}".replace(",", ".")


def numbers_in(db: Database, text: str, figures: dict[str, Any]) -> list[str]:
    """Return the report's rows and lines, built from figures, that are missing from the PDF's text."""
    types = figures["addresses"]["by_location_type"]
    labels = {"woonkern": "Woonkern", "lint": "Lint", "bedrijventerrein": "Bedrijventerrein",
              "grootschalig": "Grootschalige locatie", "onbekend": "Onbekend (nog niet vastgesteld)"}
    expected = [f"In week {int(figures['week'][6:])} {n(figures['inspections']['week'])} inspecties, waarvan "
                f"{n(figures['inspections']['no_access_week'])} zonder toegang",
                f"In {figures['week'][:4]} {n(figures['inspections']['year'])} inspecties",
                f"{figures['week']} {n(figures['inspections']['week'])} {n(figures['inspections']['no_access_week'])}"]
    for kind, row in types.items():
        expected.append(f"{labels[kind]} {n(row['total'])} {n(row['verified'])} {n(row['total'] - row['verified'])} "
                        f"{n(row['residents'])} {n(row['residents_verified'])} "
                        f"{n(row['residents'] - row['residents_verified'])}")
        expected.append(f"{labels[kind]} {n(row['residents'])} {n(row['brp_registered'])} {n(row['brp_gap'])}")
    expected += [f"Totaal {n(figures['addresses']['total'])} {n(figures['addresses']['verified'])}",
                 f"Totaal {n(figures['residents']['counted'])} "
                 f"{n(sum(r['brp_registered'] for r in types.values()))} {n(figures['brp']['gap'])}",
                 f"Adressen met meer bewoners dan ingeschreven {n(figures['brp']['addresses_with_gap'])}",
                 f"Verschil (personen) {n(figures['brp']['gap'])}",
                 f"€ {n(figures['brp']['gemeentefonds_eur'])},00", f"€ {n(figures['brp']['registration_cost_eur'])},00",
                 f"Termijnen verlopen zonder vervolgstap {n(figures['cases']['terms_expired'])}"]
    expected += [f"{label} {n(count)}" for label, count in figures["cases"]["by_status"].items()]
    titles = code_titles(db)
    expected += [f"{code} {titles[code]} {n(count)} " for code, count in figures["findings_by_code"].items()]
    return [line for line in expected if line not in text]


def test_the_weekly_report_prints_exactly_the_figures_of_its_week(world: FiguresWorld,
                                                                 report: tuple[dict[str, Any], bytes]) -> None:
    found, pdf = report
    assert found == expected_figures()
    text = pdf_text(pdf)
    assert "Weekrapportage woontoezicht, week 49 van 2026 (30 november 2026 tot en met 6 december 2026)" in text
    assert numbers_in(world.db, text, found) == []
    # The twelve weeks up to the reported one, with the one visit of W42 (A1's first) and W48 (A3's).
    assert "2026-W38 0 0" in text and "2026-W42 1 0" in text and "2026-W48 1 0" in text
    assert "2026-W37" not in text


def test_the_weekly_report_has_its_charts_and_says_what_the_figures_describe(
        report: tuple[dict[str, Any], bytes], tmp_path: Path) -> None:
    _, pdf = report
    text = pdf_text(pdf)
    for title in TITLES.values():
        assert title in text
    assert "Deze cijfers beschrijven de gegevens zoals ze waren op 7 december 2026 09:00" in text
    assert "RNI (Registratie Niet-ingezetenen)" in text and "telt daardoor te laag" in text
    (tmp_path / "w.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "2", str(tmp_path / "w.pdf"),
                    str(tmp_path / "page")], check=True)
    for page in sorted(tmp_path.glob("page*.png")):
        with Image.open(page) as image:
            # A drawn page: the bars (dark blue and orange) are there, not only white paper.
            colours = cast(list[tuple[int, tuple[int, int, int]]], image.convert("RGB").getcolors(1 << 16) or [])
            assert any(abs(r - 0x1F) < 12 and abs(g - 0x5F) < 12 and abs(b - 0x8B) < 12 for _, (r, g, b) in colours)
            assert ImageStat.Stat(image.convert("L")).stddev[0] > 10


def test_the_weekly_report_is_the_same_pdf_for_the_same_data_and_moment(
        world: FiguresWorld, report: tuple[dict[str, Any], bytes]) -> None:
    assert make(world.db, world.app.config, WEEK, NOW)[1] == report[1]


def cli(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def test_report_weekly_writes_the_pdf_whose_numbers_are_those_of_report_figures(
        world: FiguresWorld, tmp_path: Path) -> None:
    out = tmp_path / "week49.pdf"
    made = cli("report", "weekly", "--week", WEEK, "--out", str(out), "--data", str(world.data))
    assert made.exit_code == 0, made.output
    assert "Weekrapportage 2026-W49 geschreven naar" in made.output
    printed = json.loads(cli("report", "figures", "--week", WEEK, "--json", "--data", str(world.data)).output)
    assert numbers_in(world.db, pdf_text(out.read_bytes()), printed) == []
    assert out.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["week49.pdf"]  # no temporary file left beside it


def test_report_weekly_reports_the_past_week_by_default(world: FiguresWorld, tmp_path: Path) -> None:
    made = cli("report", "weekly", "--out", str(tmp_path / "r.pdf"), "--data", str(world.data))
    past = shift_week(iso_week(dt.datetime.now(TIMEZONE).date()), -1)
    assert f"Weekrapportage {past} geschreven" in made.output


@pytest.mark.parametrize(("args", "message"), [
    (["--week", "2026-W54", "--out", "{tmp}/r.pdf"], "--week: Week 2026-W54 bestaat niet."),
    (["--week", "foo", "--out", "{tmp}/r.pdf"], "--week: Geen ISO-week: 'foo' (verwacht zoals 2026-W49)."),
    (["--out", "{tmp}/geen-map/r.pdf"], "--out: de map {tmp}/geen-map bestaat niet."),
    (["--out", "{tmp}"], "--out: {tmp} is een map; geef een bestandsnaam."),
])
def test_bad_input_to_report_weekly_is_one_dutch_line_and_exit_2_and_writes_nothing(
        tmp_path: Path, args: list[str], message: str) -> None:
    result = cli("report", "weekly", *[a.format(tmp=tmp_path) for a in args], "--data", str(tmp_path / "data"))
    assert (result.exit_code, result.output) == (2, message.format(tmp=tmp_path) + "\n")
    assert list(tmp_path.iterdir()) == []  # no data folder, no report


def context(world: FiguresWorld, *, again: bool = False, now: dt.datetime = NOW) -> JobContext:
    return JobContext(db=world.db, config=world.app.config, data=world.data, name="weekly-report", period=WEEK,
                      now=now, actor="job:weekly-report", again=again)


def test_the_job_writes_the_report_and_its_figures_and_a_second_run_changes_nothing(world: FiguresWorld) -> None:
    folder = world.data / "reports"
    first = job(context(world))
    assert first.files == ["reports/cijfers-2026-W49.json", "reports/weekrapport-2026-W49.pdf"]
    assert first.report == "reports/weekrapport-2026-W49.pdf"
    assert first.counts["written"] == 1 and first.message.startswith("Weekrapportage 2026-W49 gemaakt")
    kept = json.loads((folder / "cijfers-2026-W49.json").read_text(encoding="utf-8"))
    assert kept == figures(world.db, WEEK, TODAY, world.app.config)
    pdf = (folder / "weekrapport-2026-W49.pdf").read_bytes()
    assert numbers_in(world.db, pdf_text(pdf), kept) == []
    assert folder.stat().st_mode & 0o777 == 0o700
    assert {p.stat().st_mode & 0o777 for p in folder.iterdir()} == {0o600}
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()}
    # A week later the data differ (later), but the report of W49 is a file: it stays as it was.
    second = job(context(world, now=NOW + dt.timedelta(days=7)))
    assert second.counts == {"written": 0, "kept": 1} and second.files == []
    assert "bestaat al" in second.message
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()} == before


def test_the_job_makes_the_report_again_when_asked(world: FiguresWorld) -> None:
    job(context(world))
    again = job(context(world, again=True, now=NOW + dt.timedelta(hours=1)))
    assert again.counts["written"] == 1
    assert "7 december 2026 10:00" in pdf_text((world.data / "reports" / "weekrapport-2026-W49.pdf").read_bytes())
