"""Per-leaf scoring of an extraction against a corpus document's expected values.

Rules, per leaf of the schema:

* strings and enums: Unicode NFKC, case-folded, commas read as spaces, whitespace collapsed;
* numbers: equal within 0.01 (a printed string such as ``"$1,234.56"`` is read as a number);
* dates (``format: date``): the same ISO ``YYYY-MM-DD`` day;
* an expected ``null`` is matched by ``null``, a missing key or ``""``;
* arrays of objects: expected and produced items are paired to maximise equal leaves (the
  assignment problem, solved exactly), so order does not matter; the leaves of an unpaired
  expected item are wrong, and every leaf of an unpaired produced item adds a wrong leaf;
* arrays of scalars: compared as multisets.

``score_document`` returns one ``(path, correct, expected, actual)`` row per leaf. The names
``leaf_kind``, ``leaf_equal``, ``compare`` and ``hungarian_max`` are also what
``bench/grounding.py`` calls on a score module, so this module can stand in for one.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from tests.corpus.truth import leaf_kind

__all__ = ["accuracy", "compare", "hungarian_max", "leaf_equal", "leaf_kind", "score_document"]

Row = tuple[str, bool, Any, Any]
_MISSING = object()


def normalise_text(value: Any) -> str:
    text = unicodedata.normalize("NFKC", str(value)).casefold().replace(",", " ")
    return " ".join(text.split())


def as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        cleaned = re.sub(r"[^0-9.\-]", "", value.replace(",", ""))
        try:
            return float(cleaned)
        except ValueError:
            return None
    return None


def as_date(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        return None


def leaf_equal(kind: str, expected: Any, actual: Any) -> bool:
    """Whether ``actual`` counts as ``expected`` for a leaf of ``kind`` (see ``leaf_kind``)."""
    if actual is _MISSING or actual == "":
        actual = None
    if expected is None or actual is None:
        return expected is None and actual is None
    if kind == "number":
        number = as_number(actual)
        return number is not None and abs(number - float(expected)) <= 0.01
    if kind == "date":
        return as_date(actual) == expected
    if kind == "boolean":
        return actual is expected
    if isinstance(actual, dict | list):
        return False
    return normalise_text(actual) == normalise_text(expected)


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def compare(schema: dict, expected: Any, actual: Any, path: str, out: list[Row]) -> None:
    """Append one row per leaf of ``expected`` (and per leaf of unpaired produced items)."""
    kind = leaf_kind(schema)
    if kind == "object" and isinstance(expected, dict):
        produced = actual if isinstance(actual, dict) else {}
        for key, sub in schema.get("properties", {}).items():
            compare(sub, expected.get(key), produced.get(key, _MISSING), _join(path, key), out)
        return
    if kind == "array" and isinstance(expected, list):
        produced = actual if isinstance(actual, list) else []
        items = schema.get("items", {})
        if leaf_kind(items) in ("object", "array"):
            _compare_objects(items, expected, produced, path, out)
        else:
            _compare_scalars(leaf_kind(items), expected, produced, path, out)
        return
    out.append(
        (path, leaf_equal(kind, expected, actual), expected, None if actual is _MISSING else actual)
    )


def _compare_objects(
    items: dict, expected: list, produced: list, path: str, out: list[Row]
) -> None:
    weights = []
    for wanted in expected:
        row = []
        for given in produced:
            rows: list[Row] = []
            compare(items, wanted, given, "", rows)
            row.append(sum(1 for r in rows if r[1]))
        weights.append(row)
    pairs = dict(hungarian_max(weights)) if expected and produced else {}
    for i, wanted in enumerate(expected):
        if i in pairs:
            compare(items, wanted, produced[pairs[i]], _join(path, i), out)
        else:
            unpaired: list[Row] = []
            compare(items, wanted, None, _join(path, i), unpaired)
            out.extend((p, False, e, None) for p, _, e, _ in unpaired)
    for j in sorted(set(range(len(produced))) - set(pairs.values())):
        out.extend((p, False, None, a) for p, a in _leaves(produced[j], _join(path, j)))


def _compare_scalars(kind: str, expected: list, produced: list, path: str, out: list[Row]) -> None:
    unused = list(range(len(produced)))
    for i, wanted in enumerate(expected):
        hit = next((j for j in unused if leaf_equal(kind, wanted, produced[j])), None)
        if hit is None:
            out.append((_join(path, i), False, wanted, None))
        else:
            unused.remove(hit)
            out.append((_join(path, i), True, wanted, produced[hit]))
    out.extend((_join(path, j), False, None, produced[j]) for j in unused)


def _leaves(value: Any, path: str) -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return [leaf for key, sub in value.items() for leaf in _leaves(sub, _join(path, key))]
    if isinstance(value, list):
        return [leaf for i, sub in enumerate(value) for leaf in _leaves(sub, _join(path, i))]
    return [(path, value)]


def hungarian_max(weights: list[list[float]]) -> list[tuple[int, int]]:
    """Pairs ``(row, column)`` maximising the summed weight, each row and column used at most
    once (Kuhn-Munkres with potentials, O(n²m)). No library in the project's dependencies
    solves the assignment problem; SciPy would be a large install for these few lines."""
    n = len(weights)
    m = len(weights[0]) if n else 0
    if n == 0 or m == 0:
        return []
    if n > m:
        transposed = [list(column) for column in zip(*weights, strict=True)]
        return [(i, j) for j, i in hungarian_max(transposed)]
    inf = float("inf")
    u = [0.0] * (n + 1)
    v = [0.0] * (m + 1)
    owner = [0] * (m + 1)  # owner[j]: the row assigned to column j (1-based, 0 = none)
    way = [0] * (m + 1)
    for i in range(1, n + 1):
        owner[0] = i
        j0 = 0
        best = [inf] * (m + 1)
        used = [False] * (m + 1)
        while True:
            used[j0] = True
            i0, delta, j1 = owner[j0], inf, 0
            for j in range(1, m + 1):
                if not used[j]:
                    cost = -weights[i0 - 1][j - 1] - u[i0] - v[j]
                    if cost < best[j]:
                        best[j], way[j] = cost, j0
                    if best[j] < delta:
                        delta, j1 = best[j], j
            for j in range(m + 1):
                if used[j]:
                    u[owner[j]] += delta
                    v[j] -= delta
                else:
                    best[j] -= delta
            j0 = j1
            if owner[j0] == 0:
                break
        while j0:
            j1 = way[j0]
            owner[j0] = owner[j1]
            j0 = j1
    return [(owner[j] - 1, j - 1) for j in range(1, m + 1) if owner[j]]


def score_document(schema: dict, expected: Any, actual: Any, mode: str) -> list[Row]:
    """One ``(path, correct, expected, actual)`` row per leaf. ``mode`` "PER_TABLE_ROW" means
    ``schema`` describes one row and ``expected``/``actual`` are lists of rows."""
    if mode == "PER_TABLE_ROW":
        schema = {"type": "array", "items": schema}
    out: list[Row] = []
    compare(schema, expected, actual, "", out)
    return out


def accuracy(rows: list[Row]) -> float:
    """The share of correct rows (1.0 for no rows)."""
    return sum(1 for row in rows if row[1]) / len(rows) if rows else 1.0
