"""The rapport van bevindingen on the tablet: read from and signed on the server, never kept here.

The server drafts the rapport when the inspection arrives and only there can the
toezichthouder sign it, so both need a connection; without one the app says so in Dutch.
Every refusal is turned into a local_access.Refused with the server's status and message.
"""

from __future__ import annotations

from typing import Any, Callable, TypeVar

from field_client.errors import ClientError, ServerRefused, Unreachable
from field_client.local_access import Refused
from field_client.sync_engine import RapportFile, SyncEngine
from field_client.tablet_store import TabletStore
from reports.fmt import datum

OFFLINE = "Geen verbinding: het rapport is alleen online te bekijken en te ondertekenen."
QUEUED = ("Deze inspectie wacht nog op verzending naar de server; het rapport ontstaat daar. Synchroniseer eerst.")
VERSIONS = ("volledig", "verhuurder")

T = TypeVar("T")


def _on_server(store: TabletStore, inspection_id: str, call: Callable[[SyncEngine], T]) -> T:
    """Run one call to the server with this tablet's token; raise Refused with the answer the app gets."""
    if any(e["entity"] == "inspection" and e["id"] == inspection_id for e in store.outbox()):
        raise Refused(409, "not_sent", QUEUED)
    engine = SyncEngine(store, attempts=2, backoff=0.3, timeout=30)
    try:
        return call(engine)
    except Unreachable:
        raise Refused(503, "offline", OFFLINE) from None
    except ServerRefused as err:
        body = err.body if isinstance(err.body, dict) else {}
        raise Refused(err.status, str(body.get("error") or "refused"), str(err)) from None
    except ClientError as err:  # not enrolled, or revoked
        raise Refused(409, "not_enrolled", str(err)) from None
    finally:
        engine.close()


def fetch(store: TabletStore, inspection_id: str, version: str | None) -> RapportFile:
    """Return the rapport's PDF from the server (a concept, or the signed file)."""
    if version not in (None, *VERSIONS):
        raise Refused(422, "invalid", "Kies de versie volledig of verhuurder.")
    return _on_server(store, inspection_id, lambda engine: engine.rapport_file(inspection_id, version))


def sign(store: TabletStore, inspection_id: str) -> dict[str, Any]:
    """Sign the rapport on the server; return {signed, kenmerk, signed_on, sha256, message}."""
    answer = _on_server(store, inspection_id, lambda engine: engine.sign_rapport(inspection_id))
    return {"signed": True, "kenmerk": answer["kenmerk"], "signed_on": answer["letter_date"],
            "sha256": answer["sha256"],
            "message": f"Rapport {answer['kenmerk']} is ondertekend op {datum(answer['letter_date'])}."}
