"""The tablet app's local web server on 127.0.0.1: the page, its assets and a small JSON API.

Everything is served from the package: no external URL anywhere, so the app works
without network. Each request opens the tablet store; one background thread syncs.
Every request passes local_access.check first (Host, Origin and the local secret).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from flask import Flask, Response, g, jsonify, render_template, request, send_file, send_from_directory
from werkzeug.exceptions import HTTPException

from field_client import local_access, rapport
from field_client.errors import ClientError, InvalidInput, Unreachable
from field_client.inspections import add_address, evaluate, new_draft, save_draft, submit
from field_client.local_access import Refused, json_object
from field_client.register import Register, address_from_entry, ensure_address, same_letters
from field_client.sync_engine import Report, SyncEngine
from field_client.tablet_store import TabletStore

HERE = Path(__file__).resolve().parent
KIND_NL = {"inspection": "Inspectie", "address": "Adres", "assignment": "Opdracht", "case": "Zaak"}
WAITING = ("Geen verbinding met de server: alles is op deze tablet bewaard en wordt verzonden zodra er "
           "netwerk is.")
# What a rejection means when the server sent only its code.
REJECTED_NL = {"forbidden": "Niet toegestaan: dit adres of deze inspectie hoort niet bij uw opdrachten.",
               "inspection_submitted": "Deze inspectie was al ingediend en verandert niet meer; maak een correctie.",
               "invalid": "Een of meer velden zijn ongeldig.",
               "address_exists": "Dit adres bestaat al op de server."}
# frame-src blob: lets the page show the rapport PDF it fetched (with the secret) in an <iframe>.
CSP = ("default-src 'self'; img-src 'self' blob:; frame-src blob:; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")


def count(n: int, one: str, many: str) -> str:
    """Return a Dutch count with the right noun: '1 wijziging', '3 wijzigingen'."""
    return f"{n} {one if n == 1 else many}"


def postcode_shown(postcode: str | None) -> str:
    """Return a postcode as people write it: '1431ZT' -> '1431 ZT'."""
    text = (postcode or "").replace(" ", "")
    return f"{text[:4]} {text[4:]}" if len(text) == 6 else text


def label(address: dict[str, Any] | None) -> str:
    """Return an address on one line: 'Dorpsstraat 12A-1, 1431 ZT Aalsmeer'."""
    if not address:
        return "onbekend adres"
    number = f"{address.get('huisnummer') or ''}{address.get('huisletter') or ''}"
    if address.get("toevoeging"):
        number += f"-{address['toevoeging']}"
    place = " ".join(p for p in (postcode_shown(address.get("postcode")), address.get("woonplaats") or "") if p)
    return f"{address.get('straat') or ''} {number}, {place}".strip(" ,")


def _store() -> TabletStore:
    if "store" not in g:
        g.store = TabletStore(g.data)
    store: TabletStore = g.store
    return store


def _fail(message: str, status: int = 422, errors: Any = None, error: str | None = None,
          **extra: Any) -> tuple[Response, int]:
    return jsonify({"error": error or ("invalid" if status == 422 else "error"), "message": message,
                    "errors": errors, **extra}), status


def sync_message(report: Report) -> str:
    """Return what a completed sync cycle did, in Dutch with the right plurals."""
    parts = [f"{count(report.pushed, 'wijziging', 'wijzigingen')} verzonden"]
    if report.rejected or report.conflicts:
        parts[0] += (f" ({report.applied} verwerkt, {report.rejected} geweigerd, "
                     f"{count(report.conflicts, 'conflict', 'conflicten')})")
    parts.append(f"{count(report.pulled, 'wijziging', 'wijzigingen')} opgehaald")
    if report.photos:
        parts.append(count(report.photos, "foto", "foto's") + " geüpload")
    text = "Gesynchroniseerd: " + ", ".join(parts) + "."
    return text + (" De server vroeg om opnieuw beginnen; alles is opnieuw opgehaald." if report.reset else "")


def waiting_message(outbox: int) -> str:
    """Return the offline message with what waits."""
    waits = f"{count(outbox, 'wijziging wacht', 'wijzigingen wachten')} op verzending." if outbox else ""
    return f"{WAITING} {waits}".strip()


class Syncer:
    """Runs sync cycles one at a time: from the button or every few seconds in the background."""

    def __init__(self, data: Path, every: int) -> None:
        self.data, self.every, self.lock = data, every, threading.Lock()
        self.offline = False  # the last cycle failed for want of a network (not kept over a restart)
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
                self.offline = False
                return {"ok": True, "message": sync_message(report)}
            except Unreachable:
                self.offline = True
                return {"ok": False, "message": waiting_message(store.outbox_size())}
            except ClientError as err:
                self.offline = False
                return {"ok": False, "message": str(err)}
            finally:
                engine.close()
                store.close()

    def _loop(self) -> None:
        while True:
            time.sleep(self.every)
            self.run()


def create_app(data: Path, sync_every: int = 60) -> Flask:
    """Build the tablet app for one data folder."""
    # Absolute once, here: send_file would resolve a relative folder against the package.
    data = Path(data).resolve()
    app = Flask(__name__, static_folder=None)
    app.config["MAX_CONTENT_LENGTH"] = 30 * 1024 * 1024
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    syncer = Syncer(Path(data), sync_every)
    register = Register()
    setup = TabletStore(Path(data))
    try:
        secret = local_access.install_secret(setup)
    finally:
        setup.close()

    @app.before_request
    def _open() -> None:
        g.data = Path(data)
        local_access.check(secret)

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        if request.path.startswith("/local/") or request.path == "/":
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.teardown_appcontext
    def _close(exc: BaseException | None) -> None:
        store = g.pop("store", None)
        if store is not None:
            store.close()

    @app.errorhandler(Refused)
    def _refused(err: Refused) -> tuple[Response, int]:
        return _fail(err.message, err.status, error=err.error)

    @app.errorhandler(InvalidInput)
    def _invalid(err: InvalidInput) -> tuple[Response, int]:
        return _fail(str(err), 422, err.errors or None)

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException) -> tuple[Response, int]:
        status = err.code or 500
        messages = {404: "Niet gevonden.", 405: "Dit kan niet op dit adres.", 413: "Het verzoek is te groot."}
        return _fail(messages.get(status, "Het verzoek kan niet worden verwerkt."), status)

    @app.get("/")
    def index() -> str:
        return render_template("index.html", secret=secret)

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
        body = json_object()
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
        items.sort(key=lambda a: (a["status"] != "open", a.get("week") or a.get("due") or "", label(a["address"])))
        return jsonify({"items": items})

    @app.get("/local/addresses")
    def addresses() -> Response:
        words = (request.args.get("q") or "").lower().replace(",", " ").split()
        found = [a for a in _store().all("address") if all(w in _searchable(a) for w in words)]
        return jsonify({"items": sorted(found, key=label)[:50]})

    @app.get("/local/register")
    def register_search() -> Response:
        store = _store()
        found, total = register.search(store, request.args.get("q") or "")
        local = {a["id"] for a in store.all("address")}
        return jsonify({"items": [e for e in found if e["id"] not in local], "total": total,
                        "size": len(register.entries(store))})

    @app.get("/local/register/match")
    def register_match() -> Response:
        """Register entries and tablet addresses with the postcode and number typed for a new address."""
        return jsonify({"items": _same_address(_store(), register, dict(request.args))})

    @app.post("/local/addresses")
    def create_address() -> tuple[Response, int]:
        body = json_object()
        store = _store()
        existing = _same_address(store, register, body)
        if existing:
            return _fail(f"Dit adres bestaat al: {label(existing[0])}. Kies dat adres in plaats van een nieuw.", 409,
                         error="address_exists", existing=existing[0])
        return jsonify(add_address(store, body)), 201

    @app.get("/local/addresses/<address_id>")
    def address(address_id: str) -> Response | tuple[Response, int]:
        store = _store()
        record = store.get("address", address_id)
        if record is None:
            entry = store.get("register", address_id)
            if entry is None:
                return _fail("Adres niet op deze tablet.", 404)
            return jsonify({"address": address_from_entry(entry), "assignments": [], "inspections": [], "cases": []})
        inspections = []
        for i in sorted(store.all("inspection", "address_id = ?", [address_id]),
                        key=lambda i: i.get("started_at") or "", reverse=True):
            inspections.append({**i, "findings": evaluate(store, i)["findings"]})
        return jsonify({"address": record, "assignments": store.all("assignment", "address_id = ?", [address_id]),
                        "inspections": inspections, "cases": store.all("case", "address_id = ?", [address_id])})

    @app.post("/local/inspections")
    def create_inspection() -> tuple[Response, int]:
        body = json_object()
        store = _store()
        ensure_address(store, str(body.get("address_id")))  # an address picked from the register
        draft = new_draft(store, str(body.get("address_id")), body.get("assignment_id"),
                          body.get("kind") or "controle", body.get("corrects"))
        return jsonify(draft), 201

    @app.get("/local/inspections/<inspection_id>")
    def inspection(inspection_id: str) -> Response | tuple[Response, int]:
        store = _store()
        record = store.get("inspection", inspection_id)
        if record is None:
            return _fail("Inspectie niet op deze tablet.", 404)
        # A reset of the pull drops an address made from the register; make it again so the draft is judged.
        address = ensure_address(store, record["address_id"])
        return jsonify({"inspection": record, "address": address, "evaluation": evaluate(store, record)})

    @app.put("/local/inspections/<inspection_id>")
    def save(inspection_id: str) -> Response:
        store = _store()
        draft = save_draft(store, inspection_id, json_object())
        return jsonify({"saved": True, "evaluation": evaluate(store, draft)})

    @app.post("/local/inspections/<inspection_id>/submit")
    def submit_inspection(inspection_id: str) -> Response:
        record = submit(_store(), inspection_id)
        return jsonify({"inspection": record})

    @app.get("/local/inspections/<inspection_id>/rapport")
    def rapport_pdf(inspection_id: str) -> Response:
        """The rapport from the server (?versie=verhuurder: that version); 503 without a connection."""
        found = rapport.fetch(_store(), inspection_id, request.args.get("versie"))
        response = Response(found.pdf, mimetype="application/pdf")
        response.headers["Content-Disposition"] = f'inline; filename="{found.kenmerk or "rapport"}.pdf"'
        response.headers["X-Document-Status"], response.headers["X-Document-Kenmerk"] = found.status, found.kenmerk
        return response

    @app.post("/local/inspections/<inspection_id>/rapport/sign")
    def rapport_sign(inspection_id: str) -> Response | tuple[Response, int]:
        """Sign the rapport on the server: {signed, kenmerk, message}, or the refusal with its status."""
        try:
            return jsonify(rapport.sign(_store(), inspection_id))
        except Refused as err:
            return _fail(err.message, err.status, error=err.error, signed=False)

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
        with path.open("rb") as f:
            png = f.read(4) == b"\x89PNG"
        return send_file(path, mimetype="image/png" if png else "image/jpeg")

    @app.get("/local/sync")
    def sync_state() -> Response:
        store = _store()
        outbox = [{"seq": e["seq"], "kind": KIND_NL.get(e["entity"], e["entity"]),
                   "summary": _summary(store, e["entity"], e["data"] or {"id": e["id"]}, e["op"])}
                  for e in store.outbox()]
        problems: dict[str, list[dict[str, Any]]] = {"rejected": [], "conflict": []}
        for o in store.outcomes():
            record = store.get(o["entity"], o["id"]) or {"id": o["id"]}
            problems[o["status"]].append({
                "seq": o["seq"], "kind": KIND_NL.get(o["entity"], o["entity"]), "at": o["at"],
                "summary": _summary(store, o["entity"], record), "errors": o["errors"],
                "message": o["message"] or REJECTED_NL.get(o["code"] or "", "De server weigerde deze wijziging.")})
        for photo in store.refused_photos():  # a photo the server will never take stays here, with its reason
            problems["rejected"].append({"seq": None, "kind": "foto", "at": None,
                                         "summary": f"foto {photo['sha256'][:12]}", "errors": None,
                                         "message": photo["refused"]})
        last_ok = store.get_state("last_sync_ok")
        problem = None
        if last_ok is False:  # after a restart only the engine's own words say the network was down
            offline = syncer.offline or str(store.get_state("last_result") or "").startswith("Server niet bereikbaar")
            problem = waiting_message(len(outbox)) if offline else store.get_state("last_result")
        return jsonify({"last_sync": store.get_state("last_sync"), "last_attempt": store.get_state("last_attempt"),
                        "last_sync_ok": last_ok, "problem": problem, "outbox": outbox,
                        "rejections": problems["rejected"], "conflicts": problems["conflict"]})

    @app.post("/local/sync")
    def sync_now() -> Response:
        return jsonify(syncer.run())

    return app


def _searchable(address: dict[str, Any]) -> str:
    number = f"{address.get('huisnummer')}{address.get('huisletter') or ''}"
    postcode = str(address.get("postcode") or "")
    return f"{address.get('straat')} {number} {postcode} {postcode_shown(postcode)} {address.get('woonplaats')}".lower()


def _same_address(store: TabletStore, register: Register, typed: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the addresses on the tablet and in the register with the postcode, number and letters typed."""
    found = register.same_address(store, typed)
    postcode = str(typed.get("postcode") or "").replace(" ", "").upper()
    local = [a for a in store.all("address") if a.get("postcode") == postcode
             and str(a.get("huisnummer")) == str(typed.get("huisnummer")) and same_letters(a, typed)]
    ids = {a["id"] for a in local}
    return local + [e for e in found if e["id"] not in ids]


def _summary(store: TabletStore, entity: str, data: dict[str, Any], op: str = "put") -> str:
    """Return what a queued or refused record is about, without repeating its kind."""
    if entity == "inspection":
        text = label(store.get("address", data.get("address_id") or ""))
        state = {"submitted": "ingediend", "draft": "concept"}.get(str(data.get("status")))
        return f"{text} ({state})" if state else text
    if entity == "address":
        return label(data) if "straat" in data else label(store.get("address", data["id"]))
    if entity == "assignment":
        return label(store.get("address", data.get("address_id") or ""))
    return "verwijderd" if op == "delete" else str(data.get("number") or data["id"])
