"""A case at the overcrowded example address, on an injected clock: officials, a verhuurder, a signed rapport."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

from flask import Flask

from schemas import inspection_schema
from server import create_app, store
from server.auth import add_user
from server.case_steps import step
from server.cases import get_case, open_case, set_overtreders
from server.db import get_db
from server.documents import Settings, approve, get_document, make_concept, send
from server.evaluation import app_norm_sets, evaluate_and_store
from server.parties import create_party, link
from server.rapport import draft
from server.rapport_signing import sign
from tests.conftest import example

VISIT = dt.date(2026, 11, 18)  # the example's inspection date (a Wednesday)
LANDLORD = {"kind": "rechtspersoon", "name": "Voorbeeld Verhuur B.V.", "kvk": "00000358", "email": None,
            "postal_address": {"straat": "Voorbeeldweg", "huisnummer": 12, "huisletter": "A", "toevoeging": None,
                               "postcode": "1431ZZ", "woonplaats": "Aalsmeer", "land": None}}
REASON = ("U verhuurt de woning aan de bewoners en hebt het beheer over de inrichting ervan; u bent degene die de "
          "overtredingen begaat en kunt ze beëindigen.")


class World:
    """One server app (real SQLite file) with a teamleider, a handhaver, the example address and its case."""

    def __init__(self, root: Path, **config: Any) -> None:
        self.app: Flask = create_app({"DATA": str(root / "data"), "TESTING": True, **config})
        self.ctx = self.app.app_context()
        self.ctx.push()
        self.db = get_db()
        self.settings = Settings(self.app.config)
        self.lead = add_user(self.db, "tl", "teamleider", None, {
            "full_name": "Anna de Vries", "function_title": "teamleider handhaving", "phone": "0297 387 500",
            "email": "a.devries@example.invalid"})
        self.handhaver = add_user(self.db, "hh", "handhaver", None, {
            "full_name": "Bram Jansen", "function_title": "toezichthouder wonen", "phone": "0297 387 511",
            "email": "b.jansen@example.invalid", "aanwijzing": "Aanwijzingsbesluit toezichthouders 2026/12",
            "legitimation_no": "AALS-0042"})
        raw = example("overbewoond.json")
        raw["inspection"]["photos"] = []  # photos are the rapport's tests' subject (tests/test_rapport.py)
        self.address = store.put(self.db, "address", {**raw["address"], "postcode": "1431GH"}, actor=None)
        party = create_party(self.db, {"id": str(uuid.uuid4()), **LANDLORD}, "test")
        self.party = party
        link(self.db, self.address["id"], party["id"], "verhuurder", None, None, "test")
        self.inspection = self.submit(raw["inspection"], assignment=True)
        self.signed(self.inspection, VISIT)
        self.case = open_case(self.db, self.lead, inspection_id=self.inspection["id"], today=VISIT,
                              letters=self.settings.letters, terms_config=self.settings.terms)
        set_overtreders(self.db, self.case["id"], self.lead,
                        [{"party_id": party["id"], "role": "verhuurder", "reason": REASON}])

    def close(self) -> None:
        """Leave the app context."""
        self.ctx.pop()

    def submit(self, raw: dict[str, Any], *, assignment: bool = False, on: dt.date | None = None) -> dict[str, Any]:
        """Store a submitted inspection of the handhaver as a push would (judged, rapport drafted)."""
        record = inspection_schema.dump(inspection_schema.load(raw))
        record["inspector_id"] = self.handhaver["id"]
        if on is not None:
            record["started_at"] = f"{on.isoformat()}T10:00:00+01:00"
            record["finished_at"] = f"{on.isoformat()}T11:00:00+01:00"
        if assignment and not record.get("assignment_id"):
            record["assignment_id"] = str(uuid.uuid4())
            store.put(self.db, "assignment", {"id": record["assignment_id"], "address_id": record["address_id"],
                                              "inspector_id": self.handhaver["id"], "week": None,
                                              "due": record["started_at"][:10], "kind": "controle", "status": "done",
                                              "instructions": None, "case_id": None}, actor=None)
        stored = store.put(self.db, "inspection", record, actor=self.handhaver["id"])
        evaluate_and_store(self.db, stored, app_norm_sets())
        draft(self.db, stored)
        return stored

    def signed(self, inspection: dict[str, Any], on: dt.date) -> dict[str, Any]:
        """Sign an inspection's rapport as its toezichthouder on a day."""
        return sign(self.db, self.settings, inspection["id"], self.handhaver, today=on)

    def fresh(self) -> dict[str, Any]:
        """Return the case as stored now."""
        self.case = get_case(self.db, self.case["id"])
        return self.case

    def letter(self, kind: str, on: dt.date, **params: Any) -> dict[str, Any]:
        """Make a concept letter dated `on`, on that day."""
        return make_concept(self.db, self.settings, self.case["id"], self.lead,
                            {"kind": kind, "letter_date": on.isoformat(), **params}, today=on)

    def approve(self, document: dict[str, Any], on: dt.date, confirm: bool = True) -> dict[str, Any]:
        """Approve a concept on a day (confirming its unverified voorschriften)."""
        return approve(self.db, self.settings, document["id"], self.lead, confirm_unverified=confirm, today=on)

    def send(self, document: dict[str, Any], on: dt.date, method: str = "aangetekend",
             reference: str = "RR123456789NL") -> dict[str, Any]:
        """Record that an approved letter went out on a day."""
        return send(self.db, self.settings, document["id"], self.lead, on, method=method, reference=reference,
                    today=on)

    def sent(self, kind: str, on: dt.date, **params: Any) -> dict[str, Any]:
        """Make, approve and send a letter on one day; return its row."""
        return self.send(self.approve(self.letter(kind, on, **params), on), on)

    def step(self, action: str, on: dt.date, code: str | None = None, **detail: Any) -> dict[str, Any]:
        """Take a case step on a day."""
        self.case = step(self.db, self.case["id"], self.lead, action, detail, code=code, today=on)
        return self.case

    def pdf(self, document: dict[str, Any]) -> bytes:
        """Return the stored PDF of an approved document."""
        from server.documents import approved_pdf
        return approved_pdf(self.settings, get_document(self.db, document["id"]))

    def hercontrole(self, on: dt.date, **changes: Any) -> dict[str, Any]:
        """Submit a hercontrole inspection on a day (the example's data, changed), signed the same day."""
        raw = example("overbewoond.json")["inspection"]
        # Judged by norm set version 2 (from 2026-12-01): it reads the lease's date concluded and the
        # arbeidsmigranten counted, which the hercontrole records.
        raw["occupants"]["arbeidsmigranten"] = 6
        raw["tenancy"]["lease_concluded_on"] = raw["tenancy"].get("lease_start")
        raw.update({"id": str(uuid.uuid4()), "kind": "hercontrole", "photos": [], **changes})
        inspection = self.submit(raw, assignment=True, on=on)
        self.signed(inspection, on)
        return inspection
