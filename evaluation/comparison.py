"""Compare two scored runs of the same dataset, field by field, and gate regressions.

In: a baseline ``RunScore`` and a candidate ``RunScore`` (``evaluation.results``), usually the
saved agent and an edited one over the same examples. Out: a ``RunComparison``:

* ``field_deltas``: per (schema, field), the accuracy in each run and the change;
* ``changed_documents``: the documents where a predicted value or a verdict changed, with each
  change (``better`` / ``worse`` / ``same`` verdict-wise);
* ``gate``: passes when the candidate's accuracy is at most ``max_drop`` below the baseline's.

Both accuracies of the gate are taken over the documents the two runs share, so a candidate
run over fewer documents is neither rewarded nor punished for them; documents found in only
one run are listed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from evaluation.results import DocumentScore, FieldResult, RunScore, Verdict

__all__ = [
    "DocumentChanges",
    "FieldDelta",
    "GateResult",
    "RunComparison",
    "ValueChange",
    "gate_check",
    "runs_compare",
]


@dataclass(frozen=True)
class FieldDelta:
    """One field's accuracy in both runs; ``None`` where a run has no such field."""

    schema_name: str
    field: str
    baseline_correct: int
    baseline_total: int
    candidate_correct: int
    candidate_total: int

    @property
    def baseline_accuracy(self) -> float | None:
        return self.baseline_correct / self.baseline_total if self.baseline_total else None

    @property
    def candidate_accuracy(self) -> float | None:
        return self.candidate_correct / self.candidate_total if self.candidate_total else None

    @property
    def delta(self) -> float | None:
        """Candidate minus baseline accuracy (negative: worse)."""
        before, after = self.baseline_accuracy, self.candidate_accuracy
        return None if before is None or after is None else after - before

    @property
    def label(self) -> str:
        return f"{self.schema_name}.{self.field}" if self.schema_name else self.field


@dataclass(frozen=True)
class ValueChange:
    """One leaf whose predicted value or verdict differs between the runs."""

    path: str
    expected: Any
    baseline_predicted: Any
    candidate_predicted: Any
    baseline_verdict: Verdict | None
    candidate_verdict: Verdict | None

    @property
    def direction(self) -> str:
        """``better`` (now correct), ``worse`` (no longer correct) or ``same``."""
        before = self.baseline_verdict is Verdict.CORRECT
        after = self.candidate_verdict is Verdict.CORRECT
        if before == after:
            return "same"
        return "better" if after else "worse"


@dataclass(frozen=True)
class DocumentChanges:
    document_id: str
    baseline_correct: int
    candidate_correct: int
    total: int
    changes: tuple[ValueChange, ...]


@dataclass(frozen=True)
class GateResult:
    """The regression gate: ``passed`` unless the candidate lost more than ``max_drop``."""

    passed: bool
    baseline_accuracy: float
    candidate_accuracy: float
    max_drop: float
    documents: int
    message: str

    @property
    def drop(self) -> float:
        return self.baseline_accuracy - self.candidate_accuracy


@dataclass(frozen=True)
class RunComparison:
    field_deltas: tuple[FieldDelta, ...]
    changed_documents: tuple[DocumentChanges, ...]
    only_in_baseline: tuple[str, ...]
    only_in_candidate: tuple[str, ...]
    gate: GateResult

    def worse_fields(self) -> list[FieldDelta]:
        """Fields whose accuracy dropped, the largest drop first."""
        dropped = [d for d in self.field_deltas if d.delta is not None and d.delta < 0]
        return sorted(dropped, key=lambda d: (d.delta or 0.0, d.label))


