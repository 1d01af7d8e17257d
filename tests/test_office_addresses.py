"""Adressen and Mijn week in the office pages: search addresses, the address page (BAG facts, parties, inspections
with findings, photos and rapport, cases), the office's fields edited as PATCH does; a handhaver's week and his
rapporten signed; roles, CSRF, bad input and escaping; in a real Chromium checked by axe-core."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.conftest import example
from tests.office import (
    Office,
    axe_violations,
    browser_login,
    navigate,
    office_browser,
    office_screenshot,
    running_office,
)
from tests.test_attachments import jpeg

SCRIPT = "<script>alert('x')</script>"
ATTRIBUTE = '" onmouseover="alert(1)'


@pytest.fixture(scope="module")
def office() -> Iterator[Office]:
    with running_office() as office:
        import_demo_bag(office)
        yield office


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    with office_browser() as driver:
        yield driver


@pytest.fixture(scope="module")
def pushed(office: Office) -> dict[str, Any]:
    """An inspection with a photo from handhaver1's tablet, its notes and caption written to break out of HTML."""
    enrolled = requests.post(office.url + "/api/v1/devices/enroll", json={"code": office.code, "label": "tablet"},
                             timeout=10).json()
    headers = {"Authorization": f"Bearer {enrolled['token']}"}
    body = jpeg(7)
    sha = hashlib.sha256(body).hexdigest()
    uploaded = requests.put(office.url + f"/api/v1/attachments/{sha}", data=body, timeout=10,
                            headers={**headers, "Content-Range": f"bytes 0-{len(body) - 1}/{len(body)}"})
    assert uploaded.status_code == 200, uploaded.text
    handhaver = user_id(office, "handhaver1")
    address_id = office.db().execute("SELECT address_id FROM assignments WHERE inspector_id = ? AND status = 'open' "
                                     "ORDER BY id LIMIT 1", [handhaver]).fetchone()[0]
    inspection = example("overbewoond.json")["inspection"]
    inspection.update(id=str(uuid.uuid4()), address_id=address_id, assignment_id=None, notes=SCRIPT,
                      photos=[{"sha256": sha, "caption": ATTRIBUTE, "room_id": None}])
    answer = requests.post(office.url + "/api/v1/sync/push", headers=headers, timeout=30, json={
        "protocol": 1, "mutations": [{"seq": 1, "entity": "inspection", "id": inspection["id"], "op": "put",
                                      "base_version": None, "data": inspection}]})
    assert answer.json()["results"][0]["status"] == "applied", answer.text
    return {"inspection_id": inspection["id"], "address_id": address_id, "sha256": sha}


def import_demo_bag(office: Office) -> None:
    """Run the import-bag job on the BAG extract the demo left in the inbox, so addresses have their BAG facts."""
    import datetime as dt

    from server.bag_import import job
    from server.db import get_db
    from server.jobs import TIMEZONE, JobContext, iso_week
    now = dt.datetime.now(TIMEZONE)
    with office.app.app_context():
        outcome = job(JobContext(db=get_db(), config=office.app.config, data=office.root / "data", name="import-bag",
                                 period=iso_week(now.date()), now=now, actor="job:import-bag"))
    assert office.db().execute("SELECT count(*) FROM addresses WHERE json_extract(data, '$.bouwjaar') IS NOT NULL"
                               ).fetchone()[0] > 0, outcome


def user_id(office: Office, name: str) -> str:
    return str(office.db().execute("SELECT id FROM users WHERE name = ?", [name]).fetchone()[0])


def an_address(office: Office, where: str = "1", params: list[Any] | None = None) -> dict[str, Any]:
    from schemas import jsontext
    row = office.db().execute(f"SELECT id, version, data FROM addresses WHERE {where} ORDER BY id LIMIT 1",  # noqa: S608
                              params or []).fetchone()
    return {"id": row[0], "version": row[1], **jsontext.loads(row[2])}


def found_ids(html: str) -> list[str]:
    return re.findall(r'href="/adressen/([0-9a-f-]{36})"', html)


