"""Documents of a case: concept, approval (frozen PDF stored by hash) and sending; and where PDFs are kept.

A concept holds its parameters and the data gathered for it; its PDF is drawn on request, marked
CONCEPT. Approval draws the final PDF once, stores it under its SHA-256 in DATA/documents/ and
freezes the row (the database refuses later changes, see m011). A letter is dated on or after its
approval; approving one that cites a voorschrift the municipality has not verified needs the
approver's explicit confirmation, which the dossier records. Sending records the date (the
letter's own: its terms run from it), the method and the proof, and takes the case step the letter
stands for, with what the letter decided. What each kind of letter holds is server/letters.py.
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
from reports.fmt import datum
from server import letters, store, terms
from server.attachments import final_path
from server.case_flow import LAST_STATES, LETTER_STEP, STEPS, can_make_letter
from server.case_steps import step
from server.cases import CaseError, add_event, get_case, load_letters, save, status_label, timeline
from server.db import rows, write
from server.print_photos import print_copy

LETTERS = letters.LETTER_KINDS
KINDS = (*LETTERS, "dossier")


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
        self.terms = terms.load_terms(config.get("TERMS") or None, config.get("ATW_DAYS") or None)
        self.letters = load_letters(config.get("LETTERS") or None)
        self.letterhead = {"name": config.get("LETTERHEAD_NAME") or "Gemeente Aalsmeer",
                           "address": list(config.get("LETTERHEAD_ADDRESS") or []),
                           "logo": config.get("LETTERHEAD_LOGO") or None}
        self.mandate = config.get("LETTER_MANDATE") or ""
        postal: list[str] = list(config.get("COLLEGE_POSTAL_ADDRESS") or []) or list(self.letterhead["address"] or [])
        self.rechtsmiddelen = {"college_postal": postal,
                               "college_digital": config.get("COLLEGE_DIGITAL_ADDRESS") or "",
                               "court": config.get("COURT_NAME") or "de rechtbank Amsterdam"}

    def title(self, kind: str) -> str:
        """Return a document kind's Dutch title."""
        return TITLES[kind]

    def image_path(self, sha256: str) -> str | None:
        """Return the print copy of a received photo (made once), or None; raise PhotoUnreadable."""
        return print_copy(self.data, sha256)

    def photo_received(self, sha256: str) -> bool:
        """Return whether the server holds this photo, readable or not."""
        return final_path(self.data, sha256).exists()

    def owned_by(self, db: Database, user_id: str | None) -> tuple[Any, Any]:
        """Return (image_path, photo_received) counting only photos this user uploaded (an inspection's inspector).

        Naming a hash one did not upload grants nothing: such a photo is not drawn into his rapport, and the
        rapport waits for his own upload of it.
        """
        def owns(sha256: str) -> bool:
            return bool(user_id) and bool(rows(db, "SELECT 1 FROM attachment_owners WHERE sha256 = ? AND "
                                                   "user_id = ?", [sha256, user_id]))

        def image_path(sha256: str) -> str | None:
            return self.image_path(sha256) if owns(sha256) else None

        def received(sha256: str) -> bool:
            return owns(sha256) and self.photo_received(sha256)

        return image_path, received


def get_document(db: Database, document_id: str) -> dict[str, Any]:
    """Return a document row with its stored data, or raise CaseError 404."""
    found = rows(db, "SELECT * FROM documents WHERE id = ?", [document_id])
    if not found:
        raise CaseError(404, "Document niet gevonden.")
    row = found[0]
    row["data"] = json.loads(row["data"])
    row["confirmed"] = json.loads(row["confirmed"]) if row.get("confirmed") else None
    return row


def summary(row: dict[str, Any]) -> dict[str, Any]:
    """Return what a list shows of a document."""
    keys = ("id", "case_id", "inspection_id", "kind", "kenmerk", "status", "letter_date", "sha256", "size",
            "created_at", "approved_at", "sent_on", "dispatch_method", "dispatch_reference")
    content = (row.get("data") or {}).get("gathered") or {}
    return {key: row.get(key) for key in keys} | {
        "title": TITLES.get(row["kind"], row["kind"]),
        "unverified": letters.unverified(content.get("lasten") or []) if row["kind"] in LETTERS else []}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _collected(db: Database, settings: Settings, case: dict[str, Any], kind: str, params: dict[str, Any],
               kenmerk: str, handler_id: str | None, signer_id: str | None, document_id: str) -> dict[str, Any]:
    """Return what a document row keeps: its parameters, the data gathered for it, and its content."""
    if kind == "dossier":
        gathered = dossier_data(db, settings, case, params, kenmerk, handler_id, document_id)
    else:
        gathered = letters.gather(db, settings, case, kind, params, kenmerk, handler_id, signer_id)
    collected = {"params": params, "gathered": gathered, "content": collect(kind, gathered)}
    normal: dict[str, Any] = json.loads(json.dumps(_jsonable(collected), ensure_ascii=False))
    return normal


