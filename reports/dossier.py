"""The dossier of a case: cover, overtreders, lasten with their tracks and terms, the LHS assessment, every
step (when recorded and when it took legal effect), zienswijzen, documents with their hashes and
dispatch, confirmations of unverified voorschriften, boetes, and the rapporten it rests on.
"""

from __future__ import annotations

from typing import Any

from reports.fmt import bedrag, datum, tijdstip
from reports.words import Block, address_line, value

TRACKS = {"lod": "Last onder dwangsom", "wgv": "Wet goed verhuurderschap"}
DISPATCH = {"post": "gewone post", "aangetekend": "aangetekend", "email": "e-mail", "uitreiking": "uitreiking"}


def _cited(last: dict[str, Any]) -> str:
    return "; ".join(f"{v['regeling']}, {v['artikel']}" + ("" if v.get("verified") else " (niet geverifieerd)")
                     for v in last.get("voorschriften") or []) or "-"


def _lasten(case: dict[str, Any]) -> list[Block]:
    lasten = case.get("lasten") or []
    if not lasten:
        return [{"t": "p", "text": f"Zaak geopend vanuit een melding: {case.get('melding') or '-'}"}]
    rows = []
    for last in lasten:
        labels = last.get("state_labels") or {}
        states = ", ".join(f"{TRACKS[t]}: {labels.get(t) or s.replace('_', ' ')}"
                           for t, s in (last.get("states") or {}).items())
        terms = []
        if (last.get("term") or {}).get("end"):
            terms.append(f"begunstigingstermijn tot en met {datum(last['term']['end'])}")
        if (last.get("wgv") or {}).get("herstel_end"):
            terms.append(f"hersteltermijn tot en met {datum(last['wgv']['herstel_end'])}")
        if (last.get("hercontrole") or {}).get("due"):
            terms.append(f"hercontrole {datum(last['hercontrole']['due'])}")
        assessment = last.get("assessment") or {}
        lhs = (f"gevolgen {assessment.get('impact')}, gedrag {assessment.get('behaviour')} "
               f"({assessment.get('behaviour_reason')}); {assessment.get('chosen_label')}"
               + (f" (afwijking: {assessment['chosen_reason']})" if assessment.get("chosen_reason") else "")
               ) if assessment else "nog niet beoordeeld"
        rows.append([f"{last['code']}: {last['title']}\n{last.get('herstelmaatregel') or ''}", _cited(last),
                     f"{states}\n{'; '.join(terms)}".strip(), lhs])
    return [{"t": "table", "head": ["Last", "Overtreden voorschrift", "Stand en termijnen", "LHS-beoordeling"],
             "rows": rows, "widths": [0.34, 0.24, 0.22, 0.2]}]


def _zienswijzen(case: dict[str, Any]) -> list[Block]:
    out: list[Block] = []
    for track, info in (case.get("tracks") or {}).items():
        zienswijze = (info or {}).get("zienswijze")
        if not zienswijze:
            continue
        out += [{"t": "p", "text": f"Zienswijze ({TRACKS[track]}), ontvangen op {datum(zienswijze['received_on'])}"
                                   + (f", {zienswijze['how']}" if zienswijze.get("how") else ""), "bold": True},
                {"t": "p", "text": (zienswijze.get("text") or "").strip() or "(zie het bestand)"}]
        if zienswijze.get("file_sha256"):
            out.append({"t": "p", "text": f"Ontvangen bestand, SHA-256 {zienswijze['file_sha256']}"})
    return out or [{"t": "p", "text": "Er is geen zienswijze ontvangen."}]


