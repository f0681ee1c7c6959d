"""Score a predicted JSON object against the expected one, leaf by leaf, driven by the schema.

In: the expected object (the ground truth), the predicted object, the JSON Schema (its
``x-compare``, ``x-fuzzy`` and ``x-date-order`` hints are read when present), optionally the
per-leaf confidences of the prediction. Out: a ``DocumentScore`` (``evaluation.results``): one
``FieldResult`` per expected leaf with its verdict (correct, wrong, missing, extra) and reason,
and one ``ArrayResult`` per expected array. No Django, no I/O.

Rules:

* Only keys present in the expected object are scored. A key the ground truth leaves out is
  not scored whatever the prediction holds (null or a value): realdev-style datasets omit the
  fields that are empty or ambiguous on purpose. A ground truth that wants "this field is
  empty" scored says so with an explicit ``null``.
* An expected ``null`` is correct when the prediction is null, empty text or absent, and
  ``extra`` when a value was predicted. An expected value with nothing predicted is ``missing``.
* Leaves compare by mode (``evaluation.matching``): text normalised (case, accents,
  punctuation, whitespace, ``&`` = and; a prediction containing the expected words and not
  much longer also counts; fuzzy only where ``x-fuzzy`` or ``ScoringOptions.fuzzy`` asks),
  numbers within a tolerance (``1.234,56``, ``$1,234.56``, ``RM 3.90`` are read), dates as ISO
  (printed forms read; ``x-date-order`` settles day-first/month-first), enums exactly, booleans
  from yes/no/checked…, and the realdev modes alnum, exact, currency, duration, party, person,
  email, doi.
* ``{"$any": [a, b]}`` as an expected leaf accepts a prediction matching any of the values.
* Arrays (of objects or of scalars) pair predicted rows with expected rows by an optimal
  assignment (``scipy.optimize.linear_sum_assignment``) maximising the number of agreeing
  leaves, so order does not matter; on a tie the positional pairing wins. Each expected leaf is
  one scored field; the rows of an expected row left without a predicted one are ``missing``.
  Extra predicted rows lower the row precision, not the accuracy. An expected empty array is one
  field: correct when nothing (or an empty array) is predicted, ``extra`` otherwise.

Compared with ``../shared/realdev/score.py`` (which these rules follow; ``bench/
scorer_agreement.py`` measures the agreement), this scorer is

stricter where
  - keys match exactly (score.py also matches ``Invoice Number`` to ``invoice_number``);
  - a string is not split into items for an array (score.py splits on ``;``, newlines and
    commas, which also cuts ``NIKE, Inc.`` in two);
  - a number must be the whole text apart from currency marks: ``"Total: 30.90"`` is not a
    number (score.py takes the first number it finds, so ``"2 x 3.90"`` reads as 2), and an
    object is not searched for a ``value``/``amount`` key;
  - text keeps letters of every script: score.py drops anything outside a-z and 0-9 after
    removing accents, so two different Chinese or Cyrillic names compare equal there; and
    ``ł``, ``ø``, ``æ``… read as ``l``, ``o``, ``ae`` rather than disappearing;
  - enums without an ``x-compare`` hint compare exactly (score.py compares them as text);
  - the leaves of an expected row no predicted row was paired with are all missing, expected
    nulls included (score.py counts those nulls correct);
  - an expected empty array is scored (one field) where score.py skips it;
looser where
  - an ISO date-time (``2018-03-21T00:00:00``) is read as its date; score.py's word boundary
    after the day fails on the ``T``, so it calls every such prediction wrong;
  - the fuzzy ratio is rapidfuzz's (Indel distance), never below difflib's ratio for the same
    pair, so a borderline string may pass at the same threshold (none did in the bench);
  - durations add adjacent parts (``1 year and 6 months`` is 18 months; score.py reads 12);
  - a date whose expected value is not ISO is read with the field's order hint (score.py
    fails on an ambiguous expected date).
Both count one field per expected leaf, accept ``$any``, compare numbers within ±0.01 and read
dates, booleans, durations, parties and names the same way otherwise. On the realdev corpus the
two agree leaf for leaf on the expected values perturbed twelve ways and on the local engine's
outputs; each difference above has its own row in the bench, not held to the ±0.01.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from evaluation.matching import ScoringOptions, compare_mode, leaf_compare, schema_node
from evaluation.results import ArrayResult, DocumentScore, FieldResult, Verdict

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "ScoringOptions",
    "confidences_from_field_metadata",
    "count_leaves",
    "document_score",
    "expected_first_choice",
]

_ANY = "$any"
# Added to the pairing weight of row i with row i so that, among equally good assignments, the
# positional one wins; far below 1 so it never outweighs one agreeing leaf.
_POSITION_BONUS = 1e-6


def document_score(
    *,
    expected: dict[str, Any],
    predicted: Any,
    schema: dict[str, Any],
    document_id: str = "",
    schema_name: str = "",
    doc_type: str | None = None,
    confidences: Mapping[str, float] | None = None,
    options: ScoringOptions | None = None,
    error: str | None = None,
) -> DocumentScore:
    """Score one document.

    ``predicted`` is the extracted object (anything else, ``None`` included, scores every
    expected value as missing); ``confidences`` maps a predicted leaf's path
    (``items[0].amount``, see ``confidences_from_field_metadata``) to its confidence; ``error``
    records why extraction failed. Raises ``TypeError`` when ``expected`` is not an object.
    """
    if not isinstance(expected, dict):
        raise TypeError(f"expected must be a JSON object, got {type(expected).__name__}")
    walk = _Walk(schema, options or ScoringOptions(), confidences or {})
    out = _Collected()
    walk.node(expected, predicted if isinstance(predicted, dict) else None, schema, "", "", out)
    return DocumentScore(
        document_id=document_id,
        schema_name=schema_name,
        doc_type=doc_type,
        fields=out.fields,
        arrays=out.arrays,
        error=error,
    )


def count_leaves(expected: Any) -> int:
    """How many fields an expected value scores (an ``$any`` and an empty array count one)."""
    if isinstance(expected, dict) and _ANY not in expected:
        return sum(count_leaves(value) for value in expected.values())
    if isinstance(expected, list):
        return sum(count_leaves(value) for value in expected) if expected else 1
    return 1


def expected_first_choice(expected: Any) -> Any:
    """The expected value with every ``{"$any": [...]}`` replaced by its first option: a
    prediction that is right everywhere."""
    if isinstance(expected, dict):
        if _ANY in expected:
            options = expected[_ANY]
            return expected_first_choice(options[0]) if options else None
        return {key: expected_first_choice(value) for key, value in expected.items()}
    if isinstance(expected, list):
        return [expected_first_choice(value) for value in expected]
    return expected


def confidences_from_field_metadata(metadata: Any, prefix: str = "") -> dict[str, float]:
    """Per-leaf confidences from an extraction's ``field_metadata`` tree (it mirrors the data:
    a dict per object, a list per array, and at each leaf a dict holding ``confidence``).
    Returns ``{"items[0].amount": 0.93, ...}``; leaves without a number are left out."""
    found: dict[str, float] = {}
    if isinstance(metadata, list):
        for index, item in enumerate(metadata):
            found.update(confidences_from_field_metadata(item, f"{prefix}[{index}]"))
    elif isinstance(metadata, dict):
        if _is_leaf_metadata(metadata):
            value = metadata.get("confidence")
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                found[prefix] = float(value)
            return found
        for key, item in metadata.items():
            if key == "reasoning" and isinstance(item, str):
                continue
            found.update(
                confidences_from_field_metadata(item, f"{prefix}.{key}" if prefix else key)
            )
    return found


def _is_leaf_metadata(node: dict[str, Any]) -> bool:
    markers = ("citation", "extraction_confidence", "parsing_confidence", "match")
    return any(marker in node for marker in markers) or isinstance(
        node.get("confidence"), (int, float)
    )


@dataclass
class _Collected:
    fields: list[FieldResult] = field(default_factory=list)
    arrays: list[ArrayResult] = field(default_factory=list)

    @property
    def correct(self) -> int:
        return sum(1 for result in self.fields if result.correct)


def _is_null(value: Any) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class _Walk:
    """Walks the expected object with its schema node and the predicted value side by side."""

    def __init__(
        self, root: dict[str, Any], options: ScoringOptions, confidences: Mapping[str, float]
    ) -> None:
        self.root = root
        self.options = options
        self.confidences = confidences

    def node(
        self,
        expected: Any,
        predicted: Any,
        spec: Any,
        path: str,
        predicted_path: str | None,
        out: _Collected,
    ) -> None:
        plain = schema_node(spec, self.root)
        if isinstance(expected, dict) and _ANY not in expected:
            properties = plain.get("properties")
            props = properties if isinstance(properties, dict) else {}
            row = predicted if isinstance(predicted, dict) else {}
            for key, value in expected.items():
                inner_path = _join(predicted_path, key) if predicted_path is not None else None
                if key not in row:
                    inner_path = None
                self.node(value, row.get(key), props.get(key), _join(path, key), inner_path, out)
        elif isinstance(expected, list):
            self.array(expected, predicted, plain, path, predicted_path, out)
        else:
            self.leaf(expected, predicted, plain, path, predicted_path, out)

    def leaf(
        self,
        expected: Any,
        predicted: Any,
        spec: dict[str, Any],
        path: str,
        predicted_path: str | None,
        out: _Collected,
    ) -> None:
        alternatives = expected[_ANY] if isinstance(expected, dict) else None
        shown = expected
        if isinstance(alternatives, list):
            mode = compare_mode(spec, next((a for a in alternatives if a is not None), None))
            verdict, reason = self._any(alternatives, predicted, spec)
        else:
            mode = compare_mode(spec, expected)
            verdict, reason = self._one(expected, predicted, spec)
        confidence = self.confidences.get(predicted_path) if predicted_path is not None else None
        out.fields.append(
            FieldResult(
                path=path,
                expected=shown,
                predicted=predicted,
                verdict=verdict,
                reason=reason,
                mode=mode,
                predicted_path=predicted_path,
                confidence=confidence,
            )
        )

    def _one(self, expected: Any, predicted: Any, spec: dict[str, Any]) -> tuple[Verdict, str]:
        if _is_null(expected):
            if _is_null(predicted):
                return Verdict.CORRECT, "null as expected"
            return Verdict.EXTRA, "expected null, a value was predicted"
        if _is_null(predicted):
            return Verdict.MISSING, "no value predicted"
        match = leaf_compare(expected, predicted, spec, self.options)
        return (Verdict.CORRECT if match.ok else Verdict.WRONG), match.reason

    def _any(
        self, alternatives: list[Any], predicted: Any, spec: dict[str, Any]
    ) -> tuple[Verdict, str]:
        if _is_null(predicted):
            if any(_is_null(option) for option in alternatives):
                return Verdict.CORRECT, "null is one of the accepted values"
            return Verdict.MISSING, "no value predicted"
        reasons = []
        for number, option in enumerate(alternatives, start=1):
            if _is_null(option):
                continue
            match = leaf_compare(option, predicted, spec, self.options)
            if match.ok:
                return Verdict.CORRECT, f"{match.reason} (accepted value {number})"
            reasons.append(match.reason)
        if not reasons:
            return Verdict.EXTRA, "expected null, a value was predicted"
        return Verdict.WRONG, f"matches none of {len(alternatives)} accepted values: {reasons[0]}"

    def array(
        self,
        expected: list[Any],
        predicted: Any,
        spec: dict[str, Any],
        path: str,
        predicted_path: str | None,
        out: _Collected,
    ) -> None:
        if _is_null(predicted):
            rows: list[Any] = []
        else:
            rows = predicted if isinstance(predicted, list) else [predicted]
        if not expected:
            verdict = Verdict.EXTRA if rows else Verdict.CORRECT
            reason = f"no rows expected, {len(rows)} predicted" if rows else "no rows as expected"
            out.fields.append(
                FieldResult(path, [], predicted, verdict, reason, "array", predicted_path)
            )
            out.arrays.append(ArrayResult(path, 0, len(rows), 0, 0))
            return
        items = spec.get("items")
        pairs = self._pairs(expected, rows, items)
        paired = dict(pairs)
        matched = exact = 0
        for index, expected_row in enumerate(expected):
            row_path = f"{path}[{index}]"
            if index not in paired:
                self._unpaired(expected_row, items, row_path, out)
                continue
            column = paired[index]
            row_out = _Collected()
            row_predicted_path = (
                f"{predicted_path}[{column}]" if predicted_path is not None else None
            )
            self.node(expected_row, rows[column], items, row_path, row_predicted_path, row_out)
            matched += 1 if row_out.correct else 0
            exact += 1 if row_out.correct == len(row_out.fields) else 0
            out.fields.extend(row_out.fields)
            out.arrays.extend(row_out.arrays)
        out.arrays.append(
            ArrayResult(path, len(expected), len(rows), matched, exact, tuple(sorted(pairs)))
        )

    def _pairs(self, expected: list[Any], rows: list[Any], items: Any) -> list[tuple[int, int]]:
        """Optimal pairs (expected row, predicted row), maximising agreeing leaves."""
        if not rows:
            return []
        from scipy.optimize import linear_sum_assignment  # scipy is heavy; only arrays need it

        weights = []
        for i, expected_row in enumerate(expected):
            line = []
            for j, row in enumerate(rows):
                trial = _Collected()
                self.node(expected_row, row, items, "", "", trial)
                line.append(trial.correct + (_POSITION_BONUS if i == j else 0.0))
            weights.append(line)
        chosen_rows, chosen_columns = linear_sum_assignment(weights, maximize=True)
        return [(int(i), int(j)) for i, j in zip(chosen_rows, chosen_columns, strict=True)]

    def _unpaired(self, expected: Any, spec: Any, path: str, out: _Collected) -> None:
        """Every leaf of an expected row that no predicted row was paired with: missing."""
        plain = schema_node(spec, self.root)
        if isinstance(expected, dict) and _ANY not in expected:
            properties = plain.get("properties")
            props = properties if isinstance(properties, dict) else {}
            for key, value in expected.items():
                self._unpaired(value, props.get(key), _join(path, key), out)
        elif isinstance(expected, list) and expected:
            for index, value in enumerate(expected):
                self._unpaired(value, plain.get("items"), f"{path}[{index}]", out)
            out.arrays.append(ArrayResult(path, len(expected), 0, 0, 0))
        else:
            mode = "array" if expected == [] else compare_mode(plain, expected)
            reason = "no predicted row was paired with this row"
            out.fields.append(FieldResult(path, expected, None, Verdict.MISSING, reason, mode))
