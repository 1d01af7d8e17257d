"""Norm sets: data files with rule parameters, their validation and choice by date."""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

from marshmallow import ValidationError, validate, validates_schema

from schemas.base import (
    BaseSchema,
    Date,
    Dict,
    Int,
    Nested,
    Raw,
    Str,
    between,
    matches,
    max_length,
)
from schemas.errors import NormSetError, NormSetNotFound
from schemas.norm_engine import ENGINES, rule_params


def one_of_numbers(choices: tuple[int, ...]) -> validate.OneOf:
    """Return a choice check for whole numbers with a Dutch message."""
    return validate.OneOf(choices, error="Moet een van deze waarden zijn: " + ", ".join(map(str, choices)) + ".")


class ParamSchema(BaseSchema):
    """One rule parameter: its value, unit and the text it comes from."""

    value = Raw(required=True)
    unit = Str(allow_none=True, load_default=None, validate=max_length(40))
    source = Str(required=True, validate=max_length(2000))


class RuleSchema(BaseSchema):
    """One rule of a norm set: title, impact class, legal basis, parameters."""

    title = Str(required=True, validate=max_length(200))
    impact = Int(required=True, validate=between(0, 4))
    legal_basis = Str(required=True, validate=max_length(1000))
    params = Dict(keys=Str(), values=Nested(ParamSchema), load_default=dict)
    source = Str(allow_none=True, load_default=None, validate=max_length(2000))
    # Where the number comes from (SNF, Roemer, a Kadernota): context, never the grondslag, which is
    # the legal-basis register's. Absent in older sets, and then absent from their findings.
    toetsingskader = Str(validate=max_length(2000))


class NormSetSchema(BaseSchema):
    """A municipality's norm set, in force from valid_from."""

    id = Str(required=True, validate=matches(r"^[a-z0-9][a-z0-9-]{0,39}$",
                                             "Een normenset-id is kleine letters, cijfers en -."))
    version = Int(required=True, validate=between(1, 100000))
    name = Str(required=True, validate=max_length(200))
    gemeentecode = Str(required=True, validate=matches(r"^[0-9]{4}$", "Een gemeentecode is vier cijfers."))
    valid_from = Date(required=True)
    source = Str(required=True, validate=max_length(5000))
    # How the engine reads the rules (schemas.norm_engine); absent means 1, the first reading,
    # so the sets that judged inspections before readings existed keep their stored form.
    engine = Int(validate=one_of_numbers(ENGINES))
    rules = Dict(keys=Str(), values=Nested(RuleSchema), required=True)

    @validates_schema
    def _check_rules(self, data: dict[str, Any], **kwargs: Any) -> None:
        known = rule_params(data.get("engine", 1))
        if known is None:
            return  # the engine field has its own message
        errors: dict[str, list[str]] = {}
        for code, rule in data.get("rules", {}).items():
            if code not in known:
                errors[code] = ["Onbekende regelcode."]
                continue
            problems = []
            for name, kind in known[code].items():
                param = rule["params"].get(name)
                if param is None:
                    problems.append(f"Parameter {name} ontbreekt.")
                elif not _param_ok(param["value"], kind):
                    problems.append(f"Parameter {name} heeft geen geldige waarde ({kind}).")
            for name in rule["params"]:
                if name not in known[code]:
                    problems.append(f"Onbekende parameter {name}.")
            if not known[code] and not rule.get("source"):
                problems.append("Een regel zonder parameters heeft een bron (source) nodig.")
            if problems:
                errors[code] = problems
        if errors:
            raise ValidationError({"rules": errors})


def _param_ok(value: Any, kind: str) -> bool:
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0
    if kind == "date":
        try:
            dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            return False
        return True
    if kind == "counts":
        return isinstance(value, dict) and all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value.values())
    raise AssertionError(kind)


norm_set_schema = NormSetSchema()


def parse_norm_set(raw: Any, origin: str) -> dict[str, Any]:
    """Validate one norm set document; raise NormSetError naming its origin."""
    try:
        loaded: dict[str, Any] = norm_set_schema.load(raw)
    except ValidationError as err:
        raise NormSetError(f"Normenset {origin} is ongeldig: {err.messages}") from None
    return loaded


def load_norm_set_file(path: Path) -> dict[str, Any]:
    """Read and validate a norm set JSON file."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise NormSetError(f"Normenset {path} kan niet worden gelezen: {err}") from None
    return parse_norm_set(raw, str(path))


def shipped_norm_sets() -> list[dict[str, Any]]:
    """Return the norm sets shipped inside the package."""
    folder = resources.files("schemas").joinpath("norm_sets")
    sets = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            raw = json.loads(entry.read_text(encoding="utf-8"))
            sets.append(parse_norm_set(raw, entry.name))
    return sets


def load_norm_sets(extra_dirs: Iterable[Path] = ()) -> list[dict[str, Any]]:
    """Return the shipped norm sets plus those in extra_dirs; refuse duplicate id+version."""
    sets = shipped_norm_sets()
    for folder in extra_dirs:
        for path in sorted(Path(folder).glob("*.json")):
            sets.append(load_norm_set_file(path))
    seen: set[tuple[str, int]] = set()
    for s in sets:
        key = (s["id"], s["version"])
        if key in seen:
            raise NormSetError(f"Normenset {s['id']} versie {s['version']} komt twee keer voor.")
        seen.add(key)
    return sets


def select_norm_set(norm_sets: Iterable[dict[str, Any]], gemeentecode: str, on: dt.date) -> dict[str, Any]:
    """Return the set in force for this municipality on this date (latest valid_from, then version)."""
    candidates = [s for s in norm_sets if s["gemeentecode"] == gemeentecode and _as_date(s["valid_from"]) <= on]
    if not candidates:
        raise NormSetNotFound(
            f"Geen normenset voor gemeente {gemeentecode} die geldt op {on.isoformat()}.")
    return max(candidates, key=lambda s: (_as_date(s["valid_from"]), s["version"]))


def dump_norm_set(norm_set: dict[str, Any]) -> dict[str, Any]:
    """Return a norm set as JSON-ready data."""
    dumped: dict[str, Any] = norm_set_schema.dump(norm_set)
    return dumped


def _as_date(value: dt.date | str) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
