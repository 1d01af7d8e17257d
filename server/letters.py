"""What each letter of a case holds, needs and does: the lasten it is about, the checks before it may be made,
approved and sent, the data `reports.collect` words, and what sending it changes in the case.

Letters rest on binding rules only: each last carries its overtreden voorschrift from the legal-basis
register. Terms come from server/terms.py (the Atw for statutory terms only). Procedure guards follow
the Awb: a zienswijze before a besluit (4:8), a besluit only after the zienswijze term or the
zienswijze, a boete only after a hercontrole past the warning's term found the violation again, the
repeat maximum only with an earlier boete for the same violation, the 13 weeks of 5:51 from the
rapport's date.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

from sqlite_utils import Database

from reports.fmt import bedrag, datum
from schemas.judge import inspection_date
from server import parties, store, terms
from server.auth import official
from server.case_flow import LETTER_STEP, STEPS, TRACK_STATES, last_state, lasten_of, track_state
from server.case_steps import add_boete, earlier_boete
from server.cases import CaseError
from server.db import rows

LETTER_KINDS = ("waarschuwing", "voornemen_lod", "besluit_lod", "invordering", "voornemen_boete", "besluit_boete",
                "publicatie")
# Letters that enclose the rapport van bevindingen (the verhuurder's version) they rest on.
ENCLOSES_RAPPORT = ("waarschuwing", "voornemen_lod", "voornemen_boete", "besluit_boete")
DISPATCH = {"post": "per gewone post", "aangetekend": "aangetekend", "email": "per e-mail",
            "uitreiking": "door uitreiking"}


def eligible(case: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    """Return the lasten a letter of this kind can be about, in the case's order."""
    lod, wgv = lasten_of(case, "lod"), lasten_of(case, "wgv")
    if kind == "waarschuwing":
        return [x for x in wgv if last_state(x, "wgv") == "open"]
    if kind == "voornemen_lod":
        return [x for x in lod if last_state(x, "lod") == "open"]
    if kind == "besluit_lod":
        return [x for x in lod if last_state(x, "lod") == "open" and x.get("voornemen")]
    if kind == "invordering":
        return [x for x in lod if last_state(x, "lod") == "verbeurd"]
    if kind == "voornemen_boete":
        return [x for x in wgv if last_state(x, "wgv") == "nog_aanwezig"]
    if kind == "besluit_boete":
        return [x for x in wgv if last_state(x, "wgv") == "nog_aanwezig" and (x.get("wgv") or {}).get("voornemen")]
    if kind == "publicatie":
        return [x for x in wgv if last_state(x, "wgv") == "beboet"]
    return list(case.get("lasten") or [])


