"""Draw and sign the rapport van bevindingen: its data from the database, its PDF, the signing and its state.

Apart from server.rapport, which the sync push calls to draft a rapport, because this side
draws PDFs with the letters' storage (server.documents) and the push should not load them.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from sqlite_utils import Database

from reports import render
from reports.fmt import datum
from reports.rapport import rapport
from schemas.entry_basis import entry_doubts
from schemas.judge import inspection_date
from server import store
from server.audit import audit
from server.auth import AuthError, official
from server.cases import CaseError
from server.db import rows, write
from server.documents import Settings, approved_pdf, store_pdf
from server.evaluation import stored_evaluation
from server.legal_basis import annotate
from server.rapport import (
    KIND,
    LANDLORD_KIND,
    VERSIONS,
    RapportError,
    ensure,
    landlord_row,
    rapport_of,
    submitted_inspection,
    today_here,
)


def _name(db: Database, user_id: str | None) -> str | None:
    try:
        return official(db, user_id).get("full_name") if user_id else None
    except AuthError:
        return None


def _corrects(db: Database, inspection: dict[str, Any]) -> dict[str, Any] | None:
    target_id = inspection.get("corrects")
    if not target_id:
        return None
    target = store.get(db, "inspection", target_id, include_deleted=True)
    corrected = rapport_of(db, target_id)
    return {"inspection_id": target_id, "kenmerk": corrected["kenmerk"] if corrected else None,
            "visit_date": inspection_date(target).isoformat() if target else None}


def gather(db: Database, settings: Settings, inspection: dict[str, Any], row: dict[str, Any], *,
           version: str = "volledig", signed_on: dt.date | None = None) -> dict[str, Any]:
    """Return the plain data reports.rapport words into the rapport (or its verhuurder's version)."""
    evaluation = stored_evaluation(db, inspection["id"]) or {"findings": [], "not_assessed": [], "residents": None,
                                                             "norm_set": None}
    norm_set = None
    if evaluation.get("norm_set"):
        found = rows(db, "SELECT data FROM norm_sets WHERE id = ? AND version = ?",
                     [evaluation["norm_set"]["id"], evaluation["norm_set"]["version"]])
        norm_set = json.loads(found[0]["data"]) if found else None
    findings = annotate(evaluation["findings"], inspection_date(inspection))  # the register on the visit's date
    user_ids = {i for line in inspection.get("present") or [] for i in line.get("user_ids") or []}
    try:
        toezichthouder = official(db, inspection.get("inspector_id") or "")
    except AuthError:
        toezichthouder = {}
    landlord = version == "verhuurder"
    return {"kenmerk": f"{row['kenmerk']}-V" if landlord else row["kenmerk"], "full_kenmerk": row["kenmerk"],
            "status": "approved" if signed_on else "concept", "signed_on": signed_on.isoformat() if signed_on else None,
            "version": version, "letterhead": settings.letterhead, "official": toezichthouder,
            "address": store.get(db, "address", inspection["address_id"], include_deleted=True) or {},
            "inspection": inspection, "evaluation": {**evaluation, "findings": findings}, "norm_set": norm_set,
            "officials": {i: _name(db, i) or "onbekende ambtenaar" for i in sorted(user_ids)},
            "entry_doubts": entry_doubts(inspection), "corrects": _corrects(db, inspection)}


def content(db: Database, settings: Settings, inspection: dict[str, Any], version: str = "volledig"
            ) -> dict[str, Any]:
    """Return the rapport's content (blocks for reports.render): frozen once signed, else collected now."""
    row = ensure(db, inspection)
    if row["status"] == "approved":
        frozen = row if version == "volledig" else landlord_row(db, row["id"])
        if frozen is not None:
            kept: dict[str, Any] = frozen["data"]["content"]
            return kept
    return rapport(gather(db, settings, inspection, row, version=version))


def _photos_missing(db: Database, settings: Settings, inspection: dict[str, Any]) -> list[str]:
    _, received = settings.owned_by(db, inspection.get("inspector_id"))
    return [p["sha256"] for p in inspection.get("photos") or [] if not received(p["sha256"])]


def pdf(db: Database, settings: Settings, inspection: dict[str, Any], version: str = "volledig"
        ) -> tuple[bytes, dict[str, Any]]:
    """Return the rapport's PDF and the document row it is: the frozen file once signed, else a concept drawn now."""
    row = ensure(db, inspection)
    if row["status"] == "approved":
        frozen = row if version == "volledig" else landlord_row(db, row["id"])
        if frozen is None:
            raise RapportError(500, "integrity", "De versie voor de verhuurder van dit ondertekende rapport ontbreekt.")
        return _frozen(settings, frozen), frozen
    image_path, _ = settings.owned_by(db, inspection.get("inspector_id"))
    return render(content(db, settings, inspection, version), image_path, concept=True), row


def _frozen(settings: Settings, row: dict[str, Any]) -> bytes:
    try:
        return approved_pdf(settings, row)
    except CaseError as err:
        raise RapportError(500, "integrity", err.message) from None


def sign_audited(db: Database, settings: Settings, inspection_id: str, user: dict[str, Any],
                 detail: dict[str, Any] | None = None) -> dict[str, Any]:
    """Sign as sign() does and log the attempt: sign_denied for someone else's rapport, else sign with what was frozen
    (and the caller's detail)."""
    try:
        answer = sign(db, settings, inspection_id, user)
    except RapportError as err:
        if err.status == 403:
            audit(db, "sign_denied", "inspection", inspection_id)
        raise
    audit(db, "sign", "document", answer["document_id"], {
        "inspection_id": inspection_id, "kenmerk": answer["kenmerk"], "sha256": answer["sha256"],
        "landlord_version": answer["landlord_version"], **(detail or {})})
    return answer


def sign(db: Database, settings: Settings, inspection_id: str, user: dict[str, Any],
         today: dt.date | None = None) -> dict[str, Any]:
    """Sign the rapport as its own toezichthouder: freeze it and its verhuurder's version, dated today; return info."""
    today = today or today_here()
    inspection = submitted_inspection(db, inspection_id)
    if inspection.get("inspector_id") != user["id"]:
        raise RapportError(403, "forbidden", "Alleen de toezichthouder die deze inspectie deed, ondertekent het "
                                             "rapport van bevindingen.")
    row = ensure(db, inspection)
    if row["status"] == "approved":
        raise RapportError(409, "rapport_signed", f"Dit rapport ({row['kenmerk']}) is al ondertekend op "
                                                  f"{datum(row['letter_date'])}.")
    visit = inspection_date(inspection)
    if today < visit:
        raise RapportError(409, "before_visit", f"Een rapport kan niet gedateerd zijn vóór het bezoek van "
                                                f"{datum(visit)}.")
    if not (official(db, user["id"]).get("full_name") or "").strip():
        raise RapportError(409, "full_name_missing", "Uw volledige naam is nog niet vastgelegd; het rapport noemt de "
                                                     "toezichthouder bij naam. Vraag de beheerder die vast te leggen.")
    missing = _photos_missing(db, settings, inspection)
    if missing:
        what = "1 foto van dit rapport is" if len(missing) == 1 else f"{len(missing)} foto's van dit rapport zijn"
        raise RapportError(409, "photos_missing", f"{what} nog niet ontvangen; onderteken het als de tablet heeft "
                                                  "gesynchroniseerd.")
    versions = {v: rapport(gather(db, settings, inspection, row, version=v, signed_on=today))
                for v in VERSIONS}
    # Drawn outside the write lock: photos make it take a while.
    image_path, _ = settings.owned_by(db, inspection.get("inspector_id"))
    files = {v: render(content, image_path) for v, content in versions.items()}
    hashes = {v: store_pdf(settings, body) for v, body in files.items()}
    stamp = store.now()
    with write(db):
        changed = db.execute("UPDATE documents SET status = 'approved', letter_date = ?, data = ?, sha256 = ?, "
                             "size = ?, approved_at = ?, approved_by = ? WHERE id = ? AND status = 'concept'",
                             [today.isoformat(), json.dumps({"params": row["data"]["params"],
                                                             "content": versions["volledig"]}, ensure_ascii=False),
                              hashes["volledig"], len(files["volledig"]), stamp, user["id"], row["id"]]).rowcount
        if changed != 1:
            raise RapportError(409, "rapport_signed", "Dit rapport is intussen ondertekend.")
        db.execute("INSERT INTO documents (id, case_id, inspection_id, kind, status, letter_date, data, created_at, "
                   "created_by, sha256, size, approved_at, approved_by, kenmerk, version_of) "
                   "VALUES (?, NULL, ?, ?, 'approved', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   [str(uuid.uuid4()), inspection_id, LANDLORD_KIND, today.isoformat(),
                    json.dumps({"params": {**row["data"]["params"], "version": "verhuurder"},
                                "content": versions["verhuurder"]}, ensure_ascii=False),
                    stamp, user["id"], hashes["verhuurder"], len(files["verhuurder"]), stamp, user["id"],
                    f"{row['kenmerk']}-V", row["id"]])
    return info(db, settings, inspection)


