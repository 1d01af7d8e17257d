"""The norm engine: judge an inspection against a norm set.

Pure functions of data, so the tablet and the server judge alike. Counting
rules follow DOMAIN.md: a missing input makes a rule *not assessed*, never a
pass and never a finding; exactly at the norm is compliant.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable

from babel.dates import format_date

# Parameter names and kinds per rule code; the norm set loader checks files against it.
RULE_PARAMS: dict[str, dict[str, str]] = {
    "BEZETTING_SLAAPKAMER": {"max_per_bedroom": "number"},
    "OPPERVLAKTE_SLAAPKAMER": {"min_m2_per_occupant": "number"},
    "OVERBEWONING": {"min_m2_per_person": "number", "min_m2_per_person_lodging": "number"},
    "MAX_BEWONERS": {"max_by_location_type": "counts"},
    "SANITAIR_TOILET": {"max_persons_per_toilet": "number"},
    "SANITAIR_DOUCHE": {"max_persons_per_shower": "number"},
    "KOOKGELEGENHEID": {"min_hobs": "number", "persons_per_hob_above": "number", "persons_per_hob": "number"},
    "ROOKMELDER": {},
    "CO_MELDER": {},
    "BLUSMIDDEL": {"max_distance_m": "number"},
    "BLUSDEKEN": {},
    "VLUCHTWEG": {},
    "ELEKTRA": {},
    "OPBERGRUIMTE": {},
    "INFORMATIEKAART": {},
    "HUURCONTRACT": {"applies_from": "date"},
    "BRP_SIGNAAL": {},
}

HABITABLE_KINDS = frozenset({"bedroom", "living", "kitchen"})
RESIDENT_INPUTS = ["occupants.present", "occupants.reported", "rooms[].occupants"]
ROOM_KIND_NL = {"bedroom": "slaapkamer", "living": "woonkamer", "kitchen": "keuken",
                "bathroom": "badkamer", "toilet": "toilet", "other": "overige ruimte"}


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
class _Context:
    inspection: dict[str, Any]
    address: dict[str, Any]
    norm_set: dict[str, Any]
    residents: int | None
    bedrooms: list[dict[str, Any]]
    norm_set_ref: dict[str, Any]

    def section(self, name: str) -> dict[str, Any]:
        return self.inspection.get(name) or {}

    def value(self, path: str) -> Any:
        section, key = path.split(".")
        return self.section(section).get(key)


class _Rule:
    """One rule's outcomes are collected through this recorder."""

    def __init__(self, ctx: _Context, code: str, out: Evaluation) -> None:
        self.ctx, self.code, self.out = ctx, code, out
        self.rule = ctx.norm_set["rules"][code]
        self.produced = False

    def param(self, name: str) -> Any:
        return self.rule["params"][name]["value"]

    def finding(self, measured: Any, norm: Any, unit: str | None, description: str,
                room_id: str | None = None, storey: int | None = None) -> None:
        self.produced = True
        self.out.findings.append({
            "code": self.code, "title": self.rule["title"], "impact": self.rule["impact"],
            "room_id": room_id, "storey": storey, "measured": measured, "norm": norm, "unit": unit,
            "description": description, "legal_basis": self.rule["legal_basis"],
            "norm_set": dict(self.ctx.norm_set_ref),
        })

    def missing(self, inputs: list[str], reason: str, room_id: str | None = None) -> None:
        self.produced = True
        self.out.not_assessed.append({
            "code": self.code, "title": self.rule["title"], "room_id": room_id,
            "missing": inputs, "reason": reason,
        })


def residents(inspection: dict[str, Any], bedrooms: list[dict[str, Any]] | None = None) -> int | None:
    """Return N: the largest of present, reported and the bedroom occupants; None if unknown."""
    occupants = inspection.get("occupants") or {}
    counts = [occupants.get("present"), occupants.get("reported"),
              _bedroom_total(_bedrooms(inspection) if bedrooms is None else bedrooms)]
    known = [c for c in counts if c is not None]
    return max(known) if known else None


