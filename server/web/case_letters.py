"""A case's letters and its dossier: a concept made from a form showing what the letter needs (parsed by the API's
ConceptSchema), its PDF previewed in the page, approved (confirming unverified voorschriften where cited) and
recorded as sent with method and proof; the same domain functions as /api/v1/cases/<id>/documents and
/api/v1/documents/<id>.
"""

from __future__ import annotations

from typing import Any

from flask import abort, g, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from server import documents, letters, parties
from server.api.documents import ApproveSchema, ConceptChangesSchema, ConceptSchema, SendSchema
from server.audit import audit
from server.case_flow import can_make_letter
from server.cases import CaseError
from server.db import get_db
from server.errors import Conflict, NotFound
from server.web import bp
from server.web.access import page
from server.web.case_view import load_case, nested_form, refusal, settings, shown, title, today
from server.web.forms import parse

KINDS = documents.KINDS
DWANGSOM_PER = [("week", "per week dat de last niet is uitgevoerd"), ("overtreding", "per keer dat de overtreding "
                                                                                    "wordt vastgesteld")]
WEGING = {"besluit_lod": ("zienswijze", "beginselplicht", "evenredigheid"),
          "besluit_boete": ("zienswijze", "beginselplicht", "evenredigheid"), "invordering": ("invordering",)}
WEGING_LABELS = {"zienswijze": "Weging van de zienswijze", "beginselplicht": "Beginselplicht (aanvulling)",
                 "evenredigheid": "Evenredigheid, ook de belangen van de bewoners (aanvulling)",
                 "invordering": "Waarom de dwangsom wordt ingevorderd (aanvulling)"}


def last_fields(kind: str) -> dict[str, str]:
    """Return the per-last fields (below lasten.<CODE>.) a letter of this kind decides, with their kinds."""
    if kind == "waarschuwing":
        return {"herstel_days": "int"}
    if kind in ("voornemen_lod", "besluit_lod"):
        return {"herstelmaatregel": "text", "begunstigingstermijn_days": "int", "dwangsom.amount": "text",
                "dwangsom.per": "text", "dwangsom.max": "text"}
    if kind in ("voornemen_boete", "besluit_boete"):
        return {"boete_amount": "text", "repeat": "bool"}
    return {}


def form_kinds(case: dict[str, Any], kind: str) -> tuple[dict[str, str], tuple[str, ...]]:
    """Return the letter form's fields (dotted names) with their kinds, and which of them are amounts."""
    kinds: dict[str, str] = {"letter_date": "text"}
    if kind == "dossier":
        return kinds, ()
    kinds.update({"codes": "list", "party_id": "text", "toelichting": "text?", "bijlagen": "list"})
    money: list[str] = []
    for last in letters.eligible(case, kind):
        for name, sort in last_fields(kind).items():
            full = f"lasten.{last['code']}.{name}"
            kinds[full] = sort
            if name in ("dwangsom.amount", "dwangsom.max", "boete_amount"):
                money.append(full)
    for part in WEGING.get(kind, ()):
        kinds[f"weging.{part}"] = "text?"
    if kind == "publicatie":
        kinds.update({"names_public": "bool", "weging_namen": "text?"})
    return kinds, tuple(money)


def defaults(case: dict[str, Any], kind: str) -> dict[str, Any]:
    """Return what the form starts with: today's date, every fitting last, and each last's own defaults."""
    values: dict[str, Any] = {"letter_date": today().isoformat()}
    eligible = letters.eligible(case, kind) if kind != "dossier" else []
    values["codes"] = [x["code"] for x in eligible]
    for last in eligible:
        key = f"lasten.{last['code']}."
        announced = last.get("voornemen") or {}
        wgv = (last.get("wgv") or {}).get("voornemen") or {}
        dwangsom = announced.get("dwangsom") or last.get("dwangsom") or {}
        values.update({key + "herstel_days": last.get("begunstigingstermijn_days"),
                       key + "herstelmaatregel": announced.get("herstelmaatregel") or last.get("herstelmaatregel"),
                       key + "begunstigingstermijn_days": announced.get("begunstigingstermijn_days")
                       or last.get("begunstigingstermijn_days"),
                       key + "dwangsom.amount": dutch(dwangsom.get("amount")),
                       key + "dwangsom.per": dwangsom.get("per"), key + "dwangsom.max": dutch(dwangsom.get("max")),
                       key + "boete_amount": dutch(wgv.get("amount")),
                       key + "repeat": "1" if wgv.get("repeat") else ""})
    return {k: ("" if v is None else str(v)) if not isinstance(v, list) else v for k, v in values.items()}


