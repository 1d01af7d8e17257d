"""Officials: full name, function, e-mail, phone, aanwijzing and legitimation number, by command and REST;
what letters print of them (server.auth.official); the demo's made-up officials and parties."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from flask import Flask

from server.auth import AuthError, add_user, official
from server.cli import main
from server.db import get_db, rows
from server.parties import parties_at, postal_complete
from tests.conftest import Api

PROFILE = {"full_name": "Tom Brouwer", "function_title": "toezichthouder woonoverlast",
           "email": "t.brouwer@voorbeeld.invalid", "phone": "+31 297 000 101",
           "aanwijzing": "Aanwijzingsbesluit toezichthouders 2026-01", "legitimation_no": "L-0358-101"}


def run(data: Path, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, [*args, "--data", str(data)], input=input)


def test_user_add_and_set_record_what_letters_print(tmp_path: Path) -> None:
    data = tmp_path / "instance"
    added = run(data, "user", "add", "tom", "--role", "handhaver", "--password-stdin", "--full-name", "Tom Brouwer",
                "--function", "toezichthouder", "--aanwijzing", "AB-1", input="lang-genoeg-ww\n")
    assert added.exit_code == 0, added.output
    changed = run(data, "user", "set", "tom", "--function", "toezichthouder woonoverlast", "--phone",
                  "0297 000 101", "--email", "t.brouwer@voorbeeld.invalid", "--legitimation", "L-0358-101",
                  "--aanwijzing", "")
    assert changed.exit_code == 0, changed.output
    assert "bijgewerkt" in changed.output
    listed = run(data, "user", "list")
    assert listed.output == "tom\thandhaver\tTom Brouwer\ttoezichthouder woonoverlast\n"
    from server import create_app
    app = create_app({"DATA": str(data)})
    with app.app_context():
        db = get_db()
        user_id = rows(db, "SELECT id FROM users WHERE name = 'tom'")[0]["id"]
        assert official(db, user_id) == {
            "id": user_id, "role": "handhaver", "full_name": "Tom Brouwer",
            "function_title": "toezichthouder woonoverlast", "email": "t.brouwer@voorbeeld.invalid",
            "phone": "0297 000 101", "aanwijzing": None, "legitimation_no": "L-0358-101", "complete": True}


@pytest.mark.parametrize(("args", "fragment"), [
    (["user", "set", "niemand", "--full-name", "X"], "Onbekende gebruiker: niemand"),
    (["user", "set", "tom"], "ten minste één veld"),
    (["user", "set", "tom", "--email", "geen-adres"], "e-mailadres"),
    (["user", "set", "tom", "--phone", "bel me"], "telefoonnummer"),
    (["user", "add", "kees", "--role", "handhaver", "--password-stdin", "--email", "x@"], "e-mailadres"),
])
def test_bad_profile_input_is_one_dutch_line_and_exit_2(tmp_path: Path, args: list[str], fragment: str) -> None:
    data = tmp_path / "instance"
    run(data, "user", "add", "tom", "--role", "handhaver", "--password-stdin", input="lang-genoeg-ww\n")
    result = run(data, *args, input="lang-genoeg-ww\n")
    assert result.exit_code == 2, result.output
    assert fragment in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_official_of_an_unknown_user_is_refused(app: Flask) -> None:
    with app.app_context():
        with pytest.raises(AuthError):
            official(get_db(), "00000000-0000-4000-8000-000000000000")
        user = add_user(get_db(), "zonder", "handhaver", None)
        assert official(get_db(), user["id"])["complete"] is False  # a letter must not fall back to the login name


def test_the_user_list_is_for_planners_and_never_shows_a_password_hash(api: Api, app: Flask) -> None:
    with app.app_context():
        add_user(get_db(), "metwachtwoord", "handhaver", "een-lang-wachtwoord", PROFILE)
    answer = api.get("/api/v1/users")
    assert answer.status_code == 200
    assert "password_hash" not in answer.text and "scrypt" not in answer.text
    mine = next(u for u in answer.json["items"] if u["name"] == "metwachtwoord")
    assert {k: mine[k] for k in PROFILE} == PROFILE and mine["role"] == "handhaver"
    assert api.get("/api/v1/users", as_="beheerder").status_code == 200
    assert api.get("/api/v1/users", as_="handhaver").status_code == 403
    assert len(api.get("/api/v1/users?limit=2").json["items"]) == 2


def test_a_beheerder_reads_and_changes_one_user(api: Api) -> None:
    user_id = api.users["handhaver"]["id"]
    url = f"/api/v1/users/{user_id}"
    assert api.get(url, as_="teamleider").status_code == 403
    assert api.patch(url, json={"full_name": "X"}, as_="teamleider").status_code == 403
    changed = api.patch(url, json=PROFILE, as_="beheerder")
    assert changed.status_code == 200, changed.json
    assert api.get(url, as_="beheerder").json == changed.json
    assert changed.json["full_name"] == "Tom Brouwer" and "password_hash" not in changed.json
    cleared = api.patch(url, json={"aanwijzing": None}, as_="beheerder").json
    assert cleared["aanwijzing"] is None and cleared["full_name"] == "Tom Brouwer"
    bad = api.patch(url, json={"email": "x", "role": "beheerder", "password_hash": "x"}, as_="beheerder")
    assert bad.status_code == 422
    assert set(bad.json["errors"]) == {"email", "role", "password_hash"}
    assert api.get(url, as_="beheerder").json["role"] == "handhaver"
    assert api.get("/api/v1/users/onbekend", as_="beheerder").status_code == 404


def test_the_demo_has_made_up_officials_and_parties_with_postal_addresses(tmp_path: Path) -> None:
    from server import create_app
    from server.demo import load_demo
    from server.evaluation import app_norm_sets
    app = create_app({"DATA": str(tmp_path / "data")})
    with app.app_context():
        db = get_db()
        load_demo(db, app_norm_sets(), today=dt.date(2026, 12, 1))
        users = {u["name"]: u for u in rows(db, "SELECT * FROM users")}
        assert all(u["full_name"] and u["function_title"] and u["email"].endswith(".invalid") for u in users.values())
        for name in ("handhaver1", "handhaver2"):
            assert users[name]["aanwijzing"] and users[name]["legitimation_no"].startswith("DEMO-")
        addresses = [r["id"] for r in rows(db, "SELECT id FROM addresses")]
        landlords: list[dict[str, Any]] = [parties_at(db, a, "verhuurder")[0] for a in addresses]
        assert all(postal_complete(p) for p in landlords)
        assert {p["kvk"] for p in landlords if p["kind"] == "rechtspersoon"} <= {f"0000358{i}" for i in range(10)}
        assert any(p["postal_address"]["land"] == "Duitsland" for p in landlords)
        agencies = rows(db, "SELECT DISTINCT role FROM address_parties WHERE role != 'verhuurder'")
        assert {r["role"] for r in agencies} <= {"werkgever", "uitzendbureau"}
