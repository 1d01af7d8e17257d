"""The rapport van bevindingen of an inspection: drafted when it is submitted, signed by its own toezichthouder.

A submitted inspection gets a concept rapport at once (kind `rapport`, `inspection_id` set,
no case, kenmerk `RB-<year>-<nnnnn>`, dated the visit); drafting draws nothing, the concept's
PDF is drawn from the inspection whenever it is read, marked CONCEPT. Only the inspection's
own toezichthouder signs it, dated the day he signs (never before the visit), once every
photo has arrived: the rapport and its version for the verhuurder (kind
`rapport_verhuurder`, `version_of` the rapport, kenmerk `<kenmerk>-V`) are then drawn and
frozen by hash together (server.documents storage; the database refuses later changes).
Letters enclose the verhuurder's version (`landlord_version`).

This module holds the rows and their numbering (light enough for the push); server.rapport_signing
gathers, draws and signs.

Rapporten made by the previous release as case documents (a `case_id`, `data.params.inspection_id`)
are left as they are; the functions here answer only the inspection's own rapport.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from sqlite_utils import Database

from reports.fmt import TZ
from schemas.judge import inspection_date
from server import store
from server.db import rows, write

KIND = "rapport"
LANDLORD_KIND = "rapport_verhuurder"
VERSIONS = ("volledig", "verhuurder")


class RapportError(Exception):
    """A rapport request that cannot be honoured: its HTTP status, an error code and a Dutch message."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error, self.message = status, error, message


def today_here() -> dt.date:
    """Return today's date in the Netherlands (a rapport is dated the Dutch day its toezichthouder signs it)."""
    return dt.datetime.now(TZ).date()


def _row(found: list[dict[str, Any]]) -> dict[str, Any] | None:
    if not found:
        return None
    row = found[0]
    row["data"] = json.loads(row["data"])
    return row


def rapport_of(db: Database, inspection_id: str) -> dict[str, Any] | None:
    """Return the rapport row of an inspection (data parsed), concept or signed; None when it has none."""
    return _row(rows(db, "SELECT * FROM documents WHERE inspection_id = ? AND kind = ? AND case_id IS NULL "
                         "ORDER BY created_at LIMIT 1", [inspection_id, KIND]))


def landlord_row(db: Database, rapport_id: str) -> dict[str, Any] | None:
    """Return the frozen verhuurder's version of a rapport (data parsed), or None."""
    return _row(rows(db, "SELECT * FROM documents WHERE version_of = ? AND kind = ? AND status = 'approved'",
                     [rapport_id, LANDLORD_KIND]))


def landlord_version(db: Database, inspection_id: str) -> dict[str, Any] | None:
    """Return the signed rapport's version for the verhuurder {id, kenmerk, sha256, letter_date}; None unsigned."""
    rapport = rapport_of(db, inspection_id)
    found = landlord_row(db, rapport["id"]) if rapport and rapport["status"] == "approved" else None
    return {key: found[key] for key in ("id", "kenmerk", "sha256", "letter_date")} if found else None


def signed(db: Database, inspection_id: str) -> bool:
    """Return whether the inspection's rapport is signed by its toezichthouder."""
    rapport = rapport_of(db, inspection_id)
    return rapport is not None and rapport["status"] == "approved"


def _next_kenmerk(db: Database, year: int) -> str:
    last = rows(db, "INSERT INTO rapport_numbers (year, last) VALUES (?, 1) ON CONFLICT(year) DO UPDATE SET "
                    "last = last + 1 RETURNING last", [year])[0]["last"]
    return f"RB-{year}-{last:05d}"


def draft(db: Database, inspection: dict[str, Any]) -> dict[str, Any] | None:
    """Make the concept rapport of a submitted inspection unless it has one; return its row (None: not submitted).

    Cheap, for inside a push: one numbered row, no content collected and no PDF drawn.
    """
    if inspection.get("status") != "submitted":
        return None
    with write(db):
        existing = rapport_of(db, inspection["id"])
        if existing is not None:
            return existing
        visit = inspection_date(inspection)
        document_id = str(uuid.uuid4())
        params = {"inspection_id": inspection["id"], "corrects": inspection.get("corrects")}
        db.execute("INSERT INTO documents (id, case_id, inspection_id, kind, status, letter_date, data, created_at, "
                   "created_by, kenmerk) VALUES (?, NULL, ?, ?, 'concept', ?, ?, ?, ?, ?)",
                   [document_id, inspection["id"], KIND, visit.isoformat(),
                    json.dumps({"params": params, "content": None}), store.now(), inspection.get("inspector_id"),
                    _next_kenmerk(db, visit.year)])
    return rapport_of(db, inspection["id"])


def submitted_inspection(db: Database, inspection_id: str) -> dict[str, Any]:
    """Return a submitted inspection; raise RapportError 404 for an unknown one, 409 for a draft."""
    inspection = store.get(db, "inspection", inspection_id)
    if inspection is None:
        raise RapportError(404, "not_found", "Inspectie niet gevonden.")
    if inspection["status"] != "submitted":
        raise RapportError(409, "not_submitted", "Deze inspectie is nog niet ingediend; het rapport van bevindingen "
                                                 "ontstaat bij het indienen.")
    return inspection


def ensure(db: Database, inspection: dict[str, Any]) -> dict[str, Any]:
    """Return the rapport of a submitted inspection, drafting it now for one submitted before rapporten were drafted."""
    row = draft(db, inspection)
    assert row is not None  # the caller passes a submitted inspection
    return row


def to_sign(db: Database, user_id: str, limit: int = 50) -> list[dict[str, Any]]:
    """Return the concept rapporten of a toezichthouder's own submitted inspections, oldest visit first.

    Only the inspection's own rapport (no case); each: document id, kenmerk, letter_date, inspection_id, address_id.
    """
    return rows(db, "SELECT d.id, d.kenmerk, d.letter_date, d.inspection_id, i.address_id FROM inspections i "
                    "JOIN documents d ON d.inspection_id = i.id AND d.kind = ? AND d.status = 'concept' "
                    "AND d.case_id IS NULL WHERE i.inspector_id = ? AND i.deleted = 0 AND i.status = 'submitted' "
                    "ORDER BY d.letter_date, d.kenmerk LIMIT ?", [KIND, user_id, limit])
