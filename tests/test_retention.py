"""Retention on an injected "today": what the Selectielijst terms make due, what waits, and destroying it everywhere.

The last test runs a real server process and a real tablet: a destroyed inspection is readable nowhere
afterwards, not over the REST API, not in the database's history, evaluations, push outcomes or conflicts,
not as a photo or PDF file, and not on the tablet once it has synced.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner
from PIL import Image

from server import store
from server.case_steps import add_boete, step
from server.cases import open_case
from server.db import rows
from server.destruction import destroy
from server.documents import pdf_path
from server.jobs import TIMEZONE, JobContext
from server.retention import job, load_rules, plan
from tests.conftest import example
from tests.enforcement_world import VISIT, World
from tests.sync_world import World as SyncWorld
from tests.sync_world import inspection_for

RULES = load_rules()


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(tmp_path)
    yield w
    w.close()


def new_address(world: World, postcode: str) -> dict[str, Any]:
    raw = example("overbewoond.json")["address"]
    return store.put(world.db, "address", {**raw, "id": str(uuid.uuid4()), "postcode": postcode,
                                           "bag_id": None}, actor=None)


def inspection_at(world: World, address: dict[str, Any], on: dt.date, **changes: Any) -> dict[str, Any]:
    raw = example("overbewoond.json")["inspection"]
    raw.update({"id": str(uuid.uuid4()), "address_id": address["id"], "photos": [], **changes})
    return world.submit(raw, assignment=True, on=on)


def closed_case(world: World, address: dict[str, Any], visit: dt.date, closed: dt.date,
                withdrawn: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return (inspection, case): a case opened from a visit, each last withdrawn and the case closed on a day."""
    inspection = inspection_at(world, address, visit)
    case = open_case(world.db, world.lead, inspection_id=inspection["id"], today=visit,
                     letters=world.settings.letters, terms_config=world.settings.terms)
    if withdrawn:
        case = step(world.db, case["id"], world.lead, "ingetrokken", {"reason": "Verhuurder vertrokken."}, today=closed)
    else:
        for last in case["lasten"]:
            case = step(world.db, case["id"], world.lead, "last_ingetrokken", {"reason": "Niet te bewijzen."},
                        code=last["code"], today=closed)
        case = step(world.db, case["id"], world.lead, "afgesloten", {}, today=closed)
    return inspection, case


def listed(found: Any) -> list[str]:
    return [item.record_id for item in found.due]


def test_a_closed_case_is_due_once_its_result_s_term_passed_and_not_a_day_before(world: World) -> None:
    inspection, case = closed_case(world, new_address(world, "1432AA"), dt.date(2025, 2, 3), dt.date(2025, 3, 3))
    assert case["result"] == "toezicht_uitgevoerd"
    assert plan(world.db, RULES, dt.date(2030, 3, 2)).due == []
    found = plan(world.db, RULES, dt.date(2030, 3, 3))
    assert listed(found) == [case["id"]]
    item = found.due[0]
    assert (item.rule.category, item.rule.years, item.start, item.due_since) == ("12.1", 5, dt.date(2025, 3, 3),
                                                                                 dt.date(2030, 3, 3))
    assert item.inspections == [inspection["id"]]  # the inspection goes with its case, not on its own term
    assert {d["kind"] for d in item.documents} == {"rapport"}


def test_the_dry_run_lists_what_is_due_but_not_a_running_term_nor_what_an_open_case_needs(world: World) -> None:
    # The world's own case (at its address) stays open; an old visit there, without a case of its own, waits.
    old_there = inspection_at(world, world.address, dt.date(2025, 1, 20))
    _, passed = closed_case(world, new_address(world, "1432AB"), dt.date(2025, 2, 3), dt.date(2025, 3, 1),
                            withdrawn=True)
    _, running = closed_case(world, new_address(world, "1432AC"), dt.date(2025, 11, 3), dt.date(2026, 6, 1))
    lone = inspection_at(world, new_address(world, "1432AD"), dt.date(2025, 2, 10))
    found = plan(world.db, RULES, dt.date(2030, 6, 1))
    assert set(listed(found)) == {passed["id"], lone["id"]}
    assert running["id"] not in listed(found) and world.inspection["id"] not in listed(found)
    assert [(w.record_id, w.waiting) for w in found.waiting] == [
        (old_there["id"], f"er loopt een zaak op dit adres ({world.case['number']})")]
    by_id = {i.record_id: i for i in found.due}
    assert (by_id[passed["id"]].rule.category, by_id[passed["id"]].rule.years) == ("12.3", 1)
    assert (by_id[lone["id"]].rule.category, by_id[lone["id"]].due_since) == ("12.1", dt.date(2030, 2, 10))
    out = CliRunner().invoke(_main(), ["retention", "--date", "2030-06-01", "--data", world.app.config["DATA"]])
    assert out.exit_code == 0, out.output
    assert f"zaak {passed['number']}" in out.output and "12.3 Toezicht of handhaving afgebroken" in out.output
    assert running["number"] not in out.output
    assert f"Uitgesteld: inspectie {found.waiting[0].reference}" in out.output
    assert "niet aan de Selectielijst zelf getoetst" in out.output


