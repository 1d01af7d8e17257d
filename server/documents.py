"""Documents of a case: concept, approval (frozen PDF stored by hash) and sending.

A concept holds its parameters and the collected content; its PDF is drawn on request,
marked CONCEPT. Approval draws the final PDF once, stores it under its SHA-256 in
DATA/documents/ and freezes the row (the database refuses later changes, see m004).
Sending records the date and takes the case step the letter stands for, with the terms
the letter states.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from reports import TITLES, collect, render
from reports.fmt import bedrag, datum
from schemas.judge import inspection_date
from server import store, terms
from server.attachments import final_path
from server.case_flow import DOCUMENT_STEP, STATES, can_make_document
from server.cases import CaseError, add_event, get_case, step, timeline
from server.db import rows, write
from server.evaluation import stored_evaluation
from server.parties import address_block, addressee, parties_at
from server.print_photos import print_copy
from server.settings import config_file

LETTERS = tuple(DOCUMENT_STEP)
KINDS = tuple(TITLES)


def load_letters(path: str | None = None) -> dict[str, Any]:
    """Return the letter defaults: remedies per code, dwangsom, boete maximum."""
    return config_file(path or None, "letters.json")


def document_folder(data_dir: str | Path) -> Path:
    """Return where approved PDFs are kept."""
    return Path(data_dir) / "documents"


def pdf_path(data_dir: str | Path, sha256: str) -> Path:
    """Return the file of an approved PDF: stored once, by hash."""
    return document_folder(data_dir) / sha256[:2] / f"{sha256}.pdf"


class Settings:
    """What documents need from the app config."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.data = Path(config["DATA"])
        self.terms = terms.load_terms(config.get("TERMS") or None)
        self.letters = load_letters(config.get("LETTERS") or None)
        self.letterhead = {"name": config.get("LETTERHEAD_NAME") or "Gemeente Aalsmeer",
                           "address": list(config.get("LETTERHEAD_ADDRESS") or []),
                           "logo": config.get("LETTERHEAD_LOGO") or None}

    def image_path(self, sha256: str) -> str | None:
        """Return the print copy of a received photo (made once), or None; raise PhotoUnreadable."""
        return print_copy(self.data, sha256)

    def photo_received(self, sha256: str) -> bool:
        """Return whether the server holds this photo, readable or not."""
        return final_path(self.data, sha256).exists()


def get_document(db: Database, document_id: str) -> dict[str, Any]:
    """Return a document row with its stored data, or raise CaseError 404."""
    found = rows(db, "SELECT * FROM documents WHERE id = ?", [document_id])
    if not found:
        raise CaseError(404, "Document niet gevonden.")
    row = found[0]
    row["data"] = json.loads(row["data"])
    return row


def summary(row: dict[str, Any]) -> dict[str, Any]:
    """Return what a list shows of a document."""
    return {key: row[key] for key in ("id", "case_id", "kind", "kenmerk", "status", "letter_date", "sha256", "size",
                                      "created_at", "approved_at", "sent_on")} | {"title": TITLES[row["kind"]]}


def _user_name(db: Database, user_id: str | None) -> str | None:
    found = rows(db, "SELECT name FROM users WHERE id = ?", [user_id]) if user_id else []
    return found[0]["name"] if found else None


def _inspection_item(db: Database, inspection: dict[str, Any]) -> dict[str, Any]:
    evaluation = stored_evaluation(db, inspection["id"]) or {"findings": [], "not_assessed": [], "norm_set": None}
    norm_set = None
    if evaluation.get("norm_set"):
        found = rows(db, "SELECT data FROM norm_sets WHERE id = ? AND version = ?",
                     [evaluation["norm_set"]["id"], evaluation["norm_set"]["version"]])
        norm_set = json.loads(found[0]["data"]) if found else None
    return {"inspection": inspection, "evaluation": evaluation, "norm_set": norm_set,
            "inspector": _user_name(db, inspection.get("inspector_id")) or "onbekende toezichthouder"}


