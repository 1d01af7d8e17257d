"""Sync protocol 2 on the server: push with per-device sequence numbers, pull by change sequence.

Protocol 2 added records a protocol-1 tablet cannot read (the verkeersruimte room kind, new
rule codes, parties inside addresses): its pulls get 426, its pushes are still applied, mapped
by server.protocol1.

Push: a batch is applied in one transaction together with the device's new
last seq and every outcome, so an acknowledged batch survives a crash and a
retried one changes nothing. Pull: changes after the cursor within the user's
scope, one entry per record, in server order.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt
import hashlib
import json
import uuid
from typing import Any, Callable

from marshmallow import ValidationError, validate
from sqlite_utils import Database

from schemas import address_schema, inspection_schema, jsontext
from schemas.address import OFFICE_FIELDS
from schemas.base import BaseSchema, Int, List, Nested, Raw, Str, between, max_length, one_of
from schemas.fast import loader
from server import store
from server.case_steps import hercontrole_submitted
from server.cases import case_summary
from server.db import Section, rows, unguarded, write
from server.errors import ApiError
from server.evaluation import app_norm_sets, evaluate_and_store
from server.parties import tablet_parties_of
from server.protocol1 import mapped, stated_landlords
from server.rapport import draft as draft_rapport
from server.scope import EVICT, REGISTER, in_scope, register_entry, scope_params, sweep, user_addresses_sql

PROTOCOL = 2
# Pushes of these protocols are applied; a pull must speak PROTOCOL.
PUSH_PROTOCOLS = (1, 2)
MAX_BATCH = 1000
MAX_PULL = 1000
# Fields a tablet may change on an existing address; verification, BRP counts and BAG facts are the office's.
DEVICE_ADDRESS_FIELDS = [name for name, f in address_schema.fields.items()
                         if not f.dump_only and name not in ("id", "verified", *OFFICE_FIELDS)]


class MutationSchema(BaseSchema):
    """One queued change from a device."""

    seq = Int(required=True, validate=between(1, 2**62))
    entity = Str(required=True, validate=max_length(40))
    id = Str(required=True, validate=max_length(64))
    op = Str(required=True, validate=one_of(("put", "delete")))
    base_version = Int(allow_none=True, load_default=None, validate=between(0, 2**62))
    data = Raw(allow_none=True, load_default=None)


class PushSchema(BaseSchema):
    """A push request: the protocol version and a batch of mutations in seq order."""

    protocol = Int(required=True)
    mutations = List(Nested(MutationSchema), required=True,
                     validate=validate.Length(max=MAX_BATCH, error=f"Maximaal {MAX_BATCH} wijzigingen per keer."))


push_schema = PushSchema()
# Same answers as schema.load, several times faster for valid records (schemas/fast.py).
load_push = loader(push_schema)
load_inspection = loader(inspection_schema)
load_address = loader(address_schema)


class SeqGap(ApiError):
    """The batch skips sequence numbers; the device must resend from last_seq + 1 (409)."""

    status, error = 409, "seq_gap"
    message = "Er ontbreken wijzigingen; stuur opnieuw vanaf last_seq + 1."


class SeqReused(ApiError):
    """A retried seq carries a different mutation: a second client on one device token (409)."""

    status, error = 409, "seq_reused"
    message = ("Deze volgnummers zijn al gebruikt voor andere wijzigingen: twee tablets gebruiken hetzelfde "
               "koppeltoken (een gekloonde of teruggezette tablet). Er is niets verwerkt en niets verloren; neem "
               "contact op met de beheerder.")


def fingerprint(m: dict[str, Any]) -> str:
    """Return the SHA-256 of a mutation's entity, id, op, base_version and canonical data."""
    canonical = jsontext.canonical([m["entity"], m["id"], m["op"], m["base_version"], m["data"]])
    return hashlib.sha256(canonical).hexdigest()


class Rejected(Exception):
    """A mutation that cannot be applied; it is answered and the queue moves on."""

    def __init__(self, code: str, message: str, errors: Any = None, **extra: Any) -> None:
        super().__init__(message)
        self.outcome: dict[str, Any] = {"status": "rejected", "code": code, "message": message, **extra}
        if errors is not None:
            self.outcome["errors"] = errors


