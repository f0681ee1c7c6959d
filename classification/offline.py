"""The offline page classifier: rules against a page's words, title and layout cues, no model.

Each rule (through its ``RuleProfile``) earns points on a page from:
- its name in the page title (largest font at the top, or a short line there saying little
  else), in a header-zone line, or only in the body;
- the key phrases of the kinds it names, each weighted by how specific it is to them;
- the description's own words and word pairs;
- the layout cues its kinds show (totals, tables, signatures, a narrow slip, ...);
- minus a penalty when the page's title declares another, unrelated kind of document.

Scores become probabilities with a softmax that also holds a "no rule fits" option at the
score ``Calibration.none_score``; the temperature and that threshold come from the benchmark
(``bench/classify.py --fit``) so that confidences are honest: document-level expected
calibration error 0.06-0.07 on the devset, the test corpus and the real documents. The
reasoning names the cues that decided.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from classification.base import PageVerdict, Rule, rules_check
from classification.features import PageFeatures, ZoneLine, page_features
from classification.rules import (
    VOCABULARY,
    Phrase,
    RuleProfile,
    name_leads,
    names_in,
    rule_profile,
)
from classification.words import contains, found_phrases, show

if TYPE_CHECKING:
    from collections.abc import Sequence

    from extraction.pipeline.documents import Page

TITLE, HEADER, BODY = 3.0, 1.5, 0.6  # points for the rule's name in each place
PHRASES_MAX, PHRASES_SCALE = 3.0, 2.5  # key phrases saturate towards PHRASES_MAX
TERMS_SHARE, TERMS_PAIR = 1.5, 0.5  # description words (share found) and word pairs (each)
CUES_MAX = 3.0
CONFLICT = 1.5  # a title that declares an unrelated kind
EXCLUDED = 3.0  # a title that declares a kind the description rules out


@dataclass(frozen=True, slots=True)
class Calibration:
    """Turns scores into probabilities: ``none_score`` is the score at which a rule is as
    likely as "no rule fits", ``temperature`` how fast probability grows with the score gap."""

    none_score: float = 2.5
    temperature: float = 1.0


CALIBRATION = Calibration(none_score=3.75, temperature=0.5)


@dataclass(slots=True)
class Evidence:
    points: float
    note: str


@dataclass(slots=True)
class RuleScore:
    """One rule's score on one page, with the evidence that made it."""

    type: str
    score: float = 0.0
    evidence: list[Evidence] = field(default_factory=list)

    def add(self, points: float, note: str) -> None:
        if points:
            self.score += points
            self.evidence.append(Evidence(points, note))


class OfflineClassifier:
    """The ``PageClassifier`` that needs no model (see the module docstring)."""

    name = "offline"

    def __init__(self, calibration: Calibration = CALIBRATION) -> None:
        self.calibration = calibration

    def classify_pages(self, pages: Sequence[Page], rules: Sequence[Rule]) -> list[PageVerdict]:
        """One verdict per page; raises ``ClassificationError`` for unusable rules."""
        return self.classify_features([page_features(page) for page in pages], rules)

    def classify_features(
        self, features: Sequence[PageFeatures], rules: Sequence[Rule]
    ) -> list[PageVerdict]:
        """As ``classify_pages``, from features already read (splitting reads them anyway)."""
        profiles = [rule_profile(rule) for rule in rules_check(rules)]
        return [self.verdict(page, profiles) for page in features]

    def verdict(self, features: PageFeatures, profiles: Sequence[RuleProfile]) -> PageVerdict:
        """The verdict for one page's features against the rules' profiles."""
        if features.is_blank:
            return PageVerdict(
                page=features.number,
                type=None,
                confidence=0.9,
                reasoning="The page has no readable text.",
                blank=True,
            )
        scores = page_scores(features, profiles)
        probabilities, none = self.probabilities([score.score for score in scores])
        ranked = sorted(zip(scores, probabilities, strict=True), key=lambda item: -item[1])
        best, best_p = ranked[0]
        runner_up = ranked[1] if len(ranked) > 1 else None
        by_type = {score.type: round(p, 4) for score, p in zip(scores, probabilities, strict=True)}
        if none >= best_p:
            reasoning = _no_match_reasoning(best)
            return PageVerdict(features.number, None, none, reasoning, by_type, features.has_title)
        reasoning = _match_reasoning(best, runner_up)
        return PageVerdict(
            features.number, best.type, best_p, reasoning, by_type, features.has_title
        )

    def probabilities(self, scores: Sequence[float]) -> tuple[list[float], float]:
        """Softmax of the scores and the "no rule fits" option; (per rule, none)."""
        temperature = self.calibration.temperature
        logits = [score / temperature for score in scores]
        none_logit = self.calibration.none_score / temperature
        top = max([*logits, none_logit])
        weights = [math.exp(logit - top) for logit in logits]
        none_weight = math.exp(none_logit - top)
        total = sum(weights) + none_weight
        return [weight / total for weight in weights], none_weight / total


def page_scores(features: PageFeatures, profiles: Sequence[RuleProfile]) -> list[RuleScore]:
    """Every rule's score on one page, in the rules' order."""
    declared = declared_kinds(features)
    return [_score(features, profile, declared) for profile in profiles]


def declared_kinds(features: PageFeatures) -> dict[str, tuple[float, str]]:
    """Vocabulary kinds the page's title or header zone names: kind -> (strength, line)."""
    declared: dict[str, tuple[float, str]] = {}
    for index, line in enumerate(features.zone_lines):
        for kind, name in names_in(line.grams):
            vocabulary = VOCABULARY[kind]
            titled = _titled(index, line, name)
            strength = (1.0 if titled else 0.5) * vocabulary.name_weight(name)
            strength *= _coverage(line.size, name)
            if strength > declared.get(kind, (0.0, ""))[0]:
                declared[kind] = (strength, line.text)
    return declared