def _main() -> Any:
    from server.cli import main
    return main


def test_an_inspection_a_kept_correction_corrects_waits_for_it(world: World) -> None:
    address = new_address(world, "1432AE")
    original = inspection_at(world, address, dt.date(2025, 2, 10))
    correction = inspection_at(world, address, dt.date(2025, 9, 1), corrects=original["id"])
    found = plan(world.db, RULES, dt.date(2030, 3, 1))
    assert listed(found) == []
    assert [(w.record_id, w.waiting) for w in found.waiting] == [
        (original["id"], "een inspectie die blijft, corrigeert deze")]
    assert set(listed(plan(world.db, RULES, dt.date(2030, 9, 1)))) == {original["id"], correction["id"]}


def test_apply_destroys_a_closed_case_with_its_letters_timeline_boetes_and_pdfs(world: World) -> None:
    letter = world.sent("voornemen_lod", VISIT + dt.timedelta(days=2))
    add_boete(world.db, world.lead, party_id=world.party["id"], code="HUURCONTRACT", imposed_on=VISIT,
              kenmerk="HH-OUD-1", irrevocable_on=None, amount="1000.00", source="handmatig", case_id=world.case["id"])
    kept = inspection_at(world, new_address(world, "1432AF"), dt.date(2026, 11, 2))
    world.signed(kept, dt.date(2026, 11, 2))
    case = step(world.db, world.case["id"], world.lead, "ingetrokken", {"reason": "Pand gesloopt."},
                today=dt.date(2026, 12, 1))
    pdfs = [r["sha256"] for r in rows(world.db, "SELECT sha256 FROM documents WHERE sha256 IS NOT NULL AND "
                                                "(case_id = ? OR inspection_id = ?)", [case["id"],
                                                                                      world.inspection["id"]])]
    assert len(pdfs) == 3 and all(pdf_path(world.settings.data, h).exists() for h in pdfs)
    assert rows(world.db, "SELECT count(*) AS n FROM case_events WHERE case_id = ?", [case["id"]])[0]["n"] > 3

    done = destroy(world.db, world.settings.data, RULES, dt.date(2027, 12, 1), "cli:beheerder")

    assert [i.record_id for i in done.plan.due] == [case["id"]]
    assert store.get(world.db, "case", case["id"]) is None
    assert store.get(world.db, "inspection", world.inspection["id"]) is None
    for sql in ("SELECT * FROM case_events WHERE case_id = ?", "SELECT * FROM boetes WHERE case_id = ?",
                "SELECT * FROM documents WHERE case_id = ?", "SELECT * FROM history WHERE record_id = ?",
                "SELECT * FROM cases WHERE id = ? AND data != '{}'"):
        assert rows(world.db, sql, [case["id"]]) == [], sql
    assert rows(world.db, "SELECT * FROM documents WHERE inspection_id = ?", [world.inspection["id"]]) == []
    assert rows(world.db, "SELECT * FROM evaluations WHERE inspection_id = ?", [world.inspection["id"]]) == []
    assert not any(pdf_path(world.settings.data, h).exists() for h in pdfs)
    assert letter["sha256"] in pdfs
    # What is left of it: one line in the destruction log, and tombstones for the tablets.
    log = rows(world.db, "SELECT * FROM destructions")
    assert len(log) == 1
    assert (log[0]["entity"], log[0]["reference"], log[0]["category"], log[0]["destroyed_by"]) == (
        "case", case["number"], "12.3", "cli:beheerder")
    assert letter["kenmerk"] in json.loads(log[0]["parts"])["documents"]
    assert rows(world.db, "SELECT op FROM changes WHERE entity = 'case' AND record_id = ?", [case["id"]]) == [
        {"op": "delete"}]
    # The kept inspection and its signed rapport are untouched; a second run finds nothing.
    assert store.get(world.db, "inspection", kept["id"]) is not None
    assert rows(world.db, "SELECT status FROM documents WHERE inspection_id = ? AND kind = 'rapport'",
                [kept["id"]]) == [{"status": "approved"}]
    assert destroy(world.db, world.settings.data, RULES, dt.date(2027, 12, 1), "cli:beheerder").plan.due == []
    assert len(rows(world.db, "SELECT * FROM destructions")) == 1


