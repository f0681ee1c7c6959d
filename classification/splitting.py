"""Split a bundle of documents into segments, each a run of consecutive pages with a category.

``bundle_split`` reads every page's features, classifies each page against the categories
(any ``PageClassifier``; the offline one by default), cuts between pages where the
continuity signals say a new document starts (``boundaries``), and gives each segment the
category its pages speak for together (``classify.verdicts_probabilities``). Then, as the
Split API defines them:

- ``allow_uncategorized``: ``"include"`` (default) keeps segments no category fits, named
  ``"uncategorized"``; ``"omit"`` leaves them out of the result; ``"forbid"`` gives every
  segment its best category.
- ``min_pages_per_split``: a shorter segment is merged into the neighbour it is least
  clearly cut from; 1 disables merging.

Pages are numbered as in the input (``Page.number``, 1-based). Each segment carries a
``confidence_category`` (high/medium/low) from its category's probability and how clear its
cuts were; the thresholds are checked on the benchmark (bench/classify.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from classification.base import ClassificationError, PageClassifier, PageVerdict, Rule
from classification.boundaries import Boundary, boundary_between
from classification.classify import verdicts_probabilities
from classification.features import PageFeatures, page_features
from classification.offline import OfflineClassifier

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from extraction.pipeline.documents import Page

UNCATEGORIZED = "uncategorized"
AllowUncategorized = Literal["forbid", "include", "omit"]
ALLOW_UNCATEGORIZED: tuple[str, ...] = ("forbid", "include", "omit")
ConfidenceCategory = Literal["high", "medium", "low"]

# A segment is "high" when its category is this likely and every cut around and inside it
# was decided by at least this margin; "medium" at the lower pair; "low" otherwise. Set on
# the benchmark bundles (bench/classify.py): high segments came out exact 99% of the time,
# medium about 92%, low about a third.
HIGH = (0.75, 1.0)
MEDIUM = (0.6, 0.0)


@dataclass(frozen=True, slots=True)
class Category:
    """A split category: its ``name`` and what its documents look like."""

    name: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class Segment:
    """Consecutive pages of one document, as Split's ``result.segments[]`` describes them."""

    category: str
    pages: tuple[int, ...]
    confidence_category: ConfidenceCategory
    confidence: float  # the category's probability for these pages
    reasoning: str

    def to_dict(self) -> dict[str, object]:
        """The wire shape: ``category``, ``pages``, ``confidence_category``."""
        return {
            "category": self.category,
            "pages": list(self.pages),
            "confidence_category": self.confidence_category,
        }


@dataclass(frozen=True, slots=True)
class SplitResult:
    segments: tuple[Segment, ...]

    def to_dict(self) -> dict[str, object]:
        return {"segments": [segment.to_dict() for segment in self.segments]}


@dataclass(slots=True)
class _Run:
    """A segment being built: its pages' indexes and the cuts on either side."""

    start: int
    end: int  # exclusive
    margin: float  # the least clear cut decision around or inside the run
    merged: bool = False


def bundle_split(
    *,
    pages: Iterable[Page],
    categories: Sequence[Category],
    allow_uncategorized: str = "include",
    min_pages_per_split: int = 1,
    classifier: PageClassifier | None = None,
) -> SplitResult:
    """Split ``pages`` into segments of ``categories``. Raises ``ClassificationError`` for
    no categories, a repeated name, an unknown ``allow_uncategorized`` or a
    ``min_pages_per_split`` below 1."""
    rules = _rules(categories, allow_uncategorized, min_pages_per_split)
    classifier = classifier or OfflineClassifier()
    kept_pages: list[Page] = []
    features: list[PageFeatures] = []
    offline = isinstance(classifier, OfflineClassifier)
    for page in pages:
        features.append(page_features(page))
        if not offline:
            kept_pages.append(page)
    if not features:
        return SplitResult(())
    if isinstance(classifier, OfflineClassifier):
        verdicts = classifier.classify_features(features, rules)
    else:
        verdicts = classifier.classify_pages(kept_pages, rules)
    boundaries = [
        boundary_between(features[i], features[i + 1], verdicts[i], verdicts[i + 1])
        for i in range(len(features) - 1)
    ]
    runs = _runs(boundaries, len(features))
    runs = _merge_short(runs, boundaries, min_pages_per_split)
    segments = [
        _segment(run, features, verdicts, boundaries, rules, allow_uncategorized) for run in runs
    ]
    if allow_uncategorized == "omit":
        segments = [segment for segment in segments if segment.category != UNCATEGORIZED]
    return SplitResult(tuple(segments))


