"""Document-level cues for fields no label names.

- enums: the option (or a curated synonym) the document states most prominently;
- e-mails, phones, URLs, DOIs: by pattern, for fields whose name says so;
- names: the letterhead (top of page 1) for the issuer, the largest text for a title;
- addresses: the lines under a name;
- string lists: the entries after a heading that names the field (skills, keywords).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from extraction.pipeline.engines.local.blocks import block_under, letterhead
from extraction.pipeline.engines.local.fields import Found
from extraction.pipeline.engines.local.labels import FieldSpec, label_score, normalize_label
from extraction.pipeline.engines.local.typed import DOI, EMAIL, PHONE, URL, match_enum
from extraction.pipeline.patterns import word_matches
from extraction.pipeline.values import find_date

if TYPE_CHECKING:
    from extraction.pipeline.engines.local.hints import DocumentHints
    from extraction.pipeline.engines.local.layout import PageLayout, Row

_ISSUER = re.compile(r"vendor|seller|merchant|store|shop|bank|issuer|company|supplier|from")
_NAME = re.compile(r"name|title|^issuer$|^vendor$|^merchant$|^company$|^bank$")
_CONTACT = re.compile(
    r"@|https?://|www\.|\b(tel|phone|fax|telefon|t:|p:|vat|iban|ust|tax id|reg)\b"
    r"|^\+?\d[\d\s()/-]{7,}$",
    re.I,
)
_RULE = re.compile(r"^[-=_*·.\s]+$")


def fill_missing(
    leaves: list[FieldSpec],
    found: dict[str, Any],
    layouts: list[PageLayout],
    hints: DocumentHints,
) -> None:
    """Fill leaves still missing in ``found`` from document-level cues (in place)."""
    if not layouts:
        return
    first = layouts[0]
    for spec in leaves:
        if found.get(spec.path) is not None:
            continue
        name = spec.name.lower()
        value: Found | None = None
        if spec.kind == "enum":
            value = _enum_in_document(spec, layouts, hints)
        elif spec.kind == "date" and not spec.nullable:
            value = _first_date(first, found, hints)
        elif spec.kind == "string":
            fmt = str(spec.schema.get("format") or "")
            if spec.schema.get("pattern"):
                value = _pattern_near_name(spec, layouts)
            elif "email" in name or "e_mail" in name or fmt in {"email", "idn-email"}:
                value = _pattern(EMAIL, layouts, "e-mail address pattern")
            elif "phone" in name or name == "tel":
                value = _pattern(PHONE, layouts, "phone number pattern")
            elif "doi" in name:
                value = _pattern(DOI, layouts, "DOI pattern", strip=".")
            elif "url" in name or "website" in name or fmt in {"uri", "url", "iri"}:
                value = _pattern(URL, layouts, "URL pattern")
            elif name == "title" or (name.endswith("title") and spec.path.count(".") == 0):
                value = _largest_text(first)
            elif _NAME.search(name) and _ISSUER.search(spec.path.lower()):
                value = _letterhead_name(first)
            elif "name" in name and "." not in spec.path and _is_person_field(name):
                value = _person_name(first)
            elif re.search(r"location|city|residence|based", name) and "." not in spec.path:
                value = _contact_line_place(first)
            elif "address" in name and _ISSUER.search(spec.path.lower()):
                name_found = found.get(spec.path.rsplit(".", 1)[0] + ".name") or _sibling_name(
                    spec, found
                )
                value = _address_below(first, name_found)
        if value is not None:
            found[spec.path] = value


def _pattern_near_name(spec: FieldSpec, layouts: list[PageLayout]) -> Found | None:
    """A value of the field's pattern on a line that names the field ("Paid with Visa card
    ending in 2536" for ``card_last4`` with ``^[0-9]{4}$``)."""
    core = str(spec.schema["pattern"]).removeprefix("^").removesuffix("$")
    words = [w for w in spec.words.split() if len(w) >= 3 and not w.isdigit()]
    if word_matches(core, "") is None:
        return None  # RE2 cannot run it (lookaround, backreferences): not used
    for layout in layouts[:3]:
        for row in layout.rows:
            text = row.text.lower()
            if not any(re.search(rf"\b{re.escape(w)}", text) for w in words):
                continue
            for cell in reversed(row.cells):
                spans = word_matches(core, cell.text) or []
                if spans:
                    start, end = spans[-1]
                    return Found(
                        cell.text[start:end],
                        layout.number,
                        cell.start + start,
                        cell.start + end,
                        0.6,
                        "pattern on a line naming it",
                    )
    return None


