"""What scoring produces: verdicts per leaf, per array, per document and per run.

Plain dataclasses that turn into JSON-ready dicts and back (``to_dict``/``from_dict``), so a
run can be stored (a JSON column) and compared later without scoring again.

* ``FieldResult``: one expected leaf, its predicted value, a ``Verdict`` and the reason.
* ``ArrayResult``: one expected array: rows expected, predicted, matched, exactly right, and
  which predicted row was paired with which expected row.
* ``DocumentScore``: every leaf and array of one document (and the error, when extraction
  failed: its leaves are then all missing).
* ``RunScore``: the documents of one run, with per-field, per-array and per-group aggregates.

Accuracy counts expected leaves: ``correct / total`` over every ``FieldResult``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

__all__ = [
    "ArrayAggregate",
    "ArrayResult",
    "DocumentScore",
    "FieldAggregate",
    "FieldResult",
    "GroupAggregate",
    "RunScore",
    "Verdict",
    "field_of_path",
]

_INDEX = re.compile(r"\[\d+\]")


def field_of_path(path: str) -> str:
    """The field a leaf belongs to, its row numbers removed: ``items[3].amount`` ->
    ``items[].amount``."""
    return _INDEX.sub("[]", path)


class Verdict(StrEnum):
    """How a predicted leaf compares with the expected one.

    ``CORRECT``: they match (an expected null predicted as null counts here). ``WRONG``: both
    have a value and they differ. ``MISSING``: a value was expected and none was predicted (null,
    empty text or no key). ``EXTRA``: null was expected and a value was predicted.
    """

    CORRECT = "correct"
    WRONG = "wrong"
    MISSING = "missing"
    EXTRA = "extra"


@dataclass(frozen=True)
class FieldResult:
    """One expected leaf. ``path`` is where it sits in the expected object (``items[0].qty``);
    ``predicted_path`` is where its predicted value sat (rows may be paired out of order;
    ``None`` when nothing was predicted for it) and is the key of its confidence."""

    path: str
    expected: Any
    predicted: Any
    verdict: Verdict
    reason: str
    mode: str
    predicted_path: str | None = None
    confidence: float | None = None

    @property
    def field(self) -> str:
        return field_of_path(self.path)

    @property
    def correct(self) -> bool:
        return self.verdict is Verdict.CORRECT

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "expected": self.expected,
            "predicted": self.predicted,
            "verdict": self.verdict.value,
            "reason": self.reason,
            "mode": self.mode,
            "predicted_path": self.predicted_path,
            "confidence": self.confidence,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FieldResult:
        return cls(
            path=data["path"],
            expected=data.get("expected"),
            predicted=data.get("predicted"),
            verdict=Verdict(data["verdict"]),
            reason=data.get("reason", ""),
            mode=data.get("mode", "text"),
            predicted_path=data.get("predicted_path"),
            confidence=data.get("confidence"),
        )


@dataclass(frozen=True)
class ArrayResult:
    """One expected array. ``pairs`` holds (expected row, predicted row) for the rows the
    optimal assignment matched; a matched row agrees in at least one leaf, an exact row in all
    of them. Row precision = matched / predicted rows, recall = matched / expected rows."""

    path: str
    expected_rows: int
    predicted_rows: int
    matched_rows: int
    exact_rows: int
    pairs: tuple[tuple[int, int], ...] = ()

    @property
    def field(self) -> str:
        return field_of_path(self.path)

    @property
    def precision(self) -> float:
        return self.matched_rows / self.predicted_rows if self.predicted_rows else 1.0

    @property
    def recall(self) -> float:
        return self.matched_rows / self.expected_rows if self.expected_rows else 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "expected_rows": self.expected_rows,
            "predicted_rows": self.predicted_rows,
            "matched_rows": self.matched_rows,
            "exact_rows": self.exact_rows,
            "pairs": [list(pair) for pair in self.pairs],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ArrayResult:
        return cls(
            path=data["path"],
            expected_rows=int(data["expected_rows"]),
            predicted_rows=int(data["predicted_rows"]),
            matched_rows=int(data["matched_rows"]),
            exact_rows=int(data["exact_rows"]),
            pairs=tuple((int(i), int(j)) for i, j in data.get("pairs", [])),
        )


@dataclass
class DocumentScore:
    """Every scored leaf and array of one document."""

    document_id: str
    schema_name: str = ""
    doc_type: str | None = None
    fields: list[FieldResult] = field(default_factory=list)
    arrays: list[ArrayResult] = field(default_factory=list)
    error: str | None = None

    @property
    def correct(self) -> int:
        return sum(1 for result in self.fields if result.correct)

    @property
    def total(self) -> int:
        return len(self.fields)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    def verdict_counts(self) -> dict[str, int]:
        """How many leaves got each verdict (every verdict present, zero or not)."""
        counts = Counter(result.verdict.value for result in self.fields)
        return {verdict.value: counts.get(verdict.value, 0) for verdict in Verdict}

    def wrong_fields(self) -> list[FieldResult]:
        return [result for result in self.fields if not result.correct]

    def to_dict(self) -> dict[str, Any]:
        return {
            "document_id": self.document_id,
            "schema_name": self.schema_name,
            "doc_type": self.doc_type,
            "error": self.error,
            "correct": self.correct,
            "total": self.total,
            "fields": [result.to_dict() for result in self.fields],
            "arrays": [result.to_dict() for result in self.arrays],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DocumentScore:
        return cls(
            document_id=data["document_id"],
            schema_name=data.get("schema_name", ""),
            doc_type=data.get("doc_type"),
            error=data.get("error"),
            fields=[FieldResult.from_dict(item) for item in data.get("fields", [])],
            arrays=[ArrayResult.from_dict(item) for item in data.get("arrays", [])],
        )


@dataclass(frozen=True)
class FieldAggregate:
    """One field of one schema across a run's documents."""

    schema_name: str
    field: str
    correct: int
    total: int
    counts: dict[str, int]

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    @property
    def label(self) -> str:
        return f"{self.schema_name}.{self.field}" if self.schema_name else self.field