def _rules(categories: Sequence[Category], allow: str, min_pages: int) -> list[Rule]:
    if not categories:
        raise ClassificationError("At least one category is required.")
    if allow not in ALLOW_UNCATEGORIZED:
        raise ClassificationError(
            f"allow_uncategorized must be one of {', '.join(ALLOW_UNCATEGORIZED)}."
        )
    pages_value: object = min_pages  # from a client: checked, whatever the annotation says
    if isinstance(pages_value, bool) or not isinstance(pages_value, int) or pages_value < 1:
        raise ClassificationError("min_pages_per_split must be a whole number of at least 1.")
    names = [category.name for category in categories]
    for name in names:
        name_value: object = name
        if not isinstance(name_value, str) or not name_value.strip():
            raise ClassificationError("Every category needs a name.")
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ClassificationError(f"Category {duplicates[0]!r} is given twice.")
    return [Rule(category.name, category.description or "") for category in categories]


def _runs(boundaries: Sequence[Boundary], count: int) -> list[_Run]:
    runs: list[_Run] = []
    start = 0
    for index, boundary in enumerate(boundaries):
        if boundary.cut:
            runs.append(_Run(start, index + 1, 0.0))
            start = index + 1
    runs.append(_Run(start, count, 0.0))
    for run in runs:
        around = boundaries[max(run.start - 1, 0) : run.end]
        run.margin = min((abs(boundary.score) for boundary in around), default=99.0)
    return runs


def _merge_short(runs: list[_Run], boundaries: Sequence[Boundary], minimum: int) -> list[_Run]:
    """Merge runs shorter than ``minimum`` pages into the neighbour they are least clearly
    cut from, until none is short or one run is left."""
    runs = list(runs)
    while len(runs) > 1:
        short = next((i for i, run in enumerate(runs) if run.end - run.start < minimum), None)
        if short is None:
            break
        run = runs[short]
        before = boundaries[run.start - 1].score if short > 0 else None
        after = boundaries[run.end - 1].score if short < len(runs) - 1 else None
        into_previous = after is None or (before is not None and before <= after)
        if into_previous:
            other = runs[short - 1]
            runs[short - 1 : short + 1] = [_joined(other, run)]
        else:
            other = runs[short + 1]
            runs[short : short + 2] = [_joined(run, other)]
    return runs


def _joined(first: _Run, second: _Run) -> _Run:
    return _Run(first.start, second.end, min(first.margin, second.margin), merged=True)


def _segment(
    run: _Run,
    features: Sequence[PageFeatures],
    verdicts: Sequence[PageVerdict],
    boundaries: Sequence[Boundary],
    rules: Sequence[Rule],
    allow: str,
) -> Segment:
    pages = tuple(page.number for page in features[run.start : run.end])
    probabilities, none = verdicts_probabilities(verdicts[run.start : run.end], rules)
    best = max(rules, key=lambda rule: probabilities[rule.type]).type
    confidence = probabilities[best]
    category = best
    if allow != "forbid" and none >= confidence:
        category, confidence = UNCATEGORIZED, none
    level = _level(confidence, run)
    reasons = _reasons(run, boundaries, verdicts, category)
    return Segment(category, pages, level, round(confidence, 4), reasons)


def _level(confidence: float, run: _Run) -> ConfidenceCategory:
    if confidence >= HIGH[0] and run.margin >= HIGH[1] and not run.merged:
        return "high"
    if confidence >= MEDIUM[0] and run.margin >= MEDIUM[1]:
        return "medium"
    return "low"


def _reasons(
    run: _Run, boundaries: Sequence[Boundary], verdicts: Sequence[PageVerdict], category: str
) -> str:
    parts = []
    if run.start > 0:
        cut = boundaries[run.start - 1]
        parts.append(f"starts a new document ({'; '.join(cut.reasons[:3])})")
    lead = next((v for v in verdicts[run.start : run.end] if v.type == category), None)
    if lead is not None:
        parts.append(f"page {lead.page}: {lead.reasoning}")
    elif category == UNCATEGORIZED:
        parts.append("no category fits its pages")
    if run.merged:
        parts.append("merged to reach the minimum pages per segment")
    return " ".join(parts)
