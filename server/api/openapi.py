"""The OpenAPI 3 document, generated from the marshmallow schemas with apispec."""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Response, jsonify

from schemas import AddressSchema, AssignmentSchema, FindingSchema, InspectionSchema, NotAssessedSchema
from server.api import bp

ERROR = {"type": "object", "required": ["error", "message"],
         "properties": {"error": {"type": "string"}, "message": {"type": "string"},
                        "errors": {"type": "object"}}}


def _list_of(schema: str) -> dict[str, Any]:
    return {"type": "object", "properties": {
        "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{schema}"}},
        "next": {"type": "string", "nullable": True}}}


def _responses(ok: dict[str, Any], *errors: int, ok_status: str = "200") -> dict[str, Any]:
    answers: dict[str, Any] = {ok_status: {"description": "OK", "content": {"application/json": {"schema": ok}}}}
    for status in errors:
        answers[str(status)] = {"description": "Fout", "content": {"application/json": {"schema": {
            "$ref": "#/components/schemas/Error"}}}}
    return answers


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _params(*names: str, kind: str = "query") -> list[dict[str, Any]]:
    return [{"name": n, "in": kind, "required": kind == "path", "schema": {"type": "string"}} for n in names]


def build_spec() -> dict[str, Any]:
    """Return the OpenAPI document of the REST API."""
    spec = APISpec(title="Woontoezicht API", version="1", openapi_version="3.0.3", plugins=[MarshmallowPlugin()],
                   info={"description": "REST API van Woontoezicht. Authenticatie: Authorization: Bearer <token>."})
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Address", schema=AddressSchema)
    spec.components.schema("Assignment", schema=AssignmentSchema)
    spec.components.schema("Inspection", schema=InspectionSchema)
    spec.components.schema("Finding", schema=FindingSchema)
    spec.components.schema("NotAssessed", schema=NotAssessedSchema)
    spec.components.schema("Error", ERROR)
    inspection_with_findings = {"allOf": [_ref("Inspection"), {"type": "object", "properties": {
        "findings": {"type": "array", "items": _ref("Finding")},
        "not_assessed": {"type": "array", "items": _ref("NotAssessed")},
        "norm_set": {"type": "object", "nullable": True}}}]}
    paging = _params("limit", "after")
    spec.path("/healthz", operations={"get": {"summary": "Gezondheid", "responses": _responses({"type": "object"})}})
    spec.path("/api/v1/addresses", operations={
        "get": {"summary": "Adressen zoeken",
                "parameters": paging + _params("postcode", "huisnummer", "location_type", "verified", "gemeentecode"),
                "responses": _responses(_list_of("Address"), 401, 422)},
        "post": {"summary": "Adres aanmaken (teamleider, beheerder)",
                 "requestBody": {"content": {"application/json": {"schema": _ref("Address")}}},
                 "responses": _responses(_ref("Address"), 400, 401, 403, 409, 413, 415, 422, ok_status="201")}})
    spec.path("/api/v1/addresses/{address_id}", operations={
        "get": {"summary": "Adres", "parameters": _params("address_id", kind="path"),
                "responses": _responses(_ref("Address"), 401, 404)},
        "patch": {"summary": "Adres wijzigen (teamleider, beheerder)", "parameters": _params("address_id", kind="path"),
                  "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                  "responses": _responses(_ref("Address"), 400, 401, 403, 404, 409, 415, 422)}})
    spec.path("/api/v1/assignments", operations={
        "get": {"summary": "Opdrachten (handhaver: eigen)",
                "parameters": paging + _params("inspector_id", "address_id", "week", "status"),
                "responses": _responses(_list_of("Assignment"), 401, 422)},
        "post": {"summary": "Opdracht plannen (teamleider, beheerder)",
                 "requestBody": {"content": {"application/json": {"schema": _ref("Assignment")}}},
                 "responses": _responses(_ref("Assignment"), 400, 401, 403, 409, 415, 422, ok_status="201")}})
    spec.path("/api/v1/assignments/{assignment_id}", operations={
        "get": {"summary": "Opdracht", "parameters": _params("assignment_id", kind="path"),
                "responses": _responses(_ref("Assignment"), 401, 404)},
        "patch": {"summary": "Opdracht wijzigen of annuleren", "parameters": _params("assignment_id", kind="path"),
                  "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                  "responses": _responses(_ref("Assignment"), 400, 401, 403, 404, 409, 415, 422)}})
    spec.path("/api/v1/inspections", operations={
        "get": {"summary": "Inspecties (per adres)", "parameters": paging + _params("address_id"),
                "responses": _responses(_list_of("Inspection"), 401, 422)}})
    spec.path("/api/v1/inspections/{inspection_id}", operations={
        "get": {"summary": "Inspectie met bevindingen", "parameters": _params("inspection_id", kind="path"),
                "responses": _responses(inspection_with_findings, 401, 404)}})
    _case_paths(spec, paging)
    document: dict[str, Any] = spec.to_dict()
    document["security"] = [{"bearer": []}]
    return document


def _body(schema: str) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": _ref(schema)}}}


def _case_paths(spec: APISpec, paging: list[dict[str, Any]]) -> None:
    """Add cases and documents: the request bodies come from the schemas the endpoints load."""
    from server.api.cases import AssessmentSchema, OpenCaseSchema, StepSchema
    from server.api.documents import ConceptChangesSchema, ConceptSchema, SendSchema
    for name, schema in (("OpenCase", OpenCaseSchema), ("Assessment", AssessmentSchema), ("Step", StepSchema),
                         ("Concept", ConceptSchema), ("ConceptChanges", ConceptChangesSchema),
                         ("Send", SendSchema)):
        spec.components.schema(name, schema=schema)
    case, document = {"type": "object"}, {"type": "object"}
    pdf = {"200": {"description": "PDF", "content": {"application/pdf": {"schema": {"type": "string",
                                                                                    "format": "binary"}}}}}
    case_id, document_id = _params("case_id", kind="path"), _params("document_id", kind="path")
    spec.path("/api/v1/cases", operations={
        "get": {"summary": "Zaken (handhaver: op zijn adressen)",
                "parameters": paging + _params("status", "address_id"),
                "responses": _responses({"type": "object"}, 401, 422)},
        "post": {"summary": "Zaak openen (teamleider)", "requestBody": _body("OpenCase"),
                 "responses": _responses(case, 400, 401, 403, 409, 415, 422, ok_status="201")}})
    spec.path("/api/v1/cases/{case_id}", operations={
        "get": {"summary": "Zaak met tijdlijn en documenten", "parameters": case_id,
                "responses": _responses(case, 401, 404)}})
    spec.path("/api/v1/cases/{case_id}/assessment", operations={
        "post": {"summary": "LHS-beoordeling (teamleider)", "parameters": case_id, "requestBody": _body("Assessment"),
                 "responses": _responses(case, 400, 401, 403, 404, 409, 415, 422)}})
    spec.path("/api/v1/cases/{case_id}/transitions", operations={
        "post": {"summary": "Stap in de zaak (teamleider)", "parameters": case_id, "requestBody": _body("Step"),
                 "responses": _responses(case, 400, 401, 403, 404, 409, 415, 422)}})
    spec.path("/api/v1/cases/{case_id}/documents", operations={
        "get": {"summary": "Documenten van een zaak", "parameters": case_id,
                "responses": _responses({"type": "object"}, 401, 404)},
        "post": {"summary": "Concept maken (teamleider)", "parameters": case_id, "requestBody": _body("Concept"),
                 "responses": _responses(document, 400, 401, 403, 404, 409, 415, 422, ok_status="201")}})
    spec.path("/api/v1/documents/{document_id}", operations={
        "get": {"summary": "Het document als PDF", "parameters": document_id,
                "responses": {**pdf, **{k: v for k, v in _responses(document, 401, 404).items() if k != "200"}}},
        "patch": {"summary": "Concept wijzigen (teamleider)", "parameters": document_id,
                  "requestBody": _body("ConceptChanges"),
                  "responses": _responses(document, 400, 401, 403, 404, 409, 415, 422)}})
    spec.path("/api/v1/documents/{document_id}/approve", operations={
        "post": {"summary": "Concept vaststellen (teamleider)", "parameters": document_id,
                 "responses": _responses(document, 401, 403, 404, 409)}})
    spec.path("/api/v1/documents/{document_id}/send", operations={
        "post": {"summary": "Verzending vastleggen (teamleider)", "parameters": document_id,
                 "requestBody": _body("Send"), "responses": _responses(document, 400, 401, 403, 404, 409, 415, 422)}})


@bp.get("/openapi.json")
def openapi_document() -> Response:
    """Return the OpenAPI document."""
    return jsonify(build_spec())
