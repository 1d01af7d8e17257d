"""A tablet's photo uploads against a real server process: marked uploaded only when the server kept the photo."""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from field_client.errors import ServerRefused, Unreachable
from field_client.sync_engine import SyncEngine
from field_client.tablet_store import TabletStore
from tests.sync_world import World, inspection_for
from tests.test_attachments import jpeg


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(tmp_path)
    yield w
    w.stop()


def marked_uploaded(store: TabletStore, sha: str) -> bool:
    return bool(store.db.execute("SELECT uploaded FROM photos WHERE sha256 = ?", [sha]).fetchone()[0])


def test_a_photo_whose_upload_stopped_after_its_last_chunk_is_marked_uploaded_only_once_kept(world: World) -> None:
    address, store, engine = world.synced_tablet()
    photo = jpeg(41, size=500)
    sha = store.add_photo(photo, "image/jpeg")
    store.queue("inspection", inspection_for(address["id"], photos=[{"sha256": sha, "caption": "Keuken",
                                                                      "room_id": None}]))
    # A file where the photo's folder goes: the server has every byte of the upload and then fails
    # to keep it, as when it stops right after the last chunk.
    stored = world.server.data / "attachments" / sha[:2] / sha
    stored.parent.parent.mkdir(parents=True, exist_ok=True)
    stored.parent.write_bytes(b"")
    with contextlib.suppress(Unreachable, ServerRefused):
        engine.cycle()
    assert not marked_uploaded(store, sha)
    stored.parent.unlink()
    engine.cycle()
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == sha
    assert marked_uploaded(store, sha)
    assert store.outbox_size() == 0
    engine.close()
    store.close()


class _StuckServer(BaseHTTPRequestHandler):
    """Answers as a server from before this fix did for an upload stopped after its last chunk: it
    has every byte (Upload-Offset is the total), lists the photo as missing, and never says complete."""

    total = 0

    def _answer(self, status: int, body: dict[str, object] | None = None) -> None:
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        self.send_header("Upload-Offset", str(self.total))
        self.send_header("Upload-Complete", "0")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def do_HEAD(self) -> None:  # http.server's names
        self._answer(200)

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self._answer(200, {"missing": body["sha256"]})

    def do_PUT(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self._answer(409, {"error": "offset_mismatch", "message": "Verwacht verder te gaan.", "offset": self.total})

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet


def test_a_photo_the_server_never_confirms_stays_queued_for_the_next_cycle(tmp_path: Path) -> None:
    store = TabletStore(tmp_path / "tablet")
    photo = jpeg(42)
    sha = store.add_photo(photo, "image/jpeg")
    store.queue("inspection", inspection_for("4c3f3a5e-0000-4000-8000-000000000001", photos=[{"sha256": sha}]))
    _StuckServer.total = len(photo)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _StuckServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    store.set_state(server_url=f"http://127.0.0.1:{server.server_address[1]}", token="wt_dev_x")
    engine = SyncEngine(store, attempts=1)
    try:
        engine.upload_photos()
    finally:
        server.shutdown()
        server.server_close()
        engine.close()
    assert not marked_uploaded(store, sha)
    assert store.photos_to_upload() == [sha]
    store.close()
