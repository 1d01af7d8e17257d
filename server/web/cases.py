"""Zaken: the team lead's case list, opening a case, the case page, the LHS assessment, the overtreders and the
timeline. Steps are in case_actions.py, letters and the dossier in case_letters.py (imported at the end, so
that importing this module registers them all).
"""

from __future__ import annotations

import json
from typing import Any

from flask import current_app, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from server import parties, store
from server.api.cases import AssessmentSchema, CaseQuery, OpenCaseSchema, OvertredersSchema
from server.audit import audit
from server.case_flow import CASE_STATES, load_matrix, suggest
from server.cases import OVERTREDER_ROLES, CaseError, assess, open_case, set_overtreders, timeline
from server.db import get_db, rows
from server.web import bp
from server.web.access import page
from server.web.case_view import label_of, load_case, next_term, refusal, settings, shown, title, today
from server.web.forms import field_errors, parse

PAGE_SIZE = 50
RECENT_INSPECTIONS = 30
ROLE_LABELS = {"verhuurder": "verhuurder", "eigenaar": "eigenaar", "beheerder": "beheerder",
               "verhuurbemiddelaar": "verhuurbemiddelaar", "werkgever": "werkgever", "uitzendbureau": "uitzendbureau"}
STATUS_OPTIONS = [("", "Alle zaken"), *CASE_STATES.items()]


def _addresses(ids: list[str]) -> dict[str, str]:
    """Return the label of each of these addresses, read in one query."""
    if not ids:
        return {}
    unique = list(dict.fromkeys(ids))
    marks = ",".join("?" * len(unique))
    found = store.select(get_db(), "address", f"id IN ({marks})", unique)
    return {a["id"]: label_of(a) for a in found}


@bp.get("/zaken")
@page("teamleider")
def cases() -> tuple[str, int] | str:
    """List the cases (newest first), filtered by status, 50 at a time; open a case."""
    query, errors = parse(CaseQuery(), request.args, {"status": "text", "after": "text"})
    db = get_db()
    where, params = ["1"], []
    if query is not None:
        if query["status"]:
            where.append("status = ?")
            params.append(query["status"])
        if query["after"]:
            where.append("number < ?")
            params.append(query["after"])
    found = store.select(db, "case", " AND ".join(where), params, order="number DESC", limit=PAGE_SIZE + 1)
    more, found = len(found) > PAGE_SIZE, found[:PAGE_SIZE]
    labels = _addresses([c["address_id"] for c in found])
    items = [{"id": c["id"], "number": c["number"], "address": labels.get(c["address_id"], "onbekend adres"),
              "status": shown_status(c), "next": next_term(c)} for c in found]
    audit(db, "list", "case", None, {"filters": request.args.to_dict(), "ids": [c["id"] for c in found]})
    status = (query or {}).get("status") or ""
    next_url = url_for("web.cases", status=status or None, after=found[-1]["number"]) if more else None
    html = render_template("cases.html", items=items, errors=errors, values={"status": status},
                           status_options=STATUS_OPTIONS, next_url=next_url,
                           first=bool((query or {}).get("after")), today=today().isoformat())
    return (html, 422) if errors else html


def shown_status(case: dict[str, Any]) -> str:
    """Return a case's state in Dutch (server.cases.status_label on its current form)."""
    from server.cases import status_label, upgraded
    return status_label(upgraded(case))


def recent_inspections() -> list[dict[str, Any]]:
    """Return recent submitted inspections with findings and without an open case (to open one from)."""
    db = get_db()
    found = rows(db, "SELECT id, address_id, started_at, inspector_id FROM inspections WHERE status = 'submitted' "
                     "AND deleted = 0 ORDER BY started_at DESC LIMIT 200")
    open_for = _with_open_case(db, [r["id"] for r in found])
    candidates = [r for r in found if r["id"] not in open_for]
    names = {r["id"]: r["label"] for r in rows(db, "SELECT id, coalesce(full_name, name) AS label FROM users")}
    chosen: list[dict[str, Any]] = []
    # Findings are counted a batch at a time, newest first, until enough inspections have some: usually the first
    # batch, where counting all 200 read every one's findings.
    for start in range(0, len(candidates), RECENT_INSPECTIONS):
        batch = candidates[start:start + RECENT_INSPECTIONS]
        counts = _findings_counted(db, [r["id"] for r in batch])
        chosen += [{**r, "findings": counts[r["id"]], "inspector": names.get(r["inspector_id"])}
                   for r in batch if counts.get(r["id"])]
        if len(chosen) >= RECENT_INSPECTIONS:
            break
    chosen = chosen[:RECENT_INSPECTIONS]
    labels = _addresses([r["address_id"] for r in chosen])
    return [{**r, "address": labels.get(r["address_id"], "onbekend adres")} for r in chosen]


