"""Plain JSON Schemas for the answers no marshmallow schema describes (sync, enrolment, cases, documents).

Each says what its endpoint really answers; the schemathesis run in the test suite holds them to it.
"""

from __future__ import annotations

from typing import Any

from server.case_flow import CASE_STATES, CASE_STEPS, STEPS
from server.documents import KINDS as DOCUMENT_KINDS

JsonSchema = dict[str, Any]


def ref(name: str) -> JsonSchema:
    """Return a reference to a component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: JsonSchema) -> JsonSchema:
    return {**schema, "nullable": True}


def _obj(properties: dict[str, JsonSchema], required: tuple[str, ...] | None = None, *,
         closed: bool = True) -> JsonSchema:
    """Return an object schema; required defaults to every property, closed refuses other properties."""
    schema: JsonSchema = {"type": "object", "properties": properties,
                          "required": list(properties if required is None else required)}
    if closed:
        schema["additionalProperties"] = False
    return schema


STRING, INTEGER, BOOLEAN = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
MOMENT = {"type": "string", "format": "date-time"}
DAY = {"type": "string", "format": "date"}
SHA256 = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
ANY_JSON: JsonSchema = {"description": "Elke JSON-waarde."}
OBJECT: JsonSchema = {"type": "object"}

ERROR = _obj({
    "error": {**STRING, "description": "Soort fout, bijvoorbeeld invalid, forbidden, seq_gap, too_many_attempts."},
    "message": {**STRING, "description": "Uitleg in het Nederlands."},
    "errors": {"description": "Foutmeldingen per veld (zoals marshmallow ze geeft).",
               "oneOf": [{"type": "object"}, {"type": "array"}]},
    "retry_after": {**INTEGER, "description": "429: zoveel seconden wachten."},
    "last_seq": {**INTEGER, "description": "409 seq_gap: het laatste volgnummer dat de server heeft."},
    "seq": {**INTEGER, "description": "409 seq_reused: het volgnummer dat voor iets anders is gebruikt."},
    "protocol": {**INTEGER, "description": "426: het protocol dat de server spreekt."},
    "wipe": {**BOOLEAN, "description": "401 device_revoked: of de tablet zijn gegevens wist."},
    "offset": {**INTEGER, "description": "Upload: vanaf deze byte verder gaan."},
    "current": {**OBJECT, "description": "409: het record zoals de server het nu heeft."},
}, ("error", "message"), closed=False)

ENROLLED = _obj({"device_id": STRING, "token": {**STRING, "description": "Het apparaattoken (Bearer)."},
                 "user": _obj({"id": STRING, "name": STRING, "role": STRING})})

PUSH_RESULT = _obj({
    "seq": INTEGER,
    "status": {"type": "string", "enum": ["applied", "duplicate", "conflict", "rejected"]},
    "version": _nullable({**INTEGER, "description": "De nieuwe versie (applied) of die van de server (conflict)."}),
    "attachments_complete": BOOLEAN,
    "code": {**STRING, "description": "rejected: invalid, forbidden, inspection_submitted, address_exists, ..."},
    "message": STRING,
    "errors": {"type": "object", "description": "rejected: foutmeldingen per veld."},
    "existing_id": {**STRING, "description": "address_exists: het adres dat de server al heeft."},
    "current": {**OBJECT, "description": "conflict: het record zoals de server het nu heeft."},
    "fields": {"type": "array", "items": STRING, "description": "conflict: de velden die botsten."},
    "original": {**OBJECT, "description": "duplicate: de eerste uitkomst van dit volgnummer."},
}, ("seq", "status"))
PUSHED = _obj({"last_seq": INTEGER, "results": {"type": "array", "items": ref("PushResult")}})

CHANGE = _obj({
    "entity": {"type": "string", "enum": ["address", "assignment", "inspection", "case", "norm_set", "register"]},
    "id": STRING,
    "version": _nullable(INTEGER),
    "op": {"type": "string", "enum": ["put", "delete", "evict"]},
    "data": _nullable({**OBJECT, "description": "Het record (put); null bij delete en evict."}),
})
PULLED = _obj({"changes": {"type": "array", "items": ref("Change")},
               "cursor": {**STRING, "description": "Geef mee bij de volgende pull."},
               "more": BOOLEAN, "reset": {**BOOLEAN, "description": "Cursor onbekend: begin opnieuw."}})

CONFLICT = _obj({
    "id": STRING, "entity": STRING, "record_id": STRING, "field": _nullable(STRING),
    "server_value": ANY_JSON, "device_value": ANY_JSON, "base_version": _nullable(INTEGER),
    "device_id": _nullable(STRING), "user_id": _nullable(STRING), "reason": STRING, "created_at": MOMENT,
    "resolved_at": _nullable(MOMENT), "resolved_by": _nullable(STRING),
}, ("id", "entity", "record_id", "reason", "created_at"))

MISSING_ANSWER = _obj({"missing": {"type": "array", "items": SHA256}})
UPLOADED = _obj({"offset": {**INTEGER, "description": "Zoveel bytes heeft de server van deze upload."},
                 "complete": BOOLEAN})

_CASE_STATUS = {"type": "string", "enum": list(CASE_STATES)}
_LAST = _obj({"code": STRING, "title": STRING, "impact": INTEGER, "regime": STRING,
               "voorschriften": {"type": "array", "items": OBJECT}, "findings": {"type": "array", "items": OBJECT},
               "tracks": {"type": "array", "items": {"type": "string", "enum": ["lod", "wgv"]}},
               "states": {"type": "object", "additionalProperties": STRING}, "herstelmaatregel": STRING,
               "begunstigingstermijn_days": INTEGER, "dwangsom": OBJECT, "assessment": _nullable(OBJECT)},
              ("code", "title", "tracks", "states"), closed=False)
CASE = _obj({
    "id": STRING, "version": INTEGER, "number": {**STRING, "pattern": r"^HH-\d{4}-\d{4,}$"},
    "address_id": STRING, "inspection_id": _nullable(STRING), "melding": _nullable(STRING),
    "status": _CASE_STATUS, "result": _nullable(STRING),
    "lasten": {"type": "array", "items": _LAST}, "signalen": {"type": "array", "items": OBJECT},
    "violations": {"type": "array", "items": OBJECT},
    "overtreders": {"type": "array", "items": _obj({"party_id": STRING, "name": STRING, "role": STRING,
                                                    "reason": _nullable(STRING)})},
    "impact": OBJECT, "tracks": OBJECT, "terms": OBJECT,
    "opened_on": DAY, "opened_by": STRING, "created_at": MOMENT, "updated_at": MOMENT,
}, ("id", "version", "number", "address_id", "status", "lasten"), closed=False)

_EVENT = _obj({"id": INTEGER, "case_id": STRING, "at": MOMENT, "effective_on": _nullable(DAY),
               "user_id": _nullable(STRING), "user_name": _nullable(STRING), "action": STRING, "label": STRING,
               "document_id": _nullable(STRING), "detail": _nullable(OBJECT)})
_CASE_DOCUMENT = _obj({"id": STRING, "kind": STRING, "kenmerk": STRING, "status": STRING,
                       "letter_date": _nullable(DAY), "sha256": _nullable(SHA256), "approved_at": _nullable(MOMENT),
                       "sent_on": _nullable(DAY), "created_at": MOMENT, "dispatch_method": _nullable(STRING),
                       "dispatch_reference": _nullable(STRING)})
_ACTION = _obj({"action": {"type": "string", "enum": [*STEPS, *CASE_STEPS]}, "track": _nullable(STRING),
                "code": _nullable(STRING), "label": STRING, "letter": _nullable(STRING)})
CASE_FULL = {"allOf": [ref("Case"), _obj({
    "status_label": STRING,
    "timeline": {"type": "array", "items": _EVENT},
    "documents": {"type": "array", "items": _CASE_DOCUMENT},
    "allowed_actions": {"type": "array", "items": _ACTION},
}, closed=False)]}

DOCUMENT = _obj({
    "id": STRING, "case_id": _nullable(STRING), "inspection_id": _nullable(STRING),
    "kind": {"type": "string", "enum": list(DOCUMENT_KINDS)},
    "kenmerk": STRING, "status": {"type": "string", "enum": ["concept", "approved"]},
    "letter_date": _nullable(DAY), "sha256": _nullable(SHA256), "size": _nullable(INTEGER),
    "created_at": MOMENT, "approved_at": _nullable(MOMENT), "sent_on": _nullable(DAY), "title": STRING,
    "dispatch_method": _nullable(STRING), "dispatch_reference": _nullable(STRING),
    "unverified": {"type": "array", "items": STRING},
})

HEALTH = _obj({"status": {"type": "string", "enum": ["ok"]}})

COMPONENTS: dict[str, JsonSchema] = {
    "Error": ERROR, "Enrolled": ENROLLED, "PushResult": PUSH_RESULT, "Pushed": PUSHED, "Change": CHANGE,
    "Pulled": PULLED, "Conflict": CONFLICT, "MissingAnswer": MISSING_ANSWER, "Uploaded": UPLOADED,
    "Case": CASE, "CaseFull": CASE_FULL, "Document": DOCUMENT, "Health": HEALTH,
}