def push(db: Database, device: dict[str, Any], user: dict[str, Any], mutations: list[dict[str, Any]],
         then: Callable[[dict[str, Any]], None] | None = None, check_text: bool = False) -> dict[str, Any]:
    """Apply a batch; return {"last_seq", "results"}. Raise SeqGap (changing nothing) on a gap.

    `then(result)` runs in the same transaction, before it commits (the audit entry). With
    check_text (the body held lone surrogates), a mutation whose data holds one is rejected.
    A batch is first applied without a savepoint per mutation (they cost a sixth of a push).
    That is safe while a rejection comes before a mutation writes anything, as every check in
    this module does; should one come later, the batch is undone and applied again with a
    savepoint per mutation, so a rejected mutation never leaves anything behind. Called
    outside a transaction (as the API does), undoing the first pass is a plain rollback;
    inside one, push's write() is a savepoint around the batch.
    """
    ordered = sorted(mutations, key=lambda m: m["seq"])
    if check_text:
        ordered = [_with_bad_text_marked(m) for m in ordered]
    if len({m["seq"] for m in ordered}) != len(ordered):
        raise ApiError("Een volgnummer komt twee keer voor in deze batch.", error="duplicate_seq")
    for guarded in (False, True):
        try:
            with write(db):
                return _push(db, device, user, ordered, guarded, then)
        except _Replay:
            continue  # write() undid the batch
    raise AssertionError("a guarded push does not replay")


class _Replay(Exception):
    """A mutation was rejected after it changed rows: undo the batch, apply it with savepoints."""


def _push(db: Database, device: dict[str, Any], user: dict[str, Any], ordered: list[dict[str, Any]],
          guarded: bool, then: Callable[[dict[str, Any]], None] | None) -> dict[str, Any]:
    results = []
    at = store.now()
    last = rows(db, "SELECT last_seq FROM devices WHERE id = ?", [device["id"]])[0]["last_seq"]
    fresh = [m for m in ordered if m["seq"] > last]
    for i, m in enumerate(fresh):
        if m["seq"] != last + 1 + i:
            raise SeqGap(last_seq=last)
    stated = stated_landlords(db, fresh)  # landlord names heard on site, sent the protocol-1 way
    with contextlib.nullcontext(None) if guarded else unguarded(db) as section:
        for m in ordered:
            if m["seq"] <= last:
                results.append(_stored_outcome(db, device["id"], m["seq"], fingerprint(m)))
                continue
            outcome = {"seq": m["seq"], **_outcome(db, device, user, mapped(m, stated), section)}
            db.execute("INSERT INTO push_outcomes (device_id, seq, entity, record_id, outcome, at, fingerprint) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?)", [device["id"], m["seq"], m["entity"], m["id"],
                                                        jsontext.dumps(outcome), at, fingerprint(m)])
            results.append(outcome)
        new_last = max([last] + [m["seq"] for m in fresh])
        db.execute("UPDATE devices SET last_seq = ?, last_seen_at = ? WHERE id = ?", [new_last, at, device["id"]])
        result = {"last_seq": new_last, "results": results}
        if then is not None:
            then(result)
        if section is not None and section.broken:
            raise _Replay  # a nested write failed after changing rows, and something handled it
    return result


def _outcome(db: Database, device: dict[str, Any], user: dict[str, Any], m: dict[str, Any],
             section: Section | None) -> dict[str, Any]:
    """Apply one mutation; a rejection is an outcome too, and leaves nothing behind."""
    if section is None:
        try:
            with write(db):  # a savepoint: undone when rejected
                return _apply(db, device, user, m)
        except Rejected as rejection:
            return rejection.outcome
    before = db.conn.total_changes
    try:
        return _apply(db, device, user, m)
    except Rejected as rejection:
        if db.conn.total_changes != before:
            raise _Replay from None  # rows to undo, which only a savepoint of its own can do
        return rejection.outcome


def _stored_outcome(db: Database, device_id: str, seq: int, print_: str) -> dict[str, Any]:
    """Return the first answer to a retried seq; raise SeqReused when it carried another mutation."""
    found = rows(db, "SELECT outcome, fingerprint FROM push_outcomes WHERE device_id = ? AND seq = ?",
                 [device_id, seq])
    if found and found[0]["fingerprint"] not in (None, print_):  # None: stored before fingerprints
        raise SeqReused(seq=seq)
    original = jsontext.loads(found[0]["outcome"]) if found else None
    answer: dict[str, Any] = {"seq": seq, "status": "duplicate"}
    if original:
        answer["original"] = original
        if "version" in original:
            answer["version"] = original["version"]
    return answer


