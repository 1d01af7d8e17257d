"""The sections of a rapport van bevindingen, each a function of the rapport's data (see reports.rapport).

With `landlord=True` a section leaves out what the verhuurder's version must not hold: BRP
counts, languages, statements of residents, notes, the arbeidsmigranten count, and the counts
of residents unless one of the version's findings needs them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from babel import Locale

from reports.fmt import TZ, datum, lokale_dag
from reports.words import (
    ACCESS,
    INSPECTION_KINDS,
    LOCATION_TYPES,
    ROOM_KINDS,
    Block,
    address_line,
    value,
    where,
)

# Findings about BRP registrations never go to the verhuurder.
BRP_CODES = frozenset({"BRP_SIGNAAL"})
# Findings that rest on the number of residents, and those that rest on the counts per bedroom.
PERSON_CODES = frozenset({"OVERBEWONING", "OVERBEWONING_LOGIES", "MAX_BEWONERS", "SANITAIR_TOILET",
                          "SANITAIR_DOUCHE", "KOOKGELEGENHEID"})
ROOM_CODES = frozenset({"BEZETTING_SLAAPKAMER", "OPPERVLAKTE_SLAAPKAMER"})
# Statements the verhuurder's version keeps: his own side's and the officials'.
LANDLORD_STATEMENT_ROLES = frozenset({"verhuurder", "beheerder", "toezichthouder", "politie"})
OFFICIAL_ROLES = frozenset({"toezichthouder", "politie"})

REGIMES = {"wgv": "Wet goed verhuurderschap", "wgv_vergunning": "verhuurvergunning (Wgv art. 5)",
           "bouwregels": "bouwregels", "omgevingsplan": "omgevingsplan", "signaal": "signaal"}
ROLES = {"toezichthouder": "toezichthouder", "tolk": "tolk", "politie": "politie", "verhuurder": "verhuurder",
         "beheerder": "beheerder", "bewoner": "bewoner", "other": "anders"}
CONSENT = {"bewoner": "gegeven door een bewoner", "hoofdbewoner": "gegeven door de hoofdbewoner"}
AREA_SOURCES = {"gemeten": "gemeten ter plaatse", "bag": "overgenomen uit de BAG", "opgave": "volgens opgave"}
DETECTOR_TESTS = {"testknop": "met de testknop", "rookspray": "met rookspray (testgas)",
                  "visueel": "alleen bekeken, niet werkend getest"}
NOT_RECORDED = "niet vastgelegd"


def visit_day(inspection: dict[str, Any]) -> dt.date | None:
    """Return the Dutch calendar day of the visit, or None when no start is recorded."""
    started = inspection.get("started_at")
    return lokale_dag(str(started)) if started else None


def _moment(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(TZ)


def _clock(value: str | None, day: dt.date | None = None) -> str:
    """Return a moment in Dutch local time: '19:05 uur', with its date when it falls on another day."""
    moment = _moment(value)
    if moment is None:
        return NOT_RECORDED
    text = f"{moment:%H:%M} uur"
    return text if moment.date() == day else f"{datum(moment.date())} {text}"


def _yes_no(raw: Any) -> str:
    return NOT_RECORDED if raw is None else ("ja" if raw else "nee")


def _storey(storey: Any) -> str:
    if storey is None:
        return "-"
    return "begane grond" if storey == 0 else (f"{storey}e verdieping" if storey > 0 else f"kelder {-storey}")


def _param(norm_set: dict[str, Any] | None, code: str, name: str) -> Any:
    rules = (norm_set or {}).get("rules") or {}
    return ((rules.get(code) or {}).get("params") or {}).get(name, {}).get("value")


def official_blocks(data: dict[str, Any]) -> list[Block]:
    """Return who made the rapport: name, function, aanwijzing (Awb 5:11) and legitimation (Awb 5:12)."""
    official = data.get("official") or {}
    return [{"t": "h2", "text": "De toezichthouder"},
            {"t": "fields", "rows": [
                ["Naam", official.get("full_name") or NOT_RECORDED],
                ["Functie", official.get("function_title") or NOT_RECORDED],
                ["Aanwijzing als toezichthouder (Awb 5:11)", official.get("aanwijzing") or NOT_RECORDED],
                ["Legitimatiebewijs (Awb 5:12)", f"nummer {official['legitimation_no']}"
                 if official.get("legitimation_no") else NOT_RECORDED]], "widths": [0.4, 0.6]}]


def visit_blocks(data: dict[str, Any]) -> list[Block]:
    """Return where and when the visit was: address, date, start and end in Dutch local time."""
    inspection, address = data["inspection"], data["address"]
    day = visit_day(inspection)
    used = (data.get("evaluation") or {}).get("norm_set") or {}
    return [{"t": "h2", "text": "Het bezoek"},
            {"t": "fields", "widths": [0.4, 0.6], "rows": [
                ["Adres", address_line(address)], ["BAG-id", address.get("bag_id") or "-"],
                ["Type locatie", LOCATION_TYPES.get(address.get("location_type") or "", "-")],
                ["Datum", datum(day)], ["Aanvang (Nederlandse tijd)", _clock(inspection.get("started_at"), day)],
                ["Einde (Nederlandse tijd)", _clock(inspection.get("finished_at"), day)],
                ["Soort bezoek", INSPECTION_KINDS.get(inspection["kind"], inspection["kind"])],
                ["Toegang", ACCESS.get(inspection.get("access") or "", NOT_RECORDED)],
                ["Normenset", f"{used.get('id')} versie {used.get('version')}" if used else "-"],
                ["Inspectie-id", inspection["id"]]]}]


def entry_blocks(data: dict[str, Any], *, landlord: bool) -> list[Block]:
    """Return how the toezichthouder entered, and (for the jurist, full version only) why that is doubtful."""
    inspection = data["inspection"]
    entry = inspection.get("entry") or {}
    if inspection.get("access") != "granted" and not entry:
        return []
    blocks: list[Block] = [{"t": "h2", "text": "Binnentreden"}, {"t": "fields", "widths": [0.4, 0.6], "rows": [
        ["Toestemming om binnen te treden", CONSENT.get(entry.get("consent_by") or "", NOT_RECORDED)],
        ["Legitimatiebewijs getoond", _yes_no(entry.get("legitimation_shown"))],
        ["Doel van het bezoek meegedeeld", _yes_no(entry.get("purpose_stated"))],
        ["Machtiging tot binnentreden", entry.get("machtiging") or "geen"]]}]
    doubts = data.get("entry_doubts") or []
    if doubts and not landlord:
        blocks.append({"t": "box", "text": "Voor de jurist: de grondslag van het binnentreden is twijfelachtig. "
                                           + " ".join(doubts)})
    return blocks


def present_blocks(data: dict[str, Any], *, landlord: bool) -> list[Block]:
    """Return who was present: roles with counts, officials by full name."""
    present = data["inspection"].get("present")
    if not present:
        return [{"t": "h2", "text": "Aanwezig"}, {"t": "p", "text": "Niet vastgelegd wie er aanwezig waren."}]
    officials = data.get("officials") or {}
    table = []
    for line in present:
        names = ", ".join(officials.get(i) or "onbekende ambtenaar" for i in line.get("user_ids") or [])
        count = "aanwezig" if landlord and line["role"] == "bewoner" else value(line.get("count"))
        table.append([ROLES.get(line["role"], line["role"]), count, names or "-"])
    return [{"t": "h2", "text": "Aanwezig"},
            {"t": "table", "head": ["Rol", "Aantal", "Namen (ambtenaren)"], "rows": table,
             "widths": [0.25, 0.15, 0.6]}]


def _room_row(room: dict[str, Any], counts: bool) -> list[str]:
    row = [room.get("name") or room["id"], ROOM_KINDS.get(room["kind"], room["kind"]), _storey(room.get("storey")),
           value(room.get("area_m2")), value(room.get("beds"))]
    if counts:
        row.append(value(room.get("occupants")))
    return [*row, value(room.get("smoke_detector"))]


def observation_blocks(data: dict[str, Any], findings: list[dict[str, Any]], *, landlord: bool) -> list[Block]:
    """Return what was seen and measured and how: rooms, floor area and its source, facilities, fire safety."""
    inspection = data["inspection"]
    rooms = inspection.get("rooms") or []
    codes = {f["code"] for f in findings}
    persons = not landlord or bool(codes & PERSON_CODES)
    room_counts = not landlord or bool(codes & (ROOM_CODES | PERSON_CODES))
    head = ["Ruimte", "Soort", "Verdieping", "m²", "Bedden", *(["Personen"] if room_counts else []), "Rookmelder"]
    widths = [0.24, 0.15, 0.16, 0.1, 0.1, 0.11, 0.14] if room_counts else [0.28, 0.16, 0.18, 0.12, 0.12, 0.14]
    blocks: list[Block] = [{"t": "h2", "text": "Ruimten"}]
    if rooms:
        blocks += [{"t": "table", "head": head, "rows": [_room_row(r, room_counts) for r in rooms], "widths": widths},
                   {"t": "p", "text": "Rookmelder: een werkende rookmelder in die ruimte (ja of nee); - is niet "
                                      "gecontroleerd."}]
    else:
        blocks.append({"t": "p", "text": "Geen ruimten vastgelegd."})
    return [*blocks,
            {"t": "h2", "text": "Bewoning en oppervlakte" if persons else "Oppervlakte"},
            {"t": "table", "head": ["Gegeven", "Vastgesteld", "Norm"], "widths": [0.52, 0.28, 0.2],
             "rows": _occupancy_rows(data, persons, room_counts, landlord)},
            {"t": "h2", "text": "Voorzieningen, brandveiligheid en huur"},
            {"t": "fields", "widths": [0.5, 0.5], "rows": _facility_rows(data, landlord)}]


def _languages(languages: dict[str, int] | None) -> str:
    if not languages:
        return "-"
    names = Locale.parse("nl").languages
    return ", ".join(f"{names.get(code, code)} {count}" for code, count in languages.items())


def _occupancy_rows(data: dict[str, Any], persons: bool, room_counts: bool, landlord: bool) -> list[list[str]]:
    inspection, address, norm_set = data["inspection"], data["address"], data.get("norm_set")
    dwelling, occupants = inspection.get("dwelling") or {}, inspection.get("occupants") or {}
    residents = (data.get("evaluation") or {}).get("residents")
    bedrooms = [r for r in inspection.get("rooms") or [] if r["kind"] == "bedroom"]
    rows: list[list[str]] = []
    if persons:
        rows += [["Bewoners voor de normen (de grootste van aanwezig, opgegeven en per slaapkamer geteld)",
                  value(residents), "-"],
                 ["Aanwezig tijdens het bezoek", value(occupants.get("present")), "-"],
                 ["Opgegeven door de bewoners", value(occupants.get("reported")), "-"]]
    if not landlord:
        rows += [["Arbeidsmigrant volgens de Wgv (art. 1), naar eigen zeggen", value(occupants.get("arbeidsmigranten")),
                  "-"],
                 ["Ingeschreven in de BRP" + (f" (peildatum {datum(address['brp_peildatum'])})"
                                              if address.get("brp_peildatum") else ""),
                  value(address.get("brp_registered")), "-"],
                 ["Talen (aantal bewoners)", _languages(occupants.get("languages")), "-"]]
    measured, bag = dwelling.get("floor_area_m2"), address.get("floor_area_m2")
    source = dwelling.get("floor_area_source")
    used = measured if measured is not None else bag
    lodging = bool(dwelling.get("lodging"))
    norm_m2 = (_param(norm_set, "OVERBEWONING_LOGIES", "min_m2_per_person") or
               _param(norm_set, "OVERBEWONING", "min_m2_per_person_lodging")) if lodging else \
        _param(norm_set, "OVERBEWONING", "min_m2_per_person")
    rows += [["Gebruiksoppervlakte (GBO) bij het bezoek: " + (AREA_SOURCES.get(source or "", "bron niet vastgelegd")
                                                              if measured is not None else "niet vastgesteld"),
              value(measured, "m²"), "-"],
             ["Gebruiksoppervlakte geregistreerd in de BAG", value(bag, "m²"), "-"],
             ["Gebruikt voor de normen", (value(used, "m²") + (" (bij het bezoek)" if measured is not None else
                                                               " (BAG)")) if used is not None else "-", "-"]]
    if persons:
        per_person = round(used / residents, 1) if used and residents else None
        rows.append(["Gebruiksoppervlakte per bewoner", value(per_person, "m²"), value(norm_m2, "m²")])
    beds = sum(r.get("beds") or 0 for r in bedrooms)
    rows.append(["Slaapkamers / bedden", f"{len(bedrooms)} / {value(beds)}", "-"])
    if room_counts:
        area = sum(r["area_m2"] for r in bedrooms if r.get("area_m2")) if bedrooms else None
        crowded = max((r.get("occupants") or r.get("beds") or 0 for r in bedrooms), default=None)
        rows += [["Slaapkameroppervlak per bewoner", value(round(area / residents, 1) if area and residents else None,
                                                           "m²"),
                  value(_param(norm_set, "OPPERVLAKTE_SLAAPKAMER", "min_m2_per_occupant"), "m²")],
                 ["Meeste personen in één slaapkamer", value(crowded),
                  value(_param(norm_set, "BEZETTING_SLAAPKAMER", "max_per_bedroom"))]]
    rows.append(["Verdiepingen / logiesgebouw", f"{value(dwelling.get('storeys'))} / {value(dwelling.get('lodging'))}",
                 "-"])
    return rows


def _detectors(inspection: dict[str, Any]) -> str:
    rooms = inspection.get("rooms") or []
    working = [r.get("name") or r["id"] for r in rooms if r.get("smoke_detector") is True]
    failing = [r.get("name") or r["id"] for r in rooms if r.get("smoke_detector") is False]
    if not working and not failing:
        return "per ruimte niet vastgelegd"
    parts = [f"werkend in {', '.join(working)}" if working else "",
             f"ontbreekt of werkt niet in {', '.join(failing)}" if failing else ""]
    return "; ".join(p for p in parts if p)


def _facility_rows(data: dict[str, Any], landlord: bool) -> list[list[str]]:
    inspection = data["inspection"]
    facilities, fire = inspection.get("facilities") or {}, inspection.get("fire_safety") or {}
    tenancy = inspection.get("tenancy") or {}
    rows = [
        ["Toiletten / douches / kookpitten", " / ".join(value(facilities.get(k)) for k in ("toilets", "showers",
                                                                                           "hobs"))],
        ["Wasmachine / afsluitbare opbergruimte", f"{value(facilities.get('washing_machine'))} / "
                                                  f"{value(facilities.get('lockable_storage'))}"],
        ["Kledingkast buiten de slaapkamer", value(facilities.get("wardrobe_outside_bedroom"))],
        ["Rookmelders per ruimte", _detectors(inspection)],
        ["Rookmelders getest", DETECTOR_TESTS.get(fire.get("smoke_detectors_tested_by") or "", NOT_RECORDED)],
    ]
    if fire.get("storeys_with_smoke_detector") is not None:
        rows.append(["Verdiepingen met werkende rookmelder", ", ".join(_storey(s) for s in
                                                                       fire["storeys_with_smoke_detector"]) or "geen"])
    rows += [
        ["Verbrandingstoestel / CO-melder", f"{value(fire.get('fuel_appliance'))} / {value(fire.get('co_detector'))}"],
        ["Blusmiddel bij de keuken / blusdeken", f"{value(fire.get('extinguisher_near_kitchen'))} / "
                                                 f"{value(fire.get('fire_blanket'))}"],
        ["Vluchtweg vrij / elektra overbelast", f"{value(fire.get('escape_route_clear'))} / "
                                                f"{value(fire.get('electrical_overload'))}"],
    ]
    if not landlord:
        rows.append(["Verhuurder volgens de bewoners", tenancy.get("landlord_stated") or "-"])
    rows += [
        ["Huur ingegaan / huurovereenkomst gesloten op", f"{datum(tenancy.get('lease_start'))} / "
                                                         f"{datum(tenancy.get('lease_concluded_on'))}"],
        ["Huur vastgelegd los van de arbeidsovereenkomst", value(tenancy.get("lease_separate_from_employment"))],
        ["Schriftelijk geïnformeerd in een eigen taal (Wgv)", value(tenancy.get("info_in_own_language"))],
        ["Informatiekaart aanwezig", value(tenancy.get("info_card_present"))],
    ]
    return rows


def _voorschrift(finding: dict[str, Any]) -> str:
    rules = [f"{v['regeling']}, {v['artikel']}" + ("" if v.get("verified") else " (nog niet geverifieerd)")
             for v in finding.get("voorschriften") or []]
    regime = REGIMES.get(finding.get("regime") or "", "")
    text = "; ".join(rules) or finding.get("legal_basis") or "-"
    return f"{text}\n(regime: {regime})" if regime else text


def _finding_text(finding: dict[str, Any]) -> str:
    return f"{finding['code']}\n{finding['title']}. {finding.get('description') or ''}".strip()


def finding_blocks(data: dict[str, Any], findings: list[dict[str, Any]], *, landlord: bool) -> list[Block]:
    """Return the violations (with regime and overtreden voorschrift), the signals apart, and what was not judged."""
    inspection = data["inspection"]
    rooms = {r["id"]: r for r in inspection.get("rooms") or []}
    # A finding of the previous release's case data has no register annotation: it stood as a violation.
    violations = [f for f in findings if f.get("enforceable", True)]
    signals = [f for f in findings if not f.get("enforceable", True)]
    blocks: list[Block] = [{"t": "h2", "text": "Overtredingen"}]
    if violations:
        blocks.append({"t": "table", "head": ["Overtreding", "Ruimte", "Vastgesteld", "Norm", "Overtreden voorschrift"],
                       "widths": [0.33, 0.12, 0.13, 0.13, 0.29],
                       "rows": [[_finding_text(f), where(f, rooms), value(f.get("measured"), f.get("unit")),
                                 value(f.get("norm"), f.get("unit")), _voorschrift(f)] for f in violations]})
        if any(not v.get("verified") for f in violations for v in f.get("voorschriften") or []):
            blocks.append({"t": "p", "text": "Een voorschrift met 'nog niet geverifieerd' is door de gemeente nog niet "
                                             "aan de officiële tekst getoetst."})
    else:
        blocks.append({"t": "p", "text": "Geen overtredingen van een bindend voorschrift vastgesteld."})
    if signals:
        blocks += [{"t": "h2", "text": "Signalen en adviezen"},
                   {"t": "p", "text": "Voor deze bevindingen geldt op de datum van het bezoek geen bindend "
                                      "voorschrift. Ze zijn een signaal of advies, geen grondslag voor een last onder "
                                      "dwangsom of een bestuurlijke boete."},
                   {"t": "table", "head": ["Signaal of advies", "Ruimte", "Vastgesteld", "Norm"],
                    "widths": [0.49, 0.17, 0.17, 0.17],
                    "rows": [[_finding_text(f), where(f, rooms), value(f.get("measured"), f.get("unit")),
                              value(f.get("norm"), f.get("unit"))] for f in signals]}]
        # Where each number comes from, once per rule: context, never a grondslag.
        sources = {f["code"]: f["toetsingskader"] for f in signals if f.get("toetsingskader")}
        if sources:
            blocks += [{"t": "p", "text": "Waar de normen vandaan komen (toetsingskader):", "bold": True},
                       {"t": "bullets", "items": [f"{code}: {text}" for code, text in sources.items()]}]
    manual = inspection.get("manual_findings") or []
    if manual:
        blocks += [{"t": "p", "text": "Eigen waarnemingen van de toezichthouder:", "bold": True},
                   {"t": "bullets", "items": [f"{m['code']} ({where(m, rooms)}): {m['description']}"
                                              for m in manual]}]
    not_assessed = [n for n in (data.get("evaluation") or {}).get("not_assessed") or []
                    if not (landlord and n["code"] in BRP_CODES)]
    blocks.append({"t": "h2", "text": "Niet beoordeeld"})
    if not_assessed:
        blocks.append({"t": "table", "head": ["Regel", "Ontbrekende gegevens", "Reden"], "widths": [0.36, 0.26, 0.38],
                       "rows": [[f"{n['code']}\n{n['title']}", ", ".join(n.get("missing") or []),
                                 n.get("reason") or "-"] for n in not_assessed]})
    else:
        blocks.append({"t": "p", "text": "Alle regels van de normenset zijn beoordeeld."})
    return blocks


def _cautie(raw: Any) -> str:
    if raw is None:
        return NOT_RECORDED
    return "cautie gegeven (Awb 5:10a)" if raw else "geen cautie gegeven"


def statement_blocks(data: dict[str, Any], *, landlord: bool) -> list[Block]:
    """Return the statements heard on site, by role, with whether the cautie was given."""
    statements = data["inspection"].get("statements") or []
    kept = [s for s in statements if not landlord or s["by_role"] in LANDLORD_STATEMENT_ROLES]
    if not statements:
        return []
    blocks: list[Block] = [{"t": "h2", "text": "Verklaringen"}]
    if kept:
        blocks.append({"t": "table", "head": ["Door", "Verklaring", "Cautie"], "widths": [0.16, 0.59, 0.25],
                       "rows": [[ROLES.get(s["by_role"], s["by_role"]), s["text"], _cautie(s.get("cautie_given"))]
                                for s in kept]})
    if len(kept) < len(statements):
        blocks.append({"t": "p", "text": "Verklaringen van bewoners en anderen zijn in deze versie weggelaten."})
    return blocks


def photo_blocks(data: dict[str, Any]) -> list[Block]:
    """Return every photo with its caption, when it was taken and its SHA-256."""
    inspection = data["inspection"]
    photos = inspection.get("photos") or []
    if not photos:
        return []
    rooms = {r["id"]: r for r in inspection.get("rooms") or []}
    blocks: list[Block] = [{"t": "h2", "text": f"Foto's ({len(photos)})"},
                           {"t": "p", "text": "Het tijdstip is dat van de klok van de tablet. Met de SHA-256 is na te "
                                              "gaan dat de bewaarde foto dezelfde is als de genomen foto."}]
    for i, photo in enumerate(photos, start=1):
        place = where(photo, rooms) if photo.get("room_id") else "woning"
        taken = _moment(photo.get("taken_at"))
        when = f"genomen {datum(taken.date())} {taken:%H:%M} uur" if taken else "tijdstip niet vastgelegd"
        blocks.append({"t": "photo", "sha256": photo["sha256"],
                       "caption": f"Foto {i} ({place}): {photo.get('caption') or 'zonder bijschrift'}; {when}; "
                                  f"SHA-256 {photo['sha256']}"})
    return blocks


def closing_blocks(data: dict[str, Any], signed: bool) -> list[Block]:
    """Return the signing line of an approved rapport, or the concept's mark."""
    if not signed:
        return [{"t": "box", "text": "CONCEPT - nog niet ondertekend door de toezichthouder."}]
    official = data.get("official") or {}
    name = official.get("full_name") or "de toezichthouder"
    who = ", ".join(p for p in (name, official.get("function_title")) if p)
    lines = [f"Aldus naar waarheid opgemaakt en ondertekend door {who}, op {datum(data['signed_on'])}.", "", name]
    if official.get("function_title"):
        lines.append(official["function_title"])
    if official.get("aanwijzing"):
        lines.append(f"Aanwijzing: {official['aanwijzing']}")
    return [{"t": "signature", "lines": lines}]
