"""The header block of a receipt or invoice: who issued it, and where.

Tills and invoices print the issuer at the top: a name line (often ending in a legal form:
"Sdn Bhd", "GmbH", "Inc."), a registration number, the street lines, then phone, tax number
and the document title. ``issuer_header`` reads that block from the rows of page 1 without
any label: rows are classed as noise (logos read as a few letters, batch numbers),
contact lines (phone, e-mail, tax and registration numbers, from the lexicon), address lines
(street words, postcodes), a title ("TAX INVOICE") or the start of the body (a date, a
"Label: value" line), and the name is the row with a legal form, else the first row that
reads as a name. The address is the run of address-like rows next to the name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from extraction.pipeline.engines.local.fields import Found
from extraction.pipeline.engines.local.lexicon import (
    business_words,
    legal_form_pattern,
    word_list,
    words_pattern,
)
from extraction.pipeline.engines.local.typed import EMAIL, URL

if TYPE_CHECKING:
    from extraction.pipeline.engines.local.layout import PageLayout, Row

HEADER_ROWS = 16
_REGISTRATION = re.compile(
    r"\(\s*[A-Z0-9][A-Z0-9 .-]{3,}[A-Z0-9]\s*\)?\s*[.,]?$|\(?\b\d{4,}-[A-Z]\b\)?[.,]?$", re.I
)
_GLUED_REGISTRATION = re.compile(r"(?<=[A-Za-z/])\(?\d{5,}-?[A-Z]?\)?$")
_BARE_REGISTRATION = re.compile(r"^\(?\s*(?:[A-Z]{1,3}\s?)?\d[\d\s-]{3,}[A-Z]?\s*\)?[.,]?$", re.I)
_POSTCODE = re.compile(r"(?<![\d-])\d{4,6}(?![\d-])|\b[A-Z]\d[A-Z] ?\d[A-Z]\d\b|\b\d{2}-\d{3}\b")
_PHONE_ONLY = re.compile(r"^[+(]?\d[\d\s()/.-]{6,}$")
_LABELLED = re.compile(r"^[^:]{2,24}:\s*\S")


@dataclass
class HeaderBlock:
    """The issuer's name and address read from the top of page 1 (either may be None)."""

    name: Found | None
    address: Found | None
    end_row: int  # index of the first row after the header block


def _letters(text: str) -> int:
    return sum(1 for char in text if char.isalpha())


def _is_noise(text: str) -> bool:
    """A logo or stamp read as text: few letters, or a lone token of digits and letters."""
    stripped = text.strip(" -*_=#.|'\"")
    if _letters(stripped) < 3:
        return True
    lone_token = len(stripped.split()) == 1 and len(stripped) < 10
    return lone_token and re.search(r"\d", stripped) is not None


def _is_registration(text: str) -> bool:
    """A registration or tax number line under the name: "(742016-W)", "(CO.RFG : 86Q671-D)",
    "CO. NO. 373665-A": a long number with a few letters and no street word."""
    stripped = text.strip(" .,")
    if _BARE_REGISTRATION.match(stripped):
        return True
    if stripped.startswith("(") and stripped.endswith(")") and re.search(r"\d{3}", stripped):
        return True
    return (
        re.search(r"\d{6,}", stripped) is not None
        and _letters(stripped) <= 8
        and not _is_street(stripped)
    )


def _is_contact(text: str) -> bool:
    """Phone, e-mail, web or tax-number lines; also a short line holding a phone number
    ("myNEWScareline :1800 88 1231")."""
    digits = sum(1 for char in text if char.isdigit())
    if digits >= 8 and len(text.split()) <= 4 and not _is_street(text) and not has_legal_form(text):
        return True
    return bool(
        words_pattern("contact_words").search(text)
        or EMAIL.search(text)
        or URL.search(text)
        or re.search(r"\.(com|net|org|my|de|fr|co)\b", text, re.I)
        or _PHONE_ONLY.match(text.strip())
        or _BARE_REGISTRATION.match(text.strip())
    )