def _recollected(db: Database, settings: Settings, row: dict[str, Any], case: dict[str, Any],
                 signer_id: str | None) -> dict[str, Any] | None:
    """Return the document collected again from today's data when that differs from what it holds, else None."""
    fresh = _collected(db, settings, case, row["kind"], row["data"]["params"], row["kenmerk"], row["created_by"],
                       signer_id, row["id"])
    return None if fresh["content"] == row["data"].get("content") else fresh


def _check(db: Database, settings: Settings, case: dict[str, Any], kind: str, params: dict[str, Any],
           today: dt.date) -> None:
    if kind in LETTERS and case["status"] != "open":  # a dossier is made of a closed case too: the archive's
        raise CaseError(409, "De zaak is afgesloten; er komen geen brieven meer bij.")
    if kind in LETTERS:
        why = can_make_letter(case, kind)
        if why:
            raise CaseError(409, f"Een {TITLES[kind].lower()} past nu niet: {why}")
        letters.check(db, settings, case, kind, params, today)


def make_concept(db: Database, settings: Settings, case_id: str, user: dict[str, Any], params: dict[str, Any],
                 today: dt.date | None = None) -> dict[str, Any]:
    """Make a concept document of a kind for a case; return its row."""
    today = today or dt.date.today()
    params = _jsonable(params)
    kind = params.pop("kind")
    params.setdefault("letter_date", today.isoformat())
    with write(db):
        case = get_case(db, case_id)
        _check(db, settings, case, kind, params, today)
        count = rows(db, "SELECT count(*) AS n FROM documents WHERE case_id = ?", [case_id])[0]["n"]
        kenmerk = f"{case['number']}-{count + 1:02d}"
        document_id = str(uuid.uuid4())
        # The event first, so that a dossier's timeline holds its own making.
        add_event(db, case_id, user["id"], "concept", f"Concept {TITLES[kind].lower()} gemaakt ({kenmerk})",
                  document_id=document_id)
        stored = _collected(db, settings, case, kind, params, kenmerk, user["id"], user["id"], document_id)
        db.execute("INSERT INTO documents (id, case_id, kind, status, letter_date, data, created_at, created_by, "
                   "kenmerk) VALUES (?, ?, ?, 'concept', ?, ?, ?, ?, ?)",
                   [document_id, case_id, kind, params["letter_date"], json.dumps(stored, ensure_ascii=False),
                    store.now(), user["id"], kenmerk])
    return get_document(db, document_id)


def update_concept(db: Database, settings: Settings, document_id: str, user: dict[str, Any],
                   changes: dict[str, Any], today: dt.date | None = None) -> dict[str, Any]:
    """Change a concept's parameters and collect it again; an approved document is refused (409)."""
    today = today or dt.date.today()
    changes = _jsonable(changes)
    with write(db):
        row = get_document(db, document_id)
        if row["status"] != "concept":
            raise CaseError(409, "Dit document is vastgesteld en kan niet meer worden gewijzigd; maak een nieuw "
                                 "concept als correctie.")
        if not row["case_id"]:
            raise CaseError(409, "Een rapport van bevindingen is van de toezichthouder; het wordt niet hier gewijzigd.")
        case = get_case(db, row["case_id"])
        params = {**row["data"]["params"], **changes}
        _check(db, settings, case, row["kind"], params, today)
        add_event(db, row["case_id"], user["id"], "concept_gewijzigd",
                  f"Concept {TITLES[row['kind']].lower()} gewijzigd ({row['kenmerk']})", document_id=document_id)
        stored = _collected(db, settings, case, row["kind"], params, row["kenmerk"], row["created_by"], user["id"],
                            document_id)
        db.execute("UPDATE documents SET data = ?, letter_date = ? WHERE id = ? AND status = 'concept'",
                   [json.dumps(stored, ensure_ascii=False), params["letter_date"], document_id])
    return get_document(db, document_id)


def concept_pdf(settings: Settings, row: dict[str, Any]) -> bytes:
    """Return a concept's PDF, marked CONCEPT."""
    return render(row["data"]["content"], settings.image_path, concept=True)


def store_pdf(settings: Settings, pdf: bytes) -> str:
    """Keep a PDF under its SHA-256 (once, written whole before it gets its name); return the hash."""
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


_store_pdf = store_pdf  # the name the rapport module knew first