def _with_open_case(db: Any, inspection_ids: list[str]) -> set[str]:
    """Return which of these inspections an open case was opened from (through the index cases_inspection)."""
    return {r["i"] for r in rows(db, "SELECT json_extract(data, '$.inspection_id') AS i FROM cases "
                                     "WHERE json_extract(data, '$.inspection_id') IN (SELECT value FROM json_each(?)) "
                                     "AND status = 'open' AND deleted = 0", [json.dumps(inspection_ids)])}


def _findings_counted(db: Any, inspection_ids: list[str]) -> dict[str, int]:
    """Return per inspection (of these, when evaluated) how many findings have an impact."""
    if not inspection_ids:
        return {}
    marks = ",".join("?" * len(inspection_ids))
    counted = ("SELECT inspection_id, (SELECT count(*) FROM json_each(findings) f WHERE "  # noqa: S608 - marks only
               "json_extract(f.value, '$.impact') >= 1) AS n FROM evaluations WHERE inspection_id IN (" + marks + ")")
    return {r["inspection_id"]: r["n"] for r in rows(db, counted, inspection_ids)}


OPEN_FIELDS = {"inspection_id": "text", "address_id": "text", "melding": "text"}


@bp.route("/zaken/openen", methods=["GET", "POST"])
@page("teamleider")
def case_open() -> Response | tuple[str, int] | str:
    """Open a case from a submitted inspection (chosen or by its id) or from a melding at an address."""
    values: dict[str, Any] = {k: v for k, v in request.values.items() if k != "csrf_token"}
    if request.method == "GET":
        return _open_page(values, {}, None)
    source = request.form.get("van")
    fields = {"inspection_id": "text"} if source == "inspectie" else {"address_id": "text", "melding": "text"}
    errors: dict[str, str] = {}
    form = request.form.copy()
    if source != "inspectie" and not form.get("address_id"):
        address_id, error = _find_address(form)
        if error:
            errors.update(error)
        else:
            form["address_id"] = address_id or ""
    data, schema_errors = parse(OpenCaseSchema(), form, fields)
    errors = {**schema_errors, **errors}
    if source == "inspectie" and data is not None and not data["inspection_id"]:
        errors["inspection_id"] = "Kies een inspectie of vul haar nummer in."
    if errors or data is None:
        return _open_page(values, errors, None, 422)
    docs = settings()
    try:
        case = open_case(get_db(), g.user, letters=docs.letters, terms_config=docs.terms, **data)
    except CaseError as err:
        message, found = refusal(err)
        if source != "inspectie" and "address_id" in found:
            found["postcode"] = found.pop("address_id")
        return _open_page(values, found, message, err.status)
    audit(get_db(), "create", "case", case["id"])
    return redirect(url_for("web.case", case_id=case["id"], geopend=1))


def _find_address(form: Any) -> tuple[str | None, dict[str, str]]:
    """Return the address id of a postcode and house number (with letter or addition when several)."""
    postcode = (form.get("postcode") or "").replace(" ", "").upper()
    number = (form.get("huisnummer") or "").strip()
    if not postcode or not number:
        return None, {k: "Verplicht veld." for k, v in (("postcode", postcode), ("huisnummer", number)) if not v}
    if not number.isdigit() or len(number) > 6:
        return None, {"huisnummer": "Vul een huisnummer in cijfers in."}
    found = store.select(get_db(), "address", "postcode = ? AND huisnummer = ?", [postcode, int(number)], limit=50)
    letter = (form.get("huisletter") or "").strip().lower()
    addition = (form.get("toevoeging") or "").strip().lower()
    if letter or addition or len(found) > 1:
        found = [a for a in found if (a.get("huisletter") or "").lower() == letter
                 and (a.get("toevoeging") or "").lower() == addition]
    if not found:
        return None, {"postcode": "Geen adres met deze postcode en dit huisnummer (en huisletter of toevoeging)."}
    if len(found) > 1:
        return None, {"huisletter": "Er zijn meerdere adressen: vul de huisletter of toevoeging in."}
    return str(found[0]["id"]), {}


def _open_page(values: dict[str, Any], errors: dict[str, str], message: str | None,
               status: int = 200) -> tuple[str, int]:
    db = get_db()
    address = store.get(db, "address", values["address_id"]) if values.get("address_id") else None
    inspections = recent_inspections()
    audit(db, "list", "inspection", None, {"ids": [i["id"] for i in inspections],
                                           **({"address_id": address["id"]} if address else {})})
    return render_template("case_open.html", values=values, errors=errors, message=message,
                           inspections=inspections, address=address,
                           address_text=label_of(address) if address else None,
                           source=values.get("van")), status


