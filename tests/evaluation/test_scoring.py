"""The scorer: a verdict and a reason per expected leaf, rows paired by optimal assignment."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from evaluation.results import DocumentScore, FieldResult, RunScore, Verdict
from evaluation.scoring import (
    ScoringOptions,
    confidences_from_field_metadata,
    count_leaves,
    document_score,
    expected_first_choice,
)

INVOICE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "number": {"type": ["string", "null"]},
        "vendor": {"type": ["string", "null"]},
        "total": {"type": ["number", "null"]},
        "issued": {"type": ["string", "null"], "format": "date"},
        "paid": {"type": ["boolean", "null"]},
        "status": {"type": "string", "enum": ["open", "paid", "void"]},
        "lines": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "description": {"type": "string"},
                    "quantity": {"type": "number"},
                    "amount": {"type": "number"},
                },
            },
        },
        "tags": {"type": "array", "items": {"type": "string"}},
    },
}


def score(
    expected: dict[str, Any],
    predicted: Any,
    schema: dict[str, Any] | None = None,
    **kwargs: Any,
) -> DocumentScore:
    return document_score(
        expected=expected, predicted=predicted, schema=schema or INVOICE_SCHEMA, **kwargs
    )


def only(document: DocumentScore) -> FieldResult:
    assert len(document.fields) == 1
    return document.fields[0]


def by_path(document: DocumentScore) -> dict[str, FieldResult]:
    return {result.path: result for result in document.fields}


# ------------------------------------------------------------------------------- text


def test_text_ignores_case_accents_punctuation_and_spacing() -> None:
    result = only(score({"vendor": "Café du Monde & Co."}, {"vendor": "  CAFE DU MONDE AND CO "}))
    assert result.verdict is Verdict.CORRECT
    assert result.reason == "equal text"


def test_text_containing_the_expected_words_counts_unless_strict() -> None:
    expected, predicted = {"vendor": "Acme"}, {"vendor": "Vendor: Acme"}
    assert only(score(expected, predicted)).verdict is Verdict.CORRECT
    strict = only(score(expected, predicted, options=ScoringOptions(strict=True)))
    assert strict.verdict is Verdict.WRONG


def test_text_much_longer_than_the_expected_words_is_wrong() -> None:
    predicted = {"vendor": "Acme " + "and a very long run of unrelated words " * 3}
    assert only(score({"vendor": "Acme"}, predicted)).verdict is Verdict.WRONG


def test_fuzzy_text_needs_a_threshold_from_the_field_or_the_options() -> None:
    expected, predicted = {"vendor": "MR DIY TRADING SDN BHD"}, {"vendor": "MR D1Y TRADING SDN BHO"}
    assert only(score(expected, predicted)).verdict is Verdict.WRONG
    hinted = {"type": "object", "properties": {"vendor": {"type": "string", "x-fuzzy": 0.85}}}
    result = only(score(expected, predicted, hinted))
    assert result.verdict is Verdict.CORRECT
    assert result.reason.startswith("similar text (0.9")
    assert only(score(expected, predicted, options=ScoringOptions(fuzzy=0.85))).correct
    strict = ScoringOptions(fuzzy=0.85, strict=True)
    assert not only(score(expected, predicted, hinted, options=strict)).correct


# ------------------------------------------------------------------------------- numbers


@pytest.mark.parametrize("printed", ["1.234,56", "$1,234.56", "1234.56", "1,234.56 EUR", 1234.561])
def test_numbers_match_in_printed_forms_within_the_tolerance(printed: object) -> None:
    assert only(score({"total": 1234.56}, {"total": printed})).verdict is Verdict.CORRECT


def test_numbers_outside_the_tolerance_are_wrong_with_the_difference() -> None:
    result = only(score({"total": 30.9}, {"total": "RM 30.95"}))
    assert result.verdict is Verdict.WRONG
    assert result.reason == "30.95 and 30.9 differ by 0.05 (tolerance 0.01)"
    loose = ScoringOptions(tolerance=0.1)
    assert only(score({"total": 30.9}, {"total": "RM 30.95"}, options=loose)).correct


def test_relative_tolerance_scales_with_the_expected_number() -> None:
    options = ScoringOptions(relative_tolerance=0.001)
    assert only(score({"total": 100000}, {"total": 100090}, options=options)).correct
    assert not only(score({"total": 100000}, {"total": 100200}, options=options)).correct


def test_a_number_field_given_text_is_wrong() -> None:
    result = only(score({"total": 12}, {"total": "twelve"}))
    assert (result.verdict, result.reason) == (Verdict.WRONG, "'twelve' is not a number")


# ------------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "printed", ["2021-03-04", "4 March 2021", "March 4, 2021", "2021-03-04T00:00:00"]
)
def test_dates_compare_as_iso(printed: str) -> None:
    assert only(score({"issued": "2021-03-04"}, {"issued": printed})).correct


def test_a_different_day_is_wrong_and_says_both_dates() -> None:
    result = only(score({"issued": "2021-03-04"}, {"issued": "5 March 2021"}))
    assert (result.verdict, result.reason) == (Verdict.WRONG, "2021-03-05 is not 2021-03-04")


def test_the_date_order_hint_decides_ambiguous_numeric_dates() -> None:
    def schema(order: str | None) -> dict[str, Any]:
        node: dict[str, Any] = {"type": "string", "x-compare": "date"}
        if order:
            node["x-date-order"] = order
        return {"type": "object", "properties": {"issued": node}}

    expected, predicted = {"issued": "2018-11-03"}, {"issued": "03/11/2018"}
    assert only(score(expected, predicted, schema("dmy"))).correct
    assert not only(score(expected, predicted, schema("mdy"))).correct
    unhinted = only(score(expected, predicted, schema(None)))
    assert unhinted.correct
    assert unhinted.reason.startswith("one reading of an ambiguous date")
    options = ScoringOptions(date_order="mdy")
    assert not only(score(expected, predicted, schema(None), options=options)).correct


def test_a_prediction_less_precise_than_the_expected_date_is_wrong() -> None:
    assert not only(score({"issued": "2021-03-04"}, {"issued": "March 2021"})).correct
    assert only(score({"issued": "2021-03"}, {"issued": "2021-03-04"})).correct


# ------------------------------------------------------------------------------- enums, booleans


def test_enums_compare_exactly() -> None:
    assert only(score({"status": "paid"}, {"status": "paid"})).correct
    result = only(score({"status": "paid"}, {"status": "Paid"}))
    assert result.verdict is Verdict.WRONG
    assert "exactly" in result.reason


def test_the_realdev_exact_hint_compares_normalised_text() -> None:
    schema = {"type": "object", "properties": {"kind": {"enum": ["c_corp"], "x-compare": "exact"}}}
    assert only(score({"kind": "c_corp"}, {"kind": "C corp"}, schema)).correct


@pytest.mark.parametrize(("printed", "ok"), [("yes", True), ("X", True), ("no", False)])
def test_booleans_read_checkbox_words(printed: str, ok: bool) -> None:
    assert only(score({"paid": True}, {"paid": printed})).correct is ok


def test_a_boolean_field_given_an_unclear_word_is_wrong() -> None:
    result = only(score({"paid": True}, {"paid": "maybe"}))
    assert (result.verdict, result.reason) == (Verdict.WRONG, "'maybe' is not a yes/no value")


# ------------------------------------------------------------------------------- realdev modes


@pytest.mark.parametrize(
    ("mode", "expected", "predicted", "ok"),
    [
        ("alnum", "123-45-6789", "123 45 6789", True),
        ("alnum", "123-45-6789", "123-45-6780", False),
        ("currency", "EUR", "€", True),
        ("duration", "2 years", "twenty four (24) months", True),
        ("duration", "2 years", "18 months", False),
        ("party", "NIKE, Inc.", "Nike Incorporated", True),
        ("party", "Yahoo! Inc.", "Google Inc.", False),
        ("person", "Jane Q. Smith", "Smith Jane", True),
        ("email", "a@b.com", "mailto:A@B.com", True),
        ("doi", "10.1000/xyz", "https://doi.org/10.1000/XYZ", True),
        ("text", "Oregon", "the State of Oregon", True),
    ],
)
def test_x_compare_hints_choose_the_rule(
    mode: str, expected: str, predicted: str, ok: bool
) -> None:
    schema = {"type": "object", "properties": {"value": {"type": "string", "x-compare": mode}}}
    result = only(score({"value": expected}, {"value": predicted}, schema))
    assert result.correct is ok
    assert result.mode == mode


def test_an_unknown_hint_compares_as_text() -> None:
    schema = {"type": "object", "properties": {"v": {"x-compare": "telepathy"}}}
    assert only(score({"v": "Abc"}, {"v": "abc"}, schema)).mode == "text"


# ------------------------------------------------------------------------------- $any


def test_any_accepts_each_listed_value_and_says_which() -> None:
    expected = {"vendor": {"$any": ["ORLEN S.A.", "ORLEN spółka akcyjna"]}}
    result = only(score(expected, {"vendor": "Orlen Spolka Akcyjna"}))
    assert result.verdict is Verdict.CORRECT
    assert result.reason == "equal text (accepted value 2)"


def test_any_rejects_other_values() -> None:
    result = only(score({"vendor": {"$any": ["A Corp", "B Corp"]}}, {"vendor": "C Corp"}))
    assert result.verdict is Verdict.WRONG
    assert result.reason.startswith("matches none of 2 accepted values")


def test_any_with_null_accepts_a_null_prediction() -> None:
    expected = {"vendor": {"$any": [None, "Acme"]}}
    assert only(score(expected, {"vendor": None})).correct
    assert only(score(expected, {})).correct
    assert only(score({"vendor": {"$any": ["Acme"]}}, {})).verdict is Verdict.MISSING


def test_first_choice_replaces_each_any_with_its_first_value() -> None:
    expected = {"a": {"$any": ["x", "y"]}, "rows": [{"b": {"$any": [1, 2]}}]}
    assert expected_first_choice(expected) == {"a": "x", "rows": [{"b": 1}]}
    assert count_leaves(expected) == 2


# ------------------------------------------------------------------------------- nulls


def test_nulls_are_counted_right_when_expected_null() -> None:
    document = score(
        {"number": None, "vendor": None, "total": None, "paid": None},
        {"number": None, "vendor": "", "paid": False},
    )
    verdicts = {result.path: result.verdict for result in document.fields}
    assert verdicts == {
        "number": Verdict.CORRECT,  # null
        "vendor": Verdict.CORRECT,  # empty text is null
        "total": Verdict.CORRECT,  # key absent
        "paid": Verdict.EXTRA,  # a value where none is
    }


def test_a_missing_value_is_missing_not_wrong() -> None:
    document = score({"number": "INV-1", "vendor": "Acme"}, {"number": None})
    assert [result.verdict for result in document.fields] == [Verdict.MISSING, Verdict.MISSING]
    assert document.fields[0].predicted_path == "number"
    assert document.fields[1].predicted_path is None  # the key was not there at all


def test_keys_absent_from_the_expected_object_are_not_scored() -> None:
    document = score({"number": "INV-1"}, {"number": "INV-1", "vendor": "Acme", "total": None})
    assert [result.path for result in document.fields] == ["number"]
    assert (document.correct, document.total) == (1, 1)


def test_a_failed_extraction_scores_every_value_missing() -> None:
    document = score({"number": "A", "total": 3}, None, error="the engine timed out")
    assert document.error == "the engine timed out"
    assert (document.correct, document.total) == (0, 2)
    assert {result.verdict for result in document.fields} == {Verdict.MISSING}


def test_a_list_where_one_value_is_expected_is_wrong_unless_it_holds_one() -> None:
    assert only(score({"vendor": "Acme"}, {"vendor": ["Acme"]})).correct
    result = only(score({"vendor": "Acme"}, {"vendor": ["Acme", "Beta"]}))
    assert (result.verdict, result.reason) == (
        Verdict.WRONG,
        "expected one value, got a list of 2 values",
    )


def test_expected_must_be_an_object() -> None:
    with pytest.raises(TypeError, match="expected must be a JSON object"):
        document_score(expected=[1], predicted={}, schema={})  # type: ignore[arg-type]


# ------------------------------------------------------------------------------- arrays


def test_rows_are_paired_by_content_not_position() -> None:
    expected = {
        "lines": [{"description": "Widget", "amount": 10}, {"description": "Gadget", "amount": 5}]
    }
    predicted = {
        "lines": [{"description": "gadget", "amount": 5}, {"description": "widget", "amount": 10}]
    }
    document = score(expected, predicted)
    assert (document.correct, document.total) == (4, 4)
    assert document.arrays[0].pairs == ((0, 1), (1, 0))
    paths = {result.path: result.predicted_path for result in document.fields}
    assert paths["lines[0].amount"] == "lines[1].amount"


def test_the_assignment_is_optimal_where_greedy_pairing_is_not() -> None:
    # Expected row 0 agrees with predicted row 1 on three cells (the best single pair) and with
    # predicted row 0 on two; expected row 1 agrees with predicted row 1 on two and with row 0
    # on none. Taking the best pair first scores 3 + 0; the optimal pairing 2 + 2.
    def row(*cells: str) -> dict[str, str]:
        return {f"f{index}": cell for index, cell in enumerate(cells)}

    expected = {"rows": [row("a", "a", "a", "a"), row("b", "b", "a", "x")]}
    predicted = {"rows": [row("a", "a", "y", "y"), row("a", "a", "a", "x")]}
    document = score(expected, predicted, {})
    assert document.correct == 4
    assert document.arrays[0].pairs == ((0, 0), (1, 1))


def test_the_assignment_matches_the_brute_force_best_on_a_shuffled_table() -> None:
    rows = [
        {"description": "Bolt", "quantity": 4, "amount": 2.0},
        {"description": "Nut", "quantity": 4, "amount": 1.0},
        {"description": "Washer", "quantity": 8, "amount": 1.0},
        {"description": "Bolt", "quantity": 8, "amount": 4.0},
    ]
    predicted_rows = [
        {"description": "Bolt", "quantity": 8, "amount": 2.0},
        {"description": "Washer", "quantity": 4, "amount": 1.0},
        {"description": "Nut", "quantity": 8, "amount": 4.0},
        {"description": "Bolt", "quantity": 4, "amount": 1.0},
    ]
    document = score({"lines": rows}, {"lines": predicted_rows})

    def agreeing(expected_row: dict[str, Any], predicted_row: dict[str, Any]) -> int:
        return score({"lines": [expected_row]}, {"lines": [predicted_row]}).correct

    best = max(
        sum(agreeing(rows[i], predicted_rows[j]) for i, j in enumerate(order))
        for order in itertools.permutations(range(4))
    )
    positional = sum(agreeing(rows[i], predicted_rows[i]) for i in range(4))
    assert document.correct == best
    assert best > positional


def test_equally_good_pairings_keep_the_printed_order() -> None:
    expected = {"lines": [{"description": "A", "amount": 1}, {"description": "A", "amount": 2}]}
    predicted = {"lines": [{"description": "A", "amount": 7}, {"description": "A", "amount": 8}]}
    assert score(expected, predicted).arrays[0].pairs == ((0, 0), (1, 1))


def test_row_precision_and_recall() -> None:
    expected = {"lines": [{"description": "A"}, {"description": "B"}, {"description": "C"}]}
    predicted = {
        "lines": [
            {"description": "B"},
            {"description": "A"},
            {"description": "X"},
            {"description": "Y"},
        ]
    }
    array = score(expected, predicted).arrays[0]
    assert (array.expected_rows, array.predicted_rows, array.matched_rows) == (3, 4, 2)
    assert array.precision == pytest.approx(0.5)
    assert array.recall == pytest.approx(2 / 3)


def test_rows_no_predicted_row_was_paired_with_are_missing() -> None:
    expected = {
        "lines": [{"description": "A", "quantity": None}, {"description": "B", "quantity": None}]
    }
    document = score(expected, {"lines": [{"description": "B", "quantity": None}]})
    results = by_path(document)
    assert results["lines[1].description"].verdict is Verdict.CORRECT
    assert results["lines[0].description"].verdict is Verdict.MISSING
    # Stricter than score.py: the expected null of an unpredicted row is not a free point.
    assert results["lines[0].quantity"].verdict is Verdict.MISSING
    assert results["lines[0].quantity"].reason == "no predicted row was paired with this row"


def test_no_predicted_rows_leaves_every_cell_missing() -> None:
    document = score({"lines": [{"description": "A", "amount": 1}]}, {"lines": None})
    assert [r.verdict for r in document.fields] == [Verdict.MISSING, Verdict.MISSING]
    assert document.arrays[0].recall == 0.0


def test_an_expected_empty_array_is_one_field() -> None:
    assert only(score({"lines": []}, {"lines": []})).verdict is Verdict.CORRECT
    assert only(score({"lines": []}, {})).verdict is Verdict.CORRECT
    result = only(score({"lines": []}, {"lines": [{"description": "A"}]}))
    assert (result.verdict, result.reason) == (Verdict.EXTRA, "no rows expected, 1 predicted")


def test_scalar_arrays_match_one_to_one() -> None:
    document = score({"tags": ["urgent", "paid"]}, {"tags": ["PAID", "Urgent", "paid"]})
    assert (document.correct, document.total) == (2, 2)
    assert document.arrays[0].precision == pytest.approx(2 / 3)
    once = score({"tags": ["paid", "paid"]}, {"tags": ["paid"]})
    assert [r.verdict for r in once.fields] == [Verdict.CORRECT, Verdict.MISSING]


def test_a_string_is_not_split_into_array_items() -> None:
    schema = {
        "type": "object",
        "properties": {"parties": {"type": "array", "items": {"x-compare": "party"}}},
    }
    document = score(
        {"parties": ["NIKE, Inc.", "Eric Sprunk"]}, {"parties": "NIKE, Inc.; Eric Sprunk"}, schema
    )
    # The text is one predicted item, so at most one party can be paired with it.
    assert document.arrays[0].predicted_rows == 1
    assert (document.correct, document.total) == (1, 2)


def test_reordered_and_renamed_parties_still_match() -> None:
    schema = {
        "type": "object",
        "properties": {"parties": {"type": "array", "items": {"x-compare": "party"}}},
    }
    predicted = {"parties": ["ERIC DEAN SPRUNK", "Nike Incorporated"]}
    document = score({"parties": ["NIKE, Inc.", "Eric Dean Sprunk"]}, predicted, schema)
    assert (document.correct, document.total) == (2, 2)


# ------------------------------------------------------------------------------- schemas


def test_nullable_any_of_and_refs_are_followed_for_the_mode() -> None:
    schema = {
        "type": "object",
        "$defs": {"money": {"type": "number"}},
        "properties": {
            "total": {"anyOf": [{"$ref": "#/$defs/money"}, {"type": "null"}]},
            "when": {"oneOf": [{"type": "null"}, {"type": "string", "format": "date"}]},
        },
    }
    document = score(
        {"total": 12.5, "when": "2020-01-02"}, {"total": "12,50", "when": "2 Jan 2020"}, schema
    )
    assert [(r.mode, r.verdict) for r in document.fields] == [
        ("number", Verdict.CORRECT),
        ("date", Verdict.CORRECT),
    ]


def test_the_mode_follows_the_expected_value_when_the_schema_says_nothing() -> None:
    document = score({"n": 3, "b": True, "s": "x"}, {"n": "3.00", "b": "yes", "s": "X"}, {})
    assert [(r.mode, r.correct) for r in document.fields] == [
        ("number", True),
        ("boolean", True),
        ("text", True),
    ]


# ------------------------------------------------------------------------------- confidences


def test_confidences_follow_the_predicted_row() -> None:
    expected = {"lines": [{"amount": 10}, {"amount": 5}]}
    predicted = {"lines": [{"amount": 5}, {"amount": 10}]}
    document = score(
        expected, predicted, confidences={"lines[0].amount": 0.4, "lines[1].amount": 0.9}
    )
    results = by_path(document)
    assert results["lines[0].amount"].confidence == 0.9
    assert results["lines[1].amount"].confidence == 0.4


def test_confidences_are_read_from_field_metadata() -> None:
    metadata = {
        "number": {"citation": [], "confidence": 0.97, "extraction_confidence": 0.97},
        "lines": [{"amount": {"confidence": 0.5, "match": "exact"}}],
        "reasoning": "text",
        "vendor": {"citation": []},
    }
    assert confidences_from_field_metadata(metadata) == {"number": 0.97, "lines[0].amount": 0.5}


# ------------------------------------------------------------------------------- runs


def test_run_aggregates_per_field_and_per_group_and_round_trips() -> None:
    first = score(
        {"number": "1", "total": 5},
        {"number": "1", "total": 6},
        document_id="a",
        schema_name="invoice",
        doc_type="invoice",
    )
    second = score(
        {"number": "2", "total": 7},
        {"total": 7},
        document_id="b",
        schema_name="invoice",
        doc_type="invoice",
    )
    run = RunScore([first, second])
    assert (run.correct, run.total) == (2, 4)
    fields = {
        a.field: (a.correct, a.total, a.counts["wrong"], a.counts["missing"])
        for a in run.field_aggregates()
    }
    assert fields == {"number": (1, 2, 0, 1), "total": (1, 2, 1, 0)}
    assert [(g.name, g.documents, g.correct, g.total) for g in run.group_aggregates()] == [
        ("invoice", 2, 2, 4)
    ]
    again = RunScore.from_dict(run.to_dict())
    assert again.to_dict() == run.to_dict()
    assert again.documents[0].fields[1].verdict is Verdict.WRONG
