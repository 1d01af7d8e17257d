"""What every reading of the norm rules shares: the evaluation, the recorder a rule reports
through, and the counting helpers of DOMAIN.md (residents, bedroom occupants, Dutch numbers).

A reading (schemas.norm_engine's version 1, schemas.norm_reading_v2's version 2) is a table
of rule functions that each take a Rule and record findings or what was not assessed.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable

from babel.dates import format_date

HABITABLE_KINDS = frozenset({"bedroom", "living", "kitchen"})
RESIDENT_INPUTS = ["occupants.present", "occupants.reported", "rooms[].occupants"]
ROOM_KIND_NL = {"bedroom": "slaapkamer", "living": "woonkamer", "kitchen": "keuken",
                "bathroom": "badkamer", "toilet": "toilet", "verkeersruimte": "verkeersruimte",
                "other": "overige ruimte"}


@dataclass
class Evaluation:
    """What the engine found: findings, rules not assessed, and rules met."""

    findings: list[dict[str, Any]] = field(default_factory=list)
    not_assessed: list[dict[str, Any]] = field(default_factory=list)
    compliant: list[str] = field(default_factory=list)
    residents: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the wire form: findings and not_assessed."""
        return {"findings": self.findings, "not_assessed": self.not_assessed}


@dataclass
class Context:
    """One evaluation's inputs, with what every rule needs computed once."""

    inspection: dict[str, Any]
    address: dict[str, Any]
    norm_set: dict[str, Any]
    residents: int | None
    bedrooms: list[dict[str, Any]]
    norm_set_ref: dict[str, Any]

    def section(self, name: str) -> dict[str, Any]:
        """Return a section of the inspection ({} when absent or null)."""
        return self.inspection.get(name) or {}

    def value(self, path: str) -> Any:
        """Return a value by 'section.key'."""
        section, key = path.split(".")
        return self.section(section).get(key)


class Rule:
    """One rule's outcomes are collected through this recorder."""

    def __init__(self, ctx: Context, code: str, out: Evaluation) -> None:
        self.ctx, self.code, self.out = ctx, code, out
        self.rule = ctx.norm_set["rules"][code]
        self.produced = False

    def param(self, name: str) -> Any:
        """Return the value of one of the rule's parameters."""
        return self.rule["params"][name]["value"]

    def finding(self, measured: Any, norm: Any, unit: str | None, description: str,
                room_id: str | None = None, storey: int | None = None) -> None:
        """Record a finding of this rule."""
        self.produced = True
        self.out.findings.append({
            "code": self.code, "title": self.rule["title"], "impact": self.rule["impact"],
            "room_id": room_id, "storey": storey, "measured": measured, "norm": norm, "unit": unit,
            "description": description, "legal_basis": self.rule["legal_basis"],
            "norm_set": dict(self.ctx.norm_set_ref),
        })
        if "toetsingskader" in self.rule:  # sets of reading 1 have none: their findings stay as they were
            self.out.findings[-1]["toetsingskader"] = self.rule["toetsingskader"]

    def missing(self, inputs: list[str], reason: str, room_id: str | None = None) -> None:
        """Record that (part of) this rule could not be judged, naming the missing inputs."""
        self.produced = True
        self.out.not_assessed.append({
            "code": self.code, "title": self.rule["title"], "room_id": room_id,
            "missing": inputs, "reason": reason,
        })


RuleFunction = Callable[[Rule], None]


def residents(inspection: dict[str, Any], bedrooms: list[dict[str, Any]] | None = None) -> int | None:
    """Return N: the largest of present, reported and the bedroom occupants; None if unknown."""
    occupants = inspection.get("occupants") or {}
    counts = [occupants.get("present"), occupants.get("reported"),
              bedroom_total(bedrooms_of(inspection) if bedrooms is None else bedrooms)]
    known = [c for c in counts if c is not None]
    return max(known) if known else None


def room_persons(room: dict[str, Any]) -> int | None:
    """A bedroom's occupants are its occupants, or its beds when occupants is null."""
    if room.get("occupants") is not None:
        return int(room["occupants"])
    if room.get("beds") is not None:
        return int(room["beds"])
    return None


def bedrooms_of(inspection: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the inspection's bedrooms."""
    return [r for r in inspection.get("rooms") or [] if r.get("kind") == "bedroom"]


def bedroom_total(bedrooms: list[dict[str, Any]]) -> int | None:
    """Return the persons in the bedrooms whose count is known; None when none is."""
    known = [p for p in (room_persons(r) for r in bedrooms) if p is not None]
    return sum(known) if known else None


def dec(x: float | int | Decimal) -> Decimal:
    """Return a number as the Decimal of its shortest text (12.1 is 12.1, not its binary value)."""
    return x if isinstance(x, Decimal) else _decimal(str(x))


@functools.lru_cache(maxsize=4096)
def _decimal(text: str) -> Decimal:
    return Decimal(text)  # immutable, so shared; areas and norms repeat a lot


def nl(x: float | int | Decimal) -> str:
    """Write a number the Dutch way: 3,5 and 12."""
    return format(dec(x).normalize(), "f").replace(".", ",")


def label(room: dict[str, Any]) -> str:
    """Return a room's name, or its kind and id, with a capital."""
    name = room.get("name") or f"{ROOM_KIND_NL.get(room.get('kind', ''), 'ruimte')} {room['id']}"
    return name[:1].upper() + name[1:]


def ratio(numerator: float | int, denominator: int) -> float:
    """Return numerator / denominator rounded to two decimals, computed on the numbers' texts."""
    return float(round(dec(numerator) / denominator, 2))


def need_residents(rec: Rule) -> int | None:
    """Return N, recording the rule as not assessed when it is unknown."""
    if rec.ctx.residents is None:
        rec.missing(list(RESIDENT_INPUTS), "Aantal bewoners onbekend.")
    return rec.ctx.residents


@functools.lru_cache(maxsize=4096)
def long_date(day: dt.date) -> str:
    """Return a date in Dutch, "1 maart 2024" (Babel is slow; leases share few dates)."""
    return format_date(day, format="long", locale="nl")


def as_date(value: dt.date | str) -> dt.date:
    """Return a date from a loaded date or its ISO text."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def yes_no_rule(path: str, bad: bool, unchecked: str, description: str) -> RuleFunction:
    """Make a rule that is a finding when a yes/no input has the bad value."""
    def rule(rec: Rule) -> None:
        value = rec.ctx.value(path)
        if value is None:
            rec.missing([path], unchecked)
        elif value is bad:
            params = {name: nl(p["value"]) for name, p in rec.rule["params"].items()}
            rec.finding(value, not bad, None, description.format(**params))
    return rule
