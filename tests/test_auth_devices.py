"""Passwords, tokens and devices: hashed at rest, one-time expiring codes, revocation."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask

from server.auth import AuthError, add_user, check_login, create_api_token, create_enrol_code, enroll
from server.db import get_db
from tests.conftest import Api


def test_secrets_are_stored_hashed(app: Flask) -> None:
    with app.app_context():
        db = get_db()
        user = add_user(db, "piet", "handhaver", "een lang wachtwoord")
        token = create_api_token(db, user["id"])
        code = create_enrol_code(db, user["id"], None, 24)
        _, device_token, _ = enroll(db, code, "Tablet 1")
        dump = "\n".join(str(row) for table in ("users", "api_tokens", "devices", "enrol_codes")
                         for row in db.query(f"SELECT * FROM {table}"))  # noqa: S608
    for secret in ("een lang wachtwoord", token, device_token, code, code.replace("-", "")):
        assert secret not in dump
    with app.app_context():
        assert check_login(get_db(), "piet", "een lang wachtwoord") is not None
        assert check_login(get_db(), "piet", "fout wachtwoord") is None


@pytest.mark.parametrize(("name", "role", "password", "message"), [
    ("p", "handhaver", "lang genoeg wachtwoord", "gebruikersnaam"),
    ("piet jansen", "handhaver", "lang genoeg wachtwoord", "gebruikersnaam"),
    ("piet", "baas", "lang genoeg wachtwoord", "Onbekende rol"),
    ("piet", "handhaver", "kort", "minstens 10"),
])
def test_bad_users_are_refused(app: Flask, name: str, role: str, password: str, message: str) -> None:
    with app.app_context(), pytest.raises(AuthError, match=message):
        add_user(get_db(), name, role, password)


def test_duplicate_user_is_refused(app: Flask) -> None:
    with app.app_context():
        add_user(get_db(), "piet", "handhaver", None)
        with pytest.raises(AuthError, match="bestaat al"):
            add_user(get_db(), "Piet", "teamleider", None)


def test_enrolment_code_works_once(api: Api, app: Flask) -> None:
    with app.app_context():
        code = create_enrol_code(get_db(), api.users["handhaver"]["id"], None, 24)
    first = api.post("/api/v1/devices/enroll", as_=None, json={"code": code.lower(), "label": "Tablet A"})
    assert first.status_code == 201
    assert first.json["user"]["name"] == "handhaver"
    token = first.json["token"]
    assert api.get("/api/v1/sync/pull", as_=None, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    second = api.post("/api/v1/devices/enroll", as_=None, json={"code": code, "label": "Tablet B"})
    assert second.status_code == 403
    assert second.json["error"] == "invalid_code"


def test_expired_code_is_refused(api: Api, app: Flask) -> None:
    with app.app_context():
        db = get_db()
        code = create_enrol_code(db, api.users["handhaver"]["id"], None, 24)
        past = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).isoformat()
        db.execute("UPDATE enrol_codes SET expires_at = ?", [past])
    response = api.post("/api/v1/devices/enroll", as_=None, json={"code": code, "label": "Tablet"})
    assert response.status_code == 403
    assert "verlopen" in response.json["message"]


@pytest.mark.parametrize(("body", "status"), [({"code": "X"}, 422), ({"code": 5, "label": "t"}, 422),
                                              ({"code": "ABCD-EFGH-JKLM", "label": "t"}, 403)])
def test_bad_enrolment_requests(api: Api, body: dict[str, object], status: int) -> None:
    assert api.post("/api/v1/devices/enroll", as_=None, json=body).status_code == status


def test_revoked_device_gets_device_revoked_on_every_call(api: Api, app: Flask) -> None:
    from server.auth import revoke_device
    with app.app_context():
        code = create_enrol_code(get_db(), api.users["handhaver"]["id"], None, 24)
    enrolled = api.post("/api/v1/devices/enroll", as_=None, json={"code": code, "label": "Tablet"}).json
    with app.app_context():
        assert revoke_device(get_db(), enrolled["device_id"])
    for url in ("/api/v1/assignments", "/api/v1/addresses"):
        response = api.get(url, as_=None, headers={"Authorization": f"Bearer {enrolled['token']}"})
        assert response.status_code == 401
        assert response.json["error"] == "device_revoked"


def test_revoked_api_token_is_refused(api: Api, app: Flask) -> None:
    with app.app_context():
        get_db().execute("UPDATE api_tokens SET revoked_at = 'nu' WHERE user_id = ?", [api.users["beheerder"]["id"]])
    assert api.get("/api/v1/addresses", as_="beheerder").status_code == 401