def dutch(amount: Any) -> str:
    """Write a stored amount ("1250.00") as the form shows it to a Dutch reader ("1250,00")."""
    return "" if amount in (None, "") else str(amount).replace(".", ",")


def _posted() -> tuple[MultiDict[str, str], dict[str, Any]]:
    """Return the posted form (the attachments' lines split into a list) and the values to show again."""
    form = request.form.copy()
    lines = [line.strip() for line in form.get("bijlagen", "").splitlines() if line.strip()]
    form.setlist("bijlagen", lines)
    values: dict[str, Any] = {k: v for k, v in request.form.items() if k not in ("csrf_token", "codes")}
    values["codes"] = request.form.getlist("codes")
    return form, values


@bp.route("/zaken/<case_id>/brief/<kind>", methods=["GET", "POST"])
@page("teamleider")
def case_letter_new(case_id: str, kind: str) -> Response | tuple[str, int] | str:
    """Make a concept letter (or the dossier) from a form showing what it needs."""
    if kind not in KINDS:
        abort(404)
    found = load_case(case_id)
    db = get_db()
    if kind != "dossier":
        why = can_make_letter(found, kind) if found["status"] == "open" else "de zaak is afgesloten."
        if why:
            raise Conflict(f"Een {title(kind).lower()} past nu niet: {why}")
    if request.method == "GET":
        audit(db, "read", "case", case_id)
        return _letter_form(found, kind, defaults(found, kind), {}, None)
    form, values = _posted()
    kinds, money = form_kinds(found, kind)
    form["kind"] = kind
    data, errors = nested_form(ConceptSchema(), form, {"kind": "text", **kinds}, money)
    if kind != "dossier" and not request.form.getlist("codes"):
        errors["codes"] = "Kies ten minste één overtreding waarover de brief gaat."
    if errors or data is None:
        return _letter_form(found, kind, values, errors, None, 422)
    try:
        row = documents.make_concept(db, settings(), case_id, g.user, data)
    except CaseError as err:
        message, found_errors = refusal(err)
        return _letter_form(found, kind, values, found_errors, message, err.status)
    audit(db, "create", "document", row["id"], {"case_id": case_id, "kind": kind})
    return redirect(url_for("web.case_letter", case_id=case_id, document_id=row["id"]))


def _letter_form(case: dict[str, Any], kind: str, values: dict[str, Any], errors: dict[str, str],
                 message: str | None, status: int = 200, document: dict[str, Any] | None = None) -> tuple[str, int]:
    db = get_db()
    addressees = [(p["id"], f"{p['name']} ({p['role']})") for p in parties.parties_at(db, case["address_id"])
                  if parties.postal_complete(p)]
    eligible = letters.eligible(case, kind) if kind != "dossier" else []
    return render_template("letter_new.html", case=shown(case), kind=kind, kind_title=title(kind), values=values,
                           errors=errors, message=message, eligible=eligible, per_last=last_fields(kind),
                           weging=WEGING.get(kind, ()), weging_labels=WEGING_LABELS, dwangsom_per=DWANGSOM_PER,
                           addressees=addressees, document=document), status


def _document(case_id: str, document_id: str) -> dict[str, Any]:
    try:
        row = documents.get_document(get_db(), document_id)
    except CaseError:
        raise NotFound("Deze brief bestaat niet.") from None
    if row["case_id"] != case_id:
        raise NotFound("Deze brief hoort niet bij deze zaak.")
    return row


@bp.get("/zaken/<case_id>/brieven/<document_id>")
@page("teamleider")
def case_letter(case_id: str, document_id: str) -> str:
    """Show a letter: its PDF in the page, and approving or recording its sending where that comes next."""
    found = load_case(case_id)
    row = _document(case_id, document_id)
    audit(get_db(), "read", "document", document_id, {"case_id": case_id})
    return _letter_page(found, row, {}, {}, None)[0]


def _letter_page(case: dict[str, Any], row: dict[str, Any], values: dict[str, Any], errors: dict[str, str],
                 message: str | None, status: int = 200) -> tuple[str, int]:
    info = documents.summary(row)
    values = {"sent_on": row["letter_date"], **values}
    return render_template("letter.html", case=shown(case), document=info, kind_title=title(row["kind"]),
                           letter=row["kind"] in documents.LETTERS, values=values, errors=errors, message=message,
                           methods=list(letters.DISPATCH.items()), method_labels=letters.DISPATCH,
                           pdf_url=url_for("api.get_document", document_id=row["id"])), status


