"""HTTP errors as exception classes carrying their status, answered in one place as JSON."""

from __future__ import annotations

import errno
import logging
import sqlite3
from typing import Any

from flask import Flask, Response, current_app, jsonify, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error answered as {"error", "message", "errors"?} with its HTTP status."""

    status = 400
    error = "bad_request"
    message = "Ongeldig verzoek."

    def __init__(self, message: str | None = None, *, errors: Any = None, error: str | None = None,
                 **extra: Any) -> None:
        super().__init__(message or self.message)
        self.message = message or self.message
        self.errors = errors
        if error:
            self.error = error
        self.extra = extra

    def body(self) -> dict[str, Any]:
        """Return the JSON body of this error."""
        body: dict[str, Any] = {"error": self.error, "message": self.message}
        if self.errors is not None:
            body["errors"] = self.errors
        body.update(self.extra)
        return body


class BadRequest(ApiError):
    """The request cannot be read (400)."""


class Unauthorized(ApiError):
    """No valid credentials (401)."""

    status, error, message = 401, "unauthorized", "Log in of geef een geldig token mee."


class Forbidden(ApiError):
    """The user may not do this (403)."""

    status, error, message = 403, "forbidden", "U heeft geen toestemming voor deze handeling."


class NotFound(ApiError):
    """No such record (404)."""

    status, error, message = 404, "not_found", "Niet gevonden."


class Conflict(ApiError):
    """The request conflicts with the current state (409)."""

    status, error, message = 409, "conflict", "Dit conflicteert met de huidige toestand."


class UnsupportedMediaType(ApiError):
    """The body is not JSON (415)."""

    status, error, message = 415, "unsupported_media_type", "Stuur JSON met Content-Type: application/json."


class Invalid(ApiError):
    """The body is JSON but its fields are wrong (422)."""

    status, error, message = 422, "invalid", "Een of meer velden zijn ongeldig."


class UpgradeRequired(ApiError):
    """The client speaks a protocol this server does not (426)."""

    status, error = 426, "upgrade_required"
    message = "Werk de app bij: deze versie van het protocol wordt niet ondersteund."


class DiskFull(ApiError):
    """The server's disk (or the database's size limit) is full: nothing was stored (507)."""

    status, error = 507, "disk_full"
    message = ("De schijf van de server is vol; er is niets opgeslagen en niets verloren gegaan. Probeer het later "
               "opnieuw; de beheerder is gewaarschuwd.")


def disk_full(err: BaseException) -> bool:
    """Return whether an error means the disk or the database is full."""
    if isinstance(err, sqlite3.Error) and getattr(err, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL:
        return True
    return isinstance(err, OSError) and err.errno in (errno.ENOSPC, errno.EDQUOT)


_HTTP_MESSAGES = {
    400: ("bad_request", "Ongeldig verzoek."),
    401: ("unauthorized", "Log in of geef een geldig token mee."),
    403: ("forbidden", "U heeft geen toestemming voor deze handeling."),
    404: ("not_found", "Niet gevonden."),
    405: ("method_not_allowed", "Deze methode is hier niet toegestaan."),
    413: ("too_large", "Het verzoek is te groot."),
    415: ("unsupported_media_type", "Dit soort inhoud wordt niet ondersteund."),
}


def _answer(body: dict[str, Any], status: int) -> Response:
    pages = current_app.extensions.get("html_errors")
    if pages is not None and not request.path.startswith(("/api/", "/healthz")):
        # An office page's error is a page (server.web), with the same status and Dutch message.
        page: Response = pages(status, body["message"], body.get("errors"))
        return page
    response = jsonify(body)
    response.status_code = status
    return response


def init_app(app: Flask) -> None:
    """Answer every error as JSON with the right status."""

    @app.errorhandler(ApiError)
    def _api_error(err: ApiError) -> Response:
        response = _answer(err.body(), err.status)
        if "retry_after" in err.extra:  # 429: when to try again
            response.headers["Retry-After"] = str(err.extra["retry_after"])
        return response

    @app.errorhandler(ValidationError)
    def _validation_error(err: ValidationError) -> Response:
        return _answer(Invalid(errors=err.messages).body(), 422)

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException) -> Response:
        status = err.code or 500
        error, message = _HTTP_MESSAGES.get(status, ("error", err.description or "Fout."))
        return _answer({"error": error, "message": message}, status)

    @app.errorhandler(sqlite3.OperationalError)
    @app.errorhandler(OSError)
    def _storage_error(err: Exception) -> Response:
        if disk_full(err):
            log.error("disk full: %s", err)
            return _answer(DiskFull().body(), 507)
        return _unexpected(err)

    @app.errorhandler(Exception)
    def _unexpected(err: Exception) -> Response:
        log.exception("unexpected error")
        return _answer({"error": "internal", "message": "Interne fout; de beheerder is gewaarschuwd."}, 500)