def _first_date(layout: PageLayout, found: dict[str, Any], hints: DocumentHints) -> Found | None:
    """A required date no label names: the first date printed on the page, if unused."""
    used = {(f.page, f.start) for f in found.values() if isinstance(f, Found)}
    for row in layout.rows:
        for cell in row.cells:
            got = find_date(cell.text, day_first=hints.day_first)
            if got is None:
                continue
            date, start, end = got
            if (layout.number, cell.start + start) in used:
                return None
            return Found(
                date.isoformat(),
                layout.number,
                cell.start + start,
                cell.start + end,
                0.5,
                "first date on the page",
            )
    return None


_PERSON_WORDS = {
    "full",
    "name",
    "candidate",
    "applicant",
    "person",
    "employee",
    "student",
    "author",
}


def _is_person_field(name: str) -> bool:
    """``full_name``/``candidate_name``: the person a document is about, not a customer's or
    a company's name."""
    return set(re.split(r"[_\s]+", name)) <= _PERSON_WORDS


_NOT_A_NAME = re.compile(r"curriculum|vitae|resume|résumé|\bcv\b|contact|profile|summary", re.I)


def _person_name(layout: PageLayout) -> Found | None:
    """The largest short, capitalised, digit-free text near the top: a person's name."""
    cells = [cell for row in layout.rows[:12] for cell in row.cells]
    for cell in sorted(cells, key=lambda c: -c.font):
        text = re.sub(r"^#+\s*", "", cell.text).strip()
        words = text.split()
        if (
            2 <= len(words) <= 5
            and not re.search(r"[\d@|·:]", text)
            and not _NOT_A_NAME.search(text)
            and all(
                w[0].isupper() or w in {"de", "van", "von", "der", "da", "di", "le"} for w in words
            )
        ):
            start = cell.start + cell.text.find(text)
            return Found(
                text,
                layout.number,
                start,
                start + len(text),
                0.6,
                "largest name-like text at the top",
            )
    return None


def _contact_line_place(layout: PageLayout) -> Found | None:
    """The place on a contact line (``mail · phone · City, Region``)."""
    for row in layout.rows[:15]:
        if not EMAIL.search(row.text):
            continue
        for cell in row.cells:
            found = _place_in(cell.text, cell.start, layout.number)
            if found is not None:
                return found
    return None


def _place_in(text: str, offset: int, page: int) -> Found | None:
    """The first piece of ``text`` (split at middle dots, bars, bullets) that is a place: not
    an e-mail, phone or URL, with letters and no long number."""
    position = 0
    for piece in re.split(r"\s*[·|•]\s*", text):
        index = text.find(piece, position)
        position = index + len(piece)
        piece = piece.strip()
        if (
            piece
            and not EMAIL.search(piece)
            and not PHONE.fullmatch(piece)
            and not URL.search(piece)
            and re.search(r"[^\W\d]{2}", piece)
            and not re.search(r"\d{3}", piece)
        ):
            start = offset + index
            return Found(piece, page, start, start + len(piece), 0.55, "place on the contact line")
    return None


def _sibling_name(spec: FieldSpec, found: dict[str, Any]) -> Found | None:
    prefix = spec.path.rsplit("_", 1)[0] if "_" in spec.path else ""
    for key, value in found.items():
        if isinstance(value, Found) and key.startswith(prefix) and key.endswith("name"):
            return value
    return None


def _enum_in_document(
    spec: FieldSpec, layouts: list[PageLayout], hints: DocumentHints
) -> Found | None:
    options = [o for o in spec.enum if isinstance(o, str)]
    if not options:
        return None
    if {o.upper() for o in options} & {"USD", "EUR", "GBP"} and hints.currency_votes:
        code, votes = hints.currency_votes.most_common(1)[0]
        option = next((o for o in options if o.lower() == code), None)
        if option and votes:
            return _locate(option, code, layouts, 0.7, "currency symbols and codes in the text")
    scores: dict[str, float] = {}
    first_seen: dict[str, Found] = {}
    for layout in layouts[:3]:
        for row in layout.rows:
            option = match_enum(row.text, options)
            if option is None:
                continue
            # A title or heading at the top of page 1 says more than a mention in the body.
            weight = 5.0 if row.index < 3 and layout is layouts[0] else 1.0
            scores[option] = scores.get(option, 0.0) + weight
            first_seen.setdefault(
                option, Found(option, row.page, row.start, row.end, 0.6, f"'{row.text[:40]}'")
            )
    if not scores:
        return None
    return first_seen[max(scores, key=lambda o: scores[o])]


