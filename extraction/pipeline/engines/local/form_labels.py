"""Form labels: the printed captions that head a form's boxes, and how well one names a field.

``form_labels`` lists every caption of a page with the line or box number printed before it
(only numbers the schema names: "61 BLACK POINT DRIVE" is a street, not box 61), a
sub-label inheriting the numbered caption above it in its column ("City or town" under
"3 Permanent residence address"), and lower-case continuation lines joined to their caption
("13 Excess golden parachute" / "payments"). ``form_label_score`` rates a caption for a
field: the line number, the words of the field's name and description found in the caption
(whole words count more than shared stems or words a scan ran together), acronyms by their
initials ("SSN": "Social security number"), less for a long instruction that merely
mentions the words or a caption about something else as well ("Date of birth").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from extraction.pipeline.engines.local.sentences import STOP as _STOP

if TYPE_CHECKING:
    from extraction.pipeline.engines.local.layout import Cell, PageLayout, Row
    from extraction.pipeline.engines.local.meaning import Meaning

SECTION_ROWS = 15  # a sub-label this far below a numbered label (same column) belongs to it
NUMBER_START = re.compile(r"^\s*(\d{1,2}[a-z]?)(?=\s|[A-Z]|$)")
_NUMBER_INSIDE = re.compile(r"(?:^|\s)(\d{1,2}[a-z]?)\s+(?=[A-Z])")
CHECKED = re.compile(r"\b(checked|unchecked)\b|[☑☒✓✔☐■□]|\[[ xX]\]", re.I)
_FIELD_NOISE = {"box", "line", "item", "field", "part", "number", "no"}
STOP = _STOP - {"date"}  # "Date" is a form's label for a date field


@dataclass
class FormLabel:
    """A caption heading a box: its first cell and row, its line/box number, its text with
    continuation lines, and the box's left edge."""

    row: Row
    cell: Cell
    number: str | None  # the printed line/box number of this label (or of its section)
    own_number: bool  # the number is printed on the label itself
    x0: float  # the box's left edge (the number's, when printed left of the label)
    text: str = ""  # the label's words, continuation lines included
    last_row: int = -1  # index of the label's last line
    parts: set[int] = field(default_factory=set)  # ``start`` of the label's cells, all lines

    def __post_init__(self) -> None:
        self.text = self.text or self.cell.text
        self.last_row = max(self.last_row, self.row.index)
        self.parts = self.parts or {self.cell.start}


