"""Parties: whom letters go to, and their roles at addresses (DESIGN.md party, address_party).

A party is a versioned record (history kept) that never goes to a tablet; a tablet receives the
name and role of the parties at an address inside that address's record. A link holds from
`from` (inclusive) until `until` (the first day it no longer holds); ending a link sets `until`,
nothing is ever deleted.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from sqlite_utils import Database

from schemas.party import NETHERLANDS, is_netherlands
from server import store
from server.db import rows, write
from server.errors import Conflict, Invalid, NotFound

# Legal forms that make a name an organisation's (B.V., N.V., V.O.F., C.V., U.A.; Stichting, ...).
_ORGANISATION = re.compile(r"(\b(b\.?\s?v|n\.?\s?v|v\.?\s?o\.?\s?f|c\.?\s?v|u\.?\s?a)\.?\s*$)|"
                           r"(^|\s)(stichting|vereniging|co[öo]peratie|holding)(\s|$)", re.IGNORECASE)
_AGENCY = re.compile(r"uitzend|flex|detach|payroll|personeel|staffing|recruit|agency|interim|jobs", re.IGNORECASE)


def guess_kind(name: str) -> str:
    """Guess from a name whether a party is a rechtspersoon (a legal form in it) or a natuurlijk_persoon."""
    return "rechtspersoon" if _ORGANISATION.search(name.strip()) else "natuurlijk_persoon"


def employer_role(name: str) -> str:
    """Guess whether a free-text employer_or_agency was an uitzendbureau or the werkgever itself."""
    return "uitzendbureau" if _AGENCY.search(name) else "werkgever"


def same_name(name: str) -> str:
    """Return the key under which two spellings of a name are one party (spaces and case ignored)."""
    return " ".join(name.split()).casefold()


# --- parties -----------------------------------------------------------------------

def get_party(db: Database, party_id: str) -> dict[str, Any] | None:
    """Return a party, or None."""
    return store.get(db, "party", party_id)


def create_party(db: Database, party: dict[str, Any], actor: str) -> dict[str, Any]:
    """Store a new party (loaded by party_schema, JSON-ready); refuse an id in use."""
    with write(db):
        if store.get(db, "party", party["id"], include_deleted=True) is not None:
            raise Conflict("Er bestaat al een partij met dit id.")
        return store.put(db, "party", party, actor=actor, expected_version=0)


def update_party(db: Database, party: dict[str, Any], actor: str, expected_version: int) -> dict[str, Any]:
    """Store a changed party as its next version; its addresses' tablets get the new name."""
    with write(db):
        try:
            stored = store.put(db, "party", party, actor=actor, expected_version=expected_version)
        except store.VersionConflict as err:
            raise Conflict("De partij is intussen gewijzigd.", current=err.current) from None
        for address_id in {r["address_id"] for r in rows(db, "SELECT address_id FROM address_parties WHERE "
                                                             "party_id = ?", [party["id"]])}:
            _address_changed(db, address_id)
    return stored


def search_parties(db: Database, *, name: str | None = None, kvk: str | None = None, after: str | None = None,
                   limit: int = 100, restrict: tuple[str, list[Any]] | None = None) -> list[dict[str, Any]]:
    """Return live parties by id, whose name contains `name` (any case) and whose kvk is `kvk`."""
    where, params = ["1"], []
    if name:
        where.append("name LIKE ? ESCAPE '\\' COLLATE NOCASE")
        params.append("%" + re.sub(r"([%_\\])", r"\\\1", name.strip()) + "%")
    if kvk:
        where.append("kvk = ?")
        params.append(kvk)
    if after:
        where.append("id > ?")
        params.append(after)
    if restrict:
        where.append(restrict[0])
        params += restrict[1]
    return store.select(db, "party", " AND ".join(where), params, order="id", limit=limit)