def _apply(db: Database, device: dict[str, Any], user: dict[str, Any], m: dict[str, Any]) -> dict[str, Any]:
    actor = f"device:{device['id']}"
    if m["entity"] == "inspection":
        if m["op"] == "delete":
            return _delete_inspection(db, user, m, actor)
        return _put_inspection(db, user, m, actor)
    if m["entity"] == "address":
        if m["op"] == "delete":
            raise Rejected("forbidden", "Een tablet verwijdert geen adressen.")
        return _put_address(db, device, user, m, actor)
    if m["entity"] == "assignment":
        raise Rejected("forbidden", "Opdrachten worden afgerond door een inspectie in te dienen.")
    raise Rejected("invalid", "Onbekend soort gegeven.", {"entity": ["Onbekend soort gegeven."]})


def _with_bad_text_marked(m: dict[str, Any]) -> dict[str, Any]:
    """Return the mutation, its data replaced by a marker when it holds a lone surrogate (never stored)."""
    where = jsontext.lone_surrogate_path(m["data"])
    return m if where is None else {**m, "data": _BadText(where)}


class _BadText(str):
    """Where a mutation's data held a lone surrogate; _load rejects it."""


def _load(load: Callable[[Any], Any], m: dict[str, Any]) -> dict[str, Any]:
    """Return a mutation's data loaded by its schema, JSON-ready; reject it when invalid."""
    data = m["data"]
    if isinstance(data, _BadText):
        raise Rejected("invalid", "Tekst met een ongeldig teken.",
                       {"data": [f"Ongeldige tekst bij {data}: een losse surrogaat is geen geldige Unicode."]})
    if not isinstance(data, dict):
        raise Rejected("invalid", "Gegevens ontbreken.", {"data": ["Verwacht een object."]})
    if "id" in data and data["id"] != m["id"]:
        raise Rejected("invalid", "Het id in de gegevens verschilt.",
                       {"id": ["Verschilt van het id van de wijziging."]})
    try:
        loaded: dict[str, Any] = load({**data, "id": m["id"]})
    except ValidationError as err:
        raise Rejected("invalid", "Een of meer velden zijn ongeldig.", err.messages) from None
    return loaded


def _put_inspection(db: Database, user: dict[str, Any], m: dict[str, Any], actor: str) -> dict[str, Any]:
    loaded = _load(load_inspection.wire, m)
    existing = store.get(db, "inspection", loaded["id"], include_deleted=True)
    if existing is not None:
        if existing.get("inspector_id") != user["id"]:
            raise Rejected("forbidden", "Deze inspectie is van een andere handhaver.")
        if existing["status"] == "submitted":
            raise Rejected("inspection_submitted",
                           "Een ingediende inspectie verandert niet meer; leg een correctie vast.")
        if m["base_version"] is not None and m["base_version"] != existing["version"]:
            return {"status": "conflict", "version": existing["version"], "current": existing,
                    "message": "De inspectie is intussen op een andere tablet gewijzigd."}
    errors: dict[str, list[str]] = {}
    address = store.get(db, "address", loaded["address_id"])
    if address is None:
        errors["address_id"] = ["Onbekend adres."]
    if loaded["assignment_id"]:
        assignment = store.get(db, "assignment", loaded["assignment_id"])
        if assignment is None or assignment["inspector_id"] != user["id"]:
            errors["assignment_id"] = ["Onbekende opdracht of niet de uwe."]
        elif assignment["address_id"] != loaded["address_id"]:
            errors["assignment_id"] = ["Deze opdracht is voor een ander adres."]
    if loaded["corrects"]:
        target = store.get(db, "inspection", loaded["corrects"])
        if target is None or target["status"] != "submitted" or target["address_id"] != loaded["address_id"]:
            errors["corrects"] = ["Een correctie verwijst naar een ingediende inspectie van hetzelfde adres."]
        elif target.get("inspector_id") != user["id"] and not in_scope(db, user["id"], target["address_id"]):
            raise Rejected("forbidden", "U corrigeert alleen uw eigen inspecties of die op een adres waar u een "
                                        "opdracht heeft.")
    if errors:
        raise Rejected("invalid", "Een of meer velden zijn ongeldig.", errors)
    record = {**loaded, "inspector_id": user["id"]}
    stored = store.put(db, "inspection", record, actor=actor)
    if existing is not None:
        db.execute("DELETE FROM inspection_photos WHERE inspection_id = ?", [stored["id"]])
    for photo in record["photos"]:
        db.execute("INSERT OR IGNORE INTO inspection_photos (inspection_id, sha256) VALUES (?, ?)",
                   [stored["id"], photo["sha256"]])
    if stored["status"] == "submitted":
        assert address is not None  # checked above
        evaluate_and_store(db, stored, app_norm_sets(), address)
        _after_submission(db, user, stored, address, actor)
    return {"status": "applied", "version": stored["version"],
            "attachments_complete": attachments_complete(db, stored)}


