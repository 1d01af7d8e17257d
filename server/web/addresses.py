"""Adressen: search addresses; an address page with its BAG facts, parties, inspections (findings, photos,
rapport) and cases; edit the office's fields and the parties' roles there.

Changes go through the functions the REST API calls (server.addresses.update, server.parties.link and
end_link) with the API's schemas; every page view is audited as the API audits its reads.
"""

from __future__ import annotations

import re
from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from marshmallow import ValidationError
from werkzeug.wrappers import Response

from schemas.base import BaseSchema, Str, between, max_length
from schemas.party import ROLES, party_link_schema
from server import address_search, attachments, parties, rapport, store
from server import addresses as address_rules
from server.api.parties import link_end_schema
from server.audit import audit
from server.auth import PLANNERS, current_user
from server.db import get_db, write
from server.errors import Conflict, Invalid, NotFound
from server.evaluation import stored_evaluation
from server.http import QueryInt
from server.legal_basis import annotate_evaluation
from server.web import bp
from server.web.access import page
from server.web.forms import field_errors, parse, typed
from server.web.planning import KIND_LABELS, LOCATION_LABELS, STATUS_LABELS, address_text, user_names

ROLE_LABELS = {"verhuurder": "Verhuurder", "eigenaar": "Eigenaar", "beheerder": "Beheerder",
               "verhuurbemiddelaar": "Verhuurbemiddelaar", "werkgever": "Werkgever", "uitzendbureau": "Uitzendbureau"}
ACCESS_LABELS = {"granted": "toegang", "refused": "toegang geweigerd", "nobody_home": "niemand thuis"}
INSPECTION_STATUS = {"draft": "concept", "submitted": "ingediend"}
REGIME_LABELS = {"wgv": "Wgv", "wgv_vergunning": "Wgv (verhuurvergunning)", "bouwregels": "Bouwregels",
                 "omgevingsplan": "Omgevingsplan", "signaal": "Signaal"}
OBJECT_LABELS = {"verblijfsobject": "Verblijfsobject", "ligplaats": "Ligplaats", "standplaats": "Standplaats"}
SOURCE_LABELS = {"bag": "BAG", "gemeten": "gemeten", "opgave": "opgave"}
EDIT_FIELDS = {"location_type": "text?", "verified": "bool", "notes": "text?"}
LINK_FIELDS = {"party_id": "text", "role": "text", "from": "text", "until": "text"}
FIELD_LABELS = {"location_type": "Soort locatie", "verified": "Geverifieerd", "notes": "Notities",
                "party_id": "Partij", "role": "Rol", "from": "Vanaf", "until": "Tot", "_schema": "Formulier",
                "postcode": "Postcode", "straat": "Straat", "huisnummer": "Huisnummer", "bag_id": "BAG-id",
                "pagina": "Pagina", "q": "Zoeken"}
INSPECTIONS_SHOWN = 50


class AddressSearchForm(BaseSchema):
    """The search above the address list (query string)."""

    q = Str(load_default=None, validate=max_length(100))
    postcode = Str(load_default=None, validate=max_length(12))
    straat = Str(load_default=None, validate=max_length(80))
    huisnummer = QueryInt(load_default=None, validate=between(1, 99999))
    bag_id = Str(load_default=None, validate=max_length(30))
    pagina = QueryInt(load_default=1, validate=between(1, 100_000))


address_search_form = AddressSearchForm()
SEARCH_FIELDS = {"q": "text", "postcode": "text", "straat": "text", "huisnummer": "int", "bag_id": "text",
                 "pagina": "int"}


def _search_of(args: Any) -> tuple[address_search.Search, dict[str, str]]:
    try:
        q = address_search_form.load(typed(args, SEARCH_FIELDS))
    except ValidationError as err:
        return address_search.Search(), field_errors(err.messages)
    typed_in = address_search.words(q["q"] or "")  # the one box; a field filled in below it wins
    fields = {k: q[k] if q[k] is not None else typed_in.get(k) for k in ("postcode", "straat", "huisnummer", "bag_id")}
    postcode, number_id, errors = address_search.checked(fields["postcode"], fields["bag_id"])
    if q["q"] and errors and not (q["postcode"] or q["bag_id"]):
        errors = {"q": next(iter(errors.values()))}
    return address_search.Search(postcode=postcode, straat=fields["straat"], huisnummer=fields["huisnummer"],
                                 bag_id=number_id, page=q["pagina"]), errors


