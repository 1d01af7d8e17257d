"""Collect the content of a document from plain data: `collect(kind, data) -> document`.

The server gathers the data (it owns the database and computes the legal terms); this
module only words it, in Dutch, into the block structure `reports.render` draws. The
result is JSON-ready, so a concept can be stored and rendered again unchanged.

`data` holds:

- `kenmerk`, `letter_date` (ISO), `handler` {`name`, `title`}, `letterhead` {`name`,
  `address` [lines], `logo`}, `bijlagen` [titles], `toelichting` (free text or None);
- `case` (the stored case: `number`, `violations`, `assessment`, `impact`, `opened_on`,
  `melding`, `status`, `terms`), `address` (the stored address); `addressee` {`name`, `lines`
  (the window-envelope address block), `kind`, `kvk`, `party_id`} or None; `parties` [{`role`,
  `name`}] at the address on the letter date;
- `inspections`: [{`inspection`, `evaluation` {`findings`, `not_assessed`, `residents`,
  `norm_set`}, `inspector`, `norm_set` (the full set, for its parameters) or None}];
- `remedies` {code: text}; `terms` {`zienswijze`, `bezwaar`, `begunstigingstermijn`
  {code: term}, `herstel` {code: term}}, each term {`start`, `nominal_end`, `end`,
  `moved_because`}; `dwangsom` {`amount`, `per` ("week" or "overtreding"), `max`};
  `boete` {`amount`, `max`}; `boete_publication` (bool);
- `previous` {kind: {`kenmerk`, `letter_date`, `sent_on`}} for the letters before this one;
  `zienswijze_ontvangen` (ISO date or None);
- for a dossier: `timeline` [{`at`, `label`, `user_name`, `document`}], `documents`
  [{`kenmerk`, `title`, `letter_date`, `status`, `sent_on`, `sha256`}].
"""

from __future__ import annotations

from typing import Any, Callable

from reports.fmt import bedrag, datum, day, getal, lokale_dag, tijdstip, weken

TITLES = {
    "rapport": "Rapport van bevindingen",
    "waarschuwing": "Waarschuwing",
    "voornemen_lod": "Voornemen last onder dwangsom",
    "besluit_lod": "Besluit last onder dwangsom",
    "voornemen_boete": "Voornemen bestuurlijke boete",
    "dossier": "Dossier",
}
LOCATION_TYPES = {"woonkern": "woonkern", "lint": "lint", "bedrijventerrein": "bedrijventerrein",
                  "grootschalig": "grootschalige locatie"}
ACCESS = {"granted": "toegang verleend", "refused": "toegang geweigerd", "nobody_home": "niemand thuis"}
INSPECTION_KINDS = {"controle": "controle", "hercontrole": "hercontrole", "melding": "naar aanleiding van een melding"}
ROOM_KINDS = {"bedroom": "slaapkamer", "living": "woonkamer", "kitchen": "keuken", "bathroom": "badkamer",
              "toilet": "toilet", "other": "overig"}

Block = dict[str, Any]


def address_line(address: dict[str, Any]) -> str:
    """Return 'Clematisstraat 7a-2, 1431 GH Aalsmeer'."""
    number = f"{address.get('huisnummer', '')}{(address.get('huisletter') or '').lower()}"
    if address.get("toevoeging"):
        number += f"-{address['toevoeging']}"
    postcode = str(address.get("postcode") or "")
    if len(postcode) == 6:
        postcode = f"{postcode[:4]} {postcode[4:]}"
    street = address.get("straat") or "Onbekende straat"
    return f"{street} {number}, {postcode} {address.get('woonplaats') or ''}".strip()


def _value(value: Any, unit: str | None = None) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, (int, float)):
        return f"{getal(value)} {unit}".strip() if unit else getal(value)
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value) or "geen"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_value(v)}" for k, v in value.items())
    return f"{value} {unit}".strip() if unit else str(value)


