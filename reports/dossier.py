"""The dossier of a case: cover, assessment, terms, timeline, documents and rapporten."""

from __future__ import annotations

from typing import Any

from reports.fmt import datum, tijdstip
from reports.letters import violations_table
from reports.rapport import inspection_blocks
from reports.words import (
    Block,
    address_line,
    named,
)


def dossier(data: dict[str, Any]) -> dict[str, Any]:
    """The case file: cover, assessment, terms, timeline, every document with its SHA-256, every report."""
    case, address = data["case"], data["address"]
    assessment = case.get("assessment") or {}
    impact = case.get("impact") or {}
    terms = case.get("terms") or {}
    blocks: list[Block] = [
        {"t": "h1", "text": f"Dossier handhavingszaak {case['number']}"},
        {"t": "fields", "rows": [
            ["Zaaknummer", case["number"]], ["Adres", address_line(address)],
            ["BAG-id", address.get("bag_id") or "-"], ["Verhuurder", named(data, "verhuurder")],
            ["Werkgever of bureau", named(data, "werkgever", "uitzendbureau")],
            ["Geopend op", datum(case["opened_on"])], ["Status", data.get("status_label") or case["status"]],
            ["Samengesteld op", datum(data["letter_date"])], ["Door", data["handler"]["name"]]]},
        {"t": "h2", "text": "Overtredingen"},
        violations_table(data) if case["violations"] else
        {"t": "p", "text": f"Zaak geopend vanuit een melding: {case.get('melding') or '-'}"},
        {"t": "h2", "text": "LHS-beoordeling"},
        {"t": "fields", "rows": [
            ["Gevolgenklasse", f"{impact.get('class', '-')}" + (f" (aangepast: {impact['override_reason']})"
                                                              if impact.get("override_reason") else "")],
            ["Gedrag", f"{assessment.get('behaviour', '-')} {assessment.get('behaviour_label', '')}: "
                       f"{assessment.get('behaviour_reason') or '-'}" if assessment else "nog niet beoordeeld"],
            ["Interventie volgens de matrix", assessment.get("suggested_label") or "-"],
            ["Gekozen interventie", (assessment.get("chosen_label") or "-") +
             (f" ({assessment['chosen_reason']})" if assessment.get("chosen_reason") else "")]]},
    ]
    term_rows = [[label, datum(terms[key])] for key, label in (
        ("zienswijze_end", "Einde zienswijzetermijn"), ("zienswijze_ontvangen", "Zienswijze ontvangen"),
        ("herstel_end", "Einde hersteltermijn (waarschuwing)"),
        ("begunstigingstermijn_end", "Einde begunstigingstermijn"), ("bezwaar_end", "Einde bezwaartermijn"),
        ("hercontrole_on", "Hercontrole gepland"), ("boete_zienswijze_end", "Einde zienswijzetermijn boete"))
        if terms.get(key)]
    if term_rows:
        blocks += [{"t": "h2", "text": "Termijnen"}, {"t": "fields", "rows": term_rows}]
    blocks += [{"t": "h2", "text": "Tijdlijn"},
               {"t": "table", "head": ["Moment", "Stap", "Door"], "widths": [0.25, 0.55, 0.2],
                "rows": [[tijdstip(e["at"]), e["label"] + (f" ({e['document']})" if e.get("document") else ""),
                          e.get("user_name") or "-"] for e in data.get("timeline") or []]},
               {"t": "h2", "text": "Documenten"}]
    documents = data.get("documents") or []
    if documents:
        blocks.append({"t": "table", "head": ["Kenmerk", "Document", "Datum", "Status", "SHA-256"],
                       "widths": [0.17, 0.2, 0.14, 0.14, 0.35],
                       "rows": [[d["kenmerk"], d["title"], datum(d["letter_date"]),
                                 ("verzonden " + datum(d["sent_on"])) if d.get("sent_on") else
                                 ("vastgesteld" if d["status"] == "approved" else "concept"),
                                 d.get("sha256") or "(concept: nog geen vaste inhoud)"] for d in documents]})
        blocks.append({"t": "p", "text": "Met de SHA-256 van een vastgesteld document is na te gaan dat het bewaarde "
                                         "bestand na vaststelling niet is gewijzigd."})
    else:
        blocks.append({"t": "p", "text": "Er zijn nog geen documenten gemaakt."})
    for item in data.get("inspections") or []:
        blocks.append({"t": "pagebreak"})
        blocks += inspection_blocks(item, data)
    return {"kind": "dossier", "title": f"Dossier {case['number']}", "kenmerk": data["kenmerk"],
            "letterhead": data["letterhead"], "blocks": blocks}
