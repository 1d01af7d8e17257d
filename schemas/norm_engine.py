"""The norm engine: judge an inspection against a norm set.

Pure functions of data, so the tablet and the server judge alike. Counting
rules follow DOMAIN.md: a missing input makes a rule *not assessed*, never a
pass and never a finding; exactly at the norm is compliant.

How the engine reads a set's rules is keyed by the set's `engine` (default 1), so a
set that once judged an inspection keeps judging it the same way. This module holds
reading 1 (the rules as first written); schemas.norm_reading_v2 holds reading 2, the
corrected rules of DOMAIN.md.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from schemas import norm_reading_v2
from schemas.norm_context import (
    HABITABLE_KINDS,
    Context,
    Evaluation,
    Rule,
    RuleFunction,
    bedrooms_of,
    dec,
    label,
    long_date,
    need_residents,
    nl,
    ratio,
    residents,
    room_persons,
    yes_no_rule,
)

__all__ = ["ENGINES", "RULE_PARAMS", "Evaluation", "evaluate", "known_codes", "residents", "rule_params"]

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


def evaluate(inspection: dict[str, Any], address: dict[str, Any], norm_set: dict[str, Any]) -> Evaluation:
    """Judge one inspection of one address against one norm set, in the set's reading."""
    reading = _READINGS[norm_set.get("engine", 1)]
    bedrooms = bedrooms_of(inspection)
    ctx = Context(inspection, address, norm_set, residents(inspection, bedrooms), bedrooms,
                  {"id": norm_set["id"], "version": norm_set["version"]})
    out = Evaluation(residents=ctx.residents)
    access = inspection.get("access")
    for code in norm_set["rules"]:
        rec = Rule(ctx, code, out)
        if access != "granted":
            reason = ("Geen toegang tot de woning: binnen niets beoordeeld." if access
                      else "Niet vastgelegd of er toegang was.")
            rec.missing(["access"], reason)
            continue
        reading[code](rec)
        if not rec.produced:
            out.compliant.append(code)
    return out


def rule_params(engine: int) -> dict[str, dict[str, str]] | None:
    """Return the rule codes and their parameters of a reading; None for a reading this engine lacks."""
    return _PARAMS.get(engine)


def known_codes() -> set[str]:
    """Return every rule code some reading knows."""
    return {code for params in _PARAMS.values() for code in params}


# --- rules -----------------------------------------------------------------

def _bezetting_slaapkamer(rec: Rule) -> None:
    limit = rec.param("max_per_bedroom")
    rooms = rec.ctx.bedrooms
    if not rooms:
        rec.missing(["rooms"], "Geen slaapkamers vastgelegd.")
    for room in rooms:
        persons = room_persons(room)
        if persons is None:
            rec.missing(["rooms[].occupants", "rooms[].beds"], f"{label(room)}: bewoners en bedden onbekend.",
                        room["id"])
        elif persons > limit:
            rec.finding(persons, limit, "personen",
                        f"{label(room)}: {persons} bewoners, ten hoogste {nl(limit)} toegestaan.", room["id"])


def _oppervlakte_slaapkamer(rec: Rule) -> None:
    minimum = rec.param("min_m2_per_occupant")
    rooms = rec.ctx.bedrooms
    if not rooms:
        rec.missing(["rooms"], "Geen slaapkamers vastgelegd.")
    for room in rooms:
        persons, area = room_persons(room), room.get("area_m2")
        if persons is None or area is None:
            inputs = (["rooms[].occupants", "rooms[].beds"] if persons is None else []) + (
                ["rooms[].area_m2"] if area is None else [])
            rec.missing(inputs, f"{label(room)}: oppervlakte of bewoners onbekend.", room["id"])
        elif persons > 0 and dec(area) < dec(minimum) * persons:
            per = ratio(area, persons)
            rec.finding(per, minimum, "m² per bewoner",
                        f"{label(room)}: {nl(area)} m² voor {persons} bewoners is {nl(per)} m² per bewoner, "
                        f"minimaal {nl(minimum)} m².", room["id"])


