"""The letters of the last onder dwangsom (voornemen, besluit, invordering) and the Wgv waarschuwing.

Each takes the plain data server/letters.py gathers; see reports/letter_parts.py for the shared frame.
"""

from __future__ import annotations

from typing import Any

from reports.fmt import bedrag, datum
from reports.letter_parts import (
    TITLES,
    cited,
    contact_text,
    dwangsom_text,
    found,
    lasten_table,
    letter,
    overtreder_text,
    rechtsmiddelen,
    term_text,
    toetsingskader_block,
    visit_text,
    zienswijze_box,
)
from reports.words import Block

__all__ = ["TITLES", "besluit_lod", "invordering", "voornemen_lod", "waarschuwing"]

# Lasten that make a landlord reduce the number of occupants also hit the residents (belanghebbenden).
OCCUPANCY = ("BEZETTING_SLAAPKAMER", "OPPERVLAKTE_SLAAPKAMER", "OVERBEWONING", "OVERBEWONING_LOGIES", "MAX_BEWONERS")


def waarschuwing(data: dict[str, Any]) -> dict[str, Any]:
    """The Wgv waarschuwing: the violations, a term to end each, and that a boete and publication may follow."""
    maximum = next((x["boete_maximum"] for x in data["lasten"] if x.get("boete_maximum")), None)
    last_day = max(x["herstel"]["end"] for x in data["lasten"])
    blocks: list[Block] = [
        {"t": "h1", "text": "Waarschuwing"},
        {"t": "p", "text": visit_text(data)}, lasten_table(data),
        {"t": "p", "text": overtreder_text(data)},
        {"t": "p", "text": "Met deze brief waarschuwen wij u. Wij vragen u elke overtreding te beëindigen uiterlijk op "
                           "de datum die hieronder staat, en beëindigd te houden."},
        {"t": "table", "head": ["Overtreding en wat u moet doen", "Uiterlijk op"],
         "rows": [[f"{x['code']}: {x['herstelmaatregel']}", term_text(x["herstel"])] for x in data["lasten"]],
         "widths": [0.6, 0.4]},
        {"t": "box", "text": "Let op: beëindigt u een overtreding niet op tijd, of stellen wij haar later opnieuw "
                             "vast, "
                             "dan kunnen wij u een bestuurlijke boete opleggen (artikel 19 van de Wet goed "
                             "verhuurderschap)" + (f" van ten hoogste {bedrag(maximum)}" if maximum else "")
                             + ". Een opgelegde boete kan openbaar worden gemaakt (artikel 20 van de Wet goed "
                               "verhuurderschap)."},
        {"t": "p", "text": f"Na {datum(last_day)} controleren wij of u de overtredingen hebt beëindigd (hercontrole)."},
        *toetsingskader_block(data),
        {"t": "p", "text": "Deze waarschuwing is geen besluit waartegen u bezwaar kunt maken. Hebt u vragen, neem dan "
                           f"contact op met {contact_text(data)} en vermeld ons kenmerk {data['kenmerk']}."},
    ]
    return letter(data, "waarschuwing", blocks)


def voornemen_lod(data: dict[str, Any]) -> dict[str, Any]:
    """The intention to impose a last onder dwangsom, per last, with room for a zienswijze (Awb 4:8)."""
    blocks: list[Block] = [
        {"t": "h1", "text": "Voornemen tot het opleggen van een last onder dwangsom"},
        {"t": "p", "text": visit_text(data)}, lasten_table(data),
        {"t": "p", "text": overtreder_text(data)},
        {"t": "h2", "text": "Ons voornemen"},
        {"t": "p", "text": "Wij zijn van plan u een last onder dwangsom op te leggen (artikel 125 van de Gemeentewet "
                           "en "
                           "artikel 5:32 van de Algemene wet bestuursrecht). Per overtreding zullen wij van u eisen "
                           "dat u "
                           "de herstelmaatregel hieronder uitvoert binnen de termijn die erbij staat, gerekend vanaf "
                           "de "
                           "dag waarop het besluit is verzonden; doet u dat niet, dan verbeurt u de dwangsom die erbij "
                           "staat."},
        {"t": "table", "head": ["Last", "Termijn", "Dwangsom"],
         "rows": [[f"{x['code']}: {x['herstelmaatregel']}", f"{x['days']} dagen", dwangsom_text(x["dwangsom"])]
                  for x in data["lasten"]], "widths": [0.5, 0.14, 0.36]},
        *toetsingskader_block(data),
        {"t": "h2", "text": "Zienswijze"},
        zienswijze_box(data, data["terms"]["zienswijze"], "dit voornemen"),
        {"t": "p", "text": "Wij betrekken uw zienswijze bij ons besluit. Horen wij niets van u, dan besluiten wij op "
                           "grond "
                           "van de gegevens die wij hebben. Tegen dit voornemen kunt u geen bezwaar maken; tegen het "
                           "besluit later wel."},
    ]
    return letter(data, "voornemen_lod", blocks)


