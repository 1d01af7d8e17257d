"""Every endpoint answers what the OpenAPI document declares, for a handhaver, a teamleider and a tablet.

schemathesis generates requests from the document (valid and invalid ones) and sends them through
the WSGI app; each answer must be no server error, have a declared status and content type, and a
body that matches its declared schema. A few real records are seeded, and the generated requests
name them half of the time (in their path and in their body), so that the answers about existing
records are checked too, not only the 404s.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from PIL import Image
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.test import Client, TestResponse

from server import create_app
from server.api.openapi import build_spec
from server.auth import add_user, create_api_token, create_enrol_code
from server.db import get_db, rows
from server.sync import PROTOCOL
from tests.conftest import example

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
CALLERS = ("handhaver", "teamleider", "tablet")
PUSH = "POST /api/v1/sync/push"
UPLOAD = "PUT /api/v1/attachments/{sha256}"


class HttpClient(Client):
    """A WSGI client that reads an answer as an HTTP client would: whole, closed, and gzip undone."""

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        """Send the request; return the answer read whole (its file closed) and inflated when gzipped."""
        response = super().open(*args, **kwargs)
        body = response.get_data()
        response.close()  # a send_file answer holds its file open until closed
        if response.headers.get("Content-Encoding") == "gzip":
            del response.headers["Content-Encoding"]
            response.set_data(gzip.decompress(body))
        return response


@dataclass
class World:
    """The seeded app, the Authorization header of each caller, and the ids of the seeded records."""

    app: Flask | None = None
    device_id: str = ""
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)  # path parameter or body field -> a seeded record's id

    def last_seq(self) -> int:
        """Return the last seq the server has from the tablet."""
        assert self.app is not None
        with self.app.app_context():
            found = rows(get_db(), "SELECT last_seq FROM devices WHERE id = ?", [self.device_id])
        return int(found[0]["last_seq"])


WORLD = World()  # filled by the world fixture; the generation hooks below read it


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 120, 40)).save(out, "JPEG")
    return out.getvalue()


def _check(response: Any, status: int) -> Any:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.json


def _seed(app: Flask, world: World) -> None:
    """Add users with tokens, a tablet, and an address, assignment, inspection, photo, case, document, conflict."""
    world.app = app
    with app.app_context():
        db = get_db()
        users = {name: add_user(db, name, name, None) for name in ("handhaver", "teamleider")}
        for name, user in users.items():
            world.headers[name] = {"Authorization": f"Bearer {create_api_token(db, user['id'])}"}
        code = create_enrol_code(db, users["handhaver"]["id"], None, 24)
    client = HttpClient(app)
    tablet = _check(client.post("/api/v1/devices/enroll", json={"code": code, "label": "tablet"}), 201)
    world.device_id = tablet["device_id"]
    world.headers["tablet"] = {"Authorization": f"Bearer {tablet['token']}"}
    office, field_ = world.headers["teamleider"], world.headers["tablet"]

    raw = example("overbewoond.json")
    address = _check(client.post("/api/v1/addresses", json=raw["address"], headers=office), 201)
    assignment = _check(client.post("/api/v1/assignments", headers=office, json={
        "address_id": address["id"], "inspector_id": users["handhaver"]["id"], "kind": "controle",
        "due": dt.date.today().isoformat()}), 201)
    photo = _jpeg()
    sha256 = hashlib.sha256(photo).hexdigest()
    _check(client.put(f"/api/v1/attachments/{sha256}", data=photo, headers={
        **field_, "Content-Range": f"bytes 0-{len(photo) - 1}/{len(photo)}",
        "Content-Type": "application/octet-stream"}), 200)
    inspection = {**raw["inspection"], "address_id": address["id"], "assignment_id": assignment["id"],
                  "photos": [{"sha256": sha256, "caption": "Trap", "room_id": None}]}
    # The office changes a field the tablet changes too: a conflict for the team lead.
    _check(client.patch(f"/api/v1/addresses/{address['id']}", json={"notes": "Van kantoor."}, headers=office), 200)
    pushed = _check(client.post("/api/v1/sync/push", headers=field_, json={"protocol": PROTOCOL, "mutations": [
        {"seq": 1, "entity": "inspection", "id": inspection["id"], "op": "put", "base_version": None,
         "data": inspection},
        {"seq": 2, "entity": "address", "id": address["id"], "op": "put", "base_version": 1,
         "data": {**raw["address"], "notes": "Van de tablet."}}]}), 200)
    assert [r["status"] for r in pushed["results"]] == ["applied", "conflict"], pushed
    case = _check(client.post("/api/v1/cases", json={"inspection_id": inspection["id"]}, headers=office), 201)
    party = _check(client.post("/api/v1/parties", headers=office, json={
        "kind": "rechtspersoon", "name": "Voorbeeld Verhuur B.V.", "kvk": "00000358", "postal_address": {
            "straat": "Voorbeeldweg", "huisnummer": 1, "postcode": "1431ZZ", "woonplaats": "Aalsmeer"}}), 201)
    link = _check(client.post(f"/api/v1/addresses/{address['id']}/parties", headers=office,
                              json={"party_id": party["id"], "role": "verhuurder"}), 201)
    _check(client.post(f"/api/v1/cases/{case['id']}/overtreders", headers=office, json={"overtreders": [
        {"party_id": party["id"], "role": "verhuurder", "reason": "Verhuurt de woning."}]}), 200)
    document = _check(client.post(f"/api/v1/cases/{case['id']}/documents", headers=office,
                                  json={"kind": "dossier", "letter_date": dt.date.today().isoformat()}), 201)
    world.ids = {"address_id": address["id"], "assignment_id": assignment["id"], "inspection_id": inspection["id"],
                 "case_id": case["id"], "document_id": document["id"], "sha256": sha256,
                 "inspector_id": users["handhaver"]["id"], "party_id": party["id"], "link_id": link["id"],
                 "user_id": users["handhaver"]["id"]}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    """The app on a fresh data folder, seeded; failed attempts are not throttled here."""
    app = create_app({"DATA": str(tmp_path_factory.mktemp("schemathesis") / "data"), "TESTING": True,
                      "AUTH_FREE_FAILURES": 10**6, "AUTH_FREE_FAILURES_NAME": 10**6})
    _seed(app, WORLD)
    return WORLD


# Requests to methods the document does not list are the route test's business (test_openapi).
schema = schemathesis.openapi.from_dict(build_spec(), config=schemathesis.Config.from_dict({
    "phases": {"coverage": {"unexpected-methods": []}}}))


@schema.hook
def flatmap_path_parameters(context: schemathesis.HookContext,
                            path_parameters: dict[str, Any] | None) -> st.SearchStrategy[dict[str, Any] | None]:
    """Name a seeded record in the path (when one fits the parameter) as often as a generated value."""
    seeded = {name: WORLD.ids[name] for name in path_parameters or {} if name in WORLD.ids}
    if not seeded:
        return st.just(path_parameters)
    return st.sampled_from([path_parameters, {**(path_parameters or {}), **seeded}])


@schema.hook
def flatmap_body(context: schemathesis.HookContext, body: Any) -> st.SearchStrategy[Any]:
    """Half of the time, name seeded records in the body and give a push the protocol and the tablet's next seqs."""
    if not isinstance(body, dict):
        return st.just(body)
    variant = {**body, **{name: WORLD.ids[name] for name in body if name in WORLD.ids}}
    mutations = body.get("mutations")
    if context.operation is not None and context.operation.label == PUSH and isinstance(mutations, list):
        following = WORLD.last_seq() + 1
        variant["protocol"] = PROTOCOL
        variant["mutations"] = [{**m, "seq": following + i} if isinstance(m, dict) else m
                                for i, m in enumerate(mutations)]
    return st.sampled_from([body, variant]) if variant != body else st.just(body)


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_every_endpoint_answers_what_the_document_declares(case: schemathesis.Case, world: World) -> None:
    if case.operation.label == UPLOAD and isinstance(case.body, bytes) and case.body and len(case.body) % 2 == 0:
        # Half of the uploads get a Content-Range that fits them, so they get past the range check.
        case.headers["Content-Range"] = f"bytes 0-{len(case.body) - 1}/{len(case.body)}"
    assert world.app is not None
    client = HttpClient(world.app)
    for caller in CALLERS:
        # The WSGI transport sends through a werkzeug Client when given one (its annotation names requests only).
        case.call_and_validate(headers=world.headers[caller], checks=CHECKS, app=world.app,
                               session=client)  # type: ignore[arg-type]
