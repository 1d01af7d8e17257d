"""The reports package on its own: Dutch dates and amounts, page numbers, repeatable output, bad blocks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from reports import render
from reports.collect import address_line
from reports.fmt import bedrag, datum, getal, tijdstip, weekdag_datum
from tests.documents_world import pdf_pages, pdf_text

HEAD = {"name": "Gemeente Aalsmeer", "address": ["Raadhuisplein 1"], "logo": None}


@pytest.mark.parametrize(("value", "expected"), [
    (dt.date(2025, 3, 7), "7 maart 2025"), ("2025-12-29", "29 december 2025"), (None, "-"),
])
def test_dates_are_written_the_dutch_way(value: dt.date | str | None, expected: str) -> None:
    assert datum(value) == expected


def test_weekdays_and_moments_in_dutch_local_time() -> None:
    assert weekdag_datum("2026-04-27") == "maandag 27 april 2026"
    assert tijdstip("2025-07-01T10:05:00Z") == "1 juli 2025 12:05", "summer time in Amsterdam"
    assert tijdstip("2025-01-01T10:05:00+00:00") == "1 januari 2025 11:05"


@pytest.mark.parametrize(("value", "expected"), [
    (Decimal("1234.5"), "€ 1.234,50"), (500, "€ 500,00"), ("25750", "€ 25.750,00"), ("0.05", "€ 0,05"),
])
def test_amounts_are_written_the_dutch_way(value: Decimal | int | str, expected: str) -> None:
    assert bedrag(value).replace("\xa0", " ") == expected


def test_numbers_and_addresses() -> None:
    assert getal(3.5) == "3,5" and getal(None) == "-"
    address = {"straat": "Zwarteweg", "huisnummer": 12, "huisletter": "B", "toevoeging": "2", "postcode": "1431VL",
               "woonplaats": "Aalsmeer"}
    assert address_line(address) == "Zwarteweg 12b-2, 1431 VL Aalsmeer"


def long_document() -> dict[str, object]:
    rows = [[f"Ruimte {i}", "slaapkamer", str(i)] for i in range(120)]
    return {"title": "Proef", "kenmerk": "HH-2026-0001-01", "letterhead": HEAD,
            "header": [["Ons kenmerk", "HH-2026-0001-01"]],
            "blocks": [{"t": "h1", "text": "Proef <met> & tekens"}, {"t": "table", "head": ["A", "B", "C"],
                                                                     "rows": rows}]}


def test_every_page_says_which_of_how_many() -> None:
    pdf = render(long_document())
    pages = pdf_pages(pdf)
    assert pages >= 3
    text = pdf_text(pdf)
    for number in range(1, pages + 1):
        assert f"Pagina {number} van {pages}" in text
    assert "Proef <met> & tekens" in text, "text is escaped, not read as markup"
    assert "Ruimte 119" in text


def test_the_same_document_gives_the_same_bytes() -> None:
    assert render(long_document()) == render(long_document())
    assert render(long_document()) != render(long_document(), concept=True)


def test_a_missing_photo_is_named_not_fatal() -> None:
    document = {"title": "Proef", "letterhead": HEAD, "blocks": [{"t": "photo", "sha256": "ab" * 32,
                                                                  "caption": "Trap"}]}
    assert "niet beschikbaar" in pdf_text(render(document, lambda sha: None))


def test_an_unknown_block_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown block"):
        render({"title": "Proef", "letterhead": HEAD, "blocks": [{"t": "video"}]})
