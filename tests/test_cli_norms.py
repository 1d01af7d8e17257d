"""`woontoezicht norms check` and `norms list`: output and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from server.cli import main
from tests.conftest import EXAMPLES, example

EXAMPLE_DIR = Path(str(EXAMPLES))


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def write(tmp_path: Path, data: Any) -> str:
    path = tmp_path / "inspectie.json"
    path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
    return str(path)


def test_table_lists_findings_with_measured_norm_room_and_basis(runner: CliRunner) -> None:
    result = runner.invoke(main, ["norms", "check", str(EXAMPLE_DIR / "overbewoond.json")])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Bevindingen (21):" in out
    assert "peildatum 2026-11-18" in out
    assert "Zolder: 4 bewoners, ten hoogste 2 toegestaan." in out
    assert "9,44" in out
    assert "Verdieping 2 (Zolder) heeft geen werkende rookmelder." in out


def test_table_shows_each_findings_regime_and_whether_its_voorschriften_are_verified(runner: CliRunner) -> None:
    out = runner.invoke(main, ["norms", "check", str(EXAMPLE_DIR / "overbewoond.json")]).output
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if "85 m² gebruiksoppervlakte voor 9 bewoners" in line)
    assert "regime: signaal (signaal of advies: geen last of boete)" in lines[at + 1]  # 7.18 lapsed in 2024
    at = next(i for i, line in enumerate(lines) if "heeft geen werkende rookmelder" in line)
    assert lines[at + 1].strip() == "regime: bouwregels"
    assert lines[at + 2].strip() == ("voorschrift: Besluit bouwwerken leefomgeving (Bbl), artikel nog te bevestigen "
                                     "(niet geverifieerd)")


def test_json_output_has_findings_and_not_assessed(runner: CliRunner) -> None:
    result = runner.invoke(main, ["norms", "check", "--json", str(EXAMPLE_DIR / "overbewoond.json")])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert set(data) == {"findings", "not_assessed"}
    overbewoning = next(f for f in data["findings"] if f["code"] == "OVERBEWONING")
    assert overbewoning["measured"] == 9.44 and overbewoning["norm"] == 12
    assert overbewoning["regime"] == "signaal" and overbewoning["voorschriften"] == []
    assert overbewoning["enforceable"] is False and "Bouwbesluit 2012 art. 7.18" in overbewoning["toetsingskader"]
    huur = next(f for f in data["findings"] if f["code"] == "HUURCONTRACT")
    assert huur["regime"] == "wgv" and huur["enforceable"] is True
    assert [v["verified"] for v in huur["voorschriften"]] == [False]
    assert huur["voorschriften"][0]["regeling"] == "Wet goed verhuurderschap (Stb. 2023, 103)"
    assert data["not_assessed"] == []


def test_json_cites_the_rule_in_force_on_the_inspection_date(runner: CliRunner, tmp_path: Path) -> None:
    data = example("overbewoond.json")
    data["inspection"]["started_at"], data["inspection"]["finished_at"] = ("2023-11-18T19:05:00+01:00",
                                                                           "2023-11-18T20:10:00+01:00")
    result = runner.invoke(main, ["norms", "check", "--json", "--date", "2025-01-01", write(tmp_path, data)])
    assert result.exit_code == 0, result.output
    overbewoning = next(f for f in json.loads(result.output)["findings"] if f["code"] == "OVERBEWONING")
    assert overbewoning["regime"] == "signaal"  # --date 2025: after Bouwbesluit 2012 art. 7.18 lapsed


def test_norms_list_shows_each_sets_reading_and_each_rules_regime(runner: CliRunner) -> None:
    out = runner.invoke(main, ["norms", "list"]).output
    assert "aalsmeer\tversie 2\tgemeente 0358\tgeldig vanaf 2026-12-01\t19 regels\tleeswijze 2" in out
    lines = out.splitlines()
    second = lines[next(i for i, line in enumerate(lines) if "versie 2" in line):]
    assert any(line.split() == ["WGV_INFORMATIE", "wgv", "niet", "geverifieerd"] for line in second)
    assert any(line.split() == ["BRP_SIGNAAL", "signaal", "geen", "voorschrift"] for line in second)


def test_a_broken_register_is_one_clear_line(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "register.json").write_text('{"source": "x", "rules": {}}', encoding="utf-8")
    result = runner.invoke(main, ["norms", "list"], env={"WOONTOEZICHT_LEGAL_BASIS": str(tmp_path / "register.json")})
    assert result.exit_code == 1 and "Ontbreekt in het register" in result.output
    assert "Traceback" not in result.output


def test_no_access_lists_every_rule_as_not_assessed(runner: CliRunner) -> None:
    result = runner.invoke(main, ["norms", "check", "--json", str(EXAMPLE_DIR / "geen-toegang.json")])
    data = json.loads(result.output)
    assert data["findings"] == [] and len(data["not_assessed"]) == 17
    table = runner.invoke(main, ["norms", "check", str(EXAMPLE_DIR / "geen-toegang.json")]).output
    assert "Geen toegang tot de woning" in table


def test_compliant_example_has_no_findings(runner: CliRunner) -> None:
    result = runner.invoke(main, ["norms", "check", str(EXAMPLE_DIR / "compliant.json")])
    assert result.exit_code == 0
    assert "Geen bevindingen." in result.output and "Alle regels beoordeeld." in result.output


def test_date_before_any_norm_set_exits_1_with_a_clear_line(runner: CliRunner) -> None:
    result = runner.invoke(main, ["norms", "check", "--date", "2024-06-01", str(EXAMPLE_DIR / "compliant.json")])
    assert result.exit_code == 1
    assert result.output.strip() == "Geen normenset voor gemeente 0358 die geldt op 2024-06-01."


@pytest.mark.parametrize(("data", "expected"), [
    ("{niet json", "Geen geldige JSON"),
    ([1, 2], "verwacht een object"),
    ({"address": {}}, "inspection: Verplicht veld."),
    ({**example("compliant.json"), "bewoners": ["Jan"]}, "bewoners: Onbekend veld."),
])
def test_invalid_file_exits_2_without_traceback(runner: CliRunner, tmp_path: Path, data: Any, expected: str) -> None:
    result = runner.invoke(main, ["norms", "check", write(tmp_path, data)])
    assert result.exit_code == 2
    assert expected in result.output
    assert "Traceback" not in result.output


def test_each_field_error_gets_its_own_line(runner: CliRunner, tmp_path: Path) -> None:
    data = example("compliant.json")
    data["address"]["postcode"] = "1431 SS"
    data["inspection"]["rooms"][2]["area_m2"] = -4
    data["inspection"]["facilities"]["toilets"] = "twee"
    result = runner.invoke(main, ["norms", "check", write(tmp_path, data)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 3
    assert any("address.postcode: Geen geldige postcode: de letters SS" in line for line in lines)
    assert any("inspection.rooms.2.area_m2: Moet groter dan 0" in line for line in lines)
    assert any("inspection.facilities.toilets: Geen geldig geheel getal." in line for line in lines)


def test_inspection_of_another_address_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    data = example("compliant.json")
    data["inspection"]["address_id"] = "6f1c2a8e-4b7d-4c1e-9a51-1d2b3c4d5eff"
    result = runner.invoke(main, ["norms", "check", write(tmp_path, data)])
    assert result.exit_code == 2 and "Hoort niet bij dit adres" in result.output


def test_missing_file_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["norms", "check", str(tmp_path / "weg.json")])
    assert result.exit_code == 2 and "Bestand niet gevonden" in result.output


def test_norms_list_shows_the_shipped_set(runner: CliRunner) -> None:
    result = runner.invoke(main, ["norms", "list"])
    assert result.exit_code == 0
    assert "aalsmeer\tversie 1\tgemeente 0358\tgeldig vanaf 2025-01-01\t17 regels" in result.output


def test_norms_list_includes_the_configured_folder(runner: CliRunner, tmp_path: Path) -> None:
    newer = example("../norm_sets/aalsmeer-1.json")
    newer.update(version=3, valid_from="2027-07-01")  # versions 1 and 2 are shipped
    (tmp_path / "a3.json").write_text(json.dumps(newer), encoding="utf-8")
    result = runner.invoke(main, ["norms", "list"], env={"WOONTOEZICHT_NORM_SETS": str(tmp_path)})
    assert "versie 3" in result.output
    (tmp_path / "kapot.json").write_text("[]", encoding="utf-8")
    result = runner.invoke(main, ["norms", "list"], env={"WOONTOEZICHT_NORM_SETS": str(tmp_path)})
    assert result.exit_code == 1 and "kapot.json" in result.output


def test_installed_command_runs_as_a_real_process() -> None:
    exe = Path(sys.executable).parent / "woontoezicht"
    result = subprocess.run([str(exe), "norms", "check", "--json", str(EXAMPLE_DIR / "overbewoond.json")],
                            capture_output=True, text=True, timeout=60, env={**os.environ}, check=False)
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["findings"]) == 21
