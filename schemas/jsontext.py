"""JSON text for storage and the wire: orjson where it can, the standard library where it cannot.

orjson writes the same values as json.dumps(ensure_ascii=False, separators=(",", ":")), and
the same text but for very small floats (1e-05 comes out as 0.00001), about ten times faster,
which matters when a push or pull moves thousands of records a second.
Whatever orjson will not write (keys that are not strings, integers beyond 64 bits, and by
our options dates, times and dataclasses, which go to the `default` function as they would
with json) goes to the standard library, so the answer or the error is the same as before.
NaN and infinity, which json writes as invalid JSON, come out as null; our schemas refuse
them before anything is stored.

Reading: orjson reads about twice as fast, but reads integers beyond 64 bits as floats, so
text with a run of 19 or more digits (counted after turning every digit into 0, which is
ten times cheaper than a regular expression), and anything orjson refuses (NaN, lone
surrogates, broken text), is read by json instead: the same value or the same error.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable

import orjson

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
_DIGITS = "123456789"
_TO_ZERO_BYTES = bytes.maketrans(_DIGITS.encode(), b"0" * len(_DIGITS))
_LONG_BYTES = b"0" * 19


def dumps(value: Any, default: Callable[[Any], Any] | None = None) -> str:
    """Return value as compact JSON text."""
    return dump_bytes(value, default).decode()


def dump_bytes(value: Any, default: Callable[[Any], Any] | None = None) -> bytes:
    """Return value as compact JSON in UTF-8."""
    try:
        return orjson.dumps(value, default=default, option=_OPTIONS)
    except TypeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=default).encode()


def canonical(value: Any) -> bytes:
    """Return value as canonical JSON bytes (sorted keys, compact, UTF-8): the same value, the same bytes.

    Text that is not valid Unicode (lone surrogates) is kept as it came, so that it still has a
    fingerprint; the schemas refuse it before anything is stored.
    """
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    except TypeError:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=str)
        return text.encode("utf-8", "surrogatepass")


def loads(text: str | bytes) -> Any:
    """Return the value of JSON text exactly as json.loads reads it (or raise its error)."""
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else bytes(text)
    if _LONG_BYTES not in raw.translate(_TO_ZERO_BYTES):
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass  # json decides, and words the error
    return json.loads(text)


# A lone surrogate can only reach us as a \u escape (raw UTF-8 cannot encode one, and json refuses it).
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def may_hold_lone_surrogate(raw: bytes) -> bool:
    """Return whether JSON text could hold a lone surrogate (it has a surrogate \\u escape): cheap, bytes only."""
    return _SURROGATE_ESCAPE.search(raw) is not None


def lone_surrogate_path(value: Any, path: str = "") -> str | None:
    """Return where the first key or text holding a lone surrogate is ("data.rooms.0.name"), else None.

    The path itself never holds one: such characters are written as U+FFFD.
    """
    if isinstance(value, str):
        return path or "(tekst)" if _has_surrogate(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{_printable(key)}" if path else _printable(key)
            if _has_surrogate(key):
                return here
            found = lone_surrogate_path(item, here)
            if found:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = lone_surrogate_path(item, f"{path}.{i}" if path else str(i))
            if found:
                return found
    return None


def _has_surrogate(text: str) -> bool:
    return not text.isascii() and any("\ud800" <= ch <= "\udfff" for ch in text)


def _printable(key: Any) -> str:
    return "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in str(key))