def _last_blocks(i: int, last: dict[str, Any]) -> Block:
    """Return one last of the besluit: its voorschrift, findings, herstelmaatregel, term and dwangsom."""
    term = last["term"]
    return {"t": "keep", "blocks": [
        {"t": "h2", "text": f"Last {i}: {last['title']} ({last['code']})"},
        {"t": "fields", "widths": [0.3, 0.7], "rows": [
            ["Overtreden voorschrift", cited(last)],
            ["Vastgesteld", found(last)],
            ["Herstelmaatregel", last["herstelmaatregel"]],
            ["Begunstigingstermijn", f"{last['days']} dagen na verzending van dit besluit: uiterlijk op "
                                     f"{term_text(term)} (artikel 5:32a, tweede lid, Awb)"],
            ["Dwangsom", dwangsom_text(last["dwangsom"]) + " (artikel 5:32b Awb)"],
            ["Hercontrole", f"op de eerste werkdag na {datum(term['end'])}"]]}]}


def besluit_lod(data: dict[str, Any]) -> dict[str, Any]:
    """The besluit: per last its voorschrift, herstelmaatregel, term and dwangsom; why this overtreder; the weighing
    of the zienswijze, beginselplicht and evenredigheid (residents included) before the closing; rechtsmiddelen."""
    previous = (data.get("previous") or {}).get("voornemen_lod")
    zienswijze = data.get("zienswijze")
    history = []
    if previous:
        history.append(f"Bij brief van {datum(previous['letter_date'])} (kenmerk {previous['kenmerk']}) hebben wij u "
                       "laten weten dat wij van plan waren u een last onder dwangsom op te leggen, en u gelegenheid "
                       "gegeven uw zienswijze te geven.")
    blocks: list[Block] = [
        {"t": "h1", "text": "Besluit last onder dwangsom"},
        {"t": "h2", "text": "Aanleiding"}, {"t": "p", "text": visit_text(data)}, lasten_table(data),
        *({"t": "p", "text": line} for line in history),
        {"t": "h2", "text": "Besluit"},
        {"t": "p", "text": "Wij leggen u een last onder dwangsom op (artikel 125 van de Gemeentewet en de artikelen "
                           "5:31d en 5:32 van de Algemene wet bestuursrecht). Elke last hieronder heeft zijn eigen "
                           "herstelmaatregel (artikel 5:32a, eerste lid, Awb), begunstigingstermijn en dwangsom."},
        *(_last_blocks(i, last) for i, last in enumerate(data["lasten"], start=1)),
        {"t": "p", "text": "Voert u een last niet op tijd uit, dan verbeurt u de dwangsom van die last van rechtswege. "
                           "Een verbeurde dwangsom moet u betalen binnen zes weken nadat zij is verbeurd (artikel 5:33 "
                           "Awb); wij besluiten dan over de invordering."},
        *toetsingskader_block(data),
        {"t": "h2", "text": "Waarom u de overtreder bent"}, {"t": "p", "text": overtreder_text(data)},
    ]
    weighing = _weging(data, zienswijze)
    return letter(data, "besluit_lod", blocks, closing=weighing + rechtsmiddelen(data))


