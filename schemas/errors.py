"""Errors raised by the shared contract."""

from __future__ import annotations


class ContractError(Exception):
    """Base of every error the schemas package raises."""


class NormSetError(ContractError):
    """A norm set file is malformed or inconsistent."""


class NormSetNotFound(ContractError):
    """No norm set is in force for this municipality on this date."""


def flatten_messages(messages: object, prefix: str = "") -> list[str]:
    """Turn marshmallow's nested error messages into 'path: message' lines."""
    if isinstance(messages, dict):
        lines = []
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if key == "_schema":
                path = prefix or "invoer"
            lines.extend(flatten_messages(value, path))
        return lines
    if isinstance(messages, list):
        if all(isinstance(m, str) for m in messages):
            return [f"{prefix}: {m}" if prefix else m for m in messages]
        lines = []
        for item in messages:
            lines.extend(flatten_messages(item, prefix))
        return lines
    return [f"{prefix}: {messages}" if prefix else str(messages)]
