"""The rapport van bevindingen of one inspection, and its version for the verhuurder, as blocks for reports.render.

The toezichthouder's own record of his visit: who he is (name, function, aanwijzing,
legitimation), when and where he was, how he entered and who was present, what he saw and
measured and how, the findings with their regime and violated voorschrift apart from the
signals, the statements (with the cautie), every photo with its time and SHA-256, and, once
he signed it, the signing line. `rapport(data)` words it from plain data:

- `kenmerk`, `status` (concept | approved), `signed_on` (ISO date, approved only),
  `version` (volledig | verhuurder), `full_kenmerk` (the rapport's own kenmerk, for the
  verhuurder's version), `letterhead` {`name`, `address`, `logo`};
- `official` {`full_name`, `function_title`, `aanwijzing`, `legitimation_no`}: the toezichthouder;
- `address` (the stored address), `inspection` (the stored inspection), `evaluation`
  {`findings` (annotated with `regime`, `voorschriften`, `toetsingskader`, `enforceable`),
  `not_assessed`, `residents`, `norm_set`}, `norm_set` (the full set, for its numbers) or None;
- `officials` {user id: full name} for the officials named in `present`;
  `entry_doubts` [Dutch lines]; `corrects` {`kenmerk` (or None), `inspection_id`,
  `visit_date`} or None.

The verhuurder's version leaves out what is about the residents beyond the counts its
findings need (reports.rapport_sections).
"""

from __future__ import annotations

from typing import Any

from reports.fmt import datum
from reports.rapport_sections import (
    BRP_CODES,
    closing_blocks,
    entry_blocks,
    finding_blocks,
    observation_blocks,
    official_blocks,
    photo_blocks,
    present_blocks,
    statement_blocks,
    visit_blocks,
    visit_day,
)
from reports.words import Block, address_line

TITLES = {"rapport": "Rapport van bevindingen",
          "rapport_verhuurder": "Rapport van bevindingen (versie voor de verhuurder)"}
LANDLORD_NOTE = ("Dit is de versie van het rapport van bevindingen voor de verhuurder. Gegevens over de bewoners "
                 "die niet nodig zijn om de bevindingen te onderbouwen zijn weggelaten: inschrijvingen in de BRP, "
                 "talen, verklaringen van bewoners, aantallen aanwezigen en opgegeven bewoners (tenzij een "
                 "bevinding ze nodig heeft), het aantal arbeidsmigranten en de opmerkingen van de toezichthouder.")
CONCEPT = "CONCEPT - nog niet ondertekend"


def rapport(data: dict[str, Any]) -> dict[str, Any]:
    """Return the rapport van bevindingen (or its version for the verhuurder) as a document for render."""
    landlord = data.get("version") == "verhuurder"
    signed = data.get("status") == "approved"
    inspection, official = data["inspection"], data.get("official") or {}
    name = official.get("full_name") or "de toezichthouder"
    header = [["Ons kenmerk", data["kenmerk"]],
              ["Opgemaakt door", ", ".join(p for p in (name, official.get("function_title")) if p)],
              ["Onderwerp", f"Rapport van bevindingen - {address_line(data['address'])}"],
              ["Datum", datum(data["signed_on"]) if signed and data.get("signed_on") else CONCEPT],
              ["Datum bezoek", datum(visit_day(inspection))]]
    if landlord:
        header.insert(1, ["Rapport", data.get("full_kenmerk") or data["kenmerk"]])
    if data.get("corrects"):
        header.append(["Corrigeert", data["corrects"].get("kenmerk") or "inspectie " +
                       data["corrects"]["inspection_id"]])
    title = TITLES["rapport_verhuurder" if landlord else "rapport"]
    blocks: list[Block] = [{"t": "h1", "text": "Rapport van bevindingen" + (" - versie voor de verhuurder"
                                                                           if landlord else "")}]
    if landlord:
        blocks.append({"t": "box", "text": LANDLORD_NOTE})
    if not signed:
        blocks.append({"t": "box", "text": f"{CONCEPT}. Dit rapport wordt pas vastgesteld als de toezichthouder "
                                           "die het bezoek aflegde het ondertekent."})
    blocks += body_blocks(data, landlord=landlord)
    blocks += closing_blocks(data, signed)
    return {"kind": "rapport_verhuurder" if landlord else "rapport", "title": title, "kenmerk": data["kenmerk"],
            "letterhead": data["letterhead"], "header": header, "blocks": blocks}


def body_blocks(data: dict[str, Any], *, landlord: bool = False) -> list[Block]:
    """Return the rapport's sections from the toezichthouder to the photos (no title, no signing line)."""
    inspection = data["inspection"]
    evaluation = data.get("evaluation") or {}
    findings = [f for f in evaluation.get("findings") or [] if not (landlord and f["code"] in BRP_CODES)]
    granted = inspection.get("access") == "granted"
    blocks: list[Block] = []
    if data.get("corrects"):
        corrects = data["corrects"]
        which = f"rapport {corrects['kenmerk']}" if corrects.get("kenmerk") else "het rapport"
        blocks.append({"t": "p", "bold": True,
                       "text": f"Dit rapport corrigeert {which} van de inspectie van {datum(corrects['visit_date'])} "
                               f"(inspectie-id {corrects['inspection_id']}). Waar beide verschillen, geldt dit "
                               "rapport."})
    blocks += official_blocks(data)
    blocks += visit_blocks(data)
    blocks += entry_blocks(data, landlord=landlord)
    blocks += present_blocks(data, landlord=landlord)
    if granted:
        blocks += observation_blocks(data, findings, landlord=landlord)
    else:
        blocks.append({"t": "p", "text": "Er is geen toegang tot de woning verkregen; in de woning is niets gemeten "
                                         "of geteld."})
    blocks += finding_blocks(data, findings, landlord=landlord)
    blocks += statement_blocks(data, landlord=landlord)
    if not landlord and (inspection.get("notes") or "").strip():
        blocks += [{"t": "h2", "text": "Opmerkingen"}, {"t": "p", "text": inspection["notes"].strip()}]
    blocks += photo_blocks(data)
    return blocks