def _weging(data: dict[str, Any], zienswijze: dict[str, Any] | None) -> list[Block]:
    """Return the weighing that stands in the besluit before its closing."""
    weging = data.get("weging") or {}
    blocks: list[Block] = [{"t": "h2", "text": "Afweging"}, {"t": "p", "text": "Uw zienswijze", "bold": True}]
    if zienswijze:
        blocks += [{"t": "p", "text": f"Wij hebben uw zienswijze op {datum(zienswijze['received_on'])} ontvangen. "
                                      "Wij hebben haar als volgt gewogen:"},
                   {"t": "p", "text": str(weging.get("zienswijze") or "").strip()}]
    else:
        blocks.append({"t": "p", "text": "U hebt binnen de termijn geen zienswijze gegeven."})
    blocks += [
        {"t": "p", "text": "Beginselplicht tot handhaving", "bold": True},
        {"t": "p", "text": "Gezien het algemeen belang dat gediend is met handhaving, moeten wij in de regel "
                           "handhavend "
                           "optreden tegen een overtreding. Alleen in bijzondere omstandigheden mogen wij daarvan "
                           "afzien: als er concreet zicht is op legalisatie, of als handhavend optreden zo onevenredig "
                           "is in verhouding tot de belangen die ermee zijn gediend, dat wij ervan moeten afzien. "
                           "Zulke "
                           "omstandigheden zijn ons niet gebleken." + _extra(weging.get("beginselplicht"))},
        {"t": "p", "text": "Evenredigheid", "bold": True},
        {"t": "p", "text": "De dwangsommen staan in redelijke verhouding tot de zwaarte van het geschonden belang en "
                           "tot "
                           "de beoogde werking van de dwangsom (artikel 5:32b, derde lid, Awb): zij moeten u bewegen "
                           "de "
                           "lasten uit te voeren, niet meer. Elke begunstigingstermijn is zo lang als de "
                           "herstelmaatregel "
                           "redelijkerwijs nodig heeft; maatregelen voor brandveiligheid hebben een korte termijn, "
                           "omdat het gevaar voor de bewoners direct is." + _extra(weging.get("evenredigheid"))},
    ]
    occupancy = [x for x in data["lasten"] if x["code"] in OCCUPANCY]
    if occupancy:
        days = max(x["days"] for x in occupancy)
        blocks.append({"t": "p", "text": (
            "Een last die het aantal bewoners terugbrengt, raakt ook de bewoners zelf: zij zijn belanghebbenden en "
            "moeten andere woonruimte vinden. Wij hebben hun belangen gewogen. Daarom is de termijn voor die lasten "
            f"{days} dagen, zodat zij tijd hebben om andere huisvesting te vinden, en informeren wij de bewoners over "
            f"dit "
            "besluit in een taal die zij begrijpen. Het belang van gezonde en veilige huisvesting, ook voor hen, weegt "
            "zwaarder dan het belang van de huidige bewoning.")})
    return blocks


def _extra(text: Any) -> str:
    return f" {str(text).strip()}" if str(text or "").strip() else ""


def invordering(data: dict[str, Any]) -> dict[str, Any]:
    """The invorderingsbeschikking: a forfeited dwangsom per last, due within six weeks (Awb 5:33, 5:37)."""
    previous = (data.get("previous") or {}).get("besluit_lod")
    rows = []
    total = 0.0
    for last in data["lasten"]:
        info = last["forfeited"]
        unit = "week" if info["per"] == "week" else "keer"
        units = f"{info['units']} {unit if info['units'] == 1 else ('weken' if unit == 'week' else 'keer')}"
        rows.append([f"{last['code']}: {last['herstelmaatregel']}", datum(last["term"]["end"]), datum(info["found_on"]),
                     f"{units} x {bedrag(last['dwangsom']['amount'])} = {bedrag(info['amount'])}"])
        total += float(info["amount"])
    due = min(last["due"]["end"] for last in data["lasten"])
    blocks: list[Block] = [
        {"t": "h1", "text": "Besluit tot invordering van een verbeurde dwangsom"},
        {"t": "p", "text": (f"Bij besluit van {datum(previous['letter_date'])} (kenmerk {previous['kenmerk']}) hebben "
                            "wij u een last onder dwangsom opgelegd." if previous else
                            "Wij hebben u een last onder dwangsom opgelegd.") +
                           " Bij de hercontrole na afloop van de begunstigingstermijn hebben wij vastgesteld dat u de "
                           "volgende lasten niet (volledig) hebt uitgevoerd. Daarmee hebt u de dwangsom van rechtswege "
                           "verbeurd:"},
        {"t": "table", "head": ["Last", "Termijn tot en met", "Vastgesteld op", "Verbeurd"], "rows": rows,
         "widths": [0.42, 0.16, 0.16, 0.26]},
        {"t": "h2", "text": "Besluit"},
        {"t": "p", "text": f"Wij besluiten de verbeurde dwangsom van in totaal {bedrag(total)} bij u in te vorderen "
                           "(artikel 5:37, eerste lid, Algemene wet bestuursrecht). Een verbeurde dwangsom moet worden "
                           "betaald binnen zes weken nadat zij van rechtswege is verbeurd (artikel 5:33 Awb): "
                           "uiterlijk "
                           f"op {datum(due)}. U ontvangt een factuur met de betaalgegevens. Betaalt u niet op tijd, "
                           f"dan "
                           "sturen wij u een aanmaning."},
        {"t": "h2", "text": "Afweging"},
        {"t": "p", "text": "Aan het belang van invordering hechten wij groot gewicht: anders verliest de dwangsom zijn "
                           "werking. Alleen in bijzondere omstandigheden zien wij geheel of gedeeltelijk van "
                           "invordering "
                           "af. Zulke omstandigheden zijn ons niet gebleken." +
                           _extra((data.get("weging") or {}).get("invordering"))},
        {"t": "p", "text": "De last onder dwangsom blijft gelden: ook na deze invordering kunt u verdere dwangsommen "
                           "verbeuren tot het maximum, zolang u de last niet uitvoert."},
    ]
    return letter(data, "invordering", blocks, closing=rechtsmiddelen(data))
