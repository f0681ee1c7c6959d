"""Layout cues of a page: what it shows, whatever its words are about.

``layout_cues`` scores each cue in ``CUES`` in [0, 1] (a totals line with an amount, rows
that line up in columns, a signature block, running prose, a narrow till slip, contact lines,
date ranges, a salutation and closing, check boxes, a payment made or asked for, ...) and
keeps the line that showed it, for reasoning strings. ``contact_line`` finds a letterhead's
phone/e-mail/web line, ``closing_cues`` what the page ends with. The vocabulary behind the
cues (total labels, signature words, salutations in several languages) is data in
``classification.vocabulary``.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING

from classification.vocabulary import (
    CLOSINGS,
    PAID_PHRASES,
    PAYMENT_REQUEST_PHRASES,
    SALUTATIONS,
    SIGNATURE_PHRASES,
    TOTAL_LABELS,
)
from classification.words import found_phrases, line_grams, line_words, phrase

if TYPE_CHECKING:
    from extraction.pipeline.documents import Line, Page

CUES = (
    "totals",  # a total/amount-due label with an amount
    "amounts",  # many money amounts
    "table",  # rows whose cells line up in columns
    "signature",  # a signature block (signature lines, "In witness whereof")
    "prose",  # mostly full-width running sentences
    "clauses",  # numbered clauses, sections or articles
    "narrow",  # a narrow slip (till receipts)
    "contact",  # e-mail, phone, profile links
    "date_ranges",  # "2019 - 2022", "03/2021 - present"
    "many_dates",  # a dated row per line (statements, ledgers)
    "letter",  # a salutation and a closing
    "form",  # check boxes, fill-in lines, numbered boxes
    "key_values",  # "Label: value" lines
    "bullets",  # bulleted lists
    "references",  # academic citations ("[12]", "et al.", DOI)
    "mrz",  # a machine-readable zone of an identity document
    "paid",  # a payment made: cash, change, card, "paid" beside an amount or a card number
    "payment_request",  # a payment asked for: due date, payment terms, remit to, bank details
)

_MONEY = re.compile(r"(?<![\d.,])[-+]?\d{1,3}(?:[.,' \u00a0]?\d{3})*[.,]\d{2}(?![\d.,]*\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_PHONE = re.compile(
    r"\+\d{1,3}[\s./-]?\(?\d{1,4}\)?(?:[\s./-]?\d{2,4}){2,4}|\(\d{2,4}\)\s?\d{3,4}[\s.-]\d{3,4}|"
    r"\b\d{3}[-.\s]\d{3}[-.\s]\d{4}\b|"
    r"(?:tel|phone|telefon|téléphone|fon|mobile|cell|fax)\.?:?\s*\+?[\d\s()./-]{7,}",
    re.I,
)
_WEB = re.compile(r"\bwww\.|https?://", re.I)
_LINK = re.compile(r"linkedin|github\.com|xing\.com", re.I)
_MONTHS = (
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|januar|februar|märz|mai|juni|juli|"
    r"okt|dez|janv|févr|mars|avr|juin|juil|août|déc|mei|ene|abr|ago|dic|janvier|février|avril|"
    r"juillet|septembre|octobre|novembre|décembre"
)
_DATE = re.compile(
    rf"\b(?:\d{{1,2}}[./-]\d{{1,2}}[./-]\d{{2,4}}|\d{{4}}-\d{{2}}-\d{{2}}|"
    rf"\d{{1,2}}\.?\s+(?:{_MONTHS})[a-zé]*\.?\s+\d{{2,4}}|(?:{_MONTHS})[a-zé]*\.?\s+\d{{1,2}},?\s+\d{{4}}|"
    rf"\d{{1,2}}/\d{{1,2}}(?=\s)|\d{{1,2}}\.?\s+(?:{_MONTHS})\b)",
    re.I,
)
_PERIOD_END = rf"(?:(?:{_MONTHS})[a-zé]*\.?\s*)?(?:\d{{1,2}}[./])?\d{{4}}"
_DATE_RANGE = re.compile(
    rf"(?:(?:{_MONTHS})[a-zé]*\.?\s*)?(?:\d{{1,2}}[./])?\b(?:19|20)\d{{2}}\s*(?:[-–—]|to|bis|à|tot|a)\s*"
    rf"(?:{_PERIOD_END}|present|current|now|today|heute|jetzt|aujourd'hui|actuel|heden|nu|"
    rf"actualidad|presente|oggi)",
    re.I,
)
_CLAUSE = re.compile(
    r"^\s*(?:§\s*\d+|\d{1,2}(?:\.\d{1,2})*\.\s+\S|(?:article|section|clause|artikel|art\.|"
    r"paragraph|abschnitt|articulo|artículo|cláusula|clausula)\s+[\dIVX]+|\([a-z]\)\s|"
    r"[IVX]{1,4}\.\s+[A-Z])",
    re.I,
)
_BULLET = re.compile(r"^\s*[•●▪◦‣∙·*\-–]\s+\S")
_KEY_VALUE = re.compile(r"^\s*[^\W\d][\w .#/()'&-]{0,32}:\s*\S")
_CHECKBOX = re.compile(r"[☐☑☒□■◻◼▢]|\[\s?[xX ]?\s?\]")
_FILL_LINE = re.compile(r"_{5,}|\.{8,}")
_CITATION = re.compile(r"\[\d{1,3}(?:[,–-]\s?\d{1,3})*\]|\bet al\.|\bdoi\b|arxiv", re.I)
_CARD = re.compile(r"[*xX•#]{4,}\s?\d{4}\b")  # a masked card number
_MRZ = re.compile(r"^[A-Z0-9<]{25,}$")

_TOTALS = [phrase(label) for label in TOTAL_LABELS]
_SIGNATURES = [phrase(text) for text in SIGNATURE_PHRASES]
_SALUTATIONS = [phrase(text) for text in SALUTATIONS]
_CLOSINGS = [phrase(text) for text in CLOSINGS]
_PAID = [phrase(text) for text in PAID_PHRASES]
_PAYMENT_REQUEST = [phrase(text) for text in PAYMENT_REQUEST_PHRASES]

_Note = Callable[[str, float, str], None]


def layout_cues(
    page: Page,
    lines: list[Line],
    page_grams: AbstractSet[tuple[str, ...]],
    height: float,
    body: float,
) -> tuple[dict[str, float], dict[str, str]]:
    """Every cue in ``CUES`` for one page, in [0, 1], with the text that showed each:
    (cues, notes). ``lines`` are the page's non-empty lines top to bottom, ``page_grams`` the
    n-grams of its words, ``body`` its body font size."""
    cues = dict.fromkeys(CUES, 0.0)
    notes: dict[str, str] = {}
    texts = [line.text.strip() for line in lines]

    def note(cue: str, value: float, text: str) -> None:
        if value > cues[cue]:
            cues[cue] = min(1.0, value)
            notes[cue] = text[:60]

    for text in texts:
        if _MONEY.search(text) and found_phrases(line_grams(text), _TOTALS):
            note("totals", 1.0, text)
    money = [text for text in texts if _MONEY.search(text)]
    note("amounts", len(money) / 6, f"{len(money)} amounts")
    rows = _table_rows(page, lines, body)
    if rows >= 3:
        note("table", rows / 6, f"{rows} rows in aligned columns")
    _signature(lines, height, note)
    long_lines = [text for text in texts if _is_prose(text)]
    if len(texts) >= 8:
        share = len(long_lines) / len(texts)
        note("prose", (share - 0.3) / 0.4, f"{len(long_lines)} of {len(texts)} lines are prose")
    clauses = [text for text in texts if _CLAUSE.match(text)]
    if clauses:
        note("clauses", len(clauses) / 4, clauses[0])
    _narrow(page, lines, note)
    _contact(texts, note)
    ranges = [text for text in texts if _DATE_RANGE.search(text)]
    if ranges:
        note("date_ranges", len(ranges) / 2, ranges[0])
    dated = [text for text in texts if _DATE.search(text)]
    if len(dated) >= 3:
        note("many_dates", (len(dated) - 2) / 8, f"{len(dated)} dated lines")
    _letter(texts, note)
    _form(texts, note)
    key_values = [text for text in texts if _KEY_VALUE.match(text)]
    if key_values:
        note("key_values", len(key_values) / 6, key_values[0])
    bullets = [text for text in texts if _BULLET.match(text)]
    if bullets:
        note("bullets", len(bullets) / 5, bullets[0])
    citations = sum(len(_CITATION.findall(text)) for text in texts)
    if citations:
        note("references", citations / 5, f"{citations} citations")
    paid = [
        text
        for text in texts
        if (_MONEY.search(text) or _CARD.search(text)) and found_phrases(line_grams(text), _PAID)
    ]
    if paid:
        note("paid", len(paid) / 2, paid[0])
    asks = found_phrases(page_grams, _PAYMENT_REQUEST)
    if asks:
        note("payment_request", len(asks) / 2, " ".join(asks[0]))
    mrz = [text for text in texts if _MRZ.match(text.replace(" ", "")) and text.count("<") >= 5]
    if mrz:
        note("mrz", 1.0, mrz[0])
    return cues, notes


def _is_prose(text: str) -> bool:
    """A line of running text: eight or more words, nearly all of them words, not numbers."""
    words = text.split()
    if len(words) < 8:
        return False
    return sum(1 for word in words if any(char.isalpha() for char in word)) >= 0.85 * len(words)


def _table_rows(page: Page, lines: list[Line], body: float) -> int:
    """Lines of three or more cells (words split by wide gaps) whose cell edges line up with
    the cells of at least two other such lines."""
    gap = max(body * 0.9, 5.0)
    starts = [word.start for word in page.words]
    rows: list[set[int]] = []
    for line in lines:
        first = bisect.bisect_left(starts, line.start)
        last = bisect.bisect_left(starts, line.end)
        words = sorted(page.words[first:last], key=lambda word: word.box.x)
        if len(words) < 3:
            continue
        edges: set[int] = set()
        cells = 1
        left, right = words[0].box.x, words[0].box.x + words[0].box.w
        for word in words[1:]:
            if word.box.x - right > gap:
                edges.update((_bucket(left, "l"), _bucket(right, "r")))
                cells += 1
                left = word.box.x
            right = max(right, word.box.x + word.box.w)
        edges.update((_bucket(left, "l"), _bucket(right, "r")))
        if cells >= 3:
            rows.append(edges)
    if len(rows) < 3:
        return 0
    counts: Counter[int] = Counter(edge for edges in rows for edge in edges)

    def shared(edge: int) -> bool:
        return counts[edge] + counts[edge - 2] + counts[edge + 2] >= 3

    return sum(1 for edges in rows if sum(1 for edge in edges if shared(edge)) >= 2)


def _bucket(x: float, side: str) -> int:
    """A cell edge rounded to 5 pt; left edges even, right edges odd, so they never mix."""
    return round(x / 5) * 2 + (1 if side == "r" else 0)


def _signature(lines: list[Line], height: float, note: _Note) -> None:
    for line in lines:
        if line.box.y < height * 0.35:
            continue
        text = line.text.strip()
        has_phrase = bool(found_phrases(line_grams(text), _SIGNATURES))
        has_fill = bool(_FILL_LINE.search(text))
        if has_phrase and has_fill:
            note("signature", 1.0, text)
        elif has_phrase or (has_fill and len(line_words(text)) <= 4):
            note("signature", 0.6, text)


def _narrow(page: Page, lines: list[Line], note: _Note) -> None:
    if page.width and page.height and page.width / page.height < 0.62:
        note("narrow", 1.0, f"a {page.width:.0f} x {page.height:.0f} pt slip")
        return
    if len(lines) >= 6 and page.width:
        left = min(line.box.x for line in lines)
        right = max(line.box.x + line.box.w for line in lines)
        share = (right - left) / page.width
        if share < 0.5:
            note("narrow", 0.8, f"text {share:.0%} of the page wide")


def _contact(texts: list[str], note: _Note) -> None:
    value = 0.0
    shown = []
    for pattern in (_EMAIL, _LINK):
        hit = next((text for text in texts if pattern.search(text)), None)
        if hit:
            value += 0.5
            shown.append(hit)
    phone = next((text for text in texts if _looks_like_phone(text)), None)
    if phone:
        value += 0.5
        shown.append(phone)
    if value:
        note("contact", value, " / ".join(shown))


def _looks_like_phone(text: str) -> bool:
    for match in _PHONE.finditer(text):
        digits = sum(char.isdigit() for char in match.group(0))
        if 8 <= digits <= 15 and not _DATE.search(match.group(0)):
            return True
    return False


def _letter(texts: list[str], note: _Note) -> None:
    greeting = next((t for t in texts if _starts_with_any(t, _SALUTATIONS)), None)
    closing = next((t for t in texts if _starts_with_any(t, _CLOSINGS)), None)
    value = (0.5 if greeting else 0.0) + (0.5 if closing else 0.0)
    if value:
        note("letter", value, greeting or closing or "")


def _starts_with_any(text: str, phrases: list[tuple[str, ...]]) -> bool:
    words = line_words(text)[:4]
    return any(words[: len(wanted)] == wanted for wanted in phrases)


def contact_line(lines: list[Line]) -> str:
    """A short contact line (phone, e-mail, web) among the first lines; a long one is more
    likely a table row that holds an e-mail address."""
    for line in lines:
        text = line.text.strip()
        if len(line_words(text)) > 9:
            continue
        if _EMAIL.search(text) or _WEB.search(text) or _looks_like_phone(text):
            return text
    return ""


def _form(texts: list[str], note: _Note) -> None:
    boxes = sum(len(_CHECKBOX.findall(text)) for text in texts)
    fills = sum(1 for text in texts if _FILL_LINE.search(text))
    value = (boxes + fills) / 6
    if value:
        note("form", value, f"{boxes} check boxes, {fills} fill-in lines")


def closing_cues(body_lines: list[Line], height: float) -> tuple[str, ...]:
    """Closing cues in the last lines of the page body: a totals line, a signature block or a
    letter closing."""
    tail = body_lines[-6:]
    found: list[str] = []
    for line in tail:
        text = line.text.strip()
        grams = line_grams(text)
        if "totals" not in found and _MONEY.search(text) and found_phrases(grams, _TOTALS):
            found.append("totals")
        if "signature" not in found and (
            found_phrases(grams, _SIGNATURES) or _FILL_LINE.search(text)
        ):
            found.append("signature")
        if "closing" not in found and _starts_with_any(text, _CLOSINGS):
            found.append("closing")
    return tuple(found)
