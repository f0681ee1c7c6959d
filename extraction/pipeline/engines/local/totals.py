"""The final total of a receipt or invoice, chosen among the figures printed as totals.

A till prints several totals: the total before tax, the tax, the total with tax, a rounding
adjustment and the rounded total, then the cash tendered and the change, and often a tax
summary table below. ``final_total`` collects every row whose label reads as a total (the
lexicon's words for "total" in many languages, or a word one letter off: scans misread
letters) and ranks them: a subtotal, a tax line, a quantity or item count, a figure in the
tax summary is not the total; one labelled rounded, grand, net, payable or due is preferred,
and so is one printed after a rounding adjustment. When the payment and the change are
printed, the total is what was paid less the change: a candidate equal to that wins, and
with no candidate the difference itself is the total (cited where it is printed, if it is).

``totals_triple`` reads a totals row that prints net, tax and gross side by side
("Razem: 257,59 59,24 316,83", where net + tax = gross).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from rapidfuzz import fuzz

from extraction.pipeline.engines.local.fields import Found
from extraction.pipeline.engines.local.labels import FieldSpec, label_score
from extraction.pipeline.engines.local.lexicon import total_words, word_labels
from extraction.pipeline.engines.local.typed import find_amount

if TYPE_CHECKING:
    from extraction.pipeline.engines.local.hints import DocumentHints
    from extraction.pipeline.engines.local.layout import Cell, PageLayout, Row

# A figure may follow letters ("RM250.00") but not run into a word ("5ales"); a scan may split
# its cents ("7.0 0").
_FIGURE = re.compile(
    r"(?<![\d.,])-?\(?(?:\d{1,3}(?:[,.' ]\d{3})+|\d+)(?:[.,]\d ?\d|[.,]\d)?\)?"
    r"(?![\d]|[.,]\d|[A-Za-z]{2})"
)
_CURRENCY_ONLY = re.compile(r"^(?:[A-Z]{1,3}|[$€£¥₹]|rm|zł)?\s*[:.]?$", re.I)
_PAID = re.compile(
    r"\b(cash|paid|payment|tender\w*|received|bayar|bezahlt|payé|betaald|pagado|zapłacono)\b",
    re.I,
)
_CHANGE = re.compile(r"\b(change|changes|baki|rückgeld|monnaie|wisselgeld|cambio|reszta)\b", re.I)
_ROUNDING = re.compile(r"\bround", re.I)
_SUMMARY = re.compile(r"\bsummary\b|\bzusammenfassung\b|\brécapitulatif\b", re.I)
_WITH_TAX = re.compile(r"\b(incl\w*|inclusive|including|with|inkl\w*|ttc|brutto|gross)\b", re.I)
_TAX = re.compile(r"\b(tax|gst|vat|sst|mwst|ust|tva|btw|iva)\b", re.I)


@dataclass
class _Candidate:
    value: float
    row: Row
    cell: Cell
    start: int
    end: int
    weight: float


MAX_LABEL_WORDS = 6  # a longer text is a sentence that mentions a total, not its label


def _total_label(text: str, spec: FieldSpec | None = None) -> bool:
    """A label that reads as a total: the lexicon's words (any language), one of the field's
    own labels, or a word one letter off "total" (a misread scan)."""
    lowered = text.lower()
    if len(re.findall(r"[^\W\d_]{2,}", lowered)) > MAX_LABEL_WORDS:
        return False
    if spec is not None and label_score(text.strip(" :"), spec) >= 0.85:
        return True
    for label in word_labels("total"):
        if re.search(rf"(?<!\w){re.escape(label)}(?!\w)", lowered):
            return True
    tokens = re.findall(r"[a-z]{4,6}", lowered)
    return any(fuzz.ratio(token, "total") >= 80 for token in tokens)


def _figures(cell: Cell, hints: DocumentHints) -> list[tuple[float, int, int]]:
    out = []
    for match in _FIGURE.finditer(cell.text):
        token = match.group(0)
        if not re.search(r"\d", token) or re.search(
            r"\d\s?%", cell.text[match.end() : match.end() + 2]
        ):
            continue
        got = find_amount(re.sub(r"(?<=[.,]\d) (?=\d)", "", token), hints)
        if got is None:
            continue
        value = -abs(got[0]) if token.startswith(("-", "(")) else got[0]
        out.append((value, match.start(), match.end()))
    return out


def _row_amount(
    row: Row, hints: DocumentHints, *, from_cell: int = 0
) -> tuple[float, Cell, int, int] | None:
    """The rightmost figure of ``row`` (after cell ``from_cell``'s label text)."""
    for cell in reversed(row.cells[from_cell:]):
        figures = _figures(cell, hints)
        if figures:
            value, start, end = figures[-1]
            return value, cell, cell.start + start, cell.start + end
    return None


def _label_text(row: Row) -> str:
    return " ".join(_FIGURE.sub(" ", cell.text) for cell in row.cells)


def _figure_row_below(rows: list[Row], index: int, hints: DocumentHints) -> Row | None:
    """The next row when it holds only a figure (and a currency): the label's value."""
    if index + 1 >= len(rows):
        return None
    below = rows[index + 1]
    rest = _FIGURE.sub(" ", below.text).strip()
    if _CURRENCY_ONLY.match(rest) and _row_amount(below, hints) is not None:
        return below
    return None


def final_total(
    layouts: list[PageLayout], hints: DocumentHints, spec: FieldSpec | None = None
) -> Found | None:
    """The final amount of the document (see the module docstring); None when no row reads
    as a total and no payment less change is printed. ``spec``'s own labels also count as
    totals. The result's score is above 0.7 only when a cue (a preferred word, a rounding
    adjustment above it, or paid less change) singled it out."""
    prefer, avoid = total_words()
    candidates: list[_Candidate] = []
    paid: float | None = None
    change: float | None = None
    for layout in layouts[:3]:
        rows = layout.rows
        in_summary = False
        rounded_seen = False
        for index, row in enumerate(rows):
            label = _label_text(row).lower()
            if _SUMMARY.search(label):
                in_summary = True
            if in_summary:
                continue
            amount = _row_amount(row, hints)
            if _ROUNDING.search(label) and not _total_label(label, spec):
                rounded_seen = True
                continue
            if _CHANGE.search(label) and amount is not None:
                change = amount[0] if change is None else change
                continue
            if _PAID.search(label) and amount is not None and not _total_label(label, spec):
                paid = amount[0] if paid is None else paid
                continue
            if not _total_label(label, spec):
                continue
            if amount is None:
                below = _figure_row_below(rows, index, hints)
                amount = _row_amount(below, hints) if below is not None else None
            if amount is None or amount[0] <= 0:
                continue
            with_tax = bool(_WITH_TAX.search(label))
            if any(_has_word(label, word) for word in avoid) and not (
                with_tax and not re.search(r"\b(excl\w*|sub\w*|before|qty|quantity)\b", label)
            ):
                continue
            if _TAX.search(label) and not with_tax:
                continue
            weight = 1.0
            if any(_has_word(label, word) for word in prefer):
                weight += 0.5
            if rounded_seen:
                weight += 0.6
            value, cell, start, end = amount
            candidates.append(_Candidate(value, row, cell, start, end, weight))
    target = None
    if paid is not None and change is not None and paid - change > 0:
        target = round(paid - change, 2)
    for candidate in candidates:
        if target is not None and abs(candidate.value - target) < 0.005:
            candidate.weight += 1.0
    if candidates:
        # Equal weights: the later total (the final figure comes after the subtotals).
        best = max(enumerate(candidates), key=lambda item: (item[1].weight, item[0]))[1]
        score = 0.85 if best.weight >= 2.0 else 0.75 if best.weight > 1.0 else 0.65
        label = _label_text(best.row).strip()[:30]
        return Found(
            best.value, best.row.page, best.start, best.end, score, f"total '{label}' (ranked)"
        )
    if target is not None:
        return _cite(target, layouts, hints)
    return None


def _has_word(label: str, word: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", label) is not None


def _cite(value: float, layouts: list[PageLayout], hints: DocumentHints) -> Found:
    """``value`` (paid less change), cited where that figure is printed, if it is."""
    for layout in layouts[:3]:
        for row in layout.rows:
            for cell in row.cells:
                for figure, start, end in _figures(cell, hints):
                    if abs(figure - value) < 0.005:
                        return Found(
                            value,
                            row.page,
                            cell.start + start,
                            cell.start + end,
                            0.55,
                            "amount paid less change",
                        )
    first = layouts[0]
    return Found(value, first.number, 0, 0, 0.45, "amount paid less change (not printed)")


class TotalsTriple(NamedTuple):
    """The three figures of a totals row printed side by side, where net + tax = gross."""

    net: Found
    tax: Found
    gross: Found


def totals_triple(layouts: list[PageLayout], hints: DocumentHints) -> TotalsTriple | None:
    """(net, tax, gross) from a totals row printing three figures with net + tax = gross."""
    for layout in layouts:
        rows = layout.rows
        for index, row in enumerate(rows):
            if not _total_label(_label_text(row)):
                continue
            for candidate in (row, rows[index + 1] if index + 1 < len(rows) else None):
                if candidate is None:
                    continue
                figures = [
                    (value, cell.start + start, cell.start + end)
                    for cell in candidate.cells
                    for value, start, end in _figures(cell, hints)
                ]
                for i in range(len(figures) - 2):
                    net, tax, gross = figures[i : i + 3]
                    if net[0] > 0 and tax[0] >= 0 and abs(net[0] + tax[0] - gross[0]) < 0.011:
                        page = candidate.page
                        how = "net + tax = gross on a totals row"
                        return TotalsTriple(
                            Found(net[0], page, net[1], net[2], 0.75, how),
                            Found(tax[0], page, tax[1], tax[2], 0.75, how),
                            Found(gross[0], page, gross[1], gross[2], 0.75, how),
                        )
    return None
