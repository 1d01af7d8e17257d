"""Dutch words shared by every document: addresses, values, rooms and the findings table."""

from __future__ import annotations

from typing import Any

from reports.fmt import getal

LOCATION_TYPES = {"woonkern": "woonkern", "lint": "lint", "bedrijventerrein": "bedrijventerrein",
                  "grootschalig": "grootschalige locatie"}


ACCESS = {"granted": "toegang verleend", "refused": "toegang geweigerd", "nobody_home": "niemand thuis"}


INSPECTION_KINDS = {"controle": "controle", "hercontrole": "hercontrole", "melding": "naar aanleiding van een melding"}


ROOM_KINDS = {"bedroom": "slaapkamer", "living": "woonkamer", "kitchen": "keuken", "bathroom": "badkamer",
              "toilet": "toilet", "other": "overig"}


Block = dict[str, Any]


def address_line(address: dict[str, Any]) -> str:
    """Return 'Clematisstraat 7a-2, 1431 GH Aalsmeer'."""
    number = f"{address.get('huisnummer', '')}{(address.get('huisletter') or '').lower()}"
    if address.get("toevoeging"):
        number += f"-{address['toevoeging']}"
    postcode = str(address.get("postcode") or "")
    if len(postcode) == 6:
        postcode = f"{postcode[:4]} {postcode[4:]}"
    street = address.get("straat") or "Onbekende straat"
    return f"{street} {number}, {postcode} {address.get('woonplaats') or ''}".strip()


def value(raw: Any, unit: str | None = None) -> str:
    if raw is None:
        return "-"
    if isinstance(raw, bool):
        return "ja" if raw else "nee"
    if isinstance(raw, (int, float)):
        return f"{getal(raw)} {unit}".strip() if unit else getal(raw)
    if isinstance(raw, list):
        return ", ".join(value(v) for v in raw) or "geen"
    if isinstance(raw, dict):
        return ", ".join(f"{k}: {value(v)}" for k, v in raw.items())
    return f"{raw} {unit}".strip() if unit else str(raw)


def rooms_of(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for item in data.get("inspections") or []:
        for room in item["inspection"].get("rooms") or []:
            out.setdefault(room["id"], room)
    return out


def where(finding: dict[str, Any], rooms: dict[str, dict[str, Any]]) -> str:
    room = rooms.get(finding.get("room_id") or "")
    if room:
        return room.get("name") or ROOM_KINDS.get(room["kind"], room["kind"])
    if finding.get("storey") is not None:
        return "begane grond" if finding["storey"] == 0 else f"verdieping {finding['storey']}"
    return "woning"


def finding_table(findings: list[dict[str, Any]], rooms: dict[str, dict[str, Any]], first: str) -> Block:
    """Return a table of findings: code and text, room, measured, norm, legal basis."""
    rows = [[f"{f['code']}\n{f['title']}. {f.get('description') or ''}".strip(), where(f, rooms),
             value(f.get("measured"), f.get("unit")), value(f.get("norm"), f.get("unit")),
             f.get("legal_basis") or "-"] for f in findings]
    return {"t": "table", "head": [first, "Ruimte", "Vastgesteld", "Norm", "Grondslag"], "rows": rows,
            "widths": [0.37, 0.13, 0.12, 0.12, 0.26]}


def first_lower(text: str) -> str:
    """Return text with only its first letter in lower case ('CO-melder' stays)."""
    return text[:1].lower() + text[1:]


def de_gemeente(municipality: str) -> str:
    """Return 'de gemeente Aalsmeer' for 'Gemeente Aalsmeer'."""
    if municipality.lower().startswith("gemeente "):
        return "de gemeente " + municipality[len("gemeente "):]
    return municipality


def named(data: dict[str, Any], *roles: str) -> str:
    """Return the names of the parties with these roles at the address, or '-'."""
    return ", ".join(p["name"] for p in data.get("parties") or [] if p["role"] in roles) or "-"