def test_a_plain_delete_of_an_approved_document_is_still_refused(world: World) -> None:
    signed = rows(world.db, "SELECT id FROM documents WHERE inspection_id = ? AND status = 'approved'",
                  [world.inspection["id"]])
    assert signed
    destroy(world.db, world.settings.data, RULES, dt.date(2026, 12, 1), "cli:beheerder")  # nothing due yet
    connection = sqlite3.connect(Path(world.settings.data) / "woontoezicht.db")
    try:
        with pytest.raises(sqlite3.IntegrityError, match="document is frozen"):
            connection.execute("DELETE FROM documents WHERE id = ?", [signed[0]["id"]])
        assert connection.execute("SELECT count(*) FROM retention_unlock").fetchone()[0] == 0
    finally:
        connection.close()


def test_a_case_whose_result_no_rule_names_is_kept_and_said_so(world: World) -> None:
    _, case = closed_case(world, new_address(world, "1432AG"), dt.date(2025, 2, 3), dt.date(2025, 3, 3))
    rules = load_rules()
    del rules.results["toezicht_uitgevoerd"]
    found = plan(world.db, rules, dt.date(2040, 1, 1))
    assert case["id"] not in listed(found)
    assert [(u.number, u.result) for u in found.unjudged] == [(case["number"], "toezicht_uitgevoerd")]


def test_the_monthly_job_writes_the_list_for_the_archivist_and_destroys_nothing(world: World) -> None:
    _, case = closed_case(world, new_address(world, "1432AH"), dt.date(2025, 2, 3), dt.date(2025, 3, 1),
                          withdrawn=True)
    ctx = JobContext(world.db, world.app.config, Path(world.settings.data), "retention", "2026-04",
                     dt.datetime(2026, 4, 1, 4, 0, tzinfo=TIMEZONE), "job:retention")
    outcome = job(ctx)
    assert outcome.files == ["reports/retentie-2026-04.csv"]
    assert outcome.counts == {"due": 1, "waiting": 0, "unjudged": 0}
    text = (Path(world.settings.data) / outcome.files[0]).read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("soort;kenmerk;id;categorie;regel;termijn_jaren")
    assert lines[1].startswith(f"zaak;{case['number']};{case['id']};12.3;")
    assert store.get(world.db, "case", case["id"]) is not None
    assert rows(world.db, "SELECT count(*) AS n FROM destructions")[0]["n"] == 0


# --- over real HTTP, with a real tablet ----------------------------------------------------------

