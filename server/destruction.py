"""Destroy what the retention terms made due (`woontoezicht retention --apply`, never by schedule).

The one deliberate exception to "nothing changes without a trace" (DESIGN.md Scheduled jobs). In one
write transaction, which alone may delete frozen evidence (it fills the one-row table
retention_unlock that the documents_kept trigger checks, and empties it before it commits), each
due item loses everywhere the records that make it up:

- its case, inspections and assignments become tombstones with their data emptied (deleted, a new
  version, nothing but the id), moved to the end of the change sequence as deletes for the address
  and the inspector, so every tablet that holds them deletes them (and their photos) on its next
  pull; their history rows go;
- the case's timeline, boetes and deadline flags; the inspections' evaluations and photo links;
  push outcomes and conflicts naming any of them; the documents (letters, dossier, rapporten) and,
  once nothing kept names them, their frozen PDFs, the photos (files, print copies and rows) and a
  zienswijze's file;
- one row in `destructions` says what went (entity, id, number or kenmerk, and the ids and
  kenmerken that went with it), by which rule, when and by whom. Nothing else about it stays.

Kept on purpose: addresses and parties (master data, not case data: BAG facts, counts, the
landlord letters go to); the audit log (who read or changed which record: ids only, its own
accountability purpose); the yearly counters of case and rapport numbers (no data of an item).

Files are removed after the commit (a rollback must not lose evidence that stays); the paths wait in
`destruction_files`, so a run that stopped before removing them finishes on the next run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from schemas import jsontext
from server import store
from server.attachments import final_path
from server.db import rows, write
from server.documents import pdf_path
from server.print_photos import print_path
from server.retention import Item, Plan, Rules, plan
from server.scope import address_left, in_scope

SHA256 = re.compile(r"[0-9a-f]{64}")
EMPTY = "{}"


@dataclass
class Destroyed:
    """What a destruction did: the plan it carried out and how many files it removed."""

    plan: Plan
    files_removed: int


def destroy(db: Database, data: Path, rules: Rules, today: dt.date, actor: str) -> Destroyed:
    """Destroy every item due on `today` (as plan() lists it, computed again inside the transaction)."""
    leftover = remove_files(db, data)  # an earlier run that stopped after its commit
    with write(db):
        db.execute("INSERT INTO retention_unlock (id, actor, since) VALUES (1, ?, ?)", [actor, store.now()])
        found = plan(db, rules, today)
        stamp = store.now()
        photos: set[str] = set()
        pdfs: set[str] = set()
        for item in found.due:
            photos |= _destroy_item(db, item, actor, stamp)
            pdfs |= {d["sha256"] for d in item.documents if d["sha256"]}
        _forget_photos(db, photos)
        _forget_pdfs(db, pdfs)
        db.execute("DELETE FROM retention_unlock")
    return Destroyed(found, leftover + remove_files(db, data))


def _destroy_item(db: Database, item: Item, actor: str, stamp: str) -> set[str]:
    """Destroy one item's records; return the photo hashes it named (removed later when nothing kept names them)."""
    photos: set[str] = set()
    for inspection_id in item.inspections:
        photos |= {r["sha256"] for r in rows(db, "SELECT sha256 FROM inspection_photos WHERE inspection_id = ?",
                                             [inspection_id])}
        db.execute("DELETE FROM inspection_photos WHERE inspection_id = ?", [inspection_id])
        db.execute("DELETE FROM evaluations WHERE inspection_id = ?", [inspection_id])
        _tombstone(db, "inspection", inspection_id, actor, stamp)
    for assignment_id in item.assignments:
        _tombstone(db, "assignment", assignment_id, actor, stamp)
    for document in item.documents:
        db.execute("DELETE FROM documents WHERE id = ?", [document["id"]])
    if item.entity == "case":
        photos |= _case_files(db, item.record_id)
        db.execute("DELETE FROM case_events WHERE case_id = ?", [item.record_id])
        db.execute("DELETE FROM boetes WHERE case_id = ?", [item.record_id])
        if rows(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'deadline_flags'"):
            db.execute("DELETE FROM deadline_flags WHERE case_id = ?", [item.record_id])
        _tombstone(db, "case", item.record_id, actor, stamp)
    db.execute("INSERT INTO destructions (entity, record_id, reference, category, rule, term_years, due_since, parts, "
               "destroyed_at, destroyed_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               [item.entity, item.record_id, item.reference, item.rule.category, item.rule.title, item.rule.years,
                item.due_since.isoformat(), jsontext.dumps(item.parts()), stamp, actor])
    return photos


