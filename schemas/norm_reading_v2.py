"""Reading 2 of the norm rules: the rules DOMAIN.md corrected, for sets that say `"engine": 2`.

Every other rule reads as in reading 1 (schemas.norm_engine). What changed:
- OVERBEWONING judges a dwelling (woonfunctie) only; a lodging (`dwelling.lodging`) is
  judged by the new OVERBEWONING_LOGIES. Both say where the floor area came from.
- ROOKMELDER looks at each room's own `smoke_detector`: every storey with a habitable room
  needs one somewhere on that storey, and every verkeersruimte (hall, stairs, landing: an
  escape route runs through it) needs its own. Where a room's value is null, the older
  `fire_safety.storeys_with_smoke_detector` decides, as it did in reading 1.
- HUURCONTRACT applies only when arbeidsmigranten (Wgv art. 1) were counted, and dates the
  lease by when it was concluded (`lease_concluded_on`), not when it started.
- OPBERGRUIMTE applies only where the wardrobe stands outside the bedroom.
- WGV_INFORMATIE (new): arbeidsmigranten not informed in writing in their own language.
"""

from __future__ import annotations

from typing import Any

from schemas.norm_context import (
    HABITABLE_KINDS,
    Rule,
    RuleFunction,
    as_date,
    dec,
    label,
    long_date,
    need_residents,
    nl,
    ratio,
)

PARAMS: dict[str, dict[str, str]] = {
    "OVERBEWONING": {"min_m2_per_person": "number"},
    "OVERBEWONING_LOGIES": {"min_m2_per_person": "number"},
    "ROOKMELDER": {},
    "OPBERGRUIMTE": {},
    "HUURCONTRACT": {"applies_from": "date"},
    "WGV_INFORMATIE": {},
}
# Codes whose reading-1 rule this reading replaces (or adds).
CHANGED = frozenset(PARAMS)

_AREA_SOURCE = {"gemeten": "gemeten", "bag": "volgens de BAG", "opgave": "volgens opgave"}


def storey_name(storey: int) -> str:
    """Return a storey as people say it: begane grond, 1e verdieping, kelder 1."""
    if storey == 0:
        return "begane grond"
    return f"{storey}e verdieping" if storey > 0 else f"kelder {-storey}"


def _floor_area(rec: Rule) -> tuple[Any, str] | None:
    """Return the floor area and where it came from; None (recorded as missing) when unknown."""
    dwelling = rec.ctx.section("dwelling")
    if dwelling.get("floor_area_m2") is not None:
        source = _AREA_SOURCE.get(dwelling.get("floor_area_source") or "", "vastgelegd bij de inspectie")
        return dwelling["floor_area_m2"], source
    address = rec.ctx.address
    if address.get("floor_area_m2") is not None:
        return address["floor_area_m2"], _AREA_SOURCE.get(address.get("floor_area_source") or "",
                                                          "volgens het adresgegeven")
    rec.missing(["dwelling.floor_area_m2", "address.floor_area_m2"], "Gebruiksoppervlakte onbekend.")
    return None


def _area_per_person(rec: Rule, kind: str) -> None:
    found = _floor_area(rec)
    if found is None:
        return
    area, source = found
    n = need_residents(rec)
    if n is None or n == 0:
        return
    minimum = rec.param("min_m2_per_person")
    if dec(area) < dec(minimum) * n:
        per = ratio(area, n)
        rec.finding(per, minimum, "m² per persoon",
                    f"{nl(area)} m² gebruiksoppervlakte ({source}) voor {n} bewoners is {nl(per)} m² per persoon, "
                    f"minimaal {nl(minimum)} m² ({kind}).")


def _overbewoning(rec: Rule) -> None:
    if not rec.ctx.section("dwelling").get("lodging"):  # a lodging is judged by OVERBEWONING_LOGIES
        _area_per_person(rec, "woning")


def _overbewoning_logies(rec: Rule) -> None:
    if rec.ctx.section("dwelling").get("lodging"):
        _area_per_person(rec, "logies")