def squeeze(text: str) -> str:
    """Letters and digits only, lower case ("3 Other income" -> "3otherincome")."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def field_words(meaning: Meaning) -> tuple[list[str], list[str]]:
    """The words a caption for the field would print: from its name (without "box", "line"
    and numbers) and from its description."""
    name = [
        w
        for w in meaning.words
        if w not in _FIELD_NOISE and not w.isdigit() and w not in STOP and len(w) > 1
    ]
    description = [
        w.lower()
        for w in re.findall(r"[A-Za-z]{3,}", meaning.description)
        if w.lower() not in STOP and w.lower() not in _FIELD_NOISE
    ]
    return name, description


def _word_in(word: str, compact: str, tokens: set[str]) -> float:
    """1 when the label prints ``word``; 0.75 when it prints a word of the same stem
    ("exempt" for "exemption") or the word run together with others ("3Otherincome")."""
    if word in tokens:
        return 1.0
    if len(word) >= 4 and word[: max(4, min(len(word), 6))] in compact:
        return 0.75
    return 0.0


def label_number(row: Row, index: int, lines: frozenset[str]) -> tuple[str | None, float]:
    """The line/box number printed at the start of the label (or in the cell just left of
    it); only numbers the schema names count ("61 BLACK POINT DRIVE" is a street)."""
    cell = row.cells[index]
    if sum(1 for c in cell.text if c.isalpha()) < 3:
        return None, cell.x0  # a figure ("12 – 8345623"), not a numbered label
    number = None
    x0 = cell.x0
    match = NUMBER_START.match(cell.text)
    if match:
        number = match.group(1).lower()
    elif index > 0:
        left = row.cells[index - 1]
        if re.fullmatch(r"\d{1,2}[a-z]?\.?", left.text.strip()) and cell.x0 - left.x1 < 30:
            number, x0 = left.text.strip(" .").lower(), left.x0
    if number is None:
        inside = _NUMBER_INSIDE.search(cell.text)
        if inside and inside.start() < 12:
            number = inside.group(1).lower()
    if number is None or number not in lines:
        return None, cell.x0
    return number, x0


def form_labels(layout: PageLayout, lines: frozenset[str]) -> list[FormLabel]:
    """Every cell that may head a box, with its line number (or its section's); a line that
    continues the label above it in lower case ("payments") joins that label."""
    out: list[FormLabel] = []
    sections: list[tuple[float, float, str, int]] = []  # (x0, x1, number, row) of numbered labels
    for row in layout.rows:
        for index, cell in enumerate(row.cells):
            if re.fullmatch(r"\d{1,2}[a-z]?\.?", cell.text.strip()):
                continue  # the number itself; it belongs to the cell on its right
            if sum(1 for c in cell.text if c.isalpha()) < 3:
                continue
            above = _continued(out, row, cell)
            if above is not None:
                above.text = f"{above.text} {cell.text}"
                above.last_row = row.index
                above.parts.add(cell.start)
                continue
            number, x0 = label_number(row, index, lines)
            own = number is not None
            if number is None:
                # A sub-label ("City or town") belongs to the numbered label just above it.
                number = next(
                    (
                        n
                        for sx0, sx1, n, last in reversed(sections)
                        if sx0 - 25 <= cell.x0 <= sx1 and row.index - last <= SECTION_ROWS
                    ),
                    None,
                )
            else:
                sections = [sec for sec in sections if abs(sec[0] - x0) > 30]
                sections.append((x0, _section_right(row, index, layout), number, row.index))
            out.append(FormLabel(row, cell, number, own, x0))
    return out


def _section_right(row: Row, index: int, layout: PageLayout) -> float:
    """A numbered label's section spans to the next label on its row, or the page edge."""
    for cell in row.cells[index + 1 :]:
        if sum(1 for c in cell.text if c.isalpha()) >= 2 or re.fullmatch(r"\d{1,2}", cell.text):
            return cell.x0 - 2
    return layout.page.width


def _continued(labels: list[FormLabel], row: Row, cell: Cell) -> FormLabel | None:
    """The label whose next line ``cell`` is (starts in lower case, just below, same column)."""
    if not continuation(cell.text) or CHECKED.match(cell.text):
        return None
    for label in reversed(labels[-40:]):
        if label.last_row != row.index - 1:
            continue
        if abs(label.cell.x0 - cell.x0) < 14 or (label.x0 < cell.x0 < label.cell.x1):
            return label
    return None


def _initials(text: str) -> str:
    return "".join(word[0] for word in re.findall(r"[A-Za-z]+", text.lower()))


def form_label_score(
    label: FormLabel, meaning: Meaning, name: list[str], described: list[str]
) -> float:
    """How well the caption ``label`` names the field whose ``field_words`` are ``name`` and
    ``described`` (higher is better; 0 when the caption prints another box number)."""
    text = label.text
    if len(text) > 220:
        return 0.0
    compact = squeeze(text)
    tokens = {w.lower() for w in re.findall(r"[A-Za-z]+", text)}
    tokens |= {w[:-2] for w in tokens if w.endswith(("'s", "’s"))}
    initials = _initials(text)
    name_hits = sum(
        _word_in(w, compact, tokens) or (1.0 if 2 <= len(w) <= 4 and w in initials else 0.0)
        for w in name
    )
    name_share = name_hits / len(name) if name else 0.0
    desc_hits = sum(_word_in(w, compact, tokens) for w in set(described))
    desc_share = desc_hits / max(1, min(len(set(described)), 6))
    # Without a description the name is all the field says.
    # The description ("Line 4: city or town, state or province") names the sub-label more
    # precisely than the field name does.
    score = 0.35 * name_share + 0.55 * min(1.0, desc_share) if described else 0.8 * name_share
    if name and name_hits >= len(name) - 0.01:
        score += 0.1
    if meaning.line is not None:
        if label.number == meaning.line:
            score += 0.3 if label.own_number else 0.2
        elif label.own_number:
            return 0.0
        else:
            score -= 0.2
    elif label.own_number:
        score -= 0.2 if name_share < 0.5 else 0.1
    # A label about something else as well ("Date of birth" for a signature date) fits less.
    content = [w for w in re.findall(r"[a-z]{3,}", text.lower()) if w not in STOP][:8]
    if content:
        fields = set(name) | set(described)
        own = sum(1 for w in content if any(w[:5] == f[:5] for f in fields))
        score += 0.15 * own / len(content)
    # Short labels are box headings; a long one is an instruction that mentions the words.
    words = len(text.split())
    if words > 8:
        score -= 0.03 * min(10, words - 8)
    return score


def continuation(text: str) -> bool:
    """A label's second line ("payments", "or foreign postal code, and telephone no.")."""
    stripped = text.strip()
    return bool(stripped) and stripped[0].islower() and len(stripped.split()) >= 1