def selected(case: dict[str, Any], kind: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the lasten this letter is about: the codes chosen, else every eligible one; refuse others (422)."""
    candidates = eligible(case, kind)
    codes = params.get("codes")
    if not codes:
        return candidates
    known = {x["code"] for x in candidates}
    wrong = [c for c in codes if c not in known]
    if wrong:
        raise CaseError(422, f"Deze brief kan niet over {', '.join(wrong)} gaan.",
                        {"codes": [f"Kies uit: {', '.join(sorted(known)) or 'geen'}."]})
    return [x for x in candidates if x["code"] in set(codes)]


def boete_maximum(letters: dict[str, Any], on: dt.date, repeat: bool) -> tuple[Decimal, bool]:
    """Return (the maximum boete, whether it is known for this date) from the dated table.

    A row holds from its valid_from until the next indexation (every `indexed_every_years`): for a
    date past it the true maximum is unknown (indexed, not yet entered), so the letter names no amount
    and the row's amount is used only as a lower bound the boete may not exceed.
    """
    table = sorted(letters["boete_maxima"], key=lambda r: r["valid_from"])
    rows_before = [r for r in table if dt.date.fromisoformat(r["valid_from"]) <= on]
    if not rows_before:
        raise CaseError(409, f"Er is geen boetemaximum bekend voor {datum(on)}.")
    row = rows_before[-1]
    start = dt.date.fromisoformat(row["valid_from"])
    known = on < start.replace(year=start.year + int(letters.get("indexed_every_years", 2)))
    return Decimal(str(row["repeat" if repeat else "first"])), known


def _days(params: dict[str, Any], code: str, default: int, key: str = "begunstigingstermijn_days") -> int:
    return int(((params.get("lasten") or {}).get(code) or {}).get(key) or default)


def _decided(params: dict[str, Any], code: str, key: str, default: Any) -> Any:
    value = ((params.get("lasten") or {}).get(code) or {}).get(key)
    return default if value in (None, "", {}) else value


def check(db: Database, settings: Any, case: dict[str, Any], kind: str, params: dict[str, Any],
          today: dt.date) -> None:
    """Refuse (CaseError) a letter that does not fit the case, misses what it needs, or breaks the procedure."""
    lasten = selected(case, kind, params)
    if not lasten:
        raise CaseError(409, f"Er is geen overtreding waarover een {settings.title(kind).lower()} nu kan gaan.")
    letter_date = dt.date.fromisoformat(params["letter_date"])
    _addressee(db, case, params, letter_date)
    if not any((o.get("reason") or "").strip() for o in case.get("overtreders") or []):
        raise CaseError(409, "Leg eerst vast wie de overtreder is en waarom (de brief moet zeggen waarom juist deze "
                             "partij de overtreder is).")
    visit = _visit(db, case)
    if visit is not None and letter_date < visit:
        raise CaseError(422, f"Een brief kan niet gedateerd zijn vóór het bezoek van {datum(visit)}.",
                        {"letter_date": ["Ligt vóór het bezoek."]})
    if kind in ENCLOSES_RAPPORT and _rapport_for(db, case, kind, lasten) is None:
        raise CaseError(409, "Het rapport van bevindingen is nog niet ondertekend door de toezichthouder; deze brief "
                             "gaat vergezeld van (de versie voor de verhuurder van) dat rapport.")
    for last in lasten:
        code = last["code"]
        dwangsom = _decided(params, code, "dwangsom", last.get("dwangsom"))
        if kind in ("voornemen_lod", "besluit_lod") and Decimal(str(dwangsom["max"])) < Decimal(
                str(dwangsom["amount"])):
            raise CaseError(422, f"{code}: het maximum van de dwangsom is lager dan het bedrag.",
                            {"lasten": {code: {"dwangsom": {"max": ["Lager dan het bedrag."]}}}})
    if kind in ("voornemen_boete", "besluit_boete"):
        _check_boetes(db, settings, case, kind, params, lasten, letter_date)
    if kind == "besluit_lod":
        _check_zienswijze(case, "lod", params, today)
    if kind == "besluit_boete":
        _check_zienswijze(case, "wgv", params, today)


def _check_zienswijze(case: dict[str, Any], track: str, params: dict[str, Any], today: dt.date) -> None:
    """A besluit waits for the zienswijze term or the zienswijze, and says how a zienswijze was weighed."""
    info = (case.get("tracks") or {}).get(track) or {}
    received = info.get("zienswijze")
    end_key = "zienswijze_end" if track == "lod" else "boete_zienswijze_end"
    end = info.get(end_key)
    if not received and end and today <= dt.date.fromisoformat(end):
        raise CaseError(409, f"De zienswijzetermijn loopt tot en met {datum(end)}; het besluit kan pas daarna, of nu "
                             "de zienswijze is vastgelegd.")
    if received and not str((params.get("weging") or {}).get("zienswijze") or "").strip():
        raise CaseError(422, f"Er is op {datum(received['received_on'])} een zienswijze ontvangen: beschrijf in het "
                             "besluit hoe die is gewogen.",
                        {"weging": {"zienswijze": ["Verplicht na een zienswijze."]}})


def _check_boetes(db: Database, settings: Any, case: dict[str, Any], kind: str, params: dict[str, Any],
                  lasten: list[dict[str, Any]], letter_date: dt.date) -> None:
    party = _overtreder(case)
    for last in lasten:
        code = last["code"]
        announced = (last.get("wgv") or {}).get("voornemen") or {}
        amount = _decided(params, code, "boete_amount", announced.get("amount"))
        if not amount:
            raise CaseError(422, f"{code}: vul het boetebedrag in.",
                            {"lasten": {code: {"boete_amount": ["Verplicht veld."]}}})
        repeat = bool(_decided(params, code, "repeat", announced.get("repeat", False)))
        found_again = (last.get("wgv") or {}).get("found_again") or {}
        if not found_again:
            raise CaseError(409, f"{code}: een boete kan pas als een hercontrole na de hersteltermijn de overtreding "
                                 "opnieuw heeft vastgesteld.")
        if repeat and earlier_boete(db, party, code, dt.date.fromisoformat(found_again["on"]),
                                    require_irrevocable=bool(settings.letters.get("recidive_requires_irrevocable"))
                                    ) is None:
            raise CaseError(409, f"{code}: het hogere maximum bij herhaling geldt alleen als binnen vier jaar vóór "
                                 f"deze "
                                 "constatering al een boete voor dezelfde overtreding is opgelegd; die is niet "
                                 "vastgelegd. Leg een eerdere boete vast of kies het gewone maximum.")
        maximum, _known = boete_maximum(settings.letters, letter_date, repeat)
        if Decimal(str(amount)) > maximum:
            raise CaseError(422, f"{code}: het boetebedrag is hoger dan het maximum ({bedrag(maximum)}).",
                            {"lasten": {code: {"boete_amount": ["Hoger dan het maximum."]}}})


def _overtreder(case: dict[str, Any]) -> str | None:
    found = [o for o in case.get("overtreders") or [] if (o.get("reason") or "").strip()]
    return found[0]["party_id"] if found else None


def _addressee(db: Database, case: dict[str, Any], params: dict[str, Any], on: dt.date) -> dict[str, Any]:
    """Return the party the letter goes to: the one named, else the first overtreder; it needs a postal address."""
    wanted = params.get("party_id") or _overtreder(case)
    party = parties.get_party(db, wanted) if wanted else None
    if party is None:
        found = parties.addressee(db, case["address_id"], on)
        party = parties.get_party(db, found["id"]) if found and found.get("id") else None
    if not parties.postal_complete(party):
        raise CaseError(409, "Leg eerst de overtreder met een volledig postadres vast: een brief moet aan iemand met "
                             "een "
                             "adres gericht zijn.")
    assert party is not None
    return party


def _visit(db: Database, case: dict[str, Any]) -> dt.date | None:
    if not case.get("inspection_id"):
        return None
    inspection = store.get(db, "inspection", case["inspection_id"])
    return inspection_date(inspection) if inspection and inspection.get("started_at") else None


def _rapport_for(db: Database, case: dict[str, Any], kind: str, lasten: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Return the signed rapport (the verhuurder's version) a letter rests on: the hercontrole's for a boete."""
    from server import rapport
    inspection_id = case.get("inspection_id")
    if kind in ("voornemen_boete", "besluit_boete"):
        again = [(x.get("wgv") or {}).get("found_again") or {} for x in lasten]
        inspection_id = next((a["inspection_id"] for a in again if a.get("inspection_id")), None)
    if not inspection_id:
        return None
    return rapport.landlord_version(db, inspection_id)


def _previous(db: Database, case_id: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for r in rows(db, "SELECT kind, kenmerk, letter_date, sent_on FROM documents WHERE case_id = ? AND sent_on IS "
                      "NOT NULL ORDER BY sent_on, created_at", [case_id]):
        out[r["kind"]] = {"kenmerk": r["kenmerk"], "letter_date": r["letter_date"], "sent_on": r["sent_on"]}
    return out


def _person(db: Database, user_id: str | None, fallback: str) -> dict[str, Any]:
    if not user_id:
        return {"name": fallback, "function": None, "phone": None, "email": None}
    found = official(db, user_id)
    return {"name": found["full_name"] or fallback, "function": found["function_title"], "phone": found["phone"],
            "email": found["email"]}


def _term_dict(value: terms.Term) -> dict[str, Any]:
    return value.as_dict()


def gather(db: Database, settings: Any, case: dict[str, Any], kind: str, params: dict[str, Any], kenmerk: str,
           handler_id: str | None, signer_id: str | None) -> dict[str, Any]:
    """Return the plain data `reports.collect` words into a letter of this kind."""
    letter_date = dt.date.fromisoformat(params["letter_date"])
    lasten = selected(case, kind, params)
    address = store.get(db, "address", case["address_id"], include_deleted=True) or {}
    party = _addressee(db, case, params, letter_date)
    overtreder = next((o for o in case.get("overtreders") or [] if o["party_id"] == party["id"]),
                      (case.get("overtreders") or [{}])[0])
    config = settings.terms
    data: dict[str, Any] = {
        "kind": kind, "kenmerk": kenmerk, "letter_date": letter_date.isoformat(), "letterhead": settings.letterhead,
        "bijlagen": list(params.get("bijlagen") or []), "toelichting": params.get("toelichting"),
        "handler": _person(db, handler_id, "de behandelaar"), "signer": _person(db, signer_id, "-"),
        "mandate": settings.mandate, "rechtsmiddelen": settings.rechtsmiddelen,
        "addressee": {"name": party["name"], "lines": parties.address_block(party)},
        "overtreder": {"name": party["name"], "role": overtreder.get("role"), "reason": overtreder.get("reason")},
        "case": {"number": case["number"], "opened_on": case["opened_on"], "melding": case.get("melding")},
        "address": address, "previous": _previous(db, case["id"]), "weging": dict(params.get("weging") or {}),
        "visit": (_visit(db, case) or letter_date).isoformat(), "lasten": [], "terms": {},
    }
    rapport = _rapport_for(db, case, kind, lasten)
    if rapport:
        data["rapport"] = {"kenmerk": rapport["kenmerk"], "letter_date": rapport["letter_date"],
                           "enclosed": kind in ENCLOSES_RAPPORT}
        enclosed = f"Rapport van bevindingen, versie voor de verhuurder ({rapport['kenmerk']})"
        if kind in ENCLOSES_RAPPORT and enclosed not in data["bijlagen"]:
            data["bijlagen"].append(enclosed)
    for last in lasten:
        data["lasten"].append(_last_data(db, settings, case, kind, params, last, letter_date, party["id"]))
    tracks = case.get("tracks") or {}
    if kind in ("voornemen_lod", "voornemen_boete"):
        data["terms"]["zienswijze"] = _term_dict(terms.zienswijze(letter_date, config))
    if kind in ("besluit_lod", "besluit_boete", "invordering", "publicatie"):
        data["terms"]["bezwaar"] = _term_dict(terms.bezwaar(letter_date, config))
    if kind == "besluit_lod":
        data["zienswijze"] = (tracks.get("lod") or {}).get("zienswijze")
    if kind == "besluit_boete":
        data["zienswijze"] = (tracks.get("wgv") or {}).get("zienswijze")
        data["beslistermijn"] = (tracks.get("wgv") or {}).get("beslistermijn_end")
    if kind == "publicatie":
        data["publicatie"] = {"not_before": working_days_after(letter_date, 10).isoformat(),
                              "names": bool(params.get("names_public")), "weging_namen": params.get("weging_namen")}
    return data


def _last_data(db: Database, settings: Any, case: dict[str, Any], kind: str, params: dict[str, Any],
               last: dict[str, Any], letter_date: dt.date, party_id: str) -> dict[str, Any]:
    code = last["code"]
    config = settings.terms
    out: dict[str, Any] = {
        "code": code, "title": last["title"], "regime": last["regime"], "voorschriften": last["voorschriften"],
        "toetsingskader": last.get("toetsingskader"), "findings": last["findings"],
        "herstelmaatregel": _decided(params, code, "herstelmaatregel",
                                     (last.get("voornemen") or {}).get("herstelmaatregel") or last["herstelmaatregel"]),
    }
    if kind == "waarschuwing":
        days = _days(params, code, last["begunstigingstermijn_days"], "herstel_days")
        out["herstel"] = _term_dict(terms.begunstiging_days(letter_date, days, config)) | {"days": days}
        maximum, known = boete_maximum(settings.letters, letter_date, False)
        out["boete_maximum"] = str(maximum) if known else None
    if kind in ("voornemen_lod", "besluit_lod"):
        announced = last.get("voornemen") or {}
        days = _days(params, code, announced.get("begunstigingstermijn_days") or last["begunstigingstermijn_days"])
        out["days"] = days
        out["dwangsom"] = _decided(params, code, "dwangsom", announced.get("dwangsom") or last["dwangsom"])
        if kind == "besluit_lod":
            out["term"] = _term_dict(terms.begunstiging_days(letter_date, days, config))
    if kind == "invordering":
        out["forfeited"] = forfeited(last)
        out["dwangsom"] = last["dwangsom"]
        out["term"] = last.get("term")
        out["due"] = _term_dict(terms.invordering(dt.date.fromisoformat(last["forfeited"]["first_on"]), config))
    if kind in ("voornemen_boete", "besluit_boete", "publicatie"):
        wgv = last.get("wgv") or {}
        announced = wgv.get("voornemen") or {}
        repeat = bool(_decided(params, code, "repeat", announced.get("repeat", False)))
        maximum, known = boete_maximum(settings.letters, letter_date, repeat)
        earlier = earlier_boete(db, party_id, code, dt.date.fromisoformat(wgv["found_again"]["on"]),
                                require_irrevocable=bool(settings.letters.get("recidive_requires_irrevocable"))) \
            if repeat and wgv.get("found_again") else None
        out["boete"] = {"amount": str(_decided(params, code, "boete_amount", announced.get("amount")) or
                                      (wgv.get("boete") or {}).get("amount")),
                        "repeat": repeat, "maximum": str(maximum) if known else None,
                        "earlier": {"kenmerk": earlier["kenmerk"], "imposed_on": earlier["imposed_on"]}
                        if earlier else None}
        out["warned"] = {"kenmerk": wgv.get("waarschuwing"), "on": wgv.get("warned_on"),
                         "herstel_end": wgv.get("herstel_end")}
        out["found_again"] = wgv.get("found_again")
    return out


def forfeited(last: dict[str, Any]) -> dict[str, Any]:
    """Return what a verbeurde dwangsom comes to: per started week since the term ended, or per violation found."""
    dwangsom = last["dwangsom"]
    info = last["forfeited"]
    first, found = dt.date.fromisoformat(info["first_on"]), dt.date.fromisoformat(info["found_on"])
    units = max(1, math.ceil(((found - first).days + 1) / 7)) if dwangsom["per"] == "week" else int(
        info.get("count") or 1)
    amount = min(Decimal(str(dwangsom["amount"])) * units, Decimal(str(dwangsom["max"])))
    return {"first_on": info["first_on"], "found_on": info["found_on"], "units": units,
            "per": dwangsom["per"], "amount": f"{amount:.2f}"}


def working_days_after(day: dt.date, count: int) -> dt.date:
    """Return the day on which `count` working days (Monday to Friday but Atw feestdagen) after `day` have passed."""
    from server.terms import non_working_reason
    current, passed = day, 0
    while passed < count:
        current += dt.timedelta(days=1)
        if non_working_reason(current) is None:
            passed += 1
    return current + dt.timedelta(days=1)


def unverified(content_lasten: list[dict[str, Any]]) -> list[str]:
    """Return the voorschriften a letter cites that the municipality has not verified against the official text."""
    out = []
    for last in content_lasten:
        for v in last.get("voorschriften") or []:
            if not v.get("verified"):
                out.append(f"{last['code']}: {v['regeling']}, {v['artikel']}")
    return out


def apply_sent(db: Database, settings: Any, case: dict[str, Any], row: dict[str, Any], sent_on: dt.date,
               user: dict[str, Any]) -> None:
    """Copy what a sent letter decided into the case (before the case step it stands for)."""
    kind, data = row["kind"], row["data"]["gathered"]
    tracks = case.setdefault("tracks", {})
    by_code = {x["code"]: x for x in case.get("lasten") or []}
    track = STEPS[LETTER_STEP[kind]].track
    info = tracks.setdefault(track, {"state": "geen"})
    info.setdefault("letters", []).append({"kind": kind, "kenmerk": row["kenmerk"], "sent_on": sent_on.isoformat()})
    chosen = {x["code"] for x in data["lasten"]}
    for item in data["lasten"]:
        last = by_code[item["code"]]
        if kind == "waarschuwing":
            last.setdefault("wgv", {}).update({"warned_on": sent_on.isoformat(), "waarschuwing": row["kenmerk"],
                                               "herstel_end": item["herstel"]["end"]})
        elif kind == "voornemen_lod":
            last["voornemen"] = {"herstelmaatregel": item["herstelmaatregel"], "dwangsom": item["dwangsom"],
                                 "begunstigingstermijn_days": item["days"], "kenmerk": row["kenmerk"]}
        elif kind == "besluit_lod":
            last.update({"herstelmaatregel": item["herstelmaatregel"], "dwangsom": item["dwangsom"],
                         "term": item["term"], "besluit": row["kenmerk"]})
        elif kind == "invordering":
            last["invordering"] = {"kenmerk": row["kenmerk"], "amount": item["forfeited"]["amount"],
                                   "due": item["due"]["end"], "sent_on": sent_on.isoformat()}
        elif kind == "voornemen_boete":
            last["wgv"]["voornemen"] = {"amount": item["boete"]["amount"], "repeat": item["boete"]["repeat"],
                                        "kenmerk": row["kenmerk"]}
        elif kind == "besluit_boete":
            last["wgv"]["boete"] = {"amount": item["boete"]["amount"], "repeat": item["boete"]["repeat"],
                                    "kenmerk": row["kenmerk"], "imposed_on": sent_on.isoformat()}
            last["states"]["wgv"] = "beboet"
            add_boete(db, user, party_id=_overtreder(case), code=item["code"], imposed_on=sent_on,
                      kenmerk=row["kenmerk"], irrevocable_on=None, amount=item["boete"]["amount"], source="systeem",
                      case_id=case["id"], document_id=row["id"])
    if kind in ("voornemen_lod", "besluit_lod", "waarschuwing"):
        for last in lasten_of(case, track):  # lasten this letter left out are not part of its track
            if last["code"] not in chosen and last_state(last, track) == "open":
                last["states"][track] = "niet_opgenomen"
    terms_said = data.get("terms") or {}
    if kind == "voornemen_lod":
        info["zienswijze_end"] = terms_said["zienswijze"]["end"]
    if kind == "besluit_lod":
        info["bezwaar_end"] = terms_said["bezwaar"]["end"]
    if kind == "waarschuwing":
        info["herstel_end"] = max(x["herstel"]["end"] for x in data["lasten"])
    if kind == "voornemen_boete":
        info["boete_zienswijze_end"] = terms_said["zienswijze"]["end"]
        if data.get("rapport"):
            rapport_date = dt.date.fromisoformat(data["rapport"]["letter_date"])
            info["rapport"] = data["rapport"]
            info["beslistermijn_end"] = terms.boete_beslistermijn(rapport_date, settings.terms).end.isoformat()
    if kind == "besluit_boete":
        info["bezwaar_end"] = terms_said["bezwaar"]["end"]
    if kind == "publicatie":
        info["publicatie"] = {"sent_on": sent_on.isoformat(), "not_before": data["publicatie"]["not_before"]}


def track_label(case: dict[str, Any], track: str) -> str:
    """Return a track's state in Dutch."""
    return TRACK_STATES[track][track_state(case, track)]