def test_a_handhaver_gets_no_address_pages_and_a_teamleider_no_week_of_his_own(office: Office) -> None:
    address = an_address(office)
    handhaver = office.session("handhaver1")
    for path in ("/adressen", f"/adressen/{address['id']}", "/adressen?straat=Zijd"):
        assert handhaver.page(path).status_code == 403
    refused = handhaver.submit(f"/adressen/{address['id']}", {"notes": "door de handhaver", "version": "99"})
    assert refused.status_code == 403
    assert an_address(office, "id = ?", [address["id"]])["version"] == address["version"]
    lead = office.session("teamleider")
    assert lead.page("/mijn-week").status_code == 403
    assert ">Mijn week<" not in lead.page("/").text and ">Adressen<" in lead.page("/").text
    assert office.session("beheerder").page("/adressen").status_code == 200
    assert ">Adressen<" not in handhaver.page("/").text


def test_an_edit_without_the_forms_csrf_token_is_refused_and_changes_nothing(office: Office) -> None:
    address = an_address(office)
    lead = office.session("teamleider")
    lead.page(f"/adressen/{address['id']}")
    refused = lead.submit(f"/adressen/{address['id']}", {"notes": "vervalst", "version": address["version"]},
                          token=False)
    assert refused.status_code == 400
    assert an_address(office, "id = ?", [address["id"]])["version"] == address["version"]


def test_addresses_are_found_by_postcode_street_number_and_bag_id(office: Office) -> None:
    lead = office.session("teamleider")
    address = an_address(office, "bag_id IS NOT NULL")
    postcode = address["postcode"]
    by_postcode = found_ids(lead.page(f"/adressen?postcode={postcode[:4]} {postcode[4:].lower()}").text)
    assert address["id"] in by_postcode
    assert {an_address(office, "id = ?", [i])["postcode"] for i in by_postcode} == {postcode}
    by_prefix = found_ids(lead.page(f"/adressen?postcode={postcode[:4]}").text)
    assert address["id"] in by_prefix and len(by_prefix) >= len(by_postcode)
    street = address["straat"]
    by_street = found_ids(lead.page(f"/adressen?straat={street[:4].upper()}&huisnummer={address['huisnummer']}").text)
    assert address["id"] in by_street
    assert all(an_address(office, "id = ?", [i])["straat"].lower().startswith(street[:4].lower()) for i in by_street)
    by_bag = found_ids(lead.page(f"/adressen?bag_id={address['bag_id'].lstrip('0')}").text)
    assert by_bag == [address["id"]]  # typed without its leading zero, padded as the import pads it
    one_box = found_ids(lead.page(f"/adressen?q={street.lower()} {address['huisnummer']}").text)
    assert address["id"] in one_box and set(one_box) <= set(by_street)
    assert found_ids(lead.page(f"/adressen?q={postcode[:4]} {postcode[4:]}").text) == by_postcode
    assert found_ids(lead.page(f"/adressen?q={address['bag_id'][1:]}").text) == [address["id"]]
    nothing = lead.page("/adressen?straat=Onbestaandestraat")
    assert nothing.status_code == 200 and "Geen adressen gevonden." in nothing.text


@pytest.mark.parametrize(("query", "field", "message"), [
    ("postcode=0123AB", "postcode", "Geen geldige postcode"),
    ("bag_id=12ab", "bag_id", "Geen geldig BAG-id"),
    ("bag_id=0358010000000001", "bag_id", "geen nummeraanduiding"),
    ("huisnummer=twaalf", "huisnummer", "Geen geldig geheel getal."),
    ("pagina=0", "pagina", "Moet minstens 1"),
    ("q=12345678901", "q", "Geen geldig BAG-id"),
])
def test_a_bad_search_is_shown_at_its_field_with_what_was_typed(office: Office, query: str, field: str,
                                                                 message: str) -> None:
    answer = office.session("teamleider").page(f"/adressen?{query}")
    assert answer.status_code == 422
    if field != "pagina":
        error = re.search(rf'<p class="error" id="e-{field}">([^<]*)</p>', answer.text)
        assert error and message in error.group(1), answer.text[:2000]
        assert f'value="{query.split("=")[1]}"' in answer.text
    else:
        assert message in answer.text