def jpeg(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def sync_world(tmp_path: Path) -> Iterator[SyncWorld]:
    rules = json.loads((Path(__file__).resolve().parent.parent / "server" / "config" /
                        "retention.json").read_text(encoding="utf-8"))
    rules["inspection_without_case"]["years"] = 1  # replaceable by the setting: a short term for the test
    path = tmp_path / "retention.json"
    path.write_text(json.dumps(rules), encoding="utf-8")
    w = SyncWorld(tmp_path, env={"WOONTOEZICHT_RETENTION": str(path)})
    yield w
    w.stop()


def test_a_destroyed_inspection_is_readable_nowhere_afterwards_not_even_on_the_tablet(sync_world: SyncWorld) -> None:
    w = sync_world
    named = w.server.cli("user", "set", "hh1", "--full-name", "Jan de Vries", "--aanwijzing", "Aanwijzing 2025-7")
    assert named.returncode == 0, named.stderr
    address, tablet, engine = w.synced_tablet("hh1")
    only, shared = tablet.add_photo(jpeg("red"), "image/jpeg"), tablet.add_photo(jpeg("blue"), "image/jpeg")
    photos = [{"sha256": only, "caption": "Slaapkamer", "room_id": None},
              {"sha256": shared, "caption": "Trap", "room_id": None}]
    old = inspection_for(address["id"], started_at="2025-03-03T10:00:00+01:00", photos=photos,
                         status="draft", finished_at=None)
    tablet.queue("inspection", old)
    assert engine.cycle().rejected == 0
    tablet.queue("inspection", {**old, "status": "submitted", "finished_at": "2025-03-03T11:00:00+01:00"})
    recent = inspection_for(address["id"], started_at="2026-11-25T10:00:00+01:00",
                            finished_at="2026-11-25T11:00:00+01:00", photos=[photos[1]])
    tablet.queue("inspection", recent)
    assert engine.cycle().rejected == 0
    signed = engine.sign_rapport(old["id"])
    assert signed["status"] == "approved"
    # The address leaves his scope (the assignment is cancelled): his tablet lets go of the address but keeps his
    # own inspections, so only a delete sent to him as their inspector can reach them.
    assignment = w.db_rows("SELECT id FROM assignments WHERE address_id = ?", [address["id"]])[0][0]
    w.rest("PATCH", f"/api/v1/assignments/{assignment}", {"status": "cancelled"})
    engine.cycle()
    assert tablet.get("address", address["id"]) is None and tablet.get("inspection", old["id"]) is not None
    data = w.server.data
    db = sqlite3.connect(data / "woontoezicht.db")
    db.execute("INSERT INTO conflicts (id, entity, record_id, field, reason, created_at) VALUES (?, 'inspection', ?, "
               "'notes', 'test', '2025-03-04T00:00:00+00:00')", [str(uuid.uuid4()), old["id"]])
    db.commit()
    pdfs = [r[0] for r in db.execute("SELECT sha256 FROM documents WHERE inspection_id = ?", [old["id"]])]
    db.close()
    naming = {"history": "SELECT count(*) FROM history WHERE record_id = ?",
              "evaluations": "SELECT count(*) FROM evaluations WHERE inspection_id = ?",
              "push_outcomes": "SELECT count(*) FROM push_outcomes WHERE record_id = ?",
              "conflicts": "SELECT count(*) FROM conflicts WHERE record_id = ?",
              "inspection_photos": "SELECT count(*) FROM inspection_photos WHERE inspection_id = ?",
              "documents": "SELECT count(*) FROM documents WHERE inspection_id = ?"}
    before = {name: w.db_rows(sql, [old["id"]])[0][0] for name, sql in naming.items()}
    assert all(before.values()), before  # each place holds it now, so each check below can fail
    assert len(pdfs) == 2 and all(pdf_path(data, h).exists() for h in pdfs)
    photo_file = data / "attachments" / only[:2] / only
    assert photo_file.exists() and tablet.photo_path(only).exists()

    listed_now = w.server.cli("retention")
    assert listed_now.returncode == 0, listed_now.stderr
    assert signed["kenmerk"] in listed_now.stdout and "1 jaar" in listed_now.stdout
    done = w.server.cli("retention", "--apply", "--yes")
    assert done.returncode == 0, done.stderr
    assert "Vernietigd: 1 onderdeel" in done.stdout

    headers = {"Authorization": f"Bearer {w.token}"}
    for path in (f"/api/v1/inspections/{old['id']}", f"/api/v1/inspections/{old['id']}/rapport",
                 f"/api/v1/attachments/{only}"):
        assert requests.get(w.server.url + path, headers=headers, timeout=10).status_code == 404, path
    listing = requests.get(f"{w.server.url}/api/v1/inspections?address_id={address['id']}", headers=headers,
                           timeout=10).json()
    assert [i["id"] for i in listing["items"]] == [recent["id"]]
    after = {name: w.db_rows(sql, [old["id"]])[0][0] for name, sql in naming.items()}
    assert after == dict.fromkeys(naming, 0)
    assert w.db_rows("SELECT data, deleted FROM inspections WHERE id = ?", [old["id"]]) == [("{}", 1)]
    assert not photo_file.exists() and not any(pdf_path(data, h).exists() for h in pdfs)
    assert (data / "attachments" / shared[:2] / shared).exists()  # the kept inspection still shows it
    assert w.db_rows("SELECT entity, record_id, reference, category FROM destructions") == [
        ("inspection", old["id"], signed["kenmerk"], "12.1")]

    assert engine.cycle().rejected == 0
    assert tablet.get("inspection", old["id"]) is None
    assert tablet.get("inspection", recent["id"]) is not None
    assert not tablet.photo_path(only).exists() and tablet.photo_path(shared).exists()

    again = w.server.cli("retention", "--apply", "--yes")
    assert again.returncode == 0 and "Niets te vernietigen." in again.stdout
    assert len(w.db_rows("SELECT * FROM destructions")) == 1


def test_apply_destroys_only_after_vernietigen_is_typed(world: World) -> None:
    _, case = closed_case(world, new_address(world, "1432AJ"), dt.date(2025, 2, 3), dt.date(2025, 3, 1),
                          withdrawn=True)  # 12.3: due since 1 March 2026, before the real today this command uses
    args = ["retention", "--apply", "--data", world.app.config["DATA"]]
    refused = CliRunner().invoke(_main(), args, input="nee\n")
    assert refused.exit_code == 1 and "Niets vernietigd." in refused.output
    assert store.get(world.db, "case", case["id"]) is not None
    assert CliRunner().invoke(_main(), [*args, "--date", "2026-03-01"]).exit_code == 2  # no destroying ahead of time
    done = CliRunner().invoke(_main(), args, input="vernietigen\n")
    assert done.exit_code == 0, done.output
    assert "Vernietigd: 1 onderdeel" in done.output
    assert store.get(world.db, "case", case["id"]) is None
