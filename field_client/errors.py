"""Errors of the field client; every message is Dutch and meant for the handhaver."""

from __future__ import annotations

from typing import Any


class ClientError(Exception):
    """Base of every field client error."""


class NotEnrolled(ClientError):
    """This tablet has not been enrolled yet."""


class Unreachable(ClientError):
    """The server could not be reached (network down, server off); nothing was lost."""


class ServerRefused(ClientError):
    """The server answered with an error the client cannot fix by retrying."""

    def __init__(self, message: str, status: int, body: Any = None) -> None:
        super().__init__(message)
        self.status, self.body = status, body


class Revoked(ClientError):
    """The server revoked this tablet; its local data has been wiped."""


class InvalidInput(ClientError):
    """Input failed validation; carries marshmallow-style field messages."""

    def __init__(self, message: str, errors: Any) -> None:
        super().__init__(message)
        self.errors = errors