@pytest.mark.parametrize(("form", "field", "message"), [
    ({"location_type": "kasteel"}, "location_type", "Moet een van deze waarden zijn"),
    ({"notes": "x" * 5001}, "notes", "Maximaal 5000 tekens."),
])
def test_a_bad_edit_is_shown_at_its_field_with_the_values_kept_and_nothing_written(
        office: Office, form: dict[str, str], field: str, message: str) -> None:
    address = an_address(office)
    lead = office.session("teamleider")
    lead.page(f"/adressen/{address['id']}")
    sent = {"location_type": "lint", "notes": "Nieuwe notitie", "verified": "1", "version": address["version"], **form}
    answer = lead.submit(f"/adressen/{address['id']}", sent)
    assert answer.status_code == 422
    error = re.search(rf'<p class="error" id="e-{field}">([^<]*)</p>', answer.text)
    assert error and message in error.group(1)
    assert sent["notes"][:100] in answer.text and 'id="f-verified" name="verified" type="checkbox" value="1" checked' \
        in answer.text
    assert an_address(office, "id = ?", [address["id"]]) == address


def test_an_edit_from_a_page_older_than_the_address_is_refused(office: Office) -> None:
    address = an_address(office)
    lead = office.session("teamleider")
    lead.page(f"/adressen/{address['id']}")
    stale = lead.submit(f"/adressen/{address['id']}", {"notes": "oud", "version": address["version"] - 1})
    assert stale.status_code == 409 and "intussen gewijzigd" in stale.text
    assert an_address(office, "id = ?", [address["id"]]) == address


def test_the_office_edits_an_address_as_patch_does_and_the_tablets_receive_it(office: Office) -> None:
    address = an_address(office, "location_type = 'lint'")
    lead = office.session("teamleider")
    lead.page(f"/adressen/{address['id']}")
    saved = lead.submit(f"/adressen/{address['id']}", {"location_type": "", "notes": "", "version": address["version"]})
    assert saved.status_code == 302
    after = lead.get(office.url + f"/api/v1/addresses/{address['id']}", timeout=10).json()
    assert after["location_type"] is None and after["verified"] is False and after["notes"] is None
    assert after["version"] == address["version"] + 1 and after["postcode"] == address["postcode"]
    history = office.db().execute("SELECT count(*) FROM history WHERE entity = 'address' AND record_id = ? "
                                  "AND version = ?", [address["id"], address["version"]]).fetchone()[0]
    assert history == 1


def test_the_address_page_shows_inspections_findings_photos_and_rapport_and_audits_the_read(
        office: Office, pushed: dict[str, Any]) -> None:
    lead = office.session("teamleider")
    reads = "SELECT count(*) FROM audit_log WHERE action = 'read' AND entity = 'address' AND record_id = ?"
    before = office.db().execute(reads, [pushed["address_id"]]).fetchone()[0]
    page = lead.page(f"/adressen/{pushed['address_id']}")
    assert page.status_code == 200
    assert office.db().execute(reads, [pushed["address_id"]]).fetchone()[0] == before + 1
    assert "Bevindingen (" in page.text and "(ROOKMELDER)" in page.text
    record = an_address(office, "id = ?", [pushed["address_id"]])
    assert f"<dt>Bouwjaar</dt><dd>{record['bouwjaar']}</dd>" in page.text  # the BAG's facts
    assert "Oppervlakte (BAG)" in page.text and "Gebruiksdoel</dt><dd>woonfunctie" in page.text
    assert "Bouwregels" in page.text and "niet geverifieerd" in page.text  # the regime and its voorschrift
    assert f'src="/api/v1/attachments/{pushed["sha256"]}"' in page.text
    photo = lead.get(office.url + f"/api/v1/attachments/{pushed['sha256']}", timeout=10)
    assert photo.status_code == 200 and photo.headers["Content-Type"] == "image/jpeg"
    link = re.search(rf'href="(/api/v1/inspections/{pushed["inspection_id"]}/rapport)"', page.text)
    assert link
    pdf = lead.get(office.url + link.group(1), timeout=30)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # What the tablet wrote is shown as text, never as markup.
    assert SCRIPT not in page.text and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page.text
    assert ATTRIBUTE not in page.text and 'alt="&#34; onmouseover=&#34;alert(1)"' in page.text


