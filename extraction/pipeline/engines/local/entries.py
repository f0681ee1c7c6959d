"""Entries of a section that is not a table: jobs under "Experience", degrees under
"Education" and similar repeated blocks.

Each line (or comma/dash-separated piece of a line) of the section is classified by what it
looks like: a date range, a year, an organisation (legal suffix), a school, a degree, plain
text, or a bullet (ignored). Entries are cut where a kind repeats: the second date range or the
second company starts the next entry, whatever order a layout prints them in. Plain text fills
the entry's free-text property (job title) when it is still empty.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from extraction.pipeline.engines.local.fields import Found
from extraction.pipeline.engines.local.labels import FieldSpec, label_score
from extraction.pipeline.engines.local.sections import section_rows
from extraction.pipeline.values import parse_year_month

if TYPE_CHECKING:
    from extraction.pipeline.engines.local.layout import PageLayout, Row

_BULLET = re.compile(r"^\s*[•·▪◦*–—-]\s|^\s*[•▪◦]")
_ORG = re.compile(
    r"\b(inc|llc|llp|ltd|plc|corp|corporation|co|company|gmbh|ag|kg|bv|b\.v|nv|n\.v|sarl|sas|sa|"
    r"s\.a|srl|spa|pty|oy|ab|as|limited|group|holdings|partners|gmbh & co)\b\.?",
    re.I,
)
_SCHOOL = re.compile(
    r"universit|college|school|institut|academy|polytechni|hochschule|école|ecole|escuela|"
    r"conservator|seminary",
    re.I,
)
_DEGREE = re.compile(
    r"\b(b\.?\s?sc|m\.?\s?sc|b\.?\s?a|m\.?\s?a|b\.?\s?eng|m\.?\s?eng|b\.?\s?com|m\.?\s?com|mba|"
    r"ph\.?\s?d|bachelor|master|diploma|doctor|associate|b\.?\s?s|m\.?\s?s|ll\.?\s?[bm]|"
    r"msc|bsc|beng|meng|hnd|certificate|licence|licenciatura)\b"
    r"|\b[BMD]\.\s?[A-Z][A-Za-z]{0,5}\.",
    re.I,
)
_MONTH_OR_NUM = r"(?:[A-Za-zÀ-ÿ]{3,9}\.?\s+\d{4}|\d{4}[-/.]\d{1,2}|\d{1,2}[-/.]\d{4}|\d{4})"
_RANGE = re.compile(
    rf"({_MONTH_OR_NUM})\s*(?:–|—|-|to|until|bis|à|a|tot)\s*"
    rf"({_MONTH_OR_NUM}|present|current|now|today|heute|aujourd'hui|heden|actualidad|actual)",
    re.I,
)
_OPEN_END = re.compile(r"present|current|now|today|heute|aujourd|heden|actual", re.I)
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
_SPLIT = re.compile(r"\s+[—–|·]\s+|,\s+|\s+at\s+|\s+@\s+|\s+(?=\(\d)")


def _roles(children: list[FieldSpec]) -> dict[str, FieldSpec]:
    roles: dict[str, FieldSpec] = {}
    for child in children:
        name = child.name.lower()
        if child.kind in {"yearmonth", "date"} and re.search(r"start|from|begin", name):
            roles["start"] = child
        elif child.kind in {"yearmonth", "date"} and re.search(r"end|to|until|finish", name):
            roles["end"] = child
        elif child.kind == "integer" and "year" in name:
            roles["year"] = child
        elif child.kind == "string" and re.search(r"company|employer|organi[sz]ation", name):
            roles["org"] = child
        elif child.kind == "string" and re.search(r"institution|school|university|college", name):
            roles["school"] = child
        elif child.kind == "string" and re.search(r"degree|qualification|diploma", name):
            roles["degree"] = child
        elif child.kind == "string" and "text" not in roles:
            roles["text"] = child
    return roles


def _pieces(row: Row) -> list[tuple[str, int]]:
    """Text pieces of a row with their page offsets; a date range stays one piece."""
    out: list[tuple[str, int]] = []
    for cell in row.cells:
        text = cell.text
        match = _RANGE.search(text)
        spans = [(0, len(text))]
        if match:
            spans = [(0, match.start()), (match.start(), match.end()), (match.end(), len(text))]
        for lo, hi in spans:
            chunk = text[lo:hi]
            if match and lo == match.start() and hi == match.end():
                out.append((chunk, cell.start + lo))
                continue
            position = 0
            for part in _SPLIT.split(chunk):
                index = chunk.find(part, position)
                position = index + len(part)
                part = part.strip(" *_#-–—•·|()")
                if part:
                    out.append((part, cell.start + lo + max(index, 0)))
    return out


def _kind(piece: str, roles: dict[str, FieldSpec]) -> str:
    if _RANGE.search(piece) and ("start" in roles or "end" in roles):
        return "range"
    if "degree" in roles and _DEGREE.search(piece):
        return "degree"
    if "school" in roles and _SCHOOL.search(piece):
        return "school"
    if "org" in roles and _ORG.search(piece):
        return "org"
    if "year" in roles and re.fullmatch(r"\(?(?:[A-Za-z]+\s+)?(19|20)\d\d\)?\.?", piece):
        return "year"
    if "year" in roles and _YEAR.search(piece) and len(piece) < 20:
        return "year"
    return "text"


def section_entries(
    spec: FieldSpec, layouts: list[PageLayout]
) -> tuple[list[dict[str, Found]], str]:
    """Records of the array ``spec`` read from the section its name heads."""
    children = spec.item.children if spec.item else []
    roles = _roles(children)
    if len(roles) < 2:
        return [], ""
    got = section_rows(spec, layouts, max_rows=120)
    if got is None:
        return [], ""
    rows, heading = got
    how = f"entries under heading '{heading.strip()}'"
    entries: list[dict[str, Found]] = []
    current: dict[str, Found] = {}
    after_range = False
    pending_range: tuple[str, int, int, int] | None = None

    def close() -> None:
        nonlocal current
        if current:
            entries.append(current)
        current = {}

    for row in rows:
        text = row.text
        pieces = _pieces(row)
        kinds = [_kind(p, roles) for p, _ in pieces]
        # A sentence ("Redesigned onboarding, raising activation by 38%.") is an achievement,
        # not a title or an employer, even when its bullet sits on another line.
        prose_line = text.rstrip().endswith(".") and len(text.split()) >= 4
        if _column_header(pieces, children):
            continue
        if (_BULLET.match(text) or prose_line) and all(k == "text" for k in kinds):
            # Achievements under a job; a bulleted degree or employer still counts.
            after_range = False
            continue
        if pending_range is not None:
            # "May 2017 – November" / "2020": a range wrapped onto the next line.
            joined = pending_range[0] + " " + text
            _set_range(current, joined, roles, row.page, pending_range[1], row.end, how)
            pending_range = None
            after_range = True
            continue
        for (piece, start), kind in sorted(
            zip(pieces, kinds, strict=True), key=lambda item: item[1] == "range"
        ):
            end = start + len(piece)
            if kind == "range":
                if _filled(current, roles, "start"):
                    close()
                _set_range(current, piece, roles, row.page, start, end, how)
                if re.search(r"[A-Za-z]{3,}\.?\s*$", piece) and not _OPEN_END.search(
                    piece.split()[-1]
                ):
                    pending_range = (piece, start, end, row.page)
                continue
            role = {"degree": "degree", "school": "school", "org": "org", "year": "year"}.get(
                kind, "text"
            )
            if role not in roles:
                continue
            if _filled(current, roles, role):
                # More plain text (a city under the dates) only starts the next entry once
                # this one is complete and the text is not right after its dates.
                if role == "text" and (after_range or not _complete(current, roles)):
                    continue
                close()
            value: Any = piece
            if role == "year":
                year = _YEAR.search(piece)
                if year is None:
                    continue
                value = int(year.group(1))
            current[roles[role].name] = Found(value, row.page, start, end, 0.6, how)
        after_range = "range" in kinds
    close()
    entries = [e for e in entries if len(e) >= 2]
    return entries, how


def _column_header(pieces: list[tuple[str, int]], children: list[FieldSpec]) -> bool:
    """A row like "Period | Position": short words, one naming a property; no values."""
    texts = [p for p, _ in pieces]
    return (
        len(texts) >= 2
        and all(len(t.split()) <= 2 and not re.search(r"\d", t) for t in texts)
        and any(label_score(t, child) >= 0.85 for t in texts for child in children)
    )


def _filled(current: dict[str, Found], roles: dict[str, FieldSpec], role: str) -> bool:
    spec = roles.get(role)
    return spec is not None and spec.name in current


def _complete(current: dict[str, Found], roles: dict[str, FieldSpec]) -> bool:
    return all(spec.name in current for role, spec in roles.items() if role != "end")


def _set_range(
    current: dict[str, Found],
    text: str,
    roles: dict[str, FieldSpec],
    page: int,
    start: int,
    end: int,
    how: str,
) -> None:
    match = _RANGE.search(text)
    if match is None:
        return
    first, second = match.group(1), match.group(2)
    for role, part in (("start", first), ("end", second)):
        spec = roles.get(role)
        if spec is None:
            continue
        value = None if _OPEN_END.search(part) else parse_year_month(part)
        current[spec.name] = Found(value, page, start, end, 0.6, how)