@bp.get("/adressen")
@page(*PLANNERS)
def addresses() -> tuple[str, int]:
    """Search addresses by postcode, street, number or BAG id; a page of 50 at a time."""
    search, errors = _search_of(request.args)
    db = get_db()
    found, more = ([], False) if errors else address_search.find(db, search)
    args = {k: v for k, v in request.args.items() if k in SEARCH_FIELDS and k != "pagina" and v.strip()}
    audit(db, "list", "address", None, {"page": "adressen", "filters": args, "count": len(found),
                                        "ids": [a["id"] for a in found]})
    return render_template("addresses.html", found=found, more=more, values=request.args, errors=errors,
                           args=args, page_no=search.page, labels=LOCATION_LABELS, field_labels=FIELD_LABELS,
                           address_text=address_text), 422 if errors else 200


def _inspections(db: Any, address_id: str) -> list[dict[str, Any]]:
    """Return the address's inspections, newest first, each with findings, residents, photos and rapport."""
    found = store.select(db, "inspection", "address_id = ?", [address_id], order="started_at DESC, id",
                         limit=INSPECTIONS_SHOWN + 1)
    # Received as the download judges it: a copy uploaded by the inspection's own inspector.
    received = attachments.inspectors_photos(db, [i["id"] for i in found])
    names = user_names(db, {i["inspector_id"] for i in found if i.get("inspector_id")})
    out = []
    for inspection in found:
        evaluation = stored_evaluation(db, inspection["id"])
        if evaluation is not None and inspection.get("started_at"):
            evaluation = annotate_evaluation(evaluation, inspection)  # the grondslag in force on its date
        rooms = {r.get("id"): r.get("name") for r in inspection.get("rooms") or []}
        report = rapport.rapport_of(db, inspection["id"]) if inspection.get("status") == "submitted" else None
        out.append({"record": inspection, "evaluation": evaluation, "inspector": names.get(
            inspection.get("inspector_id") or "", "onbekend"), "rooms": rooms, "rapport": report,
                    "photos": [{**p, "received": (inspection["id"], p.get("sha256")) in received}
                               for p in inspection.get("photos") or []]})
    return out


def _render_address(address_id: str, *, values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
                    link_values: dict[str, Any] | None = None, link_errors: dict[str, str] | None = None,
                    end_errors: dict[str, dict[str, str]] | None = None, status: int = 200) -> tuple[str, int]:
    db = get_db()
    record = store.get(db, "address", address_id)
    if record is None:
        raise NotFound("Adres niet gevonden.")
    links = parties.links(db, address_id)
    inspections = _inspections(db, address_id)
    with write(db):  # both entries in one commit: one wait for the disk, not two
        audit(db, "read", "address", address_id, {"page": "adres"})
        audit(db, "list", "inspection", None, {"page": "adres", "address_id": address_id,
                                               "ids": [i["record"]["id"] for i in inspections[:INSPECTIONS_SHOWN]]})
    cases = store.select(db, "case", "address_id = ?", [address_id], order="created_at DESC", limit=100)
    query = (request.args.get("partij") or "").strip()[:200]
    kvk = query if re.fullmatch(r"[0-9]{8}", query) else None
    choices = sorted(parties.search_parties(db, name=None if kvk else query or None, kvk=kvk, limit=50),
                     key=lambda p: p["name"].casefold())
    from server.cases import status_label
    return render_template(
        "address.html", a=record, values=values if values is not None else record, errors=errors or {},
        links=links, link_values=link_values or {}, link_errors=link_errors or {}, end_errors=end_errors or {},
        inspections=inspections[:INSPECTIONS_SHOWN], more_inspections=len(inspections) > INSPECTIONS_SHOWN,
        cases=cases, case_status=status_label, case_page="web.case" in current_app.view_functions,
        # Cases are the teamleider's (the Zaken pages): only he is offered to open one from here.
        can_open_case=current_user()["role"] == "teamleider" and "web.case_open" in current_app.view_functions,
        party_query=query, party_choices=[(p["id"], p["name"] + (f" (KvK {p['kvk']})" if p.get("kvk") else ""))
                                          for p in choices],
        roles=[(r, ROLE_LABELS[r]) for r in ROLES], role_labels=ROLE_LABELS, labels=LOCATION_LABELS,
        location_options=[(k, v) for k, v in LOCATION_LABELS.items() if k != address_search.UNKNOWN_TYPE],
        access_labels=ACCESS_LABELS, inspection_status=INSPECTION_STATUS, regime_labels=REGIME_LABELS,
        object_labels=OBJECT_LABELS, source_labels=SOURCE_LABELS, kind_labels=KIND_LABELS,
        status_labels=STATUS_LABELS, field_labels=FIELD_LABELS, address_text=address_text,
        gebruiksdoel=", ".join(record.get("gebruiksdoel") or [])), status


