"""Inspections on the tablet: drafts saved as he types, judged live, submitted into the outbox."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

from marshmallow import ValidationError

from field_client.errors import InvalidInput
from field_client.tablet_store import TabletStore
from schemas import address_schema, inspection_schema, shipped_norm_sets
from schemas.base import to_wire
from schemas.entry_basis import entry_doubts
from schemas.errors import ContractError
from schemas.judge import judge
from schemas.norm_set import parse_norm_set


def norm_sets(store: TabletStore) -> list[dict[str, Any]]:
    """Return the synced norm sets; before the first sync, the ones shipped with the app."""
    synced = [parse_norm_set(data, f"sync {data.get('id')}") for data in store.all("norm_set")]
    return synced or shipped_norm_sets()


def evaluate(store: TabletStore, inspection: dict[str, Any]) -> dict[str, Any]:
    """Judge an inspection (draft or not) with the same engine and norm sets as the server, and its entry."""
    return {**_judged(store, inspection), "entry_doubts": entry_doubts(_entry_facts(inspection))}


def _entry_facts(inspection: dict[str, Any]) -> dict[str, Any]:
    """Return what entry_doubts reads of a draft, whose parts may not yet have their shape (a draft is unchecked)."""
    entry, present = inspection.get("entry"), inspection.get("present")
    entry = {k: v for k, v in entry.items() if isinstance(v, str | bool)} if isinstance(entry, dict) else {}
    roles = [p.get("role") for p in present if isinstance(p, dict)] if isinstance(present, list) else []
    return {"access": inspection.get("access"), "entry": entry,
            "present": [{"role": role} for role in roles if isinstance(role, str)]}


def _judged(store: TabletStore, inspection: dict[str, Any]) -> dict[str, Any]:
    address = store.get("address", inspection.get("address_id") or "")
    if address is None:
        return {"findings": [], "not_assessed": [], "norm_set": None, "error": "Adres onbekend op deze tablet."}
    try:
        loaded = inspection_schema.load({**_wire_fields(inspection), "status": "draft"})
    except ValidationError as err:
        return {"findings": [], "not_assessed": [], "norm_set": None, "errors": err.messages,
                "error": "Nog niet alles is geldig ingevuld."}
    try:
        used, result = judge(loaded, address, norm_sets(store))
    except ContractError as err:
        return {"findings": [], "not_assessed": [], "norm_set": None, "error": str(err)}
    return {**result.as_dict(), "norm_set": {"id": used["id"], "version": used["version"]},
            "residents": result.residents}


def new_draft(store: TabletStore, address_id: str, assignment_id: str | None = None, kind: str = "controle",
              corrects: str | None = None) -> dict[str, Any]:
    """Start a draft inspection of an address, kept only on the tablet until submitted."""
    if store.get("address", address_id) is None:
        raise InvalidInput("Onbekend adres.", {"address_id": ["Onbekend adres."]})
    draft: dict[str, Any] = {
             "id": str(uuid.uuid4()), "address_id": address_id, "assignment_id": assignment_id, "kind": kind,
             "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "finished_at": None,
             "status": "draft", "access": None, "dwelling": {}, "rooms": [],
             "occupants": {"present": None, "reported": None, "languages": {}}, "facilities": {},
             "fire_safety": {}, "tenancy": {}, "manual_findings": [], "notes": None, "photos": [],
             "corrects": corrects, "inspector_id": (store.get_state("user") or {}).get("id")}
    store.save_local("inspection", draft)
    return draft


def save_draft(store: TabletStore, inspection_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """Keep what he typed, even when not yet valid; refuse to change a submitted inspection."""
    current = store.get("inspection", inspection_id)
    if current is None:
        raise InvalidInput("Onbekende inspectie.", {"id": ["Onbekende inspectie."]})
    if current.get("status") == "submitted":
        raise InvalidInput("Een ingediende inspectie verandert niet meer; maak een correctie.", {})
    draft = {**current, **data, "id": inspection_id, "status": "draft"}
    store.save_local("inspection", draft)
    return draft


def submit(store: TabletStore, inspection_id: str) -> dict[str, Any]:
    """Validate the draft as submitted and queue it; after this it is read-only."""
    current = store.get("inspection", inspection_id)
    if current is None:
        raise InvalidInput("Onbekende inspectie.", {"id": ["Onbekende inspectie."]})
    if current.get("status") == "submitted":
        return current
    candidate = {**current, "status": "submitted",
                 "finished_at": current.get("finished_at") or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    record = _validated(candidate)
    record["inspector_id"] = current.get("inspector_id")
    store.queue("inspection", record)
    return record


def _wire_fields(inspection: dict[str, Any]) -> dict[str, Any]:
    """Drop the fields only the server sets."""
    return {k: v for k, v in inspection.items()
            if k not in ("inspector_id", "version", "created_at", "updated_at", "attachments_complete")}


def _validated(inspection: dict[str, Any]) -> dict[str, Any]:
    try:
        loaded = inspection_schema.load(_wire_fields(inspection))
    except ValidationError as err:
        raise InvalidInput("De inspectie is niet volledig of niet geldig.", err.messages) from None
    record: dict[str, Any] = to_wire(loaded)
    return record


def add_address(store: TabletStore, data: dict[str, Any]) -> dict[str, Any]:
    """Validate and queue an address found on site."""
    data = {"id": str(uuid.uuid4()), **data}
    try:
        loaded = address_schema.load(data)
    except ValidationError as err:
        raise InvalidInput("Het adres is niet geldig.", err.messages) from None
    record: dict[str, Any] = to_wire(loaded)
    record["verified"] = False
    if store.get("address", record["id"]) is None:
        store.queue("address", record)
    return record


def record_file(store: TabletStore, path: Path) -> str:
    """Validate a JSON file (an inspection, or {address, inspection[, photo_files]}) and queue it; return its id."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInput(f"Bestand niet gevonden: {path}", {}) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InvalidInput(f"Geen geldige JSON in {path}: {err}", {}) from None
    if not isinstance(raw, dict):
        raise InvalidInput(f"{path}: verwacht een object.", {})
    if "inspection" in raw:
        unknown = sorted(set(raw) - {"address", "inspection", "photo_files"})
        if unknown:
            raise InvalidInput("Onbekende velden.", {k: ["Onbekend veld."] for k in unknown})
        inspection, address, photo_files = raw["inspection"], raw.get("address"), raw.get("photo_files") or {}
    else:
        inspection, address, photo_files = raw, None, {}
    if not isinstance(inspection, dict):
        raise InvalidInput("inspection moet een object zijn.", {"inspection": ["Geen geldig object."]})
    errors: dict[str, Any] = {}
    record: dict[str, Any] = {}
    try:
        record = to_wire(inspection_schema.load(_wire_fields(inspection)))
    except ValidationError as err:
        errors["inspection"] = err.messages
    address_record: dict[str, Any] = {}
    if address is not None:
        try:
            address_record = to_wire(address_schema.load(address))
        except ValidationError as err:
            errors["address"] = err.messages
    for sha, file in photo_files.items():
        file_path = (path.parent / file) if not Path(file).is_absolute() else Path(file)
        if not file_path.exists():
            errors.setdefault("photo_files", {})[sha] = ["Bestand niet gevonden."]
    if record and store.get("address", record["address_id"]) is None and \
            address_record.get("id") != record["address_id"]:
        errors["inspection"] = {"address_id": ["Onbekend adres op deze tablet: neem het adres op in het bestand "
                                               "of synchroniseer eerst."]}
    if errors:
        raise InvalidInput("Een of meer velden zijn ongeldig.", errors)
    for sha, file in photo_files.items():
        file_path = (path.parent / file) if not Path(file).is_absolute() else Path(file)
        if store.add_photo(file_path.read_bytes()) != sha:
            raise InvalidInput("De SHA-256 van een foto klopt niet.", {"photo_files": {sha: ["Andere SHA-256."]}})
    if address is not None and store.get("address", address_record["id"]) is None:
        address_record["verified"] = False
        store.queue("address", address_record)
    record["inspector_id"] = (store.get_state("user") or {}).get("id")
    store.queue("inspection", record)
    return str(record["id"])
