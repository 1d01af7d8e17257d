"""The Dutch words every office page uses for the same things: location types, visits, weeks, addresses, people.

One table each, so two pages never name one thing differently. The location types are the reports' words
(reports.words), written with a capital as a label.
"""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from reports.words import LOCATION_TYPES as REPORT_LOCATION_TYPES
from schemas import jsontext
from server.address_search import UNKNOWN_TYPE
from server.db import rows

LOCATION_TYPES = {**{k: v[:1].upper() + v[1:] for k, v in REPORT_LOCATION_TYPES.items()}, UNKNOWN_TYPE: "Nog onbekend"}
VISIT_KINDS = {"controle": "Controle", "hercontrole": "Hercontrole", "melding": "Melding"}
VISIT_STATES = {"open": "Gepland", "done": "Uitgevoerd", "no_access": "Geen toegang", "cancelled": "Geannuleerd"}
UNKNOWN_USER = "Onbekende gebruiker"


def week(iso: str | None) -> str:
    """Return an ISO week '2026-W49' as people say it: 'week 49 (2026)' (anything else as it is)."""
    year, _, number = (iso or "").partition("-W")
    if not (year.isdigit() and number.isdigit()):
        return iso or ""
    return f"week {int(number)} ({year})"


def address(record: dict[str, Any] | None) -> str:
    """Return an address as people write it: 'Uiterweg 118a-2, 1432KD Aalsmeer'; 'onbekend adres' without street."""
    if not record or not record.get("straat"):
        return "onbekend adres"
    number = f"{record.get('huisnummer') or ''}{record.get('huisletter') or ''}"
    if record.get("toevoeging"):
        number += f"-{record['toevoeging']}"
    place = f"{record.get('postcode') or ''} {record.get('woonplaats') or ''}".strip()
    return f"{record['straat']} {number}".strip() + (f", {place}" if place else "")


def person(full_name: str | None, name: str | None) -> str:
    """Return how a user is named on a page: his full name, else his login name."""
    return full_name or name or UNKNOWN_USER


def user_names(db: Database, user_ids: set[str]) -> dict[str, str]:
    """Return the names (full name, else login name) of users by id; unknown ids are left out."""
    if not user_ids:
        return {}
    return {r["id"]: person(r["full_name"], r["name"]) for r in rows(
        db, "SELECT u.id, u.name, u.full_name FROM json_each(?) AS chosen JOIN users u ON u.id = chosen.value",
        [jsontext.dumps(sorted(user_ids))])}
