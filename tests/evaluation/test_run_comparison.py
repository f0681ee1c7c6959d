"""Comparing two scored runs: per-field deltas, changed documents and the regression gate."""

from __future__ import annotations

from typing import Any

import pytest

from evaluation.comparison import gate_check, runs_compare
from evaluation.results import RunScore, Verdict
from evaluation.scoring import document_score

SCHEMA = {
    "type": "object",
    "properties": {"number": {"type": "string"}, "total": {"type": "number"}},
}
EXPECTED = {
    "a": {"number": "1", "total": 10},
    "b": {"number": "2", "total": 20},
    "c": {"number": "3", "total": 30},
}


def run(predictions: dict[str, Any]) -> RunScore:
    return RunScore(
        [
            document_score(
                expected=EXPECTED[document_id],
                predicted=predicted,
                schema=SCHEMA,
                document_id=document_id,
                schema_name="invoice",
            )
            for document_id, predicted in predictions.items()
        ]
    )


BASELINE = run(
    {
        "a": {"number": "1", "total": 10},
        "b": {"number": "2", "total": 20},
        "c": {"number": "3", "total": 31},
    }
)


def test_field_deltas_and_changed_documents() -> None:
    candidate = run(
        {
            "a": {"number": "1", "total": 10},
            "b": {"number": "X", "total": 20},
            "c": {"number": "3", "total": 30},
        }
    )
    comparison = runs_compare(baseline=BASELINE, candidate=candidate, max_drop=0.01)
    deltas = {d.field: (d.baseline_accuracy, d.candidate_accuracy) for d in comparison.field_deltas}
    assert deltas == {"number": (1.0, pytest.approx(2 / 3)), "total": (pytest.approx(2 / 3), 1.0)}
    assert [d.label for d in comparison.worse_fields()] == ["invoice.number"]
    changed = {doc.document_id: doc for doc in comparison.changed_documents}
    assert sorted(changed) == ["b", "c"]
    (change,) = changed["b"].changes
    assert (change.path, change.baseline_predicted, change.candidate_predicted) == (
        "number",
        "2",
        "X",
    )
    assert (change.baseline_verdict, change.candidate_verdict) == (Verdict.CORRECT, Verdict.WRONG)
    assert change.direction == "worse"
    assert changed["c"].changes[0].direction == "better"
    assert comparison.gate.passed  # 5/6 both times


def test_a_changed_value_with_the_same_verdict_is_reported_as_same() -> None:
    candidate = run(
        {
            "a": {"number": "1", "total": 10},
            "b": {"number": "2", "total": 20},
            "c": {"number": "3", "total": 35},
        }
    )
    comparison = runs_compare(baseline=BASELINE, candidate=candidate)
    (document,) = comparison.changed_documents
    assert (document.document_id, document.changes[0].direction) == ("c", "same")


def test_the_gate_fails_when_accuracy_drops_more_than_allowed() -> None:
    worse = run(
        {"a": {"number": "1", "total": 10}, "b": {"number": "2"}, "c": {"number": "3", "total": 31}}
    )
    gate = gate_check(baseline=BASELINE, candidate=worse, max_drop=0.01)
    assert not gate.passed
    assert gate.drop == pytest.approx(1 / 6)
    assert gate.message.startswith("gate FAILED: accuracy 0.667 vs baseline 0.833")
    assert gate_check(baseline=BASELINE, candidate=worse, max_drop=0.2).passed


def test_the_gate_passes_at_exactly_the_allowed_drop() -> None:
    worse = run(
        {"a": {"number": "1", "total": 10}, "b": {"number": "2"}, "c": {"number": "3", "total": 31}}
    )
    assert gate_check(baseline=BASELINE, candidate=worse, max_drop=1 / 6).passed


def test_the_gate_compares_only_the_documents_both_runs_hold() -> None:
    partial = run({"a": {"number": "1", "total": 10}, "b": {"number": "2", "total": 20}})
    comparison = runs_compare(baseline=BASELINE, candidate=partial)
    assert comparison.gate.documents == 2
    assert comparison.gate.baseline_accuracy == 1.0
    assert comparison.only_in_baseline == ("c",)
    assert comparison.only_in_candidate == ()


def test_the_gate_fails_without_shared_documents_and_rejects_a_negative_drop() -> None:
    other = RunScore([])
    assert not gate_check(baseline=BASELINE, candidate=other, max_drop=0.5).passed
    with pytest.raises(ValueError, match="max_drop"):
        gate_check(baseline=BASELINE, candidate=BASELINE, max_drop=-0.1)


def test_comparing_stored_runs() -> None:
    stored = RunScore.from_dict(BASELINE.to_dict())
    comparison = runs_compare(baseline=stored, candidate=BASELINE)
    assert comparison.changed_documents == ()
    assert comparison.gate.passed
