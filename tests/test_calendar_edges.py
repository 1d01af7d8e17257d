"""Moments at the ends of the calendar are field errors, never a 500 that blocks a tablet's queue."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.conftest import Api, new_address
from tests.sync_fixtures import Device, inspection_at, put
from tests.test_api_bad_input import snapshot

# Each is a valid ISO 8601 moment whose UTC or Amsterdam time falls outside the years 1-9999.
EDGES = ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "9999-12-31T23:30:00Z"]


@pytest.fixture
def device(api: Api, app: Flask) -> Device:
    return Device(api, app, "handhaver")


@pytest.fixture
def address(api: Api) -> dict[str, Any]:
    data = new_address()
    assert api.post("/api/v1/addresses", json=data).status_code == 201
    return data


@pytest.mark.parametrize("moment", EDGES)
def test_an_inspection_started_at_the_end_of_the_calendar_is_rejected_and_the_queue_moves_on(
        app: Flask, device: Device, address: dict[str, Any], moment: str) -> None:
    before = snapshot(app, ("inspections", "evaluations"))
    edge = inspection_at(address["id"], started_at=moment, finished_at=moment)
    fine = inspection_at(address["id"])
    response = device.push(put("inspection", edge), put("inspection", fine))
    assert response.status_code == 200, response.json
    rejected, applied = response.json["results"]
    assert rejected["status"] == "rejected" and set(rejected["errors"]) == {"started_at", "finished_at"}
    assert "bereik" in rejected["errors"]["started_at"][0]
    assert applied["status"] == "applied" and response.json["last_seq"] == 2
    assert len(snapshot(app, ("inspections",))["inspections"]) == len(before["inspections"]) + 1


@pytest.mark.parametrize("moment", EDGES)
def test_a_pull_reporting_an_outbox_at_the_end_of_the_calendar_gets_a_field_error(device: Device,
                                                                                   moment: str) -> None:
    response = device.api.get("/api/v1/sync/pull", as_=None, headers=device.headers,
                              query_string={"outbox": 3, "outbox_oldest": moment})
    assert response.status_code == 422, response.get_data(as_text=True)
    assert "bereik" in response.json["errors"]["outbox_oldest"][0]