def runs_compare(
    *, baseline: RunScore, candidate: RunScore, max_drop: float = 0.01
) -> RunComparison:
    """Compare ``candidate`` with ``baseline`` (see the module docstring). Raises
    ``ValueError`` when ``max_drop`` is negative."""
    gate = gate_check(baseline=baseline, candidate=candidate, max_drop=max_drop)
    before = {d.document_id: d for d in baseline.documents}
    after = {d.document_id: d for d in candidate.documents}
    common = [document_id for document_id in before if document_id in after]
    changed = []
    for document_id in common:
        changes = _value_changes(before[document_id], after[document_id])
        if changes:
            changed.append(
                DocumentChanges(
                    document_id=document_id,
                    baseline_correct=before[document_id].correct,
                    candidate_correct=after[document_id].correct,
                    total=max(before[document_id].total, after[document_id].total),
                    changes=tuple(changes),
                )
            )
    return RunComparison(
        field_deltas=_field_deltas(baseline, candidate),
        changed_documents=tuple(changed),
        only_in_baseline=tuple(d for d in before if d not in after),
        only_in_candidate=tuple(d for d in after if d not in before),
        gate=gate,
    )


def gate_check(*, baseline: RunScore, candidate: RunScore, max_drop: float) -> GateResult:
    """Whether ``candidate`` stays within ``max_drop`` (e.g. 0.01 = one point) of
    ``baseline``'s accuracy over their shared documents. No shared document fails the gate.
    Raises ``ValueError`` when ``max_drop`` is negative."""
    if max_drop < 0:
        raise ValueError("max_drop must be 0 or more")
    after = {d.document_id: d for d in candidate.documents}
    pairs = [(d, after[d.document_id]) for d in baseline.documents if d.document_id in after]
    if not pairs:
        return GateResult(False, 0.0, 0.0, max_drop, 0, "no document is in both runs")
    before_accuracy = _accuracy(d for d, _ in pairs)
    after_accuracy = _accuracy(d for _, d in pairs)
    drop = before_accuracy - after_accuracy
    passed = drop <= max_drop + 1e-12
    verb = "passed" if passed else "FAILED"
    message = (
        f"gate {verb}: accuracy {after_accuracy:.3f} vs baseline {before_accuracy:.3f} "
        f"({-drop:+.3f}; allowed drop {max_drop:.3f}) over {len(pairs)} documents"
    )
    return GateResult(passed, before_accuracy, after_accuracy, max_drop, len(pairs), message)


def _accuracy(documents: Any) -> float:
    correct = total = 0
    for document in documents:
        correct += document.correct
        total += document.total
    return correct / total if total else 0.0


def _field_deltas(baseline: RunScore, candidate: RunScore) -> tuple[FieldDelta, ...]:
    before = {(a.schema_name, a.field): a for a in baseline.field_aggregates()}
    after = {(a.schema_name, a.field): a for a in candidate.field_aggregates()}
    deltas = []
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        deltas.append(
            FieldDelta(
                schema_name=key[0],
                field=key[1],
                baseline_correct=old.correct if old else 0,
                baseline_total=old.total if old else 0,
                candidate_correct=new.correct if new else 0,
                candidate_total=new.total if new else 0,
            )
        )
    return tuple(deltas)


def _same_value(left: Any, right: Any) -> bool:
    return json.dumps(left, sort_keys=True, default=str) == json.dumps(
        right, sort_keys=True, default=str
    )


def _value_changes(before: DocumentScore, after: DocumentScore) -> list[ValueChange]:
    old = {result.path: result for result in before.fields}
    new = {result.path: result for result in after.fields}
    changes = []
    for path in [*old, *(p for p in new if p not in old)]:
        was: FieldResult | None = old.get(path)
        now: FieldResult | None = new.get(path)
        reference = was if was is not None else now
        if reference is None or (
            was is not None
            and now is not None
            and was.verdict is now.verdict
            and _same_value(was.predicted, now.predicted)
        ):
            continue
        changes.append(
            ValueChange(
                path=path,
                expected=reference.expected,
                baseline_predicted=was.predicted if was else None,
                candidate_predicted=now.predicted if now else None,
                baseline_verdict=was.verdict if was else None,
                candidate_verdict=now.verdict if now else None,
            )
        )
    return changes