def test_only_the_teamleider_is_offered_to_open_a_case_from_the_address_page(office: Office,
                                                                          pushed: dict[str, Any]) -> None:
    path = f"/adressen/{pushed['address_id']}"
    lead = office.session("teamleider").page(path).text
    link = f"/zaken/openen?van=inspectie&amp;inspection_id={pushed['inspection_id']}"
    assert link in lead and f"/zaken/openen?van=melding&amp;address_id={pushed['address_id']}" in lead
    opened = office.session("teamleider").page(link.replace("&amp;", "&"))
    assert opened.status_code == 200 and f'value="{pushed["inspection_id"]}"' in opened.text
    assert "/zaken/openen" not in office.session("beheerder").page(path).text


def test_a_party_is_linked_with_its_role_and_dates_and_ended_and_bad_links_are_refused_at_the_field(
        office: Office) -> None:
    address = an_address(office)
    lead = office.session("teamleider")
    page = lead.page(f"/adressen/{address['id']}?partij=Bloemhof")
    party_id = re.search(r'<option value="([0-9a-f-]{36})">Bloemhof Verhuur B.V.', page.text).group(1)  # type: ignore[union-attr]
    links = "SELECT count(*) FROM address_parties WHERE address_id = ?"
    before = office.db().execute(links, [address["id"]]).fetchone()[0]
    for form, field, message in (
            ({"party_id": "", "role": "eigenaar"}, "party_id", "Verplicht veld."),
            ({"party_id": party_id, "role": "huisbaas"}, "role", "Moet een van deze waarden zijn"),
            ({"party_id": party_id, "role": "eigenaar", "from": "2026-05-01", "until": "2026-01-01"}, "until",
             "Moet na de begindatum"),
            ({"party_id": str(uuid.uuid4()), "role": "eigenaar"}, "party_id", "Onbekende partij.")):
        answer = lead.submit(f"/adressen/{address['id']}/partijen", form)
        assert answer.status_code == 422
        error = re.search(rf'<p class="error" id="e-{field}">([^<]*)</p>', answer.text)
        assert error and message in error.group(1), (form, answer.text[:1500])
    assert office.db().execute(links, [address["id"]]).fetchone()[0] == before
    made = lead.submit(f"/adressen/{address['id']}/partijen", {"party_id": party_id, "role": "eigenaar",
                                                               "from": "2026-01-01", "until": ""})
    assert made.status_code == 302
    listed = lead.get(office.url + f"/api/v1/addresses/{address['id']}/parties", timeout=10).json()["items"]
    link = next(item for item in listed if item["party_id"] == party_id and item["role"] == "eigenaar")
    assert link["from"] == "2026-01-01" and link["until"] is None
    page = lead.page(f"/adressen/{address['id']}")
    early = lead.submit(f"/adressen/{address['id']}/partijen/{link['id']}/beeindigen", {"until": "2025-12-01"})
    assert early.status_code == 422 and "Moet na de begindatum" in early.text
    ended = lead.submit(f"/adressen/{address['id']}/partijen/{link['id']}/beeindigen", {"until": "2026-06-01"})
    assert ended.status_code == 302
    again = lead.get(office.url + f"/api/v1/addresses/{address['id']}/parties", timeout=10).json()["items"]
    assert next(item for item in again if item["id"] == link["id"])["until"] == "2026-06-01"


def test_a_handhaver_signs_only_his_own_rapporten(office: Office, pushed: dict[str, Any]) -> None:
    other = office.session("handhaver2")
    assert pushed["inspection_id"] not in other.page("/mijn-week").text
    refused = other.submit(f"/mijn-week/rapport/{pushed['inspection_id']}/ondertekenen")
    assert refused.status_code == 403 and "Alleen de toezichthouder" in refused.text
    status = office.db().execute("SELECT status FROM documents WHERE inspection_id = ? AND kind = 'rapport'",
                                 [pushed["inspection_id"]]).fetchone()[0]
    assert status == "concept"
    lead = office.session("teamleider")
    assert lead.submit(f"/mijn-week/rapport/{pushed['inspection_id']}/ondertekenen").status_code == 403
    mine = office.session("handhaver1")
    assert mine.submit(f"/mijn-week/rapport/{pushed['inspection_id']}/ondertekenen", token=False).status_code == 400
    assert office.db().execute("SELECT status FROM documents WHERE inspection_id = ? AND kind = 'rapport'",
                               [pushed["inspection_id"]]).fetchone()[0] == "concept"


