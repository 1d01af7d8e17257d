"""The letters of the Wgv boete: the voornemen, the besluit and the besluit tot openbaarmaking (Wgv art. 19, 20).

A boete only follows a hercontrole after the warning's term that found the violation again; the repeat
maximum only an earlier boete for the same violation. The maximum in euros is named only where the
dated table holds it for the letter's date.
"""

from __future__ import annotations

from typing import Any

from reports.fmt import bedrag, datum
from reports.letter_parts import cited, lasten_table, letter, overtreder_text, rechtsmiddelen, zienswijze_box
from reports.words import Block, address_line

__all__ = ["besluit_boete", "publicatie", "voornemen_boete"]


def _history(data: dict[str, Any]) -> list[Block]:
    """Return the warning and the hercontrole that found the violations again."""
    first = data["lasten"][0]
    warned, again = first.get("warned") or {}, first.get("found_again") or {}
    warning = (data.get("previous") or {}).get("waarschuwing")
    text = ""
    if warning:
        text = (f"Bij brief van {datum(warning['letter_date'])} (kenmerk {warning['kenmerk']}) hebben wij u "
                f"gewaarschuwd "
                "voor overtredingen van de Wet goed verhuurderschap en u gevraagd ze te beëindigen")
        if warned.get("herstel_end"):
            text += f", uiterlijk op {datum(warned['herstel_end'])}"
        text += ". "
    if again:
        text += (f"Bij de hercontrole op {datum(again['on'])}, na afloop van die termijn, hebben wij vastgesteld dat "
                 "de volgende overtredingen nog steeds bestaan.")
    rapport = data.get("rapport")
    if rapport:
        text += (f" Van die hercontrole is een rapport van bevindingen opgemaakt (kenmerk {rapport['kenmerk']}, "
                 f"gedagtekend {datum(rapport['letter_date'])}), dat bij deze brief is gevoegd in de versie voor de "
                 "verhuurder.")
    return [{"t": "p", "text": text.strip()}, lasten_table(data)]


def _boete_rows(data: dict[str, Any]) -> list[list[str]]:
    rows = []
    for last in data["lasten"]:
        boete = last["boete"]
        note = ""
        if boete.get("repeat") and boete.get("earlier"):
            note = (f"\nHerhaling: binnen vier jaar vóór deze constatering is u voor dezelfde overtreding een boete "
                    f"opgelegd (kenmerk {boete['earlier']['kenmerk']}, {datum(boete['earlier']['imposed_on'])}).")
        maximum = f"\nTen hoogste {bedrag(boete['maximum'])}." if boete.get("maximum") else ""
        rows.append([f"{last['code']}: {last['title']}{note}", cited(last) + " en artikel 19 Wet goed "
                     "verhuurderschap", bedrag(boete["amount"]) + maximum])
    return rows


def voornemen_boete(data: dict[str, Any]) -> dict[str, Any]:
    """The intention to impose a bestuurlijke boete for each violation found again, with room for a zienswijze."""
    blocks: list[Block] = [
        {"t": "h1", "text": "Voornemen tot het opleggen van een bestuurlijke boete"},
        *_history(data),
        {"t": "p", "text": overtreder_text(data)},
        {"t": "h2", "text": "Ons voornemen"},
        {"t": "p", "text": "Wij zijn van plan u voor elke overtreding hieronder een bestuurlijke boete op te leggen op "
                           "grond van artikel 19 van de Wet goed verhuurderschap:"},
        {"t": "table", "head": ["Overtreding", "Overtreden voorschrift", "Boete"], "rows": _boete_rows(data),
         "widths": [0.42, 0.34, 0.24]},
        {"t": "p", "text": "Bij de hoogte van de boete houden wij rekening met de ernst en de duur van de "
                           "overtreding, de "
                           "mate waarin zij u kan worden verweten en de omstandigheden waaronder zij is begaan."},
        {"t": "p", "text": "U bent niet verplicht om op vragen antwoord te geven of een verklaring over deze "
                           "overtredingen af te leggen."},
        {"t": "h2", "text": "Zienswijze"},
        zienswijze_box(data, data["terms"]["zienswijze"], "dit voornemen"),
        {"t": "p", "text": "Wij beslissen over de boete binnen dertien weken na de dagtekening van het rapport "
                           "(artikel "
                           "5:51, eerste lid, Algemene wet bestuursrecht). Een opgelegde boete maken wij openbaar "
                           "(artikel 20 van de Wet goed verhuurderschap); daarover ontvangt u dan een afzonderlijk "
                           "besluit."},
    ]
    return letter(data, "voornemen_boete", blocks)


