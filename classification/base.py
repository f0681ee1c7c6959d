"""The shapes classification passes around, and the seam a model-backed classifier plugs into.

A ``Rule`` is what a user asks for: a ``type`` to assign and a natural-language
``description`` (Classify's ``configuration.rules``; Split's ``categories`` use the same shape,
``name`` -> ``type``). A ``PageClassifier`` turns pages and rules into one ``PageVerdict`` per
page; ``document_classify`` (``classification.classify``) and ``bundle_split``
(``classification.splitting``) build on any classifier that honours the Protocol. The offline
classifier (``classification.offline``) is the default; an OpenAI-compatible one can be added
later without touching the callers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from extraction.pipeline.documents import Page


class ClassificationError(ValueError):
    """Rules or options that cannot be used (no rules, duplicate types, a bad strategy); the
    message is meant for the user (a 422 ``detail``)."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One classification rule: the ``type`` to assign and what such documents look like."""

    type: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class PageVerdict:
    """A classifier's answer for one page.

    ``page`` is the page's own 1-based number (as in the input document). ``type`` is the
    matched rule type or ``None`` when no rule fits. ``confidence`` (0-1) is the probability
    that ``type`` is right (for ``None``: that no rule fits). ``scores`` maps each rule type to
    its probability for this page, when the classifier can tell (the rest, ``1 - sum``, is the
    probability that no rule fits); a classifier that only names a type may leave it empty.
    ``reasoning`` says which cues decided, in a sentence a user can read.
    """

    page: int
    type: str | None
    confidence: float
    reasoning: str
    scores: Mapping[str, float] = field(default_factory=dict)
    has_title: bool = False  # the page opens with a title (a likely first page)
    blank: bool = False  # the page has no readable text; it weighs nothing in a document

    def probability(self, rule_type: str) -> float:
        """This page's probability for ``rule_type`` (from ``scores``, else from ``type``)."""
        if self.scores:
            return float(self.scores.get(rule_type, 0.0))
        return self.confidence if self.type == rule_type else 0.0


@dataclass(frozen=True, slots=True)
class ClassifyResult:
    """A document's classification, the shape of Classify's ``result``: ``type`` (``None`` when
    no rule matched), ``confidence`` in [0, 1] and ``reasoning``."""

    type: str | None
    confidence: float
    reasoning: str

    def to_dict(self) -> dict[str, object]:
        return {
            "type": self.type,
            "confidence": round(self.confidence, 4),
            "reasoning": self.reasoning,
        }


@runtime_checkable
class PageClassifier(Protocol):
    """Classifies pages against rules; one verdict per page, in the order given."""

    name: str

    def classify_pages(self, pages: Sequence[Page], rules: Sequence[Rule]) -> list[PageVerdict]:
        """Classify each page on its own; raises ``ClassificationError`` for unusable rules."""
        ...


def rules_check(rules: Sequence[Rule]) -> list[Rule]:
    """The rules, validated: at least one, each with a non-blank type, types unique (case
    sensitive, as the API echoes them). Raises ``ClassificationError`` with the reason."""
    if not rules:
        raise ClassificationError("At least one rule is required.")
    seen: set[str] = set()
    for index, rule in enumerate(rules):
        rule_type: object = rule.type  # from a client: checked, whatever the annotation says
        if not isinstance(rule_type, str) or not rule_type.strip():
            raise ClassificationError(f"Rule {index + 1} has an empty type.")
        if rule.type in seen:
            raise ClassificationError(f"Rule type {rule.type!r} is given twice.")
        seen.add(rule.type)
    return list(rules)