def _after_submission(db: Database, user: dict[str, Any], inspection: dict[str, Any], address: dict[str, Any],
                      actor: str) -> None:
    """Finish the assignment, mark the address verified when the inspector got in, and draft the rapport."""
    granted = inspection["access"] == "granted"
    if inspection["assignment_id"]:
        assignment = store.get(db, "assignment", inspection["assignment_id"])
        if assignment is not None and assignment["status"] in ("open", "cancelled"):
            if assignment["status"] == "cancelled":
                record_conflict(db, "assignment", assignment["id"], "status", "cancelled", "done",
                                assignment["version"], None, user["id"],
                                "Geannuleerde opdracht is toch uitgevoerd; de inspectie is bewaard.")
            status = "done" if granted or assignment["status"] == "cancelled" else "no_access"
            store.put(db, "assignment", {**assignment, "status": status}, actor=actor)
            hercontrole_submitted(db, inspection, assignment, user)  # decides the lasten it looked at
    # Verified is the office's: only a visit for an assignment, or at an address in the user's scope, sets it
    # (a tablet may inspect any address of the register, but that makes no address verified).
    if granted and not address["verified"] and (inspection["assignment_id"] or in_scope(db, user["id"], address["id"])):
        store.put(db, "address", {**address, "verified": True}, actor=actor)
    draft_rapport(db, inspection)  # the toezichthouder's concept rapport van bevindingen (server.rapport)


def _delete_inspection(db: Database, user: dict[str, Any], m: dict[str, Any], actor: str) -> dict[str, Any]:
    existing = store.get(db, "inspection", m["id"])
    if existing is None:
        return {"status": "applied", "version": None}
    if existing.get("inspector_id") != user["id"]:
        raise Rejected("forbidden", "Deze inspectie is van een andere handhaver.")
    if existing["status"] == "submitted":
        raise Rejected("inspection_submitted", "Een ingediende inspectie wordt nooit verwijderd.")
    tombstone = store.delete(db, "inspection", m["id"], actor=actor)
    return {"status": "applied", "version": tombstone["version"] if tombstone else None}


def _put_address(db: Database, device: dict[str, Any], user: dict[str, Any], m: dict[str, Any],
                 actor: str) -> dict[str, Any]:
    mine = _load(load_address.wire, m)
    existing = store.get(db, "address", m["id"], include_deleted=True)
    if existing is None:
        same = matching_address(db, mine)
        if same is not None:
            raise Rejected("address_exists", "Dit adres staat al in het adresregister; de tablet koppelt uw gegevens "
                                             "aan het bestaande adres.", existing_id=same["id"])
        mine["verified"] = False  # found on site: verified once an inspection got in
        mine.update(dict.fromkeys(OFFICE_FIELDS))  # BRP counts and BAG facts come from the imports
        stored = store.put(db, "address", mine, actor=actor, expected_version=0)
        return {"status": "applied", "version": stored["version"]}
    if not in_scope(db, user["id"], m["id"]):
        raise Rejected("forbidden", "U wijzigt alleen adressen waar u een opdracht heeft.")
    base = _version_of(db, existing, m["base_version"])
    merged, clashes = dict(existing), []
    for field in DEVICE_ADDRESS_FIELDS:
        if base is not None and mine.get(field) == base.get(field):
            continue  # the device did not change this field
        if base is None and mine.get(field) == existing.get(field):
            continue
        if base is not None and existing.get(field) == base.get(field):
            merged[field] = mine.get(field)
        elif existing.get(field) != mine.get(field):
            clashes.append(field)
    for field in clashes:
        record_conflict(db, "address", m["id"], field, existing.get(field), mine.get(field), m["base_version"],
                        device["id"], user["id"], "Veld is op de server en op de tablet gewijzigd.")
    version = existing["version"]
    if merged != existing:
        version = store.put(db, "address", merged, actor=actor, expected_version=existing["version"])["version"]
    if clashes:
        return {"status": "conflict", "version": version, "fields": clashes,
                "current": store.get(db, "address", m["id"]),
                "message": "Een of meer velden zijn intussen op de server gewijzigd; beide waarden zijn bewaard."}
    return {"status": "applied", "version": version}