def _score(
    features: PageFeatures, profile: RuleProfile, declared: dict[str, tuple[float, str]]
) -> RuleScore:
    result = RuleScore(profile.type)
    name_points = _name_points(features, profile, result)
    found = found_phrases(features.grams, profile.phrases)
    if found:
        weight = sum(profile.phrases[hit] for hit in found)
        points = PHRASES_MAX * (1 - math.exp(-weight / PHRASES_SCALE))
        shown = ", ".join(f'"{show(hit)}"' for hit in _top(found, profile.phrases, 4))
        result.add(points, f"key phrases {shown}")
    _terms(features, profile, result)
    _cues(features, profile, result)
    if name_points < TITLE * 0.9:
        _conflict(profile, declared, result)
    return result


def _name_points(features: PageFeatures, profile: RuleProfile, result: RuleScore) -> float:
    best, note = 0.0, ""
    for name, weight in profile.names.items():
        if not weight:
            continue
        for index, line in enumerate(features.zone_lines):
            if not contains(line.grams, name):
                continue
            titled = _titled(index, line, name)
            points = (TITLE if titled else HEADER) * weight * _coverage(line.size, name)
            if points > best:
                place = "title" if titled else "header line"
                best, note = points, f'{place} "{_clip(line.text)}" says "{show(name)}"'
        if BODY * weight > best and contains(features.grams, name):
            best, note = BODY * weight, f'the text mentions "{show(name)}"'
    result.add(best, note)
    return best


def _titled(index: int, line: ZoneLine, name: Phrase) -> bool:
    """Whether a top-zone line holding ``name`` reads as the page's title: it is the title
    (largest font), it says little besides the name, or the page's first line starts with it
    ("Form W-9 Request for Taxpayer ...")."""
    if line.is_title or line.size <= len(name) + 2:
        return True
    return index == 0 and name_leads(line.words, name)


def _coverage(line_size: int, name: Phrase) -> float:
    """How much a line is about the name it contains: "Invoice" or "ACME Ltd - Invoice" fully,
    a long title that mentions the word among many others ("Table Recognition in Invoices"),
    less."""
    room = len(name) + 3
    return 1.0 if line_size <= room else max(0.35, room / line_size)


def _terms(features: PageFeatures, profile: RuleProfile, result: RuleScore) -> None:
    if not profile.terms:
        return
    words = [term for term in profile.terms if len(term) == 1]
    pairs = [term for term in profile.terms if len(term) == 2]
    found_words = [term for term in words if term in features.grams]
    found_pairs = [term for term in pairs if term in features.grams]
    # a rule with no known kind has only its own words to go on
    scale = 1.0 if profile.kinds else 2.0
    points = scale * TERMS_SHARE * (len(found_words) / len(words) if words else 0.0)
    points += scale * TERMS_PAIR * min(len(found_pairs), 3)
    if points:
        shown = ", ".join(show(term) for term in (found_pairs + found_words)[:4])
        result.add(points, f"description words found: {shown}")


def _cues(features: PageFeatures, profile: RuleProfile, result: RuleScore) -> None:
    gained = sorted(
        (
            (weight * features.cues.get(cue, 0.0), cue)
            for cue, weight in profile.cues.items()
            if features.cues.get(cue, 0.0) > 0
        ),
        reverse=True,
    )
    points = min(CUES_MAX, sum(value for value, _ in gained if value > 0))
    if points > 0:
        shown = ", ".join(_cue_note(features, cue) for value, cue in gained[:3] if value >= 0.2)
        result.add(points, f"layout: {shown}" if shown else "layout cues")
    against = [(value, cue) for value, cue in gained if value < 0]
    if against:
        shown = ", ".join(_cue_note(features, cue) for _, cue in against)
        result.add(sum(value for value, _ in against), f"but layout: {shown}")


def _cue_note(features: PageFeatures, cue: str) -> str:
    text = features.notes.get(cue, "")
    return f'{cue.replace("_", " ")} ("{_clip(text, 40)}")' if text else cue.replace("_", " ")


def _conflict(
    profile: RuleProfile, declared: dict[str, tuple[float, str]], result: RuleScore
) -> None:
    worst, note = 0.0, ""
    for kind, (strength, line) in declared.items():
        if profile.related(kind):
            continue
        penalty = (EXCLUDED if kind in profile.excluded else CONFLICT) * strength
        if penalty > worst:
            worst = penalty
            note = f'but "{_clip(line)}" reads as {kind.replace("_", " ")}'
    result.add(-worst, note)


def _top(found: list[Phrase], weights: dict[Phrase, float], count: int) -> list[Phrase]:
    return sorted(found, key=lambda hit: -weights[hit])[:count]


def _clip(text: str, size: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1] + "…"


def _match_reasoning(best: RuleScore, runner_up: tuple[RuleScore, float] | None) -> str:
    cues = "; ".join(item.note for item in sorted(best.evidence, key=lambda e: -e.points))
    text = f"Matches {best.type}: {cues}." if cues else f"Matches {best.type}."
    if runner_up is not None and runner_up[1] >= 0.05:
        text += f" Next best: {runner_up[0].type} ({runner_up[1]:.2f})."
    return text


def _no_match_reasoning(best: RuleScore) -> str:
    if best.score <= 0.5:
        return (
            "No rule matches: nothing on the page names, or reads like, the documents the "
            "rules describe."
        )
    cues = "; ".join(item.note for item in sorted(best.evidence, key=lambda e: -e.points)[:2])
    detail = f" ({cues})" if cues else ""
    return (
        f"No rule matches: the closest, {best.type}, scored {best.score:.1f}{detail}, "
        f"too little to call it a match."
    )