def postal_complete(party: dict[str, Any] | None) -> bool:
    """Return whether a letter can be addressed to a party: a name and a whole postal address."""
    if not party or not (party.get("name") or "").strip():
        return False
    postal = party.get("postal_address") or {}
    if not (postal.get("straat") and postal.get("woonplaats")):
        return False
    if is_netherlands(postal.get("land")):
        return postal.get("huisnummer") is not None and bool(postal.get("postcode"))
    return True


def address_block(party: dict[str, Any]) -> list[str]:
    """Return the lines of a window envelope: name, street and number, "1431 AB  AALSMEER", land abroad."""
    postal = party.get("postal_address") or {}
    street = postal.get("straat") or ""
    if postal.get("huisnummer") is not None:
        number = f"{postal['huisnummer']}{postal.get('huisletter') or ''}"
        if postal.get("toevoeging"):
            number += f"-{postal['toevoeging']}"
        street = f"{street} {number}".strip()
    town = (postal.get("woonplaats") or "").upper()
    postcode = postal.get("postcode") or ""
    home = is_netherlands(postal.get("land"))
    if home and len(postcode) == 6:
        postcode = f"{postcode[:4]} {postcode[4:]}"
    lines = [party["name"], street, f"{postcode}  {town}".strip() if postcode else town]
    if not home:
        lines.append((postal.get("land") or NETHERLANDS).upper())
    return [line for line in lines if line]


# --- links --------------------------------------------------------------------------

def _link_out(row: dict[str, Any], on: dt.date) -> dict[str, Any]:
    start, end = row["from_date"], row["until_date"]
    return {"id": row["id"], "address_id": row["address_id"], "party_id": row["party_id"], "role": row["role"],
            "from": start, "until": end, "active": _holds(start, end, on), "created_at": row["created_at"],
            "created_by": row["created_by"], "updated_at": row["updated_at"], "updated_by": row["updated_by"]}


def _holds(start: str | None, end: str | None, on: dt.date) -> bool:
    day = on.isoformat()
    return (start is None or start <= day) and (end is None or day < end)


def links(db: Database, address_id: str, on: dt.date | None = None, *, with_party: bool = True
          ) -> list[dict[str, Any]]:
    """Return every link of an address (ended ones too), oldest first, each saying whether it holds on `on`."""
    on = on or dt.date.today()
    out = []
    for row in rows(db, "SELECT * FROM address_parties WHERE address_id = ? ORDER BY created_at, id", [address_id]):
        link = _link_out(row, on)
        if with_party:
            link["party"] = get_party(db, row["party_id"])
        out.append(link)
    return out


def parties_at(db: Database, address_id: str, role: str | None = None, on: dt.date | None = None
               ) -> list[dict[str, Any]]:
    """Return the parties that hold a role (any role when None) at an address on a date, each with its role."""
    found = []
    for link in links(db, address_id, on):
        if link["active"] and (role is None or link["role"] == role) and link["party"] is not None:
            found.append({**link["party"], "role": link["role"]})
    return found


def addressee(db: Database, address_id: str, on: dt.date | None = None) -> dict[str, Any] | None:
    """Return the verhuurder of an address on a date with a complete postal address (the first linked), or None."""
    for party in parties_at(db, address_id, "verhuurder", on):
        if postal_complete(party):
            return party
    return None


def tablet_parties(db: Database, address_id: str, on: dt.date | None = None) -> list[dict[str, str]]:
    """Return what a tablet receives of the parties at an address: name and role."""
    return tablet_parties_of(db, [address_id], on).get(address_id, [])


