"""Does one predicted leaf value match the expected one? The rule per comparison mode.

The mode of a leaf comes from its schema node: the ``x-compare`` hint when there is one (the
hints of ``../shared/realdev``-style schemas: ``text``, ``alnum``, ``exact``, ``number``,
``date``, ``boolean``, ``currency``, ``duration``, ``party``, ``person``, ``email``, ``doi``),
otherwise its type: ``enum``/``const`` -> ``enum`` (exact), ``number``/``integer`` ->
``number``, ``boolean`` -> ``boolean``, ``format: date``/``date-time`` -> ``date``,
``format: email`` -> ``email``, anything else -> ``text``.

``leaf_compare`` answers with a ``Match``: whether the values agree and a reason a reviewer can
read ("30.9 and 31.9 differ by 1 (tolerance 0.01)"). It is called only with two non-null
values; nulls, ``$any`` and arrays are the scorer's business (``evaluation.scoring``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from evaluation import values

__all__ = [
    "MODES",
    "Match",
    "ScoringOptions",
    "compare_mode",
    "leaf_compare",
    "schema_node",
    "schema_strip_hints",
]

MODES = frozenset(
    {
        "text",
        "alnum",
        "exact",
        "enum",
        "number",
        "date",
        "boolean",
        "currency",
        "duration",
        "party",
        "person",
        "email",
        "doi",
    }
)
# A prediction that contains the expected text (whole words) still counts when it is not much
# longer: documents put labels and neighbouring words next to values. The same bound as
# realdev's score.py, so both scorers accept the same near-misses.
_CONTAINED_MIN_CHARS = 3
_CONTAINED_MAX_FACTOR = 3
_CONTAINED_MAX_EXTRA = 30
# Names differing by about one letter in twenty (an OCR slip) are the same person.
_PERSON_MIN_RATIO = 0.95


@dataclass(frozen=True)
class ScoringOptions:
    """Knobs of one scoring run.

    ``tolerance``: absolute difference allowed between numbers; ``relative_tolerance``: the same
    as a fraction of the expected number (the larger of the two applies). ``fuzzy``: minimum
    similarity (0-1) that also accepts a text field (0 = off; a field's ``x-fuzzy`` still
    applies). ``strict``: no fuzzy matching and no "contains the expected text" rule.
    ``date_order``: ``"dmy"`` or ``"mdy"`` for ambiguous numeric dates of fields without an
    ``x-date-order`` hint (``None``: either reading counts).
    """

    tolerance: float = 0.01
    relative_tolerance: float = 0.0
    fuzzy: float = 0.0
    strict: bool = False
    date_order: str | None = None


@dataclass(frozen=True)
class Match:
    """The outcome of comparing two leaf values."""

    ok: bool
    reason: str


def schema_node(spec: Any, root: dict[str, Any] | None = None) -> dict[str, Any]:
    """A schema node made plain: local ``$ref`` followed (``#/$defs/...``), ``anyOf``/``oneOf``
    reduced to their first non-null branch (the usual way to write a nullable field), ``allOf``
    merged. The node's own keys (``x-compare``, ``description``…) win over the branch's.
    Anything that is not a dict gives ``{}``."""
    if not isinstance(spec, dict):
        return {}
    node: dict[str, Any] = dict(spec)
    seen: set[str] = set()
    while isinstance(node.get("$ref"), str) and root is not None:
        ref = node["$ref"]
        if ref in seen or not ref.startswith("#/"):
            break
        seen.add(ref)
        target: Any = root
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            target = target.get(part) if isinstance(target, dict) else None
        if not isinstance(target, dict):
            break
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    for combinator in ("anyOf", "oneOf"):
        branches = node.get(combinator)
        if isinstance(branches, list):
            plain = [schema_node(branch, root) for branch in branches]
            chosen = next((b for b in plain if b.get("type") not in ("null", ["null"])), {})
            rest = {k: v for k, v in node.items() if k != combinator}
            node = {**chosen, **rest}
    if isinstance(node.get("allOf"), list):
        merged: dict[str, Any] = {}
        for branch in node["allOf"]:
            merged.update(schema_node(branch, root))
        node = {**merged, **{k: v for k, v in node.items() if k != "allOf"}}
    return node


def schema_strip_hints(node: Any) -> Any:
    """The schema without its scorer hints (every ``x-*`` key), as it is sent to an engine."""
    if isinstance(node, dict):
        return {k: schema_strip_hints(v) for k, v in node.items() if not str(k).startswith("x-")}
    if isinstance(node, list):
        return [schema_strip_hints(item) for item in node]
    return node


def compare_mode(spec: dict[str, Any], expected: Any) -> str:
    """The comparison mode of a leaf (see the module docstring); unknown hints read as text."""
    hint = spec.get("x-compare")
    if isinstance(hint, str):
        return hint if hint in MODES else "text"
    declared = spec.get("type")
    types = declared if isinstance(declared, list) else [declared]
    if "enum" in spec or "const" in spec:
        return "enum"
    if "number" in types or "integer" in types:
        return "number"
    if "boolean" in types:
        return "boolean"
    if spec.get("format") in ("date", "date-time"):
        return "date"
    if spec.get("format") == "email":
        return "email"
    if isinstance(expected, bool):
        return "boolean"
    if isinstance(expected, (int, float)):
        return "number"
    return "text"


def leaf_compare(
    expected: Any, predicted: Any, spec: dict[str, Any], options: ScoringOptions
) -> Match:
    """Compare two non-null leaf values under the field's mode; see ``Match``."""
    mode = compare_mode(spec, expected)
    if isinstance(predicted, list) and len(predicted) == 1:
        predicted = predicted[0]
    if isinstance(predicted, (list, dict)):
        shape = f"a list of {len(predicted)} values" if isinstance(predicted, list) else "an object"
        return Match(False, f"expected one value, got {shape}")
    if mode == "number":
        return _number(expected, predicted, spec, options)
    if mode == "date":
        return _date(expected, predicted, spec, options)
    if mode == "boolean":
        want, got = values.boolean_read(expected), values.boolean_read(predicted)
        if got is None:
            return Match(False, f"{predicted!r} is not a yes/no value")
        return _equal(want == got, "same yes/no value", f"{got} is not {want}")
    if mode == "enum":
        return _equal(
            _same_enum_value(expected, predicted),
            "the same enum value",
            f"{predicted!r} is not {expected!r} (enum values compare exactly)",
        )
    if mode in ("alnum", "exact", "currency", "email", "doi", "duration"):
        return _normalised(mode, expected, predicted)
    if mode == "person":
        return _person(expected, predicted, options)
    if mode == "party":
        return _party(expected, predicted, spec, options)
    return _text(expected, predicted, spec, options)


def _equal(same: bool, yes: str, no: str) -> Match:
    return Match(True, yes) if same else Match(False, no)


def _same_enum_value(expected: Any, predicted: Any) -> bool:
    numbers = all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in (expected, predicted)
    )
    return (
        bool(expected == predicted)
        if numbers
        else type(expected) is type(predicted) and expected == predicted
    )


