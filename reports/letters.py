"""The letters of a case, in Dutch blocks for reports.render."""

from __future__ import annotations

from typing import Any

from reports.fmt import bedrag, datum, day, lokale_dag, weken
from reports.words import (
    Block,
    address_line,
    de_gemeente,
    finding_table,
    first_lower,
    rooms_of,
)

TITLES: dict[str, str] = {}  # filled by reports.collect


def violations_table(data: dict[str, Any]) -> Block:
    return finding_table(data["case"]["violations"], rooms_of(data), "Overtreding")


def _term_text(term: dict[str, Any]) -> str:
    text = datum(term["end"])
    if term.get("moved_because"):
        text += f" (verschoven van {datum(term['nominal_end'])}: Algemene termijnenwet)"
    return text


def _days(term: dict[str, Any]) -> int:
    return (day(term["nominal_end"]) - day(term["start"])).days


def _letter(data: dict[str, Any], kind: str, blocks: list[Block]) -> dict[str, Any]:
    address, case = data["address"], data["case"]
    to = data.get("addressee")
    recipient = (list(to["lines"]) if to else ["Aan: de eigenaar/verhuurder"]) + [
        f"Betreft de woning {address_line(address)}"]
    header = [["Ons kenmerk", data["kenmerk"]], ["Zaaknummer", case["number"]],
              ["Behandeld door", data["handler"]["name"]],
              ["Onderwerp", f"{TITLES[kind]} - {address_line(address)}"],
              ["Datum", datum(data["letter_date"])],
              ["Bijlagen", ", ".join(data.get("bijlagen") or []) or "geen"]]
    signature = {"t": "signature", "lines": [
        f"Het college van burgemeester en wethouders van {data['letterhead']['name'].removeprefix('Gemeente ')},",
        "namens dezen,", "", data["handler"]["name"], data["handler"].get("title") or "teamleider handhaving"]}
    return {"kind": kind, "title": TITLES[kind], "kenmerk": data["kenmerk"], "letterhead": data["letterhead"],
            "recipient": recipient, "header": header, "blocks": blocks + _toelichting(data) + [signature]}


def _toelichting(data: dict[str, Any]) -> list[Block]:
    if not (data.get("toelichting") or "").strip():
        return []
    return [{"t": "h2", "text": "Toelichting"}, {"t": "p", "text": data["toelichting"].strip()}]


def _finding_of(data: dict[str, Any]) -> str:
    """Return how the violations were found: the visit, or the melding."""
    inspections = data.get("inspections") or []
    municipality = data["letterhead"]["name"]
    where = address_line(data["address"])
    if inspections:
        first = inspections[0]["inspection"]
        seen = datum(lokale_dag(str(first.get("started_at") or data["case"]["opened_on"])))
        return (f"Op {seen} hebben toezichthouders van {de_gemeente(municipality)} de woning {where} gecontroleerd. "
                "Van hun bevindingen is een rapport opgemaakt. Daarbij zijn de "
                "volgende overtredingen vastgesteld:")
    melding = (data["case"].get("melding") or "").strip()
    return (f"Naar aanleiding van een melding over de woning {where} ({melding}) hebben wij het volgende "
            "vastgesteld:")


def _remedy_rows(data: dict[str, Any], terms: dict[str, dict[str, Any]], *, nominal: bool = False) -> list[list[str]]:
    rows = []
    first_of_code = {v["code"]: v for v in reversed(data["case"]["violations"])}  # one remedy per code
    for v in data["case"]["violations"]:
        if first_of_code.pop(v["code"], None) is None:
            continue
        term = terms[v["code"]]
        remedy = data["remedies"].get(v["code"]) or f"Beëindig de overtreding: {first_lower(v['title'])}."
        if nominal:
            rows.append([f"{v['code']}\n{remedy}", f"{_days(term)} dagen na verzending van het besluit"])
        else:
            rows.append([f"{v['code']}\n{remedy}", f"{_days(term)} dagen", _term_text(term)])
    return rows


def _dwangsom_text(dwangsom: dict[str, Any]) -> str:
    amount, maximum = bedrag(dwangsom["amount"]), bedrag(dwangsom["max"])
    if dwangsom["per"] == "week":
        return (f"De dwangsom bedraagt {amount} voor iedere week of een deel daarvan waarin de last na afloop van de "
                f"begunstigingstermijn niet (volledig) is uitgevoerd, tot een maximum van {maximum}.")
    return (f"De dwangsom bedraagt {amount} voor iedere keer dat na afloop van de begunstigingstermijn wordt "
            f"vastgesteld dat de last niet (volledig) is uitgevoerd, tot een maximum van {maximum}.")


