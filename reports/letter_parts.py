"""The parts every letter of a case shares: the frame (addressee, header fields, signature under mandate),
the lasten with their overtreden voorschrift, terms in words, the zienswijze and rechtsmiddelen paragraphs.

A letter cites the binding rule (voorschrift) a last rests on, by article; where the number it uses comes
from (SNF, Kadernota, ...) is toetsingskader, context only, never the grondslag.
"""

from __future__ import annotations

from typing import Any

from reports.fmt import bedrag, datum, day, weken
from reports.words import Block, address_line, de_gemeente

TITLES: dict[str, str] = {}  # filled by reports.collect


def term_text(term: dict[str, Any]) -> str:
    """Return a term's last day in words, with why it moved (the Atw for a statutory term, else policy)."""
    text = datum(term["end"])
    if term.get("moved_because"):
        text += f" (de termijn eindigde op {datum(term['nominal_end'])}: {term['moved_because']})"
    return text


def term_days(term: dict[str, Any]) -> int:
    """Return the nominal length of a term in days."""
    return (day(term["nominal_end"]) - day(term["start"])).days


def cited(last: dict[str, Any]) -> str:
    """Return the overtreden voorschrift(en) of a last: 'Wet goed verhuurderschap, artikel 2, ...'."""
    return "; ".join(f"{v['regeling']}, {v['artikel']}" for v in last.get("voorschriften") or []) or "-"


def found(last: dict[str, Any]) -> str:
    """Return what was found for a last, one line per finding (room by room)."""
    return "\n".join(f["description"] for f in last.get("findings") or [] if f.get("description")) or last["title"]


def lasten_table(data: dict[str, Any]) -> Block:
    """Return the violations of the letter: what was found, and the binding rule it breaks."""
    return {"t": "table", "head": ["Overtreding en wat wij vaststelden", "Overtreden voorschrift"],
            "rows": [[f"{last['code']}: {last['title']}\n{found(last)}", cited(last)] for last in data["lasten"]],
            "widths": [0.58, 0.42]}


def toetsingskader_block(data: dict[str, Any]) -> list[Block]:
    """Return where the numbers the letter uses come from, as context (never the grondslag)."""
    lines = [f"{last['code']}: {last['toetsingskader']}" for last in data["lasten"] if last.get("toetsingskader")]
    if not lines:
        return []
    return [{"t": "p", "text": "Waar de getallen vandaan komen (toetsingskader, geen grondslag van deze brief):"},
            {"t": "bullets", "items": lines}]


def visit_text(data: dict[str, Any]) -> str:
    """Return how the violations were found: the visit and its rapport, or the melding."""
    where = address_line(data["address"])
    municipality = de_gemeente(data["letterhead"]["name"])
    rapport = data.get("rapport")
    text = (f"Op {datum(data['visit'])} hebben toezichthouders van {municipality} de woning {where} gecontroleerd. "
            "Van hun bevindingen is een rapport van bevindingen opgemaakt")
    if rapport and rapport.get("enclosed"):
        text += f" (kenmerk {rapport['kenmerk']}), dat bij deze brief is gevoegd in de versie voor de verhuurder"
    elif rapport:
        text += f" (kenmerk {rapport['kenmerk']}), dat u eerder van ons hebt ontvangen"
    return text + ". Daarbij is het volgende vastgesteld:"


def overtreder_text(data: dict[str, Any]) -> str:
    """Return why the addressee is the overtreder."""
    who = data["overtreder"]
    role = {"verhuurder": "verhuurder", "eigenaar": "eigenaar", "beheerder": "beheerder",
            "verhuurbemiddelaar": "verhuurbemiddelaar", "werkgever": "werkgever",
            "uitzendbureau": "uitzendbureau"}.get(who.get("role") or "", who.get("role") or "betrokkene")
    return f"Wij richten deze brief aan u als {role} van de woning. {(who.get('reason') or '').strip()}"


def contact_text(data: dict[str, Any]) -> str:
    """Return how to reach the handler (telephone and e-mail)."""
    handler = data["handler"]
    ways = [w for w in (f"telefoon {handler['phone']}" if handler.get("phone") else None,
                        f"e-mail {handler['email']}" if handler.get("email") else None) if w]
    return f"{handler['name']}" + (f" ({', '.join(ways)})" if ways else "")


def zienswijze_box(data: dict[str, Any], term: dict[str, Any], about: str) -> Block:
    """Return how and where to give a zienswijze, and by when (Awb 4:8 and 4:9)."""
    postal = ", ".join(data["rechtsmiddelen"]["college_postal"])
    digital = data["rechtsmiddelen"]["college_digital"]
    return {"t": "box", "text": (
        f"Voordat wij besluiten, kunt u uw zienswijze geven op {about} (artikel 4:8 Algemene wet bestuursrecht), "
        f"schriftelijk of mondeling (artikel 4:9 Awb). U hebt daarvoor {weken(term_days(term))}: uiterlijk op "
        f"{term_text(term)}. Schriftelijk: aan het college van burgemeester en wethouders, {postal}"
        + (f", of digitaal via {digital}" if digital else "") + ". Mondeling: neem contact op met "
        f"{contact_text(data)} voor een afspraak. Vermeld ons kenmerk {data['kenmerk']}.")}


