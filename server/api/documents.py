"""Documents of a case: a teamleider makes concepts, approves and sends them; readers get the PDF."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Response, current_app, jsonify
from marshmallow import ValidationError

from schemas.base import BaseSchema, Bool, Date, Dict, List, Money, Nested, Str, matches, max_length, one_of
from server import documents
from server.api import bp
from server.api.cases import answer, readable_case
from server.audit import audit
from server.auth import current_user, require
from server.cases import CaseError
from server.db import get_db, rows
from server.errors import NotFound
from server.http import json_object, load

CODE = matches(r"^[A-Z][A-Z0-9_]{1,39}$", "Een code van een overtreding, zoals ROOKMELDER.")


def _plausible(day: dt.date) -> None:
    """A letter is dated from 2000 up to a year ahead."""
    if not dt.date(2000, 1, 1) <= day <= dt.date.today() + dt.timedelta(days=366):
        raise ValidationError("Een briefdatum ligt tussen 2000 en een jaar vooruit.")


class DwangsomSchema(BaseSchema):
    """The dwangsom of a last: amount, per week or per violation, and its maximum."""

    amount = Money(low=1, high=1_000_000)
    per = Str(validate=one_of(("week", "overtreding")))
    max = Money(low=1, high=10_000_000)


class BoeteSchema(BaseSchema):
    """The intended bestuurlijke boete."""

    amount = Money(required=True, low=1, high=1_000_000)
    repeat = Bool(load_default=False,
                  metadata={"description": "Herhaalde overtreding binnen vier jaar (hoger maximum)."})


class ConceptChangesSchema(BaseSchema):
    """What a teamleider may set on a concept."""

    letter_date = Date(validate=_plausible)
    inspection_id = Str(validate=matches(r"^[0-9a-fA-F-]{36}$", "Geen geldige UUID."))
    remedies = Dict(keys=Str(validate=CODE), values=Str(validate=[max_length(1000), matches(r"\S", "Mag niet leeg "
                                                                                                "zijn.")]))
    dwangsom = Nested(DwangsomSchema)
    boete = Nested(BoeteSchema)
    toelichting = Str(allow_none=True, validate=max_length(5000))
    bijlagen = List(Str(validate=max_length(200)), validate=lambda v: len(v) <= 20)


class ConceptSchema(ConceptChangesSchema):
    """A new concept of a kind."""

    kind = Str(required=True, validate=one_of(documents.KINDS))


class SendSchema(BaseSchema):
    """When an approved letter was sent."""

    sent_on = Date(required=True)


concept_schema, changes_schema, send_schema = ConceptSchema(), ConceptChangesSchema(), SendSchema()


def _settings() -> documents.Settings:
    return documents.Settings(current_app.config)


def _readable_document(document_id: str) -> dict[str, Any]:
    db = get_db()
    try:
        row = documents.get_document(db, document_id)
    except CaseError:
        raise NotFound("Document niet gevonden.") from None
    readable_case(row["case_id"])
    return row


@bp.post("/cases/<case_id>/documents")
@require("teamleider")
def make_document(case_id: str) -> tuple[Response, int]:
    """Make a concept of a kind for a case."""
    body = load(concept_schema, json_object())
    db = get_db()
    try:
        readable_case(case_id)
        row = documents.make_concept(db, _settings(), case_id, current_user(), body)
    except CaseError as err:
        raise answer(err) from None
    audit(db, "create", "document", row["id"], {"case_id": case_id, "kind": row["kind"]})
    return jsonify(documents.summary(row)), 201


@bp.get("/cases/<case_id>/documents")
@require()
def list_documents(case_id: str) -> Response:
    """List a case's documents."""
    readable_case(case_id)
    db = get_db()
    found = rows(db, "SELECT * FROM documents WHERE case_id = ? ORDER BY created_at", [case_id])
    audit(db, "list", "document", None, {"case_id": case_id, "ids": [r["id"] for r in found]})
    return jsonify({"items": [documents.summary(r) for r in found], "next": None})


@bp.get("/documents/<document_id>")
@require()
def get_document(document_id: str) -> Response:
    """Return a document's PDF: the frozen file once approved, else a concept drawn now."""
    row = _readable_document(document_id)
    settings = _settings()
    try:
        pdf = documents.approved_pdf(settings, row) if row["status"] == "approved" else \
            documents.concept_pdf(settings, row)
    except CaseError as err:
        raise answer(err) from None
    audit(get_db(), "read", "document", document_id, {"case_id": row["case_id"]})
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{row["kenmerk"]}.pdf"'
    response.headers["X-Document-Status"] = row["status"]
    if row["sha256"]:
        response.headers["X-Document-SHA256"] = row["sha256"]
        response.set_etag(row["sha256"])
    return response


@bp.patch("/documents/<document_id>")
@require("teamleider")
def change_document(document_id: str) -> Response:
    """Change a concept; an approved document is refused with 409."""
    body = load(changes_schema, json_object())
    _readable_document(document_id)
    db = get_db()
    try:
        row = documents.update_concept(db, _settings(), document_id, current_user(), body)
    except CaseError as err:
        raise answer(err) from None
    audit(db, "update", "document", document_id)
    return jsonify(documents.summary(row))


@bp.post("/documents/<document_id>/approve")
@require("teamleider")
def approve_document(document_id: str) -> Response:
    """Approve a concept: its PDF is frozen and stored by hash."""
    _readable_document(document_id)
    db = get_db()
    try:
        row = documents.approve(db, _settings(), document_id, current_user())
    except CaseError as err:
        raise answer(err) from None
    audit(db, "approve", "document", document_id, {"sha256": row["sha256"]})
    return jsonify(documents.summary(row))


@bp.post("/documents/<document_id>/send")
@require("teamleider")
def send_document(document_id: str) -> Response:
    """Record that an approved letter was sent; the case takes the step the letter stands for."""
    body = load(send_schema, json_object())
    _readable_document(document_id)
    db = get_db()
    try:
        row = documents.send(db, _settings(), document_id, current_user(), body["sent_on"],
                             dt.date.today())
    except CaseError as err:
        raise answer(err) from None
    audit(db, "send", "document", document_id, {"sent_on": row["sent_on"]})
    return jsonify(documents.summary(row))