def _number(expected: Any, predicted: Any, spec: dict[str, Any], options: ScoringOptions) -> Match:
    want = values.number_read(expected)
    if want is None:  # the ground truth is not a number: compare what is written
        return _text(expected, predicted, spec, options)
    got = values.number_read(predicted)
    if got is None:
        return Match(False, f"{predicted!r} is not a number")
    tolerance = max(options.tolerance, options.relative_tolerance * abs(want))
    difference = abs(want - got)
    if difference <= tolerance + 1e-9:
        return Match(True, "equal numbers" if difference == 0 else "equal within the tolerance")
    return Match(False, f"{got:g} and {want:g} differ by {difference:g} (tolerance {tolerance:g})")


def _date(expected: Any, predicted: Any, spec: dict[str, Any], options: ScoringOptions) -> Match:
    order = spec.get("x-date-order") or options.date_order
    wanted = values.date_read(expected, order)
    if not wanted:
        return _text(expected, predicted, spec, options)
    readings = values.date_read(predicted, order)
    if not readings:
        return Match(False, f"{predicted!r} is not a date")
    for want in wanted:
        for got in readings:
            if want == got or (
                isinstance(want, tuple)
                and isinstance(got, tuple)
                and len(got) >= len(want)
                and got[: len(want)] == want
            ):
                how = "the same date" if len(readings) == 1 else "one reading of an ambiguous date"
                return Match(True, f"{how} ({values.date_format(got)})")
    shown = " or ".join(sorted(values.date_format(got) for got in readings))
    return Match(False, f"{shown} is not {values.date_format(next(iter(wanted)))}")


