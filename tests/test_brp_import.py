"""import brp and the import-brp job: registered counts per address, only counts, all or nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from server.app import create_app
from server.brp_import import job
from server.db import get_db
from server.jobs import TIMEZONE, JobContext, JobFailed
from tests.import_files import addresses, bag_row, bag_text, cli, dump, write

NOW = dt.datetime(2026, 3, 2, 2, 30, tzinfo=TIMEZONE)
ONE, TWO, THREE = "0358200000000001", "0358200000000002", "0358200000000003"


def with_addresses(tmp_path: Path, *extra: dict[str, str]) -> tuple[Flask, Path]:
    """A data folder with three Aalsmeer addresses (1431AB 1, 2 and 3a), imported from the BAG."""
    data = tmp_path / "data"
    app = create_app({"DATA": str(data)})
    file = write(tmp_path / "bag.csv", bag_text([bag_row(1), bag_row(2), bag_row(3, huisletter="A"), *extra]))
    assert cli(data, "import", "bag", str(file)).exit_code == 0
    return app, data


def counts(data: Path) -> dict[str, tuple[Any, Any]]:
    return {key: (a["brp_registered"], a["brp_peildatum"]) for key, a in addresses(data).items()}


def test_counts_by_nummeraanduiding_are_stored_with_their_peildatum(tmp_path: Path) -> None:
    _, data = with_addresses(tmp_path)
    file = write(tmp_path / "brp.csv", f"nummeraanduiding;aantal\n{ONE};4\n358200000000002;0\n")
    done = cli(data, "import", "brp", str(file), "--peildatum", "2026-02-27")
    assert done.exit_code == 0, done.stderr
    assert "Gewijzigd: 2, ongewijzigd: 0, zonder bekend adres: 0" in done.stdout
    assert counts(data) == {ONE: (4, "2026-02-27"), TWO: (0, "2026-02-27"), THREE: (None, None)}


def test_counts_by_postcode_and_number_match_letter_and_toevoeging(tmp_path: Path) -> None:
    _, data = with_addresses(tmp_path)
    file = write(tmp_path / "brp.csv", "postcode;huisnummer;huisletter;toevoeging;aantal;peildatum\n"
                                       "1431 ab;3;a;;5;2026-02-27\n1431AB;2;;;1;20260227\n")
    assert cli(data, "import", "brp", str(file)).exit_code == 0
    assert counts(data) == {ONE: (None, None), TWO: (1, "2026-02-27"), THREE: (5, "2026-02-27")}


def test_the_peildatum_column_goes_before_the_option(tmp_path: Path) -> None:
    _, data = with_addresses(tmp_path)
    file = write(tmp_path / "brp.csv", f"nummeraanduiding;aantal;peildatum\n{ONE};4;2026-02-20\n{TWO};2;\n")
    assert cli(data, "import", "brp", str(file), "--peildatum", "2026-02-27").exit_code == 0
    assert counts(data)[ONE] == (4, "2026-02-20") and counts(data)[TWO] == (2, "2026-02-27")


def test_unmatched_rows_are_listed_and_other_addresses_keep_their_count(tmp_path: Path) -> None:
    _, data = with_addresses(tmp_path)
    first = write(tmp_path / "a.csv", f"nummeraanduiding;aantal\n{ONE};4\n{TWO};3\n")
    assert cli(data, "import", "brp", str(first), "--peildatum", "2026-02-20").exit_code == 0
    file = write(tmp_path / "b.csv", f"nummeraanduiding;aantal\n{ONE};6\n0358200000000099;2\n")
    done = cli(data, "import", "brp", str(file), "--peildatum", "2026-02-27")
    assert done.exit_code == 0
    assert "Regel 3: geen adres met nummeraanduiding 0358200000000099" in done.stderr
    assert "zonder bekend adres: 1" in done.stdout
    assert counts(data) == {ONE: (6, "2026-02-27"), TWO: (3, "2026-02-20"), THREE: (None, None)}
    report = Path(done.stderr.strip().splitlines()[-1].removeprefix("Rapport: "))
    assert "Regel 3: geen adres met nummeraanduiding 0358200000000099" in report.read_text(encoding="utf-8")


def test_full_sets_every_other_address_of_the_municipality_to_zero(tmp_path: Path) -> None:
    _, data = with_addresses(tmp_path, bag_row(9, gemeente="Amstelveen", nummeraanduiding="0362200000000009"))
    first = write(tmp_path / "a.csv", f"nummeraanduiding;aantal\n{ONE};4\n{TWO};3\n")
    assert cli(data, "import", "brp", str(first), "--peildatum", "2026-02-20").exit_code == 0
    file = write(tmp_path / "b.csv", f"nummeraanduiding;aantal\n{ONE};5\n")
    done = cli(data, "import", "brp", str(file), "--full", "--peildatum", "2026-02-27")
    assert "op 0 gezet: 2" in done.stdout
    assert counts(data) == {ONE: (5, "2026-02-27"), TWO: (0, "2026-02-27"), THREE: (0, "2026-02-27")}


def test_a_count_older_than_the_known_peildatum_is_not_applied(tmp_path: Path) -> None:
    _, data = with_addresses(tmp_path)
    assert cli(data, "import", "brp", str(write(tmp_path / "new.csv", f"nummeraanduiding;aantal\n{ONE};4\n")),
               "--peildatum", "2026-02-27").exit_code == 0
    done = cli(data, "import", "brp", str(write(tmp_path / "old.csv", f"nummeraanduiding;aantal\n{ONE};9\n")),
               "--peildatum", "2026-01-30")
    assert "ouder dan de bekende peildatum: 1" in done.stdout
    assert counts(data)[ONE] == (4, "2026-02-27")


def test_the_same_file_twice_changes_nothing(tmp_path: Path) -> None:
    _, data = with_addresses(tmp_path)
    file = write(tmp_path / "brp.csv", f"nummeraanduiding;aantal;peildatum\n{ONE};4;2026-02-27\n")
    assert cli(data, "import", "brp", str(file)).exit_code == 0
    before = dump(data)
    assert "Gewijzigd: 0, ongewijzigd: 1" in cli(data, "import", "brp", str(file)).stdout
    assert dump(data) == before


BAD = [
    ("count -1", f"nummeraanduiding;aantal\n{ONE};2\n{TWO};-1\n", ["Regel 3:", "aantal '-1'"]),
    ("not a number", f"nummeraanduiding;aantal\n{ONE};twee\n", ["Regel 2:", "aantal 'twee'"]),
    ("bad postcode", "postcode;huisnummer;huisletter;toevoeging;aantal\n1431 S;1;;;2\n", ["Regel 2:", "postcode"]),
    ("not a nummeraanduiding", f"nummeraanduiding;aantal\n{ONE};1\n0358010000000002;1\n",
     ["Regel 3:", "geen nummeraanduiding"]),
    ("the same address twice", f"nummeraanduiding;aantal\n{ONE};1\n358200000000001;2\n", ["Regel 3:", "regel 2"]),
    ("a bad peildatum", f"nummeraanduiding;aantal;peildatum\n{ONE};1;27-02-2026\n", ["Regel 2:", "peildatum"]),
    ("a peildatum in the future", f"nummeraanduiding;aantal;peildatum\n{ONE};1;2999-01-01\n",
     ["Regel 2:", "in de toekomst"]),
    ("no peildatum", f"nummeraanduiding;aantal\n{ONE};1\n", ["Regel 1:", "--peildatum"]),
    ("unknown column", f"nummeraanduiding;aantal;opmerking\n{ONE};1;x\n", ["Regel 1:", "onbekende kolom opmerking"]),
    ("a column missing", "postcode;huisnummer;aantal\n1431AB;1;2\n", ["Regel 1:", "huisletter, toevoeging"]),
    ("commas", f"nummeraanduiding,aantal\n{ONE},1\n", ["Regel 1:", "komma's"]),
    ("latin-1", "postcode;huisnummer;huisletter;toevoeging;aantal\n1431AB;1;;é;2\n".encode("latin-1"),
     ["Regel 2:", "UTF-8"]),
    ("empty", "", ["leeg"]),
    ("header only", "nummeraanduiding;aantal\n", ["Regel 2:", "alleen de kopregel"]),
]


@pytest.mark.parametrize(("name", "text", "says"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_file_stores_nothing_and_names_the_line(tmp_path: Path, name: str, text: str | bytes,
                                                      says: list[str]) -> None:
    _, data = with_addresses(tmp_path)
    before = dump(data)
    extra = [] if name == "no peildatum" or "peildatum" in (text if isinstance(text, str) else "") else [
        "--peildatum", "2026-02-27"]
    done = cli(data, "import", "brp", str(write(tmp_path / "brp.csv", text)), *extra)
    assert done.exit_code == 2
    for fragment in says:
        assert fragment in done.stderr
    assert "Traceback" not in done.stderr
    assert dump(data) == before


@pytest.mark.parametrize("header", ["nummeraanduiding;aantal;bsn", "nummeraanduiding;aantal;naam",
                                    "geslachtsnaam;nummeraanduiding;aantal", "nummeraanduiding;nationaliteit;aantal",
                                    "nummeraanduiding;aantal;naam_bewoner"])
def test_a_file_with_personal_data_is_refused_unread(tmp_path: Path, header: str) -> None:
    _, data = with_addresses(tmp_path)
    before = dump(data)
    file = write(tmp_path / "brp.csv", f"{header}\n{ONE};2;999999990\n")
    done = cli(data, "import", "brp", str(file), "--peildatum", "2026-02-27")
    assert done.exit_code == 2
    assert "persoonsgegevens" in done.stderr and "alleen aantallen" in done.stderr
    assert dump(data) == before
    reports = list((data / "reports" / "imports").glob("import-brp-*"))
    assert all("999999990" not in r.read_text(encoding="utf-8") for r in reports)


# --- the job ---------------------------------------------------------------------------------------------------

def run_job(app: Flask, data: Path, now: dt.datetime = NOW, **config: Any) -> Any:
    with app.app_context():
        ctx = JobContext(db=get_db(), config={**app.config, **config}, data=data, name="import-brp",
                         period="2026-W10", now=now, actor="job:import-brp")
        return job(ctx)


def test_the_job_reads_the_newest_selection_with_the_peildatum_of_its_name(tmp_path: Path) -> None:
    app, data = with_addresses(tmp_path)
    inbox = data / "inbox" / "brp"
    write(inbox / "brp-2026-02-27.csv", f"nummeraanduiding;aantal\n{ONE};4\n0358200000000099;1\n")
    outcome = run_job(app, data)
    assert (outcome.counts["changed"], outcome.counts["unmatched"]) == (1, 1)
    assert counts(data)[ONE] == (4, "2026-02-27")
    report = (inbox / "done" / "brp-2026-02-27.csv.rapport.txt").read_text(encoding="utf-8")
    assert "Regel 3: geen adres met nummeraanduiding 0358200000000099" in report


def test_the_job_removes_a_file_with_personal_data_and_fails(tmp_path: Path) -> None:
    app, data = with_addresses(tmp_path)
    inbox = data / "inbox" / "brp"
    file = write(inbox / "brp-2026-02-27.csv", f"bsn;nummeraanduiding;aantal\n999999990;{ONE};1\n")
    before = dump(data)
    with pytest.raises(JobFailed) as failed:
        run_job(app, data)
    assert "persoonsgegevens" in failed.value.message and "verwijderd" in failed.value.message
    assert not file.exists() and not (inbox / "failed" / file.name).exists()
    report = inbox / "failed" / f"{file.name}.rapport.txt"
    assert "999999990" not in report.read_text(encoding="utf-8")
    assert dump(data) == before


def test_a_fresh_demo_has_a_brp_selection_that_leaves_some_inspected_addresses_short(tmp_path: Path) -> None:
    import sqlite3
    data = tmp_path / "demo"
    assert cli(data, "init", "--demo").exit_code == 0
    app = create_app({"DATA": str(data)})
    outcome = run_job(app, data, now=dt.datetime.now(TIMEZONE))  # the demo's files are of this week
    assert (outcome.counts["changed"], outcome.counts["unmatched"]) == (40, 0)
    db = sqlite3.connect(data / "woontoezicht.db")
    short = db.execute("SELECT count(*) FROM evaluations e JOIN inspections i ON i.id = e.inspection_id "
                       "JOIN addresses a ON a.id = i.address_id WHERE e.residents > "
                       "json_extract(a.data, '$.brp_registered')").fetchone()[0]
    assert short >= 2