def besluit_boete(data: dict[str, Any]) -> dict[str, Any]:
    """The besluit bestuurlijke boete: per violation its voorschrift and amount; the weighing; rechtsmiddelen."""
    previous = (data.get("previous") or {}).get("voornemen_boete")
    zienswijze = data.get("zienswijze")
    weging = data.get("weging") or {}
    blocks: list[Block] = [
        {"t": "h1", "text": "Besluit bestuurlijke boete"},
        {"t": "h2", "text": "Aanleiding"}, *_history(data),
    ]
    if previous:
        blocks.append({"t": "p", "text": f"Bij brief van {datum(previous['letter_date'])} (kenmerk "
                                         f"{previous['kenmerk']}) hebben wij u laten weten dat wij van plan waren u "
                                         f"een "
                                         "bestuurlijke boete op te leggen, en u gelegenheid gegeven uw zienswijze te "
                                         "geven."})
    blocks += [
        {"t": "h2", "text": "Besluit"},
        {"t": "p", "text": "Wij leggen u op grond van artikel 19 van de Wet goed verhuurderschap de volgende "
                           "bestuurlijke boetes op:"},
        {"t": "table", "head": ["Overtreding", "Overtreden voorschrift", "Boete"], "rows": _boete_rows(data),
         "widths": [0.42, 0.34, 0.24]},
        {"t": "p", "text": "U ontvangt een factuur met de betaaltermijn en de betaalgegevens."},
        {"t": "h2", "text": "Waarom u de overtreder bent"}, {"t": "p", "text": overtreder_text(data)},
        {"t": "h2", "text": "Openbaarmaking"},
        {"t": "p", "text": "Wij maken het feit dat deze boete is opgelegd openbaar (artikel 20 van de Wet goed "
                           "verhuurderschap). Daarover ontvangt u een afzonderlijk besluit; openbaarmaking gebeurt "
                           "niet "
                           "eerder dan tien werkdagen nadat dat besluit aan u bekend is gemaakt."},
    ]
    closing: list[Block] = [{"t": "h2", "text": "Afweging"}, {"t": "p", "text": "Uw zienswijze", "bold": True}]
    if zienswijze:
        closing += [{"t": "p", "text": f"Wij hebben uw zienswijze op {datum(zienswijze['received_on'])} ontvangen. Wij "
                                       "hebben haar als volgt gewogen:"},
                    {"t": "p", "text": str(weging.get("zienswijze") or "").strip()}]
    else:
        closing.append({"t": "p", "text": "U hebt binnen de termijn geen zienswijze gegeven."})
    closing += [
        {"t": "p", "text": "Hoogte van de boete", "bold": True},
        {"t": "p", "text": "Wij hebben de hoogte van elke boete afgestemd op de ernst van de overtreding, de mate "
                           "waarin "
                           "zij u kan worden verweten en de omstandigheden waaronder zij is begaan. U hebt na onze "
                           "waarschuwing de gelegenheid gehad de overtreding te beëindigen en hebt dat niet gedaan."
                           + (f" {str(weging.get('evenredigheid')).strip()}" if str(weging.get("evenredigheid") or "")
                              .strip() else "")},
    ]
    return letter(data, "besluit_boete", blocks, closing=closing + rechtsmiddelen(data))


def publicatie(data: dict[str, Any]) -> dict[str, Any]:
    """The besluit tot openbaarmaking of an imposed boete (Wgv art. 20): what, when at the earliest, and names."""
    previous = (data.get("previous") or {}).get("besluit_boete")
    info = data["publicatie"]
    names = ("Wij maken daarbij ook uw naam openbaar." if info.get("names") else
             "Wij maken daarbij de naam van een natuurlijk persoon niet openbaar.")
    blocks: list[Block] = [
        {"t": "h1", "text": "Besluit tot openbaarmaking van een bestuurlijke boete"},
        {"t": "p", "text": (f"Bij besluit van {datum(previous['letter_date'])} (kenmerk {previous['kenmerk']}) hebben "
                            "wij u een bestuurlijke boete opgelegd voor het handelen in strijd met de regels van goed "
                            f"verhuurderschap bij de woning {address_line(data['address'])}."
                            if previous else "Wij hebben u een bestuurlijke boete opgelegd.")},
        {"t": "table", "head": ["Overtreding", "Overtreden voorschrift", "Boete"], "rows": _boete_rows(data),
         "widths": [0.42, 0.34, 0.24]},
        {"t": "h2", "text": "Besluit"},
        {"t": "p", "text": "Wij maken openbaar dat deze boete is opgelegd (artikel 20, eerste lid, van de Wet goed "
                           "verhuurderschap): het adres van de woning, de overtreden regels, de hoogte van de boete "
                           "en de "
                           f"datum van het boetebesluit. {names} Wij vermelden daarbij of tegen het boetebesluit een "
                           "rechtsmiddel is ingesteld of nog kan worden ingesteld (artikel 20, derde lid)."},
        {"t": "p", "text": "De openbaarmaking gebeurt niet eerder dan tien werkdagen na de dag waarop dit besluit aan "
                           "u "
                           f"bekend is gemaakt (artikel 20, tweede lid): op zijn vroegst op "
                           f"{datum(info['not_before'])}."},
    ]
    if str(info.get("weging_namen") or "").strip():
        blocks += [{"t": "h2", "text": "Afweging"}, {"t": "p", "text": str(info["weging_namen"]).strip()}]
    blocks.append({"t": "p", "text": "Vraagt u de voorzieningenrechter om een voorlopige voorziening, dan wachten wij "
                                     "met openbaarmaking tot daarop is beslist."})
    return letter(data, "publicatie", blocks, closing=rechtsmiddelen(data))
