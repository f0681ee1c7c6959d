"""Typed value parsers: numbers and money, dates in many spellings, booleans."""

from __future__ import annotations

import datetime as dt

import pytest

from extraction.pipeline.values import (
    find_date,
    parse_bool,
    parse_date,
    parse_number,
    parse_year_month,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$1,234.56", 1234.56),
        ("1.234,56 €", 1234.56),
        ("1.234,56 EUR", 1234.56),
        ("USD 1234.56", 1234.56),
        ("CHF 1'234.56", 1234.56),
        ("$1,234.56 CAD", 1234.56),
        ("(12.00)", -12.0),
        ("-25,01", -25.01),
        ("- USD 6163.85", -6163.85),
        ("12.", 12.0),
    ],
)
def test_parse_number_reads_money_in_every_locale(text: str, expected: float) -> None:
    assert parse_number(text) == pytest.approx(expected)


def test_parse_number_uses_the_forced_decimal_separator_for_ambiguous_thousands() -> None:
    assert parse_number("1.234", decimal_comma=True) == 1234.0
    assert parse_number("1,234", decimal_comma=False) == 1234.0


def test_parse_number_without_digits_is_none() -> None:
    assert parse_number("n/a") is None


@pytest.mark.parametrize(
    "text",
    [
        "2024-03-05",
        "March 5, 2024",
        "5 Mar 2024",
        "5th day of March, 2024",
        "05.03.2024",
        "5. März 2024",
        "le 5 mars 2024",
        "5 maart 2024",
        "5 de marzo de 2024",
    ],
)
def test_parse_date_reads_unambiguous_spellings(text: str) -> None:
    assert parse_date(text) == dt.date(2024, 3, 5)


def test_parse_date_day_order_follows_the_hint() -> None:
    assert parse_date("05/03/2024", day_first=True) == dt.date(2024, 3, 5)
    assert parse_date("05/03/2024", day_first=False) == dt.date(2024, 5, 3)
    # A part above 12 decides on its own.
    assert parse_date("25/03/2024", day_first=False) == dt.date(2024, 3, 25)


def test_parse_date_without_year_needs_a_default_year() -> None:
    assert parse_date("09/01") is None
    assert parse_date("09/01", default_year=2023, day_first=False) == dt.date(2023, 9, 1)
    assert parse_date("05 Mar", default_year=2025) == dt.date(2025, 3, 5)


def test_find_date_reports_the_span_of_the_date() -> None:
    text = "Balance on 31 December 2024: GBP 5.00"
    value, start, end = find_date(text)
    assert value == dt.date(2024, 12, 31)
    assert text[start:end] == "31 December 2024"


def test_parse_date_of_text_without_a_date_is_none() -> None:
    assert parse_date("Net 30") is None
    assert parse_date("") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sep 2020", "2020-09"),
        ("2019-09", "2019-09"),
        ("November 2020", "2020-11"),
        ("09/2020", "2020-09"),
        ("present", None),
    ],
)
def test_parse_year_month(text: str, expected: str | None) -> None:
    assert parse_year_month(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Yes", True), ("☑", True), ("ja", True), ("No", False), ("☐", False), ("maybe", None)],
)
def test_parse_bool(text: str, expected: bool | None) -> None:
    assert parse_bool(text) is expected


def test_parse_date_reads_year_first_with_slashes_or_dots() -> None:
    assert parse_date("2024/03/05") == dt.date(2024, 3, 5)
    assert parse_date("2024.03.05") == dt.date(2024, 3, 5)
