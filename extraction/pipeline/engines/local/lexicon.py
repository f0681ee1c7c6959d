"""The engine's vocabulary by meaning, read from ``lexicon.json`` (a data file, many languages).

``word_labels(word)`` gives the printed labels that carry the meaning of one word of a field
name (``vendor`` -> supplier, seller, Lieferant, sprzedawca ...); ``TYPE_WORDS`` are the words
that only name a value's type (name, number, amount, date) and may be missing from a label.
``LEGAL_FORMS`` end company names; ``CURRENCIES`` maps symbols and words to ISO 4217 codes.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

_PATH = Path(__file__).with_name("lexicon.json")


@cache
def _data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_PATH.read_text(encoding="utf-8"))
    return data


def word_labels(word: str) -> list[str]:
    """Labels (lower case) that print the meaning of ``word``; ``[]`` when the lexicon has none."""
    data = _data()
    return list(data["words"].get(word) or data["type_words"].get(word) or [])


def is_optional_word(word: str) -> bool:
    """True for type words a label may leave out ("name", "amount"): "Vendor:" names the
    vendor's name. Not "number" or "date": "Account" does not label an account number."""
    return word in _data()["optional_type_words"]


def legal_forms() -> list[str]:
    """Company-name suffixes (lower case), longest first."""
    return sorted(_data()["legal_forms"], key=len, reverse=True)


def business_words() -> frozenset[str]:
    """Words that often end a trading name with no legal form ("... Restaurant", "... Mart")."""
    return frozenset(_data()["business_words"])


@cache
def legal_form_pattern() -> re.Pattern[str]:
    """Matches a legal form at the end of a name (before a registration number, if any)."""
    forms = "|".join(
        re.escape(form).replace(r"\ ", r"\s*").replace(r"\.", r"\.?") for form in legal_forms()
    )
    # A form may be run into the name in camel case ("ResourcesSdnBhd").
    return re.compile(rf"(?:(?<![\w])|(?<=(?-i:[a-z]))(?=(?-i:[A-Z])))(?:{forms})(?![\w])", re.I)


def word_list(name: str) -> list[str]:
    """One of the lexicon's plain word lists (``address_words``, ``contact_words``,
    ``title_words``, ``greeting_words``, ``business_words``), lower case."""
    return list(_data()[name])


@cache
def words_pattern(name: str) -> re.Pattern[str]:
    """Matches any entry of the word list ``name`` as whole words (case-insensitive)."""
    entries = sorted(word_list(name), key=len, reverse=True)
    alternatives = "|".join(re.escape(entry).replace(r"\ ", r"\s*") for entry in entries)
    # Letters may not touch an entry; digits may ("14JALAN", "No.49").
    return re.compile(rf"(?<![^\W\d_])(?:{alternatives})(?![^\W\d_])", re.I)


def currency_codes() -> dict[str, str]:
    """Printed symbol or word (lower case) -> ISO 4217 code; codes map to themselves."""
    out: dict[str, str] = {}
    for code, names in _data()["currencies"].items():
        out[code.lower()] = code
        for name in names:
            out.setdefault(name.lower(), code)
    return out


def total_words() -> tuple[list[str], list[str]]:
    """Words that make a printed total the final one (prefer) or another figure (avoid)."""
    words = _data()["total_words"]
    return list(words["prefer"]), list(words["avoid"])
