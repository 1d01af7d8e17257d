"""Findings on the server: judge an inspection once when stored, keep the result with its norm set."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, current_app
from sqlite_utils import Database

from schemas import NormSetError, jsontext
from schemas.errors import NormSetNotFound
from schemas.judge import judge
from schemas.norm_set import dump_norm_set
from server import store
from server.db import rows, write
from server.norms import configured_norm_sets

EXTENSION = "woontoezicht.norm_sets"


def norm_set_key(norm_set: dict[str, Any]) -> str:
    """Return the record id of a norm set version, e.g. 'aalsmeer@1'."""
    return f"{norm_set['id']}@{norm_set['version']}"


def load_app_norm_sets(app: Flask) -> None:
    """Load the shipped and configured norm sets once, for this app."""
    app.extensions[EXTENSION] = configured_norm_sets(app.config["NORM_SETS"])


def app_norm_sets() -> list[dict[str, Any]]:
    """Return this app's norm sets."""
    sets: list[dict[str, Any]] = current_app.extensions[EXTENSION]
    return sets


def install_norm_sets(db: Database, norm_sets: list[dict[str, Any]]) -> list[str]:
    """Store new norm set versions for sync; refuse a changed version. Return the keys added."""
    added = []
    with write(db):
        for norm_set in norm_sets:
            key = norm_set_key(norm_set)
            data = json.dumps(dump_norm_set(norm_set), ensure_ascii=False, sort_keys=True)
            found = rows(db, "SELECT data FROM norm_sets WHERE key = ?", [key])
            if found:
                if found[0]["data"] != data:
                    raise NormSetError(f"Normenset {norm_set['id']} versie {norm_set['version']} is gewijzigd "
                                       "nadat hij is gebruikt; leg de wijziging vast als een nieuwe versie.")
                continue
            db.table("norm_sets").insert({"key": key, "id": norm_set["id"], "version": norm_set["version"],
                                    "gemeentecode": norm_set["gemeentecode"],
                                    "valid_from": norm_set["valid_from"].isoformat(), "data": data,
                                    "loaded_at": store.now()})
            store.log_change(db, "norm_set", key, "put", None, None)
            added.append(key)
    return added


def evaluate_and_store(db: Database, inspection: dict[str, Any], norm_sets: list[dict[str, Any]],
                       address: dict[str, Any] | None = None) -> dict[str, Any]:
    """Judge a stored inspection against the norm set in force and keep the result.

    The caller may pass the inspection's address when it has just read it in this transaction.
    """
    if address is None:
        address = store.get(db, "address", inspection["address_id"], include_deleted=True)
    result: dict[str, Any]
    if address is None:
        result = {"norm_set": None, "residents": None, "findings": [], "not_assessed": [],
                  "error": "Adres onbekend."}
    else:
        try:
            used, evaluation = judge(inspection, address, norm_sets)
        except NormSetNotFound as err:
            result = {"norm_set": None, "residents": None, "findings": [], "not_assessed": [], "error": str(err)}
        else:
            result = {"norm_set": {"id": used["id"], "version": used["version"]},
                      "residents": evaluation.residents, **evaluation.as_dict()}
    with write(db):
        db.execute("INSERT OR REPLACE INTO evaluations (inspection_id, inspection_version, norm_set_id, "
                   "norm_set_version, residents, findings, not_assessed, computed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   [inspection["id"], inspection["version"],
                    result["norm_set"]["id"] if result["norm_set"] else None,
                    result["norm_set"]["version"] if result["norm_set"] else None, result["residents"],
                    jsontext.dumps(result["findings"]), jsontext.dumps(result["not_assessed"]), store.now()])
    return result


def stored_evaluation(db: Database, inspection_id: str) -> dict[str, Any] | None:
    """Return the findings kept for an inspection, with the norm set used."""
    found = rows(db, "SELECT * FROM evaluations WHERE inspection_id = ?", [inspection_id])
    if not found:
        return None
    row = found[0]
    norm_set = {"id": row["norm_set_id"], "version": row["norm_set_version"]} if row["norm_set_id"] else None
    return {"norm_set": norm_set, "residents": row["residents"], "findings": jsontext.loads(row["findings"]),
            "not_assessed": jsontext.loads(row["not_assessed"]), "computed_at": row["computed_at"]}