def matching_address(db: Database, address: dict[str, Any]) -> dict[str, Any] | None:
    """Return a live address that is the same one: by BAG id, or by postcode, number, letter and toevoeging."""
    if address.get("bag_id"):
        found = store.select(db, "address", "bag_id = ?", [address["bag_id"]], limit=1)
        if found:
            return found[0]
    candidates = store.select(db, "address", "postcode = ? AND huisnummer = ?",
                              [address["postcode"], address["huisnummer"]])
    for candidate in candidates:
        if all((candidate.get(k) or "").upper() == (address.get(k) or "").upper()
               for k in ("huisletter", "toevoeging")):
            return candidate
    return None


def _version_of(db: Database, existing: dict[str, Any], version: int | None) -> dict[str, Any] | None:
    if version is None:
        return None
    if version == existing["version"]:
        return existing
    for old in store.history(db, "address", existing["id"]):
        if old["version"] == version:
            return old
    return None


def record_conflict(db: Database, entity: str, record_id: str, field: str | None, server_value: Any,
                    device_value: Any, base_version: int | None, device_id: str | None, user_id: str | None,
                    reason: str) -> None:
    """Keep both values of a conflicting change for the team lead."""
    db.table("conflicts").insert({
        "id": str(uuid.uuid4()), "entity": entity, "record_id": record_id, "field": field,
        "server_value": json.dumps(server_value, ensure_ascii=False),
        "device_value": json.dumps(device_value, ensure_ascii=False), "base_version": base_version,
        "device_id": device_id, "user_id": user_id, "reason": reason, "created_at": store.now()})


def attachments_complete(db: Database, inspection: dict[str, Any]) -> bool:
    """Return whether the server has every photo an inspection names, uploaded by its inspector.

    A photo someone else uploaded does not count: naming a hash one did not upload grants nothing,
    so the inspector's own tablet still has to send it.
    """
    wanted = {p["sha256"] for p in inspection.get("photos") or []}
    if not wanted:
        return True
    marks = ",".join("?" * len(wanted))
    have = rows(db, f"SELECT count(*) AS n FROM attachment_owners WHERE user_id = ? AND sha256 IN ({marks})",  # noqa: S608
                [inspection.get("inspector_id"), *wanted])
    return bool(have[0]["n"] == len(wanted))


# --- pull ----------------------------------------------------------------------