def approve(db: Database, settings: Settings, document_id: str, user: dict[str, Any], *,
            confirm_unverified: bool = False, today: dt.date | None = None) -> dict[str, Any]:
    """Freeze a concept: draw its final PDF, store it by hash and record who approved it when.

    Refused (409): a letter dated before today (it is dated on or after its approval), one that no longer
    fits the case, one the case changed under (first brought up to date: look again, approve again), and one
    citing an unverified voorschrift unless the approver confirms it.
    """
    today = today or dt.date.today()
    with write(db):
        row = get_document(db, document_id)
        if row["status"] != "concept":
            raise CaseError(409, "Dit document is al vastgesteld.")
        if not row["case_id"]:
            raise CaseError(409, "Een rapport van bevindingen ondertekent de toezichthouder zelf.")
        if row["kind"] in LETTERS and dt.date.fromisoformat(row["letter_date"]) < today:
            raise CaseError(409, f"Deze brief is gedateerd {datum(row['letter_date'])}, vóór vandaag: een brief is "
                                 "gedateerd op of na de dag waarop hij wordt vastgesteld. Wijzig de datum en stel hem "
                                 "dan vast.", {"letter_date": ["Ligt vóór de vaststelling."]})
        case = get_case(db, row["case_id"])
        _check(db, settings, case, row["kind"], row["data"]["params"], today)
        fresh = _recollected(db, settings, row, case, user["id"])
        if fresh is not None:
            db.execute("UPDATE documents SET data = ? WHERE id = ? AND status = 'concept'",
                       [json.dumps(fresh, ensure_ascii=False), document_id])
        seen = rows(db, "SELECT data FROM documents WHERE id = ?", [document_id])[0]["data"]
    if fresh is not None:
        raise CaseError(409, "De gegevens van de zaak (of de ondertekenaar) zijn veranderd sinds dit concept is "
                             "gemaakt; het concept is bijgewerkt. Bekijk het opnieuw en stel het dan vast.")
    cited = letters.unverified(row["data"]["gathered"].get("lasten") or []) if row["kind"] in LETTERS else []
    if cited and not confirm_unverified:
        raise CaseError(409, "Deze brief noemt voorschriften die de gemeente nog niet aan de officiële tekst heeft "
                             "getoetst. Controleer ze en bevestig dat u de brief toch vaststelt.",
                        unverified=cited)
    pdf = render(row["data"]["content"], settings.image_path)  # outside the write lock: it may take a while
    sha256 = store_pdf(settings, pdf)
    with write(db):
        changed = db.execute("UPDATE documents SET status = 'approved', sha256 = ?, size = ?, approved_at = ?, "
                             "approved_by = ?, confirmed = ? WHERE id = ? AND status = 'concept' AND data = ?",
                             [sha256, len(pdf), store.now(), user["id"],
                              json.dumps(cited, ensure_ascii=False) if cited else None, document_id, seen]).rowcount
        if changed != 1:
            raise CaseError(409, "Dit concept is intussen gewijzigd of vastgesteld; bekijk het opnieuw.")
        add_event(db, row["case_id"], user["id"], "vastgesteld",
                  f"{TITLES[row['kind']]} vastgesteld ({row['kenmerk']}, SHA-256 {sha256[:12]}…)",
                  {"sha256": sha256}, document_id)
        if cited:
            add_event(db, row["case_id"], user["id"], "voorschriften_bevestigd",
                      f"Bij vaststelling van {row['kenmerk']} bevestigd: niet-geverifieerde voorschriften "
                      + "; ".join(cited), {"unverified": cited}, document_id)
    return get_document(db, document_id)


def approved_pdf(settings: Settings, row: dict[str, Any]) -> bytes:
    """Return an approved document's stored PDF, checked against its hash."""
    try:
        pdf = pdf_path(settings.data, row["sha256"]).read_bytes()
    except FileNotFoundError:
        raise CaseError(500, "Het bewaarde bestand van dit document ontbreekt.") from None
    if hashlib.sha256(pdf).hexdigest() != row["sha256"]:
        raise CaseError(500, "Het bewaarde bestand van dit document komt niet overeen met zijn SHA-256.")
    return pdf