def rechtsmiddelen(data: dict[str, Any]) -> list[Block]:
    """Return the bezwaar and voorlopige voorziening paragraphs of a besluit: to whom, how, by when, which court."""
    term = data["terms"]["bezwaar"]
    postal = ", ".join(data["rechtsmiddelen"]["college_postal"])
    digital = data["rechtsmiddelen"]["college_digital"]
    return [
        {"t": "h2", "text": "Bezwaar"},
        {"t": "box", "text": (
            "Bent u het niet eens met dit besluit? Dan kunt u bezwaar maken bij het college van burgemeester en "
            f"wethouders, binnen {weken(term_days(term))} na de dag waarop dit besluit aan u is verzonden (artikelen "
            f"6:7 en 6:8 Algemene wet bestuursrecht): uiterlijk op {term_text(term)}. Stuur uw bezwaarschrift naar "
            f"het college van burgemeester en wethouders, {postal}" + (f", of dien het digitaal in via {digital}"
                                                                       if digital else "")
            + ". Zet in uw bezwaarschrift uw naam en adres, de datum, ons kenmerk "
            f"{data['kenmerk']}, welk besluit het betreft en waarom u het er niet mee eens bent, en onderteken het.")},
        {"t": "h2", "text": "Voorlopige voorziening"},
        {"t": "p", "text": (
            "Een bezwaarschrift schorst de werking van dit besluit niet: de termijnen in dit besluit blijven lopen. "
            "Hebt u bezwaar gemaakt en is onverwijlde spoed nodig, dan kunt u de voorzieningenrechter van "
            f"{data['rechtsmiddelen']['court']} vragen een voorlopige voorziening te treffen (artikel 8:81 Awb). "
            "Daarvoor betaalt u griffierecht.")},
    ]


def dwangsom_text(dwangsom: dict[str, Any]) -> str:
    """Return a last's dwangsom in words (Awb 5:32b: per week or per violation, with its maximum)."""
    amount, maximum = bedrag(dwangsom["amount"]), bedrag(dwangsom["max"])
    if dwangsom["per"] == "week":
        return (f"{amount} voor iedere week of een deel daarvan waarin de last na afloop van de begunstigingstermijn "
                f"niet (volledig) is uitgevoerd, tot ten hoogste {maximum}")
    return (f"{amount} voor iedere keer dat na afloop van de begunstigingstermijn wordt vastgesteld dat de last niet "
            f"(volledig) is uitgevoerd, tot ten hoogste {maximum}")


def signature(data: dict[str, Any]) -> list[Block]:
    """Return the closing and the signature block: namens het college, the signer, his function and mandate."""
    municipality = data["letterhead"]["name"].removeprefix("Gemeente ")
    signer = data["signer"]
    lines = [f"namens het college van burgemeester en wethouders van {municipality},", "", signer["name"]]
    if signer.get("function"):
        lines.append(signer["function"])
    if data.get("mandate"):
        lines.append(f"(ondertekend krachtens mandaat: {data['mandate']})")
    return [{"t": "p", "text": "Met vriendelijke groet,"}, {"t": "signature", "lines": lines}]


def letter(data: dict[str, Any], kind: str, blocks: list[Block], *, closing: list[Block] | None = None
           ) -> dict[str, Any]:
    """Return a whole letter: addressee block, header fields, the body, what stands before the closing, signature."""
    handler = data["handler"]
    behandeld = "\n".join(x for x in (handler["name"] + (f", {handler['function']}" if handler.get("function")
                                                        else ""),
                                      f"telefoon {handler['phone']}" if handler.get("phone") else "",
                                      handler.get("email") or "") if x)
    header = [["Ons kenmerk", data["kenmerk"]], ["Zaaknummer", data["case"]["number"]],
              ["Behandeld door", behandeld],
              ["Onderwerp", f"{TITLES[kind]} - {address_line(data['address'])}"],
              ["Datum", datum(data["letter_date"])],
              ["Bijlagen", "\n".join(data.get("bijlagen") or []) or "geen"]]
    toelichting = [{"t": "h2", "text": "Toelichting"}, {"t": "p", "text": data["toelichting"].strip()}] \
        if (data.get("toelichting") or "").strip() else []
    return {"kind": kind, "title": TITLES[kind], "kenmerk": data["kenmerk"], "letterhead": data["letterhead"],
            "recipient": data["addressee"]["lines"], "header": header,
            "blocks": [{"t": "p", "text": "Geachte heer, mevrouw,"}, *blocks, *toelichting, *(closing or []),
                       *signature(data)]}
