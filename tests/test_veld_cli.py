"""`woontoezicht-veld`: enroll, record, status and sync as a handhaver types them."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

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
    assert len(got["findings"]) == 21
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
    assert "Server niet bereikbaar" in result.stderr and "2 wijziging(en) wachten" in result.stderr
    assert json.loads(veld(tablet, "status", "--json").stdout)["outbox"] == 2


def test_unenrolled_and_bad_code(tmp_path: Path, world: World) -> None:
    result = veld(tmp_path / "leeg", "record", str(Path(str(EXAMPLES)) / "compliant.json"))
    assert result.returncode == 2 and "niet gekoppeld" in result.stderr
    bad = veld(tmp_path / "leeg", "enroll", world.server.url, "AAAA-BBBB-CCCC")
    assert bad.returncode == 2 and "koppelcode" in bad.stderr
    assert "Niet gekoppeld" in veld(tmp_path / "leeg", "status").stdout