@bp.get("/zaken/<case_id>")
@page("teamleider")
def case(case_id: str) -> str:
    """Show a case: its address, lasten, overtreders, letters and every step it allows now."""
    found = load_case(case_id)
    db = get_db()
    documents = rows(db, "SELECT id, kind, kenmerk, status, letter_date, approved_at, sent_on, dispatch_method, "
                         "dispatch_reference FROM documents WHERE case_id = ? ORDER BY created_at", [case_id])
    party_ids = [o["party_id"] for o in found.get("overtreders") or []]
    boetes = rows(db, "SELECT code, imposed_on, kenmerk, irrevocable_on, amount, source FROM boetes WHERE party_id IN "
                      "(SELECT value FROM json_each(?)) ORDER BY imposed_on", [json.dumps(party_ids)])
    audit(db, "read", "case", case_id)
    inspection = store.get(db, "inspection", found["inspection_id"]) if found.get("inspection_id") else None
    return render_template("case.html", case=shown(found), documents=documents, title=title,
                           inspection=inspection, roles=ROLE_LABELS, boetes=boetes,
                           wgv=any("wgv" in (last.get("tracks") or ()) for last in found.get("lasten") or []))


# --- the LHS assessment -----------------------------------------------------------------------------

ASSESS_FIELDS = {"codes": "list", "impact": "int", "impact_reason": "text", "behaviour": "text",
                 "behaviour_reason": "text", "chosen": "text", "chosen_reason": "text"}


@bp.route("/zaken/<case_id>/beoordeling", methods=["GET", "POST"])
@page("teamleider")
def case_assess(case_id: str) -> Response | tuple[str, int] | str:
    """Assess a case's lasten on the LHS matrix: the suggestion shown, a reason asked when the choice differs."""
    found = load_case(case_id)
    matrix = load_matrix(current_app.config["LHS_MATRIX"] or None)
    db = get_db()
    if request.method == "GET":
        audit(db, "read", "case", case_id)
        first = next((last["assessment"] for last in found.get("lasten") or [] if last.get("assessment")), None)
        values: dict[str, Any] = {"codes": [last["code"] for last in found.get("lasten") or []]}
        if first:
            values.update({"behaviour": first["behaviour"], "behaviour_reason": first["behaviour_reason"],
                           "chosen": first["chosen"] if first["chosen"] != first["suggested"] else "",
                           "chosen_reason": first.get("chosen_reason") or ""})
        return _assess_page(found, matrix, values, {}, None)
    values = {k: v for k, v in request.form.items() if k not in ("csrf_token", "codes")}
    values["codes"] = request.form.getlist("codes")
    data, errors = parse(AssessmentSchema(), request.form, {k: v for k, v in ASSESS_FIELDS.items()
                                                            if k in request.form or v == "list"})
    if not values["codes"]:
        errors["codes"] = "Kies ten minste één last."
    if "bekijk" in request.form or errors or data is None:
        return _assess_page(found, matrix, values, errors if "bekijk" not in request.form else {},
                            None, 422 if errors and "bekijk" not in request.form else 200)
    try:
        assess(db, case_id, g.user, matrix_path=current_app.config["LHS_MATRIX"] or None, **data)
    except CaseError as err:
        message, found_errors = refusal(err)
        return _assess_page(found, matrix, values, found_errors, message, err.status)
    audit(db, "assess", "case", case_id)
    return redirect(url_for("web.case", case_id=case_id, beoordeeld=1))


def _assess_page(case: dict[str, Any], matrix: dict[str, Any], values: dict[str, Any], errors: dict[str, str],
                 message: str | None, status: int = 200) -> tuple[str, int]:
    lasten = [last for last in case.get("lasten") or [] if last["code"] in (values.get("codes") or [])] or \
        list(case.get("lasten") or [])
    behaviour = values.get("behaviour") if values.get("behaviour") in matrix["behaviour"] else None
    impact = int(values["impact"]) if str(values.get("impact") or "") in ("1", "2", "3", "4") else None
    suggestions = []
    for last in lasten:
        klass = impact or int(last["impact"])
        suggestions.append({"code": last["code"], "title": last["title"], "impact": klass,
                            "suggested": suggest(matrix, klass, behaviour) if behaviour else None})
    cells: dict[tuple[str, str], list[str]] = {}
    for item in suggestions:
        if behaviour:
            cells.setdefault((str(item["impact"]), behaviour), []).append(item["code"])
    rows_of: dict[str, list[str]] = {}
    for item in suggestions:
        rows_of.setdefault(str(item["impact"]), []).append(item["code"])
    return render_template("case_assess.html", case=shown(case), matrix=matrix, values=values, errors=errors,
                           message=message, suggestions=suggestions, cells=cells, rows_of=rows_of,
                           behaviour=behaviour), status


