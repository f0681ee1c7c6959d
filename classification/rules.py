"""Rules -> what to look for on a page: ``RuleProfile``.

A rule's ``type`` is split into words (``purchase_order`` -> "purchase order") and matched
against the document-kind vocabulary (``vocabulary.KINDS``): a type that names a known kind
borrows its names (titles in several languages), key phrases and layout cues. When the type
names no kind, kinds the description names are used instead. The description's own content
words and word pairs become terms, and words like "table" or "signature" ask for layout cues.
Kinds the description rules out ("an invoice, not a receipt") are remembered so a page titled
with one counts against the rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, TypeVar

from classification.base import Rule
from classification.vocabulary import (
    DESCRIPTION_CUES,
    GENERIC_NAMES,
    KINDS,
    NEGATIONS,
    STOPWORDS,
)
from classification.words import MAX_PHRASE, contains, fold, phrase, tokens

Key = TypeVar("Key")

if TYPE_CHECKING:
    from collections.abc import Set as AbstractSet

Phrase = tuple[str, ...]

# How much a kind's vocabulary counts for a rule, by how the rule reached the kind.
OWN, NARROWER, BROADER, MENTIONED = 1.0, 0.9, 0.5, 0.7


@dataclass(frozen=True, slots=True)
class KindVocabulary:
    """One vocabulary kind, folded into token phrases."""

    kind: str
    names: tuple[Phrase, ...]
    phrases: tuple[Phrase, ...]
    cues: dict[str, float]
    broader: str | None

    def name_weight(self, name: Phrase) -> float:
        """How much a name printed on a page says: a generic one-word name ("order") half as
        much as a specific one, a one- or two-letter one ("id", "po") nothing (it is a label
        or an abbreviation far more often). Rule types still map to kinds through them."""
        if len(name) == 1 and len(name[0]) <= 2:
            return 0.0
        return 0.5 if len(name) == 1 and name[0] in _GENERIC else 1.0


@dataclass(slots=True)
class RuleProfile:
    """What a page must show to match one rule, with a weight per item."""

    rule: Rule
    kinds: dict[str, float] = field(default_factory=dict)  # kind -> how directly it is meant
    names: dict[Phrase, float] = field(default_factory=dict)
    phrases: dict[Phrase, float] = field(default_factory=dict)
    terms: dict[Phrase, float] = field(default_factory=dict)
    cues: dict[str, float] = field(default_factory=dict)
    excluded: set[str] = field(default_factory=set)  # kinds the description rules out

    @property
    def type(self) -> str:
        return self.rule.type

    def related(self, kind: str) -> bool:
        """Whether a page declaring ``kind`` fits this rule's kinds (same, broader, narrower)."""
        if kind in self.kinds:
            return True
        entry = VOCABULARY[kind]
        if entry.broader and entry.broader in self.kinds:
            return True
        return any(VOCABULARY[own].broader == kind for own in self.kinds)


_GENERIC = frozenset(fold(word) for word in GENERIC_NAMES)
_STOP = frozenset(fold(word) for word in STOPWORDS)
_NEGATIONS = frozenset(fold(word) for word in NEGATIONS)
VOCABULARY: dict[str, KindVocabulary] = {
    kind: KindVocabulary(
        kind=kind,
        names=tuple(dict.fromkeys(phrase(name) for name in entry["names"]) or ()),
        phrases=tuple(dict.fromkeys(phrase(text) for text in entry.get("phrases", []))),
        cues=dict(entry.get("cues", {})),
        broader=entry.get("broader"),
    )
    for kind, entry in KINDS.items()
}
# A key phrase several kinds share ("total", "date") tells kinds apart less than one only a
# single kind prints ("closing balance"): its weight is divided by the root of its kind count.
_SHARED: dict[Phrase, int] = {}
for _vocabulary in VOCABULARY.values():
    for _phrase in _vocabulary.phrases:
        _SHARED[_phrase] = _SHARED.get(_phrase, 0) + 1
SPECIFICITY: dict[Phrase, float] = {key: 1 / count**0.5 for key, count in _SHARED.items()}
# Every page-worthy kind name (weight > 0) by its phrase, to find the names a line holds by
# looking up the line's n-grams; names longer than an n-gram are checked one by one.
NAME_INDEX: dict[Phrase, list[tuple[str, Phrase]]] = {}
LONG_NAMES: list[tuple[str, Phrase]] = []
for _kind, _vocabulary in VOCABULARY.items():
    for _name in _vocabulary.names:
        if not _vocabulary.name_weight(_name):
            continue
        if len(_name) <= MAX_PHRASE:
            NAME_INDEX.setdefault(_name, []).append((_kind, _name))
        else:
            LONG_NAMES.append((_kind, _name))


def names_in(grams: AbstractSet[Phrase]) -> list[tuple[str, Phrase]]:
    """The (kind, name) pairs whose names occur in text with these n-grams."""
    found = [hit for gram in grams for hit in NAME_INDEX.get(gram, ())]
    found.extend(hit for hit in LONG_NAMES if contains(grams, hit[1]))
    return found


_CUE_WORDS: dict[Phrase, str] = {
    phrase(text): cue for cue, texts in DESCRIPTION_CUES.items() for text in texts
}


def name_leads(words: tuple[str, ...], name: Phrase) -> bool:
    """Whether a line's ``words`` start with ``name``, or with one generic word before it
    ("Form W-9 ...")."""
    if words[: len(name)] == name:
        return True
    return bool(words) and words[0] in _GENERIC and words[1 : len(name) + 1] == name


def rule_profile(rule: Rule) -> RuleProfile:
    """The profile of one rule (cached: the same rule text gives the same profile)."""
    return _profile(rule.type, rule.description)


