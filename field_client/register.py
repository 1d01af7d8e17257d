"""The offline address register on the tablet: every address of the municipality, searchable offline.

The server sends one `register` record per address in pull (id, postcode, huisnummer,
huisletter, toevoeging, straat, woonplaats, bag_id, gemeentecode); the tablet store keeps
them like any pulled record. Reading 14,000 of them from SQLite for each search costs
about 40 ms (measured: the rows sit in id order, so every search reads the whole table),
while a search over them in memory costs about 2 ms; so the entries are read once and kept
until a pull page moves the cursor or their number changes.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

from field_client.tablet_store import TabletStore
from schemas import jsontext

ENTITY = "register"
LIMIT = 50
# A postcode typed with or without its space, in any case: "1431 zt", "1431ZT".
_POSTCODE_TYPED = re.compile(r"\b([1-9][0-9]{3})\s*([A-Za-z]{2})\b")
_POSTCODE = re.compile(r"^[1-9][0-9]{3}[A-Z]{2}$")
# A house number with its letter and toevoeging: "12", "12a", "12-1", "12 A-bis" is two words.
_NUMBER = re.compile(r"^([0-9]{1,5})([A-Z])?(?:-([A-Z0-9]{1,4}))?$")


@dataclass
class _Query:
    postcode: str | None = None
    numbers: list[tuple[int, str | None, str | None]] = field(default_factory=list)
    prefixes: list[str] = field(default_factory=list)  # four digits: a postcode's start or a house number
    words: list[str] = field(default_factory=list)


def parse(text: str) -> _Query:
    """Split a search into postcode, house numbers and words of the street or place."""
    query = _Query()
    for token in _POSTCODE_TYPED.sub(r"\1\2", text).upper().replace(",", " ").split():
        number = _NUMBER.match(token)
        if _POSTCODE.match(token):
            query.postcode = token
        elif number and len(token) == 4 and token.isdigit():
            query.prefixes.append(token)
        elif number:
            query.numbers.append((int(number.group(1)), number.group(2), number.group(3)))
        elif len(token) == 1 and token.isalpha() and query.numbers and query.numbers[-1][1] is None:
            last = query.numbers[-1]  # "12 a": the letter of the number before it
            query.numbers[-1] = (last[0], token, last[2])
        else:
            query.words.append(token.lower())
    return query


def _matches(entry: dict[str, Any], query: _Query) -> bool:
    if query.postcode and entry.get("postcode") != query.postcode:
        return False
    for prefix in query.prefixes:
        if not (str(entry.get("postcode") or "").startswith(prefix) or entry.get("huisnummer") == int(prefix)):
            return False
    for number, letter, addition in query.numbers:
        if entry.get("huisnummer") != number:
            return False
        if letter and (entry.get("huisletter") or "").upper() != letter:
            return False
        if addition and (entry.get("toevoeging") or "").upper() != addition:
            return False
    place = f"{entry.get('straat') or ''} {entry.get('woonplaats') or ''}".lower()
    return all(word in place for word in query.words)


def _order(entry: dict[str, Any]) -> tuple[Any, ...]:
    return (entry.get("straat") or "", entry.get("huisnummer") or 0, entry.get("huisletter") or "",
            entry.get("toevoeging") or "")


class Register:
    """The register entries of one tablet store, read once and searched in memory."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[Any, int] | None = None
        self._entries: list[dict[str, Any]] = []

    def entries(self, store: TabletStore) -> list[dict[str, Any]]:
        """Return every register entry, read again only when a pull may have changed them."""
        count = int(store.db.execute("SELECT count(*) FROM records WHERE entity = ?", [ENTITY]).fetchone()[0])
        key = (store.get_state("cursor"), count)
        with self._lock:
            if key != self._key:
                rows = store.db.execute("SELECT data FROM records WHERE entity = ?", [ENTITY])
                self._entries = sorted((jsontext.loads(r[0]) for r in rows), key=_order)
                self._key = key
            return self._entries

    def search(self, store: TabletStore, text: str, limit: int = LIMIT) -> tuple[list[dict[str, Any]], int]:
        """Return the first matches of a typed search (postcode, street, number and letter) and their count."""
        query = parse(text)
        if not (query.postcode or query.numbers or query.prefixes or query.words):
            return [], 0
        found = [e for e in self.entries(store) if _matches(e, query)]
        return found[:limit], len(found)

    def same_address(self, store: TabletStore, data: dict[str, Any]) -> list[dict[str, Any]]:
        """Return the entries with the postcode and number of an address typed on site (letter and toevoeging too)."""
        postcode = re.sub(r"\s+", "", str(data.get("postcode") or "")).upper()
        try:
            number = int(data.get("huisnummer") or 0)
        except (TypeError, ValueError):
            return []
        return [e for e in self.entries(store) if e.get("postcode") == postcode and e.get("huisnummer") == number
                and same_letters(e, data)]


def same_letters(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Return whether two addresses have the same huisletter and toevoeging (case and blanks ignored)."""
    def norm(value: Any) -> str:
        return str(value or "").strip().upper()
    return norm(a.get("huisletter")) == norm(b.get("huisletter")) and \
        norm(a.get("toevoeging")) == norm(b.get("toevoeging"))


def address_from_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """Return a local address record for a register entry: only what the register knows, marked as such."""
    return {"id": entry["id"], "bag_id": entry.get("bag_id"), "postcode": entry.get("postcode"),
            "huisnummer": entry.get("huisnummer"), "huisletter": entry.get("huisletter"),
            "toevoeging": entry.get("toevoeging"), "straat": entry.get("straat"),
            "woonplaats": entry.get("woonplaats"), "gemeentecode": entry.get("gemeentecode"),
            "location_type": None, "verified": False, "floor_area_m2": None, "brp_registered": None,
            "from_register": True}


def ensure_address(store: TabletStore, address_id: str) -> dict[str, Any] | None:
    """Return the local address, making it from the register entry when only the register has it.

    The record is written the way a pull writes the server's records: not dirty and never in
    the outbox, so it is never pushed as a new address, and the server's own record replaces
    it once the address comes into the tablet's scope. BEGIN IMMEDIATE takes the write lock
    before the cursor is read, so a pull applying a page meanwhile cannot be undone.
    """
    address = store.get("address", address_id)
    if address is not None:
        return address
    entry = store.get(ENTITY, address_id)
    if entry is None:
        return None
    record = address_from_entry(entry)
    store.db.execute("BEGIN IMMEDIATE")
    try:
        store.apply_page([{"entity": "address", "id": address_id, "version": None, "op": "put", "data": record}],
                         store.get_state("cursor"), False)
    except BaseException:
        store.db.execute("ROLLBACK")
        raise
    store.db.execute("COMMIT")
    return store.get("address", address_id)