def _normalised(mode: str, expected: Any, predicted: Any) -> Match:
    if mode == "duration":
        want, got = values.duration_read(expected), values.duration_read(predicted)
        if want is None:
            return _normalised("exact", expected, predicted)
        if got is None:
            return Match(False, f"{predicted!r} states no duration")
        return _equal(abs(want - got) < 1e-6, "the same duration", f"{got:g} months, not {want:g}")
    readers = {
        "alnum": values.alnum_normalise,
        "exact": values.text_normalise,
        "currency": values.currency_read,
        "email": values.email_read,
        "doi": values.doi_read,
    }
    want_text, got_text = readers[mode](expected), readers[mode](predicted)
    same = want_text == got_text and want_text != ""
    return _equal(same, f"equal as {mode}", f"{got_text!r} is not {want_text!r} ({mode})")


def _fuzzy_threshold(spec: dict[str, Any], options: ScoringOptions) -> float:
    if options.strict:
        return 0.0
    field_hint = spec.get("x-fuzzy")
    hint = float(field_hint) if isinstance(field_hint, (int, float)) else 0.0
    return max(options.fuzzy, hint)


def _similarity(left: str, right: str) -> float:
    return float(fuzz.ratio(left, right)) / 100.0


def _text(expected: Any, predicted: Any, spec: dict[str, Any], options: ScoringOptions) -> Match:
    want, got = values.text_normalise(expected), values.text_normalise(predicted)
    if want == got:
        return Match(True, "equal text" if want else "both empty")
    if not want:
        return Match(False, f"expected empty text, got {got!r}")
    if not options.strict and _contained(want, got):
        return Match(True, "the prediction contains the expected text")
    threshold = _fuzzy_threshold(spec, options)
    similarity = _similarity(want, got)
    if threshold and similarity >= threshold:
        return Match(True, f"similar text ({similarity:.2f} >= {threshold:g})")
    return Match(False, f"different text ({similarity:.2f} similar)")


def _contained(want: str, got: str) -> bool:
    return (
        len(want) >= _CONTAINED_MIN_CHARS
        and f" {want} " in f" {got} "
        and len(got) <= _CONTAINED_MAX_FACTOR * len(want) + _CONTAINED_MAX_EXTRA
    )


def _person(expected: Any, predicted: Any, options: ScoringOptions) -> Match:
    want, got = values.person_tokens(expected), values.person_tokens(predicted)
    if not got:
        return Match(False, f"{predicted!r} is not a name")
    if want == got or sorted(want) == sorted(got):
        return Match(True, "the same name")
    long_want = [token for token in want if len(token) > 1]
    long_got = [token for token in got if len(token) > 1]
    if long_want and sorted(long_want) == sorted(long_got):
        return Match(True, "the same name without initials")
    similarity = _similarity(" ".join(want), " ".join(got))
    if not options.strict and similarity >= max(_PERSON_MIN_RATIO, options.fuzzy):
        return Match(True, f"similar name ({similarity:.2f})")
    return Match(False, f"different name ({similarity:.2f} similar)")


def _party(expected: Any, predicted: Any, spec: dict[str, Any], options: ScoringOptions) -> Match:
    want, got = values.party_core(expected), values.party_core(predicted)
    if want and want == got:
        return Match(True, "the same party (corporate words ignored)")
    if want and not options.strict and _contained(want, got):
        return Match(True, "the prediction contains the party's name")
    as_text = _text(expected, predicted, spec, options)
    if as_text.ok:
        return as_text
    as_person = _person(expected, predicted, options)
    return as_person if as_person.ok else Match(False, f"a different party ({as_text.reason})")