def _rookmelder(rec: Rule) -> None:
    rooms = rec.ctx.inspection.get("rooms") or []
    habitable = [r for r in rooms if r.get("kind") in HABITABLE_KINDS]
    halls = [r for r in rooms if r.get("kind") == "verkeersruimte"]
    if not habitable and not halls:
        rec.missing(["rooms"], "Geen slaapkamer, woonkamer, keuken of verkeersruimte vastgelegd.")
        return
    listed = rec.ctx.section("fire_safety").get("storeys_with_smoke_detector")  # older data: storeys only
    unchecked = ["rooms[].smoke_detector", "fire_safety.storeys_with_smoke_detector"]
    by_storey: dict[int, list[str]] = {}
    for room in habitable:
        if room.get("storey") is None:
            rec.missing(["rooms[].storey"], f"{label(room)}: verdieping onbekend.", room["id"])
        else:
            by_storey.setdefault(room["storey"], []).append(label(room))
    for storey in sorted(by_storey):
        values = [r.get("smoke_detector") for r in rooms if r.get("storey") == storey]
        if True in values:
            continue
        where = f"{storey_name(storey)} ({', '.join(by_storey[storey])})"
        if None in values and listed is None:
            rec.missing(unchecked, f"{where[:1].upper()}{where[1:]}: rookmelders niet gecontroleerd.")
        elif None not in values or storey not in (listed or []):  # each room checked, or the storey list says none
            rec.finding(0, 1, "werkende rookmelders",
                        f"{where[:1].upper()}{where[1:]} heeft geen werkende rookmelder.", storey=storey)
    for hall in halls:
        value, storey = hall.get("smoke_detector"), hall.get("storey")
        if value is True:
            continue
        if value is None and (listed is None or storey is None):
            rec.missing(unchecked if storey is not None else ["rooms[].smoke_detector", "rooms[].storey"],
                        f"{label(hall)}: rookmelder niet gecontroleerd.", hall["id"])
        elif value is False or storey not in (listed or []):
            where = f" op de {storey_name(storey)}" if storey is not None else ""
            rec.finding(0, 1, "werkende rookmelders",
                        f"{label(hall)}{where} heeft geen werkende rookmelder; de vluchtroute voert erdoor.",
                        hall["id"], storey)


def _arbeidsmigranten(rec: Rule) -> int | None:
    """Return how many residents said they fit the Wgv definition; record it missing when unknown."""
    count: int | None = rec.ctx.section("occupants").get("arbeidsmigranten")
    if count is None:
        rec.missing(["occupants.arbeidsmigranten"],
                    "Niet vastgelegd hoeveel bewoners arbeidsmigrant zijn (Wgv art. 1): de Wgv-regels zijn niet "
                    "beoordeeld.")
    return count


def _huurcontract(rec: Rule) -> None:
    count = _arbeidsmigranten(rec)
    if not count:
        return
    tenancy = rec.ctx.section("tenancy")
    separate = tenancy.get("lease_separate_from_employment")
    if separate is None:
        rec.missing(["tenancy.lease_separate_from_employment"], "Huurovereenkomst niet gecontroleerd.")
        return
    if separate:
        return
    concluded = tenancy.get("lease_concluded_on")
    if concluded is None:
        rec.missing(["tenancy.lease_concluded_on"], "Datum waarop de huurovereenkomst is gesloten onbekend.")
        return
    concluded = as_date(concluded)
    if concluded >= as_date(rec.param("applies_from")):
        rec.finding(False, True, None,
                    f"Huurovereenkomst gesloten op {long_date(concluded)} is niet gescheiden van de "
                    f"arbeidsovereenkomst ({count} {'arbeidsmigrant' if count == 1 else 'arbeidsmigranten'}).")


def _opbergruimte(rec: Rule) -> None:
    facilities = rec.ctx.section("facilities")
    outside = facilities.get("wardrobe_outside_bedroom")
    if outside is None:
        rec.missing(["facilities.wardrobe_outside_bedroom"],
                    "Niet vastgelegd of de kledingkast buiten de slaapkamer staat.")
        return
    if not outside:
        return
    storage = facilities.get("lockable_storage")
    if storage is None:
        rec.missing(["facilities.lockable_storage"], "Opbergruimte niet gecontroleerd.")
    elif storage is False:
        rec.finding(False, True, None,
                    "De kledingkast staat buiten de slaapkamer en er is geen afsluitbare opbergruimte per persoon.")


def _wgv_informatie(rec: Rule) -> None:
    count = _arbeidsmigranten(rec)
    if not count:
        return
    informed = rec.ctx.section("tenancy").get("info_in_own_language")
    if informed is None:
        rec.missing(["tenancy.info_in_own_language"],
                    "Niet gecontroleerd of de arbeidsmigranten schriftelijk in hun taal zijn geïnformeerd.")
    elif informed is False:
        rec.finding(False, True, None,
                    f"{count} {'arbeidsmigrant is' if count == 1 else 'arbeidsmigranten zijn'} niet schriftelijk "
                    "geïnformeerd over de rechten en plichten in een taal die zij begrijpen.")


RULES: dict[str, RuleFunction] = {
    "OVERBEWONING": _overbewoning,
    "OVERBEWONING_LOGIES": _overbewoning_logies,
    "ROOKMELDER": _rookmelder,
    "OPBERGRUIMTE": _opbergruimte,
    "HUURCONTRACT": _huurcontract,
    "WGV_INFORMATIE": _wgv_informatie,
}