def test_a_rapport_whose_photo_has_not_arrived_waits_with_a_message_and_stays_a_concept(office: Office) -> None:
    handhaver = user_id(office, "handhaver1")
    address_id = office.db().execute("SELECT address_id FROM assignments WHERE inspector_id = ? AND status = 'open' "
                                     "ORDER BY id DESC LIMIT 1", [handhaver]).fetchone()[0]
    enrolled = requests.post(office.url + "/api/v1/devices/enroll", timeout=10, json={
        "code": new_code(office, handhaver), "label": "tablet 2"}).json()
    inspection = example("overbewoond.json")["inspection"]
    inspection.update(id=str(uuid.uuid4()), address_id=address_id, assignment_id=None,
                      photos=[{"sha256": "cd" * 32, "caption": "Trap", "room_id": None}])
    answer = requests.post(office.url + "/api/v1/sync/push", timeout=30,
                           headers={"Authorization": f"Bearer {enrolled['token']}"}, json={
                               "protocol": 1, "mutations": [{"seq": 1, "entity": "inspection", "id": inspection["id"],
                                                             "op": "put", "base_version": None, "data": inspection}]})
    assert answer.json()["results"][0]["status"] == "applied", answer.text
    mine = office.session("handhaver1")
    mine.page("/mijn-week")
    waiting = mine.submit(f"/mijn-week/rapport/{inspection['id']}/ondertekenen")
    assert waiting.status_code == 302
    page = mine.page("/mijn-week")
    assert "1 foto van dit rapport is nog niet ontvangen" in page.text
    assert office.db().execute("SELECT status FROM documents WHERE inspection_id = ? AND kind = 'rapport'",
                               [inspection["id"]]).fetchone()[0] == "concept"
    lead = office.session("teamleider")
    assert "nog niet ontvangen" in lead.page(f"/adressen/{address_id}").text  # no broken image on the address page


def new_code(office: Office, user: str) -> str:
    from server.auth import create_enrol_code
    return create_enrol_code(office.db(), user, None, 1)


def test_a_photo_named_by_someone_who_did_not_upload_it_is_shown_as_not_received_as_the_download_refuses_it(
        office: Office) -> None:
    uploader = requests.post(office.url + "/api/v1/devices/enroll", timeout=10, json={
        "code": new_code(office, user_id(office, "handhaver1")), "label": "tablet 3"}).json()
    body = jpeg(11)
    sha = hashlib.sha256(body).hexdigest()
    uploaded = requests.put(office.url + f"/api/v1/attachments/{sha}", data=body, timeout=10, headers={
        "Authorization": f"Bearer {uploader['token']}", "Content-Range": f"bytes 0-{len(body) - 1}/{len(body)}"})
    assert uploaded.status_code == 200, uploaded.text
    other = user_id(office, "handhaver2")
    namer = requests.post(office.url + "/api/v1/devices/enroll", timeout=10, json={
        "code": new_code(office, other), "label": "tablet van handhaver2"}).json()
    address_id = office.db().execute("SELECT address_id FROM assignments WHERE inspector_id = ? AND status = 'open' "
                                     "ORDER BY id LIMIT 1", [other]).fetchone()[0]
    inspection = example("overbewoond.json")["inspection"]
    inspection.update(id=str(uuid.uuid4()), address_id=address_id, assignment_id=None,
                      photos=[{"sha256": sha, "caption": "Andermans foto", "room_id": None}])
    answer = requests.post(office.url + "/api/v1/sync/push", timeout=30,
                           headers={"Authorization": f"Bearer {namer['token']}"}, json={
                               "protocol": 1, "mutations": [{"seq": 1, "entity": "inspection", "id": inspection["id"],
                                                             "op": "put", "base_version": None, "data": inspection}]})
    assert answer.json()["results"][0]["status"] == "applied", answer.text
    lead = office.session("teamleider")
    page = lead.page(f"/adressen/{address_id}")
    assert page.status_code == 200
    assert sha not in page.text  # neither a broken image nor a sign that the server holds these bytes
    figure = page.text[page.text.index("Foto's"):]
    assert "nog niet ontvangen" in figure[:figure.index("</ul>")]
    assert lead.get(office.url + f"/api/v1/attachments/{sha}", timeout=10).status_code == 404


