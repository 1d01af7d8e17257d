"""The rapport van bevindingen of one inspection, in Dutch blocks for reports.render."""

from __future__ import annotations

from typing import Any

from reports.fmt import datum, lokale_dag, tijdstip
from reports.words import (
    ACCESS,
    INSPECTION_KINDS,
    LOCATION_TYPES,
    ROOM_KINDS,
    Block,
    address_line,
    de_gemeente,
    finding_table,
    value,
    where,
)


def _param(norm_set: dict[str, Any] | None, code: str, name: str) -> Any:
    if not norm_set:
        return None
    return ((norm_set.get("rules") or {}).get(code, {}).get("params") or {}).get(name, {}).get("value")


def inspection_blocks(item: dict[str, Any], data: dict[str, Any]) -> list[Block]:
    """Return the body of a rapport van bevindingen for one inspection."""
    inspection, evaluation = item["inspection"], item.get("evaluation") or {}
    address, norm_set = data["address"], item.get("norm_set")
    rooms = {r["id"]: r for r in inspection.get("rooms") or []}
    used = evaluation.get("norm_set") or {}
    blocks: list[Block] = [
        {"t": "h1", "text": "Rapport van bevindingen"},
        {"t": "fields", "rows": [
            ["Adres", address_line(address)], ["BAG-id", address.get("bag_id") or "-"],
            ["Type locatie", LOCATION_TYPES.get(address.get("location_type") or "", "-")],
            ["Bezoek", f"{tijdstip(inspection.get('started_at'))} tot {tijdstip(inspection.get('finished_at'))}"],
            ["Soort", INSPECTION_KINDS.get(inspection["kind"], inspection["kind"])],
            ["Toezichthouder", item.get("inspector") or "-"],
            ["Toegang", ACCESS.get(inspection.get("access") or "", "niet vastgelegd")],
            ["Normenset", f"{used.get('id')} versie {used.get('version')}" if used else "-"],
            ["Inspectie-id", inspection["id"]]]},
    ]
    if inspection.get("corrects"):
        blocks.append({"t": "p", "text": f"Dit rapport is een correctie op inspectie {inspection['corrects']}."})
    if inspection.get("access") != "granted":
        blocks.append({"t": "p", "text": "Er is geen toegang tot de woning verkregen; in de woning is niets gemeten "
                                         "of geteld."})
    else:
        blocks += _dwelling_blocks(inspection, evaluation, address, norm_set, rooms)
    findings = evaluation.get("findings") or []
    blocks.append({"t": "h2", "text": "Bevindingen"})
    if findings:
        blocks.append(finding_table(findings, rooms, "Bevinding"))
    else:
        blocks.append({"t": "p", "text": "Geen overtredingen van de normen vastgesteld."})
    manual = inspection.get("manual_findings") or []
    if manual:
        blocks.append({"t": "p", "text": "Eigen waarnemingen van de toezichthouder:", "bold": True})
        blocks.append({"t": "bullets", "items": [f"{m['code']} ({where(m, rooms)}): {m['description']}"
                                                 for m in manual]})
    not_assessed = evaluation.get("not_assessed") or []
    blocks.append({"t": "h2", "text": "Niet beoordeeld"})
    if not_assessed:
        blocks.append({"t": "table", "head": ["Regel", "Ontbrekende gegevens", "Reden"],
                       "rows": [[f"{n['code']}\n{n['title']}", ", ".join(n.get("missing") or []),
                                 n.get("reason") or "-"] for n in not_assessed], "widths": [0.36, 0.26, 0.38]})
    else:
        blocks.append({"t": "p", "text": "Alle regels van de normenset zijn beoordeeld."})
    if (inspection.get("notes") or "").strip():
        blocks += [{"t": "h2", "text": "Opmerkingen"}, {"t": "p", "text": inspection["notes"].strip()}]
    photos = inspection.get("photos") or []
    if photos:
        blocks.append({"t": "h2", "text": f"Foto's ({len(photos)})"})
        for i, photo in enumerate(photos, start=1):
            place = where(photo, rooms) if photo.get("room_id") else "woning"
            blocks.append({"t": "photo", "sha256": photo["sha256"],
                           "caption": f"Foto {i} ({place}): {photo.get('caption') or 'zonder bijschrift'}"})
    blocks.append({"t": "box", "text": f"Dit rapport is door mij, {item.get('inspector') or 'de toezichthouder'}, "
                                       f"toezichthouder van {de_gemeente(data['letterhead']['name'])}, "
                                       "naar waarheid opgemaakt op ambtseed of ambtsbelofte."})
    return blocks


