"""The enforcement procedure end to end on an injected clock, every letter read back from its real PDF."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from reports.fmt import datum
from server.case_steps import add_boete
from server.cases import CaseError, timeline
from server.documents import send
from server.letters import boete_maximum, working_days_after
from tests.documents_world import pdf_text, render_png
from tests.enforcement_world import REASON, VISIT, World

D = dt.timedelta


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(tmp_path)
    yield w
    w.close()


def text(world: World, document: dict[str, object]) -> str:
    return pdf_text(world.pdf(document))


def test_a_case_has_one_last_per_violated_voorschrift_and_keeps_signals_apart(world: World) -> None:
    case = world.case
    assert [last["code"] for last in case["lasten"]] == ["ROOKMELDER", "VLUCHTWEG", "HUURCONTRACT"]
    rook = case["lasten"][0]
    assert len(rook["findings"]) == 2 and rook["regime"] == "bouwregels"
    assert "verdieping 1" in rook["herstelmaatregel"] and "verdieping 2" in rook["herstelmaatregel"]
    assert case["lasten"][2]["tracks"] == ["lod", "wgv"]
    assert {"BEZETTING_SLAAPKAMER", "OVERBEWONING", "MAX_BEWONERS"} <= {s["code"] for s in case["signalen"]}
    assert world.fresh()["overtreders"][0]["reason"] == REASON


def test_the_voornemen_cites_each_voorschrift_goes_to_the_party_and_is_signed_under_mandate(world: World) -> None:
    letter = world.sent("voornemen_lod", VISIT + D(days=2))
    body = text(world, letter)
    assert "Overtreden voorschrift" in body
    assert "Besluit bouwwerken leefomgeving (Bbl), artikel nog te bevestigen" in body
    assert "Wet goed verhuurderschap (Stb. 2023, 103), artikel 2" in body
    for line in ("Voorbeeld Verhuur B.V.", "Voorbeeldweg 12A", "1431 ZZ AALSMEER"):
        assert line in body, line
    assert "Anna de Vries" in body and "0297 387 500" in body and "a.devries@example.invalid" in body
    assert "namens het college van burgemeester en wethouders van Aalsmeer" in body
    assert "Mandaatbesluit van het college" in body
    assert "artikel 4:8 Algemene wet bestuursrecht" in body
    assert "uiterlijk op 4 december 2026" in body  # two weeks after Friday 20 November
    assert "toetsingskader, geen grondslag" in body and "NEN-EN 14604" in body  # context, never the grondslag
    render_png(world.pdf(letter), "voornemen_lod")


def test_approving_a_letter_with_unverified_voorschriften_needs_a_confirmation_the_dossier_records(
        world: World) -> None:
    concept = world.letter("voornemen_lod", VISIT + D(days=2))
    with pytest.raises(CaseError) as refused:
        world.approve(concept, VISIT + D(days=2), confirm=False)
    assert refused.value.status == 409
    assert any("ROOKMELDER" in item for item in refused.value.extra["unverified"])
    world.approve(concept, VISIT + D(days=2))
    dossier = world.approve(world.letter("dossier", VISIT + D(days=2)), VISIT + D(days=2))
    assert "bevestigde de teamleider" in text(world, dossier)
    assert "voorschriften_bevestigd" in [e["action"] for e in timeline(world.db, world.case["id"])]


def test_a_letter_dated_before_its_approval_is_refused(world: World) -> None:
    concept = world.letter("voornemen_lod", VISIT + D(days=2))
    with pytest.raises(CaseError, match="vóór vandaag"):
        world.approve(concept, VISIT + D(days=3))


def test_a_letter_is_sent_on_its_own_date_with_method_and_proof(world: World) -> None:
    approved = world.approve(world.letter("voornemen_lod", VISIT + D(days=2)), VISIT + D(days=2))
    with pytest.raises(CaseError) as future:
        send(world.db, world.settings, approved["id"], world.lead, VISIT + D(days=5), method="post",
             reference="lijst 48", today=VISIT + D(days=2))
    assert future.value.status == 422
    sent = world.send(approved, VISIT + D(days=2), method="aangetekend", reference="RR123456789NL")
    assert (sent["sent_on"], sent["dispatch_method"], sent["dispatch_reference"]) == (
        "2026-11-20", "aangetekend", "RR123456789NL")
    assert world.fresh()["tracks"]["lod"]["state"] == "voornemen"


def test_a_besluit_waits_for_the_zienswijze_term_or_the_zienswijze_and_weighs_it_before_the_closing(
        world: World) -> None:
    world.sent("voornemen_lod", VISIT + D(days=2))
    with pytest.raises(CaseError, match="zienswijzetermijn loopt"):
        world.letter("besluit_lod", VISIT + D(days=5))
    world.step("zienswijze_ontvangen", VISIT + D(days=6), received_on="2026-11-24", how="schriftelijk",
               text="De rookmelders zijn besteld; de trap wordt deze week vrijgemaakt.")
    with pytest.raises(CaseError) as unweighed:
        world.letter("besluit_lod", VISIT + D(days=7))
    assert unweighed.value.status == 422
    weighing = "Wij waarderen dat u rookmelders hebt besteld, maar zij hangen er nog niet; de last blijft nodig."
    besluit = world.sent("besluit_lod", VISIT + D(days=7), weging={"zienswijze": weighing})
    body = text(world, besluit)
    assert weighing in body
    assert body.index("Afweging") < body.index(weighing) < body.index("Met vriendelijke groet")
    assert body.index("Beginselplicht") < body.index("Met vriendelijke groet")
    assert body.index("Evenredigheid") < body.index("Bezwaar") < body.index("Met vriendelijke groet")
    assert "Waarom u de overtreder bent" in body and REASON in body
    assert "de rechtbank Amsterdam" in body and "artikel 8:81 Awb" in body
    render_png(world.pdf(besluit), "besluit_lod", pages=3)


def test_each_last_of_the_besluit_has_its_own_term_dwangsom_and_hercontrole(world: World) -> None:
    world.sent("voornemen_lod", VISIT + D(days=2))
    day = dt.date(2026, 12, 7)  # a Monday; the zienswijze term (to 4 December) has ended
    besluit = world.sent("besluit_lod", day, lasten={"VLUCHTWEG": {"dwangsom": {"amount": "250", "per": "week",
                                                                                  "max": "2500"}}})
    body = text(world, besluit)
    assert body.count("Begunstigingstermijn") >= 3 and body.count("Overtreden voorschrift") >= 3
    assert "Last 1: Geen werkende rookmelder" in body and "Last 2: Vluchtweg geblokkeerd" in body
    assert "14 dagen na verzending van dit besluit: uiterlijk op 21 december 2026" in body
    assert "7 dagen na verzending van dit besluit: uiterlijk op 14 december 2026" in body
    assert "€ 250,00 voor iedere week" in body and "€ 2.500,00" in body and "€ 500,00 voor iedere week" in body
    case = world.fresh()
    terms = {last["code"]: last["term"]["end"] for last in case["lasten"]}
    assert terms == {"ROOKMELDER": "2026-12-21", "VLUCHTWEG": "2026-12-14", "HUURCONTRACT": "2027-02-01"}
    case = world.step("hercontrole_gepland", day, code="VLUCHTWEG", inspector_id=world.handhaver["id"])
    assert next(x for x in case["lasten"] if x["code"] == "VLUCHTWEG")["hercontrole"]["due"] == "2026-12-15"


def test_verbeurd_needs_a_later_finding_and_the_invordering_states_the_sum(world: World) -> None:
    world.sent("voornemen_lod", VISIT + D(days=2))
    day = VISIT + D(days=17)
    world.sent("besluit_lod", day)
    with pytest.raises(CaseError, match="termijn"):  # the original visit is no finding after the term
        world.step("verbeurd", day + D(days=30), code="VLUCHTWEG", inspection_id=world.inspection["id"])
    again = world.hercontrole(dt.date(2027, 1, 4))  # 21 days after the term's end of 14 December
    world.step("verbeurd", dt.date(2027, 1, 4), code="VLUCHTWEG", inspection_id=again["id"])
    letter = world.sent("invordering", dt.date(2027, 1, 5))
    body = text(world, letter)
    assert "3 weken x € 500,00 = € 1.500,00" in body  # 15 December to 4 January: three started weeks
    assert "artikel 5:37, eerste lid" in body and "artikel 5:33 Awb" in body
    assert "uiterlijk op 26 januari 2027" in body  # six weeks after 15 December: 26 January (Tuesday)
    case = world.fresh()
    assert next(x for x in case["lasten"] if x["code"] == "VLUCHTWEG")["states"]["lod"] == "invordering"
    assert next(x for x in case["lasten"] if x["code"] == "ROOKMELDER")["states"]["lod"] == "open"
    render_png(world.pdf(letter), "invordering")


def wgv_found_again(world: World) -> dict[str, object]:
    """Warn for HUURCONTRACT alone, then find it again after the hersteltermijn; return the hercontrole."""
    warning = world.sent("waarschuwing", VISIT + D(days=2), codes=["HUURCONTRACT"])
    assert "artikel 19 van de Wet goed verhuurderschap" in text(world, warning)
    end = dt.date.fromisoformat(world.fresh()["tracks"]["wgv"]["herstel_end"])
    world.step("wgv_hercontrole_gepland", end, inspector_id=world.handhaver["id"])
    again = world.hercontrole(end + D(days=3))
    world.step("wgv_nog_aanwezig", end + D(days=3), code="HUURCONTRACT", inspection_id=again["id"])
    return again


def test_a_boete_needs_a_hercontrole_past_the_warnings_term_that_found_the_violation_again(world: World) -> None:
    world.sent("waarschuwing", VISIT + D(days=2), codes=["HUURCONTRACT"])
    with pytest.raises(CaseError) as early:
        world.letter("voornemen_boete", VISIT + D(days=3), lasten={"HUURCONTRACT": {"boete_amount": "5000"}})
    assert early.value.status == 409
    end = dt.date.fromisoformat(world.fresh()["tracks"]["wgv"]["herstel_end"])
    world.step("wgv_hercontrole_gepland", end, inspector_id=world.handhaver["id"])
    with pytest.raises(CaseError, match="termijn"):  # the old visit is not a new finding
        world.step("wgv_nog_aanwezig", end, code="HUURCONTRACT", inspection_id=world.inspection["id"])
    again = world.hercontrole(end + D(days=3))
    world.step("wgv_nog_aanwezig", end + D(days=3), code="HUURCONTRACT", inspection_id=again["id"])
    letter = world.sent("voornemen_boete", end + D(days=4), lasten={"HUURCONTRACT": {"boete_amount": "5000"}})
    body = text(world, letter)
    assert "nog steeds bestaan" in body and "€ 5.000,00" in body
    assert "U bent niet verplicht om op vragen antwoord te geven" in body
    assert "artikel 5:51, eerste lid" in body
    render_png(world.pdf(letter), "voornemen_boete")


def test_the_repeat_maximum_needs_an_earlier_boete_for_that_violation(world: World) -> None:
    again = wgv_found_again(world)
    day = dt.date.fromisoformat(str(again["started_at"])[:10]) + D(days=1)
    with pytest.raises(CaseError, match="herhaling"):
        world.letter("voornemen_boete", day, lasten={"HUURCONTRACT": {"boete_amount": "30000", "repeat": True}})
    add_boete(world.db, world.lead, party_id=world.party["id"], code="HUURCONTRACT", imposed_on=dt.date(2025, 3, 3),
              kenmerk="HH-2025-0007-04", irrevocable_on=dt.date(2025, 4, 15), amount="4000", source="handmatig")
    letter = world.sent("voornemen_boete", day, lasten={"HUURCONTRACT": {"boete_amount": "30000", "repeat": True}})
    body = text(world, letter)
    assert "Herhaling" in body and "HH-2025-0007-04" in body and "€ 30.000,00" in body
    with pytest.raises(CaseError):  # above even the repeat maximum known (2024's row: EUR 103.000)
        world.letter("voornemen_boete", day, lasten={"HUURCONTRACT": {"boete_amount": "200000", "repeat": True}})


def test_the_boete_maximum_is_named_only_where_the_dated_table_holds_it(world: World) -> None:
    letters = world.settings.letters
    assert boete_maximum(letters, dt.date(2025, 6, 1), False) == (25750, True)
    assert boete_maximum(letters, dt.date(2025, 6, 1), True) == (103000, True)
    assert boete_maximum(letters, dt.date(2026, 12, 3), False)[1] is False  # indexed on 1 January 2026: unknown
    warning = world.sent("waarschuwing", VISIT + D(days=2), codes=["HUURCONTRACT"])
    assert "ten hoogste €" not in text(world, warning)  # a letter of 2026 says nothing it cannot support


def test_besluit_boete_then_publicatie_after_ten_working_days_and_the_case_closes(world: World) -> None:
    again = wgv_found_again(world)
    day = dt.date.fromisoformat(str(again["started_at"])[:10]) + D(days=1)
    world.sent("voornemen_boete", day, lasten={"HUURCONTRACT": {"boete_amount": "5000"}})
    with pytest.raises(CaseError, match="zienswijzetermijn"):
        world.letter("besluit_boete", day + D(days=3))
    besluit = world.sent("besluit_boete", day + D(days=15))
    body = text(world, besluit)
    assert "Besluit bestuurlijke boete" in body and "€ 5.000,00" in body and "Bezwaar" in body
    assert world.fresh()["tracks"]["wgv"]["beslistermijn_end"]  # 13 weeks after the rapport's date (Awb 5:51)
    publish_day = day + D(days=16)
    publicatie = world.sent("publicatie", publish_day)
    body = text(world, publicatie)
    assert "artikel 20, tweede lid" in body and "naam van een natuurlijk persoon niet openbaar" in body
    assert datum(working_days_after(publish_day, 10)) in body
    world.step("boete_betaald", publish_day + D(days=30), paid_on=(publish_day + D(days=29)).isoformat())
    assert world.fresh()["tracks"]["wgv"]["state"] == "afgerond"
    with pytest.raises(CaseError, match="lopen nog"):  # the fire-safety lasten were never acted on
        world.step("afgesloten", publish_day + D(days=30))
    for code in ("ROOKMELDER", "VLUCHTWEG"):
        world.step("last_ingetrokken", publish_day + D(days=30), code=code,
                   reason="Bij de hercontrole hersteld vóór een last; geen last nodig.")
    closed = world.step("afgesloten", publish_day + D(days=30))
    assert (closed["status"], closed["result"]) == ("afgesloten", "bestuurlijke_boete")
    render_png(world.pdf(besluit), "besluit_boete", pages=3)
    render_png(world.pdf(publicatie), "publicatie")


def test_the_dossier_shows_when_each_step_was_recorded_and_took_effect_and_holds_the_zienswijze(
        world: World) -> None:
    world.sent("voornemen_lod", VISIT + D(days=2))
    zienswijze = "Wij vragen uitstel tot na de feestdagen voor de trap."
    world.step("zienswijze_ontvangen", VISIT + D(days=9), received_on="2026-11-25", how="mondeling",
               text=zienswijze)
    dossier = world.approve(world.letter("dossier", VISIT + D(days=9)), VISIT + D(days=9))
    body = text(world, dossier)
    assert zienswijze in body and "mondeling" in body
    assert "Rechtsgevolg" in body and "25 november 2026" in body and "20 november 2026" in body
    assert "aangetekend, bewijs RR123456789NL" in body
    assert "Rapport van bevindingen RB-2026-" in body
    render_png(world.pdf(dossier), "dossier", pages=3)
