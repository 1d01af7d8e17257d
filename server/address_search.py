"""Finding addresses for the office pages (Adressen, Planning): filters in SQL on indexed columns, a page at a time.

A search uses one index for its order and stops after a page: by postcode and number
(addresses_list, which holds every column filtered on), by street (addresses_straat, on the first
letters, any case) or by BAG id (addresses_bag_id). The other filters are tested per row while walking that index, and
the facts a page shows (latest inspection, residents counted, open case, planned visits) are
read for its rows only.

The residents of an address here are those of its newest submitted inspection with access
granted (a correction is newer than what it corrects, so it counts), as the figures count them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from schemas import jsontext
from schemas.address import normalise_postcode
from server import bag_rows
from server.db import rows

PAGE_SIZE = 50
UNKNOWN_TYPE = "onbekend"
_TOP = "\U0010ffff"  # above every character: the end of a prefix range

# The residents counted at an address's latest submitted inspection with access (None: never counted).
# The indexes named (m021) answer it for an address without reading its inspections' or evaluations' records; SQLite
# would otherwise take inspections_submitted and read each inspection to test its access.
RESIDENTS_SQL = ("(SELECT e.residents FROM inspections i INDEXED BY inspections_access_granted "
                 "JOIN evaluations e INDEXED BY evaluations_residents ON e.inspection_id = i.id "
                 "WHERE i.address_id = a.id AND i.deleted = 0 AND i.status = 'submitted' "
                 "AND json_extract(i.data, '$.access') = 'granted' ORDER BY i.started_at DESC LIMIT 1)")
REGISTERED_SQL = "json_extract(a.data, '$.brp_registered')"


@dataclass
class Search:
    """What to look for; None or False: that filter is off."""

    postcode: str | None = None  # a whole postcode or its first characters ("1431", "1431A")
    straat: str | None = None
    huisnummer: int | None = None
    bag_id: str | None = None
    location_type: str | None = None  # one of LOCATION_TYPES, or "onbekend" for not yet known
    verified: bool | None = None
    never_inspected: bool = False
    brp_gap: bool = False
    open_case: bool = False
    include_gone: bool = True  # addresses gone from the BAG
    page: int = 1


def clauses(search: Search) -> tuple[list[str], list[Any], str]:
    """Return the WHERE conditions (on alias a), their parameters and the ORDER BY of a search."""
    where: list[str] = ["a.deleted = 0"]
    params: list[Any] = []
    order = "a.postcode, a.huisnummer, a.id"
    if search.bag_id:
        where.append("a.bag_id = ?")
        params.append(search.bag_id)
        order = "a.bag_id, a.id"
    if search.postcode:
        where.append("a.postcode >= ? AND a.postcode < ?")
        params += [search.postcode, search.postcode + _TOP]
    if search.straat:
        street = "json_extract(a.data, '$.straat') COLLATE NOCASE"
        where.append(f"{street} >= ? AND {street} < ?")
        prefix = " ".join(search.straat.split())
        params += [prefix, prefix + _TOP]
        if not search.postcode and not search.bag_id:
            order = f"{street}, a.huisnummer, a.id"
    if search.huisnummer is not None:
        where.append("a.huisnummer = ?")
        params.append(search.huisnummer)
    if search.location_type == UNKNOWN_TYPE:
        where.append("a.location_type IS NULL")
    elif search.location_type:
        where.append("a.location_type = ?")
        params.append(search.location_type)
    if search.verified is not None:
        where.append("a.verified = ?")
        params.append(int(search.verified))
    if not search.include_gone:
        where.append("a.bag_gone_on IS NULL")
    if search.never_inspected:
        # The partial index of submitted inspections (m021) holds only the address: the smallest to probe per row.
        where.append("NOT EXISTS (SELECT 1 FROM inspections i INDEXED BY inspections_submitted_address "
                     "WHERE i.address_id = a.id AND i.status = 'submitted' AND i.deleted = 0)")
    if search.brp_gap:
        where.append(f"{REGISTERED_SQL} IS NOT NULL AND {RESIDENTS_SQL} > {REGISTERED_SQL}")
    if search.open_case:
        where.append("EXISTS (SELECT 1 FROM cases c WHERE c.address_id = a.id AND c.deleted = 0 "
                     "AND c.status = 'open')")
    return where, params, order


def page_ids_sql(search: Search, page_size: int = PAGE_SIZE) -> tuple[str, list[Any]]:
    """Return the query (and its parameters) of the ids of a search's page and one more, in the list's order."""
    where, params, order = clauses(search)
    offset = (max(search.page, 1) - 1) * page_size
    return (f"SELECT a.id FROM addresses a WHERE {' AND '.join(where)} "  # noqa: S608 - fixed clauses
            f"ORDER BY {order} LIMIT ? OFFSET ?", [*params, page_size + 1, offset])


def find(db: Database, search: Search, page_size: int = PAGE_SIZE) -> tuple[list[dict[str, Any]], bool]:
    """Return one page of addresses (each with its facts for a list) and whether another page follows."""
    # First the page's ids (the rows skipped for a later page cost an index step, not their facts), then the facts.
    ids = [r["id"] for r in rows(db, *page_ids_sql(search, page_size))]
    found = {row["id"]: row for row in rows(
        db, f"SELECT a.id, a.version, a.data, {RESIDENTS_SQL} AS residents, "  # noqa: S608 - fixed clauses
            "(SELECT max(i.started_at) FROM inspections i WHERE i.address_id = a.id AND i.status = 'submitted' "
            " AND i.deleted = 0) AS last_inspected, "
            "EXISTS (SELECT 1 FROM cases c WHERE c.address_id = a.id AND c.deleted = 0 AND c.status = 'open') "
            " AS open_case, "
            "(SELECT count(*) FROM assignments s WHERE s.address_id = a.id AND s.deleted = 0 AND s.status = 'open') "
            " AS planned FROM json_each(?) AS chosen JOIN addresses a ON a.id = chosen.value",
        [jsontext.dumps(ids[:page_size])])}
    out = []
    for address_id in ids[:page_size]:
        row = found[address_id]
        record = {"id": row["id"], "version": row["version"], **jsontext.loads(row["data"])}
        registered = record.get("brp_registered")
        residents = row["residents"]
        gap = max(0, residents - registered) if isinstance(residents, int) and isinstance(registered, int) else None
        out.append({**record, "residents": residents, "brp_gap": gap, "last_inspected": row["last_inspected"],
                    "open_case": bool(row["open_case"]), "planned": row["planned"]})
    return out, len(ids) > page_size


_POSTCODE_START = re.compile(r"^([1-9][0-9]{3})\s?([A-Za-z]{0,2})(?:\s+([0-9]{1,5}))?$")
_STREET_NUMBER = re.compile(r"^(.*?\D)\s+([0-9]{1,5})\s*[A-Za-z]?(?:-\S+)?$")


def words(text: str) -> dict[str, Any]:
    """Read one search box as people type it: '1431AB 12', '1431', 'Zijdstraat 12', 'zijd', or a BAG id.

    Returns the parts found (postcode, huisnummer, straat or bag_id); a BAG id comes back as typed,
    for the caller to check and pad as the import does.
    """
    text = " ".join(text.split())
    if not text:
        return {}
    digits = text.replace(" ", "")
    if digits.isdigit() and len(digits) >= 10:
        return {"bag_id": digits}
    found = _POSTCODE_START.match(text)
    if found:
        out: dict[str, Any] = {"postcode": (found[1] + found[2]).upper()}
        if found[3]:
            out["huisnummer"] = int(found[3])
        return out
    if digits.isdigit() and len(digits) <= 5:
        return {"huisnummer": int(digits)}
    found = _STREET_NUMBER.match(text)
    if found:
        return {"straat": found[1].strip(), "huisnummer": int(found[2])}
    return {"straat": text}


_PARTIAL_POSTCODE = re.compile(r"^[1-9][0-9]{3}[A-Z]{0,2}$")


def checked(postcode: str | None, bag_id: str | None) -> tuple[str | None, str | None, dict[str, str]]:
    """Return a typed postcode (or its start) normalised and a BAG id padded to 16 digits as the import pads it,
    with a Dutch message per field that is neither."""
    errors: dict[str, str] = {}
    if postcode:
        postcode = normalise_postcode(postcode)
        if not _PARTIAL_POSTCODE.match(postcode):
            errors["postcode"] = ("Geen geldige postcode: vier cijfers (niet beginnend met 0) en twee letters, "
                                  "zoals 1431AB.")
    if bag_id:
        bag_id, why = bag_rows.bag_id(re.sub(r"\s+", "", bag_id), "nummeraanduiding")
        if why:
            errors["bag_id"] = f"Geen geldig BAG-id: {why}."
    return postcode or None, bag_id or None, errors
