"""Recovering without loss over real HTTP: a cloned tablet, an address that already exists, a revoked tablet."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from field_client.errors import Revoked, ServerRefused
from field_client.sync_engine import SyncEngine
from field_client.tablet_store import TabletStore
from tests.conftest import example
from tests.sync_world import World, inspection_for, queue_inspections


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    w = World(tmp_path_factory.mktemp("recovery"))
    yield w
    w.stop()


def inspections_on_server(world: World, address_id: str) -> set[str]:
    return {r[0] for r in world.db_rows("SELECT id FROM inspections WHERE address_id = ?", [address_id])}


def test_a_cloned_tablet_loses_nothing_and_recovers_by_revoke_keep_data_and_enrol_keep_outbox(
        world: World, tmp_path: Path) -> None:
    address, store_a, engine_a = world.synced_tablet("hh1", "origineel")
    clone = tmp_path / "kloon"
    store_a.close()
    shutil.copytree(store_a.folder, clone)
    store_a = TabletStore(store_a.folder)
    engine_a = SyncEngine(store_a, attempts=2, backoff=0.1, timeout=10)
    store_b = TabletStore(clone)
    engine_b = SyncEngine(store_b, attempts=2, backoff=0.1, timeout=10)
    queue_inspections(store_a, address["id"], 30)
    queue_inspections(store_b, address["id"], 40)
    engine_a.cycle()
    with pytest.raises(ServerRefused, match="beheerder"):
        engine_b.cycle()
    assert store_b.outbox_size() == 40, "the clone's work stays queued"
    device_id = store_b.get_state("device_id")
    listed = world.server.cli("device", "list").stdout
    assert "40 wijzigingen niet verzonden" in listed  # the clone's pull reported its outbox
    refused = world.server.cli("device", "revoke", device_id)
    assert refused.returncode == 1 and "--keep-data" in refused.stderr
    assert world.db_rows("SELECT revoked_at FROM devices WHERE id = ?", [device_id]) == [(None,)]
    kept = world.server.cli("device", "revoke", device_id, "--keep-data")
    assert kept.returncode == 0, kept.stderr
    twice = world.server.cli("device", "revoke", device_id, "--keep-data")
    assert twice.returncode == 0 and "al ingetrokken" in twice.stderr
    for store, engine in ((store_a, engine_a), (store_b, engine_b)):
        with pytest.raises(Revoked, match="--keep-outbox"):
            engine.cycle()
        assert store.enrolled  # nothing wiped
        code = world.server.cli("device", "code", "hh1").stdout.strip()
        engine.enroll(world.server.url, code, "opnieuw", keep_outbox=True)
        engine.cycle()
        assert store.outbox_size() == 0
    a_ids = {r["id"] for r in store_a.all("inspection")}
    b_ids = {r["id"] for r in store_b.all("inspection")}
    assert len(a_ids | b_ids) == 70
    assert (a_ids | b_ids) <= inspections_on_server(world, address["id"])
    for store in (store_a, store_b):
        store.close()


def test_an_address_found_on_site_that_exists_is_linked_not_duplicated(world: World) -> None:
    existing = world.address(user=None, bag_id=None, postcode="1431XY", huisnummer=77, huisletter=None,
                             toevoeging=None)
    store, engine = world.tablet("hh2")
    engine.cycle()
    assert store.get("register", existing["id"]) is not None
    found_on_site = example("overbewoond.json")["address"] | {
        "id": "11111111-2222-4333-8444-555555555555", "bag_id": None, "postcode": "1431 xy", "huisnummer": 77,
        "huisletter": None, "toevoeging": None}
    store.queue("address", found_on_site)
    inspection = inspection_for(found_on_site["id"])
    store.queue("inspection", inspection)
    engine.cycle()
    engine.cycle()  # the inspection queued again with the existing address's id goes out on the next push
    assert store.outbox_size() == 0
    assert store.outcomes() == []  # linked, not refused
    assert world.db_rows("SELECT count(*) FROM addresses WHERE postcode = '1431XY' AND huisnummer = 77") == [(1,)]
    assert world.db_rows("SELECT address_id, status FROM inspections WHERE id = ?", [inspection["id"]]) == [
        (existing["id"], "submitted")]
    moved = store.get("inspection", inspection["id"])
    assert moved is not None and moved["address_id"] == existing["id"]
    assert store.get("address", found_on_site["id"]) is None
    store.close()


def test_a_revoked_tablet_with_unsynced_work_is_only_revoked_with_force_and_then_wipes(world: World) -> None:
    address, store, engine = world.synced_tablet("hh1", "vol")
    queue_inspections(store, address["id"], 3)
    engine.pull()  # reports the three waiting changes
    device_id = store.get_state("device_id")
    assert world.server.cli("device", "revoke", device_id).returncode == 1
    forced = world.server.cli("device", "revoke", device_id, "--force")
    assert forced.returncode == 0 and "3 wijzigingen" in forced.stderr
    with pytest.raises(Revoked, match="gewist"):
        engine.cycle()
    assert not store.enrolled and store.outbox_size() == 0
    store.close()


def test_revoking_an_unknown_tablet_is_exit_2(world: World) -> None:
    unknown = world.server.cli("device", "revoke", "geen-tablet")
    assert unknown.returncode == 2 and "Onbekende tablet" in unknown.stderr


def test_a_photo_the_server_refuses_for_good_does_not_hold_back_the_outbox(tmp_path: Path) -> None:
    from tests.test_attachments import jpeg
    small = World(tmp_path / "klein", env={"WOONTOEZICHT_ATTACHMENT_MAX_PIXELS": "10000"})  # 100 x 100 at most
    try:
        address, store, engine = small.synced_tablet("hh1", "foto")
        sha = store.add_photo(jpeg(3, size=640), "image/jpeg")
        with_photo = inspection_for(address["id"], photos=[{"sha256": sha, "caption": "Trap", "room_id": None}])
        store.queue("inspection", with_photo)
        other = inspection_for(address["id"])
        store.queue("inspection", other)
        report = engine.cycle()
        assert report.photos_refused == 1 and "geweigerd" in report.summary()
        assert store.outbox_size() == 0, "the refused photo did not block the queue"
        assert [p["sha256"] for p in store.refused_photos()] == [sha]
        assert "pixels" in store.refused_photos()[0]["refused"]
        assert {r[0] for r in small.db_rows("SELECT id FROM inspections")} >= {with_photo["id"], other["id"]}
        assert engine.cycle().photos_refused == 0, "a refused photo is not sent again"
        store.close()
    finally:
        small.stop()


def test_a_tablet_that_never_reported_its_outbox_is_revoked_only_with_keep_data_or_force(world: World) -> None:
    store, engine = world.tablet("hh2", "oud")
    device_id = store.get_state("device_id")
    # Enrolled, never pulled: whether work waits on it is unknown.
    refused = world.server.cli("device", "revoke", device_id)
    assert refused.returncode == 1 and "nooit gemeld" in refused.stderr
    kept = world.server.cli("device", "revoke", device_id, "--keep-data")
    assert kept.returncode == 0
    with pytest.raises(Revoked, match="--keep-outbox"):
        engine.cycle()
    assert world.server.cli("device", "list").returncode == 0
    store.close()