def evaluate(inspection: dict[str, Any], address: dict[str, Any], norm_set: dict[str, Any]) -> Evaluation:
    """Judge one inspection of one address against one norm set."""
    bedrooms = _bedrooms(inspection)
    ctx = _Context(inspection, address, norm_set, residents(inspection, bedrooms), bedrooms,
                   {"id": norm_set["id"], "version": norm_set["version"]})
    out = Evaluation(residents=ctx.residents)
    access = inspection.get("access")
    for code in norm_set["rules"]:
        rec = _Rule(ctx, code, out)
        if access != "granted":
            reason = ("Geen toegang tot de woning: binnen niets beoordeeld." if access
                      else "Niet vastgelegd of er toegang was.")
            rec.missing(["access"], reason)
            continue
        _RULES[code](rec)
        if not rec.produced:
            out.compliant.append(code)
    return out


# --- helpers ---------------------------------------------------------------

def _room_persons(room: dict[str, Any]) -> int | None:
    """A bedroom's occupants are its occupants, or its beds when occupants is null."""
    if room.get("occupants") is not None:
        return int(room["occupants"])
    if room.get("beds") is not None:
        return int(room["beds"])
    return None


def _bedrooms(inspection: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in inspection.get("rooms") or [] if r.get("kind") == "bedroom"]


def _bedroom_total(bedrooms: list[dict[str, Any]]) -> int | None:
    known = [p for p in (_room_persons(r) for r in bedrooms) if p is not None]
    return sum(known) if known else None


def _dec(x: float | int | Decimal) -> Decimal:
    """Return a number as the Decimal of its shortest text (12.1 is 12.1, not its binary value)."""
    return x if isinstance(x, Decimal) else _decimal(str(x))


@functools.lru_cache(maxsize=4096)
def _decimal(text: str) -> Decimal:
    return Decimal(text)  # immutable, so shared; areas and norms repeat a lot


def _nl(x: float | int | Decimal) -> str:
    """Write a number the Dutch way: 3,5 and 12."""
    return format(_dec(x).normalize(), "f").replace(".", ",")


def _label(room: dict[str, Any]) -> str:
    name = room.get("name") or f"{ROOM_KIND_NL.get(room.get('kind', ''), 'ruimte')} {room['id']}"
    return name[:1].upper() + name[1:]


def _ratio(numerator: float | int, denominator: int) -> float:
    return float(round(_dec(numerator) / denominator, 2))


def _need_residents(rec: _Rule) -> int | None:
    if rec.ctx.residents is None:
        rec.missing(list(RESIDENT_INPUTS), "Aantal bewoners onbekend.")
    return rec.ctx.residents


# --- rules -----------------------------------------------------------------

def _bezetting_slaapkamer(rec: _Rule) -> None:
    limit = rec.param("max_per_bedroom")
    rooms = rec.ctx.bedrooms
    if not rooms:
        rec.missing(["rooms"], "Geen slaapkamers vastgelegd.")
    for room in rooms:
        persons = _room_persons(room)
        if persons is None:
            rec.missing(["rooms[].occupants", "rooms[].beds"], f"{_label(room)}: bewoners en bedden onbekend.",
                        room["id"])
        elif persons > limit:
            rec.finding(persons, limit, "personen",
                        f"{_label(room)}: {persons} bewoners, ten hoogste {_nl(limit)} toegestaan.", room["id"])


def _oppervlakte_slaapkamer(rec: _Rule) -> None:
    minimum = rec.param("min_m2_per_occupant")
    rooms = rec.ctx.bedrooms
    if not rooms:
        rec.missing(["rooms"], "Geen slaapkamers vastgelegd.")
    for room in rooms:
        persons, area = _room_persons(room), room.get("area_m2")
        if persons is None or area is None:
            inputs = (["rooms[].occupants", "rooms[].beds"] if persons is None else []) + (
                ["rooms[].area_m2"] if area is None else [])
            rec.missing(inputs, f"{_label(room)}: oppervlakte of bewoners onbekend.", room["id"])
        elif persons > 0 and _dec(area) < _dec(minimum) * persons:
            per = _ratio(area, persons)
            rec.finding(per, minimum, "m² per bewoner",
                        f"{_label(room)}: {_nl(area)} m² voor {persons} bewoners is {_nl(per)} m² per bewoner, "
                        f"minimaal {_nl(minimum)} m².", room["id"])


