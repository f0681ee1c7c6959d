"""Agreements and letters: the parties, the date the agreement takes effect, and its term.

Legal drafting states these in a few conventional places, whatever the agreement is about:

- parties: the preamble ("by and between X, a Delaware corporation ("X") and Y"), a
  "PARTIES:" heading, the addressee block of a letter agreement, and the signature blocks
  (the name printed above "By:", a signatory who signs "/s/" for himself);
- the effective date: a date defined as the "Effective Date", "effective as of <date>",
  "made/entered into as of <date>", else the date heading a letter;
- the term: a duration ("two (2) years", "eighteen months") in a sentence saying the
  agreement or its obligations terminate, expire or remain in effect, not a non-solicitation
  or standstill period.

``fill_agreement`` runs before the generic prose reader and fills only what it finds.
"""

from __future__ import annotations

import re
from typing import Any

from extraction.engines.local.dates import dates_in
from extraction.engines.local.fields import Found
from extraction.engines.local.labels import FieldSpec
from extraction.engines.local.layout import PageLayout
from extraction.engines.local.lexicon import legal_form_pattern
from extraction.engines.local.meaning import meaning_of
from extraction.engines.local.sentences import sentences_of
from extraction.engines.local.typed import DocumentHints

NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "eighteen": 18,
    "twenty": 20,
    "twenty-four": 24,
    "thirty": 30,
    "thirty-six": 36,
    "forty-eight": 48,
    "sixty": 60,
}
_DURATION = re.compile(
    r"\b(?:(?P<word>[a-z]+(?:-[a-z]+)?)\s*(?:\((?P<paren>\d+)\))?|(?P<digits>\d+))"
    r"[\s-]*(?P<unit>year|month|week|day)s?\b",
    re.I,
)
_TERM_VERBS = re.compile(
    r"\b(terminat\w*|expir\w*|cease\w*|remain\w* in (?:full )?(?:force|effect)|"
    r"in effect|continue\w* in effect|term\b|surviv\w*|effective)\b",
    re.I,
)
_TERM_ANCHOR = re.compile(
    r"\b(from|after)\s+(the\s+)?(date\s+(hereof|of\s+this\s+agreement)|effective\s+date|"
    r"date\s+first\s+written)|\bthe\s+date\s+hereof\b|\bthereafter\b",
    re.I,
)
_NOT_TERM = re.compile(
    r"\b(solicit\w*|hire|hiring|employ\w*|standstill|acquir\w*|purchase|securities|"
    r"proxy|preceding|prior to|notice|cure|days? after receipt)\b",
    re.I,
)
_THIS_AGREEMENT = re.compile(r"\b(this|the)\s+(letter\s+)?agreement\b|\bobligations?\b", re.I)
_DEFINED_EFFECTIVE = re.compile(r"[\"“]\s*effective\s+date\s*[\"”]", re.I)
_EFFECTIVE_AS_OF = re.compile(r"\beffective\s+(?:as\s+of|on|from)\b", re.I)
_MADE_AS_OF = re.compile(
    r"\b(?:made|entered\s+into|executed|dated|signed)(?:\s+and\s+entered\s+into)?"
    r"(?:\s*,)?\s+(?:as\s+of|on|this|effective)\b",
    re.I,
)
# The agreement itself, not one it mentions: 'This Agreement', 'this letter', '(“Agreement”)'.
_THIS_ONE = re.compile(r"\bthis\b[^.;]{0,80}\b(agreement|letter)\b|[\"“]\s*agreement\s*[\"”]", re.I)
_SALUTATION = re.compile(r"^(dear|ladies|gentlemen|sirs|to whom)\b", re.I)
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


def fill_agreement(
    specs: list[FieldSpec],
    leaves: list[FieldSpec],
    found: dict[str, Any],
    layouts: list[PageLayout],
    hints: DocumentHints,
) -> None:
    """Fill (in place) an agreement's effective date, term and parties list when the
    schema asks for them and the text states them."""
    if not layouts:
        return
    sentences: list[tuple[int, int, str]] | None = None
    for spec in leaves:
        if "." in spec.path or found.get(spec.path) is not None:
            continue
        meaning = meaning_of(spec)
        if meaning.concept == "date" and _effective(meaning.words, meaning.description):
            sentences = sentences or sentences_of(layouts)
            value = effective_date(layouts, sentences, hints)
        elif meaning.concept == "duration" and spec.kind == "string":
            sentences = sentences or sentences_of(layouts)
            value = agreement_term(sentences, layouts)
        else:
            continue
        if value is not None:
            found[spec.path] = value
    for spec in specs:
        if spec.kind == "array_str" and meaning_of(spec).concept == "names":
            if found.get(spec.path):
                continue
            sentences = sentences or sentences_of(layouts)
            names = agreement_parties(layouts, sentences)
            if names:
                found[spec.path] = names
                found[f"{spec.path}#how"] = "preamble, addressee and signature blocks"


def _effective(words: tuple[str, ...], description: str) -> bool:
    return bool(
        {"effective", "agreement", "contract", "commencement"} & set(words)
        or re.search(r"\b(agreement|contract)\b.*\beffective\b|\beffective\b", description)
    )


# --- effective date ---------------------------------------------------------------------------