@bp.get("/adressen/<address_id>")
@page(*PLANNERS)
def address(address_id: str) -> tuple[str, int]:
    """Show an address with its facts, parties, inspections and cases, and the form for the office's fields."""
    return _render_address(address_id)


@bp.post("/adressen/<address_id>")
@page(*PLANNERS)
def address_edit(address_id: str) -> Response | tuple[str, int]:
    """Change the office's fields of an address (location type, verified, notes) as PATCH does."""
    changes = typed(request.form, EDIT_FIELDS)
    raw = (request.form.get("version") or "").strip()
    db = get_db()
    try:
        address_rules.update(db, address_id, changes, current_user()["id"], int(raw) if raw.isdigit() else None)
    except Invalid as err:
        kept = {**(store.get(db, "address", address_id) or {}), **{k: request.form.get(k, "") for k in EDIT_FIELDS}}
        kept["verified"] = changes.get("verified")
        return _render_address(address_id, values=kept, errors=field_errors(err.errors), status=422)
    audit(db, "update", "address", address_id, {"page": "adres", "fields": sorted(changes)})
    flash("De gegevens van het adres zijn opgeslagen.", "ok")
    return redirect(url_for("web.address", address_id=address_id))


@bp.post("/adressen/<address_id>/partijen")
@page(*PLANNERS)
def address_link(address_id: str) -> Response | tuple[str, int]:
    """Give a party a role at this address from a date until a date, by the API's link schema."""
    db = get_db()
    if store.get(db, "address", address_id) is None:
        raise NotFound("Adres niet gevonden.")
    data, errors = parse(party_link_schema, request.form, LINK_FIELDS)
    if data is not None:
        try:
            made = parties.link(db, address_id, data["party_id"], data["role"], data["from"], data["until"],
                                current_user()["id"])
        except Invalid as err:
            errors = field_errors(err.errors)
        except Conflict as err:
            errors = {"_schema": err.message}
        else:
            audit(db, "create", "address_party", made["id"], {"address_id": address_id, "party_id": made["party_id"],
                                                              "role": made["role"], "page": "adres"})
            flash(f"{made['party']['name']} is gekoppeld als {ROLE_LABELS[made['role']].lower()}.", "ok")
            return redirect(url_for("web.address", address_id=address_id, _anchor="partijen"))
    values = {k: request.form.get(k, "") for k in LINK_FIELDS}
    return _render_address(address_id, link_values=values, link_errors=errors, status=422)


@bp.post("/adressen/<address_id>/partijen/<link_id>/beeindigen")
@page(*PLANNERS)
def address_unlink(address_id: str, link_id: str) -> Response | tuple[str, int]:
    """End a party's role at this address on a date; the link stays as history."""
    data, errors = parse(link_end_schema, request.form, {"until": "text"})
    db = get_db()
    if data is not None:
        try:
            ended = parties.end_link(db, address_id, link_id, data["until"], current_user()["id"])
        except Invalid as err:
            errors = field_errors(err.errors)
        else:
            audit(db, "update", "address_party", link_id, {"address_id": address_id, "until": ended["until"],
                                                          "page": "adres"})
            flash("De rol van de partij is beëindigd.", "ok")
            return redirect(url_for("web.address", address_id=address_id, _anchor="partijen"))
    return _render_address(address_id, end_errors={link_id: errors}, status=422)