def _overbewoning(rec: Rule) -> None:
    dwelling = rec.ctx.section("dwelling")
    area = dwelling.get("floor_area_m2")
    if area is None:
        area = rec.ctx.address.get("floor_area_m2")
    if area is None:
        rec.missing(["dwelling.floor_area_m2", "address.floor_area_m2"], "Gebruiksoppervlakte onbekend.")
        return
    n = need_residents(rec)
    if n is None or n == 0:
        return
    lodging = bool(dwelling.get("lodging"))
    minimum = rec.param("min_m2_per_person_lodging" if lodging else "min_m2_per_person")
    if dec(area) < dec(minimum) * n:
        per = ratio(area, n)
        kind = "logies" if lodging else "woning"
        rec.finding(per, minimum, "m² per persoon",
                    f"{nl(area)} m² gebruiksoppervlakte voor {n} bewoners is {nl(per)} m² per persoon, "
                    f"minimaal {nl(minimum)} m² ({kind}).")


def _max_bewoners(rec: Rule) -> None:
    location_type = rec.ctx.address.get("location_type")
    if location_type is None:
        rec.missing(["address.location_type"], "Type locatie van het adres onbekend.")
        return
    limits = rec.param("max_by_location_type")
    if location_type not in limits:
        return
    n = need_residents(rec)
    if n is not None and n > limits[location_type]:
        rec.finding(n, limits[location_type], "personen",
                    f"{n} bewoners, ten hoogste {limits[location_type]} in een {location_type}.")


def _per_facility(rec: Rule, key: str, param: str, noun: str) -> None:
    count = rec.ctx.section("facilities").get(key)
    if count is None:
        rec.missing([f"facilities.{key}"], f"Aantal {noun} onbekend.")
        return
    n = need_residents(rec)
    limit = rec.param(param)
    if n is not None and dec(n) > dec(limit) * count:
        needed = math.ceil(dec(n) / dec(limit))
        rec.finding(count, needed, noun,
                    f"{noun.capitalize()}: {count} voor {n} bewoners; ten hoogste {nl(limit)} personen per stuk, "
                    f"dus minimaal {needed}.")


def _sanitair_toilet(rec: Rule) -> None:
    _per_facility(rec, "toilets", "max_persons_per_toilet", "toiletten")


def _sanitair_douche(rec: Rule) -> None:
    _per_facility(rec, "showers", "max_persons_per_shower", "douches")


def _kookgelegenheid(rec: Rule) -> None:
    hobs = rec.ctx.section("facilities").get("hobs")
    if hobs is None:
        rec.missing(["facilities.hobs"], "Aantal kookpitten onbekend.")
        return
    minimum, above, per = rec.param("min_hobs"), rec.param("persons_per_hob_above"), rec.param("persons_per_hob")
    if hobs < minimum:
        rec.finding(hobs, minimum, "kookpitten", f"{hobs} kookpitten, minimaal {nl(minimum)}.")
        return
    n = need_residents(rec)
    if n is not None and n > above and dec(hobs) < dec(n) / dec(per):
        needed = math.ceil(dec(n) / dec(per))
        rec.finding(hobs, needed, "kookpitten",
                    f"{hobs} kookpitten voor {n} bewoners; boven {nl(above)} personen één per "
                    f"{nl(per)} personen, dus minimaal {needed}.")


def _rookmelder(rec: Rule) -> None:
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
            rec.missing(["rooms[].storey"], f"{label(room)}: verdieping onbekend.", room["id"])
        else:
            by_storey.setdefault(room["storey"], []).append(label(room))
    for storey in sorted(set(by_storey) - set(detectors)):
        rec.finding(0, 1, "werkende rookmelders",
                    f"Verdieping {storey} ({', '.join(by_storey[storey])}) heeft geen werkende rookmelder.",
                    storey=storey)


