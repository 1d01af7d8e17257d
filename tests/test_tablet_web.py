"""The tablet's local web API through Flask's test client: bad bodies get a clear answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from field_client.web import create_app
from tests.conftest import example


@pytest.mark.parametrize("path", ["/local/inspections", "/local/addresses", "/local/inspections/x"])
def test_a_body_nested_too_deep_gets_400(tmp_path: Path, path: str) -> None:
    client = create_app(tmp_path / "tablet", sync_every=3600).test_client()
    method = client.put if path.endswith("/x") else client.post
    response = method(path, data="[" * 100000 + "]" * 100000, content_type="application/json")
    assert response.status_code == 400
    assert response.json is not None and "te diep genest" in response.json["message"]


def test_a_valid_address_is_still_taken_after_a_refused_body(tmp_path: Path) -> None:
    client = create_app(tmp_path / "tablet", sync_every=3600).test_client()
    address = example("overbewoond.json")["address"]
    assert client.post("/local/addresses", data="[" * 100000, content_type="application/json").status_code == 400
    response = client.post("/local/addresses", json=address)
    assert response.status_code == 201
    assert response.json is not None and response.json["postcode"] == address["postcode"].replace(" ", "")