def _overbewoning(rec: _Rule) -> None:
    dwelling = rec.ctx.section("dwelling")
    area = dwelling.get("floor_area_m2")
    if area is None:
        area = rec.ctx.address.get("floor_area_m2")
    if area is None:
        rec.missing(["dwelling.floor_area_m2", "address.floor_area_m2"], "Gebruiksoppervlakte onbekend.")
        return
    n = _need_residents(rec)
    if n is None or n == 0:
        return
    lodging = bool(dwelling.get("lodging"))
    minimum = rec.param("min_m2_per_person_lodging" if lodging else "min_m2_per_person")
    if _dec(area) < _dec(minimum) * n:
        per = _ratio(area, n)
        kind = "logies" if lodging else "woning"
        rec.finding(per, minimum, "m² per persoon",
                    f"{_nl(area)} m² gebruiksoppervlakte voor {n} bewoners is {_nl(per)} m² per persoon, "
                    f"minimaal {_nl(minimum)} m² ({kind}).")


def _max_bewoners(rec: _Rule) -> None:
    location_type = rec.ctx.address.get("location_type")
    if location_type is None:
        rec.missing(["address.location_type"], "Type locatie van het adres onbekend.")
        return
    limits = rec.param("max_by_location_type")
    if location_type not in limits:
        return
    n = _need_residents(rec)
    if n is not None and n > limits[location_type]:
        rec.finding(n, limits[location_type], "personen",
                    f"{n} bewoners, ten hoogste {limits[location_type]} in een {location_type}.")


def _per_facility(rec: _Rule, key: str, param: str, noun: str) -> None:
    count = rec.ctx.section("facilities").get(key)
    if count is None:
        rec.missing([f"facilities.{key}"], f"Aantal {noun} onbekend.")
        return
    n = _need_residents(rec)
    limit = rec.param(param)
    if n is not None and _dec(n) > _dec(limit) * count:
        needed = math.ceil(_dec(n) / _dec(limit))
        rec.finding(count, needed, noun,
                    f"{noun.capitalize()}: {count} voor {n} bewoners; ten hoogste {_nl(limit)} personen per stuk, "
                    f"dus minimaal {needed}.")


def _sanitair_toilet(rec: _Rule) -> None:
    _per_facility(rec, "toilets", "max_persons_per_toilet", "toiletten")


def _sanitair_douche(rec: _Rule) -> None:
    _per_facility(rec, "showers", "max_persons_per_shower", "douches")


def _kookgelegenheid(rec: _Rule) -> None:
    hobs = rec.ctx.section("facilities").get("hobs")
    if hobs is None:
        rec.missing(["facilities.hobs"], "Aantal kookpitten onbekend.")
        return
    minimum, above, per = rec.param("min_hobs"), rec.param("persons_per_hob_above"), rec.param("persons_per_hob")
    if hobs < minimum:
        rec.finding(hobs, minimum, "kookpitten", f"{hobs} kookpitten, minimaal {_nl(minimum)}.")
        return
    n = _need_residents(rec)
    if n is not None and n > above and _dec(hobs) < _dec(n) / _dec(per):
        needed = math.ceil(_dec(n) / _dec(per))
        rec.finding(hobs, needed, "kookpitten",
                    f"{hobs} kookpitten voor {n} bewoners; boven {_nl(above)} personen één per "
                    f"{_nl(per)} personen, dus minimaal {needed}.")


def _rookmelder(rec: _Rule) -> None:
    habitable = [r for r in rec.ctx.inspection.get("rooms") or [] if r.get("kind") in HABITABLE_KINDS]
    if not habitable:
        rec.missing(["rooms"], "Geen slaapkamer, woonkamer of keuken vastgelegd.")
        return
    detectors = rec.ctx.section("fire_safety").get("storeys_with_smoke_detector")
    if detectors is None:
        rec.missing(["fire_safety.storeys_with_smoke_detector"], "Rookmelders niet gecontroleerd.")
        return
    by_storey: dict[int, list[str]] = {}
    for room in habitable:
        if room.get("storey") is None:
            rec.missing(["rooms[].storey"], f"{_label(room)}: verdieping onbekend.", room["id"])
        else:
            by_storey.setdefault(room["storey"], []).append(_label(room))
    for storey in sorted(set(by_storey) - set(detectors)):
        rec.finding(0, 1, "werkende rookmelders",
                    f"Verdieping {storey} ({', '.join(by_storey[storey])}) heeft geen werkende rookmelder.",
                    storey=storey)


