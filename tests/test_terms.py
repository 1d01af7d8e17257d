"""Term end dates and the Algemene termijnenwet (Atw): its days, articles 1, 2 and 4, policy terms, the CLI."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from server.cli import main
from server.terms import (
    TermsConfigError,
    atw_holidays,
    begunstigingstermijn,
    bezwaar,
    boete_beslistermijn,
    invordering,
    load_terms,
    non_working_reason,
    term,
    zienswijze,
)

D = dt.date
CONFIG = load_terms()

# Every Atw day of 2025-2028, written out by hand (art. 3 lid 1, Goede Vrijdag of lid 2, and the
# days the shipped list equates by royal decree, lid 3), with the first day after it that is
# not a Saturday, Sunday or Atw day: where a statutory term ending on it ends.
ATW_DAYS_2025_2028 = [
    (D(2025, 1, 1), "Nieuwjaarsdag", D(2025, 1, 2)),
    (D(2025, 4, 18), "Goede Vrijdag", D(2025, 4, 22)),
    (D(2025, 4, 21), "tweede Paasdag", D(2025, 4, 22)),
    (D(2025, 4, 26), "zaterdag", D(2025, 4, 28)),  # Koningsdag: 27 April 2025 is a Sunday
    (D(2025, 5, 5), "Bevrijdingsdag", D(2025, 5, 6)),
    (D(2025, 5, 29), "Hemelvaartsdag", D(2025, 6, 2)),
    (D(2025, 5, 30), "vrijdag na Hemelvaartsdag", D(2025, 6, 2)),
    (D(2025, 6, 9), "tweede Pinksterdag", D(2025, 6, 10)),
    (D(2025, 12, 25), "eerste Kerstdag", D(2025, 12, 29)),
    (D(2025, 12, 26), "tweede Kerstdag", D(2025, 12, 29)),
    (D(2026, 1, 1), "Nieuwjaarsdag", D(2026, 1, 5)),
    (D(2026, 1, 2), "vrijdag na Nieuwjaarsdag", D(2026, 1, 5)),
    (D(2026, 4, 3), "Goede Vrijdag", D(2026, 4, 7)),
    (D(2026, 4, 6), "tweede Paasdag", D(2026, 4, 7)),
    (D(2026, 4, 27), "Koningsdag", D(2026, 4, 28)),
    (D(2026, 5, 5), "Bevrijdingsdag", D(2026, 5, 6)),
    (D(2026, 5, 14), "Hemelvaartsdag", D(2026, 5, 18)),
    (D(2026, 5, 15), "vrijdag na Hemelvaartsdag", D(2026, 5, 18)),
    (D(2026, 5, 25), "tweede Pinksterdag", D(2026, 5, 26)),
    (D(2026, 12, 25), "eerste Kerstdag", D(2026, 12, 28)),
    (D(2026, 12, 26), "zaterdag", D(2026, 12, 28)),  # tweede Kerstdag on a Saturday
    (D(2027, 1, 1), "Nieuwjaarsdag", D(2027, 1, 4)),
    (D(2027, 3, 26), "Goede Vrijdag", D(2027, 3, 30)),
    (D(2027, 3, 29), "tweede Paasdag", D(2027, 3, 30)),
    (D(2027, 4, 27), "Koningsdag", D(2027, 4, 28)),
    (D(2027, 5, 5), "Bevrijdingsdag", D(2027, 5, 10)),
    (D(2027, 5, 6), "Hemelvaartsdag", D(2027, 5, 10)),
    (D(2027, 5, 7), "vrijdag na Hemelvaartsdag", D(2027, 5, 10)),
    (D(2027, 5, 17), "tweede Pinksterdag", D(2027, 5, 18)),
    (D(2027, 12, 25), "zaterdag", D(2027, 12, 27)),
    (D(2027, 12, 26), "zondag", D(2027, 12, 27)),
    (D(2028, 1, 1), "zaterdag", D(2028, 1, 3)),
    (D(2028, 4, 14), "Goede Vrijdag", D(2028, 4, 18)),
    (D(2028, 4, 17), "tweede Paasdag", D(2028, 4, 18)),
    (D(2028, 4, 27), "Koningsdag", D(2028, 5, 1)),
    (D(2028, 4, 28), "vrijdag na Koningsdag", D(2028, 5, 1)),
    (D(2028, 5, 5), "Bevrijdingsdag", D(2028, 5, 8)),
    (D(2028, 5, 25), "Hemelvaartsdag", D(2028, 5, 29)),
    (D(2028, 5, 26), "vrijdag na Hemelvaartsdag", D(2028, 5, 29)),
    (D(2028, 6, 5), "tweede Pinksterdag", D(2028, 6, 6)),
    (D(2028, 12, 25), "eerste Kerstdag", D(2028, 12, 27)),
    (D(2028, 12, 26), "tweede Kerstdag", D(2028, 12, 27)),
]

DUTCH_MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
                "oktober", "november", "december"]


def dutch(day: dt.date) -> str:
    """Write a date the way letters do: '18 april 2025'."""
    return f"{day.day} {DUTCH_MONTHS[day.month - 1]} {day.year}"


@pytest.mark.parametrize(("day", "reason", "end"), ATW_DAYS_2025_2028, ids=[str(d[0]) for d in ATW_DAYS_2025_2028])
def test_a_bezwaar_term_ending_on_an_atw_day_ends_on_the_next_ordinary_day(
        day: dt.date, reason: str, end: dt.date) -> None:
    result = bezwaar(day - dt.timedelta(weeks=6), CONFIG)
    assert result.nominal_end == day
    assert result.end == end
    assert f"{dutch(day)} is " in (result.moved_because or "") and reason in (result.moved_because or "")
    assert result.statutory and result.basis == "Algemene termijnenwet, artikel 1"
    assert (result.moved_because or "").endswith("(Algemene termijnenwet, artikel 1)")


def test_the_atw_days_of_2025_to_2028_are_exactly_those_of_article_3() -> None:
    found = {day: name for year in range(2025, 2029) for day, name in atw_holidays(year).items()}
    assert sorted(found) == sorted(day for day, _, _ in ATW_DAYS_2025_2028)


@pytest.mark.parametrize(("day", "name"), [
    (D(2025, 4, 18), "Goede Vrijdag"), (D(2026, 4, 3), "Goede Vrijdag"), (D(2027, 3, 26), "Goede Vrijdag"),
    (D(2028, 4, 14), "Goede Vrijdag"),
])
def test_good_friday_is_an_atw_day_by_article_3_lid_2(day: dt.date, name: str) -> None:
    assert non_working_reason(day) == name


def test_koningsdag_is_26_april_when_27_april_is_a_sunday() -> None:
    holidays_2025 = atw_holidays(2025)
    assert holidays_2025[D(2025, 4, 26)] == "Koningsdag"
    assert D(2025, 4, 27) not in holidays_2025
    assert non_working_reason(D(2025, 4, 27)) == "zondag"


@pytest.mark.parametrize("year", [2025, 2026, 2027, 2028])
def test_5_mei_is_an_atw_day_every_year(year: int) -> None:
    assert atw_holidays(year)[D(year, 5, 5)] == "Bevrijdingsdag"


def test_an_ordinary_weekday_is_a_working_day() -> None:
    assert non_working_reason(D(2026, 4, 2)) is None  # the Thursday before Goede Vrijdag
    assert bezwaar(D(2026, 3, 2), CONFIG).moved_because is None


# Article 2: a statutory term of at least three days holds at least two days that are not a
# Saturday, Sunday or Atw day, extended as far as needed. Constructed at function level.

def test_a_three_day_statutory_term_over_easter_is_extended_to_hold_two_ordinary_days() -> None:
    result = term(D(2025, 4, 17), days=3, statutory=True)  # Fri 18 Goede Vrijdag .. Mon 21 tweede Paasdag
    assert result.nominal_end == D(2025, 4, 20)
    assert result.end == D(2025, 4, 23), "art. 1 alone would end on Tuesday 22 April, the only ordinary day"
    assert result.basis == "Algemene termijnenwet, artikel 2"
    assert "18 april 2025 is Goede Vrijdag; 19 april 2025 is zaterdag; 20 april 2025 is zondag; " \
           "21 april 2025 is tweede Paasdag" in (result.moved_because or "")
    assert (result.moved_because or "").endswith("(Algemene termijnenwet, artikel 2)")


def test_article_2_extends_a_term_that_ends_on_its_only_ordinary_day() -> None:
    result = term(D(2025, 4, 11), days=3, statutory=True)  # Sat 12, Sun 13, Mon 14
    assert result.nominal_end == D(2025, 4, 14)
    assert result.end == D(2025, 4, 15)
    assert result.basis == "Algemene termijnenwet, artikel 2"


def test_article_2_extends_a_three_day_term_over_christmas() -> None:
    result = term(D(2025, 12, 24), days=3, statutory=True)  # Thu 25, Fri 26, Sat 27
    assert result.end == D(2025, 12, 30), "Monday 29 would be its only ordinary day"


def test_article_2_adds_nothing_when_article_1_already_gives_two_ordinary_days() -> None:
    result = term(D(2025, 4, 16), days=3, statutory=True)  # Thu 17 is ordinary; ends Sat 19
    assert result.end == D(2025, 4, 22)
    assert result.basis == "Algemene termijnenwet, artikel 1"


def test_article_2_does_not_apply_to_a_term_of_less_than_three_days() -> None:
    result = term(D(2025, 4, 11), days=2, statutory=True)  # ends Sunday 13
    assert result.end == D(2025, 4, 14), "one ordinary day is enough for a two-day term"
    assert result.basis == "Algemene termijnenwet, artikel 1"


def test_a_policy_term_gets_neither_article_2_nor_the_atw_in_its_reason() -> None:
    result = term(D(2025, 4, 17), days=3, statutory=False)
    assert result.end == D(2025, 4, 22), "moved to the next working day only"
    assert not result.statutory and result.basis == "beleid"
    assert "termijnenwet" not in (result.moved_because or "").lower()
    assert (result.moved_because or "").endswith("verschoven naar de eerstvolgende werkdag (beleid van de gemeente)")
    assert "18 april 2025 is Goede Vrijdag" not in (result.moved_because or ""), "only the days it moved over"
    assert "20 april 2025 is zondag; 21 april 2025 is tweede Paasdag" in (result.moved_because or "")


# Article 4 lid 1 onderdeel a: the Atw does not apply to terms of more than twelve weeks or 90 days.

def test_the_thirteen_weeks_of_awb_5_51_are_not_extended_by_the_atw() -> None:
    result = boete_beslistermijn(D(2025, 1, 4), CONFIG)  # 13 weeks later is Saturday 5 April 2025
    assert result.statutory
    assert result.end == result.nominal_end == D(2025, 4, 5)
    assert result.moved_because is None and result.basis is None


def test_a_statutory_term_of_twelve_weeks_or_ninety_days_is_still_extended() -> None:
    assert term(D(2025, 1, 4), weeks=12).end == D(2025, 3, 31)  # Saturday 29 March -> Monday
    assert term(D(2025, 1, 5), days=90).end == D(2025, 4, 7)  # Saturday 5 April -> Monday
    assert term(D(2025, 1, 4), days=91).end == D(2025, 4, 5)  # 91 days: no Atw, stays on Saturday


# Which term is which.

def test_bezwaar_and_invordering_are_statutory_and_zienswijze_and_begunstiging_are_policy() -> None:
    start = D(2026, 3, 2)
    assert bezwaar(start, CONFIG).statutory and invordering(start, CONFIG).statutory
    assert not zienswijze(start, CONFIG).statutory
    assert not begunstigingstermijn(start, "VLUCHTWEG", CONFIG).statutory


def test_a_begunstigingstermijn_moved_over_a_weekend_says_it_is_municipal_policy() -> None:
    result = begunstigingstermijn(D(2025, 11, 13), "VLUCHTWEG", CONFIG)  # 7 days: Thursday 20 November
    assert result.end == D(2025, 11, 20) and result.moved_because is None
    moved = begunstigingstermijn(D(2025, 11, 15), "VLUCHTWEG", CONFIG)  # Saturday 22 November
    assert moved.end == D(2025, 11, 24)
    assert moved.moved_because == ("22 november 2025 is zaterdag; 23 november 2025 is zondag; "
                                   "verschoven naar de eerstvolgende werkdag (beleid van de gemeente)")
    assert moved.as_dict()["basis"] == "beleid" and moved.as_dict()["statutory"] is False


def test_a_municipality_can_switch_off_moving_policy_terms(tmp_path: Path) -> None:
    path = tmp_path / "termijnen.json"
    path.write_text(json.dumps({**_raw_terms(), "policy_terms_move_to_working_day": False}), encoding="utf-8")
    config = load_terms(str(path))
    result = zienswijze(D(2026, 3, 7), config)  # ends Saturday 21 March
    assert result.end == result.nominal_end == D(2026, 3, 21) and result.moved_because is None
    assert bezwaar(D(2026, 3, 7), config).end == D(2026, 4, 20), "statutory terms keep the Atw"


def test_a_terms_file_without_the_new_keys_keeps_moving_policy_terms(tmp_path: Path) -> None:
    path = tmp_path / "termijnen.json"
    raw = _raw_terms()
    del raw["policy_terms_move_to_working_day"], raw["boete_beslistermijn_weeks"]
    path.write_text(json.dumps(raw), encoding="utf-8")
    config = load_terms(str(path))
    assert zienswijze(D(2026, 3, 7), config).end == D(2026, 3, 23)
    assert boete_beslistermijn(D(2026, 3, 7), config).end == D(2026, 6, 6)


def test_a_term_as_data_keeps_the_fields_letters_read() -> None:
    data = bezwaar(D(2025, 3, 7), CONFIG).as_dict()
    assert data == {"start": "2025-03-07", "nominal_end": "2025-04-18", "end": "2025-04-22",
                    "moved_because": "18 april 2025 is Goede Vrijdag; 19 april 2025 is zaterdag; 20 april 2025 is "
                                     "zondag; 21 april 2025 is tweede Paasdag; verlengd tot en met de eerstvolgende "
                                     "dag die geen zaterdag, zondag of feestdag is (Algemene termijnenwet, artikel 1)",
                    "statutory": True, "basis": "Algemene termijnenwet, artikel 1", "caveats": []}


def test_configured_terms() -> None:
    assert zienswijze(D(2026, 3, 2), CONFIG).end == D(2026, 3, 16)
    assert bezwaar(D(2026, 3, 2), CONFIG).end == D(2026, 4, 13)
    assert invordering(D(2026, 3, 2), CONFIG).end == D(2026, 4, 13)
    assert begunstigingstermijn(D(2026, 3, 2), "VLUCHTWEG", CONFIG).end == D(2026, 3, 9)
    assert begunstigingstermijn(D(2026, 3, 2), "ONBEKEND", CONFIG).end == D(2026, 3, 30)


# Days equated by royal decree (art. 3 lid 3): a dated, replaceable list with its source.

def _raw_terms() -> dict[str, Any]:
    return json.loads((Path(__file__).parent.parent / "server" / "config" / "terms.json").read_text(encoding="utf-8"))


def _atw_file(tmp_path: Path, decrees: list[dict[str, Any]]) -> str:
    path = tmp_path / "atw_dagen.json"
    path.write_text(json.dumps({"source": "test", "decrees": decrees}), encoding="utf-8")
    return str(path)


DECREE_2026 = {"title": "Besluit van de test", "source": "Stcrt. 2099, 1", "verified": True, "years": [2026],
               "days": [{"date": "2026-03-10", "name": "testdag"}]}


def test_a_municipality_list_of_equated_days_replaces_the_shipped_one(tmp_path: Path) -> None:
    config = load_terms(atw_days=_atw_file(tmp_path, [DECREE_2026]))
    moved = bezwaar(D(2026, 1, 27), config)  # ends Tuesday 10 March 2026
    assert moved.end == D(2026, 3, 11)
    assert "10 maart 2026 is een met een feestdag gelijkgestelde dag (testdag)" in (moved.moved_because or "")
    assert moved.caveats == ()
    assert bezwaar(D(2026, 4, 3), config).end == D(2026, 5, 15), "15 May 2026 is no longer in the list"
    assert bezwaar(D(2026, 4, 3), CONFIG).end == D(2026, 5, 18), "the shipped list still has it"


def test_an_equated_day_from_an_unverified_source_is_applied_with_a_caveat() -> None:
    result = bezwaar(D(2026, 4, 3), CONFIG)  # ends on Friday 15 May 2026, equated by a decree not read
    assert result.end == D(2026, 5, 18)
    assert len(result.caveats) == 1
    assert "15 mei 2026" in result.caveats[0] and "niet gecontroleerd" in result.caveats[0]


def test_a_term_ending_in_a_year_without_a_known_decree_says_so() -> None:
    result = bezwaar(D(2029, 3, 5), CONFIG)
    assert result.end == D(2029, 4, 16)
    assert result.caveats == ("Voor 2029 zijn geen bij koninklijk besluit met een feestdag gelijkgestelde dagen "
                              "bekend; controleer de Staatscourant.",)


@pytest.mark.parametrize(("change", "message"), [
    ({"verified": "ja"}, "decrees.0.verified: Moet true of false zijn."),
    ({"days": [{"date": "2026-02-30", "name": "x"}]}, "decrees.0.days.0.date: Geen geldige datum (JJJJ-MM-DD)."),
    ({"days": [{"date": "2027-03-10", "name": "x"}]}, "decrees.0.days.0.date: 2027-03-10 valt niet in de jaren van "
                                                       "dit besluit (2026)."),
    ({"source": None}, "decrees.0.source: Mag niet leeg zijn."),
])
def test_a_bad_list_of_equated_days_is_refused_with_a_dutch_message(
        tmp_path: Path, change: dict[str, Any], message: str) -> None:
    path = _atw_file(tmp_path, [{**DECREE_2026, **change}])
    with pytest.raises(TermsConfigError) as err:
        load_terms(atw_days=path)
    assert str(err.value) == f"{path}: {message}"


def test_a_missing_list_of_equated_days_is_refused_with_a_dutch_message(tmp_path: Path) -> None:
    with pytest.raises(TermsConfigError) as err:
        load_terms(atw_days=str(tmp_path / "weg.json"))
    assert str(err.value) == f"{tmp_path / 'weg.json'}: bestand niet gevonden."


def test_a_bad_terms_file_is_refused_with_a_dutch_message(tmp_path: Path) -> None:
    path = tmp_path / "termijnen.json"
    path.write_text(json.dumps({**_raw_terms(), "bezwaar_weeks": "zes"}), encoding="utf-8")
    with pytest.raises(TermsConfigError) as err:
        load_terms(str(path))
    assert str(err.value) == f"{path}: bezwaar_weeks: Geen geldig geheel getal."


# `woontoezicht terms end KIND DATE [--days N] [--json]`

def _run(*args: str, env: dict[str, str] | None = None) -> Any:
    runner = CliRunner()
    return runner.invoke(main, ["terms", "end", *args],
                         env={"WOONTOEZICHT_TERMS": "", "WOONTOEZICHT_ATW_DAYS": "", **(env or {})})


def test_terms_end_answers_in_json_from_the_code_the_letters_use() -> None:
    result = _run("bezwaar", "2025-03-07", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "kind": "bezwaar", "from": "2025-03-07", "end": "2025-04-22", "computed_end": "2025-04-18",
        "moved_because": bezwaar(D(2025, 3, 7), CONFIG).moved_because, "statutory": True}


def test_terms_end_prints_a_dutch_line() -> None:
    result = _run("bezwaar", "2025-03-18")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == ("Bezwaartermijn (wettelijke termijn): brief verzonden op 18 maart 2025, "
                                             "termijn eindigt op dinsdag 29 april 2025.")


def test_terms_end_of_a_begunstigingstermijn_says_why_it_moved() -> None:
    result = _run("begunstiging", "2025-11-13", "--days", "9")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "Begunstigingstermijn van 9 dagen (termijn van het college): brief verzonden op 13 november 2025, "
        "termijn eindigt op maandag 24 november 2025.",
        "Berekend einde zaterdag 22 november 2025: 22 november 2025 is zaterdag; 23 november 2025 is zondag; "
        "verschoven naar de eerstvolgende werkdag (beleid van de gemeente)."]
    as_json = json.loads(_run("begunstiging", "2025-11-13", "--days", "9", "--json").stdout)
    assert as_json["statutory"] is False and as_json["end"] == "2025-11-24"


def test_terms_end_warns_about_an_unverified_equated_day_on_standard_error() -> None:
    result = _run("invordering", "2026-04-03", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["end"] == "2026-05-18"
    assert result.stderr.startswith("Let op: 15 mei 2026")


def test_terms_end_uses_the_configured_list_of_equated_days(tmp_path: Path) -> None:
    result = _run("bezwaar", "2026-01-27", "--json", env={"WOONTOEZICHT_ATW_DAYS": _atw_file(tmp_path, [DECREE_2026])})
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["end"] == "2026-03-11"


@pytest.mark.parametrize(("args", "message"), [
    (["bezwaar", "2025-02-30"], "Ongeldige datum '2025-02-30': schrijf JJJJ-MM-DD, bijvoorbeeld 2025-03-18."),
    (["bezwaar", "20250318"], "Ongeldige datum '20250318': schrijf JJJJ-MM-DD, bijvoorbeeld 2025-03-18."),
    (["beroep", "2025-03-18"], "Onbekende termijn 'beroep': kies bezwaar, zienswijze, invordering of begunstiging."),
    (["begunstiging", "2025-03-18"], "Bij begunstiging hoort --days N: het aantal dagen van de termijn."),
    (["begunstiging", "2025-03-18", "--days", "-3"], "--days moet een geheel getal van 1 tot en met 3650 zijn, "
                                                     "niet '-3'."),
    (["begunstiging", "2025-03-18", "--days", "twee"], "--days moet een geheel getal van 1 tot en met 3650 zijn, "
                                                       "niet 'twee'."),
    (["bezwaar", "2025-03-18", "--days", "5"], "--days hoort alleen bij begunstiging; de bezwaartermijn staat "
                                               "vast (WOONTOEZICHT_TERMS)."),
    (["bezwaar", "9999-12-30"], "De termijn eindigt na het jaar 9999 en kan niet worden berekend."),
])
def test_terms_end_refuses_bad_input_with_one_dutch_line(args: list[str], message: str) -> None:
    result = _run(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == message + "\n"


def test_terms_end_with_a_broken_list_of_equated_days_says_so_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "kapot.json"
    path.write_text("{", encoding="utf-8")
    result = _run("bezwaar", "2025-03-18", env={"WOONTOEZICHT_ATW_DAYS": str(path)})
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{path}: geen geldige JSON") and result.stderr.count("\n") == 1
