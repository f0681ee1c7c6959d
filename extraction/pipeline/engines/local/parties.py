"""Contract parties: who an agreement is between.

``parties_after_between`` reads records (name, role) for an array of objects: the names listed
after "between", each with the role it is given — the defined term in the party's own clause
(``(the "Landlord")``), "the first a "Disclosing Party", the second the "Receiving Party"", or
"party" when the schema's role enum has it.

``agreement_parties`` reads plain names for an array of strings, from where drafting puts
them: the preamble's "between" list (or a "PARTIES:" heading), else the names the opening
defines a term for, the signature blocks (the name above "By:", a person signing "/s/" for
herself) and the addressee of a letter agreement.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from extraction.pipeline.engines.local.fields import Found
from extraction.pipeline.engines.local.lexicon import legal_form_pattern
from extraction.pipeline.engines.local.sentences import DEFINED, locate_in_sentence
from extraction.pipeline.engines.local.typed import match_enum

if TYPE_CHECKING:
    from extraction.pipeline.engines.local.labels import FieldSpec
    from extraction.pipeline.engines.local.layout import Cell, PageLayout, Row


def parties_after_between(
    spec: FieldSpec, sentences: list[tuple[int, int, str]]
) -> list[dict[str, Found]]:
    """One record (name, role) per party of the first sentence listing them after "between"."""
    children = spec.item.children if spec.item else []
    name = next((c for c in children if c.kind == "string" and "name" in c.name.lower()), None)
    role = next((c for c in children if c.kind == "enum"), None)
    if name is None:
        return []
    for page, start, sentence in sentences[:6]:
        match = re.search(r"\bbetween\s+", sentence)
        if match is None:
            continue
        body = sentence[match.end() :]
        segments = re.split(r",\s+and\s+(?=[A-Z])", body)
        if len(segments) < 2:
            segments = re.split(r"\s+and\s+(?=[A-Z])", body)
        order_roles = [
            m.group(1)
            for m in re.finditer(
                r"(?:first|second|third)\s+(?:a|an|the)\s+[\"“]([^\"”]+)[\"”]", body
            )
        ]
        records: list[dict[str, Found]] = []
        position = match.end()
        for index, segment in enumerate(segments):
            head = re.split(
                r",|\s\(|\s+with\s|\s+an?\s+(?:individual|company|corporation)", segment
            )[0]
            head = head.strip(" ,")
            if not head or not head[0].isupper() or len(head.split()) > 8:
                continue
            offset = start + sentence.find(head, position)
            position = offset - start + len(head)
            record: dict[str, Found] = {
                name.name: Found(
                    head, page, offset, offset + len(head), 0.6, "party after 'between'"
                )
            }
            if role is not None:
                terms = [m.group(1) for m in DEFINED.finditer(segment)]
                option = None
                for term in terms:
                    option = match_enum(term, role.enum)
                    if option:
                        break
                if option is None and index < len(order_roles):
                    option = match_enum(order_roles[index], role.enum)
                if option is None:
                    option = match_enum("party", role.enum)
                if option is not None:
                    record[role.name] = Found(
                        option, page, offset, offset + len(head), 0.5, "defined role of the party"
                    )
            records.append(record)
        if len(records) >= 2:
            return records
    return []


SALUTATION = re.compile(r"^(dear|ladies|gentlemen|sirs|to whom)\b", re.I)
_BETWEEN = re.compile(r"\b(?:by\s+and\s+)?(?:between|among)\s+|\bPARTIES\s*:\s*", re.I)
_SEGMENT_END = re.compile(
    r"\s*\(|,\s+(?:a|an|the)\s|\s+(?:a|an)\s+[A-Z][a-z]+\s+(?:corporation|company|limited)|"
    r",\s+(?:having|with|on behalf|located|together|its|organized|incorporated|whose|of)\b|"
    r"\s+(?:having|with its|located|whose|hereinafter|dba|d/b/a)\b|,\s*(?:divisions|and\s)|"
    r"[;:]|\.$",
)
_BY_LINE = re.compile(r"^\s*(?:by|per|signature|signed)\b\s*[:/]?\s*(?:/s/|$|_{2,}|[A-Z])", re.I)
_SIGNED = re.compile(r"/s/\s*(.+)$")
# 'SafeNet, Inc (the "Company")', 'Datakey, Inc. ("Datakey")', 'J. Crew Group, Inc. and its
# affiliates (collectively, the "Company")': a name the agreement defines a short term for.
_DEFINED_PARTY = re.compile(
    r"((?:[A-Z][\w.&'’!-]*,?\s+(?:&\s*|and\s+(?=[A-Z])|of\s+(?=[A-Z]))?){0,7}[A-Z][\w.&'’!-]*)"
    r"(?:\s+and\s+its\s+\w+)?,?\s*\((?:collectively,?\s+)?(?:the\s+|hereinafter\s+)?[\"“]"
    r"([^\"”]{1,40})[\"”]"
)
# Defined terms that name a document, a date or a deal, not a contracting party.
_NOT_PARTY_TERM = re.compile(
    r"\b(agreement|date|transaction|information|material|period|securities|shares|stock|plan|"
    r"act|term|purpose|project|business|discussions?|representatives?|notes?|offer|merger)\b",
    re.I,
)
_LEAD_IN = re.compile(
    r"^(very truly yours|sincerely|yours|accepted|agreed|confirmed|acknowledged|in witness|"
    r"the undersigned|signature|name|title|date|dated|witness)\b|[:,]$",
    re.I,
)
_PERSON = re.compile(r"^(?:[A-Z][a-z]+|[A-Z]\.)(?:\s+(?:[A-Z][a-z'’-]+|[A-Z]\.)){1,3}$")


# --- parties ----------------------------------------------------------------------------------


def agreement_parties(
    layouts: list[PageLayout], sentences: list[tuple[int, int, str]]
) -> list[Found]:
    """The contracting parties' names, one per party: the preamble's list when it names two
    or more, else the names the agreement defines, its signature blocks and the addressee."""
    between = _between_parties(layouts, sentences)
    if len(between) >= 2:
        return _distinct([(3.0, found) for found in between])
    candidates: list[tuple[float, Found]] = []
    candidates += [(2.8, found) for found in _defined_parties(layouts, sentences)]
    candidates += [(2.5, found) for found in _signature_parties(layouts)]
    candidates += [(1.5, found) for found in _addressee_parties(layouts[0])]
    return _distinct(candidates)


def _distinct(candidates: list[tuple[float, Found]]) -> list[Found]:
    chosen: list[Found] = []
    cores: list[str] = []
    for _weight, found in sorted(candidates, key=lambda item: -item[0]):
        core = party_core(found.value)
        if not core or any(core == other or core in other or other in core for other in cores):
            continue
        cores.append(core)
        chosen.append(found)
    return chosen[:4]


def _defined_parties(
    layouts: list[PageLayout], sentences: list[tuple[int, int, str]]
) -> list[Found]:
    """Names given a defined term in the opening sentences ('Datakey, Inc. ("Datakey")')."""
    out = []
    for page, start, sentence in sentences[:8]:
        for match in _DEFINED_PARTY.finditer(sentence):
            if _NOT_PARTY_TERM.search(match.group(2)):
                continue
            name = match.group(1).strip(" ,")
            # The capitalised run may begin with the sentence's own words ("This Agreement").
            name = re.sub(r"^(?:This|The|By|Between|And|PARTIES:?)\s+", "", name)
            if _is_party_name(name):
                s = sentence.find(name, match.start())
                found = locate_in_sentence(name, layouts, page, start, sentence, s, s + len(name))
                found.score = 0.65
                found.how = "party defined in the opening of the agreement"
                out.append(found)
    return out


_CONNECTORS = {"&", "and", "of", "the", "de", "du", "von", "van", "der", "y", "e"}
_CORP_WORDS = {
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "co",
    "company",
    "llc",
    "ltd",
    "limited",
    "plc",
    "lp",
    "the",
}


def party_core(name: str) -> str:
    """A party's name without case, punctuation or corporate suffix (to find repeats)."""
    words = re.sub(r"[^0-9a-z]+", " ", name.lower().replace("&", " and ")).split()
    return " ".join(word for word in words if word not in _CORP_WORDS)