def encode_cursor(seq: int) -> str:
    """Return the opaque cursor for a change sequence number."""
    return base64.urlsafe_b64encode(f"v1:{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    """Return the sequence number in a cursor; None when absent or not ours."""
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    prefix, _, number = text.partition(":")
    if prefix != "v1" or not number.isdigit():
        return None
    return int(number)


def touch_device(db: Database, device: dict[str, Any], outbox: int | None = None,
                 oldest: dt.datetime | None = None) -> None:
    """Record that a device was seen and what it reported of its outbox.

    Written when the report changed, else at most once a minute (a pull is otherwise read-only).
    """
    seen = device.get("last_seen_at")
    oldest_text = oldest.astimezone(dt.UTC).isoformat(timespec="seconds") if oldest and outbox else None
    changed = outbox is not None and (outbox != device.get("outbox_size")
                                      or oldest_text != device.get("outbox_oldest_at"))
    if changed or seen is None or dt.datetime.fromisoformat(seen) < dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1):
        stamp = store.now()
        with write(db):
            if outbox is None:
                db.execute("UPDATE devices SET last_seen_at = ? WHERE id = ?", [stamp, device["id"]])
            else:
                db.execute("UPDATE devices SET last_seen_at = ?, outbox_size = ?, outbox_oldest_at = ?, "
                           "outbox_reported_at = ? WHERE id = ?", [stamp, outbox, oldest_text, stamp, device["id"]])


def pull(db: Database, user: dict[str, Any], cursor: str | None, limit: int) -> dict[str, Any]:
    """Return the changes in the user's scope after the cursor, at most limit, oldest first."""
    sweep(db, user["id"])  # finished assignments that aged out of scope: their evictions first
    db.conn.execute("BEGIN")  # one snapshot for the change rows and the records they name
    try:
        seq = decode_cursor(cursor)
        reset = seq is None or seq > store.last_change_seq(db)
        after = 0 if reset or seq is None else seq
        scope = user_addresses_sql()
        # Three disjoint parts, each read in seq order from an index and merged (UNION ALL; a
        # UNION would sort every remaining change in scope on every page to drop duplicates):
        # the user's own (assignments, evictions), the rest at his addresses, and what has no
        # address and no owner (norm sets and the address register; "+" keeps SQLite off the
        # owner index, where every inspection has a NULL owner).
        found = rows(db, f"""
            SELECT * FROM changes WHERE owner_id = ? AND seq > ?
            UNION ALL SELECT * FROM changes WHERE address_id IN ({scope}) AND owner_id IS NOT ? AND seq > ?
            UNION ALL SELECT * FROM changes WHERE address_id IS NULL AND +owner_id IS NULL AND seq > ?
            ORDER BY seq LIMIT ?""", [user["id"], after, *scope_params(user["id"]), user["id"], after, after,  # noqa: S608
                                      limit + 1])
        more = len(found) > limit
        found = found[:limit]
        changes = _materialise(db, found)
    finally:
        db.conn.execute("COMMIT")
    next_seq = found[-1]["seq"] if found else after
    return {"changes": changes, "cursor": encode_cursor(next_seq), "more": more, "reset": reset}


def _materialise(db: Database, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_entity: dict[str, list[str]] = {}
    for row in found:
        by_entity.setdefault(row["entity"], []).append(row["record_id"])
    records: dict[tuple[str, str], dict[str, Any]] = {}
    for entity, ids in by_entity.items():
        for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
            marks = ",".join("?" * len(chunk))
            if entity == REGISTER:
                for r in rows(db, f"SELECT * FROM addresses WHERE id IN ({marks})", chunk):  # noqa: S608
                    records[(entity, r["id"])] = r
            elif entity in store.ENTITIES:
                table = store.ENTITIES[entity].table
                for r in rows(db, f"SELECT * FROM {table} WHERE id IN ({marks})", chunk):  # noqa: S608
                    records[(entity, r["id"])] = r
            elif entity == "norm_set":
                for r in rows(db, f"SELECT key AS id, version, data FROM norm_sets WHERE key IN ({marks})",  # noqa: S608
                              chunk):
                    records[(entity, r["id"])] = r
    complete = _complete_photos(db, [r for (e, _), r in records.items() if e == "inspection"])
    parties = tablet_parties_of(db, [i for (e, i), r in records.items() if e == "address" and not r["deleted"]])
    changes = []
    for row in found:
        if row["entity"] == EVICT:
            changes.append({"entity": "address", "id": row["record_id"].split("/", 1)[1], "version": None,
                            "op": "evict", "data": None})
            continue
        record = records.get((row["entity"], row["record_id"]))
        if record is None:
            continue
        if row["entity"] == "norm_set":
            changes.append({"entity": "norm_set", "id": record["id"], "version": 1, "op": "put",
                            "data": jsontext.loads(record["data"])})
        elif row["entity"] == REGISTER:
            gone = record["deleted"] or row["op"] == "delete"
            changes.append({"entity": REGISTER, "id": record["id"], "version": record["version"],
                            "op": "delete" if gone else "put",
                            "data": None if gone else register_entry({"id": record["id"],
                                                                       **jsontext.loads(record["data"])})})
        elif record["deleted"]:
            changes.append({"entity": row["entity"], "id": record["id"], "version": record["version"],
                            "op": "delete", "data": None})
        else:
            data = {"id": record["id"], "version": record["version"], **jsontext.loads(record["data"]),
                    "created_at": record["created_at"], "updated_at": record["updated_at"]}
            if row["entity"] == "inspection":
                data["attachments_complete"] = complete.get(record["id"], True)
            elif row["entity"] == "address":
                data["parties"] = parties.get(record["id"], [])
            elif row["entity"] == "case":
                data = {"version": record["version"], **case_summary(data)}
            changes.append({"entity": row["entity"], "id": record["id"], "version": record["version"],
                            "op": "put", "data": data})
    return changes


def _complete_photos(db: Database, inspections: list[dict[str, Any]]) -> dict[str, bool]:
    ids = [r["id"] for r in inspections]
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    missing = rows(db, f"SELECT DISTINCT p.inspection_id FROM inspection_photos p JOIN inspections i "  # noqa: S608
                       "ON i.id = p.inspection_id LEFT JOIN attachment_owners o ON o.sha256 = p.sha256 AND "
                       f"o.user_id = i.inspector_id WHERE o.sha256 IS NULL AND p.inspection_id IN ({marks})", ids)
    incomplete = {r["inspection_id"] for r in missing}
    return {i: i not in incomplete for i in ids}

