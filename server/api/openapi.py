"""The OpenAPI 3 document of every endpoint, generated with apispec.

Request bodies, query parameters and record answers come from the marshmallow schemas the
endpoints load (MarshmallowPlugin); answers no schema describes are plain JSON Schema
(openapi_answers). Each operation lists every status it can answer: a test walks the app's
routes so that none goes undocumented, and schemathesis holds the endpoints to the document.
"""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Response, jsonify

from schemas import AddressSchema, AssignmentSchema, FindingSchema, InspectionSchema, NotAssessedSchema
from schemas.base import List, Nested
from schemas.finding import NormSetRefSchema
from server.api import bp
from server.api.openapi_answers import COMPONENTS, ref
from server.sync import PROTOCOL

JSON = "application/json"

# Dutch descriptions of the statuses, as the callers of the API read them.
STATUS_TEXT = {
    "200": "OK.", "201": "Aangemaakt.",
    "400": "Onleesbaar verzoek: geen geldige JSON, beschadigde gzip, of een ongeldige waarde in pad of kop.",
    "401": "Geen, een onbekend of een ingetrokken token (device_revoked: de tablet is ingetrokken).",
    "403": "Geen toestemming: een andere rol nodig, of een apparaattoken buiten synchroniseren en foto's "
           "(of een persoonlijk token waar een apparaattoken nodig is).",
    "404": "Niet gevonden (of niet zichtbaar voor deze gebruiker).",
    "409": "Conflicteert met de huidige toestand.",
    "413": "Het verzoek is te groot.",
    "415": "Verkeerd soort inhoud.",
    "422": "Een of meer velden zijn ongeldig (errors per veld).",
    "426": "Dit protocol wordt niet ondersteund: werk de app bij.",
    "429": "Te veel mislukte pogingen vanaf dit adres (of met deze code): wacht retry_after seconden.",
    "507": "De schijf van de server is vol: er is niets opgeslagen.",
}
# Every call with a token can fail to authenticate or be slowed down, and writes the audit log.
SIGNED = (401, 429, 507)
# Every JSON body can be unreadable, too large, not JSON, or wrong in its fields.
JSON_BODY = (400, 413, 415, 422)


class InspectionAnswerSchema(InspectionSchema):
    """An inspection as GET /inspections/{id} answers it: the record with what the server computed."""

    findings = List(Nested(FindingSchema), required=True)
    not_assessed = List(Nested(NotAssessedSchema), required=True)
    norm_set = Nested(NormSetRefSchema, required=True, allow_none=True,
                      metadata={"description": "De normenset die oordeelde; null als er niet geoordeeld is."})


def _json(schema: dict[str, Any] | str) -> dict[str, Any]:
    return {JSON: {"schema": ref(schema) if isinstance(schema, str) else schema}}