def _rooms(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for item in data.get("inspections") or []:
        for room in item["inspection"].get("rooms") or []:
            out.setdefault(room["id"], room)
    return out


def _where(finding: dict[str, Any], rooms: dict[str, dict[str, Any]]) -> str:
    room = rooms.get(finding.get("room_id") or "")
    if room:
        return room.get("name") or ROOM_KINDS.get(room["kind"], room["kind"])
    if finding.get("storey") is not None:
        return "begane grond" if finding["storey"] == 0 else f"verdieping {finding['storey']}"
    return "woning"


def _finding_table(findings: list[dict[str, Any]], rooms: dict[str, dict[str, Any]], first: str) -> Block:
    """Return a table of findings: code and text, room, measured, norm, legal basis."""
    rows = [[f"{f['code']}\n{f['title']}. {f.get('description') or ''}".strip(), _where(f, rooms),
             _value(f.get("measured"), f.get("unit")), _value(f.get("norm"), f.get("unit")),
             f.get("legal_basis") or "-"] for f in findings]
    return {"t": "table", "head": [first, "Ruimte", "Vastgesteld", "Norm", "Grondslag"], "rows": rows,
            "widths": [0.37, 0.13, 0.12, 0.12, 0.26]}


def _violations_table(data: dict[str, Any]) -> Block:
    return _finding_table(data["case"]["violations"], _rooms(data), "Overtreding")


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


def _named(data: dict[str, Any], *roles: str) -> str:
    """Return the names of the parties with these roles at the address, or '-'."""
    return ", ".join(p["name"] for p in data.get("parties") or [] if p["role"] in roles) or "-"


def _toelichting(data: dict[str, Any]) -> list[Block]:
    if not (data.get("toelichting") or "").strip():
        return []
    return [{"t": "h2", "text": "Toelichting"}, {"t": "p", "text": data["toelichting"].strip()}]


def _first_lower(text: str) -> str:
    """Return text with only its first letter in lower case ('CO-melder' stays)."""
    return text[:1].lower() + text[1:]


def _de(municipality: str) -> str:
    """Return 'de gemeente Aalsmeer' for 'Gemeente Aalsmeer'."""
    if municipality.lower().startswith("gemeente "):
        return "de gemeente " + municipality[len("gemeente "):]
    return municipality


def _finding_of(data: dict[str, Any]) -> str:
    """Return how the violations were found: the visit, or the melding."""
    inspections = data.get("inspections") or []
    municipality = data["letterhead"]["name"]
    where = address_line(data["address"])
    if inspections:
        first = inspections[0]["inspection"]
        seen = datum(lokale_dag(str(first.get("started_at") or data["case"]["opened_on"])))
        return (f"Op {seen} hebben toezichthouders van {_de(municipality)} de woning {where} gecontroleerd. "
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
        remedy = data["remedies"].get(v["code"]) or f"Beëindig de overtreding: {_first_lower(v['title'])}."
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
        {"t": "p", "text": _finding_of(data)}, _violations_table(data),
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
        {"t": "p", "text": "Geachte heer, mevrouw,"}, {"t": "p", "text": _finding_of(data)}, _violations_table(data),
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
        {"t": "h2", "text": "Aanleiding"}, {"t": "p", "text": _finding_of(data)}, _violations_table(data),
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
        {"t": "p", "text": "Geachte heer, mevrouw,"}, {"t": "p", "text": _finding_of(data)}, _violations_table(data),
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
        blocks.append(_finding_table(findings, rooms, "Bevinding"))
    else:
        blocks.append({"t": "p", "text": "Geen overtredingen van de normen vastgesteld."})
    manual = inspection.get("manual_findings") or []
    if manual:
        blocks.append({"t": "p", "text": "Eigen waarnemingen van de toezichthouder:", "bold": True})
        blocks.append({"t": "bullets", "items": [f"{m['code']} ({_where(m, rooms)}): {m['description']}"
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
            where = _where(photo, rooms) if photo.get("room_id") else "woning"
            blocks.append({"t": "photo", "sha256": photo["sha256"],
                           "caption": f"Foto {i} ({where}): {photo.get('caption') or 'zonder bijschrift'}"})
    blocks.append({"t": "box", "text": f"Dit rapport is door mij, {item.get('inspector') or 'de toezichthouder'}, "
                                       f"toezichthouder van {_de(data['letterhead']['name'])}, "
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
         "rows": [[r.get("name") or r["id"], ROOM_KINDS.get(r["kind"], r["kind"]), _value(r.get("storey")),
                   _value(r.get("area_m2")), _value(r.get("beds")), _value(r.get("occupants"))]
                  for r in rooms.values()], "widths": [0.28, 0.16, 0.14, 0.14, 0.14, 0.14]}
        if rooms else {"t": "p", "text": "Geen ruimten vastgelegd."},
        {"t": "h2", "text": "Bewoning en oppervlakte"},
        {"t": "table", "head": ["Gegeven", "Vastgesteld", "Norm"], "widths": [0.5, 0.25, 0.25], "rows": [
            ["Bewoners (voor de normen)", _value(residents), "-"],
            ["Aanwezig tijdens het bezoek", _value(occupants.get("present")), "-"],
            ["Opgegeven door bewoners", _value(occupants.get("reported")), "-"],
            ["Ingeschreven in de BRP", _value(address.get("brp_registered")), "-"],
            ["Gebruiksoppervlakte (GBO)", _value(gbo, "m²"), "-"],
            ["Gebruiksoppervlakte per bewoner", _value(per_person, "m²"), _value(norm_m2, "m²")],
            ["Slaapkamers / bedden", f"{len(bedrooms)} / {_value(sum(r.get('beds') or 0 for r in bedrooms))}", "-"],
            ["Slaapkameroppervlak per bewoner", _value(bed_per_person, "m²"),
             _value(_param(norm_set, "OPPERVLAKTE_SLAAPKAMER", "min_m2_per_occupant"), "m²")],
            ["Meeste personen in één slaapkamer", _value(crowded),
             _value(_param(norm_set, "BEZETTING_SLAAPKAMER", "max_per_bedroom"))],
            ["Talen (aantal bewoners)", _value(occupants.get("languages") or None), "-"],
            ["Verdiepingen / logiesgebouw", f"{_value(dwelling.get('storeys'))} / {_value(dwelling.get('lodging'))}",
             "-"]]},
        {"t": "h2", "text": "Voorzieningen, brandveiligheid en huur"},
        {"t": "fields", "widths": [0.5, 0.5], "rows": [
            ["Toiletten / douches / kookpitten", " / ".join(_value(facilities.get(k))
                                                            for k in ("toilets", "showers", "hobs"))],
            ["Wasmachine / afsluitbare opbergruimte", f"{_value(facilities.get('washing_machine'))} / "
                                                      f"{_value(facilities.get('lockable_storage'))}"],
            ["Verdiepingen met werkende rookmelder", _value(fire.get("storeys_with_smoke_detector"))],
            ["Verbrandingstoestel / CO-melder", f"{_value(fire.get('fuel_appliance'))} / "
                                                f"{_value(fire.get('co_detector'))}"],
            ["Blusmiddel bij de keuken / blusdeken", f"{_value(fire.get('extinguisher_near_kitchen'))} / "
                                                     f"{_value(fire.get('fire_blanket'))}"],
            ["Vluchtweg vrij / elektra overbelast", f"{_value(fire.get('escape_route_clear'))} / "
                                                    f"{_value(fire.get('electrical_overload'))}"],
            ["Huur gescheiden van arbeid (ingang huur)", f"{_value(tenancy.get('lease_separate_from_employment'))} "
                                                         f"({datum(tenancy.get('lease_start'))})"],
            ["Informatiekaart aanwezig", _value(tenancy.get("info_card_present"))]]},
    ]


def rapport(data: dict[str, Any]) -> dict[str, Any]:
    """The rapport van bevindingen of one inspection."""
    item = data["inspections"][0]
    inspection = item["inspection"]
    header = [["Ons kenmerk", data["kenmerk"]], ["Opgemaakt door", item.get("inspector") or "-"],
              ["Onderwerp", f"Rapport van bevindingen - {address_line(data['address'])}"],
              ["Datum", datum(data["letter_date"])],
              ["Datum bezoek", datum(lokale_dag(str(inspection.get("started_at") or data["letter_date"])))]]
    return {"kind": "rapport", "title": TITLES["rapport"], "kenmerk": data["kenmerk"],
            "letterhead": data["letterhead"], "header": header, "blocks": inspection_blocks(item, data)}


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
            ["BAG-id", address.get("bag_id") or "-"], ["Verhuurder", _named(data, "verhuurder")],
            ["Werkgever of bureau", _named(data, "werkgever", "uitzendbureau")],
            ["Geopend op", datum(case["opened_on"])], ["Status", data.get("status_label") or case["status"]],
            ["Samengesteld op", datum(data["letter_date"])], ["Door", data["handler"]["name"]]]},
        {"t": "h2", "text": "Overtredingen"},
        _violations_table(data) if case["violations"] else
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


BUILDERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "rapport": rapport, "waarschuwing": waarschuwing, "voornemen_lod": voornemen_lod, "besluit_lod": besluit_lod,
    "voornemen_boete": voornemen_boete, "dossier": dossier,
}


def collect(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """Return the content of a document of a kind from the data the server gathered."""
    if kind not in BUILDERS:
        raise ValueError(f"unknown document kind {kind!r}")
    return BUILDERS[kind](data)
