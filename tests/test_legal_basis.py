"""The legal-basis register: dated entries per rule code, the regime and voorschriften a finding cites on its
inspection date whatever norm set judged it, and only the jurist's VERIFIED texts marked verified."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask

from schemas import address_schema, evaluate, inspection_schema
from schemas.norm_engine import known_codes
from server.cli import main
from server.legal_basis import LegalBasisError, annotate, enforceable, entry, load_register
from tests.conftest import Api, example
from tests.test_api_assignments_inspections import store_inspection

SHIPPED = Path(__file__).resolve().parent.parent / "server" / "config" / "legal_basis.json"


@pytest.fixture(scope="module")
def register() -> dict[str, Any]:
    return load_register()


def test_the_shipped_register_covers_every_rule_code(register: dict[str, Any]) -> None:
    assert set(register["rules"]) == known_codes()
    assert all(rule["toetsingskader"] and rule["entries"] for rule in register["rules"].values())


def test_only_what_the_jurist_read_in_the_official_text_is_marked_verified(register: dict[str, Any]) -> None:
    verified = {(v["regeling"], v["artikel"]) for rule in register["rules"].values() for e in rule["entries"]
                for v in e["voorschriften"] if v["verified"]}
    assert verified == {("Bouwbesluit 2012", "artikel 7.18, eerste lid"),
                        ("Regeling goed verhuurderschap (Stcrt. 2023, 16746)", "artikel 1")}


@pytest.mark.parametrize(("code", "day", "regime", "can_enforce"), [
    ("OVERBEWONING", dt.date(2023, 12, 31), "bouwregels", True),
    ("OVERBEWONING", dt.date(2024, 1, 1), "signaal", False),  # Bouwbesluit 2012 art. 7.18 lapsed
    ("ROOKMELDER", dt.date(2022, 6, 30), None, False),
    ("ROOKMELDER", dt.date(2022, 7, 1), "bouwregels", True),
    ("HUURCONTRACT", dt.date(2023, 6, 30), None, False),
    ("HUURCONTRACT", dt.date(2023, 7, 1), "wgv", True),
    ("BEZETTING_SLAAPKAMER", dt.date(2026, 12, 1), "signaal", False),  # until a verhuurverordening is adopted
    ("MAX_BEWONERS", dt.date(2026, 12, 1), "omgevingsplan", False),  # the Kadernota is policy, no voorschrift
    ("WGV_INFORMATIE", dt.date(2026, 12, 1), "wgv", True),
])
def test_the_entry_in_force_on_a_date_decides(register: dict[str, Any], code: str, day: dt.date,
                                              regime: str | None, can_enforce: bool) -> None:
    found = entry(code, day, register)
    assert (found["regime"] if found else None) == regime
    assert enforceable(found) is can_enforce


def test_findings_of_a_version_1_set_get_the_rule_in_force_on_their_date(aalsmeer: dict[str, Any],
                                                                        register: dict[str, Any]) -> None:
    raw = example("overbewoond.json")
    findings = evaluate(inspection_schema.load(raw["inspection"]), address_schema.load(raw["address"]),
                        aalsmeer).findings
    kept = copy.deepcopy(findings)
    annotated = annotate(findings, dt.date(2026, 11, 18), register)
    assert findings == kept, "stored findings are never rewritten"
    by_code = {f["code"]: f for f in annotated}
    assert by_code["OVERBEWONING"]["regime"] == "signaal" and by_code["OVERBEWONING"]["enforceable"] is False
    assert by_code["ROOKMELDER"]["voorschriften"][0]["regeling"] == "Besluit bouwwerken leefomgeving (Bbl)"
    assert "SNF" in by_code["BLUSDEKEN"]["toetsingskader"]
    earlier = {f["code"]: f for f in annotate(findings, dt.date(2023, 3, 1), register)}
    assert earlier["OVERBEWONING"]["voorschriften"][0]["artikel"] == "artikel 7.18, eerste lid"
    assert earlier["ROOKMELDER"]["voorschriften"][0]["artikel"].startswith("artikel 6.21, zesde lid")


def write_register(tmp_path: Path, change: Any) -> Path:
    data = json.loads(SHIPPED.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "register.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(("change", "fragment"), [
    (lambda d: d["rules"].pop("BRP_SIGNAAL"), "BRP_SIGNAAL: Ontbreekt in het register"),
    (lambda d: d["rules"].update(ONBEKEND=d["rules"]["BLUSDEKEN"]), "ONBEKEND: Onbekende regelcode"),
    (lambda d: d["rules"]["BLUSDEKEN"]["entries"][0].update(regime="bijna"), "regime"),
    (lambda d: d["rules"]["BLUSDEKEN"]["entries"].append(d["rules"]["BLUSDEKEN"]["entries"][0]), "dezelfde valid_from"),
    (lambda d: d["rules"]["OVERBEWONING"]["entries"][0]["voorschriften"][0].pop("verified"), "verified"),
    (lambda d: d["rules"]["BLUSDEKEN"].update(entries=[]), "Ten minste één ingang"),
])
def test_a_malformed_register_is_refused_with_a_dutch_message(tmp_path: Path, change: Any, fragment: str) -> None:
    with pytest.raises(LegalBasisError, match=fragment):
        load_register(str(write_register(tmp_path, change)))


def test_a_municipalitys_own_register_is_used_through_the_setting(tmp_path: Path, api: Api, app: Flask) -> None:
    from server import create_app

    def adopt(data: dict[str, Any]) -> None:
        data["rules"]["BEZETTING_SLAAPKAMER"]["entries"].append({
            "valid_from": "2026-01-01", "regime": "wgv_vergunning", "voorschriften": [{
                "regeling": "Verhuurverordening Voorbeeld 2026", "artikel": "artikel 4, eerste lid",
                "text": "Ten hoogste twee personen per slaapkamer.", "verified": True, "source": "test"}]})
    own = create_app({"DATA": app.config["DATA"], "TESTING": True,
                      "LEGAL_BASIS": str(write_register(tmp_path, adopt))})
    raw = example("overbewoond.json")
    api.post("/api/v1/addresses", json=raw["address"])
    store_inspection(app, raw["inspection"], api.users["handhaver"]["id"])
    client = own.test_client()
    answer = client.get(f"/api/v1/inspections/{raw['inspection']['id']}",
                        headers={"Authorization": f"Bearer {api.tokens['teamleider']}"}).get_json()
    assert answer is not None
    bezetting = next(f for f in answer["findings"] if f["code"] == "BEZETTING_SLAAPKAMER")
    assert bezetting["regime"] == "wgv_vergunning" and bezetting["enforceable"] is True
    shipped = api.get(f"/api/v1/inspections/{raw['inspection']['id']}").json
    assert next(f for f in shipped["findings"] if f["code"] == "BEZETTING_SLAAPKAMER")["regime"] == "signaal"


def test_a_broken_register_stops_the_server_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "kapot.json"
    path.write_text("{", encoding="utf-8")
    result = CliRunner().invoke(main, ["init", "--data", str(tmp_path / "data")],
                                env={"WOONTOEZICHT_LEGAL_BASIS": str(path)})
    assert result.exit_code == 1
    assert "kapot.json kan niet worden gelezen" in result.output and "Traceback" not in result.output
