"""Documents of a case: a teamleider makes concepts, approves and sends them; readers get the PDF."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Response, current_app, jsonify
from marshmallow import ValidationError

from schemas.base import (
    BaseSchema,
    Bool,
    Date,
    Dict,
    Int,
    List,
    Money,
    Nested,
    Str,
    between,
    matches,
    max_length,
    one_of,
)
from server import documents
from server.api import bp
from server.api.cases import answer, readable_case
from server.audit import audit
from server.auth import current_user, require
from server.cases import CaseError
from server.db import get_db, rows
from server.errors import NotFound
from server.http import json_object, load
from server.letters import DISPATCH

CODE = matches(r"^[A-Z][A-Z0-9_]{1,39}$", "Een code van een overtreding, zoals ROOKMELDER.")
UUID = matches(r"^[0-9a-fA-F-]{36}$", "Geen geldige UUID.")
TEXT = [max_length(5000)]


def _plausible(day: dt.date) -> None:
    """A letter is dated from 2000 up to a year ahead."""
    if not dt.date(2000, 1, 1) <= day <= dt.date.today() + dt.timedelta(days=366):
        raise ValidationError("Een briefdatum ligt tussen 2000 en een jaar vooruit.")


class DwangsomSchema(BaseSchema):
    """The dwangsom of a last: amount, per week or per violation, and its maximum."""

    amount = Money(required=True, low=1, high=1_000_000)
    per = Str(required=True, validate=one_of(("week", "overtreding")))
    max = Money(required=True, low=1, high=10_000_000)


class LastChoiceSchema(BaseSchema):
    """What a letter decides for one last (by its code)."""

    herstelmaatregel = Str(validate=[max_length(2000), matches(r"\S", "Mag niet leeg zijn.")])
    begunstigingstermijn_days = Int(validate=between(1, 3650))
    herstel_days = Int(validate=between(1, 3650), metadata={"description": "Hersteltermijn van een waarschuwing."})
    dwangsom = Nested(DwangsomSchema)
    boete_amount = Money(low=1, high=10_000_000)
    repeat = Bool(metadata={"description": "Herhaling binnen vier jaar: het hogere maximum (vraagt een eerdere boete "
                                           "voor dezelfde overtreding)."})


class WegingSchema(BaseSchema):
    """How a besluit weighs the zienswijze, the beginselplicht and evenredigheid (added to the standard text)."""

    zienswijze = Str(allow_none=True, validate=TEXT)
    beginselplicht = Str(allow_none=True, validate=TEXT)
    evenredigheid = Str(allow_none=True, validate=TEXT)
    invordering = Str(allow_none=True, validate=TEXT)


class ConceptChangesSchema(BaseSchema):
    """What a teamleider may set on a concept."""

    letter_date = Date(validate=_plausible)
    party_id = Str(validate=UUID, metadata={"description": "Aan wie de brief is gericht (standaard de overtreder)."})
    codes = List(Str(validate=CODE), validate=lambda v: 1 <= len(v) <= 30,
                 metadata={"description": "De lasten waarover de brief gaat (standaard alle die passen)."})
    lasten = Dict(keys=Str(validate=CODE), values=Nested(LastChoiceSchema))
    weging = Nested(WegingSchema)
    names_public = Bool(metadata={"description": "Openbaarmaking: ook de naam van een natuurlijk persoon."})
    weging_namen = Str(allow_none=True, validate=TEXT)
    toelichting = Str(allow_none=True, validate=TEXT)
    bijlagen = List(Str(validate=max_length(200)), validate=lambda v: len(v) <= 20)


class ConceptSchema(ConceptChangesSchema):
    """A new concept of a kind."""

    kind = Str(required=True, validate=one_of(documents.KINDS))


class ApproveSchema(BaseSchema):
    """Approving a concept."""

    confirm_unverified = Bool(load_default=False, metadata={
        "description": "Ik heb de niet-geverifieerde voorschriften die de brief noemt gecontroleerd en stel haar toch "
                       "vast."})


class SendSchema(BaseSchema):
    """When and how an approved letter was sent, with the proof."""

    sent_on = Date(required=True)
    method = Str(required=True, validate=one_of(tuple(DISPATCH)))
    reference = Str(required=True, validate=[max_length(200), matches(r"\S", "Mag niet leeg zijn.")],
                    metadata={"description": "Bewijs van verzending: nummer van de aangetekende zending, verzendlijst, "
                                             "e-mail-id of ontvangstbevestiging."})


concept_schema, changes_schema, send_schema, approve_schema = ConceptSchema(), ConceptChangesSchema(), SendSchema(), \
    ApproveSchema()


def _settings() -> documents.Settings:
    return documents.Settings(current_app.config)


def _readable_document(document_id: str) -> dict[str, Any]:
    db = get_db()
    try:
        row = documents.get_document(db, document_id)
    except CaseError:
        raise NotFound("Document niet gevonden.") from None
    if not row["case_id"]:
        raise NotFound("Document niet gevonden: een rapport van bevindingen staat bij zijn inspectie.")
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
    for row in found:
        row["data"] = {}
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
    response.headers["Cache-Control"] = "private, no-store"
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
    """Approve a concept: its PDF is frozen and stored by hash (unverified voorschriften need a confirmation)."""
    body = load(approve_schema, json_object()) if _has_body() else {"confirm_unverified": False}
    _readable_document(document_id)
    db = get_db()
    try:
        row = documents.approve(db, _settings(), document_id, current_user(),
                                confirm_unverified=body["confirm_unverified"])
    except CaseError as err:
        raise answer(err) from None
    audit(db, "approve", "document", document_id, {"sha256": row["sha256"], "confirmed": row["confirmed"]})
    return jsonify(documents.summary(row))


def _has_body() -> bool:
    from flask import request
    return bool(request.content_length) or request.mimetype == "application/json"


@bp.post("/documents/<document_id>/send")
@require("teamleider")
def send_document(document_id: str) -> Response:
    """Record that an approved letter was sent, how and with which proof; the case takes the step."""
    body = load(send_schema, json_object())
    _readable_document(document_id)
    db = get_db()
    try:
        row = documents.send(db, _settings(), document_id, current_user(), body["sent_on"], method=body["method"],
                             reference=body["reference"])
    except CaseError as err:
        raise answer(err) from None
    audit(db, "send", "document", document_id, {"sent_on": row["sent_on"], "method": row["dispatch_method"]})
    return jsonify(documents.summary(row))
