"""The tablet app reads and signs the rapport van bevindingen over real HTTP: its local server, the real server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from tests.documents_world import pdf_text
from tests.sync_world import World, inspection_for
from tests.tablet_ui import LocalServer

OFFLINE = "Geen verbinding: het rapport is alleen online te bekijken en te ondertekenen."


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    built = World(tmp_path_factory.mktemp("rapport_tablet"))
    yield built
    built.stop()


def test_the_tablet_app_shows_and_signs_the_rapport_online_and_says_when_it_cannot(world: World) -> None:
    named = world.server.cli("user", "set", "hh1", "--full-name", "Jan de Vries", "--function",
                             "Toezichthouder wonen", "--aanwijzing", "Aanwijzingsbesluit 2026-0042")
    assert named.returncode == 0, named.stderr
    address = world.address("hh1")
    store, engine = world.tablet("hh1", "tablet")
    inspection = inspection_for(address["id"])
    store.queue("inspection", inspection)
    engine.close()
    store.close()
    tablet = LocalServer(world.root / "tablet")
    path = f"/local/inspections/{inspection['id']}/rapport"
    try:
        waiting = tablet.local("GET", path)
        assert waiting.status_code == 409 and "wacht nog op verzending" in waiting.json()["message"], waiting.text
        synced = tablet.local("POST", "/local/sync").json()
        assert synced["ok"], synced

        concept = tablet.local("GET", path)
        assert concept.status_code == 200 and concept.headers["Content-Type"] == "application/pdf", concept.text
        assert concept.headers["X-Document-Status"] == "concept"
        text = pdf_text(concept.content)
        assert "CONCEPT - nog niet ondertekend" in text and "Jan de Vries" in text
        assert requests.get(tablet.url + path, timeout=10).status_code == 403, "only the app's own page"
        assert requests.post(tablet.url + path + "/sign", timeout=10).status_code == 403

        signed = tablet.local("POST", path + "/sign")
        assert signed.status_code == 200, signed.text
        answer = signed.json()
        assert answer["signed"] is True and answer["kenmerk"].startswith("RB-2026-")
        assert answer["message"].startswith(f"Rapport {answer['kenmerk']} is ondertekend op ")
        again = tablet.local("POST", path + "/sign")
        assert again.status_code == 409 and again.json()["signed"] is False, again.text
        assert "al ondertekend" in again.json()["message"]

        final = tablet.local("GET", path)
        assert final.status_code == 200, final.text
        assert final.headers["X-Document-Status"] == "approved" and final.headers["X-Document-Kenmerk"] == \
            answer["kenmerk"]
        text = pdf_text(final.content)
        assert "CONCEPT" not in text and "Aldus naar waarheid opgemaakt en ondertekend door Jan de Vries" in text
        landlord = tablet.local("GET", path, params={"versie": "verhuurder"})
        assert "versie voor de verhuurder" in pdf_text(landlord.content)
        assert landlord.headers["X-Document-Kenmerk"] == f"{answer['kenmerk']}-V"
        signing = world.db_rows("SELECT device_id FROM audit_log WHERE action = 'sign'")
        assert len(signing) == 1 and signing[0][0] is not None, "signed with the tablet's device token"

        world.server.stop()
        offline = tablet.local("GET", path)
        assert offline.status_code == 503 and offline.json()["message"] == OFFLINE, offline.text
        offline_sign = tablet.local("POST", path + "/sign")
        assert offline_sign.status_code == 503 and offline_sign.json() == {
            "error": "offline", "message": OFFLINE, "errors": None, "signed": False}
    finally:
        tablet.close()