@lru_cache(maxsize=1024)
def _profile(rule_type: str, description: str) -> RuleProfile:
    profile = RuleProfile(rule=Rule(rule_type, description))
    type_words = tuple(tokens(rule_type))
    kept, negated = _clauses(tokens(description))
    own = _kinds_named(type_words, whole=True)
    mentioned = _kinds_named(kept, whole=False)
    profile.excluded = set(_kinds_named(negated, whole=False)) - set(own)
    for kind in own:
        _add_kind(profile, kind, OWN)
    if not own:
        for kind in mentioned:
            if kind not in profile.excluded:
                _add_kind(profile, kind, MENTIONED)
    if type_words:
        profile.names[type_words] = max(profile.names.get(type_words, 0.0), 1.0)
    _add_terms(profile, kept)
    return profile


def _kinds_named(words: tuple[str, ...] | list[str], *, whole: bool) -> list[str]:
    """Kinds whose names occur in ``words``. For a rule type (``whole``) the longest naming
    kinds win ("purchase order" over "order"); in a description every named kind counts, in
    the order first named."""
    words = tuple(words)
    hits: dict[str, tuple[int, int]] = {}  # kind -> (name length, first position)
    for kind, vocabulary in VOCABULARY.items():
        for name in vocabulary.names:
            position = _find(words, name)
            if position >= 0:
                best = hits.get(kind)
                if best is None or len(name) > best[0]:
                    hits[kind] = (len(name), position)
    if not hits:
        return []
    if whole:
        longest = max(size for size, _ in hits.values())
        return [kind for kind, (size, _) in hits.items() if size == longest]
    # a name inside a longer found name ("order" in "purchase order") is not a second kind
    kinds = sorted(hits, key=lambda kind: hits[kind][1])
    return [
        kind
        for kind in kinds
        if not any(
            other != kind
            and hits[other][0] > hits[kind][0]
            and hits[other][1] <= hits[kind][1] < hits[other][1] + hits[other][0]
            for other in kinds
        )
    ]


def _find(words: tuple[str, ...], name: Phrase) -> int:
    size = len(name)
    for start in range(len(words) - size + 1):
        if words[start : start + size] == name:
            return start
    return -1


def _add_kind(profile: RuleProfile, kind: str, weight: float) -> None:
    """Add a kind's vocabulary, its narrower kinds' names and its broader kind's phrases."""
    profile.kinds[kind] = max(profile.kinds.get(kind, 0.0), weight)
    vocabulary = VOCABULARY[kind]
    own_names = {name: weight * vocabulary.name_weight(name) for name in vocabulary.names}
    _merge(profile.names, own_names)
    _merge(profile.phrases, _phrase_weights(vocabulary.phrases, weight))
    _merge_cues(profile.cues, {cue: value * weight for cue, value in vocabulary.cues.items()})
    for other in VOCABULARY.values():
        if other.broader == kind:
            names = {name: weight * NARROWER * other.name_weight(name) for name in other.names}
            _merge(profile.names, names)
            _merge(profile.phrases, _phrase_weights(other.phrases, weight * 0.3))
    if vocabulary.broader:
        broader = VOCABULARY[vocabulary.broader]
        names = {name: weight * BROADER * broader.name_weight(name) for name in broader.names}
        _merge(profile.names, names)
        _merge(profile.phrases, _phrase_weights(broader.phrases, weight * BROADER))
        cues = {cue: value * weight * 0.7 for cue, value in broader.cues.items()}
        _merge_cues(profile.cues, cues)


def _phrase_weights(phrases: tuple[Phrase, ...], weight: float) -> dict[Phrase, float]:
    """Each phrase weighs by its specificity, and a phrase of several words more than one
    word ("department of the treasury" says more than "section")."""
    return {key: weight * SPECIFICITY[key] * min(2.0, 1 + 0.35 * (len(key) - 1)) for key in phrases}


def _merge(target: dict[Key, float], items: dict[Key, float]) -> None:
    for key, value in items.items():
        if value > target.get(key, 0.0):
            target[key] = value


def _merge_cues(target: dict[str, float], items: dict[str, float]) -> None:
    """Cue weights may be negative (a till slip speaks against an invoice): the stronger of
    two weights, by size, is kept."""
    for key, value in items.items():
        if key not in target or abs(value) > abs(target[key]):
            target[key] = value


def _clauses(words: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Description words split into those kept and those under a negation ("not a receipt"),
    which runs to the end of its clause. Clause ends are lost with punctuation, so a negation
    covers the next few words only."""
    kept: list[str] = []
    negated: list[str] = []
    remaining = 0
    for word in words:
        if word in _NEGATIONS:
            remaining = 4
            continue
        if remaining:
            negated.append(word)
            remaining -= 1
        else:
            kept.append(word)
    return tuple(kept), tuple(negated)


def _add_terms(profile: RuleProfile, words: tuple[str, ...]) -> None:
    """Description content words and pairs of adjacent content words as terms; words that
    ask for a layout cue add that cue."""
    named = {word for name in profile.names for word in name}
    content = [word if _content(word) else "" for word in words]
    for word in content:
        if word and word not in named:
            profile.terms.setdefault((word,), 1.0)
    for first, second in zip(content, content[1:], strict=False):
        if first and second:
            pair = (first, second)
            if pair not in profile.names:
                profile.terms.setdefault(pair, 1.5)
    for size in (1, 2):
        for start in range(len(words) - size + 1):
            cue = _CUE_WORDS.get(tuple(words[start : start + size]))
            if cue:
                profile.cues[cue] = max(profile.cues.get(cue, 0.0), 0.5)


def _content(word: str) -> bool:
    return len(word) >= 3 and word not in _STOP and not word.isdigit()