def _case_files(db: Database, case_id: str) -> set[str]:
    """Return the attachment hashes a case names in any version (a zienswijze's file) or its timeline."""
    texts = [r["data"] for r in rows(db, "SELECT data FROM cases WHERE id = ?", [case_id])]
    texts += [r["data"] for r in rows(db, "SELECT data FROM history WHERE entity = 'case' AND record_id = ?",
                                      [case_id])]
    texts += [r["detail"] for r in rows(db, "SELECT detail FROM case_events WHERE case_id = ? AND detail IS NOT NULL",
                                        [case_id])]
    named = {h for text in texts for h in SHA256.findall(text)}
    return {h for h in named if rows(db, "SELECT 1 FROM attachments WHERE sha256 = ?", [h])}


def _tombstone(db: Database, entity: str, record_id: str, actor: str, stamp: str) -> None:
    """Empty a record to a tombstone (the id, deleted, a new version), drop its history and what names it."""
    kind = store.ENTITIES[entity]
    found = rows(db, f"SELECT * FROM {kind.table} WHERE id = ?", [record_id])  # noqa: S608 - table from a fixed map
    if not found:
        return
    old = found[0]
    record = {"id": record_id, **jsontext.loads(old["data"])}
    address_id = old["address_id"]
    # The tablets that may hold it: those at its address, and its inspector's own (his inspections stay on
    # his tablet after his assignment there ended, so the delete goes to him by owner too).
    owner = record.get("inspector_id")
    was_in_scope = entity == "assignment" and bool(owner and address_id and in_scope(db, owner, address_id))
    columns = ", ".join(f"{c} = NULL" for c in store.QUERY_COLUMNS[kind.table])
    db.execute(f"UPDATE {kind.table} SET data = ?, deleted = 1, version = version + 1, updated_at = ?, "  # noqa: S608
               f"updated_by = ?, {columns} WHERE id = ?", [EMPTY, stamp, actor, record_id])
    db.execute("DELETE FROM history WHERE entity = ? AND record_id = ?", [entity, record_id])
    db.execute("DELETE FROM push_outcomes WHERE entity = ? AND record_id = ?", [entity, record_id])
    db.execute("DELETE FROM conflicts WHERE entity = ? AND record_id = ?", [entity, record_id])
    store.log_change(db, entity, record_id, "delete", address_id, owner)
    if was_in_scope and not in_scope(db, str(owner), str(address_id)):
        address_left(db, str(owner), str(address_id))  # his tablets let go of the address, as when it ends


def _forget_photos(db: Database, hashes: set[str]) -> None:
    """Drop the rows of photos nothing kept names any more, and queue their files (and print copies)."""
    if not hashes:
        return
    # What kept cases and their letters name (a zienswijze's file, a photo drawn in a letter); a rapport's
    # photos are its inspection's, which inspection_photos answers. Read once: cases are few.
    named = {h for r in rows(db, "SELECT data FROM cases WHERE deleted = 0 UNION ALL SELECT data FROM documents "
                                 "WHERE case_id IS NOT NULL") for h in SHA256.findall(r["data"])}
    for sha256 in sorted(hashes - named):
        if rows(db, "SELECT 1 FROM inspection_photos WHERE sha256 = ? LIMIT 1", [sha256]):
            continue  # a kept inspection shows it
        db.execute("DELETE FROM attachments WHERE sha256 = ?", [sha256])
        db.execute("DELETE FROM attachment_owners WHERE sha256 = ?", [sha256])
        for kind, path in (("photo", final_path(Path("."), sha256)), ("print", print_path(Path("."), sha256))):
            db.execute("INSERT OR IGNORE INTO destruction_files (path, sha256, kind) VALUES (?, ?, ?)",
                       [path.as_posix(), sha256, kind])


def _forget_pdfs(db: Database, hashes: set[str]) -> None:
    """Queue the frozen PDFs no kept document is stored as."""
    for sha256 in sorted(hashes):
        if not rows(db, "SELECT 1 FROM documents WHERE sha256 = ? LIMIT 1", [sha256]):
            db.execute("INSERT OR IGNORE INTO destruction_files (path, sha256, kind) VALUES (?, ?, 'pdf')",
                       [pdf_path(Path("."), sha256).as_posix(), sha256])


def remove_files(db: Database, data: Path) -> int:
    """Remove the queued files of destroyed records that nothing names again; return how many were there."""
    removed = 0
    for row in rows(db, "SELECT path, sha256, kind FROM destruction_files ORDER BY path"):
        if _named_again(db, row):
            pass  # uploaded or stored again since (the same bytes): the new record owns the file
        else:
            target = data / row["path"]
            if target.exists():
                target.unlink()
                removed += 1
                with contextlib.suppress(OSError):  # the hash-prefix folder, when that was its last file
                    target.parent.rmdir()
        with write(db):
            db.execute("DELETE FROM destruction_files WHERE path = ?", [row["path"]])
    return removed


def _named_again(db: Database, row: dict[str, Any]) -> bool:
    if row["kind"] == "pdf":
        return bool(rows(db, "SELECT 1 FROM documents WHERE sha256 = ? LIMIT 1", [row["sha256"]]))
    return bool(rows(db, "SELECT 1 FROM attachments WHERE sha256 = ? LIMIT 1", [row["sha256"]]))