def dossier(data: dict[str, Any]) -> dict[str, Any]:
    """The case file, for the archive and for bezwaar and beroep."""
    case, address = data["case"], data["address"]
    overtreders = case.get("overtreders") or []
    blocks: list[Block] = [
        {"t": "h1", "text": f"Dossier handhavingszaak {case['number']}"},
        {"t": "fields", "rows": [
            ["Zaaknummer", case["number"]], ["Adres", address_line(address)],
            ["BAG-id", address.get("bag_id") or "-"],
            ["Partijen", "; ".join(f"{p['name']} ({p['role']})" for p in data.get("parties") or []) or "-"],
            ["Geopend op", datum(case["opened_on"])], ["Stand", data.get("status_label") or case["status"]],
            ["Samengesteld op", datum(data["letter_date"])], ["Door", data["handler"]["name"]]]},
        {"t": "h2", "text": "Overtreder"},
        {"t": "bullets", "items": [f"{o['name']} ({o['role']}): {o.get('reason') or 'reden nog niet vastgelegd'}"
                                   for o in overtreders] or ["Nog niet vastgelegd."]},
        {"t": "h2", "text": "Lasten"}, *_lasten(case),
    ]
    signalen = case.get("signalen") or []
    if signalen:
        blocks += [{"t": "h2", "text": "Signalen en adviezen (geen last of boete)"},
                   {"t": "bullets", "items": [f"{s['code']}: {s.get('description') or s['title']}" for s in signalen]}]
    tracks = case.get("tracks") or {}
    term_rows = []
    for track, info in tracks.items():
        for key, label in (("zienswijze_end", "einde zienswijzetermijn"), ("herstel_end", "einde hersteltermijn"),
                           ("bezwaar_end", "einde bezwaartermijn"),
                           ("boete_zienswijze_end", "einde zienswijzetermijn boete"),
                           ("beslistermijn_end", "uiterste beslisdatum boete (artikel 5:51 Awb, termijn van orde)")):
            if (info or {}).get(key):
                term_rows.append([f"{TRACKS[track]}: {label}", datum(info[key])])
        if (info or {}).get("publicatie"):
            term_rows.append([f"{TRACKS[track]}: openbaarmaking niet vóór", datum(info["publicatie"]["not_before"])])
    if term_rows:
        blocks += [{"t": "h2", "text": "Termijnen"}, {"t": "fields", "rows": term_rows}]
    blocks += [{"t": "h2", "text": "Zienswijzen"}, *_zienswijzen(case)]
    blocks += [{"t": "h2", "text": "Tijdlijn"},
               {"t": "p", "text": "Per stap: wanneer hij is vastgelegd, en wanneer hij rechtsgevolg kreeg (de datum "
                                  "van "
                                  "een verzonden brief, de ontvangst van een zienswijze, de hercontrole)."},
               {"t": "table", "head": ["Vastgelegd", "Rechtsgevolg", "Stap", "Door"],
                "widths": [0.2, 0.14, 0.49, 0.17],
                "rows": [[tijdstip(e["at"]), datum(e.get("effective_on")) if e.get("effective_on") else "-",
                          e["label"] + (f" ({e['document']})" if e.get("document") else ""), e.get("user_name") or "-"]
                         for e in data.get("timeline") or []]},
               {"t": "h2", "text": "Documenten"}]
    documents = data.get("documents") or []
    if documents:
        blocks.append({"t": "table", "head": ["Kenmerk", "Document", "Datum", "Status", "SHA-256"],
                       "widths": [0.16, 0.22, 0.12, 0.18, 0.32],
                       "rows": [[d["kenmerk"], d["title"], datum(d["letter_date"]), _doc_state(d),
                                 d.get("sha256") or "(concept: nog geen vaste inhoud)"] for d in documents]})
        confirmed = [(d["kenmerk"], d["confirmed"]) for d in documents if d.get("confirmed")]
        for kenmerk, items in confirmed:
            blocks.append({"t": "p", "text": f"Bij vaststelling van {kenmerk} bevestigde de teamleider dat hij de "
                                             "volgende niet aan de officiële tekst getoetste voorschriften had "
                                             "gecontroleerd: " + "; ".join(items)})
        blocks.append({"t": "p", "text": "Met de SHA-256 van een vastgesteld document is na te gaan dat het bewaarde "
                                         "bestand na vaststelling niet is gewijzigd."})
    else:
        blocks.append({"t": "p", "text": "Er zijn nog geen documenten gemaakt."})
    boetes = data.get("boetes") or []
    if boetes:
        blocks += [{"t": "h2", "text": "Bestuurlijke boetes van de overtreder"},
                   {"t": "table", "head": ["Overtreding", "Opgelegd", "Kenmerk", "Onherroepelijk", "Bedrag", "Bron"],
                    "rows": [[b["code"], datum(b["imposed_on"]), b["kenmerk"], datum(b.get("irrevocable_on")),
                              bedrag(b["amount"]) if b.get("amount") else "-", b["source"]] for b in boetes]}]
    for item in data.get("rapporten") or []:
        blocks += [{"t": "pagebreak"}, *_rapport(item)]
    return {"kind": "dossier", "title": f"Dossier {case['number']}", "kenmerk": data["kenmerk"],
            "letterhead": data["letterhead"], "blocks": blocks}


def _doc_state(d: dict[str, Any]) -> str:
    if d.get("sent_on"):
        how = DISPATCH.get(d.get("dispatch_method") or "", d.get("dispatch_method") or "")
        return f"verzonden {datum(d['sent_on'])} ({how}, bewijs {d.get('dispatch_reference') or '-'})"
    return "vastgesteld" if d["status"] == "approved" else "concept"


def _rapport(item: dict[str, Any]) -> list[Block]:
    """Return a rapport's own content (the signed one when signed), headed by its kenmerk and state."""
    content = (item.get("data") or {}).get("content") or {}
    state = f"ondertekend, SHA-256 {item['sha256']}" if item.get("sha256") else "concept, nog niet ondertekend"
    head: list[Block] = [{"t": "p", "text": f"Rapport van bevindingen {item.get('kenmerk') or ''} ({state})",
                          "bold": True}]
    body = content.get("blocks") or []
    return head + (body if body else [{"t": "p", "text": value(None)}])