def _is_title(text: str) -> bool:
    """A document title ("TAX INVOICE", "Payment receipt"): a title word in a short line."""
    cleaned = re.sub(r"[^\w\s/]", " ", text).strip().lower()
    match = words_pattern("title_words").search(cleaned)
    if match is None:
        return False
    extra = len(cleaned.split()) - len(match.group(0).split())
    return extra <= (2 if match.start() == 0 else 1)


def _is_street(text: str) -> bool:
    """A street line: a street word ("Jalan", "Road", "Straße", "Lot", "Suite")."""
    return bool(words_pattern("address_words").search(text))


def _is_place(text: str) -> bool:
    """A postcode and place line ("40400 Shah Alam", "Leeds LS1 4RE"); dates do not count."""
    from extraction.pipeline.engines.local.dates import dates_in
    from extraction.pipeline.engines.local.hints import DocumentHints

    for _value, start, end in reversed(dates_in(text, DocumentHints())):
        text = text[:start] + " " + text[end:]
    return bool(_POSTCODE.search(text)) and _letters(text) >= 3


def _is_greeting(text: str) -> bool:
    """A greeting or till slogan ("Thank you", "Welcome to ...", "Weicome" as scanned)."""
    if words_pattern("greeting_words").search(text):
        return True
    greetings = [word for word in word_list("greeting_words") if " " not in word and len(word) >= 6]
    return any(
        fuzz.ratio(token, word) >= 85
        for token in re.findall(r"[a-z]{6,}", text.lower())
        for word in greetings
    )


def has_legal_form(text: str) -> bool:
    """True when ``text`` (a name line) ends in a legal form, before any registration no."""
    core = _ocr_letters(clean_name(text))
    matches = list(legal_form_pattern().finditer(core))
    if not matches:
        return False
    match = matches[-1]
    rest = core[match.end() :].strip(" .,")
    return not rest or len(rest) <= 4


def clean_name(text: str) -> str:
    """A name line without its registration number ("(1070687-M)") or trailing commas."""
    text = re.sub(r"^#+\s*", "", text).strip()
    previous = None
    while previous != text:
        previous = text
        text = _REGISTRATION.sub("", text).strip(" ,;:")
        text = _GLUED_REGISTRATION.sub("", text).strip(" ,;:")
    return text


_OCR_LETTERS = str.maketrans("5081", "SOBI")


def _ocr_letters(text: str) -> str:
    """Digits a scan reads for letters, put back in tokens that have letters ("5/B" -> "S/B")."""
    return " ".join(
        token.translate(_OCR_LETTERS) if re.search(r"[A-Za-z]", token) else token
        for token in text.split()
    )


COLUMN_GAP = 0.2  # share of the page width that separates two blocks on one row


def _row_text(row: Row, width: float = 0.0) -> str:
    """The row's text, or only its first block when a wide gap splits it into columns
    (a bank's name on the left, "Account Statement" on the right)."""
    cells = row.cells[:1]
    for cell in row.cells[1:]:
        if width and cell.x0 - cells[-1].x1 > COLUMN_GAP * width:
            break
        cells.append(cell)
    return " ".join(cell.text for cell in cells)


