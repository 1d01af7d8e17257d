"""The legal-basis register: per rule code, dated entries with the regime and the voorschriften.

Apart from the norm sets, because the law and its verification change on their own dates: a
finding cites the entry in force on its inspection date, whatever norm set version judged it
(DESIGN.md legal_basis). The shipped register is server/config/legal_basis.json; the setting
LEGAL_BASIS names a municipality's own file. A rule with regime `signaal`, or without a
voorschrift, gives signals and advice in the rapport, never a last or a boete.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
from typing import Any

from flask import current_app, has_app_context
from marshmallow import ValidationError, validate, validates_schema

from schemas.base import BaseSchema, Date, Dict, List, Nested, Str, max_length, one_of
from schemas.errors import ContractError, flatten_messages
from schemas.finding import REGIMES, VoorschriftSchema
from schemas.norm_engine import known_codes
from server.settings import config_file

EXTENSION = "woontoezicht.legal_basis"


class LegalBasisError(ContractError):
    """The register file cannot be read or is not valid; the message is Dutch."""


class EntrySchema(BaseSchema):
    """One dated entry: from valid_from on, the rule has this regime and these voorschriften."""

    valid_from = Date(required=True)
    regime = Str(required=True, validate=one_of(REGIMES))
    voorschriften = List(Nested(VoorschriftSchema), required=True)
    note = Str(validate=max_length(2000))


class RuleBasisSchema(BaseSchema):
    """A rule's entries (at least one) and where its number comes from (context, never the grondslag)."""

    toetsingskader = Str(required=True, validate=max_length(2000))
    entries = List(Nested(EntrySchema), required=True,
                   validate=validate.Length(min=1, error="Ten minste één ingang."))

    @validates_schema
    def _distinct_dates(self, data: dict[str, Any], **kwargs: Any) -> None:
        dates = [e["valid_from"] for e in data.get("entries", [])]
        if len(set(dates)) != len(dates):
            raise ValidationError({"entries": ["Twee ingangen met dezelfde valid_from."]})


class RegisterSchema(BaseSchema):
    """The whole register: its source and an entry list per rule code the engine knows."""

    source = Str(required=True, validate=max_length(5000))
    rules = Dict(keys=Str(), values=Nested(RuleBasisSchema), required=True)

    @validates_schema
    def _every_code(self, data: dict[str, Any], **kwargs: Any) -> None:
        codes = set(data.get("rules", {}))
        errors = {code: ["Onbekende regelcode."] for code in sorted(codes - known_codes())}
        errors |= {code: ["Ontbreekt in het register."] for code in sorted(known_codes() - codes)}
        if errors:
            raise ValidationError({"rules": errors})


register_schema = RegisterSchema()


def load_register(path: str | None = None) -> dict[str, Any]:
    """Read and validate the register (the shipped one when path is empty); raise LegalBasisError."""
    if not path:
        return copy.deepcopy(_shipped())
    return _parse(path)


@functools.lru_cache(maxsize=1)
def _shipped() -> dict[str, Any]:
    return _parse(None)


def _parse(path: str | None) -> dict[str, Any]:
    where = path or "server/config/legal_basis.json"
    try:
        raw = config_file(path, "legal_basis.json")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise LegalBasisError(f"Register van grondslagen {where} kan niet worden gelezen: {err}") from None
    try:
        loaded: dict[str, Any] = register_schema.load(raw)
    except ValidationError as err:
        raise LegalBasisError(f"Register van grondslagen {where} is ongeldig: "
                              + "; ".join(flatten_messages(err.messages))) from None
    for rule in loaded["rules"].values():
        rule["entries"].sort(key=lambda e: e["valid_from"])
    return loaded


def load_app_register(app: Any) -> None:
    """Load the configured register once, for this app."""
    app.extensions[EXTENSION] = load_register(app.config.get("LEGAL_BASIS") or None)


def current_register() -> dict[str, Any]:
    """Return this app's register, or the shipped one outside an app."""
    if has_app_context() and EXTENSION in current_app.extensions:
        register: dict[str, Any] = current_app.extensions[EXTENSION]
        return register
    return _shipped()


def entry(code: str, on: dt.date, register: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """Return the entry in force for a rule code on a date (the latest valid_from on or before it), or None."""
    rule = (register or current_register())["rules"].get(code)
    if rule is None:
        return None
    found = None
    for candidate in rule["entries"]:  # sorted by valid_from
        if candidate["valid_from"] <= on:
            found = candidate
    return found


def enforceable(found: dict[str, Any] | None) -> bool:
    """Return whether an entry can carry a last or a boete: a regime other than signaal and a voorschrift."""
    return found is not None and found["regime"] != "signaal" and bool(found["voorschriften"])


def toetsingskader(code: str, register: dict[str, Any] | None = None) -> str | None:
    """Return where a rule's number comes from, per the register."""
    rule = (register or current_register())["rules"].get(code)
    return rule["toetsingskader"] if rule else None


def annotate(findings: list[dict[str, Any]], on: dt.date, register: dict[str, Any] | None = None
             ) -> list[dict[str, Any]]:
    """Return the findings (of any norm set version) with regime, voorschriften, toetsingskader and enforceable.

    The register's entry in force on `on` (the inspection date) decides; a finding's own
    toetsingskader (from a norm set that has one) is kept. The findings given are not changed.
    """
    register = register or current_register()
    out = []
    for finding in findings:
        found = entry(finding["code"], on, register)
        out.append({**finding,
                    "regime": found["regime"] if found else None,
                    "voorschriften": [dict(v) for v in found["voorschriften"]] if found else [],
                    "toetsingskader": finding.get("toetsingskader") or toetsingskader(finding["code"], register),
                    "enforceable": enforceable(found)})
    return out


def annotate_evaluation(evaluation: dict[str, Any], inspection: dict[str, Any],
                        register: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return a stored evaluation with its findings annotated for the inspection's date."""
    from schemas.judge import inspection_date
    return {**evaluation, "findings": annotate(evaluation["findings"], inspection_date(inspection), register)}