def waarschuwing(data: dict[str, Any]) -> dict[str, Any]:
    """The Wgv warning: the violations, a term to end them, and that a fine and publication may follow."""
    herstel = data["terms"]["herstel"]
    last = max(day(t["end"]) for t in herstel.values())
    blocks: list[Block] = [
        {"t": "h1", "text": "Waarschuwing"}, {"t": "p", "text": "Geachte heer, mevrouw,"},
        {"t": "p", "text": _finding_of(data)}, violations_table(data),
        {"t": "p", "text": "Met deze brief geven wij u een schriftelijke waarschuwing op grond van de Wet goed "
                           "verhuurderschap. Wij verzoeken u de overtredingen te beëindigen uiterlijk op de datum die "
                           "hieronder per overtreding staat."},
        {"t": "table", "head": ["Overtreding en wat u moet doen", "Termijn", "Uiterlijk op"],
         "rows": _remedy_rows(data, herstel), "widths": [0.6, 0.12, 0.28]},
        {"t": "box", "text": "Let op: beëindigt u de overtredingen niet op tijd, of stellen wij opnieuw een "
                             "overtreding vast, dan kunnen wij u een bestuurlijke boete opleggen van ten hoogste "
                             f"{bedrag(data['boete']['max'])}. Een opgelegde boete kan openbaar worden gemaakt "
                             "(Wet goed verhuurderschap)."},
        {"t": "p", "text": f"Na {datum(last)} controleren wij of de overtredingen zijn beëindigd (hercontrole)."},
        {"t": "p", "text": "Deze waarschuwing is geen besluit in de zin van de Algemene wet bestuursrecht. U kunt er "
                           "daarom geen bezwaar tegen maken. Hebt u vragen, neem dan contact op met de behandelaar "
                           f"en vermeld ons kenmerk {data['kenmerk']}."},
        {"t": "p", "text": "Met vriendelijke groet,"},
    ]
    return _letter(data, "waarschuwing", blocks)


def voornemen_lod(data: dict[str, Any]) -> dict[str, Any]:
    """The intention to impose a last onder dwangsom, with the zienswijze term (Awb 4:8)."""
    zienswijze = data["terms"]["zienswijze"]
    blocks: list[Block] = [
        {"t": "h1", "text": "Voornemen tot het opleggen van een last onder dwangsom"},
        {"t": "p", "text": "Geachte heer, mevrouw,"}, {"t": "p", "text": _finding_of(data)}, violations_table(data),
        {"t": "h2", "text": "Ons voornemen"},
        {"t": "p", "text": "Wij zijn van plan u een last onder dwangsom op te leggen (artikel 125 Gemeentewet en "
                           "artikel 5:32 Algemene wet bestuursrecht). In het besluit zullen wij van u eisen dat u de "
                           "volgende maatregelen uitvoert binnen de begunstigingstermijn die erbij staat:"},
        {"t": "table", "head": ["Overtreding en herstelmaatregel", "Begunstigingstermijn"],
         "rows": _remedy_rows(data, data["terms"]["begunstigingstermijn"], nominal=True), "widths": [0.66, 0.34]},
        {"t": "p", "text": _dwangsom_text(data["dwangsom"])},
        {"t": "h2", "text": "Zienswijze"},
        {"t": "box", "text": "Voordat wij een besluit nemen, kunt u uw zienswijze op dit voornemen geven (artikel 4:8 "
                             "Algemene wet bestuursrecht), schriftelijk of mondeling. U hebt daarvoor "
                             f"{weken(_days(zienswijze))}: uiterlijk op {_term_text(zienswijze)}. Vermeld ons "
                             f"kenmerk {data['kenmerk']}."},
        {"t": "p", "text": "Wij betrekken uw zienswijze bij ons besluit. Horen wij niets van u, dan nemen wij een "
                           "besluit op grond van de gegevens die wij hebben. Tegen dit voornemen kunt u geen bezwaar "
                           "maken; tegen het besluit later wel."},
        {"t": "p", "text": "Met vriendelijke groet,"},
    ]
    return _letter(data, "voornemen_lod", blocks)


