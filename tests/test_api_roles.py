"""Authorization per role on every endpoint: 401 without a token, 403 for the wrong role."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import Api, new_address

# (method, url, allowed roles, body)
WRITES = [
    ("POST", "/api/v1/addresses", {"teamleider", "beheerder"}),
    ("PATCH", "/api/v1/addresses/{address}", {"teamleider", "beheerder"}),
    ("POST", "/api/v1/assignments", {"teamleider", "beheerder"}),
    ("PATCH", "/api/v1/assignments/{assignment}", {"teamleider", "beheerder"}),
]
READS = ["/api/v1/addresses", "/api/v1/addresses/{address}", "/api/v1/assignments",
         "/api/v1/assignments/{assignment}", "/api/v1/inspections", "/api/v1/inspections?address_id={address}"]


@pytest.fixture
def ids(api: Api) -> dict[str, str]:
    address = new_address()
    api.post("/api/v1/addresses", json=address)
    assignment = api.post("/api/v1/assignments", json={"address_id": address["id"], "week": "2026-W48",
                                                       "inspector_id": api.users["handhaver"]["id"]}).json
    return {"address": address["id"], "assignment": assignment["id"]}


def body_for(api: Api, method: str, url: str, ids: dict[str, str]) -> dict[str, object]:
    if url.endswith("/addresses"):
        return new_address()
    if url.endswith("/assignments"):
        return {"address_id": ids["address"], "week": "2026-W49", "inspector_id": api.users["handhaver2"]["id"]}
    return {"instructions": "Let op de zolder."} if "assignments" in url else {"notes": "Gewijzigd."}


@pytest.mark.parametrize(("method", "url", "allowed"), WRITES, ids=[f"{m} {u}" for m, u, _ in WRITES])
@pytest.mark.parametrize("role", ["handhaver", "teamleider", "beheerder", None])
def test_writes_per_role(api: Api, ids: dict[str, str], method: str, url: str, allowed: set[str],
                         role: str | None) -> None:
    target = url.format(**ids)
    response = api.call(method, target, role, json=body_for(api, method, url, ids))
    if role is None:
        assert response.status_code == 401
    elif role in allowed:
        assert response.status_code in (200, 201), response.json
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("url", READS)
@pytest.mark.parametrize("role", ["handhaver", "teamleider", "beheerder", None])
def test_reads_per_role(api: Api, ids: dict[str, str], url: str, role: str | None) -> None:
    response = api.get(url.format(**ids), role)
    assert response.status_code == (401 if role is None else 200)


def test_other_handhaver_cannot_see_the_assignment(api: Api, ids: dict[str, str]) -> None:
    assert api.get(f"/api/v1/assignments/{ids['assignment']}", "handhaver2").status_code == 404
    assert api.get("/api/v1/assignments", "handhaver2").json["items"] == []
    assert api.get(f"/api/v1/assignments/{uuid.uuid4()}", "teamleider").status_code == 404
