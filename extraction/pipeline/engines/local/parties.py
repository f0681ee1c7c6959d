"""Contract parties: the names listed after "between", each with the role it is given.

Roles come from the defined term in the party's own clause (``(the "Landlord")``), from
"the first a "Disclosing Party", the second the "Receiving Party"", or default to "party" when
the schema's role enum has it.
"""

from __future__ import annotations

import re

from extraction.pipeline.engines.local.fields import Found
from extraction.pipeline.engines.local.labels import FieldSpec
from extraction.pipeline.engines.local.sentences import DEFINED
from extraction.pipeline.engines.local.typed import match_enum


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