def _dwelling_blocks(inspection: dict[str, Any], evaluation: dict[str, Any], address: dict[str, Any],
                     norm_set: dict[str, Any] | None, rooms: dict[str, dict[str, Any]]) -> list[Block]:
    dwelling, occupants = inspection.get("dwelling") or {}, inspection.get("occupants") or {}
    facilities, fire, tenancy = inspection.get("facilities") or {}, inspection.get("fire_safety") or {}, \
        inspection.get("tenancy") or {}
    bedrooms = [r for r in rooms.values() if r["kind"] == "bedroom"]
    residents = evaluation.get("residents")
    gbo = dwelling.get("floor_area_m2") or address.get("floor_area_m2")
    bedroom_area = sum(r["area_m2"] for r in bedrooms if r.get("area_m2")) if bedrooms else None
    per_person = round(gbo / residents, 1) if gbo and residents else None
    bed_per_person = round(bedroom_area / residents, 1) if bedroom_area and residents else None
    crowded = max((r.get("occupants") or r.get("beds") or 0 for r in bedrooms), default=None)
    norm_m2 = _param(norm_set, "OVERBEWONING", "min_m2_per_person_lodging" if dwelling.get("lodging")
                     else "min_m2_per_person")
    return [
        {"t": "h2", "text": "Ruimten"},
        {"t": "table", "head": ["Ruimte", "Soort", "Verdieping", "m²", "Bedden", "Personen"],
         "rows": [[r.get("name") or r["id"], ROOM_KINDS.get(r["kind"], r["kind"]), value(r.get("storey")),
                   value(r.get("area_m2")), value(r.get("beds")), value(r.get("occupants"))]
                  for r in rooms.values()], "widths": [0.28, 0.16, 0.14, 0.14, 0.14, 0.14]}
        if rooms else {"t": "p", "text": "Geen ruimten vastgelegd."},
        {"t": "h2", "text": "Bewoning en oppervlakte"},
        {"t": "table", "head": ["Gegeven", "Vastgesteld", "Norm"], "widths": [0.5, 0.25, 0.25], "rows": [
            ["Bewoners (voor de normen)", value(residents), "-"],
            ["Aanwezig tijdens het bezoek", value(occupants.get("present")), "-"],
            ["Opgegeven door bewoners", value(occupants.get("reported")), "-"],
            ["Ingeschreven in de BRP", value(address.get("brp_registered")), "-"],
            ["Gebruiksoppervlakte (GBO)", value(gbo, "m²"), "-"],
            ["Gebruiksoppervlakte per bewoner", value(per_person, "m²"), value(norm_m2, "m²")],
            ["Slaapkamers / bedden", f"{len(bedrooms)} / {value(sum(r.get('beds') or 0 for r in bedrooms))}", "-"],
            ["Slaapkameroppervlak per bewoner", value(bed_per_person, "m²"),
             value(_param(norm_set, "OPPERVLAKTE_SLAAPKAMER", "min_m2_per_occupant"), "m²")],
            ["Meeste personen in één slaapkamer", value(crowded),
             value(_param(norm_set, "BEZETTING_SLAAPKAMER", "max_per_bedroom"))],
            ["Talen (aantal bewoners)", value(occupants.get("languages") or None), "-"],
            ["Verdiepingen / logiesgebouw", f"{value(dwelling.get('storeys'))} / {value(dwelling.get('lodging'))}",
             "-"]]},
        {"t": "h2", "text": "Voorzieningen, brandveiligheid en huur"},
        {"t": "fields", "widths": [0.5, 0.5], "rows": [
            ["Toiletten / douches / kookpitten", " / ".join(value(facilities.get(k))
                                                            for k in ("toilets", "showers", "hobs"))],
            ["Wasmachine / afsluitbare opbergruimte", f"{value(facilities.get('washing_machine'))} / "
                                                      f"{value(facilities.get('lockable_storage'))}"],
            ["Verdiepingen met werkende rookmelder", value(fire.get("storeys_with_smoke_detector"))],
            ["Verbrandingstoestel / CO-melder", f"{value(fire.get('fuel_appliance'))} / "
                                                f"{value(fire.get('co_detector'))}"],
            ["Blusmiddel bij de keuken / blusdeken", f"{value(fire.get('extinguisher_near_kitchen'))} / "
                                                     f"{value(fire.get('fire_blanket'))}"],
            ["Vluchtweg vrij / elektra overbelast", f"{value(fire.get('escape_route_clear'))} / "
                                                    f"{value(fire.get('electrical_overload'))}"],
            ["Huur gescheiden van arbeid (ingang huur)", f"{value(tenancy.get('lease_separate_from_employment'))} "
                                                         f"({datum(tenancy.get('lease_start'))})"],
            ["Informatiekaart aanwezig", value(tenancy.get("info_card_present"))]]},
    ]


def rapport(data: dict[str, Any]) -> dict[str, Any]:
    """The rapport van bevindingen of one inspection."""
    item = data["inspections"][0]
    inspection = item["inspection"]
    header = [["Ons kenmerk", data["kenmerk"]], ["Opgemaakt door", item.get("inspector") or "-"],
              ["Onderwerp", f"Rapport van bevindingen - {address_line(data['address'])}"],
              ["Datum", datum(data["letter_date"])],
              ["Datum bezoek", datum(lokale_dag(str(inspection.get("started_at") or data["letter_date"])))]]
    return {"kind": "rapport", "title": "Rapport van bevindingen", "kenmerk": data["kenmerk"],
            "letterhead": data["letterhead"], "header": header, "blocks": inspection_blocks(item, data)}
