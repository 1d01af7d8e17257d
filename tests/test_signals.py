"""`signals brp` and the brp-signals job: the terugmelding list for Burgerzaken, as CSV, XLSX and PDF."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any, Iterator

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from reports.signals import COLUMNS, GAP, UNKNOWN
from server.cli import main
from server.jobs import JobContext
from server.signals import gather, job, render, signal_rows
from tests.documents_world import pdf_text
from tests.figures_world import NOW, FiguresWorld

FORBIDDEN = ("naam", "bsn", "burgerservicenummer", "nationaliteit", "geboortedatum", "geslacht", "voornaam")


def row(street: str, number: int, on: str, counted: int, registered: int | None, gap: int | None) -> dict[str, Any]:
    return {"straat": street, "huisnummer": number, "huisletter": None, "toevoeging": None, "postcode": "1431AB",
            "woonplaats": "Aalsmeer", "bag_id": f"035820000000{number:04d}", "inspection_date": on,
            "counted": counted, "registered": registered, "gap": gap,
            "brp_peildatum": "2026-11-01" if registered is not None else None}


# Largest gap first; A3 dated by its visit (25 November), not by its corrections; A2 has no BRP count;
# A5 (gone from the BAG) and A7 (deleted) are not on the list, nor A6 (never counted) or A8 (never inspected).
EXPECTED = [row("Clematisstraat", 1, "2026-12-02", 9, 2, 7), row("Uiterweg", 4, "2025-06-10", 4, 1, 3),
            row("Uiterweg", 3, "2026-11-25", 5, 3, 2), row("Uiterweg", 2, "2026-12-01", 4, None, None)]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FiguresWorld]:
    made = FiguresWorld(tmp_path_factory.mktemp("signals"))
    yield made
    made.close()


@pytest.fixture(scope="module")
def listed(world: FiguresWorld) -> dict[str, Any]:
    return gather(world.db, world.app.config, NOW)


def test_the_list_holds_every_address_with_more_residents_than_registered_largest_gap_first(
        world: FiguresWorld) -> None:
    assert signal_rows(world.db) == EXPECTED


def test_the_csv_opens_in_excel_and_holds_only_counts(listed: dict[str, Any]) -> None:
    raw = render(listed, "csv")
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel reads the accents
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0] == COLUMNS
    assert not [c for c in rows[0] if any(word in c for word in FORBIDDEN)]
    assert rows[1] == ["Clematisstraat", "1", "", "", "1431AB", "Aalsmeer", "0358200000000001", "2026-12-02", "9", "2",
                       "7", "2026-11-01", GAP]
    assert rows[4] == ["Uiterweg", "2", "", "", "1431AB", "Aalsmeer", "0358200000000002", "2026-12-01", "4", "", "", "",
                       UNKNOWN]
    assert len(rows) == 5  # the header and four addresses: nothing else, so an import reads it as it is


def test_the_xlsx_has_the_rni_note_above_a_filterable_table(listed: dict[str, Any]) -> None:
    book = load_workbook(io.BytesIO(render(listed, "xlsx")))
    sheet = book["Terugmelding"]
    assert "meer bewoners geteld dan ingeschreven" in sheet["A1"].value
    assert "RNI (Registratie Niet-ingezetenen)" in sheet["A3"].value and "telt daardoor te laag" in sheet["A3"].value
    assert [c.value for c in sheet[5]] == COLUMNS
    values = [[c.value for c in r] for r in sheet.iter_rows(min_row=6)]
    assert values[0] == ["Clematisstraat", 1, None, None, "1431AB", "Aalsmeer", "0358200000000001",
                         dt.datetime(2026, 12, 2), 9, 2, 7, dt.datetime(2026, 11, 1), GAP]
    assert [v[10] for v in values] == [7, 3, 2, None] and values[3][12] == UNKNOWN
    assert list(sheet.tables) == ["Terugmelding"] and sheet.tables["Terugmelding"].ref == "A5:M9"
    everything = " ".join(str(c.value) for r in sheet.iter_rows() for c in r if c.value is not None).lower()
    assert not [word for word in FORBIDDEN if word in everything]


def test_the_pdf_lists_both_sections_with_the_rni_note(listed: dict[str, Any]) -> None:
    text = pdf_text(render(listed, "pdf"))
    assert "RNI (Registratie Niet-ingezetenen)" in text
    assert "Meer bewoners geteld dan ingeschreven (3 adressen, verschil 12)" in text
    assert "Clematisstraat 1 1431 AB Aalsmeer 0358200000000001 02-12-2026 9 2 7 01-11-2026" in text
    assert "Uiterweg 3 1431 AB Aalsmeer 0358200000000003 25-11-2026 5 3 2 01-11-2026" in text
    assert "Bewoners geteld, geen BRP-aantal bekend (1 adres)" in text
    assert "Uiterweg 2 1431 AB Aalsmeer 0358200000000002 01-12-2026 4 - - -" in text


def test_a_long_list_is_drawn_on_as_many_pages_as_it_needs(listed: dict[str, Any]) -> None:
    many = {**listed, "rows": [{**EXPECTED[0], "straat": f"Een heel lange straatnaam die niet past {i}",
                                "huisnummer": i} for i in range(1, 301)]}
    text = pdf_text(render(many, "pdf"))
    assert "Pagina 1 van " in text and "Pagina 2 van " in text
    assert text.count("0358200000000001") == 300


def cli(*args: str) -> Any:
    return CliRunner().invoke(main, ["signals", "brp", *args])


def test_signals_brp_prints_a_dutch_table_without_options(world: FiguresWorld) -> None:
    result = cli("--data", str(world.data))
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith("Adres") and "Geteld" in lines[0]
    assert lines[1].startswith("Clematisstraat 1, 1431 AB Aalsmeer") and lines[1].split()[-5:] == [
        "2026-12-02", "9", "2", "7", "2026-11-01"]
    assert "3 adressen met meer bewoners dan ingeschreven (verschil 12); 1 adres met bewoners en zonder" \
        in result.output
    assert "RNI" in result.output  # the note, on standard error


def test_signals_brp_writes_each_format_asked_for(world: FiguresWorld, tmp_path: Path) -> None:
    result = cli("--csv", str(tmp_path / "l.csv"), "--xlsx", str(tmp_path / "l.xlsx"), "--pdf",
                 str(tmp_path / "l.pdf"), "--data", str(world.data))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["l.csv", "l.pdf", "l.xlsx"]
    assert (tmp_path / "l.csv").read_bytes().decode("utf-8-sig").count("\r\n") == 5
    assert load_workbook(tmp_path / "l.xlsx")["Terugmelding"]["A6"].value == "Clematisstraat"
    assert (tmp_path / "l.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(("args", "message"), [
    (["--csv", "{tmp}/geen-map/l.csv"], "--csv: de map {tmp}/geen-map bestaat niet."),
    (["--csv", "{tmp}/l.csv", "--xlsx", "{tmp}/geen-map/l.xlsx"], "--xlsx: de map {tmp}/geen-map bestaat niet."),
    (["--pdf", "{tmp}"], "--pdf: {tmp} is een map; geef een bestandsnaam."),
    (["--csv", "{tmp}/l", "--pdf", "{tmp}/l"], "Geef elk formaat een eigen bestand."),
])
def test_bad_output_paths_are_one_dutch_line_and_exit_2_and_write_nothing(
        tmp_path: Path, args: list[str], message: str) -> None:
    result = cli(*[a.format(tmp=tmp_path) for a in args], "--data", str(tmp_path / "data"))
    assert (result.exit_code, result.output) == (2, message.format(tmp=tmp_path) + "\n")
    assert list(tmp_path.iterdir()) == []


def context(world: FiguresWorld, *, now: dt.datetime = NOW, again: bool = False) -> JobContext:
    return JobContext(db=world.db, config=world.app.config, data=world.data, name="brp-signals", period="2026-W50",
                      now=now, actor="job:brp-signals", again=again)


def test_the_job_writes_the_list_in_three_formats_and_a_second_run_changes_nothing(world: FiguresWorld) -> None:
    folder = world.data / "reports"
    first = job(context(world))
    names = ["terugmelding-2026-W50.csv", "terugmelding-2026-W50.xlsx", "terugmelding-2026-W50.pdf"]
    assert first.files == [f"reports/{name}" for name in names] and first.report == "reports/" + names[2]
    assert first.counts == {"written": 1, "kept": 0, "addresses_with_gap": 3, "gap": 12, "without_brp_count": 1}
    assert first.message == ("Terugmeldlijst 2026-W50 gemaakt: 3 adressen met meer bewoners dan ingeschreven "
                             "(verschil 12), 1 adres zonder BRP-aantal.")
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith("terugmelding")) == sorted(names)
    assert {(folder / name).stat().st_mode & 0o777 for name in names} == {0o600}
    csv_rows = list(csv.reader(io.StringIO((folder / names[0]).read_text(encoding="utf-8-sig")), delimiter=";"))
    assert [r[6] for r in csv_rows[1:]] == [r["bag_id"] for r in EXPECTED]
    before = {name: (folder / name).read_bytes() for name in names}
    second = job(context(world, now=NOW + dt.timedelta(hours=2)))
    assert second.counts == {"written": 0, "kept": 1} and "bestaat al" in second.message
    assert {name: (folder / name).read_bytes() for name in names} == before