def info(db: Database, settings: Settings, inspection: dict[str, Any]) -> dict[str, Any]:
    """Return what the office pages and the tablet show of an inspection's rapport."""
    row = ensure(db, inspection)
    landlord = landlord_row(db, row["id"]) if row["status"] == "approved" else None
    corrected_by = rows(db, "SELECT kenmerk FROM documents WHERE kind = ? AND case_id IS NULL "
                            "AND json_extract(data, '$.params.corrects') = ? ORDER BY created_at",
                        [KIND, inspection["id"]])
    corrects = _corrects(db, inspection)
    return {"inspection_id": inspection["id"], "document_id": row["id"], "kenmerk": row["kenmerk"],
            "status": row["status"], "letter_date": row["letter_date"], "signed_at": row["approved_at"],
            "signed_by": _name(db, row["approved_by"]) if row["approved_by"] else None,
            "sha256": row["sha256"], "size": row["size"],
            "toezichthouder": _name(db, inspection.get("inspector_id")),
            "photos_missing": len(_photos_missing(db, settings, inspection)) if row["status"] == "concept" else 0,
            "corrects": corrects["kenmerk"] if corrects else None,
            "corrected_by": [r["kenmerk"] for r in corrected_by],
            "landlord_version": {"id": landlord["id"], "kenmerk": landlord["kenmerk"], "sha256": landlord["sha256"]}
            if landlord else None}
