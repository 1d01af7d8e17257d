"""A case's steps as forms: each step the case allows now (server.case_flow.allowed_steps) with the fields it
needs, parsed by the API's StepSchema and taken by server.case_steps.step, as POST /cases/<id>/transitions does.

A zienswijze comes as text or as a file: the file is stored as the API stores attachments (by its SHA-256,
its uploader an owner) and the step names its hash; a refused step takes the upload back. Whoever may read
the case may open the file from its timeline (server.attachments.may_read).
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

from flask import current_app, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from server import attachments, store
from server.api.cases import EarlierBoeteSchema, StepSchema
from server.audit import audit
from server.case_flow import CASE_STEPS, STEPS
from server.case_steps import NEEDS_REASON, add_boete, step
from server.cases import CaseError
from server.db import get_db, rows
from server.errors import Conflict
from server.web import bp
from server.web.access import page
from server.web.case_view import amount_text, load_case, refusal, shown, today
from server.web.forms import parse

ZIENSWIJZE = ("zienswijze_ontvangen", "boete_zienswijze_ontvangen")
HERCONTROLE = ("hercontrole_gepland", "wgv_hercontrole_gepland")
FOUND_AGAIN = ("verbeurd", "wgv_nog_aanwezig")
REPAIRED = ("hersteld", "wgv_hersteld")
PAID = ("dwangsom_betaald", "boete_betaald")
HOW = [("schriftelijk", "Schriftelijk (brief)"), ("e-mail", "Per e-mail"), ("mondeling", "Mondeling")]


def fields_of(action: str) -> dict[str, str]:
    """Return the form fields a step needs, with their kinds for the form parser."""
    if action in ZIENSWIJZE:
        return {"received_on": "text", "how": "text", "text": "text"}
    if action in HERCONTROLE:
        return {"inspector_id": "text"}
    if action in FOUND_AGAIN:
        return {"inspection_id": "text"}
    if action in REPAIRED:
        return {"inspection_id": "text", "reason": "text"}
    if action in PAID:
        return {"paid_on": "text"}
    if action in NEEDS_REASON:
        return {"reason": "text"}
    return {}


def _allowed(case: dict[str, Any], action: str, code: str | None) -> dict[str, Any] | None:
    return next((s for s in shown(case)["allowed"] if s["action"] == action and s["code"] == code
                 and not s["letter"]), None)


def _label(action: str) -> str:
    spec = STEPS.get(action)
    return spec.label if spec else CASE_STEPS.get(action, action)


@bp.route("/zaken/<case_id>/stap/<action>", methods=["GET", "POST"], endpoint="case_step")
@bp.route("/zaken/<case_id>/stap/<action>/<code>", methods=["GET", "POST"], endpoint="case_step")
@page("teamleider")
def case_step(case_id: str, action: str, code: str | None = None) -> Response | tuple[str, int] | str:
    """Show the form a step needs and take it; a step the case does not allow now is refused (409)."""
    found = load_case(case_id)
    db = get_db()
    if action not in STEPS and action not in CASE_STEPS:
        from server.errors import NotFound
        raise NotFound("Deze stap bestaat niet.")
    if STEPS.get(action) is not None and STEPS[action].letter:
        raise Conflict("Deze stap volgt uit het verzenden van een vastgestelde brief: maak de brief bij de zaak.")
    if request.method == "GET":
        if _allowed(found, action, code) is None:
            raise Conflict(f"'{_label(action)}' kan nu niet bij deze zaak.")
        audit(db, "read", "case", case_id)
        values: dict[str, Any] = {"received_on": today().isoformat(), "paid_on": today().isoformat()}
        if action in HERCONTROLE:
            values["inspector_id"] = _case_inspector(found) or ""
        return _step_page(found, action, code, values, {}, None)
    values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    kinds = fields_of(action)
    data, errors = parse(StepSchema(), _with(request.form, action=action, code=code or ""),
                         {"action": "text", "code": "text", **kinds})
    upload = request.files.get("file") if action in ZIENSWIJZE else None
    if errors or data is None:
        return _step_page(found, action, code, values, errors, None, 422)
    fresh = False  # whether this request made the user an owner of the file (undone when the step is refused)
    if upload is not None and upload.filename:
        try:
            data["file_sha256"], fresh = _store_upload(
                db, upload.stream.read(current_app.config["ATTACHMENT_MAX_BYTES"] + 1))
        except attachments.UploadError as err:
            return _step_page(found, action, code, values, {"file": err.message}, None, 422)
    data.pop("action")
    data.pop("code")
    detail = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items() if v is not None}
    try:
        step(db, case_id, g.user, action, detail, code=code)
    except CaseError as err:
        if fresh:  # a refused step names no file: leave none behind
            attachments.withdraw(db, Path(current_app.config["DATA"]), data["file_sha256"], g.user["id"])
        message, found_errors = refusal(err)
        return _step_page(found, action, code, values, found_errors, message, err.status)
    if data.get("file_sha256"):
        audit(db, "upload", "attachment", data["file_sha256"])
    audit(db, "step", "case", case_id, {"action": action, "code": code})
    return redirect(url_for("web.case", case_id=case_id, stap=action))


def _with(form: Any, **extra: str) -> Any:
    copy = form.copy()
    for key, value in extra.items():
        copy[key] = value
    return copy


def _store_upload(db: Any, content: bytes) -> tuple[str, bool]:
    """Keep an uploaded zienswijze as the API keeps an attachment (verified, by hash).

    Return its SHA-256 and whether the user did not own it before (so a refused step can undo the upload).
    """
    limits = attachments.Limits.from_config(current_app.config)
    if len(content) > limits.max_bytes:
        raise attachments.UploadError(413, "too_large", "Het bestand is te groot.")
    if not content:
        raise attachments.UploadError(422, "empty", "Het bestand is leeg.")
    sha256 = hashlib.sha256(content).hexdigest()
    fresh = not attachments.owned(db, g.user["id"], [sha256])
    attachments.receive(db, Path(current_app.config["DATA"]), sha256, f"bytes 0-{len(content) - 1}/{len(content)}",
                        io.BytesIO(content), len(content), limits, {"user_id": g.user["id"], "device_id": None})
    return sha256, fresh


def _case_inspector(case: dict[str, Any]) -> str | None:
    inspection = store.get(get_db(), "inspection", case["inspection_id"]) if case.get("inspection_id") else None
    return inspection.get("inspector_id") if inspection else None


def _step_page(case: dict[str, Any], action: str, code: str | None, values: dict[str, Any], errors: dict[str, str],
               message: str | None, status: int = 200) -> tuple[str, int]:
    db = get_db()
    handhavers = [(r["id"], r["label"]) for r in rows(
        db, "SELECT id, coalesce(full_name, name) AS label FROM users WHERE role = 'handhaver' AND disabled_at IS NULL "
            "ORDER BY label")]
    inspections = [(i["id"], i["started_at"]) for i in store.select(
        db, "inspection", "address_id = ? AND status = 'submitted'", [case["address_id"]], order="started_at DESC",
        limit=20)]
    return render_template("case_step.html", case=shown(case), action=action, code=code, label=_label(action),
                           fields=fields_of(action), values=values, errors=errors, message=message,
                           handhavers=handhavers, inspections=inspections, how=HOW,
                           upload=action in ZIENSWIJZE, needs_reason=action in NEEDS_REASON), status


# --- an earlier boete, entered by hand ----------------------------------------------------------------

BOETE_FIELDS = {"party_id": "text", "code": "text", "imposed_on": "text", "kenmerk": "text", "irrevocable_on": "text",
                "amount": "text"}


@bp.route("/zaken/<case_id>/eerdere-boete", methods=["GET", "POST"])
@page("teamleider")
def case_earlier_boete(case_id: str) -> Response | tuple[str, int] | str:
    """Enter a boete imposed on an overtreder before the system (for the repeat maximum), as POST /boetes does."""
    found = load_case(case_id)
    db = get_db()
    if request.method == "GET":
        audit(db, "read", "case", case_id)
        return _boete_page(found, {}, {}, None)
    values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    form = request.form.copy()
    if form.get("amount"):
        form["amount"] = amount_text(form["amount"])
    data, errors = parse(EarlierBoeteSchema(), form, BOETE_FIELDS)
    if errors or data is None:
        return _boete_page(found, values, errors, None, 422)
    try:
        row = add_boete(db, g.user, party_id=data["party_id"], code=data["code"], imposed_on=data["imposed_on"],
                        kenmerk=data["kenmerk"], irrevocable_on=data["irrevocable_on"],
                        amount=str(data["amount"]) if data["amount"] is not None else None, source="handmatig")
    except CaseError as err:
        message, found_errors = refusal(err)
        return _boete_page(found, values, found_errors, message, err.status)
    audit(db, "create", "boete", row["id"], {"party_id": data["party_id"], "code": data["code"]})
    return redirect(url_for("web.case", case_id=case_id, boete=1))


def _boete_page(case: dict[str, Any], values: dict[str, Any], errors: dict[str, str], message: str | None,
                status: int = 200) -> tuple[str, int]:
    overtreders = [(o["party_id"], o["name"]) for o in case.get("overtreders") or []]
    codes = [(last["code"], f"{last['code']}: {last['title']}") for last in case.get("lasten") or []
             if "wgv" in (last.get("tracks") or ())]  # a boete is for a Wgv violation only
    return render_template("case_boete.html", case=shown(case), values=values, errors=errors, message=message,
                           overtreders=overtreders, codes=codes), status