def _co_melder(rec: _Rule) -> None:
    fire = rec.ctx.section("fire_safety")
    if fire.get("fuel_appliance") is None:
        rec.missing(["fire_safety.fuel_appliance"], "Niet vastgelegd of er een verbrandingstoestel is.")
    elif fire["fuel_appliance"]:
        if fire.get("co_detector") is None:
            rec.missing(["fire_safety.co_detector"], "CO-melder niet gecontroleerd.")
        elif not fire["co_detector"]:
            rec.finding(False, True, None, "Verbrandingstoestel aanwezig zonder werkende CO-melder.")


def _check(path: str, bad: bool, unchecked: str, description: str) -> Callable[[_Rule], None]:
    """Make a rule that is a finding when a yes/no input has the bad value."""
    def rule(rec: _Rule) -> None:
        value = rec.ctx.value(path)
        if value is None:
            rec.missing([path], unchecked)
        elif value is bad:
            params = {name: _nl(p["value"]) for name, p in rec.rule["params"].items()}
            rec.finding(value, not bad, None, description.format(**params))
    return rule


def _huurcontract(rec: _Rule) -> None:
    tenancy = rec.ctx.section("tenancy")
    separate = tenancy.get("lease_separate_from_employment")
    if separate is None:
        rec.missing(["tenancy.lease_separate_from_employment"], "Huurovereenkomst niet gecontroleerd.")
        return
    if separate:
        return
    start = tenancy.get("lease_start")
    if start is None:
        rec.missing(["tenancy.lease_start"], "Ingangsdatum van de huurovereenkomst onbekend.")
        return
    start = start if isinstance(start, dt.date) else dt.date.fromisoformat(start)
    applies_from = dt.date.fromisoformat(rec.param("applies_from"))
    if start >= applies_from:
        when = _long_date(start)
        rec.finding(False, True, None,
                    f"Huurovereenkomst van {when} is niet gescheiden van de arbeidsovereenkomst.")


@functools.lru_cache(maxsize=4096)
def _long_date(day: dt.date) -> str:
    """Return a date in Dutch, "1 maart 2024" (Babel is slow; leases share few start dates)."""
    return format_date(day, format="long", locale="nl")


def _brp_signaal(rec: _Rule) -> None:
    registered = rec.ctx.address.get("brp_registered")
    n = _need_residents(rec)
    if registered is None:
        rec.missing(["address.brp_registered"], "Aantal BRP-inschrijvingen op het adres onbekend.")
    elif n is not None and n > registered:
        rec.finding(n, registered, "personen",
                    f"{n} bewoners aangetroffen, {registered} ingeschreven in de BRP: terugmelden.")


_RULES: dict[str, Callable[[_Rule], None]] = {
    "BEZETTING_SLAAPKAMER": _bezetting_slaapkamer,
    "OPPERVLAKTE_SLAAPKAMER": _oppervlakte_slaapkamer,
    "OVERBEWONING": _overbewoning,
    "MAX_BEWONERS": _max_bewoners,
    "SANITAIR_TOILET": _sanitair_toilet,
    "SANITAIR_DOUCHE": _sanitair_douche,
    "KOOKGELEGENHEID": _kookgelegenheid,
    "ROOKMELDER": _rookmelder,
    "CO_MELDER": _co_melder,
    "BLUSMIDDEL": _check("fire_safety.extinguisher_near_kitchen", False, "Blusmiddel niet gecontroleerd.",
                         "Geen gekeurd blusmiddel binnen {max_distance_m} meter van de kookplaats."),
    "BLUSDEKEN": _check("fire_safety.fire_blanket", False, "Blusdeken niet gecontroleerd.",
                        "Geen blusdeken aanwezig."),
    "VLUCHTWEG": _check("fire_safety.escape_route_clear", False, "Vluchtweg niet gecontroleerd.",
                        "De vluchtweg is geblokkeerd."),
    "ELEKTRA": _check("fire_safety.electrical_overload", True, "Elektrische installatie niet gecontroleerd.",
                      "Zichtbare overbelasting van de elektrische installatie."),
    "OPBERGRUIMTE": _check("facilities.lockable_storage", False, "Opbergruimte niet gecontroleerd.",
                           "Geen afsluitbare opbergruimte per persoon."),
    "INFORMATIEKAART": _check("tenancy.info_card_present", False, "Informatiekaart niet gecontroleerd.",
                              "Geen informatiekaart met het toegestane aantal bedden."),
    "HUURCONTRACT": _huurcontract,
    "BRP_SIGNAAL": _brp_signaal,
}
