"""`woontoezicht-veld`: enroll, record, status and sync as a handhaver types them."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from field_client.cli import status_lines
from field_client.sync_engine import Report
from tests.conftest import EXAMPLES, example
from tests.processes import BIN
from tests.sync_world import World


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    w = World(tmp_path_factory.mktemp("veld"))
    yield w
    w.stop()


def veld(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "woontoezicht-veld"), *args, "--data", str(data)], capture_output=True,
                          text=True, timeout=120, check=False)


@pytest.fixture
def tablet(world: World, tmp_path: Path) -> Path:
    code = world.server.cli("device", "code", "hh1").stdout.strip()
    done = veld(tmp_path / "veld", "enroll", world.server.url, code, "--label", "cli-tablet")
    assert done.returncode == 0, done.stderr
    assert "Gekoppeld als hh1" in done.stdout
    return tmp_path / "veld"


def test_record_then_sync_puts_the_inspection_and_the_new_address_on_the_server(world: World, tablet: Path) -> None:
    recorded = veld(tablet, "record", str(Path(str(EXAMPLES)) / "overbewoond.json"))
    assert recorded.returncode == 0, recorded.stderr
    inspection_id = recorded.stdout.strip()
    status = json.loads(veld(tablet, "status", "--json").stdout)
    assert status["outbox"] == 2 and status["enrolled"] is True
    synced = veld(tablet, "sync", "--json")
    assert synced.returncode == 0, synced.stdout + synced.stderr
    assert json.loads(synced.stdout)["applied"] == 2
    got = world.rest("GET", f"/api/v1/inspections/{inspection_id}")
    assert len(got["findings"]) == 20
    # A tablet cannot set the BRP count of an address it found on site: the signal waits for the BRP import.
    assert "BRP_SIGNAAL" in {n["code"] for n in got["not_assessed"]}
    assert json.loads(veld(tablet, "status", "--json").stdout)["outbox"] == 0


def test_invalid_file_gets_one_line_per_field_and_exit_2(tablet: Path, tmp_path: Path) -> None:
    data = example("overbewoond.json")
    data["inspection"]["rooms"][0]["area_m2"] = -2
    data["address"]["postcode"] = "1431SS"
    path = tmp_path / "fout.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = veld(tablet, "record", str(path))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2
    assert any("inspection.rooms.0.area_m2" in line for line in lines)
    assert any("address.postcode" in line for line in lines)
    assert "Traceback" not in result.stderr
    assert json.loads(veld(tablet, "status", "--json").stdout)["outbox"] == 0


def test_sync_without_network_exits_1_with_a_dutch_line(tablet: Path) -> None:
    veld(tablet, "record", str(Path(str(EXAMPLES)) / "compliant.json"))

    db = sqlite3.connect(tablet / "veld.db")
    db.execute("UPDATE state SET value = ? WHERE key = 'server_url'", [json.dumps("http://127.0.0.1:9")])
    db.commit()
    db.close()
    result = veld(tablet, "sync")
    assert result.returncode == 1
    assert "Server niet bereikbaar" in result.stderr and "2 wijzigingen wachten" in result.stderr
    assert json.loads(veld(tablet, "status", "--json").stdout)["outbox"] == 2


def test_unenrolled_and_bad_code(tmp_path: Path, world: World) -> None:
    result = veld(tmp_path / "leeg", "record", str(Path(str(EXAMPLES)) / "compliant.json"))
    assert result.returncode == 2 and "niet gekoppeld" in result.stderr
    bad = veld(tmp_path / "leeg", "enroll", world.server.url, "AAAA-BBBB-CCCC")
    assert bad.returncode == 2 and "koppelcode" in bad.stderr
    assert "Niet gekoppeld" in veld(tmp_path / "leeg", "status").stdout


def test_a_url_that_is_no_server_address_gets_one_line_and_exit_2(tmp_path: Path) -> None:
    result = veld(tmp_path / "leeg", "enroll", "serveradres", "AAAA-BBBB-CCCC")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == ["Geen geldig serveradres: 'serveradres' (begin met http:// of "
                                                  "https://)."]


def test_a_damaged_tablet_database_gets_one_line_and_exit_1(tmp_path: Path) -> None:
    (tmp_path / "veld").mkdir()
    (tmp_path / "veld" / "veld.db").write_text("geen database", encoding="utf-8")
    result = veld(tmp_path / "veld", "status")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [f"De database {tmp_path / 'veld' / 'veld.db'} is beschadigd of "
                                                  "geen SQLite-bestand (file is not a database)."]


def test_an_unreadable_file_gets_one_line_and_exit_2(tablet: Path, tmp_path: Path) -> None:
    path = tmp_path / "kapot.json"
    path.write_bytes(b"\xff\xfe{}")
    result = veld(tablet, "record", str(path))
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def status(outbox: int, records: dict[str, int], rejected: int = 0, conflicts: int = 0) -> dict[str, object]:
    return {"enrolled": True, "user": {"name": "hh1"}, "server": "http://server", "outbox": outbox,
            "last_sync": None, "last_sync_ok": None, "last_result": None, "records": records,
            "rejected": rejected, "conflicts": conflicts}


def test_status_counts_in_dutch_singular_and_plural() -> None:
    one = status(1, {"address": 1, "assignment": 1, "inspection": 1, "norm_set": 1, "case": 1}, 1, 1)
    lines = status_lines(one)
    assert "Outbox: 1 wijziging te verzenden" in lines
    assert "Op de tablet: 1 adres, 1 opdracht, 1 inspectie, 1 normenset, 1 zaak" in lines
    assert "Geweigerd: 1 wijziging, 1 conflict" in lines
    many = status_lines(status(2, {"address": 9, "assignment": 2, "inspection": 3, "norm_set": 2, "case": 0}, 0, 2))
    assert "Outbox: 2 wijzigingen te verzenden" in many
    assert "Op de tablet: 9 adressen, 2 opdrachten, 3 inspecties, 2 normensets, 0 zaken" in many
    assert "Geweigerd: 0 wijzigingen, 2 conflicten" in many
    assert not any("(en)" in line for line in lines + many)


def test_a_sync_summary_counts_in_dutch_singular_and_plural() -> None:
    one = Report(photos=1, pushed=1, applied=1, rejected=1, conflicts=1, pulled=1).summary()
    assert one == ("Gesynchroniseerd: 1 wijziging verzonden (1 verwerkt, 1 geweigerd, 1 conflict), "
                   "1 wijziging ontvangen, 1 foto geüpload.")
    many = Report(photos=2, pushed=3, applied=2, rejected=0, conflicts=2, pulled=9).summary()
    assert many == ("Gesynchroniseerd: 3 wijzigingen verzonden (2 verwerkt, 0 geweigerd, 2 conflicten), "
                    "9 wijzigingen ontvangen, 2 foto's geüpload.")


def test_a_sync_without_network_counts_one_waiting_change_in_the_singular(world: World, tablet: Path,
                                                                           tmp_path: Path) -> None:
    address = world.address("hh1")
    data = example("compliant.json")["inspection"]
    data.update(id=str(uuid.uuid4()), address_id=address["id"])
    path = tmp_path / "een.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert veld(tablet, "sync").returncode == 0
    assert veld(tablet, "record", str(path)).returncode == 0
    db = sqlite3.connect(tablet / "veld.db")
    db.execute("UPDATE state SET value = ? WHERE key = 'server_url'", [json.dumps("http://127.0.0.1:9")])
    db.commit()
    db.close()
    result = veld(tablet, "sync")
    assert result.returncode == 1
    assert "1 wijziging wacht in de outbox" in result.stderr
    assert "Outbox: 1 wijziging te verzenden" in veld(tablet, "status").stdout
