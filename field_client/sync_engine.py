"""The sync engine: upload missing photos, push the outbox in seq order, pull until done.

Network errors and 5xx answers are retried with exponential backoff; an entry leaves
the outbox only when the server acknowledged its seq; a revoked tablet wipes itself.
"""

from __future__ import annotations

import contextlib
import gzip
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator
from urllib.parse import quote

import requests

from field_client.errors import ClientError, NotEnrolled, Revoked, ServerRefused, Unreachable
from field_client.tablet_store import TabletStore, now
from schemas import jsontext
from schemas.cli_locale import counted

PROTOCOL = 2
# Set by the server, never sent back by a tablet.
SERVER_FIELDS = frozenset({"version", "created_at", "updated_at", "attachments_complete", "inspector_id"})
CHUNK = 1024 * 1024
GZIP_FROM = 8 * 1024


@dataclass
class _Call:
    """A request put together, ready to send."""

    method: str
    url: str
    data: bytes | None
    headers: dict[str, str]
    params: dict[str, Any] | None


@dataclass
class _Sent:
    """What sending a request (with its retries) gave."""

    response: requests.Response | None = None
    error: str = ""
    latencies: list[float] = field(default_factory=list)
    bytes_sent: int = 0
    bytes_received: int = 0


@dataclass
class _Batch:
    """The seqs of a batch of outbox entries and the push request that carries them."""

    seqs: list[int]
    call: _Call


@dataclass
class RapportFile:
    """The PDF of a rapport van bevindingen as the server answered it, with its status and kenmerk."""

    pdf: bytes
    status: str
    kenmerk: str
    sha256: str | None


@dataclass
class Report:
    """What one sync cycle did."""

    photos: int = 0
    photos_refused: int = 0
    pushed: int = 0
    applied: int = 0
    rejected: int = 0
    conflicts: int = 0
    pulled: int = 0
    reset: bool = False
    bytes_sent: int = 0
    bytes_received: int = 0
    latencies: list[float] = field(default_factory=list)

    def summary(self) -> str:
        """Return the cycle in one Dutch line."""
        photos = counted(self.photos, "foto", "foto's")
        text = (f"Gesynchroniseerd: {counted(self.pushed, 'wijziging', 'wijzigingen')} verzonden ({self.applied} "
                f"verwerkt, {self.rejected} geweigerd, {counted(self.conflicts, 'conflict', 'conflicten')}), "
                f"{counted(self.pulled, 'wijziging', 'wijzigingen')} ontvangen, {photos} geüpload.")
        if self.photos_refused:
            refused = counted(self.photos_refused, "foto", "foto's")
            text += f" {refused} door de server geweigerd (zie Synchronisatie); de rest is verzonden."
        return text + (" De server vroeg om opnieuw beginnen; alles is opnieuw opgehaald." if self.reset else "")


