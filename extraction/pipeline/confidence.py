"""STEP 6: per-leaf confidence scores in [0, 1].

Three numbers per leaf, as LlamaCloud names them:

* ``extraction_confidence``: how likely the value is right. For the local engine it is the
  engine's match quality mapped through ``LOCAL_CALIBRATION`` (fitted on the real-document
  corpus and devset seed 7 with ``bench/realdev.py --fit``; checked on devset seeds 11/13).
  For an LLM engine it combines the token log-probability score (when the endpoint returned
  one) with how well the document supports the value (``MATCH_AGREEMENT``): a value no text
  supports gets a low score whatever the model thought of it.
* ``parsing_confidence``: the OCR confidence of the cited words (1.0 for a text layer).
* ``confidence``: the two combined (their product: a right reading of badly parsed text is
  still doubtful).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from extraction.pipeline.grounding.calibration import Table, apply_table

# Raw local-engine score -> probability the value is right. Fitted by
# `bench/realdev.py --fit` (isotonic regression, non-null values) on the real-document corpus
# (../shared/realdev, 74 documents) pooled with devset seed 7; checked on devset seeds 11/13.
# One table per group of leaves (``local_group``): a field's value and an array item's, a
# string and a typed value (number, date) are right at different rates for one match score.
LOCAL_CALIBRATION: dict[str, Table] = {
    "field:text": ((0.6667, 0.9717), (0.8343, 0.974), (0.929, 0.9767), (0.9987, 1.0)),  # 505
    "field:typed": ((0.7164, 0.9747), (0.9337, 0.9931), (1.0, 1.0)),  # 353 values
    "item:text": ((0.8648, 1.0),),  # 2420 values
    "item:typed": ((0.8882, 1.0),),  # 2757 values
}
# A devset with no error in a group is finite evidence, not certainty.
MAX_CONFIDENCE = 0.99
# Share of the local engine's nulls that are right on the devset (seed 7).
LOCAL_NULL_CONFIDENCE = 0.951

# How much a citation of each kind supports an LLM's value (probability the value is right,
# before the model's own score). A fuzzy match scales between the two given bounds.
MATCH_AGREEMENT: dict[str, float] = {
    "exact": 0.95,
    "normalized": 0.93,
    "value": 0.9,
    "fuzzy": 0.8,
    "not_found": 0.05,
}
FUZZY_AGREEMENT_RANGE = (0.6, 0.85)
_TYPED_STRING = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")
LLM_NULL_CONFIDENCE = 0.75
# A logprob score and the citation agree when both are high; the geometric mean keeps either
# one from being overruled entirely by the other.
LOGPROB_WEIGHT = 0.5


@dataclass(frozen=True, slots=True)
class LeafConfidence:
    extraction: float
    parsing: float
    combined: float

    def to_dict(self) -> dict[str, float]:
        return {
            "extraction_confidence": round(self.extraction, 3),
            "parsing_confidence": round(self.parsing, 3),
            "confidence": round(self.combined, 3),
        }


def match_agreement(match: str, match_score: float = 1.0) -> float:
    """How much a citation found by ``match`` (exact, normalized, fuzzy, value, not_found)
    supports a value. ``match_score`` is the fuzzy similarity, or below 1.0 when the quote is
    the only evidence for a value not printed as such (an enum code)."""
    if match == "fuzzy":
        low, high = FUZZY_AGREEMENT_RANGE
        # Fuzzy matches start at the locate cutoff (0.85); stretch that range onto low..high.
        share = min(1.0, max(0.0, (match_score - 0.85) / 0.15))
        return low + (high - low) * share
    return MATCH_AGREEMENT.get(match, MATCH_AGREEMENT["not_found"]) * _clamp(match_score)


def local_group(path: str, value: Any) -> str:
    """The calibration group of a leaf: ``field`` or ``item`` (inside an array or a list
    result), ``text`` (strings, booleans) or ``typed`` (numbers, dates)."""
    where = "item" if "[" in path else "field"
    typed = isinstance(value, (int, float)) and not isinstance(value, bool)
    typed = typed or (isinstance(value, str) and _TYPED_STRING.match(value) is not None)
    return f"{where}:{'typed' if typed else 'text'}"


def local_confidence(
    engine_score: float | None, *, is_null: bool, found: bool, group: str = "field:text"
) -> float:
    """Extraction confidence for the local engine: its match quality (0-1) through the
    calibration table of the leaf's ``group``. A value nothing supports scores like an
    unsupported LLM value."""
    if is_null:
        return LOCAL_NULL_CONFIDENCE
    if not found:
        return MATCH_AGREEMENT["not_found"]
    table = LOCAL_CALIBRATION.get(group) or LOCAL_CALIBRATION["field:text"]
    return min(MAX_CONFIDENCE, apply_table(engine_score or 0.0, table))


def llm_confidence(
    logprob_score: float | None, *, is_null: bool, match: str, match_score: float = 1.0
) -> float:
    """Extraction confidence for an LLM value: citation agreement, combined (geometric mean,
    ``LOGPROB_WEIGHT``) with the log-probability score when the endpoint gave one."""
    if is_null:
        return LLM_NULL_CONFIDENCE if logprob_score is None else _clamp(logprob_score)
    agreement = match_agreement(match, match_score)
    if logprob_score is None:
        return agreement
    if match == "not_found":
        # No text supports the value: a confident model is a confident hallucination.
        return min(agreement, _clamp(logprob_score))
    score: float = _clamp(logprob_score) ** LOGPROB_WEIGHT * agreement ** (1 - LOGPROB_WEIGHT)
    return score


def combine(extraction: float, parsing: float) -> LeafConfidence:
    """The three published numbers from an extraction and a parsing confidence."""
    extraction, parsing = _clamp(extraction), _clamp(parsing)
    return LeafConfidence(extraction, parsing, extraction * parsing)


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, float(value)))
