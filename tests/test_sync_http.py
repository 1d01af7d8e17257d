"""Sync between real tablets (field client stores) and a real server process over real HTTP."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import signal
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from field_client.errors import Revoked, ServerRefused, Unreachable
from field_client.sync_engine import SyncEngine
from field_client.tablet_store import TabletStore
from tests.sync_world import World, inspection_for, queue_inspections
from tests.test_attachments import jpeg


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(tmp_path)
    yield w
    w.stop()


def server_inspections(world: World) -> list[str]:
    return [r[0] for r in world.db_rows("SELECT id FROM inspections ORDER BY id")]


def test_a_submitted_inspection_arrives_once_and_the_assignment_finishes(world: World) -> None:
    address, store, engine = world.synced_tablet()
    assignment = store.all("assignment")[0]
    store.queue("inspection", inspection_for(address["id"], assignment_id=assignment["id"]))
    report = engine.cycle()
    assert (report.pushed, report.applied) == (1, 1)
    assert store.outbox_size() == 0
    assert store.all("assignment")[0]["status"] == "done"
    assert len(server_inspections(world)) == 1
    engine.close()
    store.close()


def test_a_retried_push_changes_nothing(world: World) -> None:
    address, store, engine = world.synced_tablet()
    store.queue("inspection", inspection_for(address["id"]))
    entries = store.outbox()
    body = {"protocol": 1, "mutations": [{k: e[k] for k in ("seq", "entity", "id", "op", "base_version", "data")}
                                         for e in entries]}
    first = engine.request("POST", "/api/v1/sync/push", json_body=body).json()
    before = world.db_rows("SELECT id, version, data FROM inspections")
    again = engine.request("POST", "/api/v1/sync/push", json_body=body).json()
    assert again["results"][0]["status"] == "duplicate"
    assert again["results"][0]["original"] == first["results"][0]
    assert world.db_rows("SELECT id, version, data FROM inspections") == before
    engine.push()  # the client learns the answer from the duplicate and empties its outbox
    assert store.outbox_size() == 0
    assert len(server_inspections(world)) == 1
    engine.close()
    store.close()


def test_a_gap_gets_409_and_the_client_recovers(world: World) -> None:
    address, store, engine = world.synced_tablet()
    queue_inspections(store, address["id"], 3, draft=True)
    later = [e for e in store.outbox() if e["seq"] > 1]
    gap = engine.request("POST", "/api/v1/sync/push", json_body={"protocol": 1, "mutations": [
        {k: e[k] for k in ("seq", "entity", "id", "op", "base_version", "data")} for e in later]})
    assert gap.status_code == 409
    assert gap.json() == {"error": "seq_gap", "message": gap.json()["message"], "last_seq": 0}
    engine.push()
    assert store.outbox_size() == 0
    assert len(server_inspections(world)) == 3
    engine.close()
    store.close()


class DroppingProxy:
    """A TCP proxy that forwards requests but drops the connection instead of relaying one answer."""

    def __init__(self, target_port: int, drop_after: int) -> None:
        self.target_port, self.drop_after = target_port, drop_after
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.count = 0
        self.dropped = 0
        self.pushes: list[list[int]] = []  # the seqs of each push request, in the order they came
        self.pulls: list[str] = []  # the cursor of each pull request, in the order they came
        self.active = self.most_active = 0
        self.lock = threading.Lock()
        self.running = True
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while self.running:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, client: socket.socket) -> None:
        with client, socket.create_connection(("127.0.0.1", self.target_port)) as upstream:
            client.settimeout(10)
            upstream.settimeout(10)
            request = self._read_request(client)
            if not request:
                return
            with self.lock:
                self.active += 1
                self.most_active = max(self.most_active, self.active)
                self.count += 1
                count = self.count
                self._note_push(request)
            answer = self._relay(upstream, request)
            with self.lock:
                self.active -= 1  # before the tablet can see the answer and send the next request
            if count == self.drop_after:
                self.dropped += 1
                return  # the server committed; the answer never reaches the tablet
            client.sendall(answer)

    def _note_push(self, request: bytes) -> None:
        head, _, body = request.partition(b"\r\n\r\n")
        line = head.split(b"\r\n")[0].decode()
        if "/sync/pull" in line:
            self.pulls.append(parse_qs(urlsplit(line.split()[1]).query).get("cursor", [""])[0])
        if "/sync/push" in line:
            if b"content-encoding: gzip" in head.lower():
                body = gzip.decompress(body)
            self.pushes.append([m["seq"] for m in json.loads(body)["mutations"]])

    @staticmethod
    def _relay(upstream: socket.socket, request: bytes) -> bytes:
        upstream.sendall(request)
        answer = b""
        while True:
            try:
                chunk = upstream.recv(65536)
            except OSError:
                break
            if not chunk:
                break
            answer += chunk
            if _complete(answer):
                break
        return answer

    @staticmethod
    def _read_request(client: socket.socket) -> bytes:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = client.recv(65536)
            if not chunk:
                return b""
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        while len(body) < length:
            body += client.recv(65536)
        return head.replace(b"keep-alive", b"close") + b"\r\n\r\n" + body

    def close(self) -> None:
        self.running = False
        self.sock.close()


@contextlib.contextmanager
def dropping(world: World, store: TabletStore, engine: SyncEngine, drop_after: int) -> Iterator[DroppingProxy]:
    """Route a tablet through a DroppingProxy (one connection per request) while the block runs."""
    proxy = DroppingProxy(world.server.port, drop_after=drop_after)
    store.set_state(server_url=f"http://127.0.0.1:{proxy.port}")
    engine.http.headers["Connection"] = "close"
    try:
        yield proxy
    finally:
        proxy.close()


def _complete(answer: bytes) -> bool:
    head, sep, body = answer.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


def test_a_response_lost_on_the_way_back_leads_to_no_duplicate(world: World) -> None:
    address, store, engine = world.synced_tablet()
    store.queue("inspection", inspection_for(address["id"]))
    with dropping(world, store, engine, drop_after=1) as proxy:
        engine.push()  # first try: committed, answer dropped; the retry gets 'duplicate'
    assert proxy.dropped == 1
    assert store.outbox_size() == 0
    assert len(server_inspections(world)) == 1
    assert world.db_rows("SELECT last_seq FROM devices WHERE label = 'hh1'") == [(1,)]
    engine.close()
    store.close()


def test_a_pipelined_push_keeps_one_batch_in_flight_and_survives_a_lost_answer(world: World) -> None:
    address, store, engine = world.synced_tablet()
    engine.batch = 5
    queue_inspections(store, address["id"], 23)
    with dropping(world, store, engine, drop_after=3) as proxy:  # the answer to the third batch is lost
        engine.push()
    assert proxy.dropped == 1
    assert proxy.most_active == 1, "the next batch went out before the server answered the last"
    firsts = [seqs[0] for seqs in proxy.pushes]
    assert firsts == [1, 6, 11, 11, 16, 21], "in seq order, the lost batch resent, nothing else twice"
    assert all(seqs == list(range(seqs[0], seqs[0] + len(seqs))) for seqs in proxy.pushes)
    assert store.outbox_size() == 0
    rows = server_inspections(world)
    assert len(rows) == len(set(rows)) == 23
    assert world.db_rows("SELECT last_seq FROM devices WHERE label = 'hh1'") == [(23,)]
    assert (engine.report.pushed, engine.report.applied) == (23, 23)
    assert store.db.execute("SELECT count(*) FROM records WHERE entity = 'inspection' AND dirty = 1").fetchone() \
        == (0,)
    engine.close()
    store.close()


def test_a_hole_in_the_tablets_own_queue_stops_the_push_instead_of_looping(world: World) -> None:
    address, store, engine = world.synced_tablet()
    queue_inspections(store, address["id"], 3, draft=True)
    store.db.execute("DELETE FROM outbox WHERE seq = 2")  # damaged: the server can never get seq 2
    with pytest.raises(ServerRefused, match="mist wijzigingen"):
        engine.push()
    assert [e["seq"] for e in store.outbox()] == [1, 3], "nothing dropped"
    assert server_inspections(world) == []
    engine.close()
    store.close()


def test_a_server_killed_mid_push_loses_nothing_acknowledged_and_duplicates_nothing(world: World) -> None:
    address, store, engine = world.synced_tablet()
    engine.batch = 20
    queue_inspections(store, address["id"], 300, draft=True)
    queued = {e["id"] for e in store.outbox()}
    # Once 100 are acknowledged, kill the server from another thread while the next batch goes
    # out: the kill lands before, during or after that request, never after the whole push.
    killer = threading.Thread(target=world.server.stop, args=(signal.SIGKILL,))

    def progress(stage: str, done: int, total: int) -> None:
        if stage == "verzenden" and done >= 100 and not killer.is_alive() and killer.ident is None:
            killer.start()

    engine.progress = progress
    with pytest.raises(Unreachable):
        engine.push()
    killer.join()
    acknowledged = int(store.get_state("acknowledged_seq") or 0)
    assert 0 < acknowledged < 300, "the kill came mid-push"
    on_server = set(server_inspections(world))
    acknowledged_ids = queued - {e["id"] for e in store.outbox()}
    assert acknowledged_ids <= on_server, "nothing acknowledged is lost"
    world.server.start()
    engine.push()
    assert store.outbox_size() == 0
    rows = server_inspections(world)
    assert len(rows) == len(set(rows)) == 300
    assert set(rows) == queued
    engine.close()
    store.close()


def test_a_cut_photo_upload_resumes_and_verifies(world: World) -> None:
    address, store, engine = world.synced_tablet()
    photo = jpeg(7, size=700)
    sha = store.add_photo(photo, "image/jpeg")
    half = len(photo) // 2
    cut = engine.request("PUT", f"/api/v1/attachments/{sha}", data=photo[:half],
                         headers={"Content-Range": f"bytes 0-{half - 1}/{len(photo)}"})
    assert cut.json() == {"offset": half, "complete": False}
    store.queue("inspection", inspection_for(address["id"], photos=[{"sha256": sha, "caption": "Trap",
                                                                      "room_id": None}]))
    report = engine.cycle()
    assert report.photos == 1
    stored = world.server.data / "attachments" / sha[:2] / sha
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == sha
    inspection = world.rest("GET", f"/api/v1/inspections/{store.all('inspection')[0]['id']}")
    assert inspection["photos"][0]["sha256"] == sha
    engine.close()
    store.close()


def test_a_wrong_hash_is_refused(world: World) -> None:
    store, engine = world.tablet("hh1")
    photo = jpeg(8)
    wrong = hashlib.sha256(b"niet deze foto").hexdigest()
    response = engine.request("PUT", f"/api/v1/attachments/{wrong}", data=photo,
                              headers={"Content-Range": f"bytes 0-{len(photo) - 1}/{len(photo)}"})
    assert response.status_code == 422
    assert engine.request("HEAD", f"/api/v1/attachments/{wrong}").headers["Upload-Offset"] == "0"
    engine.close()
    store.close()


def test_two_devices_editing_one_address_field_make_a_conflict_with_both_values(world: World) -> None:
    address = world.address()
    world.rest("POST", "/api/v1/assignments", {"address_id": address["id"], "week": "2026-W48",
                                               "inspector_id": world.users["hh2"]["id"]})
    (one, e1), (two, e2) = world.tablet("hh1"), world.tablet("hh2")
    e1.cycle()
    e2.cycle()
    one.queue("address", {**one.get("address", address["id"]), "notes": "Bel aan achter"})  # type: ignore[dict-item]
    two.queue("address", {**two.get("address", address["id"]), "notes": "Hond in de tuin"})  # type: ignore[dict-item]
    assert e1.cycle().applied == 1
    assert e2.cycle().conflicts == 1
    conflicts = world.rest("GET", "/api/v1/conflicts")["items"]
    assert [(c["field"], c["server_value"], c["device_value"]) for c in conflicts] == [
        ("notes", "Bel aan achter", "Hond in de tuin")]
    assert two.outcomes()[0]["status"] == "conflict"
    assert two.get("address", address["id"])["notes"] == "Bel aan achter"  # type: ignore[index]
    for s, e in ((one, e1), (two, e2)):
        e.close()
        s.close()


def test_a_reassigned_address_is_evicted_but_unsynced_work_is_kept_and_pushed(world: World) -> None:
    address, store, engine = world.synced_tablet()
    assignment = store.all("assignment")[0]
    draft = inspection_for(address["id"], assignment_id=None, status="draft", finished_at=None)
    store.queue("inspection", draft)
    world.rest("PATCH", f"/api/v1/assignments/{assignment['id']}", {"inspector_id": world.users["hh2"]["id"]})
    engine.pull()
    assert store.get("address", address["id"]) is None
    assert store.get("assignment", assignment["id"]) is None
    assert store.get("inspection", draft["id"]) is not None, "unsynced work stays"
    engine.push()
    assert draft["id"] in server_inspections(world)
    engine.close()
    store.close()


def pulled_world(world: World) -> tuple[Any, Any, set[str]]:
    """Twelve inspections at an address of hh1, pushed by one tablet; a fresh second tablet."""
    address = world.address()
    first, pusher = world.tablet("hh1")
    pusher.cycle()
    queue_inspections(first, address["id"], 12)
    pusher.push()
    pusher.close()
    first.close()
    store, engine = world.tablet("hh1")
    engine.page = 4
    return store, engine, set(server_inspections(world))


def test_a_pipelined_pull_asks_one_page_at_a_time_and_survives_a_lost_answer(world: World) -> None:
    store, engine, on_server = pulled_world(world)
    with dropping(world, store, engine, drop_after=3) as proxy:  # the third page is lost on the way back
        engine.pull()
    assert proxy.dropped == 1 and proxy.most_active == 1
    assert proxy.pulls[0] == "" and proxy.pulls[2] == proxy.pulls[3], "the lost page is asked for again"
    assert len(set(proxy.pulls)) == len(proxy.pulls) - 1, "every other cursor once, in order"
    assert {r["id"] for r in store.all("inspection")} == on_server
    assert store.counts()["norm_set"] == 1 and len(store.all("address")) == 1
    engine.close()
    store.close()


def test_a_page_that_fails_to_apply_leaves_the_cursor_at_the_last_applied_page(world: World) -> None:
    store, engine, on_server = pulled_world(world)
    applied: list[str] = []
    apply_page = store.apply_page

    def failing(changes: list[dict[str, Any]], cursor: str, reset: bool) -> None:
        if len(applied) == 1:
            raise OSError("schijf vol")
        apply_page(changes, cursor, reset)
        applied.append(cursor)

    store.apply_page = failing
    with pytest.raises(OSError, match="schijf vol"):
        engine.pull()  # the next page was already on its way when the second failed to apply
    assert store.get_state("cursor") == applied[0]
    store.apply_page = apply_page
    engine.pull()
    assert {r["id"] for r in store.all("inspection")} == on_server
    engine.close()
    store.close()


def test_an_unknown_cursor_resets_cleanly_and_keeps_the_outbox(world: World) -> None:
    address, store, engine = world.synced_tablet()
    store.queue("inspection", inspection_for(address["id"], status="draft", finished_at=None))
    store.set_state(cursor="onbekende-cursor")
    engine.pull()
    assert engine.report.reset is True
    assert store.get("address", address["id"]) is not None
    assert store.outbox_size() == 1
    assert store.counts()["norm_set"] == 1
    engine.close()
    store.close()


def test_a_revoked_device_wipes_itself(world: World) -> None:
    address, store, engine = world.synced_tablet(name="te-intrekken")
    photo_sha = store.add_photo(jpeg(9), "image/jpeg")
    store.queue("inspection", inspection_for(address["id"], status="draft", finished_at=None))
    device_id = store.get_state("device_id")
    assert world.server.cli("device", "revoke", device_id).returncode == 0
    with pytest.raises(Revoked):
        engine.cycle()
    assert store.counts() == {}
    assert store.outbox_size() == 0
    assert not store.enrolled
    assert not store.photo_path(photo_sha).exists()
    engine.close()
    store.close()


def test_an_unreachable_server_keeps_everything_queued(world: World) -> None:
    address, store, engine = world.synced_tablet()
    store.queue("inspection", inspection_for(address["id"]))
    world.server.stop()
    with pytest.raises(Unreachable, match="1 wijziging"):
        engine.cycle()
    assert store.outbox_size() == 1
    world.server.start()
    engine.cycle()
    assert store.outbox_size() == 0
    with pytest.raises(requests.ConnectionError):
        requests.get("http://127.0.0.1:9/", timeout=1)
    engine.close()
    store.close()