def issuer_header(layout: PageLayout) -> HeaderBlock:
    """The issuer's name and address at the top of ``layout`` (page 1)."""
    rows = layout.rows[:HEADER_ROWS]
    texts = [_row_text(row, layout.page.width) for row in rows]
    kinds: list[str] = []
    for text in texts:
        if _is_title(text):
            kinds.append("title")
        elif _is_noise(text):
            kinds.append("noise")
        elif _is_greeting(text):
            kinds.append("greeting")
        elif _is_registration(text):
            kinds.append("registration")
        elif _is_contact(text):
            kinds.append("contact")
        elif has_legal_form(text):
            kinds.append("legal")
        elif _LABELLED.match(text) and not _is_street(text):
            kinds.append("label")
        elif _is_street(text):
            kinds.append("street")
        elif _dated(text):
            kinds.append("body")
        elif _is_place(text):
            kinds.append("place")
        else:
            kinds.append("text")
    name_index = _name_row(kinds, texts)
    if name_index is None:
        return HeaderBlock(None, None, 0)
    name_rows = [name_index]
    name_text = clean_name(texts[name_index])
    # "LIGHTROOM GALLERY" / "SDN BHD": a legal form alone on the next row completes the name.
    following = name_index + 1
    if following < len(rows) and _only_legal_form(texts[following]):
        name_text = f"{name_text} {clean_name(texts[following])}"
        name_rows.append(following)
    elif _only_legal_form(name_text) and name_index > 0 and kinds[name_index - 1] == "text":
        name_rows.insert(0, name_index - 1)
        name_text = f"{clean_name(texts[name_index - 1])} {name_text}"
    first = rows[name_rows[0]]
    name = Found(
        name_text,
        layout.number,
        first.start,
        first.start + len(texts[name_rows[0]]) if len(name_rows) == 1 else rows[name_rows[-1]].end,
        0.7 if kinds[name_index] == "legal" else 0.55,
        "name line of the header block" + (" (legal form)" if kinds[name_index] == "legal" else ""),
    )
    address_rows = _address_rows(kinds, texts, name_rows[-1] + 1)
    if not address_rows:
        address_rows = _address_rows_above(kinds, name_rows[0] - 1)
    address = None
    if address_rows:
        parts = [texts[i].strip(" ,") for i in address_rows]
        text = ", ".join(part for part in parts if part)
        last = rows[address_rows[-1]]
        address = Found(
            text,
            layout.number,
            rows[address_rows[0]].start,
            last.cells[0].start + len(texts[address_rows[-1]]),
            0.6,
            "address lines of the header block",
        )
    end = max([*name_rows, *address_rows]) + 1
    return HeaderBlock(name, address, end)


def _only_legal_form(text: str) -> bool:
    core = clean_name(text).strip(" .,")
    match = legal_form_pattern().fullmatch(core)
    return match is not None


def _dated(text: str) -> bool:
    from extraction.pipeline.engines.local.dates import find_any_date

    return find_any_date(text) is not None


def _name_row(kinds: list[str], texts: list[str]) -> int | None:
    stop = _body_start(kinds)
    for index in range(stop):
        if kinds[index] == "legal":
            return index
    business = business_words()
    for index in range(stop):
        if kinds[index] in {"text", "street", "place"}:
            words = {w.strip(".,&'()").lower() for w in texts[index].split()}
            if words & business and not re.search(r"\d", texts[index]):
                return index
    for index in range(stop):
        if kinds[index] == "text" and _name_like(texts[index]):
            return index
    return None


def _name_like(text: str) -> bool:
    words = text.split()
    return 1 <= len(words) <= 7 and _letters(text) >= 3 and not re.search(r"\d{4}", text)


def _body_start(kinds: list[str]) -> int:
    """Rows before the first title, body line or label; the header cannot reach past them."""
    for index, kind in enumerate(kinds):
        if kind in {"title", "body", "label"}:
            # A title may come first ("TAX INVOICE" above the name): skip a leading one.
            if kind == "title" and all(k in {"noise", "title"} for k in kinds[:index]):
                continue
            return index
    return len(kinds)


def _address_rows(kinds: list[str], texts: list[str], start: int) -> list[int]:
    """The address rows from ``start``: registration, contact and noise rows before it are
    skipped; short noise inside it ("1C,", "41050": a split line) belongs to it."""
    chosen: list[int] = []
    pending: list[int] = []
    for index in range(start, len(texts)):
        kind = kinds[index]
        if not chosen and kind in {"registration", "contact", "noise"}:
            continue
        if chosen and kind == "noise":
            pending.append(index)
            continue
        if kind in {"street", "place", "text"} and not _is_greeting(texts[index]):
            chosen.extend(pending)
            pending = []
            chosen.append(index)
            continue
        break
    # An address ends with its postcode or place; a trailing long "text" line is not one.
    while chosen and kinds[chosen[-1]] == "text" and len(texts[chosen[-1]]) > 40:
        chosen.pop()
    if chosen and not any(kinds[i] == "street" for i in chosen):
        return []
    return chosen


def _address_rows_above(kinds: list[str], start: int) -> list[int]:
    chosen: list[int] = []
    for index in range(start, -1, -1):
        if kinds[index] in {"street", "place"}:
            chosen.insert(0, index)
        elif chosen or kinds[index] not in {"noise", "contact"}:
            break
    return chosen