def send(db: Database, settings: Settings, document_id: str, user: dict[str, Any], sent_on: dt.date, *,
         method: str, reference: str, today: dt.date | None = None) -> dict[str, Any]:
    """Record that an approved letter was sent (how, with which proof) and take the case step it stands for.

    A letter goes out on its own date, never in the future: its terms run from that date. One that no
    longer fits the case (a zienswijze came in after it was approved) is refused; a new concept follows.
    """
    today = today or dt.date.today()
    with write(db):
        row = get_document(db, document_id)
        if row["kind"] not in LETTERS:
            raise CaseError(409, f"Een {TITLES.get(row['kind'], row['kind']).lower()} wordt niet verzonden.")
        if row["status"] != "approved":
            raise CaseError(409, "Alleen een vastgestelde brief kan worden verzonden.")
        if row["sent_on"]:
            raise CaseError(409, f"Deze brief is al verzonden op {datum(row['sent_on'])}.")
        if sent_on > today:
            raise CaseError(422, "De verzenddatum ligt in de toekomst.", {"sent_on": ["Ligt in de toekomst."]})
        if sent_on.isoformat() != row["letter_date"]:
            raise CaseError(409, f"De brief is gedateerd {datum(row['letter_date'])} en de termijnen erin lopen "
                                 "vanaf die datum; verzend hem op die datum, of maak een nieuw concept met de juiste "
                                 "datum.", {"sent_on": [f"Moet {datum(row['letter_date'])} zijn."]})
        case = get_case(db, row["case_id"])
        _check(db, settings, case, row["kind"], row["data"]["params"], today)
        if _recollected(db, settings, row, case, row["approved_by"]) is not None:
            raise CaseError(409, "De gegevens van de zaak zijn veranderd sinds deze brief is vastgesteld; maak een "
                                 "nieuw concept en stel dat vast.")
        letters.apply_sent(db, settings, case, row, sent_on, user)
        save(db, case, user)
        db.execute("UPDATE documents SET sent_on = ?, sent_by = ?, sent_at = ?, dispatch_method = ?, "
                   "dispatch_reference = ? WHERE id = ?",
                   [sent_on.isoformat(), user["id"], store.now(), method, reference, document_id])
        name = LETTER_STEP[row["kind"]]
        codes = [x["code"] for x in row["data"]["gathered"]["lasten"]] if STEPS[name].per_last else [None]
        for code in codes:  # a letter about lasten one by one (an invordering) takes the step of each
            step(db, row["case_id"], user, name,
                 {"kenmerk": row["kenmerk"], "verzonden": letters.DISPATCH[method], "bewijs": reference},
                 code=code, document_id=document_id, today=today, effective_on=sent_on)
    return get_document(db, document_id)


# --- the dossier ---------------------------------------------------------------------------------

def dossier_data(db: Database, settings: Settings, case: dict[str, Any], params: dict[str, Any], kenmerk: str,
                 handler_id: str | None, document_id: str) -> dict[str, Any]:
    """Return what the dossier shows: the case, its lasten and tracks, every step, document and rapport."""
    from server import parties, rapport
    letter_date = dt.date.fromisoformat(params["letter_date"])
    address = store.get(db, "address", case["address_id"], include_deleted=True) or {}
    docs = rows(db, "SELECT id, kind, kenmerk, letter_date, status, sent_on, sha256, approved_at, dispatch_method, "
                    "dispatch_reference, confirmed FROM documents WHERE case_id = ? AND id != ? ORDER BY created_at",
                [case["id"], document_id])
    kenmerken = {d["id"]: d["kenmerk"] for d in docs} | {document_id: kenmerk}
    inspections = rows(db, "SELECT id FROM inspections WHERE address_id = ? AND status = 'submitted' AND deleted = 0 "
                           "AND (id = ? OR substr(started_at, 1, 10) >= ?) ORDER BY started_at",
                       [case["address_id"], case.get("inspection_id") or "", case["opened_on"]])
    return {
        "kind": "dossier", "kenmerk": kenmerk, "letter_date": letter_date.isoformat(),
        "letterhead": settings.letterhead, "handler": letters._person(db, handler_id, "-"),
        "case": {**case, "lasten": [{**last, "state_labels": {t: LAST_STATES[t][x] for t, x in
                                                            (last.get("states") or {}).items()}}
                                    for last in case.get("lasten") or []]},
        "status_label": status_label(case), "address": address,
        "parties": [{"role": p["role"], "name": p["name"]} for p in parties.parties_at(db, case["address_id"], None,
                                                                                      letter_date)],
        "documents": [{**d, "title": TITLES.get(d["kind"], d["kind"]),
                       "confirmed": json.loads(d["confirmed"]) if d["confirmed"] else None} for d in docs],
        "timeline": [{"at": e["at"], "effective_on": e.get("effective_on"), "label": e["label"],
                      "user_name": e["user_name"], "document": kenmerken.get(e["document_id"] or ""),
                      "detail": e.get("detail")} for e in timeline(db, case["id"])],
        "rapporten": [r for r in (rapport.rapport_of(db, i["id"]) for i in inspections) if r],
        "boetes": rows(db, "SELECT code, imposed_on, kenmerk, irrevocable_on, amount, source FROM boetes WHERE "
                           "party_id IN (SELECT value FROM json_each(?)) ORDER BY imposed_on",
                       [json.dumps([o["party_id"] for o in case.get("overtreders") or []])]),
    }