@dataclass(frozen=True)
class ArrayAggregate:
    """One array field of one schema across a run: row counts, precision and recall."""

    schema_name: str
    field: str
    expected_rows: int
    predicted_rows: int
    matched_rows: int
    exact_rows: int

    @property
    def precision(self) -> float:
        return self.matched_rows / self.predicted_rows if self.predicted_rows else 1.0

    @property
    def recall(self) -> float:
        return self.matched_rows / self.expected_rows if self.expected_rows else 1.0


@dataclass(frozen=True)
class GroupAggregate:
    """The documents of one group (a doc type or a schema)."""

    name: str
    documents: int
    errors: int
    correct: int
    total: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


@dataclass
class RunScore:
    """The scored documents of one run."""

    documents: list[DocumentScore] = field(default_factory=list)

    @property
    def correct(self) -> int:
        return sum(document.correct for document in self.documents)

    @property
    def total(self) -> int:
        return sum(document.total for document in self.documents)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    @property
    def errors(self) -> int:
        return sum(1 for document in self.documents if document.error)

    def document(self, document_id: str) -> DocumentScore | None:
        return next((d for d in self.documents if d.document_id == document_id), None)

    def field_results(self) -> Iterator[FieldResult]:
        for document in self.documents:
            yield from document.fields

    def field_aggregates(self) -> list[FieldAggregate]:
        """Per (schema, field), sorted by schema then field."""
        buckets: dict[tuple[str, str], Counter[str]] = {}
        for document in self.documents:
            for result in document.fields:
                key = (document.schema_name, result.field)
                buckets.setdefault(key, Counter())[result.verdict.value] += 1
        return [
            FieldAggregate(
                schema_name=schema_name,
                field=field_name,
                correct=counts.get(Verdict.CORRECT.value, 0),
                total=sum(counts.values()),
                counts={verdict.value: counts.get(verdict.value, 0) for verdict in Verdict},
            )
            for (schema_name, field_name), counts in sorted(buckets.items())
        ]

    def array_aggregates(self) -> list[ArrayAggregate]:
        """Per (schema, array field): rows summed over documents."""
        sums: dict[tuple[str, str], list[int]] = {}
        for document in self.documents:
            for array in document.arrays:
                row = sums.setdefault((document.schema_name, array.field), [0, 0, 0, 0])
                row[0] += array.expected_rows
                row[1] += array.predicted_rows
                row[2] += array.matched_rows
                row[3] += array.exact_rows
        return [
            ArrayAggregate(schema_name, field_name, *row)
            for (schema_name, field_name), row in sorted(sums.items())
        ]

    def group_aggregates(self, by: str = "doc_type") -> list[GroupAggregate]:
        """Per doc type (``by="doc_type"``, falling back to the schema name) or per schema
        (``by="schema"``), in order of first appearance."""
        groups: dict[str, list[DocumentScore]] = {}
        for document in self.documents:
            name = document.schema_name
            if by == "doc_type" and document.doc_type:
                name = document.doc_type
            groups.setdefault(name, []).append(document)
        return [_group(name, documents) for name, documents in groups.items()]

    def to_dict(self) -> dict[str, Any]:
        return {
            "correct": self.correct,
            "total": self.total,
            "accuracy": self.accuracy,
            "documents": [document.to_dict() for document in self.documents],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunScore:
        return cls([DocumentScore.from_dict(item) for item in data.get("documents", [])])


def _group(name: str, documents: Iterable[DocumentScore]) -> GroupAggregate:
    members = list(documents)
    return GroupAggregate(
        name=name,
        documents=len(members),
        errors=sum(1 for document in members if document.error),
        correct=sum(document.correct for document in members),
        total=sum(document.total for document in members),
    )