def _is_party_name(text: str) -> bool:
    if not text or len(text) > 80 or not text[0].isupper():
        return False
    words = text.split()
    if len(words) > 9 or re.search(r"\b(this|the agreement|hereby|shall)\b", text, re.I):
        return False
    capitalised = sum(1 for w in words if w[0].isupper() or w[0].isdigit() or w in _CONNECTORS)
    if capitalised < 0.75 * len(words):
        return False  # a phrase ("period of employment with the Company"), not a name
    return (
        bool(legal_form_pattern().search(text))
        or bool(_PERSON.match(text))
        or (text.isupper() and len(words) >= 2)
    )


def _between_parties(
    layouts: list[PageLayout], sentences: list[tuple[int, int, str]]
) -> list[Found]:
    for page, start, sentence in sentences[:12]:
        match = _BETWEEN.search(sentence)
        if match is None:
            continue
        body = sentence[match.end() :]
        names = []
        for segment in _top_level_and(body):
            name = _segment_name(segment.strip())
            if name and _is_party_name(name):
                s = sentence.find(name, match.end())
                names.append(
                    locate_in_sentence(name, layouts, page, start, sentence, s, s + len(name))
                )
            if len(names) >= 4:
                break
        if len(names) >= 2:
            for found in names:
                found.score = 0.7
                found.how = "party named in the preamble"
            return names
    return []