def _locate(value: Any, needle: str, layouts: list[PageLayout], score: float, how: str) -> Found:
    for layout in layouts:
        index = layout.page.text.lower().find(needle.lower())
        if index >= 0:
            return Found(value, layout.number, index, index + len(needle), score, how)
    return Found(value, layouts[0].number, 0, 0, score, how)


def _pattern(
    pattern: re.Pattern[str], layouts: list[PageLayout], how: str, strip: str = ""
) -> Found | None:
    for layout in layouts:
        match = pattern.search(layout.page.text)
        if match:
            text = match.group(0).rstrip(strip)
            return Found(text, layout.number, match.start(), match.start() + len(text), 0.8, how)
    return None


def _largest_text(layout: PageLayout) -> Found | None:
    top = [row for row in layout.rows[:15] if not _RULE.match(row.text)]
    if not top:
        return None
    size = max(row.font for row in top)
    rows = [row for row in top if row.font >= size - 0.5]
    first = rows[0]
    # A title wraps onto consecutive rows of the same size.
    parts = [first]
    for row in layout.rows[first.index + 1 : first.index + 3]:
        if row.font >= size - 0.5 and row.y0 - parts[-1].y1 < (row.y1 - row.y0) * 1.2:
            parts.append(row)
        else:
            break
    text = " ".join(row.text for row in parts)
    return Found(text, layout.number, parts[0].start, parts[-1].end, 0.7, "largest text on page 1")


def _letterhead_name(layout: PageLayout) -> Found | None:
    cell, _address, row = letterhead(layout)
    if cell is not None and row is not None:
        text = _TITLE_TAIL.sub("", re.sub(r"^#+\s*", "", cell.text))
        start = cell.start + cell.text.find(text)
        return Found(text, row.page, start, start + len(text), 0.6, "letterhead at top of page 1")
    return None


# "Larkspur Bank — Commercial Account Statement": the name, not the document title after it.
_TITLE_TAIL = re.compile(
    r"\s+[—–|·]\s+.*\b(statement|invoice|receipt|order|report|catalog(ue)?|price list|"
    r"directory|roster|agreement)\b.*$",
    re.I,
)


def _address_below(layout: PageLayout, name: Found | None) -> Found | None:
    if name is None:
        return None
    rows = layout.rows
    index = next((r.index for r in rows if r.start <= name.start < r.end + 1), None)
    if index is None:
        return None
    anchor = next(c for c in rows[index].cells if c.start <= name.start < c.end + 1)
    parts = []
    for cell in block_under(layout, rows[index], anchor, limit=4):
        if _CONTACT.search(cell.text) or label_like_heading(cell.text):
            break
        parts.append(cell)
    if not parts:
        return None
    text = ", ".join(c.text.rstrip(",") for c in parts)
    return Found(text, layout.number, parts[0].start, parts[-1].end, 0.6, "lines under the name")


def label_like_heading(text: str) -> bool:
    """A line that reads as a heading or label ("Ship to:", "NOTES"), not an address line."""
    return text.rstrip().endswith(":") or (text.isupper() and len(text.split()) <= 3)


def list_after_heading(spec: FieldSpec, layouts: list[PageLayout]) -> list[Found]:
    """Entries after a heading naming ``spec``: comma/semicolon separated or one per row."""
    for layout in layouts:
        rows = layout.rows
        for row in rows:
            cell = row.cells[0]
            head, _, rest = cell.text.partition(":")
            if label_score(head, spec) < 0.85 and label_score(cell.text, spec) < 0.85:
                continue
            if rest.strip():
                return _split_items(rest, row.page, cell.start + len(head) + 1)
            items: list[Found] = []
            for after in rows[row.index + 1 :]:
                if _is_heading(after, row):
                    break
                pieces = _split_items(after.text, after.page, after.start)
                items.extend(pieces)
            return items
    return []


def _is_heading(row: Row, heading: Row) -> bool:
    text = row.text
    return (
        (text.isupper() and len(text.split()) <= 4 and heading.text.isupper())
        or row.font > heading.font + 0.5
        or (
            row.font >= heading.font - 0.1
            and normalize_label(text) == text.lower()
            and text.endswith(":")
        )
    )


def _split_items(text: str, page: int, offset: int) -> list[Found]:
    items = []
    for match in re.finditer(r"[^,;•·|]+", text):
        item = match.group(0).strip(" .-–•*")
        if item:
            start = offset + text.find(item, match.start())
            items.append(Found(item, page, start, start + len(item), 0.7, "list after heading"))
    return items