def test_search_an_address_and_edit_its_fields_in_chromium(office: Office, browser: webdriver.Chrome,
                                                           pushed: dict[str, Any]) -> None:
    address = an_address(office, "id = ?", [pushed["address_id"]])
    browser_login(browser, office, "teamleider")
    navigate(browser, browser.find_element(By.LINK_TEXT, "Adressen"))
    assert axe_violations(browser) == []
    office_screenshot(browser, "adressen")
    browser.find_element(By.XPATH, "//summary[.='Zoeken per veld']").click()
    browser.find_element(By.ID, "f-postcode").send_keys("0000")
    navigate(browser, browser.find_element(By.CSS_SELECTOR, "form[aria-label='Adressen zoeken'] button[type=submit]"))
    assert "Geen geldige postcode" in browser.find_element(By.ID, "e-postcode").text
    assert axe_violations(browser) == []
    field = browser.find_element(By.ID, "f-postcode")
    field.clear()
    field.send_keys(address["postcode"])
    browser.find_element(By.ID, "f-straat").send_keys(address["straat"][:3].lower())
    navigate(browser, browser.find_element(By.CSS_SELECTOR, "form[aria-label='Adressen zoeken'] button[type=submit]"))
    navigate(browser, browser.find_element(By.CSS_SELECTOR, f"a[href='/adressen/{address['id']}']"))
    assert address["straat"] in browser.find_element(By.TAG_NAME, "h1").text
    assert axe_violations(browser) == []
    office_screenshot(browser, "adres")
    Select(browser.find_element(By.ID, "f-location_type")).select_by_visible_text("Grootschalige locatie")
    box = browser.find_element(By.ID, "f-verified")
    if not box.is_selected():
        box.click()
    notes = browser.find_element(By.ID, "f-notes")
    notes.clear()
    notes.send_keys("Beheerder belt terug over de sleutel.")
    navigate(browser, browser.find_element(By.XPATH, "//form[.//textarea[@id='f-notes']]//button[@type='submit']"))
    assert "opgeslagen" in browser.find_element(By.CSS_SELECTOR, ".notice").text
    after = an_address(office, "id = ?", [address["id"]])
    assert (after["location_type"], after["verified"], after["notes"]) == (
        "grootschalig", True, "Beheerder belt terug over de sleutel.")
    # An error state of the page: a link without a party.
    Select(browser.find_element(By.ID, "f-role")).select_by_visible_text("Eigenaar")
    navigate(browser, browser.find_element(By.XPATH, "//form[.//select[@id='f-party_id']]//button[@type='submit']"))
    assert "Verplicht veld." in browser.find_element(By.ID, "e-party_id").text
    assert axe_violations(browser) == []


def test_a_handhaver_sees_his_week_and_signs_his_rapport_in_chromium(office: Office, browser: webdriver.Chrome,
                                                                     pushed: dict[str, Any]) -> None:
    browser_login(browser, office, "handhaver1")
    navigate(browser, browser.find_element(By.LINK_TEXT, "Mijn week"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Mijn week"
    own = office.db().execute("SELECT count(*) FROM assignments WHERE inspector_id = ? AND status = 'open'",
                              [user_id(office, "handhaver1")]).fetchone()[0]
    assert own > 0 and "Deze week" in browser.page_source
    assert axe_violations(browser) == []
    office_screenshot(browser, "mijn-week")
    form = browser.find_element(By.CSS_SELECTOR, f"form[action$='/rapport/{pushed['inspection_id']}/ondertekenen']")
    kenmerk = form.find_element(By.XPATH, "ancestor::tr/td[1]").text
    navigate(browser, form.find_element(By.TAG_NAME, "button"))
    assert f"Rapport {kenmerk} is ondertekend." in browser.find_element(By.CSS_SELECTOR, ".notice").text
    row = office.db().execute("SELECT status, approved_by FROM documents WHERE inspection_id = ? AND kind = 'rapport'",
                              [pushed["inspection_id"]]).fetchone()
    assert row == ("approved", user_id(office, "handhaver1"))
    assert axe_violations(browser) == []