def besluit_lod(data: dict[str, Any]) -> dict[str, Any]:
    """The decision: violations, legal basis, remedies with their terms, the dwangsom, bezwaar and vovo."""
    terms = data["terms"]
    previous = (data.get("previous") or {}).get("voornemen_lod")
    received = data.get("zienswijze_ontvangen")
    history = []
    if previous:
        history.append(f"Bij brief van {datum(previous['letter_date'])} (kenmerk {previous['kenmerk']}) hebben wij u "
                       "laten weten dat wij van plan waren u een last onder dwangsom op te leggen, en u de gelegenheid "
                       "gegeven uw zienswijze te geven.")
    history.append(f"Wij hebben uw zienswijze op {datum(received)} ontvangen en bij dit besluit betrokken."
                   if received else "U hebt geen zienswijze gegeven.")
    last = max(day(t["end"]) for t in terms["begunstigingstermijn"].values())
    blocks: list[Block] = [
        {"t": "h1", "text": "Besluit last onder dwangsom"}, {"t": "p", "text": "Geachte heer, mevrouw,"},
        {"t": "h2", "text": "Aanleiding"}, {"t": "p", "text": _finding_of(data)}, violations_table(data),
        *({"t": "p", "text": line} for line in history),
        {"t": "h2", "text": "Besluit"},
        {"t": "p", "text": "Wij leggen u een last onder dwangsom op (artikel 125 Gemeentewet en de artikelen 5:31d en "
                           "5:32 Algemene wet bestuursrecht). U moet de volgende herstelmaatregelen uitvoeren "
                           "(artikel 5:32a, eerste lid, Awb), elk binnen de begunstigingstermijn die erbij staat "
                           "(artikel 5:32a, tweede lid, Awb):"},
        {"t": "table", "head": ["Overtreding en herstelmaatregel", "Termijn", "Uiterlijk op"],
         "rows": _remedy_rows(data, terms["begunstigingstermijn"]), "widths": [0.6, 0.12, 0.28]},
        {"t": "h2", "text": "Dwangsom"},
        {"t": "p", "text": _dwangsom_text(data["dwangsom"]).removesuffix(".") + " (artikel 5:32b Awb)."},
        {"t": "p", "text": "Voert u de last niet op tijd uit, dan verbeurt u de dwangsom van rechtswege. Een verbeurde "
                           "dwangsom moet u binnen zes weken betalen (artikel 5:33 Awb); wij zullen hem invorderen."},
        {"t": "h2", "text": "Hercontrole"},
        {"t": "p", "text": f"Na afloop van de begunstigingstermijn, na {datum(last)}, controleren wij of u de last "
                           "hebt uitgevoerd."},
        {"t": "h2", "text": "Bezwaar"},
        {"t": "box", "text": "Bent u het niet eens met dit besluit? Dan kunt u binnen "
                             f"{weken(_days(terms['bezwaar']))} na de dag waarop dit "
                             "besluit is verzonden een bezwaarschrift indienen bij ons college (artikelen 6:7 en 6:8 "
                             f"Algemene wet bestuursrecht): uiterlijk op {_term_text(terms['bezwaar'])}. Het "
                             "bezwaarschrift is ondertekend en bevat uw naam en adres, de datum, ons kenmerk "
                             f"{data['kenmerk']} en de redenen van uw bezwaar (artikel 6:5 Awb)."},
        {"t": "h2", "text": "Voorlopige voorziening"},
        {"t": "p", "text": "Een bezwaarschrift schorst de werking van dit besluit niet: de begunstigingstermijn loopt "
                           "door. Vindt u dat de zaak spoedeisend is, dan kunt u, als u bezwaar hebt gemaakt, de "
                           "voorzieningenrechter van de rechtbank vragen een voorlopige voorziening te treffen "
                           "(artikel 8:81 Awb). Daarvoor betaalt u griffierecht."},
        {"t": "p", "text": "Met vriendelijke groet,"},
    ]
    return _letter(data, "besluit_lod", blocks)


def voornemen_boete(data: dict[str, Any]) -> dict[str, Any]:
    """The intention to impose a bestuurlijke boete under the Wgv, with the zienswijze term (Awb 5:53)."""
    zienswijze = data["terms"]["zienswijze"]
    warning = (data.get("previous") or {}).get("waarschuwing")
    boete = data["boete"]
    repeat = " (herhaalde overtreding binnen vier jaar)" if boete.get("repeat") else ""
    blocks: list[Block] = [
        {"t": "h1", "text": "Voornemen tot het opleggen van een bestuurlijke boete"},
        {"t": "p", "text": "Geachte heer, mevrouw,"}, {"t": "p", "text": _finding_of(data)}, violations_table(data),
    ]
    if warning:
        blocks.append({"t": "p", "text": f"Bij brief van {datum(warning['letter_date'])} (kenmerk "
                                         f"{warning['kenmerk']}) hebben wij u voor deze overtredingen gewaarschuwd."})
    blocks += [
        {"t": "h2", "text": "Ons voornemen"},
        {"t": "p", "text": "Wij zijn van plan u op grond van de Wet goed verhuurderschap een bestuurlijke boete op te "
                           f"leggen van {bedrag(boete['amount'])}. Het wettelijk maximum voor deze overtreding is "
                           f"{bedrag(boete['max'])}{repeat}. Bij de hoogte van de boete houden wij rekening met de "
                           "ernst en de duur van de overtredingen en de mate waarin ze u kunnen worden verweten "
                           "(artikel 5:46 Awb)."},
        {"t": "p", "text": "U bent niet verplicht om over de overtredingen een verklaring af te leggen (artikel 5:10a "
                           "Awb)."},
        *([{"t": "p", "text": f"Het rapport van bevindingen (kenmerk {data['rapport']['kenmerk']}) waarop dit "
                              "voornemen berust, is bij deze brief gevoegd."}] if data.get("rapport") else []),
        {"t": "h2", "text": "Zienswijze"},
        {"t": "box", "text": "Voordat wij beslissen, kunt u uw zienswijze geven, schriftelijk of mondeling (artikel "
                             f"5:53 Awb): uiterlijk op {_term_text(zienswijze)}. Vermeld ons kenmerk "
                             f"{data['kenmerk']}."},
    ]
    if data.get("boete_publication", True):
        blocks.append({"t": "p", "text": "Een opgelegde boete kan openbaar worden gemaakt."})
    blocks.append({"t": "p", "text": "Met vriendelijke groet,"})
    return _letter(data, "voornemen_boete", blocks)
