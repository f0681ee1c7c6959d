"""Words for matching: folded tokens of page text, rule names and vocabulary phrases.

Page text, rule types, descriptions and vocabulary phrases all pass through ``tokens`` so they
compare on equal terms: lower case, accents folded (``Résumé`` = ``resume``), punctuation
dropped, a light plural strip (``invoices`` = ``invoice``) and snake/camel case split
(``purchaseOrder``/``purchase_order`` = ``purchase order``, ``W9`` = ``W-9``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from collections.abc import Set as AbstractSet

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")
_TOKEN = re.compile(r"[^\W_]+")
MAX_PHRASE = 4  # longest vocabulary phrase, in tokens, that page n-grams are built for


@lru_cache(maxsize=131072)
def fold(word: str) -> str:
    """One lower-case word without accents or a plural ``s``: ``"Rechnungen"`` stays,
    ``"Invoices"`` -> ``"invoice"``, ``"Parties"`` -> ``"party"``, ``"Résumé"`` -> ``"resume"``."""
    word = unicodedata.normalize("NFKD", word.lower())
    word = "".join(char for char in word if not unicodedata.combining(char))
    word = word.replace("ß", "ss").replace("ł", "l").replace("ø", "o")
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def tokens(text: str) -> list[str]:
    """The folded word tokens of ``text``, in order (``"Invoice No.: 12"`` ->
    ``["invoice", "no", "12"]``)."""
    return [fold(token) for token in _TOKEN.findall(_CAMEL.sub(" ", text))]


@lru_cache(maxsize=16384)
def line_words(text: str) -> tuple[str, ...]:
    """``tokens`` of one line, cached: a page's lines are read by several cues."""
    return tuple(tokens(text))


@lru_cache(maxsize=16384)
def line_grams(text: str) -> frozenset[tuple[str, ...]]:
    """``ngrams`` of one line's tokens, cached."""
    return frozenset(ngrams(line_words(text)))


def phrase(text: str) -> tuple[str, ...]:
    """A phrase as a token tuple, the key ``ngrams`` uses."""
    return tuple(tokens(text))


def ngrams(words: Sequence[str], longest: int = MAX_PHRASE) -> set[tuple[str, ...]]:
    """Every run of 1..``longest`` consecutive tokens, for constant-time phrase look-up."""
    found: set[tuple[str, ...]] = set()
    for size in range(1, longest + 1):
        for start in range(len(words) - size + 1):
            found.add(tuple(words[start : start + size]))
    return found


def contains(grams: AbstractSet[tuple[str, ...]], wanted: tuple[str, ...]) -> bool:
    """Whether a phrase occurs in text whose ``ngrams`` are ``grams``; phrases longer than
    ``MAX_PHRASE`` tokens match when their leading and trailing runs both occur."""
    if not wanted:
        return False
    if len(wanted) <= MAX_PHRASE:
        return wanted in grams
    return wanted[:MAX_PHRASE] in grams and wanted[-MAX_PHRASE:] in grams


def found_phrases(
    grams: AbstractSet[tuple[str, ...]], phrases: Iterable[tuple[str, ...]]
) -> list[tuple[str, ...]]:
    """The phrases that occur, dropping one that is part of a longer found phrase (so
    ``"total"`` does not count again beside ``"grand total"``)."""
    hits = [wanted for wanted in phrases if contains(grams, wanted)]
    hits.sort(key=len, reverse=True)
    kept: list[tuple[str, ...]] = []
    for hit in hits:
        if not any(_inside(hit, longer) for longer in kept):
            kept.append(hit)
    return kept


def _inside(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    size = len(short)
    return size < len(long) and any(
        long[index : index + size] == short for index in range(len(long) - size + 1)
    )


def show(wanted: tuple[str, ...]) -> str:
    """A token tuple as readable text for reasoning strings."""
    return " ".join(wanted)