class SyncEngine:
    """Talks sync protocol v1 with the server for one tablet store."""

    def __init__(self, store: TabletStore, *, batch: int = 500, page: int = 500, attempts: int = 4,
                 backoff: float = 0.5, timeout: float = 30,
                 progress: Callable[[str, int, int], None] | None = None) -> None:
        self.store, self.batch, self.page = store, batch, page
        self.attempts, self.backoff, self.timeout = attempts, backoff, timeout
        self.progress = progress or (lambda stage, done, total: None)
        self.http = requests.Session()
        self._stopping = threading.Event()
        self.report = Report()

    def close(self) -> None:
        """Close the HTTP session."""
        self.http.close()

    # --- transport -----------------------------------------------------------------------

    def _url(self, path: str) -> str:
        base = self.store.get_state("server_url")
        if not base:
            raise NotEnrolled("Deze tablet is nog niet gekoppeld: gebruik eerst 'woontoezicht-veld enroll'.")
        return str(base).rstrip("/") + path

    def request(self, method: str, path: str, *, auth: bool = True, json_body: Any = None, data: bytes | None = None,
                headers: dict[str, str] | None = None, params: dict[str, Any] | None = None) -> requests.Response:
        """Send one request, retrying network errors and 5xx with backoff; raise on a final failure."""
        call = self._call(method, path, auth=auth, json_body=json_body, data=data, headers=headers, params=params)
        return self._received(self._transmit(call))

    def _call(self, method: str, path: str, *, auth: bool = True, json_body: Any = None, data: bytes | None = None,
              headers: dict[str, str] | None = None, params: dict[str, Any] | None = None) -> _Call:
        """Put a request together (reading the server address and token from the store)."""
        headers = dict(headers or {})
        if auth:
            headers["Authorization"] = f"Bearer {self.store.get_state('token')}"
        if json_body is not None:
            data = jsontext.dump_bytes(json_body)
            headers["Content-Type"] = "application/json"
            if len(data) >= GZIP_FROM:
                data = gzip.compress(data, compresslevel=5)
                headers["Content-Encoding"] = "gzip"
        return _Call(method, self._url(path), data, headers, params)

    def _transmit(self, call: _Call) -> _Sent:
        """Send a request, retrying network errors and 5xx with backoff.

        Touches neither store nor report, so a push can run it in a second thread while the
        next batch is read and the last one acknowledged.
        """
        sent = _Sent()
        for attempt in range(self.attempts):
            if attempt and self._stopping.wait(self.backoff * 2 ** (attempt - 1)):
                sent.error = sent.error or "afgebroken"
                break
            started = time.perf_counter()
            try:
                response = self.http.request(call.method, call.url, data=call.data, headers=call.headers,
                                             params=call.params, timeout=self.timeout)
            except requests.RequestException as err:
                sent.error = type(err).__name__
                continue
            sent.latencies.append(time.perf_counter() - started)
            sent.bytes_sent += len(call.data or b"")
            sent.bytes_received += len(response.content)
            if response.status_code >= 500:
                sent.error = f"HTTP {response.status_code}"
                continue
            sent.response = response
            break
        return sent

    def _received(self, sent: _Sent) -> requests.Response:
        """Account for a sent request; raise when it failed for good or the tablet was revoked."""
        self.report.latencies += sent.latencies
        self.report.bytes_sent += sent.bytes_sent
        self.report.bytes_received += sent.bytes_received
        response = sent.response
        if response is None:
            waiting = self.store.outbox_size()
            raise Unreachable(f"Server niet bereikbaar ({sent.error}); "
                              + (f"{waiting} wijziging wacht in de outbox en wordt" if waiting == 1 else
                                 f"{waiting} wijzigingen wachten in de outbox en worden") + " later verzonden.")
        if response.status_code == 401 and _error_of(response) in ("device_revoked", "device_suspended"):
            if _json(response).get("wipe") is False:  # revoked with --keep-data: keep everything, stop syncing
                self.store.set_state(revoked=True)
                raise Revoked("Deze tablet is ingetrokken door de beheerder; de gegevens en de wachtrij op deze "
                              "tablet blijven bewaard. Koppel hem opnieuw met 'woontoezicht-veld enroll "
                              "--keep-outbox URL CODE'.")
            self.store.wipe()
            raise Revoked("Deze tablet is ingetrokken door de beheerder; alle lokale gegevens zijn gewist.")
        return response

    def _ok(self, response: requests.Response, *expected: int) -> Any:
        if response.status_code not in (expected or (200,)):
            body = _json(response)
            message = body.get("message") if isinstance(body, dict) else None
            raise ServerRefused(message or f"De server weigerde het verzoek (HTTP {response.status_code}).",
                                response.status_code, body)
        return _json(response)

    # --- enrolment ---------------------------------------------------------------------------

    def enroll(self, url: str, code: str, label: str, *, keep_outbox: bool = False) -> dict[str, Any]:
        """Spend an enrolment code; keep the server address, device id and token.

        With keep_outbox, a tablet that still holds queued changes (revoked with --keep-data, a
        cloned or restored tablet) keeps them and numbers them again from seq 1 for its new device.
        """
        self.store.set_state(server_url=url.rstrip("/"))
        try:
            answer = self._ok(self.request("POST", "/api/v1/devices/enroll", auth=False,
                                           json_body={"code": code, "label": label}), 201)
        except (ServerRefused, Unreachable):
            self.store.set_state(server_url=None)
            raise
        if keep_outbox:
            try:
                self.store.renumber_outbox(answer["user"]["id"])
            except ValueError:
                raise ClientError("De wachtrij op deze tablet is van een andere gebruiker dan die van de koppelcode; "
                                  "er is niets veranderd. Vraag een koppelcode voor de gebruiker van deze tablet.") \
                    from None
            self.store.set_state(device_id=answer["device_id"], token=answer["token"], user=answer["user"],
                                 cursor=None, revoked=None)
        else:
            self.store.set_state(device_id=answer["device_id"], token=answer["token"], user=answer["user"],
                                 next_seq=1, cursor=None, revoked=None)
        user: dict[str, Any] = answer["user"]
        return user

    # --- the cycle -----------------------------------------------------------------------------

    def cycle(self) -> Report:
        """Run one whole cycle: photos, push, pull. Raise when it could not complete."""
        self.report = Report()
        try:
            self.upload_photos()
            try:
                self.push()
            except ServerRefused:
                # The server refused the queue (say a cloned tablet's seq_reused): still pull, which tells
                # the office how much work waits here before anyone revokes this tablet; then fail.
                with contextlib.suppress(ClientError):
                    self.pull()
                raise
            self.pull()
        except Exception as err:
            self.store.set_state(last_attempt=now(), last_sync_ok=False, last_result=str(err))
            raise
        self.store.set_state(last_sync=now(), last_attempt=now(), last_sync_ok=True,
                             last_result=self.report.summary())
        return self.report

    def upload_photos(self) -> None:
        """Upload the photos queued inspections name, resuming cut uploads.

        A photo is marked uploaded only when the server says it is complete for this tablet's user
        (HEAD Upload-Complete: 1, or a PUT answering complete): never because a list left it out.
        """
        wanted = self.store.photos_to_upload()
        for done, sha in enumerate(wanted, 1):
            try:
                if self.upload_one(sha):
                    self.store.mark_uploaded(sha)
            except ServerRefused as err:
                if err.status not in (413, 415, 422):
                    raise
                # This photo will never be accepted (too big, too many pixels, not an image): keep it on the
                # tablet, show why, and push the rest: one photo must not hold back the whole outbox.
                self.store.refuse_photo(sha, str(err))
                self.report.photos_refused += 1
            self.progress("foto's", done, len(wanted))

    def upload_one(self, sha: str) -> bool:
        """Upload one photo from the offset the server reports; return whether the server has it complete."""
        content = self.store.photo_path(sha).read_bytes()
        head = self.request("HEAD", f"/api/v1/attachments/{sha}")
        self._ok(head)
        if head.headers.get("Upload-Complete") == "1":
            return True
        offset = int(head.headers.get("Upload-Offset", "0"))
        while offset < len(content):
            chunk = content[offset:offset + CHUNK]
            last = offset + len(chunk) - 1
            response = self.request("PUT", f"/api/v1/attachments/{sha}", data=chunk, headers={
                "Content-Range": f"bytes {offset}-{last}/{len(content)}", "Content-Type": "application/octet-stream"})
            if response.status_code == 409:
                moved = int(_json(response).get("offset", offset))
                if moved == offset:  # the server wants what it was sent: going round would never end
                    raise ServerRefused(_json(response).get("message") or "De server weigerde de foto.", 409,
                                        _json(response))
                offset = moved
                continue
            answer = self._ok(response)
            if answer["complete"]:
                self.report.photos += 1
                return True
            offset = int(answer["offset"])
        # Every byte sent, and still not complete (a server that stopped while keeping it): ask again
        # next cycle, when a HEAD finishes it.
        return False

    def push(self) -> None:
        """Push the outbox in seq order and in batches until it is empty.

        Pipelined: once the server answered batch k, batch k+1 (read while k was on its way) is
        sent at once and k is acknowledged locally while the server works on k+1. One batch is
        in flight at a time, so the server still sees the seqs in order; an entry leaves the
        outbox only in acknowledge(), after the server's answer for it.
        """
        total = self.store.outbox_size()
        sent = 0
        with self._network("push") as network:
            batch = self._batch(after=0)
            flight = network.submit(self._transmit, batch.call) if batch else None
            while batch is not None and flight is not None:
                upcoming = self._batch(after=batch.seqs[-1])  # read while the server works
                response = self._received(flight.result())
                if response.status_code == 409 and _error_of(response) == "seq_gap":
                    last = int(_json(response)["last_seq"])
                    if last < batch.seqs[0] - 1:
                        raise ServerRefused("De server mist eerdere wijzigingen van deze tablet; neem contact op met "
                                            "de beheerder.", 409, _json(response))
                    self.store.acknowledge(last, [])
                    first = batch.seqs[0]
                    batch = self._batch(after=0)  # start again from what the outbox still holds
                    if batch is not None and batch.seqs[0] == first:  # the hole is in the outbox
                        raise ServerRefused("De wachtrij van deze tablet mist wijzigingen; neem contact op met de "
                                            "beheerder.", 409, _json(response))
                    flight = network.submit(self._transmit, batch.call) if batch else None
                    continue
                answer = self._ok(response)
                flight = network.submit(self._transmit, upcoming.call) if upcoming else None
                self._acknowledged(batch, answer)  # while the server works on the next batch
                sent += len(batch.seqs)
                self.progress("verzenden", sent, total)
                batch = upcoming

    @contextlib.contextmanager
    def _network(self, name: str) -> Iterator[ThreadPoolExecutor]:
        """A thread for the request in flight; when the caller fails, that request tries no more."""
        self._stopping.clear()
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        try:
            yield pool
        except BaseException:
            self._stopping.set()  # no retries for a request still on its way (Ctrl+C, a full disk)
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)

    def _batch(self, after: int) -> _Batch | None:
        """Read the next batch of queued entries after seq `after` and put its request together."""
        entries = self.store.outbox(self.batch, after=after)
        if not entries:
            return None
        mutations = [{"seq": e["seq"], "entity": e["entity"], "id": e["id"], "op": e["op"],
                      "base_version": e["base_version"], "data": _wire(e["data"])} for e in entries]
        call = self._call("POST", "/api/v1/sync/push", json_body={"protocol": PROTOCOL, "mutations": mutations})
        return _Batch([e["seq"] for e in entries], call)

    def _acknowledged(self, batch: _Batch, answer: dict[str, Any]) -> None:
        self.store.acknowledge(int(answer["last_seq"]), answer["results"])
        for result in answer["results"]:
            status = (result.get("original") or result)["status"] if result["status"] == "duplicate" else \
                result["status"]
            if (result.get("original") or result).get("code") == "address_exists":
                continue  # linked to the address the server has, not refused
            self.report.applied += status in ("applied", "duplicate")
            self.report.rejected += status == "rejected"
            self.report.conflicts += status == "conflict"
        self.report.pushed += len(batch.seqs)

    def pull(self) -> None:
        """Pull pages until the server has no more, committing the cursor with each page.

        Pipelined like push: the next page is asked for (with the cursor the server just gave)
        while this one is applied; the stored cursor only moves with an applied page.
        """
        with self._network("pull") as network:
            flight: Future[_Sent] | None = network.submit(self._transmit,
                                                          self._pull_call(self.store.get_state("cursor")))
            while flight is not None:
                page = self._ok(self._received(flight.result()))
                flight = network.submit(self._transmit, self._pull_call(page["cursor"])) if page["more"] else None
                self.store.apply_page(page["changes"], page["cursor"], page["reset"])
                self.report.pulled += len(page["changes"])
                self.report.reset = self.report.reset or page["reset"]
                self.progress("ontvangen", self.report.pulled, self.report.pulled + (self.page if page["more"] else 0))

    # --- the rapport van bevindingen (online only) ----------------------------------------------

    def rapport_file(self, inspection_id: str, version: str | None = None) -> RapportFile:
        """Return the rapport of one of this user's inspections from the server (version 'verhuurder': that one)."""
        response = self.request("GET", f"/api/v1/inspections/{quote(inspection_id, safe='')}/rapport",
                                params={"versie": version} if version else None)
        if response.status_code != 200 or response.headers.get("Content-Type") != "application/pdf":
            self._ok(response)  # raises ServerRefused with the server's message
            raise ServerRefused("De server stuurde geen PDF-bestand.", response.status_code)
        return RapportFile(response.content, response.headers.get("X-Document-Status", ""),
                           response.headers.get("X-Document-Kenmerk", ""), response.headers.get("X-Document-SHA256"))

    def rapport_pdf(self, inspection_id: str, version: str | None = None) -> bytes:
        """Return the PDF of the rapport of one of this user's inspections; raise Unreachable without network."""
        return self.rapport_file(inspection_id, version).pdf

    def sign_rapport(self, inspection_id: str) -> dict[str, Any]:
        """Sign the rapport of one of this user's inspections on the server; return what the server says of it."""
        response = self.request("POST", f"/api/v1/inspections/{quote(inspection_id, safe='')}/rapport/sign")
        answer: dict[str, Any] = self._ok(response)
        return answer

    def _pull_call(self, cursor: str | None) -> _Call:
        params: dict[str, Any] = {"limit": self.page, "protocol": PROTOCOL, **self.store.outbox_report()}
        if cursor:
            params["cursor"] = cursor
        return self._call("GET", "/api/v1/sync/pull", params=params)


def _wire(data: dict[str, Any] | None) -> dict[str, Any] | None:
    """Return a record without the fields only the server sets."""
    return None if data is None else {k: v for k, v in data.items() if k not in SERVER_FIELDS}


def _json(response: requests.Response) -> Any:
    try:
        return jsontext.loads(response.content)
    except ValueError:
        return {}


def _error_of(response: requests.Response) -> str | None:
    body = _json(response)
    return body.get("error") if isinstance(body, dict) else None