@bp.route("/zaken/<case_id>/brieven/<document_id>/wijzigen", methods=["GET", "POST"])
@page("teamleider")
def case_letter_change(case_id: str, document_id: str) -> Response | tuple[str, int] | str:
    """Change a concept letter (its date, lasten, amounts, weighing) from the same form it was made with."""
    found = load_case(case_id)
    row = _document(case_id, document_id)
    if row["status"] != "concept":
        raise Conflict("Deze brief is vastgesteld en verandert niet meer; maak zo nodig een nieuw concept.")
    db = get_db()
    kind = row["kind"]
    if request.method == "GET":
        audit(db, "read", "document", document_id, {"case_id": case_id})
        return _letter_form(found, kind, _values_of(found, row), {}, None, document=row)
    form, values = _posted()
    kinds, money = form_kinds(found, kind)
    data, errors = nested_form(ConceptChangesSchema(), form, kinds, money)
    if kind != "dossier" and not request.form.getlist("codes"):
        errors["codes"] = "Kies ten minste één overtreding waarover de brief gaat."
    if errors or data is None:
        return _letter_form(found, kind, values, errors, None, 422, document=row)
    try:
        documents.update_concept(db, settings(), document_id, g.user, data)
    except CaseError as err:
        message, found_errors = refusal(err)
        return _letter_form(found, kind, values, found_errors, message, err.status, document=row)
    audit(db, "update", "document", document_id)
    return redirect(url_for("web.case_letter", case_id=case_id, document_id=document_id))


def _values_of(case: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    """Return a concept's parameters as the form's values (over the form's defaults)."""
    params = row["data"]["params"]
    values = defaults(case, row["kind"])
    values["letter_date"] = params.get("letter_date", values["letter_date"])
    if params.get("codes"):
        values["codes"] = list(params["codes"])
    for key in ("party_id", "toelichting", "weging_namen"):
        if params.get(key):
            values[key] = params[key]
    if params.get("names_public"):
        values["names_public"] = "1"
    values["bijlagen"] = "\n".join(params.get("bijlagen") or [])
    for part, text in (params.get("weging") or {}).items():
        values[f"weging.{part}"] = text or ""
    for code, chosen in (params.get("lasten") or {}).items():
        for name, value in chosen.items():
            if isinstance(value, dict):
                for sub, inner in value.items():
                    values[f"lasten.{code}.{name}.{sub}"] = dutch(inner) if sub in ("amount", "max") else str(inner)
            elif isinstance(value, bool):
                values[f"lasten.{code}.{name}"] = "1" if value else ""
            else:
                values[f"lasten.{code}.{name}"] = dutch(value) if name == "boete_amount" else str(value)
    return values


@bp.post("/zaken/<case_id>/brieven/<document_id>/vaststellen")
@page("teamleider")
def case_letter_approve(case_id: str, document_id: str) -> Response | tuple[str, int]:
    """Approve a concept: its PDF frozen; unverified voorschriften it cites need the ticked confirmation."""
    found = load_case(case_id)
    row = _document(case_id, document_id)
    values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    data, errors = parse(ApproveSchema(), request.form, {"confirm_unverified": "bool"})
    if errors or data is None:
        return _letter_page(found, row, values, errors, None, 422)
    db = get_db()
    try:
        approved = documents.approve(db, settings(), document_id, g.user,
                                     confirm_unverified=data["confirm_unverified"])
    except CaseError as err:
        message, found_errors = refusal(err)
        if err.extra.get("unverified"):
            found_errors["confirm_unverified"] = ("Vink aan dat u deze voorschriften hebt gecontroleerd en de brief "
                                                  "toch vaststelt.")
        return _letter_page(found, documents.get_document(db, document_id), values, found_errors, message,
                            err.status)
    audit(db, "approve", "document", document_id, {"sha256": approved["sha256"], "confirmed": approved["confirmed"]})
    return redirect(url_for("web.case_letter", case_id=case_id, document_id=document_id, vastgesteld=1))


@bp.post("/zaken/<case_id>/brieven/<document_id>/verzenden")
@page("teamleider")
def case_letter_send(case_id: str, document_id: str) -> Response | tuple[str, int]:
    """Record that an approved letter was sent: on which day, how, with which proof; the case takes its step."""
    found = load_case(case_id)
    row = _document(case_id, document_id)
    values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    data, errors = parse(SendSchema(), request.form, {"sent_on": "text", "method": "text", "reference": "text"})
    if errors or data is None:
        return _letter_page(found, row, values, errors, None, 422)
    db = get_db()
    try:
        sent = documents.send(db, settings(), document_id, g.user, data["sent_on"], method=data["method"],
                              reference=data["reference"])
    except CaseError as err:
        message, found_errors = refusal(err)
        return _letter_page(found, row, values, found_errors, message, err.status)
    audit(db, "send", "document", document_id, {"sent_on": sent["sent_on"], "method": sent["dispatch_method"]})
    return redirect(url_for("web.case", case_id=case_id, verzonden=document_id))
