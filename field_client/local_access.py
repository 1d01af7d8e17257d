"""Who may talk to the tablet's local server, and how its request bodies are read.

The server listens on 127.0.0.1, but any web page the tablet's browser opens can send
requests there: a page elsewhere can post a form (text/plain, no preflight) to overwrite a
draft, and a DNS-rebinding page (evil.example resolving to 127.0.0.1) can even read the
answers. So every request must name 127.0.0.1 or localhost with our port as its Host, a
request that says where it comes from (Origin) must come from the app itself, and every
/local/ call must carry the secret of this tablet's data folder, which only the app's own
page knows: index.html carries it, and no other site can read that page.
"""

from __future__ import annotations

import hmac
import json
import secrets
from typing import Any

from flask import request

from field_client.tablet_store import TabletStore
from schemas import jsontext

SECRET_HEADER = "X-Local-Secret"  # noqa: S105 - the header's name, not a secret
SECRET_PARAM = "secret"  # noqa: S105 - the parameter's name; only for photos in <img>, which cannot send a header
STATE_KEY = "local_secret"


class Refused(Exception):
    """A request the local server refuses, with its HTTP status and a Dutch message."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error, self.message = status, error, message


def install_secret(store: TabletStore) -> str:
    """Return this data folder's local secret, made once and kept in the store's state (a mode-600 file)."""
    secret = store.get_state(STATE_KEY)
    if not secret:
        secret = secrets.token_urlsafe(32)
        store.set_state(**{STATE_KEY: secret})
    return str(secret)


def allowed_hosts() -> set[str]:
    """Return the Host values this server answers to: 127.0.0.1 and localhost with its own port."""
    port = str(request.environ.get("SERVER_PORT") or "")
    hosts = {f"127.0.0.1:{port}", f"localhost:{port}"}
    if port == "80":  # a browser leaves the default port out
        hosts |= {"127.0.0.1", "localhost"}
    return hosts


def check(secret: str) -> None:
    """Refuse (403) a request for a foreign Host, from another origin, or to /local/ without the secret."""
    host = request.headers.get("Host", "")
    if host not in allowed_hosts():
        raise Refused(403, "host", "Geweigerd: de tablet-app is alleen bereikbaar via 127.0.0.1 of localhost "
                                   "met de eigen poort.")
    origin = request.headers.get("Origin")
    if origin is not None and origin != f"http://{host}":
        raise Refused(403, "origin", "Geweigerd: dit verzoek komt van een andere website dan de tablet-app.")
    if not request.path.startswith("/local/"):
        return
    given = request.headers.get(SECRET_HEADER)
    if given is None and request.method == "GET" and request.path.startswith("/local/photos/"):
        given = request.args.get(SECRET_PARAM)
    if not given or not hmac.compare_digest(given.encode(), secret.encode()):
        raise Refused(403, "local_secret", "Geweigerd: dit verzoek komt niet van de tablet-app. Open de app "
                                           "opnieuw via het adres dat 'woontoezicht-veld serve' noemt.")


def json_object() -> dict[str, Any]:
    """Return the request's JSON object; 415 when the body is not JSON, 400 when it cannot be read."""
    if request.mimetype != "application/json":
        raise Refused(415, "unsupported_media_type", "Stuur de gegevens als JSON (Content-Type: application/json).")
    raw = request.get_data(cache=False)
    try:
        body = jsontext.loads(raw)
    except ValueError as err:  # also an integer of more digits than Python reads
        if isinstance(err, (UnicodeDecodeError, json.JSONDecodeError)):
            raise _unreadable(err) from None
        raise Refused(400, "bad_request", "Ongeldige JSON: een getal met te veel cijfers.") from None
    except RecursionError:
        raise Refused(400, "bad_request", "Ongeldige JSON: te diep genest.") from None
    if jsontext.may_hold_lone_surrogate(raw) and jsontext.lone_surrogate_path(body) is not None:
        raise Refused(400, "bad_request", f"Ongeldige tekst bij {jsontext.lone_surrogate_path(body)}: een losse "
                                          "surrogaat is geen geldige Unicode.")
    if not isinstance(body, dict):
        raise Refused(400, "bad_request", "Verwacht een JSON-object.")
    return body


def _unreadable(err: ValueError) -> Refused:
    if isinstance(err, UnicodeDecodeError):
        return Refused(400, "bad_request", "Ongeldige JSON: de tekst is geen UTF-8.")
    assert isinstance(err, json.JSONDecodeError)
    return Refused(400, "bad_request", f"Ongeldige JSON: niet te lezen op regel {err.lineno}, kolom {err.colno}.")
