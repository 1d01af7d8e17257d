"""import bag and the import-bag job: NLExtract adres-full files into the address register, all or nothing."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from schemas import address_schema
from server import store
from server.app import create_app
from server.bag_import import import_bag, job
from server.db import get_db, rows
from server.demo_inbox import NLEXTRACT_HEADER
from server.jobs import TIMEZONE, JobContext, JobFailed
from tests.conftest import example
from tests.import_files import addresses, bag_row, bag_text, cli, dump, write

NOW = dt.datetime(2026, 3, 2, 2, 0, tzinfo=TIMEZONE)


def fresh(tmp_path: Path) -> tuple[Flask, Path]:
    data = tmp_path / "data"
    return create_app({"DATA": str(data)}), data


def put_address(app: Flask, **changes: Any) -> dict[str, Any]:
    """Store an address as the office would (through the record store)."""
    record = address_schema.dump(address_schema.load({**example("compliant.json")["address"],
                                                       "id": str(uuid.uuid4()), **changes}))
    with app.app_context():
        return store.put(get_db(), "address", record, actor="office")


def test_an_import_stores_every_address_with_the_bag_facts(tmp_path: Path) -> None:
    app, data = fresh(tmp_path)
    file = write(tmp_path / "bag.csv", bag_text([
        bag_row(1), bag_row(2, huisletter="a", huisnummertoevoeging="bis", verblijfsobjectgebruiksdoel="woonfunctie,"
                                                                                                 "kantoorfunctie"),
        bag_row(3, nevenadres="t"),
        bag_row(4, object_type="LIG", object_id="0358020000000004", pandid="", pandbouwjaar="",
                verblijfsobjectgebruiksdoel="", oppervlakteadresseerbaarobject=""),
        bag_row(5, object_type="STA", object_id="0358030000000005", pandid="", pandbouwjaar="",
                verblijfsobjectgebruiksdoel="", oppervlakteadresseerbaarobject="0")]))
    done = cli(data, "import", "bag", str(file))
    assert done.exit_code == 0, done.stderr
    assert "Nieuw: 5, gewijzigd: 0, ongewijzigd: 0" in done.stdout
    found = addresses(data)
    two = found["0358200000000002"]
    assert (two["huisletter"], two["toevoeging"], two["gebruiksdoel"]) == (
        "A", "BIS", ["woonfunctie", "kantoorfunctie"])
    one = found["0358200000000001"]
    assert (one["bag_floor_area_m2"], one["floor_area_m2"], one["floor_area_source"]) == (61.0, 61.0, "bag")
    assert (one["object_type"], one["object_id"], one["pand_id"], one["bouwjaar"], one["x"], one["y"]) == (
        "verblijfsobject", "0358010000000001", "0358100000000001", 1972, 110001.5, 475000.25)
    assert (one["gemeentecode"], one["verified"], one["nevenadres"], one["bag_gone_on"]) == ("0358", False, False, None)
    assert found["0358200000000003"]["nevenadres"] is True
    assert {found[f"035820000000000{n}"]["object_type"] for n in (4, 5)} == {"ligplaats", "standplaats"}
    assert found["0358200000000005"]["bag_floor_area_m2"] is None  # 0: the BAG registers no area
    for record in found.values():  # each is a valid address record, as tablets receive it
        address_schema.load({k: v for k, v in record.items() if k != "version"})
    with app.app_context():
        assert rows(get_db(), "SELECT DISTINCT updated_by FROM addresses") == [{"updated_by": "import:bag"}]


def test_a_second_import_of_the_same_file_changes_nothing(tmp_path: Path) -> None:
    _app, data = fresh(tmp_path)
    file = write(tmp_path / "bag.csv", bag_text([bag_row(n) for n in range(1, 8)]))
    assert cli(data, "import", "bag", str(file)).exit_code == 0
    before = dump(data)
    again = cli(data, "import", "bag", str(file))
    assert again.exit_code == 0
    assert "Nieuw: 0, gewijzigd: 0, ongewijzigd: 7" in again.stdout
    assert dump(data) == before


def test_a_changed_row_makes_a_new_version_and_keeps_the_old_one_in_history(tmp_path: Path) -> None:
    app, data = fresh(tmp_path)
    assert cli(data, "import", "bag", str(write(tmp_path / "a.csv", bag_text([bag_row(1), bag_row(2)])))).exit_code == 0
    done = cli(data, "import", "bag", str(write(tmp_path / "b.csv", bag_text([bag_row(1, openbareruimte="Dorpsstraat"),
                                                                            bag_row(2)]))))
    assert "Nieuw: 0, gewijzigd: 1, ongewijzigd: 1" in done.stdout
    one = addresses(data)["0358200000000001"]
    assert (one["straat"], one["version"]) == ("Dorpsstraat", 2)
    with app.app_context():
        assert [h["straat"] for h in store.history(get_db(), "address", one["id"])] == ["Zijdstraat"]


def test_full_marks_an_address_missing_from_the_file_gone_and_one_coming_back_unmarked(tmp_path: Path) -> None:
    app, data = fresh(tmp_path)
    all_three = write(tmp_path / "a.csv", bag_text([bag_row(1), bag_row(2), bag_row(3)]))
    assert cli(data, "import", "bag", str(all_three)).exit_code == 0
    other_town = put_address(app, bag_id="0362200000000009", gemeentecode="0362", postcode="1181AA")
    two_only = write(tmp_path / "b.csv", bag_text([bag_row(1), bag_row(2)]))
    partial = cli(data, "import", "bag", str(two_only))
    assert "verdwenen uit de BAG: 0" in partial.stdout  # without --full a missing row proves nothing
    assert addresses(data)["0358200000000003"]["bag_gone_on"] is None
    full = cli(data, "import", "bag", str(two_only), "--full")
    assert "verdwenen uit de BAG: 1" in full.stdout
    found = addresses(data)
    assert found["0358200000000003"]["bag_gone_on"] == dt.date.today().isoformat()
    assert found["0362200000000009"]["bag_gone_on"] is None  # another municipality is not in an Aalsmeer file
    assert found["0362200000000009"]["version"] == other_town["version"]
    with app.app_context():
        column = rows(get_db(), "SELECT bag_gone_on FROM addresses WHERE bag_id = '0358200000000003'")
    assert column == [{"bag_gone_on": dt.date.today().isoformat()}]  # the query column the figures filter on
    back = cli(data, "import", "bag", str(all_three), "--full")
    assert "terug in de BAG: 1" in back.stdout
    assert addresses(data)["0358200000000003"]["bag_gone_on"] is None
    assert len(addresses(data)) == 4  # marked and unmarked, never deleted or duplicated


def test_a_measured_floor_area_is_kept_beside_the_bag_area(tmp_path: Path) -> None:
    app, data = fresh(tmp_path)
    measured = put_address(app, bag_id="0358200000000001", floor_area_m2=70.0, floor_area_source="gemeten")
    unknown = put_address(app, bag_id="0358200000000002", floor_area_m2=99.0, floor_area_source=None)
    same = put_address(app, bag_id="0358200000000003", floor_area_m2=63.0, floor_area_source=None)
    file = write(tmp_path / "bag.csv", bag_text([bag_row(1), bag_row(2), bag_row(3)]))
    assert cli(data, "import", "bag", str(file)).exit_code == 0
    found = addresses(data)
    area = {key: (found[key]["floor_area_m2"], found[key]["floor_area_source"], found[key]["bag_floor_area_m2"])
            for key in ("0358200000000001", "0358200000000002", "0358200000000003")}
    assert area == {"0358200000000001": (70.0, "gemeten", 61.0),  # measured on site: never replaced
                    "0358200000000002": (99.0, None, 62.0),  # of unknown source: may be measured, kept
                    "0358200000000003": (63.0, "bag", 63.0)}  # the BAG's own number: marked so
    assert {found[k]["id"] for k in area} == {measured["id"], unknown["id"], same["id"]}


def test_an_address_without_a_bag_id_gets_it_instead_of_a_duplicate(tmp_path: Path) -> None:
    app, data = fresh(tmp_path)
    on_site = put_address(app, bag_id=None, postcode="1431AB", huisnummer=4, huisletter="b", toevoeging=None,
                          location_type="woonkern", notes="Gevonden ter plaatse.")
    file = write(tmp_path / "bag.csv", bag_text([bag_row(4, huisletter="B"), bag_row(5)]))
    done = cli(data, "import", "bag", str(file))
    assert "Nieuw: 1, gewijzigd: 1" in done.stdout
    found = addresses(data)
    assert found["0358200000000004"]["id"] == on_site["id"]
    assert (found["0358200000000004"]["location_type"], found["0358200000000004"]["notes"]) == (
        "woonkern", "Gevonden ter plaatse.")  # what the office knows stays
    assert len(found) == 2


def test_rows_of_other_municipalities_are_skipped_and_counted(tmp_path: Path) -> None:
    _app, data = fresh(tmp_path)
    file = write(tmp_path / "bag.csv", bag_text([bag_row(1), bag_row(2, gemeente="Amstelveen",
                                                                     nummeraanduiding="0362200000000002")]))
    done = cli(data, "import", "bag", str(file))
    assert "Nieuw: 1, gewijzigd: 0, ongewijzigd: 0, overgeslagen (andere gemeente): 1" in done.stdout
    assert list(addresses(data)) == ["0358200000000001"]


def _latin1(tmp_path: Path) -> Path:
    return write(tmp_path / "bag.csv", bag_text([bag_row(1), bag_row(2, openbareruimte="Café-laan")]).encode("latin-1"))


BAD_FILES = [
    ("missing column x",
     lambda p: write(p / "bag.csv", bag_text([bag_row(1)], [c for c in NLEXTRACT_HEADER if c != "x"])),
     ["Regel 1:", "kolom x ontbreekt"]),
    ("latin-1 bytes", _latin1, ["Regel 3:", "geen geldige UTF-8"]),
    ("commas", lambda p: write(p / "bag.csv", bag_text([bag_row(1)]).replace(";", ",")),
     ["Regel 1:", "komma's in plaats van puntkomma's"]),
    ("empty file", lambda p: write(p / "bag.csv", ""), ["leeg"]),
    ("header only", lambda p: write(p / "bag.csv", bag_text([])), ["Regel 2:", "alleen de kopregel"]),
    ("not a nummeraanduiding after padding", lambda p: write(p / "bag.csv", bag_text([
        bag_row(1), bag_row(2, nummeraanduiding="358010000000002")])), ["Regel 3:", "geen nummeraanduiding"]),
    ("17 digits", lambda p: write(p / "bag.csv", bag_text([bag_row(1, nummeraanduiding="03582000000000011")])),
     ["Regel 2:", "geen BAG-id"]),
    ("bad postcode", lambda p: write(p / "bag.csv", bag_text([bag_row(1, postcode="1431SA")])),
     ["Regel 2:", "de letters SA worden niet gebruikt"]),
    ("huisnummer 0", lambda p: write(p / "bag.csv", bag_text([bag_row(1, huisnummer="0")])),
     ["Regel 2:", "huisnummer '0'"]),
    ("letters", lambda p: write(p / "bag.csv", bag_text([bag_row(1, huisletter="ab")])), ["Regel 2:", "huisletter"]),
    ("a nummeraanduiding twice", lambda p: write(p / "bag.csv", bag_text([bag_row(1), bag_row(2), bag_row(1)])),
     ["Regel 4:", "staat ook op regel 2"]),
    ("a wrong number of fields", lambda p: write(p / "bag.csv", bag_text([bag_row(1)]) + "a;b;c\n"),
     ["Regel 3:", "3 velden in plaats van 22"]),
    ("a negative area", lambda p: write(p / "bag.csv", bag_text([bag_row(1, oppervlakteadresseerbaarobject="-5")])),
     ["Regel 2:", "oppervlakte '-5'"]),
]


@pytest.mark.parametrize(("name", "make", "says"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_a_bad_file_imports_nothing_and_names_the_line(tmp_path: Path, name: str, make: Any, says: list[str]) -> None:
    _app, data = fresh(tmp_path)
    assert cli(data, "import", "bag", str(write(tmp_path / "first.csv", bag_text([bag_row(1), bag_row(2)])))
               ).exit_code == 0
    before = dump(data)
    done = cli(data, "import", "bag", str(make(tmp_path)))
    assert done.exit_code == 2
    for fragment in says:
        assert fragment in done.stderr
    assert "Traceback" not in done.stderr
    assert dump(data) == before
    assert not list((data / "tmp").iterdir())  # the staging file is gone too


def test_a_fifteen_digit_id_is_padded_to_sixteen(tmp_path: Path) -> None:
    _app, data = fresh(tmp_path)
    file = write(tmp_path / "bag.csv", bag_text([bag_row(1, nummeraanduiding="358200000000001",
                                                         object_id="358010000000001", pandid="358100000000001")]))
    assert cli(data, "import", "bag", str(file)).exit_code == 0
    one = addresses(data)["0358200000000001"]
    assert (one["object_id"], one["pand_id"]) == ("0358010000000001", "0358100000000001")


def test_every_bad_row_is_in_the_report_and_the_first_ten_on_screen(tmp_path: Path) -> None:
    _app, data = fresh(tmp_path)
    file = write(tmp_path / "bag.csv", bag_text([bag_row(n, postcode="0431AB") for n in range(1, 31)]))
    done = cli(data, "import", "bag", str(file))
    assert done.exit_code == 2
    shown = [line for line in done.stderr.splitlines() if line.startswith("Regel ")]
    assert len(shown) == 10 and shown[0].startswith("Regel 2:")
    assert "... en nog 20 foute regels" in done.stderr
    report = next((data / "reports" / "imports").glob("import-bag-*.rapport.txt"))
    assert sum(1 for line in report.read_text(encoding="utf-8").splitlines() if line.startswith("Regel ")) == 30


def test_a_bom_and_the_older_area_column_are_accepted(tmp_path: Path) -> None:
    _app, data = fresh(tmp_path)
    header = [("oppervlakteverblijfsobject" if c == "oppervlakteadresseerbaarobject" else c) for c in NLEXTRACT_HEADER]
    rows_ = [{**bag_row(1), "oppervlakteverblijfsobject": "88"}]
    file = write(tmp_path / "bag.csv", ("\ufeff" + bag_text(rows_, [*header, "verkorteopenbareruimte"])))
    assert cli(data, "import", "bag", str(file)).exit_code == 0
    assert addresses(data)["0358200000000001"]["bag_floor_area_m2"] == 88.0


def test_the_municipalities_setting_that_cannot_be_read_is_one_line_and_exit_1(tmp_path: Path,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    _app, data = fresh(tmp_path)
    monkeypatch.setenv("WOONTOEZICHT_BAG_GEMEENTEN", "Aalsmeer")
    done = cli(data, "import", "bag", str(write(tmp_path / "bag.csv", bag_text([bag_row(1)]))))
    assert done.exit_code == 1
    assert "WOONTOEZICHT_BAG_GEMEENTEN" in done.stderr and "Traceback" not in done.stderr


def test_a_tablet_cannot_change_the_bag_facts_of_an_address(api: Any, app: Flask) -> None:
    from tests.sync_fixtures import Device, put
    device = Device(api, app, "handhaver")
    address = api.post("/api/v1/addresses", json={**example("compliant.json")["address"], "id": str(uuid.uuid4()),
                                                  "gebruiksdoel": ["woonfunctie"], "bag_floor_area_m2": 80.0}).json
    api.post("/api/v1/assignments", json={"address_id": address["id"], "week": "2026-W10",
                                          "inspector_id": device.user["id"]})
    wire = {k: v for k, v in address.items() if k not in ("version", "created_at", "updated_at", "parties")}
    device.push(put("address", {**wire, "gebruiksdoel": ["industriefunctie"], "bag_gone_on": "2026-01-01",
                                "notes": "Bel aan bij de achterdeur."}, base_version=1))
    current = api.get(f"/api/v1/addresses/{address['id']}").json
    assert (current["gebruiksdoel"], current["bag_gone_on"], current["notes"]) == (
        ["woonfunctie"], None, "Bel aan bij de achterdeur.")
    found_on_site = {**wire, "id": str(uuid.uuid4()), "bag_id": None, "postcode": "1432ZZ",
                     "pand_id": "0358100000000001", "brp_peildatum": "2026-01-01"}
    device.push(put("address", found_on_site))
    made = api.get(f"/api/v1/addresses/{found_on_site['id']}").json
    assert (made["pand_id"], made["brp_peildatum"], made["gebruiksdoel"]) == (None, None, None)


# --- the write, in chunks, with others writing meanwhile ---------------------------------------------------------

def test_a_large_import_is_written_in_chunks_and_merges_a_change_made_meanwhile(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from server import import_staging
    monkeypatch.setattr(import_staging, "CHUNK", 3)
    monkeypatch.setattr(import_staging, "PAUSE", 0)
    app, data = fresh(tmp_path)
    file = write(tmp_path / "a.csv", bag_text([bag_row(n) for n in range(1, 11)]))
    assert cli(data, "import", "bag", str(file)).exit_code == 0
    ids = {key: a["id"] for key, a in addresses(data).items()}
    changed = write(tmp_path / "b.csv", bag_text([bag_row(n, pandbouwjaar="1999") for n in range(1, 11)]))
    seen: list[int] = []

    def tablet_meanwhile(stage: str, done: int, total: int | None) -> None:
        if stage == "Schrijven" and not seen:  # after the first chunk: the office changes row 9's address
            seen.append(done)
            with app.app_context():
                db = get_db()
                nine = store.get(db, "address", ids["0358200000000009"])
                assert nine is not None
                store.put(db, "address", {**nine, "notes": "Gewijzigd tijdens de import."}, actor="office")

    with app.app_context():
        result = import_bag(get_db(), changed, setting="Aalsmeer=0358", moment=NOW, actor="import:bag", full=False,
                            work=data / "tmp", progress=tablet_meanwhile)
        assert (result.transactions, result.changed) == (4, 10)
        assert rows(get_db(), "SELECT total, finished_at IS NOT NULL AS done FROM import_batches ORDER BY id") == [
            {"total": 10, "done": 1}, {"total": 10, "done": 1}]  # the first import and this one
    found = addresses(data)
    assert {a["bouwjaar"] for a in found.values()} == {1999}
    assert (found["0358200000000009"]["notes"], found["0358200000000009"]["version"]) == (
        "Gewijzigd tijdens de import.", 3)  # merged onto the office's version, not written over it
    assert not list((data / "tmp").iterdir())


def test_an_import_stopped_halfway_is_finished_before_the_next_one(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from server import import_staging
    monkeypatch.setattr(import_staging, "CHUNK", 4)
    monkeypatch.setattr(import_staging, "PAUSE", 0)
    app, data = fresh(tmp_path)
    file = write(tmp_path / "a.csv", bag_text([bag_row(n) for n in range(1, 11)]))

    def killed(stage: str, done: int, total: int | None) -> None:
        if stage == "Schrijven":
            raise KeyboardInterrupt  # the process stops after its first chunk

    with app.app_context(), pytest.raises(KeyboardInterrupt):
        import_bag(get_db(), file, setting="Aalsmeer=0358", moment=NOW, actor="import:bag", full=False,
                   work=data / "tmp", progress=killed)
    assert len(addresses(data)) == 4  # one chunk stored; the batch says the rest is to come
    done = cli(data, "import", "bag", str(write(tmp_path / "b.csv", bag_text([bag_row(11)]))))
    assert done.exit_code == 0, done.stderr
    assert "a.csv" in done.stderr and "stopte halverwege en is nu afgemaakt" in done.stderr
    assert sorted(addresses(data)) == [f"0358200000{n:06d}" for n in range(1, 12)]
    with app.app_context():
        assert rows(get_db(), "SELECT count(*) AS n FROM import_batches WHERE finished_at IS NULL") == [{"n": 0}]
    assert not list((data / "tmp").iterdir())


# --- the job ---------------------------------------------------------------------------------------------------

def run_job(app: Flask, data: Path, **config: Any) -> Any:
    with app.app_context():
        ctx = JobContext(db=get_db(), config={**app.config, **config}, data=data, name="import-bag",
                         period="2026-W10", now=NOW, actor="job:import-bag")
        return job(ctx)


def test_the_job_imports_the_newest_file_and_puts_it_in_done_with_its_report(tmp_path: Path) -> None:
    import os
    app, data = fresh(tmp_path)
    inbox = data / "inbox" / "bag"
    older = write(inbox / "week09.csv", bag_text([bag_row(1)]))
    newest = write(inbox / "week10.csv", bag_text([bag_row(1), bag_row(2)]))
    os.utime(older, (1_700_000_000, 1_700_000_000))
    outcome = run_job(app, data)
    assert outcome.counts["new"] == 2 and "week10.csv ingelezen" in outcome.message
    assert "1 ouder bestand niet ingelezen" in outcome.message
    assert sorted(p.name for p in (inbox / "done").iterdir()) == [
        "week09.csv", "week09.csv.rapport.txt", "week10.csv", "week10.csv.rapport.txt"]
    assert not newest.exists() and outcome.report == "inbox/bag/done/week10.csv.rapport.txt"
    assert "2 nieuwe adressen" in (inbox / "done" / "week10.csv.rapport.txt").read_text(encoding="utf-8")
    assert "Niet ingelezen: het nieuwere bestand week10.csv" in (inbox / "done" / "week09.csv.rapport.txt").read_text(
        encoding="utf-8")
    with app.app_context():
        assert rows(get_db(), "SELECT DISTINCT updated_by FROM addresses") == [{"updated_by": "job:import-bag"}]


def test_the_job_marks_gone_as_a_complete_municipal_file_unless_the_setting_says_otherwise(tmp_path: Path) -> None:
    app, data = fresh(tmp_path)
    assert cli(data, "import", "bag", str(write(tmp_path / "a.csv", bag_text([bag_row(1), bag_row(2)])))).exit_code == 0
    write(data / "inbox" / "bag" / "a.csv", bag_text([bag_row(1)]))
    assert run_job(app, data, BAG_INBOX_FULL=False).counts["gone"] == 0
    write(data / "inbox" / "bag" / "b.csv", bag_text([bag_row(1)]))
    assert run_job(app, data).counts["gone"] == 1


def test_a_bad_file_fails_the_job_goes_to_failed_with_every_bad_row_and_the_next_run_can_succeed(
        tmp_path: Path) -> None:
    app, data = fresh(tmp_path)
    inbox = data / "inbox" / "bag"
    write(inbox / "bad.csv", bag_text([bag_row(1), bag_row(2, postcode="1431SS"), bag_row(3, huisnummer="x")]))
    before = dump(data)
    with pytest.raises(JobFailed) as failed:
        run_job(app, data)
    assert "bad.csv niet ingelezen" in failed.value.message and failed.value.counts == {"bad_rows": 2}
    assert dump(data) == before
    report = inbox / "failed" / "bad.csv.rapport.txt"
    assert failed.value.report == "inbox/bag/failed/bad.csv.rapport.txt"
    text = report.read_text(encoding="utf-8")
    assert "Regel 3:" in text and "Regel 4:" in text and (inbox / "failed" / "bad.csv").exists()
    write(inbox / "good.csv", bag_text([bag_row(1)]))
    assert run_job(app, data).counts["new"] == 1


def test_an_empty_inbox_is_nothing_to_do(tmp_path: Path) -> None:
    app, data = fresh(tmp_path)
    outcome = run_job(app, data)
    assert outcome.message.startswith("Niets te doen") and outcome.counts == {}


# --- the demo and the tablets ----------------------------------------------------------------------------------

def test_a_fresh_demo_has_a_bag_extract_of_its_addresses_that_the_job_imports(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    assert cli(data, "init", "--demo").exit_code == 0
    files = list((data / "inbox" / "bag").glob("*.csv"))
    assert len(files) == 1
    app = create_app({"DATA": str(data)})
    before = {a["id"]: a for a in addresses(data).values()}
    outcome = run_job(app, data)
    assert (outcome.counts["new"], outcome.counts["changed"], outcome.counts["gone"]) == (0, 40, 0)
    after = addresses(data)
    assert {a["id"] for a in after.values()} == set(before)
    for address in after.values():
        old = before[address["id"]]
        assert (address["postcode"], address["huisnummer"], address["floor_area_m2"]) == (
            old["postcode"], old["huisnummer"], old["floor_area_m2"])
        assert address["floor_area_source"] == "bag" and address["pand_id"] and address["bouwjaar"]
        assert 109000 < address["x"] < 116000 and 471000 < address["y"] < 477500


def test_a_tablet_that_syncs_after_an_import_has_the_new_addresses_in_its_register(tmp_path: Path) -> None:
    from tests.sync_world import World
    world = World(tmp_path)
    try:
        store_, engine = world.tablet("hh1")
        engine.cycle()
        file = write(tmp_path / "bag.csv", bag_text([bag_row(n) for n in range(1, 6)]))
        done = world.server.cli("import", "bag", str(file))
        assert done.returncode == 0, done.stderr
        engine.cycle()
        ids = [r[0] for r in world.db_rows("SELECT id FROM addresses WHERE bag_id LIKE '035820000000000%'")]
        assert len(ids) == 5
        entries = [store_.get("register", i) for i in ids]
        assert all(entries) and {e["bag_id"] for e in entries if e} == {f"035820000000000{n}" for n in range(1, 6)}
        store_.close()
    finally:
        world.stop()


def test_report_lists_what_was_marked_gone(tmp_path: Path) -> None:
    _app, data = fresh(tmp_path)
    assert cli(data, "import", "bag", str(write(tmp_path / "a.csv", bag_text([bag_row(1), bag_row(2)])))).exit_code == 0
    done = cli(data, "import", "bag", str(write(tmp_path / "b.csv", bag_text([bag_row(1)]))), "--full")
    report = Path(done.stderr.strip().splitlines()[-1].removeprefix("Rapport: "))
    assert "Zijdstraat 2, 1431AB Aalsmeer (0358200000000002)" in report.read_text(encoding="utf-8")
