"""Schema fields and the printed labels that name them.

``field_specs`` walks a resolved JSON Schema into ``FieldSpec``s (one per property, nested);
``label_score`` says how well a printed label ("Inv. Number:") names a field, from the field's
name, title, the labels its description lists, and the curated ``vocabulary``.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz, process

from extraction.pipeline.engines.local.lexicon import is_optional_word, word_labels
from extraction.pipeline.engines.local.vocabulary import SYNONYMS

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_CURRENCY_TOKENS = r"usd|eur|gbp|chf|cad|aud|[$€£]"


@dataclass
class FieldSpec:
    """One schema property; ``kind`` is the extraction type the engine produces for it."""

    path: str
    name: str
    schema: dict[str, Any]
    kind: str  # string number integer boolean date yearmonth enum object array_obj array_str
    nullable: bool
    phrases: dict[str, float] = field(default_factory=dict)  # normalised label -> weight
    children: list[FieldSpec] = field(default_factory=list)
    item: FieldSpec | None = None  # for arrays
    scores: dict[str, float] = field(default_factory=dict, repr=False, compare=False)
    prefixes: set[str] = field(default_factory=set, repr=False, compare=False)

    @property
    def words(self) -> str:
        return words_of(self.name)

    @property
    def description(self) -> str:
        return str(self.schema.get("description") or "")

    @property
    def enum(self) -> list[Any]:
        return [v for v in self.schema.get("enum", []) if v is not None]


def words_of(name: str) -> str:
    """``"invoiceNumber"``/``"invoice_number"`` -> ``"invoice number"``."""
    name = _CAMEL.sub(" ", name)
    name = re.sub(r"(?<=[a-z])(?=\d)", " ", name.lower())
    return " ".join(re.split(r"[_\-\s.]+", name)).strip()


@lru_cache(maxsize=65536)
def normalize_label(text: str) -> str:
    """Lower-case a printed label and drop what never distinguishes one: parenthesised notes,
    percentages, currency codes, trailing colons and most punctuation."""
    text = re.sub(r"^[#*_\s]+|[*_]+$", "", text.lower())
    text = _DATE_IN_LABEL.sub(" ", text)
    text = re.sub(r"\([^)]*\)", " ", text)
    text = re.sub(r"\d+([.,]\d+)?\s*%", " ", text)
    text = re.sub(rf"\b(?:{_CURRENCY_TOKENS})(?=\s|$)|[$€£]", " ", text)
    text = text.replace("n°", "no").replace("nº", "no").replace("nr.", "no")
    text = re.sub(r"[^\w#/&+\-' ]+", " ", text)
    text = re.sub(r"(?<!\w)[-/](?!\w)", " ", text)
    return " ".join(text.split())


_MONTH_NAMES = (
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|januar|februar|märz|mai|juni|juli|okt|dez|"
    r"janv|févr|mars|avr|juin|juil|août|sept|déc|mei|okt|ene|abr|ago|dic"
)
# "Balance on 31 December 2024", "Old balance as of 01.07.2025": the date is not the label.
_DATE_IN_LABEL = re.compile(
    r"\s*\b(?:on|as of|as at|per|am|au|op|al|du|vom|at)?\s*"
    r"(?:\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d{2}-\d{2}|"
    rf"\d{{1,2}}\.?\s+(?:{_MONTH_NAMES})[a-zäéû]*\.?,?\s+\d{{4}}|"
    rf"(?:{_MONTH_NAMES})[a-zäéû]*\.?\s+\d{{1,2}},?\s+\d{{4}})"
)


def _type_kind(schema: dict[str, Any]) -> tuple[str, bool]:
    types = schema.get("type", "string")
    if isinstance(types, str):
        types = [types]
    nullable = "null" in types or None in schema.get("enum", [])
    main = next((t for t in types if t != "null"), "string")
    if schema.get("enum"):
        return "enum", nullable
    if main == "string":
        fmt = schema.get("format")
        pattern = schema.get("pattern", "")
        if fmt == "date" or fmt == "date-time":
            return "date", nullable
        if "[0-9]{4}-[0-9]{2}$" in pattern:
            return "yearmonth", nullable
        return "string", nullable
    if main == "array":
        items = schema.get("items") or {}
        item_kind, _ = _type_kind(items)
        return ("array_obj" if item_kind == "object" else "array_str"), nullable
    if main in {"number", "integer", "boolean", "object"}:
        return main, nullable
    return "string", nullable


def field_specs(schema: dict[str, Any], prefix: str = "") -> list[FieldSpec]:
    """One ``FieldSpec`` per property of an object schema, children nested."""
    specs = []
    for name, sub in (schema.get("properties") or {}).items():
        specs.append(_spec(name, sub or {}, f"{prefix}{name}", parent=prefix.rstrip(".")))
    return specs


def _spec(name: str, schema: dict[str, Any], path: str, *, parent: str) -> FieldSpec:
    kind, nullable = _type_kind(schema)
    spec = FieldSpec(path, name, schema, kind, nullable)
    spec.phrases = _phrases(name, schema, parent)
    if kind == "object":
        spec.children = field_specs(schema, prefix=f"{path}.")
    elif kind in {"array_obj", "array_str"}:
        item_schema = schema.get("items") or {}
        spec.item = _spec(name, item_schema, path, parent=parent)
        if kind == "array_obj":
            spec.item.children = field_specs(item_schema, prefix="")
    return spec


def _phrases(name: str, schema: dict[str, Any], parent: str) -> dict[str, float]:
    phrases: dict[str, float] = {}

    def add(text: str, weight: float) -> None:
        key = normalize_label(text)
        if key and phrases.get(key, 0.0) < weight:
            phrases[key] = weight

    own = words_of(name)
    # "first_invoice_number"/"last_invoice_number" are labelled as the invoice number; which
    # occurrence counts is the resolver's business.
    own = re.sub(r"^(first|last|final|initial) ", "", own)
    parent_words = words_of(parent.split(".")[-1]) if parent else ""
    add(own, 1.0)
    if parent_words:
        add(f"{parent_words} {own}", 1.0)
    if schema.get("title"):
        add(str(schema["title"]), 1.0)
    for key in (f"{parent_words} {own}".strip(), own):
        for rank, synonym in enumerate(SYNONYMS.get(key, [])):
            # Bare generic words ("date", "to") are weaker evidence than specific labels, and
            # synonyms listed first are the more usual meaning of a label.
            base = 0.95 if len(synonym.split()) > 1 or len(synonym) > 6 else 0.88
            add(synonym, base - 0.001 * min(rank, 20))
    for phrase, weight in word_phrases(own):
        add(phrase, weight)
    description = str(schema.get("description") or "")
    listed = re.search(r"labels?[^:(]*[:(]([^)]*)", description, re.I)
    if listed:
        for part in re.split(r",|;|\bor\b", listed.group(1)):
            part = part.strip(" .'\"")
            if part and part != "..." and len(part) < 30:
                add(part, 0.95)
    return phrases


MAX_WORD_ALTERNATIVES = 40
MAX_WORD_PHRASES = 400


def word_phrases(words: str) -> list[tuple[str, float]]:
    """Labels for a field name read word by word: each word of ``words`` ("vendor name") by
    itself or by a label of the same meaning from the lexicon ("supplier name", "sprzedawca
    nazwa"), and the same without the words that only name the type ("vendor", "seller").
    Multi-word phrases weigh 0.92, single words 0.88 (a bare word is weaker evidence)."""
    parts = words.split()
    if not parts or len(parts) > 4:
        return []
    choices = []
    for word in parts:
        same = [label for label in word_labels(word) if label != word]
        choices.append([word, *same[: MAX_WORD_ALTERNATIVES - 1]])
    core = [
        options
        for word, options in zip(parts, choices, strict=True)
        if not is_optional_word(word) and not word.isdigit()
    ]
    out: list[tuple[str, float]] = []
    combos = [choices] + ([core] if core and len(core) < len(parts) else [])
    for options in combos:
        for combo in itertools.islice(itertools.product(*options), MAX_WORD_PHRASES):
            phrase = " ".join(combo)
            out.append((phrase, 0.92 if len(phrase.split()) > 1 else 0.88))
    return out


def might_label(text: str, spec: FieldSpec) -> bool:
    """Cheap pre-check: does any of the first words of ``text`` start like a word of one of
    ``spec``'s labels? False means ``label_score`` is 0 for every prefix of ``text``."""
    if not spec.prefixes:
        spec.prefixes = {word[:4] for phrase in spec.phrases for word in phrase.split()}
    for word in text.lower().split()[:6]:
        if word.strip(".:#*_()[]-–|·")[:4] in spec.prefixes:
            return True
    return False


def label_score(text: str, spec: FieldSpec) -> float:
    """How well printed ``text`` names ``spec`` (0..1); exact synonyms score their weight."""
    if len(text) > 60:
        return 0.0
    label = normalize_label(text)
    if not label or len(label) > 40:
        return 0.0
    cached = spec.scores.get(label)
    if cached is None:
        cached = spec.scores[label] = _score(label, spec)
    return cached


def _score(label: str, spec: FieldSpec) -> float:
    best = spec.phrases.get(label, 0.0)
    if best >= 0.93:
        return best
    if _COUNT.search(spec.name):
        best = max(best, _count_label(label, spec.name))
    if not spec.prefixes:
        spec.prefixes = {word[:4] for phrase in spec.phrases for word in phrase.split()}
    # A fuzzy match shares at least one word start with some phrase; most text shares none.
    if not any(word[:4] in spec.prefixes for word in label.split()):
        return best
    for phrase, ratio, _index in process.extract_iter(
        label, list(spec.phrases), scorer=fuzz.ratio, score_cutoff=84
    ):
        if _tokens_agree(label, phrase):
            best = max(best, spec.phrases[phrase] * ratio / 100.0)
    return best


def _tokens_agree(label: str, phrase: str) -> bool:
    """A fuzzy match may misspell words, not swap a short one ("customer no" is not
    "customer po"): every differing word must be long and close to its counterpart."""
    label_words, phrase_words = label.split(), phrase.split()
    if len(label_words) != len(phrase_words):
        return True  # joined or split words ("subtotal" / "sub total"): leave it to the ratio
    for a, b in zip(label_words, phrase_words, strict=True):
        if a != b and (min(len(a), len(b)) < 4 or fuzz.ratio(a, b) < 75):
            return False
    return True


_COUNT = re.compile(r"(^|_)(count|number_of|num)(_|$)|_count$", re.I)


def _count_label(label: str, name: str) -> float:
    """A count field ("invoice_count") is labelled by its noun in the plural ("Invoices in
    batch") or after "number of"; 0 when the label is neither."""
    nouns = [w for w in words_of(name).split() if w not in {"count", "number", "of", "num"}]
    words = label.split()
    if not nouns or not words:
        return 0.0
    plural = any(w.rstrip("s") == nouns[0].rstrip("s") and w.endswith("s") for w in words)
    counted = "number of" in label or "count" in words or "no of" in label
    named = any(w.startswith(nouns[0][:5]) for w in words)
    if named and (plural or counted):
        return 0.85 + 0.05 / len(words)
    return 0.0