def tablet_parties_of(db: Database, address_ids: list[str], on: dt.date | None = None
                      ) -> dict[str, list[dict[str, str]]]:
    """Return tablet_parties for many addresses at once (a pull page), by address id."""
    day = (on or dt.date.today()).isoformat()
    out: dict[str, list[dict[str, str]]] = {}
    for chunk in (address_ids[i:i + 500] for i in range(0, len(address_ids), 500)):
        marks = ",".join("?" * len(chunk))
        for row in rows(db, f"SELECT a.address_id, a.role, p.name FROM address_parties a JOIN parties p ON "  # noqa: S608
                            f"p.id = a.party_id AND p.deleted = 0 WHERE a.address_id IN ({marks}) AND "
                            "(a.from_date IS NULL OR a.from_date <= ?) AND (a.until_date IS NULL OR ? < a.until_date) "
                            "ORDER BY a.created_at, a.id", [*chunk, day, day]):
            out.setdefault(row["address_id"], []).append({"name": row["name"], "role": row["role"]})
    return out


def link(db: Database, address_id: str, party_id: str, role: str, start: dt.date | None, end: dt.date | None,
         actor: str) -> dict[str, Any]:
    """Link a party to an address in a role; refuse an unknown party or the same role holding at the same time."""
    with write(db):
        if store.get(db, "address", address_id) is None:
            raise NotFound("Adres niet gevonden.")
        if get_party(db, party_id) is None:
            raise Invalid(errors={"party_id": ["Onbekende partij."]})
        for other in rows(db, "SELECT * FROM address_parties WHERE address_id = ? AND party_id = ? AND role = ?",
                          [address_id, party_id, role]):
            if _overlap(other["from_date"], other["until_date"], start, end):
                raise Conflict("Deze partij heeft die rol al op dit adres in die periode.", link_id=other["id"])
        stamp = store.now()
        row = {"id": str(uuid.uuid4()), "address_id": address_id, "party_id": party_id, "role": role,
               "from_date": start.isoformat() if start else None, "until_date": end.isoformat() if end else None,
               "created_at": stamp, "created_by": actor, "updated_at": stamp, "updated_by": actor}
        db.execute(f"INSERT INTO address_parties ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",  # noqa: S608
                   list(row.values()))
        _address_changed(db, address_id)
    return {**_link_out(row, dt.date.today()), "party": get_party(db, party_id)}


def end_link(db: Database, address_id: str, link_id: str, until: dt.date, actor: str, *,
             withdraw: bool = False) -> dict[str, Any]:
    """End a link on a date (it no longer holds from that day); an earlier end stays. Never deletes.

    With withdraw (ending it today), a link that has not started yet ends where it starts: it never held.
    """
    with write(db):
        found = rows(db, "SELECT * FROM address_parties WHERE id = ? AND address_id = ?", [link_id, address_id])
        if not found:
            raise NotFound("Koppeling niet gevonden.")
        row = found[0]
        if row["from_date"] is not None and until.isoformat() <= row["from_date"]:
            if not withdraw:
                raise Invalid(errors={"until": ["Moet na de begindatum (from) liggen."]})
            until = dt.date.fromisoformat(row["from_date"])
        if row["until_date"] is None or until.isoformat() < row["until_date"]:
            stamp = store.now()
            db.execute("UPDATE address_parties SET until_date = ?, updated_at = ?, updated_by = ? WHERE id = ?",
                       [until.isoformat(), stamp, actor, link_id])
            row = {**row, "until_date": until.isoformat(), "updated_at": stamp, "updated_by": actor}
            _address_changed(db, address_id)
    return {**_link_out(row, dt.date.today()), "party": get_party(db, row["party_id"])}


def _overlap(a_start: str | None, a_end: str | None, b_start: dt.date | None, b_end: dt.date | None) -> bool:
    lo = max(a_start or "", b_start.isoformat() if b_start else "")
    hi = min(a_end or "9999-12-31", b_end.isoformat() if b_end else "9999-12-31")
    return lo < hi


def _address_changed(db: Database, address_id: str) -> None:
    """Send the address again to the tablets that hold it: its parties changed, its data did not."""
    found = rows(db, "SELECT deleted FROM addresses WHERE id = ?", [address_id])
    if found and not found[0]["deleted"]:
        store.log_change(db, "address", address_id, "put", address_id, None)