def _case_inspections(db: Database, case: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the submitted inspections of a case: the one it was opened from and those at its address since."""
    found = rows(db, "SELECT id FROM inspections WHERE address_id = ? AND status = 'submitted' AND deleted = 0 "
                     "AND (id = ? OR substr(started_at, 1, 10) >= ?) ORDER BY started_at",
                 [case["address_id"], case.get("inspection_id") or "", case["opened_on"]])
    out = []
    for r in found:
        inspection = store.get(db, "inspection", r["id"])
        if inspection is not None:
            out.append(inspection)
    return out


def boete_max(settings: Settings, params: dict[str, Any]) -> str:
    """Return the maximum fine: for a first offence, or for a repeat within four years."""
    repeat = bool((params.get("boete") or {}).get("repeat"))
    return str(settings.letters["boete_max_repeat" if repeat else "boete_max"])


def _latest_rapport(db: Database, case_id: str) -> dict[str, Any] | None:
    found = rows(db, "SELECT kenmerk, letter_date FROM documents WHERE case_id = ? AND kind = 'rapport' AND status = "
                     "'approved' ORDER BY approved_at DESC LIMIT 1", [case_id])
    return found[0] if found else None


def _previous(db: Database, case_id: str) -> dict[str, Any]:
    """Return the latest sent letter of each kind of a case."""
    out: dict[str, Any] = {}
    for r in rows(db, "SELECT kind, kenmerk, letter_date, sent_on FROM documents WHERE case_id = ? AND sent_on IS "
                      "NOT NULL ORDER BY sent_on, created_at", [case_id]):
        out[r["kind"]] = {"kenmerk": r["kenmerk"], "letter_date": r["letter_date"], "sent_on": r["sent_on"]}
    return out


def _terms(kind: str, letter_date: dt.date, case: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
    codes = [v["code"] for v in case["violations"]]
    per_code = {code: terms.begunstigingstermijn(letter_date, code, config).as_dict() for code in codes}
    if kind == "waarschuwing":
        return {"herstel": per_code}
    if kind == "voornemen_lod":
        return {"zienswijze": terms.zienswijze(letter_date, config).as_dict(), "begunstigingstermijn": per_code}
    if kind == "besluit_lod":
        return {"begunstigingstermijn": per_code, "bezwaar": terms.bezwaar(letter_date, config).as_dict()}
    if kind == "voornemen_boete":
        return {"zienswijze": terms.zienswijze(letter_date, config).as_dict()}
    return {}


def gather(db: Database, settings: Settings, case: dict[str, Any], kind: str, params: dict[str, Any],
           kenmerk: str, handler_id: str, document_id: str) -> dict[str, Any]:
    """Return the data `reports.collect` words into a document of this kind (document_id: the document itself)."""
    letter_date = dt.date.fromisoformat(params["letter_date"])
    address = store.get(db, "address", case["address_id"], include_deleted=True) or {}
    if kind == "rapport":
        inspection = store.get(db, "inspection", params["inspection_id"])
        inspections = [_inspection_item(db, inspection)] if inspection else []
    else:
        inspections = [_inspection_item(db, i) for i in _case_inspections(db, case)]
    remedies = {**settings.letters["remedies"], **(case.get("remedies") or {}), **(params.get("remedies") or {})}
    data: dict[str, Any] = {
        "kenmerk": kenmerk, "letter_date": letter_date.isoformat(),
        "handler": {"name": _user_name(db, handler_id) or "-", "title": settings.letters.get("handler_title")},
        "letterhead": settings.letterhead, "bijlagen": list(params.get("bijlagen") or []),
        "toelichting": params.get("toelichting"), "case": case, "address": address, "inspections": inspections,
        "remedies": remedies, "terms": _terms(kind, letter_date, case, settings.terms),
        "dwangsom": {**settings.letters["dwangsom"], **(case.get("dwangsom") or {}), **(params.get("dwangsom") or {})},
        "boete": {"amount": (params.get("boete") or {}).get("amount"), "max": boete_max(settings, params),
                  "repeat": bool((params.get("boete") or {}).get("repeat"))},
        "previous": _previous(db, case["id"]),
        "zienswijze_ontvangen": (case.get("terms") or {}).get("zienswijze_ontvangen"),
        "status_label": STATES[case["status"]],
        # Whom a letter goes to: the verhuurder with a complete postal address, on the letter's date.
        "addressee": _addressee(db, case["address_id"], letter_date),
        "parties": [{"role": p["role"], "name": p["name"]} for p in parties_at(db, case["address_id"], None,
                                                                              letter_date)],
    }
    if kind == "voornemen_boete":
        data["rapport"] = _latest_rapport(db, case["id"])
        if data["rapport"]:
            enclosed = f"Rapport van bevindingen ({data['rapport']['kenmerk']})"
            if enclosed not in data["bijlagen"]:
                data["bijlagen"].append(enclosed)
    if kind == "dossier":
        docs = rows(db, "SELECT kind, kenmerk, letter_date, status, sent_on, sha256 FROM documents WHERE case_id = ? "
                        "AND id != ? ORDER BY created_at", [case["id"], document_id])
        data["documents"] = [{**d, "title": TITLES[d["kind"]]} for d in docs]
        kenmerken = {d["id"]: d["kenmerk"] for d in rows(db, "SELECT id, kenmerk FROM documents WHERE case_id = ?",
                                                         [case["id"]])} | {document_id: kenmerk}
        data["timeline"] = [{"at": e["at"], "label": e["label"], "user_name": e["user_name"],
                             "document": kenmerken.get(e["document_id"] or "")} for e in timeline(db, case["id"])]
    return data


def _addressee(db: Database, address_id: str, on: dt.date) -> dict[str, Any] | None:
    party = addressee(db, address_id, on)
    if party is None:
        return None
    return {"party_id": party["id"], "name": party["name"], "kind": party["kind"], "kvk": party.get("kvk"),
            "lines": address_block(party)}


def _check(db: Database, settings: Settings, case: dict[str, Any], kind: str, params: dict[str, Any]) -> None:
    unknown = sorted(set(params.get("remedies") or {}) - {v["code"] for v in case["violations"]})
    if unknown:
        raise CaseError(422, "Herstelmaatregelen horen bij overtredingen van de zaak.",
                        {"remedies": {code: ["Geen overtreding van deze zaak."] for code in unknown}})
    if kind in LETTERS and not can_make_document(case["status"], kind):
        raise CaseError(409, f"Een {TITLES[kind].lower()} past niet bij de toestand van de zaak "
                             f"('{STATES[case['status']]}').")
    if kind in LETTERS and not case["violations"]:
        raise CaseError(409, "Deze zaak heeft geen vastgestelde overtredingen; maak eerst een rapport van "
                             "bevindingen van een inspectie.")
    if kind in LETTERS and addressee(db, case["address_id"], dt.date.fromisoformat(params["letter_date"])) is None:
        raise CaseError(409, "Leg eerst de verhuurder met een volledig postadres vast: een brief moet aan iemand "
                             "gericht zijn (POST /api/v1/addresses/<id>/parties).")
    if kind == "voornemen_boete":
        if not (params.get("boete") or {}).get("amount"):
            raise CaseError(422, "Vul het boetebedrag in.", {"boete": {"amount": ["Verplicht veld."]}})
        maximum = boete_max(settings, params)
        if Decimal(str(params["boete"]["amount"])) > Decimal(maximum):
            raise CaseError(422, f"Het boetebedrag is hoger dan het wettelijk maximum ({bedrag(maximum)}).",
                            {"boete": {"amount": ["Hoger dan het maximum."]}})
        if "waarschuwing" not in _previous(db, case["id"]):
            raise CaseError(409, "Onder de Wet goed verhuurderschap gaat een waarschuwing aan een boete vooraf; "
                                 "verzend eerst een waarschuwing.")
        if _latest_rapport(db, case["id"]) is None:
            raise CaseError(409, "Stel eerst het rapport van bevindingen vast; het gaat mee met het voornemen.")
    _check_zienswijze_answered(case, kind, params)
    if kind == "rapport":
        inspection = store.get(db, "inspection", params.get("inspection_id") or "")
        if inspection is None or inspection["address_id"] != case["address_id"]:
            raise CaseError(422, "Kies een inspectie op het adres van de zaak.",
                            {"inspection_id": ["Onbekende inspectie voor deze zaak."]})
        if inspection["status"] != "submitted":
            raise CaseError(409, "Van een inspectie die nog niet is ingediend wordt geen rapport gemaakt.")
        visited = [inspection]
    else:
        visited = _case_inspections(db, case)[:1]
    if visited and visited[0].get("started_at"):
        visit = inspection_date(visited[0])
        if dt.date.fromisoformat(params["letter_date"]) < visit:
            raise CaseError(422, f"Een document kan niet gedateerd zijn vóór het bezoek van {datum(visit)}.",
                            {"letter_date": ["Ligt vóór het bezoek."]})
    dwangsom = {**settings.letters["dwangsom"], **(params.get("dwangsom") or {})}
    if Decimal(str(dwangsom["max"])) < Decimal(str(dwangsom["amount"])):
        raise CaseError(422, "Het maximum van de dwangsom is lager dan het bedrag.",
                        {"dwangsom": {"max": ["Lager dan het bedrag."]}})


def _check_zienswijze_answered(case: dict[str, Any], kind: str, params: dict[str, Any]) -> None:
    """A besluit after a zienswijze says how it was weighed (Awb 3:46): the toelichting is required."""
    if kind == "besluit_lod" and (case.get("terms") or {}).get("zienswijze_ontvangen") and \
            not (params.get("toelichting") or "").strip():
        raise CaseError(422, "Er is een zienswijze ontvangen: geef in de toelichting aan hoe die is meegewogen.",
                        {"toelichting": ["Verplicht na een zienswijze."]})


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def make_concept(db: Database, settings: Settings, case_id: str, user: dict[str, Any], params: dict[str, Any],
                 today: dt.date | None = None) -> dict[str, Any]:
    """Make a concept document of a kind for a case; return its row."""
    params = _jsonable(params)
    kind = params.pop("kind")
    params.setdefault("letter_date", (today or dt.date.today()).isoformat())
    with write(db):
        case = get_case(db, case_id)
        if kind == "rapport" and not params.get("inspection_id"):
            params["inspection_id"] = case.get("inspection_id")
        _check(db, settings, case, kind, params)
        count = rows(db, "SELECT count(*) AS n FROM documents WHERE case_id = ?", [case_id])[0]["n"]
        kenmerk = f"{case['number']}-{count + 1:02d}"
        document_id = str(uuid.uuid4())
        # The event first, so that a dossier's timeline holds its own making.
        add_event(db, case_id, user["id"], "concept", f"Concept {TITLES[kind].lower()} gemaakt ({kenmerk})",
                  document_id=document_id)
        stored = _collected(db, settings, case, kind, params, kenmerk, user["id"], document_id)
        db.execute("INSERT INTO documents (id, case_id, kind, status, letter_date, data, created_at, created_by, "
                   "kenmerk) VALUES (?, ?, ?, 'concept', ?, ?, ?, ?, ?)",
                   [document_id, case_id, kind, params["letter_date"], json.dumps(stored, ensure_ascii=False),
                    store.now(), user["id"], kenmerk])
    return get_document(db, document_id)


def _collected(db: Database, settings: Settings, case: dict[str, Any], kind: str, params: dict[str, Any],
               kenmerk: str, handler_id: str, document_id: str) -> dict[str, Any]:
    """Return what a document row keeps: its parameters, the terms and sums it states, and its content."""
    data = gather(db, settings, case, kind, params, kenmerk, handler_id, document_id)
    collected = {"params": params, "terms": data["terms"],
                 "dwangsom": data["dwangsom"] if kind in ("voornemen_lod", "besluit_lod") else None,
                 "content": collect(kind, data)}
    normal: dict[str, Any] = json.loads(json.dumps(collected, ensure_ascii=False))
    return normal


def _recollected(db: Database, settings: Settings, row: dict[str, Any], case: dict[str, Any]
                 ) -> dict[str, Any] | None:
    """Return the document collected again from today's data when that differs from what it holds, else None."""
    fresh = _collected(db, settings, case, row["kind"], row["data"]["params"], row["kenmerk"], row["created_by"],
                       row["id"])
    same = all(fresh[key] == row["data"].get(key) for key in ("terms", "dwangsom", "content"))
    return None if same else fresh


def update_concept(db: Database, settings: Settings, document_id: str, user: dict[str, Any],
                   changes: dict[str, Any]) -> dict[str, Any]:
    """Change a concept's parameters and collect it again; an approved document is refused (409)."""
    changes = _jsonable(changes)
    with write(db):
        row = get_document(db, document_id)
        if row["status"] != "concept":
            raise CaseError(409, "Dit document is vastgesteld en kan niet meer worden gewijzigd; maak een nieuw "
                                 "concept als correctie.")
        case = get_case(db, row["case_id"])
        params = {**row["data"]["params"], **changes}
        _check(db, settings, case, row["kind"], params)
        add_event(db, row["case_id"], user["id"], "concept_gewijzigd",
                  f"Concept {TITLES[row['kind']].lower()} gewijzigd ({row['kenmerk']})", document_id=document_id)
        stored = _collected(db, settings, case, row["kind"], params, row["kenmerk"], row["created_by"], document_id)
        db.execute("UPDATE documents SET data = ?, letter_date = ? WHERE id = ? AND status = 'concept'",
                   [json.dumps(stored, ensure_ascii=False), params["letter_date"], document_id])
    return get_document(db, document_id)


def concept_pdf(settings: Settings, row: dict[str, Any]) -> bytes:
    """Return a concept's PDF, marked CONCEPT."""
    return render(row["data"]["content"], settings.image_path, concept=True)


def _store_pdf(settings: Settings, pdf: bytes) -> str:
    sha256 = hashlib.sha256(pdf).hexdigest()
    target = pdf_path(settings.data, sha256)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        part = target.with_suffix(f".{uuid.uuid4().hex}.part")
        with open(part, "wb") as handle:
            handle.write(pdf)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(part, target)
    return sha256


def approve(db: Database, settings: Settings, document_id: str, user: dict[str, Any]) -> dict[str, Any]:
    """Freeze a concept: draw its final PDF, store it by hash and record who approved it when.

    A concept whose case changed since it was made (a zienswijze came in, a letter went out)
    is first brought up to date and refused (409), so that nobody approves what he did not see.
    """
    with write(db):
        row = get_document(db, document_id)
        if row["status"] != "concept":
            raise CaseError(409, "Dit document is al vastgesteld.")
        case = get_case(db, row["case_id"])
        if row["kind"] in LETTERS and not can_make_document(case["status"], row["kind"]):
            raise CaseError(409, f"De zaak staat in '{STATES[case['status']]}'; deze brief past daar niet meer bij.")
        fresh = _recollected(db, settings, row, case)
        if fresh is not None:
            db.execute("UPDATE documents SET data = ? WHERE id = ? AND status = 'concept'",
                       [json.dumps(fresh, ensure_ascii=False), document_id])
        seen = rows(db, "SELECT data FROM documents WHERE id = ?", [document_id])[0]["data"]
        if fresh is None:
            _check_zienswijze_answered(case, row["kind"], row["data"]["params"])
    if fresh is not None:
        raise CaseError(409, "De gegevens van de zaak zijn veranderd sinds dit concept is gemaakt; het concept is "
                             "bijgewerkt. Bekijk het opnieuw en stel het dan vast.")
    missing = [b["sha256"] for b in _photo_blocks(row["data"]["content"]["blocks"])
               if not settings.photo_received(b["sha256"])]
    if missing:
        what = "1 foto van dit rapport is" if len(missing) == 1 else f"{len(missing)} foto's van dit rapport zijn"
        raise CaseError(409, f"{what} nog niet ontvangen; stel het vast als de tablet heeft gesynchroniseerd.")
    pdf = render(row["data"]["content"], settings.image_path)  # outside the write lock: it may take a while
    sha256 = _store_pdf(settings, pdf)
    with write(db):
        changed = db.execute("UPDATE documents SET status = 'approved', sha256 = ?, size = ?, approved_at = ?, "
                             "approved_by = ? WHERE id = ? AND status = 'concept' AND data = ?",
                             [sha256, len(pdf), store.now(), user["id"], document_id, seen]).rowcount
        if changed != 1:
            raise CaseError(409, "Dit concept is intussen gewijzigd of vastgesteld; bekijk het opnieuw.")
        add_event(db, row["case_id"], user["id"], "vastgesteld",
                  f"{TITLES[row['kind']]} vastgesteld ({row['kenmerk']}, SHA-256 {sha256[:12]}…)",
                  {"sha256": sha256}, document_id)
    return get_document(db, document_id)


def _photo_blocks(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for block in blocks:
        if block["t"] == "photo":
            out.append(block)
        elif block["t"] == "keep":
            out += _photo_blocks(block["blocks"])
    return out


def approved_pdf(settings: Settings, row: dict[str, Any]) -> bytes:
    """Return an approved document's stored PDF, checked against its hash."""
    try:
        pdf = pdf_path(settings.data, row["sha256"]).read_bytes()
    except FileNotFoundError:
        raise CaseError(500, "Het bewaarde bestand van dit document ontbreekt.") from None
    if hashlib.sha256(pdf).hexdigest() != row["sha256"]:
        raise CaseError(500, "Het bewaarde bestand van dit document komt niet overeen met zijn SHA-256.")
    return pdf


def send(db: Database, settings: Settings, document_id: str, user: dict[str, Any], sent_on: dt.date,
         today: dt.date | None = None) -> dict[str, Any]:
    """Record that an approved letter was sent and take the case step it stands for, with its terms.

    A letter that no longer says what the case holds (say a zienswijze came in after it was
    approved) is refused: it stays as it is, and a new concept follows.
    """
    today = today or dt.date.today()
    with write(db):
        row = get_document(db, document_id)
        if row["kind"] not in LETTERS:
            raise CaseError(409, f"Een {TITLES[row['kind']].lower()} wordt niet verzonden.")
        if row["status"] != "approved":
            raise CaseError(409, "Alleen een vastgestelde brief kan worden verzonden.")
        if row["sent_on"]:
            raise CaseError(409, f"Deze brief is al verzonden op {datum(row['sent_on'])}.")
        if sent_on > today:
            raise CaseError(422, "De verzenddatum ligt in de toekomst.", {"sent_on": ["Ligt in de toekomst."]})
        if sent_on.isoformat() != row["letter_date"]:
            raise CaseError(409, f"De brief is gedateerd {datum(row['letter_date'])} en de termijnen erin lopen "
                                 "vanaf die datum; verzend hem op die datum, of maak een nieuw concept met de juiste "
                                 "datum.",
                            {"sent_on": [f"Moet {datum(row['letter_date'])} zijn."]})
        case = get_case(db, row["case_id"])
        if _recollected(db, settings, row, case) is not None:
            raise CaseError(409, "De gegevens van de zaak zijn veranderd sinds deze brief is vastgesteld; maak een "
                                 "nieuw concept en stel dat vast.")
        _apply_terms(case, row)
        store.put(db, "case", case, actor=user["id"], expected_version=case["version"])
        db.execute("UPDATE documents SET sent_on = ?, sent_by = ? WHERE id = ?",
                   [sent_on.isoformat(), user["id"], document_id])
        step(db, row["case_id"], user, DOCUMENT_STEP[row["kind"]], {"kenmerk": row["kenmerk"]},
             document_id=document_id, today=sent_on)
    return get_document(db, document_id)


def _apply_terms(case: dict[str, Any], row: dict[str, Any]) -> None:
    """Copy the terms a sent letter states into the case."""
    kind, stated = row["kind"], row["data"]["terms"]
    case_terms = case.setdefault("terms", {})
    if kind == "waarschuwing":
        case_terms["herstel"] = {c: t["end"] for c, t in stated["herstel"].items()}
        case_terms["herstel_end"] = max(case_terms["herstel"].values())
    elif kind == "voornemen_lod":
        case_terms["zienswijze_end"] = stated["zienswijze"]["end"]
        case_terms.pop("zienswijze_ontvangen", None)
        _keep_remedies(case, row)
        case["dwangsom"] = row["data"]["dwangsom"]  # the besluit starts from what the voornemen announced
    elif kind == "besluit_lod":
        case_terms["begunstigingstermijnen"] = {c: t["end"] for c, t in stated["begunstigingstermijn"].items()}
        case_terms["begunstigingstermijn_end"] = max(case_terms["begunstigingstermijnen"].values())
        case_terms["bezwaar_end"] = stated["bezwaar"]["end"]
        case["dwangsom"] = row["data"]["dwangsom"]
        _keep_remedies(case, row)
    elif kind == "voornemen_boete":
        case_terms["boete_zienswijze_end"] = stated["zienswijze"]["end"]


def _keep_remedies(case: dict[str, Any], row: dict[str, Any]) -> None:
    """Keep the remedies a sent letter set for the case's violations, over earlier ones."""
    codes = {v["code"] for v in case["violations"]}
    chosen = {code: text for code, text in (row["data"]["params"].get("remedies") or {}).items() if code in codes}
    case["remedies"] = {**(case.get("remedies") or {}), **chosen}
