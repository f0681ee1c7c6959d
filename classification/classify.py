"""Classify one document: per-page verdicts from any ``PageClassifier`` -> one result.

``document_classify`` asks the classifier for a verdict on each page and combines them: the
document's probability for a rule is the weighted mean of its pages' probabilities, where the
first page (which carries the title) and pages that open with a title weigh more and blank
pages nothing. The result's reasoning is the deciding page's, plus how many pages agree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from classification.base import ClassifyResult, PageClassifier, PageVerdict, Rule, rules_check
from classification.offline import OfflineClassifier

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from extraction.pipeline.documents import Page

FIRST_PAGE_WEIGHT = 2.0
TITLE_PAGE_WEIGHT = 1.5


def document_classify(
    *,
    pages: Iterable[Page],
    rules: Sequence[Rule],
    classifier: PageClassifier | None = None,
    max_pages: int | None = None,
) -> ClassifyResult:
    """Classify a document (its ``pages``, or the first ``max_pages`` of them) against
    ``rules``. Raises ``ClassificationError`` for unusable rules."""
    rules = rules_check(rules)
    chosen: list[Page] = []
    for page in pages:
        if max_pages is not None and len(chosen) >= max_pages:
            break
        chosen.append(page)
    if not chosen:
        return ClassifyResult(None, 1.0, "The document has no pages.")
    verdicts = (classifier or OfflineClassifier()).classify_pages(chosen, rules)
    return verdicts_combine(verdicts, rules)


def verdicts_combine(verdicts: Sequence[PageVerdict], rules: Sequence[Rule]) -> ClassifyResult:
    """One result from the verdicts of a document's (or a segment's) pages, in page order."""
    probabilities, none = verdicts_probabilities(verdicts, rules)
    if not verdicts or all(_weight(verdict, 0) == 0 for verdict in verdicts):
        return ClassifyResult(None, 1.0, "The document has no readable text.")
    best_type = max(probabilities, key=lambda key: probabilities[key])
    best = probabilities[best_type]
    if none >= best:
        lead = _leading(verdicts, None)
        return ClassifyResult(None, none, lead.reasoning)
    lead = _leading(verdicts, best_type)
    reasoning = lead.reasoning
    if len(verdicts) > 1:
        agree = sum(1 for verdict in verdicts if verdict.type == best_type)
        reasoning = f"Page {lead.page}: {reasoning} {agree} of {len(verdicts)} pages agree."
    return ClassifyResult(best_type, best, reasoning)


def verdicts_probabilities(
    verdicts: Sequence[PageVerdict], rules: Sequence[Rule]
) -> tuple[dict[str, float], float]:
    """The weighted mean of the pages' probabilities: (per rule type, no rule fits)."""
    totals = {rule.type: 0.0 for rule in rules}
    weight_sum = 0.0
    for index, verdict in enumerate(verdicts):
        weight = _weight(verdict, index)
        weight_sum += weight
        for rule_type in totals:
            totals[rule_type] += weight * verdict.probability(rule_type)
    if not weight_sum:
        return dict.fromkeys(totals, 0.0), 1.0
    probabilities = {key: value / weight_sum for key, value in totals.items()}
    return probabilities, max(0.0, 1.0 - sum(probabilities.values()))


def _weight(verdict: PageVerdict, index: int) -> float:
    if verdict.blank:
        return 0.0
    weight = 1.0
    if index == 0:
        weight = FIRST_PAGE_WEIGHT
    elif verdict.has_title:
        weight = TITLE_PAGE_WEIGHT
    return weight


def _leading(verdicts: Sequence[PageVerdict], rule_type: str | None) -> PageVerdict:
    """The page that speaks most for ``rule_type`` (the first such page on a tie)."""
    if rule_type is None:
        unmatched = [verdict for verdict in verdicts if verdict.type is None]
        return unmatched[0] if unmatched else verdicts[0]
    return max(verdicts, key=lambda verdict: verdict.probability(rule_type))