# --- overtreders -------------------------------------------------------------------------------------

@bp.route("/zaken/<case_id>/overtreders", methods=["GET", "POST"])
@page("teamleider")
def case_overtreders(case_id: str) -> Response | tuple[str, int] | str:
    """Record whom the case is against (parties at the address), in which role and why."""
    found = load_case(case_id)
    db = get_db()
    candidates = _candidates(found)
    if request.method == "GET":
        audit(db, "read", "case", case_id)
        current = {o["party_id"]: o for o in found.get("overtreders") or []}
        values: dict[str, Any] = {}
        for i, party in enumerate(candidates):
            chosen = current.get(party["id"])
            values[f"o{i}.chosen"] = "1" if chosen and chosen.get("reason") else ""
            values[f"o{i}.role"] = (chosen or {}).get("role") or (party["role"] if party["role"] in OVERTREDER_ROLES
                                                                  else "verhuurder")
            values[f"o{i}.reason"] = (chosen or {}).get("reason") or ""
        return _overtreders_page(found, candidates, values, {}, None)
    values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    picked = [i for i in range(len(candidates)) if request.form.get(f"o{i}.chosen")]
    body = {"overtreders": [{"party_id": candidates[i]["id"], "role": request.form.get(f"o{i}.role", ""),
                             "reason": request.form.get(f"o{i}.reason", "").strip()} for i in picked]}
    errors: dict[str, str] = {}
    if not picked:
        errors["o0.chosen"] = "Kies ten minste één partij als overtreder."
    else:
        from marshmallow import ValidationError
        try:
            data = OvertredersSchema().load(body)
        except ValidationError as err:
            for name, text in field_errors(err.messages).items():
                parts = name.split(".")
                if len(parts) == 3 and parts[1].isdigit():
                    errors[f"o{picked[int(parts[1])]}.{parts[2]}"] = text
                else:
                    errors["o0.chosen"] = text
    if errors:
        return _overtreders_page(found, candidates, values, errors, None, 422)
    try:
        set_overtreders(db, case_id, g.user, data["overtreders"])
    except CaseError as err:
        return _overtreders_page(found, candidates, values, {}, err.message, err.status)
    audit(db, "update", "case", case_id, {"overtreders": [o["party_id"] for o in data["overtreders"]]})
    return redirect(url_for("web.case", case_id=case_id))


def _candidates(case: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the parties at the case's address today, and any overtreder recorded before who is not."""
    db = get_db()
    found = parties.parties_at(db, case["address_id"], None, today())
    seen = {p["id"] for p in found}
    for o in case.get("overtreders") or []:
        if o["party_id"] not in seen:
            party = parties.get_party(db, o["party_id"])
            if party is not None:
                found.append({**party, "role": o.get("role")})
                seen.add(party["id"])
    return [{**p, "postal": parties.postal_complete(p), "address_lines": parties.address_block(p)
             if parties.postal_complete(p) else []} for p in found]


def _overtreders_page(case: dict[str, Any], candidates: list[dict[str, Any]], values: dict[str, Any],
                      errors: dict[str, str], message: str | None, status: int = 200) -> tuple[str, int]:
    return render_template("case_overtreders.html", case=shown(case), candidates=candidates, values=values,
                           errors=errors, message=message, roles=[(r, ROLE_LABELS[r]) for r in OVERTREDER_ROLES]
                           ), status


# --- the timeline ------------------------------------------------------------------------------------

@bp.get("/zaken/<case_id>/tijdlijn")
@page("teamleider")
def case_timeline(case_id: str) -> str:
    """Show every step of a case: when it was recorded, when it took effect, by whom, with its letter."""
    found = load_case(case_id)
    db = get_db()
    kenmerken = {r["id"]: r for r in rows(db, "SELECT id, kenmerk, kind FROM documents WHERE case_id = ?",
                                          [case_id])}
    audit(db, "read", "case", case_id)
    return render_template("case_timeline.html", case=shown(found), events=timeline(db, case_id),
                           documents=kenmerken)


from server.web import case_actions, case_letters  # noqa: E402,F401  (their routes register on import)
