"""The weekly report (weekrapportage): the figures in charts and tables, `collect(data)` then `render(doc, out)`.

`data` holds `figures` (server.figures, the JSON of `report figures`), `weeks` [{`week`, `inspections`,
`no_access`}] (the twelve weeks up to the reported one, the last equal to the figures' week), `made_at`
(ISO timestamp), `letterhead` {`name`, `address`, `logo`} and `code_titles` {rule code: title}. Every
number the report prints comes from `figures` or `weeks`, so it equals `report figures` of that week.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from reports.fmt import bedrag, datum, getal, tijdstip
from reports.render import render as draw
from reports.words import LOCATION_TYPES

TYPE_LABELS = {**{k: v[:1].upper() + v[1:] for k, v in LOCATION_TYPES.items()},
               "onbekend": "Onbekend (nog niet vastgesteld)"}
SHORT_LABELS = {**TYPE_LABELS, "grootschalig": "Grootschalig", "onbekend": "Onbekend"}  # under a chart's bars
TITLES = {
    "weeks": "Inspecties per week",
    "residents": "Bewoners per locatietype, op geverifieerde en niet-geverifieerde adressen",
    "gap": "Verschil met de BRP per locatietype",
    "money": "Geschatte Gemeentefonds-uitkering en kosten van inschrijving",
    "findings": "Bevindingen per code",
    "cases": "Zaken per status en verlopen termijnen",
}
RNI_NOTE = ("Arbeidsmigranten die korter dan vier maanden blijven, schrijven zich in de RNI (Registratie "
            "Niet-ingezetenen) in, zonder Nederlands adres, en velen blijven daar ingeschreven als zij langer "
            "blijven. Het aantal ingeschrevenen per adres uit de BRP telt daardoor te laag: een verschil is een "
            "signaal voor Burgerzaken (terugmelding), geen vaststelling dat iemand zich niet heeft ingeschreven.")


def week_words(week: str) -> str:
    """Return 'week 49 van 2026 (30 november 2026 tot en met 6 december 2026)' for '2026-W49'."""
    year, number = int(week[:4]), int(week[6:])
    monday = dt.date.fromisocalendar(year, number, 1)
    return f"week {number} van {year} ({datum(monday)} tot en met {datum(monday + dt.timedelta(days=6))})"


def _n(value: int) -> str:
    return getal(value)


def _inspections(data: dict[str, Any]) -> list[dict[str, Any]]:
    f, weeks = data["figures"], data["weeks"]
    year = int(f["week"][:4])
    return [
        {"t": "h2", "text": "1. Inspecties"},
        {"t": "fields", "rows": [
            [f"In week {int(f['week'][6:])}", f"{_n(f['inspections']['week'])} inspecties, waarvan "
                           f"{_n(f['inspections']['no_access_week'])} zonder toegang"],
            [f"In {year}", f"{_n(f['inspections']['year'])} inspecties"]]},
        {"t": "chart", "kind": "bar", "title": TITLES["weeks"], "categories": [w["week"][5:] for w in weeks],
         "series": [{"name": "Inspecties", "values": [w["inspections"] for w in weeks]},
                    {"name": "Waarvan zonder toegang", "values": [w["no_access"] for w in weeks]}]},
        {"t": "table", "head": ["Week", "Inspecties", "Zonder toegang"], "widths": [0.4, 0.3, 0.3],
         "rows": [[w["week"], _n(w["inspections"]), _n(w["no_access"])] for w in weeks]},
    ]


def _residents(data: dict[str, Any]) -> list[dict[str, Any]]:
    f = data["figures"]
    types = f["addresses"]["by_location_type"]
    rows = []
    for kind, row in types.items():
        rows.append([TYPE_LABELS.get(kind, kind), _n(row["total"]), _n(row["verified"]),
                     _n(row["total"] - row["verified"]), _n(row["residents"]), _n(row["residents_verified"]),
                     _n(row["residents"] - row["residents_verified"])])
    verified_residents = sum(r["residents_verified"] for r in types.values())
    rows.append(["Totaal", _n(f["addresses"]["total"]), _n(f["addresses"]["verified"]),
                 _n(f["addresses"]["total"] - f["addresses"]["verified"]), _n(f["residents"]["counted"]),
                 _n(verified_residents), _n(f["residents"]["counted"] - verified_residents)])
    return [
        {"t": "h2", "text": "2. Adressen en bewoners per locatietype"},
        {"t": "p", "text": "Bewoners: het aantal dat de laatste inspectie met toegang van elk adres telde; een adres "
                           "dat nooit is geïnspecteerd, telt geen bewoners."},
        {"t": "chart", "kind": "bar", "title": TITLES["residents"],
         "categories": [SHORT_LABELS.get(k, k) for k in types],
         "series": [{"name": "Geverifieerde adressen", "values": [r["residents_verified"] for r in types.values()]},
                    {"name": "Niet-geverifieerde adressen",
                     "values": [r["residents"] - r["residents_verified"] for r in types.values()]}]},
        {"t": "table", "head": ["Locatietype", "Adressen", "Geverifieerd", "Niet geverifieerd", "Bewoners geteld",
                                "Bewoners op geverifieerde adressen", "Bewoners op niet-geverifieerde adressen"],
         "widths": [0.17, 0.1, 0.14, 0.14, 0.11, 0.17, 0.17], "rows": rows},
    ]


def _brp(data: dict[str, Any]) -> list[dict[str, Any]]:
    f = data["figures"]
    types = f["addresses"]["by_location_type"]
    rows = [[TYPE_LABELS.get(k, k), _n(r["residents"]), _n(r["brp_registered"]), _n(r["brp_gap"])]
            for k, r in types.items()]
    rows.append(["Totaal", _n(f["residents"]["counted"]), _n(sum(r["brp_registered"] for r in types.values())),
                 _n(f["brp"]["gap"])])
    brp = f["brp"]
    gap = brp["gap"]
    per_fonds = brp["gemeentefonds_eur"] // gap if gap else None
    per_cost = brp["registration_cost_eur"] // gap if gap else None
    return [
        {"t": "h2", "text": "3. Inschrijving in de BRP"},
        {"t": "p", "text": "Verschil per adres: het aantal getelde bewoners min het aantal ingeschrevenen in de BRP, "
                           "als beide bekend zijn en er meer bewoners zijn geteld dan ingeschreven."},
        {"t": "chart", "kind": "bar", "title": TITLES["gap"], "categories": [SHORT_LABELS.get(k, k) for k in types],
         "series": [{"name": "Verschil (personen)", "values": [r["brp_gap"] for r in types.values()]}]},
        {"t": "table", "head": ["Locatietype", "Bewoners geteld", "Ingeschreven (BRP)", "Verschil"],
         "widths": [0.4, 0.2, 0.2, 0.2], "rows": rows},
        {"t": "fields", "widths": [0.55, 0.45], "rows": [
            ["Adressen met meer bewoners dan ingeschreven", _n(brp["addresses_with_gap"])],
            ["Verschil (personen)", _n(gap)],
            ["Geschatte Gemeentefonds-uitkering bij inschrijving"
             + (f" ({bedrag(per_fonds)} per inschrijving)" if per_fonds is not None else ""),
             bedrag(brp["gemeentefonds_eur"])],
            ["Geschatte kosten van die inschrijvingen"
             + (f" ({bedrag(per_cost)} per inschrijving)" if per_cost is not None else ""),
             bedrag(brp["registration_cost_eur"])]]},
        {"t": "chart", "kind": "hbar", "title": TITLES["money"], "unit": "eur",
         "categories": ["Gemeentefonds-uitkering", "Kosten van inschrijving"],
         "series": [{"name": "Euro", "values": [brp["gemeentefonds_eur"], brp["registration_cost_eur"]]}]},
        {"t": "box", "text": "Let op: " + RNI_NOTE},
    ]


def _findings(data: dict[str, Any]) -> list[dict[str, Any]]:
    counts = data["figures"]["findings_by_code"]
    titles = data.get("code_titles") or {}
    blocks: list[dict[str, Any]] = [
        {"t": "h2", "text": "4. Bevindingen"},
        {"t": "p", "text": "Het aantal bevindingen per code bij de laatste inspectie met toegang van elk adres "
                           "(een regel per kamer telt per kamer)."}]
    if not counts:
        return [*blocks, {"t": "p", "text": f"{TITLES['findings']}: geen bevindingen."}]
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [*blocks,
            {"t": "chart", "kind": "hbar", "title": TITLES["findings"], "categories": [c for c, _ in ordered],
             "series": [{"name": "Bevindingen", "values": [n for _, n in ordered]}]},
            {"t": "table", "head": ["Code", "Omschrijving", "Aantal"], "widths": [0.3, 0.55, 0.15],
             "rows": [[code, titles.get(code, "-"), _n(n)] for code, n in ordered]}]


def _cases(data: dict[str, Any]) -> list[dict[str, Any]]:
    cases = data["figures"]["cases"]
    by_status = sorted(cases["by_status"].items(), key=lambda item: (-item[1], item[0]))
    expired = "Termijnen verlopen zonder vervolgstap"
    return [
        {"t": "h2", "text": "5. Handhavingszaken"},
        {"t": "chart", "kind": "hbar", "title": TITLES["cases"],
         "categories": [label for label, _ in by_status] + [expired],
         "series": [{"name": "Aantal", "values": [n for _, n in by_status] + [cases["terms_expired"]]}]},
        {"t": "table", "head": ["Status", "Zaken"], "widths": [0.75, 0.25],
         "rows": [[label, _n(n)] for label, n in by_status] + [["Totaal", _n(sum(n for _, n in by_status))]]},
        {"t": "fields", "widths": [0.55, 0.45], "rows": [[expired, _n(cases["terms_expired"])]]},
        {"t": "p", "text": "Een verlopen termijn: een zienswijzetermijn, een begunstigingstermijn of de termijn voor "
                           "het boetebesluit (Awb 5:51) die voor vandaag eindigde zonder de stap die erop moet "
                           "volgen."},
    ]


def collect(data: dict[str, Any]) -> dict[str, Any]:
    """Return the weekly report's document (reports.render blocks) from the figures of a week."""
    f = data["figures"]
    title = f"Weekrapportage woontoezicht {f['week']}"
    return {
        "title": title, "kenmerk": title, "letterhead": data["letterhead"],
        "blocks": [
            {"t": "h1", "text": f"Weekrapportage woontoezicht, {week_words(f['week'])}"},
            {"t": "box", "text": f"Deze cijfers beschrijven de gegevens zoals ze waren op {tijdstip(data['made_at'])}, "
                                 "toen dit rapport werd gemaakt. Alleen de inspecties per week hangen af van de week; "
                                 "adressen, bewoners, inschrijvingen, bevindingen en zaken zijn de stand van dat "
                                 "moment. Een gemaakt weekrapport wordt niet opnieuw berekend: het bestand is de "
                                 "geschiedenis."},
            *_inspections(data), *_residents(data), *_brp(data), *_findings(data), *_cases(data),
            {"t": "h2", "text": "Over deze cijfers"},
            {"t": "bullets", "items": [
                "Een inspectie telt in de week van de inspectiedatum (de Nederlandse datum van het begin van het "
                "bezoek); alleen ingediende inspecties tellen.",
                "Een correctie vervangt de inspectie die zij corrigeert overal (bewoners, bevindingen, aantallen): "
                "het bezoek telt één keer, op de datum van het bezoek, met de gegevens van de laatste correctie.",
                "Adressen die uit de BAG zijn verdwenen, tellen nergens mee, en hun inspecties en zaken evenmin.",
                "De bedragen zijn schattingen: het verschil met de BRP maal het bedrag per inschrijving uit de "
                "instellingen (WOONTOEZICHT_GEMEENTEFONDS_EUR en WOONTOEZICHT_REGISTRATION_COST_EUR).",
                RNI_NOTE]},
        ],
    }


def render(doc: dict[str, Any]) -> bytes:
    """Return the PDF of the collected weekly report (byte-for-byte the same for the same document)."""
    return draw(doc)