def _co_melder(rec: Rule) -> None:
    fire = rec.ctx.section("fire_safety")
    if fire.get("fuel_appliance") is None:
        rec.missing(["fire_safety.fuel_appliance"], "Niet vastgelegd of er een verbrandingstoestel is.")
    elif fire["fuel_appliance"]:
        if fire.get("co_detector") is None:
            rec.missing(["fire_safety.co_detector"], "CO-melder niet gecontroleerd.")
        elif not fire["co_detector"]:
            rec.finding(False, True, None, "Verbrandingstoestel aanwezig zonder werkende CO-melder.")


def _huurcontract(rec: Rule) -> None:
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
        when = long_date(start)
        rec.finding(False, True, None,
                    f"Huurovereenkomst van {when} is niet gescheiden van de arbeidsovereenkomst.")


def _brp_signaal(rec: Rule) -> None:
    registered = rec.ctx.address.get("brp_registered")
    n = need_residents(rec)
    if registered is None:
        rec.missing(["address.brp_registered"], "Aantal BRP-inschrijvingen op het adres onbekend.")
    elif n is not None and n > registered:
        rec.finding(n, registered, "personen",
                    f"{n} bewoners aangetroffen, {registered} ingeschreven in de BRP: terugmelden.")


_RULES: dict[str, RuleFunction] = {
    "BEZETTING_SLAAPKAMER": _bezetting_slaapkamer,
    "OPPERVLAKTE_SLAAPKAMER": _oppervlakte_slaapkamer,
    "OVERBEWONING": _overbewoning,
    "MAX_BEWONERS": _max_bewoners,
    "SANITAIR_TOILET": _sanitair_toilet,
    "SANITAIR_DOUCHE": _sanitair_douche,
    "KOOKGELEGENHEID": _kookgelegenheid,
    "ROOKMELDER": _rookmelder,
    "CO_MELDER": _co_melder,
    "BLUSMIDDEL": yes_no_rule("fire_safety.extinguisher_near_kitchen", False, "Blusmiddel niet gecontroleerd.",
                         "Geen gekeurd blusmiddel binnen {max_distance_m} meter van de kookplaats."),
    "BLUSDEKEN": yes_no_rule("fire_safety.fire_blanket", False, "Blusdeken niet gecontroleerd.",
                        "Geen blusdeken aanwezig."),
    "VLUCHTWEG": yes_no_rule("fire_safety.escape_route_clear", False, "Vluchtweg niet gecontroleerd.",
                        "De vluchtweg is geblokkeerd."),
    "ELEKTRA": yes_no_rule("fire_safety.electrical_overload", True, "Elektrische installatie niet gecontroleerd.",
                      "Zichtbare overbelasting van de elektrische installatie."),
    "OPBERGRUIMTE": yes_no_rule("facilities.lockable_storage", False, "Opbergruimte niet gecontroleerd.",
                           "Geen afsluitbare opbergruimte per persoon."),
    "INFORMATIEKAART": yes_no_rule("tenancy.info_card_present", False, "Informatiekaart niet gecontroleerd.",
                              "Geen informatiekaart met het toegestane aantal bedden."),
    "HUURCONTRACT": _huurcontract,
    "BRP_SIGNAAL": _brp_signaal,
}


_READINGS: dict[int, dict[str, RuleFunction]] = {
    1: _RULES,
    2: {**{code: f for code, f in _RULES.items() if code not in norm_reading_v2.CHANGED}, **norm_reading_v2.RULES},
}
_PARAMS: dict[int, dict[str, dict[str, str]]] = {
    1: RULE_PARAMS,
    2: {**{code: p for code, p in RULE_PARAMS.items() if code not in norm_reading_v2.CHANGED},
        **norm_reading_v2.PARAMS},
}
ENGINES = tuple(_READINGS)
