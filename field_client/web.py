"""The tablet app's local web server on 127.0.0.1: the page, its assets and a small JSON API.

Everything is served from the package: no external URL anywhere, so the app works
without network. Each request opens the tablet store; one background thread syncs.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from flask import Flask, Response, g, jsonify, request, send_file, send_from_directory

from field_client.errors import ClientError, InvalidInput
from field_client.inspections import add_address, evaluate, new_draft, save_draft, submit
from field_client.sync_engine import SyncEngine
from field_client.tablet_store import TabletStore

HERE = Path(__file__).resolve().parent
ENTITY_NL = {"inspection": "inspectie", "address": "adres", "assignment": "opdracht"}
WAITING = ("Geen verbinding met de server: alles is op deze tablet bewaard en wordt verzonden zodra er "
           "netwerk is.")


def _store() -> TabletStore:
    if "store" not in g:
        g.store = TabletStore(g.data)
    store: TabletStore = g.store
    return store


def _fail(message: str, status: int = 422, errors: Any = None) -> tuple[Response, int]:
    return jsonify({"error": "invalid" if status == 422 else "error", "message": message, "errors": errors}), status


def _label(address: dict[str, Any] | None) -> str:
    if not address:
        return "onbekend adres"
    number = f"{address['huisnummer']}{address.get('huisletter') or ''}"
    return f"{address['straat']} {number}, {address['postcode']}"


class Syncer:
    """Runs sync cycles one at a time: from the button or every few seconds in the background."""

    def __init__(self, data: Path, every: int) -> None:
        self.data, self.every, self.lock = data, every, threading.Lock()
        if every:
            threading.Thread(target=self._loop, daemon=True, name="veld-sync").start()

    def run(self) -> dict[str, Any]:
        """Run one cycle now; return {ok, message}."""
        with self.lock:
            store = TabletStore(self.data)
            engine = SyncEngine(store, attempts=2, backoff=0.3, timeout=15)
            try:
                if not store.enrolled:
                    return {"ok": False, "message": "Deze tablet is nog niet gekoppeld."}
                report = engine.cycle()
                return {"ok": True, "message": report.summary()}
            except ClientError as err:
                return {"ok": False, "message": f"{WAITING} ({err})"}
            finally:
                engine.close()
                store.close()

    def _loop(self) -> None:
        while True:
            time.sleep(self.every)
            self.run()


def create_app(data: Path, sync_every: int = 60) -> Flask:
    """Build the tablet app for one data folder."""
    app = Flask(__name__, static_folder=None)
    app.config["MAX_CONTENT_LENGTH"] = 30 * 1024 * 1024
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    syncer = Syncer(Path(data), sync_every)

    @app.before_request
    def _open() -> None:
        g.data = Path(data)

    @app.teardown_appcontext
    def _close(exc: BaseException | None) -> None:
        store = g.pop("store", None)
        if store is not None:
            store.close()

    @app.errorhandler(InvalidInput)
    def _invalid(err: InvalidInput) -> tuple[Response, int]:
        return _fail(str(err), 422, err.errors or None)

    @app.errorhandler(RecursionError)
    def _too_deep(err: RecursionError) -> tuple[Response, int]:  # JSON nested deeper than the reader goes
        return _fail("Ongeldige JSON: te diep genest.", 400)

    @app.get("/")
    def index() -> Response:
        return send_file(HERE / "templates" / "index.html")

    @app.get("/static/<path:name>")
    def static_file(name: str) -> Response:
        return send_from_directory(HERE / "static", name, max_age=0)

    @app.get("/local/state")
    def state() -> Response:
        store = _store()
        return jsonify({"enrolled": store.enrolled, "user": store.get_state("user"),
                        "server_url": store.get_state("server_url"), "outbox": store.outbox_size(),
                        "last_sync": store.get_state("last_sync"), "last_sync_ok": store.get_state("last_sync_ok")})

    @app.post("/local/enroll")
    def enroll() -> Response | tuple[Response, int]:
        body = request.get_json(silent=True) or {}
        if not body.get("url") or not body.get("code"):
            return _fail("Vul het serveradres en de koppelcode in.")
        store = _store()
        engine = SyncEngine(store, attempts=2)
        try:
            user = engine.enroll(str(body["url"]), str(body["code"]), "tablet")
        except ClientError as err:
            return _fail(str(err), 400)
        finally:
            engine.close()
        return jsonify({"user": user})

    @app.get("/local/assignments")
    def assignments() -> Response:
        store = _store()
        waiting = {e["data"].get("assignment_id") for e in store.outbox() if e["entity"] == "inspection" and e["data"]}
        items = []
        for a in store.all("assignment"):
            meta = store.meta("assignment", a["id"]) or {}
            synced = a["id"] not in waiting and not meta.get("dirty")
            items.append({**a, "address": store.get("address", a["address_id"]),
                          "sync_state": "synced" if synced else "waiting"})
        items.sort(key=lambda a: (a["status"] != "open", a.get("week") or a.get("due") or "", _label(a["address"])))
        return jsonify({"items": items})

    @app.get("/local/addresses")
    def addresses() -> Response:
        words = (request.args.get("q") or "").lower().split()
        found = [a for a in _store().all("address")
                 if all(w in f"{a['straat']} {a['huisnummer']}{a.get('huisletter') or ''} {a['postcode']}".lower()
                        for w in words)]
        return jsonify({"items": sorted(found, key=_label)[:50]})

    @app.post("/local/addresses")
    def create_address() -> tuple[Response, int]:
        return jsonify(add_address(_store(), request.get_json(silent=True) or {})), 201

    @app.get("/local/addresses/<address_id>")
    def address(address_id: str) -> Response | tuple[Response, int]:
        store = _store()
        record = store.get("address", address_id)
        if record is None:
            return _fail("Adres niet op deze tablet.", 404)
        inspections = []
        for i in sorted(store.all("inspection", "address_id = ?", [address_id]),
                        key=lambda i: i.get("started_at") or "", reverse=True):
            inspections.append({**i, "findings": evaluate(store, i)["findings"]})
        return jsonify({"address": record, "assignments": store.all("assignment", "address_id = ?", [address_id]),
                        "inspections": inspections, "cases": store.all("case", "address_id = ?", [address_id])})

    @app.post("/local/inspections")
    def create_inspection() -> tuple[Response, int]:
        body = request.get_json(silent=True) or {}
        draft = new_draft(_store(), str(body.get("address_id")), body.get("assignment_id"),
                          body.get("kind") or "controle", body.get("corrects"))
        return jsonify(draft), 201

    @app.get("/local/inspections/<inspection_id>")
    def inspection(inspection_id: str) -> Response | tuple[Response, int]:
        store = _store()
        record = store.get("inspection", inspection_id)
        if record is None:
            return _fail("Inspectie niet op deze tablet.", 404)
        return jsonify({"inspection": record, "address": store.get("address", record["address_id"]),
                        "evaluation": evaluate(store, record)})

    @app.put("/local/inspections/<inspection_id>")
    @app.post("/local/inspections/<inspection_id>/beacon")
    def save(inspection_id: str) -> Response:
        store = _store()
        draft = save_draft(store, inspection_id, request.get_json(force=True, silent=True) or {})
        return jsonify({"saved": True, "evaluation": evaluate(store, draft)})

    @app.post("/local/inspections/<inspection_id>/submit")
    def submit_inspection(inspection_id: str) -> Response:
        record = submit(_store(), inspection_id)
        return jsonify({"inspection": record})

    @app.post("/local/photos")
    def add_photo() -> tuple[Response, int]:
        upload = request.files.get("photo")
        if upload is None:
            return _fail("Geen foto ontvangen.")
        content = upload.read()
        if not content.startswith((b"\xff\xd8\xff", b"\x89PNG")):
            return _fail("Alleen JPEG- en PNG-foto's.")
        return jsonify({"sha256": _store().add_photo(content, upload.mimetype)}), 201

    @app.get("/local/photos/<sha256>")
    def photo(sha256: str) -> Response | tuple[Response, int]:
        path = _store().photo_path(sha256)
        if len(sha256) != 64 or not path.exists():
            return _fail("Foto niet gevonden.", 404)
        return send_file(path, mimetype="image/jpeg")

    @app.get("/local/sync")
    def sync_state() -> Response:
        store = _store()
        outbox = [{"seq": e["seq"], "entity": ENTITY_NL.get(e["entity"], e["entity"]),
                   "summary": _summary(store, e["entity"], e["data"] or {"id": e["id"]})} for e in store.outbox()]
        problems: dict[str, list[dict[str, Any]]] = {"rejected": [], "conflict": []}
        for o in store.outcomes():
            record = store.get(o["entity"], o["id"]) or {"id": o["id"]}
            problems[o["status"]].append({**o, "entity": ENTITY_NL.get(o["entity"], o["entity"]),
                                          "summary": _summary(store, o["entity"], record)})
        last_ok = store.get_state("last_sync_ok")
        return jsonify({"last_sync": store.get_state("last_sync"), "last_result": store.get_state("last_result"),
                        "waiting_message": WAITING if last_ok is False and outbox else None, "outbox": outbox,
                        "rejections": problems["rejected"], "conflicts": problems["conflict"]})

    @app.post("/local/sync")
    def sync_now() -> Response:
        return jsonify(syncer.run())

    return app


def _summary(store: TabletStore, entity: str, data: dict[str, Any]) -> str:
    if entity == "inspection":
        return f"inspectie {_label(store.get('address', data.get('address_id') or ''))}"
    if entity == "address":
        return f"adres {_label(data) if 'straat' in data else data['id']}"
    return f"{entity} {data['id']}"
