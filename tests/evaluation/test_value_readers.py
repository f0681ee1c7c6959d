"""The value readers behind the scorer: text, numbers, dates, booleans, durations, names."""

from __future__ import annotations

import pytest

from evaluation.values import (
    PRESENT,
    alnum_normalise,
    boolean_read,
    currency_read,
    date_format,
    date_read,
    duration_read,
    number_read,
    party_core,
    person_tokens,
    text_normalise,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Café  DU-Monde!", "cafe du monde"),
        ("Smith & Sons", "smith and sons"),
        ("spółka  akcyjna", "spolka akcyjna"),
        ("Ærøskøbing", "aeroskobing"),
        ("  東京 タワー ", "東京 タワー"),
        (30.0, "30"),
        (None, ""),
    ],
)
def test_text_is_normalised(raw: object, expected: str) -> None:
    assert text_normalise(raw) == expected


def test_different_non_latin_names_stay_different() -> None:
    assert text_normalise("Иванов") != text_normalise("Петров")


def test_alnum_keeps_letters_and_digits_only() -> None:
    assert alnum_normalise("123-45-6789") == "123456789"
    assert alnum_normalise("DE 1456/790") == "de1456790"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1.234,56", 1234.56),
        ("$1,234.56", 1234.56),
        ("RM 3.90", 3.9),
        ("3.90 EUR", 3.9),
        ("€ 1 234,56", 1234.56),
        ("12,5", 12.5),
        ("1,500", 1500.0),
        ("1.234.567", 1234567.0),
        ("(12.00)", -12.0),
        ("-5", -5.0),
        ("\u22125", -5.0),
        ("15%", 15.0),
        (42, 42.0),
        (3.25, 3.25),
    ],
)
def test_numbers_are_read_from_printed_forms(raw: object, expected: float) -> None:
    assert number_read(raw) == pytest.approx(expected)


@pytest.mark.parametrize("raw", ["abc", "", "2 x 3.90", "Total: 30.90", True, None, [1]])
def test_text_that_is_not_one_number_reads_as_none(raw: object) -> None:
    assert number_read(raw) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2018-11-18", {(2018, 11, 18)}),
        ("2018-03-21T10:30:00Z", {(2018, 3, 21)}),
        ("2018/3/21", {(2018, 3, 21)}),
        ("18-11-18", {(2018, 11, 18)}),
        ("24 MAR 18", {(2018, 3, 24)}),
        ("April 18, 2001", {(2001, 4, 18)}),
        ("the 18th day of April, 2001", {(2001, 4, 18)}),
        ("Sept. 3, 2020", {(2020, 9, 3)}),
        ("5 décembre 2019", {(2019, 12, 5)}),
        ("1. März 2021", {(2021, 3, 1)}),
        ("18 listopad 2019", {(2019, 11, 18)}),
        ("March 2020", {(2020, 3)}),
        ("2021-03", {(2021, 3)}),
        ("03/2021", {(2021, 3)}),
        ("2021", {(2021,)}),
        (2021, {(2021,)}),
        ("01/02/75", {(1975, 1, 2), (1975, 2, 1)}),
        ("01/02/05", {(2005, 1, 2), (2005, 2, 1)}),
        ("present", {PRESENT}),
    ],
)
def test_dates_are_read_from_printed_forms(raw: object, expected: set[object]) -> None:
    assert date_read(raw) == expected


def test_an_ambiguous_numeric_date_is_settled_by_the_order_hint() -> None:
    assert date_read("03/04/2020") == {(2020, 3, 4), (2020, 4, 3)}
    assert date_read("03/04/2020", "dmy") == {(2020, 4, 3)}
    assert date_read("03/04/2020", "mdy") == {(2020, 3, 4)}
    # Only one reading is a real date: the hint cannot override it.
    assert date_read("13/04/2020", "mdy") == {(2020, 4, 13)}


@pytest.mark.parametrize("raw", ["N/A", "", "2020-02-30", "1 March", "hello", None, True])
def test_non_dates_read_as_nothing(raw: object) -> None:
    assert date_read(raw) == set()


def test_date_format_is_iso() -> None:
    assert date_format((2021, 3, 4)) == "2021-03-04"
    assert date_format((2021, 3)) == "2021-03"
    assert date_format((2021,)) == "2021"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (True, True),
        ("yes", True),
        ("X", True),
        ("checked", True),
        (1, True),
        ("no", False),
        ("Unchecked", False),
        ("0", False),
        (False, False),
        ("maybe", None),
        (None, None),
    ],
)
def test_booleans_are_read_from_words(raw: object, expected: bool | None) -> None:
    assert boolean_read(raw) is expected


@pytest.mark.parametrize(
    ("raw", "months"),
    [
        ("3 years", 36.0),
        ("36 months", 36.0),
        ("three (3) years", 36.0),
        ("eighteen months", 18.0),
        ("twenty four months", 24.0),
        ("P2Y", 24.0),
        ("P18M", 18.0),
        ("1 year and 6 months", 18.0),
        ("2 years from the date hereof, or 1 year after termination", 24.0),
        ("a year", 12.0),
    ],
)
def test_durations_are_read_in_months(raw: str, months: float) -> None:
    assert duration_read(raw) == pytest.approx(months)


@pytest.mark.parametrize("raw", ["forever", "5", 5, None, ""])
def test_text_without_a_duration_reads_as_none(raw: object) -> None:
    assert duration_read(raw) is None


def test_currencies_read_as_iso_codes() -> None:
    assert [currency_read(v) for v in ("€", "euro", "EUR", "$", "RM", "zł", "pln")] == [
        "EUR",
        "EUR",
        "EUR",
        "USD",
        "MYR",
        "PLN",
        "PLN",
    ]


def test_parties_drop_corporate_words_and_people_their_titles() -> None:
    assert party_core("NIKE, Inc.") == party_core("Nike Incorporated") == "nike"
    assert party_core("The Coca-Cola Company") == "coca cola"
    assert person_tokens("Dr. Jane Q. Smith") == ["jane", "q", "smith"]