def _top_level_and(text: str) -> list[str]:
    """Split at " and " outside parentheses and quotes, and after a defined party's closing
    parenthesis followed by another name (the parties of a preamble)."""
    parts: list[str] = []
    depth = 0
    quoted = False
    current = 0
    index = 0
    while index < len(text):
        char = text[index]
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
            # '... ("Alpha"), Beta Partners LP ...': a defined party closes, the next begins.
            follow = re.match(r"\),\s+(?!and\s)(?=[A-Z])", text[index:])
            if depth == 0 and follow:
                parts.append(text[current : index + 1])
                current = index + follow.end()
                index = current
                continue
        elif char in '“”"':
            quoted = char == "“" or (char == '"' and not quoted)
        elif depth == 0 and not quoted and text.startswith(" and ", index):
            parts.append(text[current:index])
            current = index + 5
            index += 5
            continue
        index += 1
    parts.append(text[current:])
    return parts[:6]


def _segment_name(segment: str) -> str:
    """The name at the start of a preamble segment: up to its description or definition,
    keeping a legal form after a comma ("Kite Pharma, Inc., a Delaware corporation")."""
    segment = re.sub(r"^(?:the\s+undersigned\s+)?", "", segment).strip(" ,")
    end = _SEGMENT_END.search(segment)
    name = segment[: end.start()] if end else segment[:80]
    rest = segment[len(name) :]
    legal = re.match(r",?\s*(" + legal_form_pattern().pattern + r")\.?", rest, re.I)
    last = name.split()[-1] if name.split() else ""
    if legal and not legal_form_pattern().fullmatch(last.strip(".,")):
        name = name + rest[: legal.end()]
    return name.strip(" ,")


def _signature_parties(layouts: list[PageLayout]) -> list[Found]:
    """Names printed above "By:" lines, and signatories signing "/s/" for themselves."""
    out: list[Found] = []
    for layout in layouts[-3:]:
        rows = layout.rows
        for index, row in enumerate(rows):
            for cell in row.cells:
                if _BY_LINE.match(cell.text):
                    above = _cell_above(rows, index, cell)
                    if above is not None:
                        name = re.sub(r",?\s+(on behalf|as\s|by\s).*$", "", above.text).strip(" ,:")
                        if _is_party_name(name) and not _LEAD_IN.search(name):
                            start = above.start + above.text.find(name)
                            out.append(
                                Found(
                                    name,
                                    layout.number,
                                    start,
                                    start + len(name),
                                    0.65,
                                    "name above a signature line",
                                )
                            )
                signed = _SIGNED.search(cell.text)
                if signed and not re.match(r"^\s*by\b", cell.text, re.I):
                    above = _cell_above(rows, index, cell)
                    officer = above is not None and (
                        _BY_LINE.match(above.text)
                        or (
                            _is_party_name(above.text.strip(" ,:"))
                            and not _LEAD_IN.search(above.text)
                        )
                    )
                    if officer:
                        continue  # an officer signing for the company named above
                    name = signed.group(1).strip()
                    if _PERSON.match(name) and not _preceded_by_by(row, cell):
                        start = cell.start + cell.text.find(name)
                        out.append(
                            Found(
                                name,
                                layout.number,
                                start,
                                start + len(name),
                                0.55,
                                "signatory signing for himself",
                            )
                        )
    return out


def _preceded_by_by(row: Row, cell: Cell) -> bool:
    index = row.cells.index(cell)
    return index > 0 and row.cells[index - 1].text.strip().lower() in {"by", "by:"}


def _cell_above(rows: list[Row], index: int, cell: Cell) -> Cell | None:
    """The nearest cell above ``cell`` in the same column (within three rows)."""
    for row in reversed(rows[max(0, index - 3) : index]):
        for other in row.cells:
            if other.x0 < cell.x1 and other.x1 > cell.x0 - 10 and abs(other.x0 - cell.x0) < 80:
                return other
    return None


def _addressee_parties(layout: PageLayout) -> list[Found]:
    """A letter's addressee (the company in the block before the salutation)."""
    out = []
    for row in layout.rows[:25]:
        if SALUTATION.match(row.text):
            break
        text = row.cells[0].text.strip(" ,")
        if legal_form_pattern().search(text) and _is_party_name(text) and len(text.split()) <= 8:
            out.append(
                Found(
                    text,
                    layout.number,
                    row.cells[0].start,
                    row.cells[0].start + len(text),
                    0.55,
                    "addressee of the letter",
                )
            )
    return out
