"""What a schema field means, read from its name, type, title and description.

A field is more than its label: ``total`` described as "final amount paid (after rounding)"
is the rounded total, not the subtotal; ``currency`` described as "ISO 4217 code" wants a
code even when the document prints a symbol; ``effective_date`` is the date an agreement
takes effect; ``box12_section_409a_deferrals`` / "Line 5: ..." name the number printed on a
form. ``meaning_of(spec)`` gathers these cues once per field into a ``Meaning`` that the
strategies for unlabelled values (``header``, ``totals``, ``agreements``, ``forms``) read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from extraction.pipeline.engines.local.labels import FieldSpec, words_of

ISSUER_WORDS = frozenset(
    {"vendor", "supplier", "seller", "merchant", "store", "shop", "issuer", "company", "business"}
)
CUSTOMER_WORDS = frozenset({"customer", "buyer", "client", "purchaser", "billed", "bill"})
_DOCUMENT_DATE_WORDS = frozenset(
    {
        "invoice",
        "issue",
        "issued",
        "transaction",
        "receipt",
        "document",
        "purchase",
        "sale",
        "order",
        "effective",
        "agreement",
        "contract",
        "statement",
        "bill",
        "dated",
    }
)
_OTHER_DATE_WORDS = frozenset(
    {
        "due",
        "birth",
        "expiry",
        "expiration",
        "delivery",
        "start",
        "end",
        "from",
        "to",
        "until",
        "payment",
        "ship",
        "shipping",
        "termination",
        "signature",
        "signed",
        "period",
        "hire",
        "graduation",
    }
)
_LINE = re.compile(r"\b(?:line|box|item|field|row)\s*([0-9]{1,2}[a-z]?)\b", re.I)
_NAME_LINE = re.compile(r"^(?:line|box)_?([0-9]{1,2}[a-z]?)(?:_|$)", re.I)


@dataclass(frozen=True)
class Meaning:
    """Cues about one field. ``concept`` is the kind of value (``date``, ``money``,
    ``currency``, ``duration``, ``percent``, ``address``, ``name``, ``names``, ``text``,
    ``boolean``, ``enum``, ``number``); ``role`` whose value it is (``issuer``, ``customer``
    or None); ``document_date`` the date the document itself bears; ``total`` one of
    ``total``/``subtotal``/``tax`` for money fields; ``line`` the printed line or box
    number a form gives it; ``words`` the name's words."""

    concept: str
    role: str | None
    document_date: bool
    total: str | None
    line: str | None
    words: tuple[str, ...]
    description: str


def meaning_of(spec: FieldSpec) -> Meaning:
    """The ``Meaning`` of ``spec`` (cached per name, kind and description)."""
    return _meaning(spec.name, spec.kind, spec.description.lower(), str(spec.schema.get("title")))


@lru_cache(maxsize=4096)
def _meaning(name: str, kind: str, description: str, title: str) -> Meaning:
    words = tuple(words_of(name).split())
    wordset = set(words)
    text = f"{' '.join(words)} {description}"
    concept = _concept(kind, wordset, description)
    role = None
    if wordset & ISSUER_WORDS or (
        re.search(r"\b(merchant|vendor|seller|supplier|issu(?:er|ed)|store)\b", description)
        and not wordset & CUSTOMER_WORDS
    ):
        role = "issuer"
    elif wordset & CUSTOMER_WORDS:
        role = "customer"
    document_date = concept == "date" and not wordset & _OTHER_DATE_WORDS
    if document_date and len(words) > 1:
        document_date = bool(wordset & _DOCUMENT_DATE_WORDS)
    total = None
    if concept in {"money", "number"}:
        if wordset & {"subtotal", "net"} or re.search(r"before tax|\bnet\b|excl", description):
            total = "subtotal"
        elif wordset & {"tax", "vat", "gst"}:
            total = "tax"
        elif "total" in wordset or re.search(r"\b(grand total|amount due|total)\b", text):
            total = "total"
    line = None
    match = _NAME_LINE.match(name) or _LINE.search(description) or _LINE.search(title.lower())
    if match:
        line = match.group(1).lower()
    return Meaning(concept, role, document_date, total, line, words, description)


def _concept(kind: str, words: set[str], description: str) -> str:
    if kind in {"date", "yearmonth"}:
        return "date"
    if kind == "boolean":
        return "boolean"
    if kind == "enum":
        return "currency" if "currency" in words else "enum"
    if kind == "array_str":
        return "names" if words & {"parties", "names", "signatories", "authors"} else "list"
    if kind in {"number", "integer"}:
        if words & {"percent", "percentage", "rate"} or "percent" in description:
            return "percent"
        if words & {"count", "quantity", "qty"}:
            return "number"
        return "money"
    if kind != "string":
        return kind
    if "currency" in words or re.search(r"\biso 4217\b|currency code", description):
        return "currency"
    if re.search(r"\bduration\b|<number> <unit>|\bterm\b", description) or words & {
        "term",
        "duration",
    }:
        return "duration"
    if re.search(r"\biso 8601\b|\bdate\b", description) and "date" in words:
        return "date"
    if words & {"address", "street", "city", "zip", "postcode"}:
        return "address"
    if words & {"name", "company", "merchant", "vendor", "supplier", "seller", "payer"}:
        return "name"
    if words & {"jurisdiction", "law"} or "governing-law" in description:
        return "jurisdiction"
    return "text"
