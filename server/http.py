"""Reading requests: JSON bodies and query parameters, with clear errors; paged answers."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import zlib
from typing import Any, Callable

from flask import Response, current_app, g, request, url_for
from marshmallow import Schema, ValidationError, fields, validate

from schemas import jsontext
from schemas.base import OUT_OF_RANGE, BaseSchema, Str, between, within_calendar
from server.errors import ApiError, BadRequest, Invalid, UnsupportedMediaType


class TooLarge(ApiError):
    """The body is over the size limit (413)."""

    status, error, message = 413, "too_large", "Het verzoek is te groot."


class QueryInt(fields.Integer):
    """A whole number written in a query string."""

    default_error_messages = {"invalid": "Geen geldig geheel getal.", "required": "Verplicht veld.",
                              "null": "Mag niet leeg zijn.", "too_large": "Getal is te groot.",
                              "validator_failed": "Ongeldige waarde."}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("strict", False)
        super().__init__(**kwargs)
        # Whatever the endpoint's own range, a number must fit SQLite's 64-bit integers.
        self.validators.append(validate.Range(min=-(2**63), max=2**63 - 1, error="Getal is te groot."))


class QueryDateTime(fields.AwareDateTime):
    """An ISO 8601 moment written in a query string; without a zone it is read as UTC."""

    default_error_messages = {"invalid": "Geen geldig tijdstip (ISO 8601).", "required": "Verplicht veld.",
                              "null": "Mag niet leeg zijn.", "invalid_awareness": "Tijdstip zonder tijdzone.",
                              "format": "Tijdstip kan niet worden weergegeven.",
                              "validator_failed": "Ongeldige waarde.", "out_of_range": OUT_OF_RANGE}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("default_timezone", dt.UTC)
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        moment = super()._deserialize(value, attr, data, **kwargs)
        if not within_calendar(moment):  # it would not convert to UTC, or to local time
            raise self.make_error("out_of_range")
        return moment


class QueryBool(fields.Boolean):
    """true or false written in a query string."""

    truthy = {"true", "1", "ja"}
    falsy = {"false", "0", "nee"}
    default_error_messages = {"invalid": "Gebruik true of false.", "required": "Verplicht veld.",
                              "null": "Mag niet leeg zijn.", "validator_failed": "Ongeldige waarde."}


class PageQuery(BaseSchema):
    """Paging parameters every list takes."""

    limit = QueryInt(load_default=100, validate=between(1, 1000))
    after = Str(load_default=None)


def json_body(*, keep_lone_surrogates: bool = False) -> Any:
    """Return the request's JSON body (gzip allowed); 415 when not JSON, 400 when unreadable.

    Text with a lone surrogate (no Unicode: it cannot be stored or answered) is 400, unless the
    caller keeps it to refuse it per item (a push rejects just the mutation holding it).
    """
    if request.mimetype != "application/json":
        raise UnsupportedMediaType()
    limit = current_app.config["MAX_REQUEST_BYTES"]
    raw = request.get_data(cache=False)
    if request.headers.get("Content-Encoding", "").lower() == "gzip":
        try:
            # Read one byte past the limit so a zip bomb is refused without inflating it whole.
            with gzip.GzipFile(fileobj=io.BytesIO(raw)) as f:
                raw = f.read(limit + 1)
        except (OSError, EOFError, zlib.error):
            raise BadRequest("De gzip-inhoud is beschadigd.") from None
        if len(raw) > limit:
            raise TooLarge()
    try:
        body = jsontext.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise BadRequest(f"Ongeldige JSON: {err}") from None
    except RecursionError:
        raise BadRequest("Ongeldige JSON: te diep genest.") from None
    except ValueError:  # an integer of more digits than Python converts (4300)
        raise BadRequest("Ongeldige JSON: een getal met te veel cijfers.") from None
    if jsontext.may_hold_lone_surrogate(raw):
        where = jsontext.lone_surrogate_path(body)
        g.lone_surrogates = where is not None
        if where is not None and not keep_lone_surrogates:
            raise BadRequest(f"Ongeldige tekst bij {where}: een losse surrogaat (\\ud800-\\udfff) is geen geldige "
                             "Unicode.")
    return body


def json_object(*, keep_lone_surrogates: bool = False) -> dict[str, Any]:
    """Return the request's JSON body, which must be an object."""
    body = json_body(keep_lone_surrogates=keep_lone_surrogates)
    if not isinstance(body, dict):
        raise BadRequest("Verwacht een JSON-object.")
    return body


def load(schema: Schema | Callable[[Any], Any], data: Any, **kwargs: Any) -> Any:
    """Load data with a schema (or a loader of one); answer 422 with the field messages when invalid."""
    try:
        return schema.load(data, **kwargs) if isinstance(schema, Schema) else schema(data, **kwargs)
    except ValidationError as err:
        raise Invalid(errors=err.messages) from None


def query(schema: Schema) -> dict[str, Any]:
    """Load the query string with a schema; 422 with field messages when invalid."""
    result: dict[str, Any] = load(schema, request.args.to_dict())
    return result


def page(items: list[dict[str, Any]], limit: int, cursor_of: Callable[[dict[str, Any]], str],
         endpoint: str, **args: Any) -> dict[str, Any]:
    """Answer a list of at most limit items (fetch limit + 1) and the URL of the next page (or null)."""
    more = len(items) > limit
    items = items[:limit]
    next_url = None
    if more:
        filters = {k: v for k, v in args.items() if v is not None}
        next_url = url_for(endpoint, _external=True, **{**filters, "limit": limit, "after": cursor_of(items[-1])})
    return {"items": items, "next": next_url}


GZIP_MIN_BYTES = 1024


def gzip_response(response: Response) -> Response:
    """Compress a JSON answer when the client accepts gzip and it is worth it."""
    if (response.direct_passthrough or response.status_code < 200 or response.mimetype != "application/json"
            or "gzip" not in request.headers.get("Accept-Encoding", "").lower()
            or "Content-Encoding" in response.headers):
        return response
    body = response.get_data()
    if len(body) < GZIP_MIN_BYTES:
        return response
    response.set_data(gzip.compress(body, compresslevel=5))
    response.headers["Content-Encoding"] = "gzip"
    response.headers.add("Vary", "Accept-Encoding")
    return response