def _answers(ok: dict[str, Any] | None, statuses: tuple[int, ...], ok_status: str = "200",
             headers: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return the responses: the success with its content (None: no body) and each error as Error."""
    success: dict[str, Any] = {"description": STATUS_TEXT[ok_status]}
    if ok is not None:
        success["content"] = ok
    if headers:
        success["headers"] = headers
    answers = {ok_status: success}
    for status in sorted(set(statuses)):
        answers[str(status)] = {"description": STATUS_TEXT[str(status)], "content": _json("Error")}
    return answers


def _op(summary: str, ok: dict[str, Any] | None, statuses: tuple[int, ...], *, ok_status: str = "200",
        body: str | None = None, params: list[dict[str, Any]] | None = None, public: bool = False,
        headers: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return one operation; a JSON body adds its statuses, a token its own."""
    if body is not None:
        statuses += JSON_BODY
    if not public:
        statuses += SIGNED
    operation: dict[str, Any] = {"summary": summary, "responses": _answers(ok, statuses, ok_status, headers)}
    if body is not None:
        operation["requestBody"] = {"required": True, "content": _json(body)}
    if params:
        operation["parameters"] = params
    if public:
        operation["security"] = []
    return operation


def _path(name: str, description: str) -> list[dict[str, Any]]:
    return [{"name": name, "in": "path", "required": True, "description": description, "schema": {"type": "string"}}]


def _query(schema: Any) -> list[dict[str, Any]]:
    return [{"in": "query", "schema": schema}]  # MarshmallowPlugin expands a schema into one parameter per field


def _list(item: str) -> dict[str, Any]:
    return _json({"type": "object", "required": ["items", "next"], "additionalProperties": False, "properties": {
        "items": {"type": "array", "items": ref(item)},
        "next": {"type": "string", "nullable": True, "description": "URL van de volgende pagina, of null."}}})


def build_spec() -> dict[str, Any]:
    """Return the OpenAPI document of the REST API."""
    spec = APISpec(title="Woontoezicht API", version="1", openapi_version="3.0.3", plugins=[MarshmallowPlugin()],
                   info={"description": "REST API van Woontoezicht. Authenticatie: Authorization: Bearer <token>, "
                                        "een persoonlijk API-token of het apparaattoken van een tablet."})
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for name, schema in COMPONENTS.items():
        spec.components.schema(name, schema)
    _record_paths(spec)
    _case_paths(spec)
    _sync_paths(spec)
    _attachment_paths(spec)
    _party_and_user_paths(spec)
    _rapport_paths(spec)
    spec.path("/healthz", operations={"get": _op("Gezondheid", _json("Health"), (), public=True)})
    spec.path("/api/v1/openapi.json", operations={"get": _op("Dit document", _json({"type": "object"}), (),
                                                             public=True)})
    document: dict[str, Any] = spec.to_dict()
    document["security"] = [{"bearer": []}]
    # A push in a protocol the server does not take is answered 426, not 422, so PushSchema takes
    # any number; the document says which one this server speaks.
    document["components"]["schemas"]["Push"]["properties"]["protocol"]["description"] = (
        f"Het protocol van de tablet; deze server spreekt protocol {PROTOCOL}. Een protocol dat hij niet aanneemt: "
        "426.")
    return document


def _record_paths(spec: APISpec) -> None:
    """Add addresses, assignments and inspections: records, their bodies and filters from the wire schemas."""
    from server.api.addresses import AddressQuery
    from server.api.assignments import AssignmentQuery
    from server.api.inspections import InspectionQuery
    spec.components.schema("Address", schema=AddressSchema)
    spec.components.schema("NewAddress", schema=AddressSchema(partial=("id",)))
    spec.components.schema("AddressChanges", schema=AddressSchema(partial=True))
    spec.components.schema("Assignment", schema=AssignmentSchema)
    spec.components.schema("NewAssignment", schema=AssignmentSchema(partial=("id",)))
    spec.components.schema("AssignmentChanges", schema=AssignmentSchema(partial=True))
    spec.components.schema("Inspection", schema=InspectionSchema)
    spec.components.schema("Finding", schema=FindingSchema)
    spec.components.schema("NotAssessed", schema=NotAssessedSchema)
    spec.components.schema("InspectionWithFindings", schema=InspectionAnswerSchema)
    address_id = _path("address_id", "Id van het adres.")
    if_match = [{"name": "If-Match", "in": "header", "required": False, "schema": {"type": "string"},
                 "description": "De versie waarvan de wijziging uitgaat; intussen gewijzigd: 409."}]
    spec.path("/api/v1/addresses", operations={
        "get": _op("Adressen zoeken", _list("Address"), (403, 422), params=_query(AddressQuery)),
        "post": _op("Adres aanmaken (teamleider, beheerder); zonder id maakt de server er een", _json("Address"),
                    (403, 409), ok_status="201", body="NewAddress")})
    spec.path("/api/v1/addresses/{address_id}", operations={
        "get": _op("Adres", _json("Address"), (403, 404), params=address_id),
        "patch": _op("Adres wijzigen (teamleider, beheerder)", _json("Address"), (403, 404, 409),
                     body="AddressChanges", params=address_id + if_match)})
    assignment_id = _path("assignment_id", "Id van de opdracht.")
    spec.path("/api/v1/assignments", operations={
        "get": _op("Opdrachten (een handhaver ziet de zijne)", _list("Assignment"), (403, 422),
                   params=_query(AssignmentQuery)),
        "post": _op("Opdracht plannen (teamleider, beheerder)", _json("Assignment"), (403, 409), ok_status="201",
                    body="NewAssignment")})
    spec.path("/api/v1/assignments/{assignment_id}", operations={
        "get": _op("Opdracht", _json("Assignment"), (403, 404), params=assignment_id),
        "patch": _op("Open opdracht wijzigen of annuleren (teamleider, beheerder)", _json("Assignment"),
                     (403, 404, 409), body="AssignmentChanges", params=assignment_id)})
    spec.path("/api/v1/inspections", operations={
        "get": _op("Inspecties (een handhaver ziet zijn eigen en die op zijn adressen)", _list("Inspection"),
                   (403, 422), params=_query(InspectionQuery))})
    spec.path("/api/v1/inspections/{inspection_id}", operations={
        "get": _op("Inspectie met bevindingen, wat niet beoordeeld is en de normenset", _json("InspectionWithFindings"),
                   (403, 404), params=_path("inspection_id", "Id van de inspectie."))})


def _case_paths(spec: APISpec) -> None:
    """Add cases and documents: the request bodies come from the schemas the endpoints load."""
    from server.api.cases import (
        AssessmentSchema,
        CaseQuery,
        EarlierBoeteSchema,
        OpenCaseSchema,
        OvertredersSchema,
        StepSchema,
    )
    from server.api.documents import ApproveSchema, ConceptChangesSchema, ConceptSchema, SendSchema
    for name, schema in (("OpenCase", OpenCaseSchema), ("Assessment", AssessmentSchema), ("Step", StepSchema),
                         ("Concept", ConceptSchema), ("ConceptChanges", ConceptChangesSchema),
                         ("Send", SendSchema), ("Approve", ApproveSchema), ("Overtreders", OvertredersSchema),
                         ("EarlierBoete", EarlierBoeteSchema)):
        spec.components.schema(name, schema=schema)
    case_id = _path("case_id", "Id van de zaak.")
    document_id = _path("document_id", "Id van het document.")
    spec.path("/api/v1/cases", operations={
        "get": _op("Zaken (een handhaver ziet die op zijn adressen)", _list("Case"), (403, 422),
                   params=_query(CaseQuery)),
        "post": _op("Zaak openen vanuit een inspectie of een melding (teamleider)", _json("CaseFull"), (403, 409),
                    ok_status="201", body="OpenCase")})
    spec.path("/api/v1/cases/{case_id}", operations={
        "get": _op("Zaak met tijdlijn, documenten en mogelijke stappen", _json("CaseFull"), (403, 404),
                   params=case_id)})
    spec.path("/api/v1/cases/{case_id}/assessment", operations={
        "post": _op("LHS-beoordeling (teamleider)", _json("CaseFull"), (403, 404, 409), body="Assessment",
                    params=case_id)})
    spec.path("/api/v1/cases/{case_id}/overtreders", operations={
        "post": _op("Overtreder(s) vastleggen met de reden waarom (teamleider)", _json("CaseFull"),
                    (403, 404, 409), body="Overtreders", params=case_id)})
    spec.path("/api/v1/boetes", operations={
        "post": _op("Een eerdere boete van vóór het systeem vastleggen (teamleider), voor het maximum bij herhaling",
                    _json({"type": "object"}), (403,), ok_status="201", body="EarlierBoete")})
    spec.path("/api/v1/cases/{case_id}/transitions", operations={
        "post": _op("Stap in de zaak (teamleider); een stap die niet kan: 409", _json("CaseFull"), (403, 404, 409),
                    body="Step", params=case_id)})
    spec.path("/api/v1/cases/{case_id}/documents", operations={
        "get": _op("Documenten van een zaak", _list("Document"), (403, 404), params=case_id),
        "post": _op("Concept maken (teamleider)", _json("Document"), (403, 404, 409), ok_status="201",
                    body="Concept", params=case_id)})
    pdf = {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}
    pdf_headers = {"X-Document-Status": {"description": "concept of approved.", "schema": {"type": "string"}},
                   "X-Document-SHA256": {"description": "SHA-256 van het vastgestelde PDF-bestand.",
                                         "schema": {"type": "string"}}}
    spec.path("/api/v1/documents/{document_id}", operations={
        "get": _op("Het document als PDF: het bewaarde bestand als het is vastgesteld, anders een concept",
                   pdf, (403, 404), params=document_id, headers=pdf_headers),
        "patch": _op("Concept wijzigen (teamleider); een vastgesteld document: 409", _json("Document"),
                     (403, 404, 409), body="ConceptChanges", params=document_id)})
    spec.path("/api/v1/documents/{document_id}/approve", operations={
        "post": _op("Concept vaststellen (teamleider): het PDF-bestand wordt bevroren; niet-geverifieerde "
                    "voorschriften vragen confirm_unverified (anders 409 met de lijst)", _json("Document"),
                    (403, 404, 409, 422), params=document_id, body="Approve")})
    spec.path("/api/v1/documents/{document_id}/send", operations={
        "post": _op("Verzending vastleggen (teamleider); de zaak zet de stap van de brief", _json("Document"),
                    (403, 404, 409), body="Send", params=document_id)})


def _sync_paths(spec: APISpec) -> None:
    """Add enrolment, push, pull and the conflict list."""
    from server.api.devices import EnrollSchema
    from server.api.sync import PullQuery
    from server.sync import MutationSchema, PushSchema
    spec.components.schema("Enroll", schema=EnrollSchema)
    spec.components.schema("Mutation", schema=MutationSchema)
    spec.components.schema("Push", schema=PushSchema)
    spec.path("/api/v1/devices/enroll", operations={
        "post": _op("Tablet koppelen met een eenmalige koppelcode (403: onbekende, verlopen of gebruikte code)",
                    _json("Enrolled"), (403, 429, 507), ok_status="201", body="Enroll", public=True)})
    spec.path("/api/v1/sync/push", operations={
        "post": _op("Wijzigingen van een tablet verwerken, op volgorde van seq (apparaattoken); 409 seq_gap of "
                    "seq_reused", _json("Pushed"), (403, 409, 426), body="Push")})
    spec.path("/api/v1/sync/pull", operations={
        "get": _op("Wijzigingen binnen het bereik van de tablet na de cursor (apparaattoken)", _json("Pulled"),
                   (403, 422, 426), params=_query(PullQuery))})
    spec.path("/api/v1/conflicts", operations={
        "get": _op("Open conflicten, met beide waarden (teamleider, beheerder)", _list("Conflict"), (403,))})


def _attachment_paths(spec: APISpec) -> None:
    """Add the photo endpoints: which are missing, resumable upload by Content-Range, download."""
    from server.api.attachments import MissingSchema
    spec.components.schema("Missing", schema=MissingSchema)
    sha256 = _path("sha256", "SHA-256 van de inhoud: 64 tekens 0-9 en a-f.")
    offset = {"Upload-Offset": {"description": "Zoveel bytes van uw upload heeft de server.",
                                "schema": {"type": "integer"}}}
    spec.path("/api/v1/attachments/missing", operations={
        "post": _op("Welke van deze foto's heeft uw gebruiker nog niet geüpload", _json("MissingAnswer"), (),
                    body="Missing")})
    content_range = [{"name": "Content-Range", "in": "header", "required": True,
                      "description": "bytes begin-eind/totaal van dit stuk.", "schema": {"type": "string"}}]
    files = {kind: {"schema": {"type": "string", "format": "binary"}}
             for kind in ("image/jpeg", "image/png", "application/pdf")}
    spec.path("/api/v1/attachments/{sha256}", operations={
        "head": _op("Hoe ver uw upload is (Upload-Offset; Upload-Complete: 1 als uw gebruiker het bestand heeft)",
                    None, (400,), params=sha256, headers={**offset, "Upload-Complete": {
                        "description": "1 als het bestand compleet is, anders 0.", "schema": {"type": "string"}}}),
        "put": {**_op("Een stuk uploaden op zijn plaats; bij het laatste stuk controleert de server hash, grootte en "
                      "inhoud (409: verkeerde offset; 413: te groot of quotum vol; 415: soort niet toegestaan; "
                      "422: hash of inhoud klopt niet)", _json("Uploaded"), (400, 409, 413, 415, 422),
                      params=sha256 + content_range, headers=offset),
                "requestBody": {"required": True, "content": {"application/octet-stream": {
                    "schema": {"type": "string", "format": "binary"}}}}},
        "get": _op("De foto of bijlage, voor wie een inspectie mag lezen die hem noemt", files, (400, 404),
                   params=sha256)})


def _party_and_user_paths(spec: APISpec) -> None:
    """Add parties, their roles at addresses, and the officials (users)."""
    from schemas.party import ROLES, PartyLinkSchema, PartySchema
    from server.api.openapi_answers import BOOLEAN, DAY, MOMENT, STRING, _nullable, _obj
    from server.api.parties import LinkEndSchema, PartyQuery
    from server.http import PageQuery
    from server.officials import ProfileSchema
    spec.components.schema("Party", schema=PartySchema)
    spec.components.schema("NewParty", schema=PartySchema(partial=("id",)))
    spec.components.schema("PartyChanges", schema=PartySchema(partial=True))
    spec.components.schema("NewPartyLink", schema=PartyLinkSchema)
    spec.components.schema("PartyLinkEnd", schema=LinkEndSchema)
    spec.components.schema("ProfileChanges", schema=ProfileSchema)
    text = _nullable(STRING)
    spec.components.schema("PartyLink", _obj({
        "id": STRING, "address_id": STRING, "party_id": STRING, "role": {"type": "string", "enum": list(ROLES)},
        "from": _nullable(DAY), "until": {**_nullable(DAY), "description": "De eerste dag dat de rol niet meer geldt."},
        "active": {**BOOLEAN, "description": "Of de rol vandaag geldt."}, "created_at": MOMENT, "created_by": text,
        "updated_at": MOMENT, "updated_by": text, "party": {**ref("Party"), "nullable": True}}))
    spec.components.schema("User", _obj({
        "id": STRING, "name": {**STRING, "description": "Inlognaam (nooit in brieven)."},
        "role": {"type": "string", "enum": ["handhaver", "teamleider", "beheerder"]}, "full_name": text,
        "function_title": text, "email": text, "phone": text, "aanwijzing": text, "legitimation_no": text,
        "created_at": MOMENT, "disabled_at": _nullable(MOMENT)}))
    party_id = _path("party_id", "Id van de partij.")
    address_id = _path("address_id", "Id van het adres.")
    link_id = _path("link_id", "Id van de koppeling van partij en adres.")
    if_match = [{"name": "If-Match", "in": "header", "required": False, "schema": {"type": "string"},
                 "description": "De versie waarvan de wijziging uitgaat; intussen gewijzigd: 409."}]
    spec.path("/api/v1/parties", operations={
        "get": _op("Partijen zoeken op (een deel van de) naam of KvK-nummer (een handhaver ziet die op zijn "
                   "adressen)", _list("Party"), (403, 422), params=_query(PartyQuery)),
        "post": _op("Partij aanmaken (teamleider, beheerder)", _json("Party"), (403, 409), ok_status="201",
                    body="NewParty")})
    spec.path("/api/v1/parties/{party_id}", operations={
        "get": _op("Partij", _json("Party"), (403, 404), params=party_id),
        "patch": _op("Partij wijzigen (teamleider, beheerder)", _json("Party"), (403, 404, 409),
                     body="PartyChanges", params=party_id + if_match)})
    spec.path("/api/v1/addresses/{address_id}/parties", operations={
        "get": _op("Partijen van een adres met hun rol, ook beëindigde", _list("PartyLink"), (403, 404),
                   params=address_id),
        "post": _op("Partij een rol geven op een adres (teamleider, beheerder); dezelfde rol in dezelfde periode: "
                    "409", _json("PartyLink"), (403, 404, 409), ok_status="201", body="NewPartyLink",
                    params=address_id)})
    spec.path("/api/v1/addresses/{address_id}/parties/{link_id}", operations={
        "patch": _op("Rol beëindigen op een datum (teamleider, beheerder); er wordt niets verwijderd",
                     _json("PartyLink"), (403, 404), body="PartyLinkEnd", params=address_id + link_id),
        "delete": _op("Rol vandaag beëindigen (teamleider, beheerder); er wordt niets verwijderd", _json("PartyLink"),
                      (403, 404), params=address_id + link_id)})
    user_id = _path("user_id", "Id van de gebruiker.")
    spec.path("/api/v1/users", operations={
        "get": _op("Gebruikers met naam, functie en aanwijzing (teamleider, beheerder); nooit wachtwoorden",
                   _list("User"), (403, 422), params=_query(PageQuery))})
    spec.path("/api/v1/users/{user_id}", operations={
        "get": _op("Gebruiker (beheerder)", _json("User"), (403, 404), params=user_id),
        "patch": _op("Naam, functie, e-mail, telefoon, aanwijzing of legitimatienummer wijzigen (beheerder)",
                     _json("User"), (403, 404), body="ProfileChanges", params=user_id)})


_TEXT, _NULLABLE_TEXT = {"type": "string"}, {"type": "string", "nullable": True}
RAPPORT_INFO = {
    "type": "object", "additionalProperties": False,
    "required": ["inspection_id", "document_id", "kenmerk", "status", "letter_date", "signed_at", "signed_by",
                 "sha256", "size", "toezichthouder", "photos_missing", "corrects", "corrected_by",
                 "landlord_version", "can_sign"],
    "properties": {
        "inspection_id": _TEXT, "document_id": _TEXT,
        "kenmerk": {"type": "string", "description": "RB-<jaar>-<nnnnn>."},
        "status": {"type": "string", "enum": ["concept", "approved"],
                   "description": "approved: ondertekend door de toezichthouder en bevroren."},
        "letter_date": {"type": "string", "format": "date",
                        "description": "De dag van het bezoek zolang het een concept is; daarna de dag van "
                                       "ondertekening."},
        "signed_at": _NULLABLE_TEXT, "signed_by": {**_NULLABLE_TEXT, "description": "Volledige naam."},
        "sha256": _NULLABLE_TEXT, "size": {"type": "integer", "nullable": True},
        "toezichthouder": {**_NULLABLE_TEXT, "description": "Volledige naam van wie de inspectie deed."},
        "photos_missing": {"type": "integer", "description": "Foto's die de server nog niet heeft."},
        "corrects": {**_NULLABLE_TEXT, "description": "Kenmerk van het rapport dat dit rapport corrigeert."},
        "corrected_by": {"type": "array", "items": _TEXT,
                         "description": "Kenmerken van de rapporten die dit rapport corrigeren."},
        "landlord_version": {"type": "object", "nullable": True, "additionalProperties": False,
                             "required": ["id", "kenmerk", "sha256"],
                             "properties": {"id": _TEXT, "kenmerk": _TEXT, "sha256": _TEXT},
                             "description": "De versie voor de verhuurder, die brieven meesturen (na ondertekening)."},
        "can_sign": {"type": "boolean", "description": "Of de vrager dit rapport nu mag ondertekenen."}}}


def _rapport_paths(spec: APISpec) -> None:
    """Add the rapport van bevindingen of an inspection: its PDF, its state and signing."""
    from server.api.rapport import RapportQuery
    spec.components.schema("RapportInfo", RAPPORT_INFO)
    inspection_id = _path("inspection_id", "Id van de inspectie.")
    pdf = {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}
    headers = {"X-Document-Status": {"description": "concept of approved.", "schema": {"type": "string"}},
               "X-Document-Kenmerk": {"description": "Kenmerk van de getoonde versie.", "schema": {"type": "string"}},
               "X-Document-SHA256": {"description": "SHA-256 van het bevroren PDF-bestand (na ondertekening).",
                                     "schema": {"type": "string"}}}
    spec.path("/api/v1/inspections/{inspection_id}/rapport", operations={
        "get": _op("Het rapport van bevindingen als PDF: een concept nu getekend en gemarkeerd, of het bevroren "
                   "bestand; ?versie=verhuurder de versie die brieven meesturen (wie de inspectie mag lezen; een "
                   "tablet alleen die van zijn eigen gebruiker); 409 voor een inspectie die niet is ingediend",
                   pdf, (403, 404, 409, 422), params=inspection_id + _query(RapportQuery), headers=headers)})
    spec.path("/api/v1/inspections/{inspection_id}/rapport/info", operations={
        "get": _op("Kenmerk, status, wie wanneer ondertekende, SHA-256 en de versie voor de verhuurder",
                   _json("RapportInfo"), (403, 404, 409), params=inspection_id)})
    spec.path("/api/v1/inspections/{inspection_id}/rapport/sign", operations={
        "post": _op("Ondertekenen door de toezichthouder die de inspectie deed (persoonlijk token of zijn "
                    "tablet; ieder ander: 403), gedateerd vandaag; 409 als het al ondertekend is, foto's ontbreken "
                    "of zijn volledige naam niet is vastgelegd", _json("RapportInfo"), (403, 404, 409),
                    params=inspection_id)})


@bp.get("/openapi.json")
def openapi_document() -> Response:
    """Return the OpenAPI document."""
    return jsonify(build_spec())