def effective_date(
    layouts: list[PageLayout], sentences: list[tuple[int, int, str]], hints: DocumentHints
) -> Found | None:
    """The date the agreement takes effect (see the module docstring)."""
    ranked: list[tuple[float, int, Found]] = []
    for order, (page, start, sentence) in enumerate(sentences[:400]):
        dates = dates_in(sentence, hints)
        if not dates:
            continue
        defined = _DEFINED_EFFECTIVE.search(sentence)
        for value, s, e in dates:
            weight = 0.0
            if defined and s < defined.start() and defined.start() - e < 40:
                weight = 3.0
            elif _EFFECTIVE_AS_OF.search(sentence[max(0, s - 30) : s]):
                weight = 2.5
            elif (
                _MADE_AS_OF.search(sentence[max(0, s - 45) : s])
                and _THIS_ONE.search(sentence[:s])
                and order < 40
            ):
                weight = 2.0
            if weight:
                found = _sentence_found(value.isoformat(), layouts, page, start, sentence, s, e)
                ranked.append((weight, -order, found))
    if ranked:
        ranked.sort(key=lambda item: (item[0], item[1]), reverse=True)
        best = ranked[0]
        best[2].score = 0.8 if best[0] >= 2.5 else 0.7
        return best[2]
    return _letter_date(layouts[0], hints) or _signature_date(layouts[-1], hints)


def _signature_date(layout: PageLayout, hints: DocumentHints) -> Found | None:
    """A date on a line of the signature page that says "date" ("DATE 04/18/01")."""
    for row in reversed(layout.rows):
        if not re.search(r"\bdated?\b", row.text, re.I):
            continue
        for cell in row.cells:
            dates = dates_in(cell.text, hints)
            if dates:
                value, start, end = dates[0]
                return Found(
                    value.isoformat(),
                    layout.number,
                    cell.start + start,
                    cell.start + end,
                    0.5,
                    "date beside the signatures",
                )
    return None


def _letter_date(layout: PageLayout, hints: DocumentHints) -> Found | None:
    """The date heading a letter: the first date printed before the salutation."""
    for row in layout.rows[:30]:
        if _SALUTATION.match(row.text):
            break
        for cell in row.cells:
            dates = dates_in(cell.text, hints)
            if dates:
                value, start, end = dates[0]
                return Found(
                    value.isoformat(),
                    layout.number,
                    cell.start + start,
                    cell.start + end,
                    0.6,
                    "date heading the letter",
                )
    return None


def _sentence_found(
    value: Any,
    layouts: list[PageLayout],
    page: int,
    start: int,
    sentence: str,
    s: int,
    e: int,
) -> Found:
    """A value read from characters ``s:e`` of a (whitespace-normalised) sentence, located
    in the page text by the same words."""
    text = next((layout.page.text for layout in layouts if layout.number == page), "")
    words = sentence[s:e].split()
    pattern = r"\s+".join(re.escape(word) for word in words)
    match = re.compile(pattern).search(text, start) if words else None
    if match is None:
        return Found(value, page, start, start, 0.6, "sentence of the agreement")
    return Found(value, page, match.start(), match.end(), 0.6, "sentence of the agreement")


# --- term -------------------------------------------------------------------------------------


def agreement_term(
    sentences: list[tuple[int, int, str]], layouts: list[PageLayout]
) -> Found | None:
    """The agreement's duration as "<number> <unit>" (see the module docstring)."""
    ranked: list[tuple[float, int, Found]] = []
    for order, (page, start, sentence) in enumerate(sentences):
        if not _TERM_VERBS.search(sentence) or not _THIS_AGREEMENT.search(sentence):
            continue
        for match in _DURATION.finditer(sentence):
            amount = _amount(match)
            if amount is None:
                continue
            clause = sentence[max(0, match.start() - 120) : match.end() + 80]
            weight = 1.0
            if _TERM_ANCHOR.search(sentence[match.end() : match.end() + 60]):
                weight += 1.0
            if re.search(r"\bterminat\w*|\bexpir\w*|\bcease", clause, re.I):
                weight += 0.5
            if re.search(r"^\W*\d*\.?\s*term\b", sentence, re.I):
                weight += 1.0
            if _NOT_TERM.search(clause):
                weight -= 1.5
            if weight <= 1.0:
                continue
            unit = match.group("unit").lower()
            value = f"{amount} {unit}{'s' if amount != 1 else ''}"
            found = _sentence_found(
                value, layouts, page, start, sentence, match.start(), match.end()
            )
            found.score = 0.7 if weight >= 2.5 else 0.55
            found.how = "duration in a sentence on the agreement's term"
            ranked.append((weight, -order, found))
    if not ranked:
        return None
    ranked.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return ranked[0][2]


def _amount(match: re.Match[str]) -> int | None:
    if match.group("digits"):
        return int(match.group("digits"))
    if match.group("paren"):
        return int(match.group("paren"))
    word = (match.group("word") or "").lower()
    return NUMBER_WORDS.get(word)


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
                found = _sentence_found(name, layouts, page, start, sentence, s, s + len(name))
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
                    _sentence_found(name, layouts, page, start, sentence, s, s + len(name))
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
    """Split at " and " outside parentheses and quotes (the parties of a preamble)."""
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


def _preceded_by_by(row: Any, cell: Any) -> bool:
    index = row.cells.index(cell)
    return index > 0 and row.cells[index - 1].text.strip().lower() in {"by", "by:"}


def _cell_above(rows: list[Any], index: int, cell: Any) -> Any:
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
        if _SALUTATION.match(row.text):
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
