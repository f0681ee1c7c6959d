"""Values no label names, found by what the field means (``meaning``) and where such values
are printed: the document's date, the issuer's name and address in the header block.

Runs after the labelled, table and prose finders and fills only what they left missing,
except that a header value replaces a generically labelled one for an issuer field ("Address:"
in a receipt's body is the customer's, the merchant's address is the header block's).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING, Any

from extraction.pipeline.engines.local.dates import dates_in
from extraction.pipeline.engines.local.fields import Found
from extraction.pipeline.engines.local.header import issuer_header
from extraction.pipeline.engines.local.lexicon import currency_codes, word_labels
from extraction.pipeline.engines.local.meaning import meaning_of
from extraction.pipeline.engines.local.totals import final_total, totals_triple

if TYPE_CHECKING:
    from extraction.pipeline.engines.local.header import HeaderBlock
    from extraction.pipeline.engines.local.hints import DocumentHints
    from extraction.pipeline.engines.local.labels import FieldSpec
    from extraction.pipeline.engines.local.layout import PageLayout
    from extraction.pipeline.engines.local.totals import TotalsTriple


def fill_by_meaning(
    leaves: list[FieldSpec],
    found: dict[str, Any],
    layouts: list[PageLayout],
    hints: DocumentHints,
) -> None:
    """Fill (in place) leaves whose meaning says where an unlabelled value is printed."""
    if not layouts:
        return
    header: HeaderBlock | None = None
    triple: TotalsTriple | None = None
    triple_read = False  # ``totals_triple`` runs once, when a subtotal or tax first asks
    for spec in leaves:
        if "." in spec.path:
            continue  # nested objects have their own block finders (``blocks``)
        meaning = meaning_of(spec)
        prior = found.get(spec.path)
        if meaning.concept == "date" and meaning.document_date and prior is None:
            value = document_date(layouts, hints)
            if value is not None:
                found[spec.path] = value
            continue
        if meaning.concept == "currency" and spec.kind == "string" and prior is None:
            value = document_currency(layouts)
            if value is not None:
                found[spec.path] = value
            continue
        if meaning.total == "total" and spec.kind in {"number", "integer"}:
            value = final_total(layouts, hints, spec)
            if value is not None and (prior is None or value.score > 0.7):
                found[spec.path] = value
            continue
        if meaning.total in {"subtotal", "tax"} and prior is None:
            if not triple_read:
                triple, triple_read = totals_triple(layouts, hints), True
            if triple is not None:
                found[spec.path] = triple.net if meaning.total == "subtotal" else triple.tax
            continue
        if meaning.role != "issuer" or meaning.concept not in {"name", "address"}:
            continue
        if prior is not None and _issuer_labelled(prior):
            continue
        if header is None:
            header = issuer_header(layouts[0])
        value = header.name if meaning.concept == "name" else header.address
        if value is not None and (prior is None or _below_header(prior, layouts[0], header)):
            found[spec.path] = value


def _issuer_labelled(found: Found) -> bool:
    """A value read after a label that names the issuer ("Seller:", "From:")."""
    match = re.match(r"label '([^']*)'", found.how)
    if match is None:
        return True  # not a label: keep what a block or prose finder decided
    label = match.group(1).lower()
    issuer = {w for word in ("vendor", "merchant", "issuer") for w in word_labels(word)}
    return any(re.search(rf"(?<!\w){re.escape(word)}(?!\w)", label) for word in issuer)


def _below_header(found: Found, layout: PageLayout, header: HeaderBlock) -> bool:
    if found.page != layout.number:
        return True
    end = layout.rows[header.end_row - 1].end if header.end_row else 0
    return found.start >= end


_CODE = re.compile(r"(?<![A-Za-z])[A-Z]{3}(?![A-Za-z])")
_SYMBOL = re.compile(r"[$€£¥₹₩₽₺฿]|(?<![A-Za-z])(?:RM|zł|Rs\.?|kr|Kč|R\$|S\$|A\$|C\$)(?=[\s\d]|$)")


def document_currency(layouts: list[PageLayout]) -> Found | None:
    """The ISO 4217 code of the currency the document's amounts are in: the code, symbol or
    currency word printed most often (codes count double: they are unambiguous)."""
    codes = currency_codes()
    votes: Counter[str] = Counter()
    first: dict[str, tuple[int, int, int]] = {}
    for layout in layouts[:3]:
        text = layout.page.text
        for match in _CODE.finditer(text):
            code = match.group(0)
            if codes.get(code.lower()) == code:
                votes[code] += 2
                first.setdefault(code, (layout.number, match.start(), match.end()))
        for match in _SYMBOL.finditer(text):
            symbol_code = codes.get(match.group(0).lower())
            if symbol_code:
                votes[symbol_code] += 1
                first.setdefault(symbol_code, (layout.number, match.start(), match.end()))
    if not votes:
        return None
    code, count = votes.most_common(1)[0]
    page, start, end = first[code]
    score = 0.8 if count >= 3 else 0.6
    return Found(code, page, start, end, score, "currency printed with the amounts")


_DATE_WORD = re.compile(r"\b(date|dated|datum|fecha|data|tarikh|dt|le|am|on|issued|day)\b", re.I)
_NOT_THIS_DATE = re.compile(
    r"\b(due|expir\w*|valid|birth|born|delivery|ship\w*|period|from|until|to|start|end|"
    r"closed|printed|print|since|points?|member)\b",
    re.I,
)


def document_date(layouts: list[PageLayout], hints: DocumentHints) -> Found | None:
    """The date the document bears: on page 1, the first date on a line that says "date",
    else the first date not qualified as another date (due, birth, period, printed)."""
    if not layouts:
        return None
    layout = layouts[0]
    candidates: list[tuple[float, int, Found]] = []
    for order, row in enumerate(layout.rows):
        for index, cell in enumerate(row.cells):
            for value, start, end in dates_in(cell.text, hints):
                context = " ".join(c.text for c in row.cells[:index]) + " " + cell.text[:start]
                if _NOT_THIS_DATE.search(context[-40:]):
                    weight = 0.3
                elif _DATE_WORD.search(context[-40:]):
                    weight = 0.9
                else:
                    weight = 0.7
                found = Found(
                    value.isoformat(),
                    layout.number,
                    cell.start + start,
                    cell.start + end,
                    0.6 if weight >= 0.9 else 0.5,
                    "date on a line that says date" if weight >= 0.9 else "first date printed",
                )
                candidates.append((weight, order, found))
    if not candidates:
        return None
    candidates.sort(key=lambda item: (-item[0], item[1]))
    return candidates[0][2]
