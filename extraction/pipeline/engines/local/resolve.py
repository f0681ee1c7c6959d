"""Putting the finders together: one object (or one list of rows) per request.

Order matters and follows evidence strength: labelled values first, then tables, then lists
after headings and prose, and last document-level cues (letterhead, title, enum words, patterns)
for whatever is still missing. Anything no finder supports stays missing, i.e. null.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from extraction.pipeline.engines.local import (
    agreements,
    blocks,
    entries,
    forms,
    heuristics,
    itemlines,
    priors,
    prose,
    sections,
)
from extraction.pipeline.engines.local.fields import extract_scalars, fill_dated_pairs, scalar_specs
from extraction.pipeline.engines.local.tables import extract_table

if TYPE_CHECKING:
    from extraction.pipeline.engines.local.hints import DocumentHints
    from extraction.pipeline.engines.local.labels import FieldSpec
    from extraction.pipeline.engines.local.layout import PageLayout


def extract_object(
    specs: list[FieldSpec], layouts: list[PageLayout], hints: DocumentHints
) -> dict[str, Any]:
    """Leaf path -> ``Found``; array path -> list of row dicts (or of ``Found`` for strings)."""
    found: dict[str, Any] = {}
    leaves = scalar_specs(specs)
    consumed: set[tuple[int, int]] = set()
    tables: dict[str, tuple[list[dict[str, Any]], str]] = {}
    for spec in _arrays(specs):
        if spec.kind == "array_obj" and spec.item is not None:
            tables[spec.path] = extract_table(spec.item.children, layouts, hints, consumed)
    found.update(extract_scalars(leaves, layouts, hints, consumed, _every(specs)))
    fill_dated_pairs(leaves, found, layouts, hints)
    blocks.fill_ranges(specs, found, layouts, hints)
    blocks.fill_parties(specs, found, layouts)
    blocks.fill_recipient(leaves, found, layouts)
    for spec in _arrays(specs):
        if spec.kind == "array_obj" and spec.item is not None:
            records, how = tables[spec.path]
            if not records:
                records, how = itemlines.item_lines(spec, layouts, hints)
            children = spec.item.children
            if len({name for record in records for name in record}) < len(children):
                # A table that leaves properties empty may be a layout aid ("Year | Degree")
                # over entries the section reader splits better.
                more, more_how = entries.section_entries(spec, layouts)
                if _filled(more) > _filled(records):
                    records, how = more, more_how
            found[spec.path] = records
            found[f"{spec.path}#how"] = how
    for spec in leaves:
        if spec.kind != "string":
            continue
        prior = found.get(spec.path)
        text = sections.section_text(spec, layouts)
        # A label's first line is only the start of a multi-line section under it; short
        # lines under a heading are other fields (a contact block), not running text.
        if (
            text is not None
            and text.value.count(" ") >= 12
            and (
                prior is None
                or (text.value.startswith(prior.value) and len(text.value) > len(prior.value))
            )
        ):
            found[spec.path] = text
    agreements.fill_agreement(specs, leaves, found, layouts, hints)
    prose.fill(leaves, found, layouts, hints, specs)
    priors.fill_by_meaning(leaves, found, layouts, hints)
    forms.fill_form(leaves, found, layouts, hints)
    heuristics.fill_missing(leaves, found, layouts, hints)
    for spec in _arrays(specs):
        if spec.kind == "array_str" and not found.get(spec.path):
            items = sections.section_items(spec, layouts)
            if not items and re.search(r"author|names|people|persons", spec.name, re.I):
                title = next(
                    (
                        found[s.path]
                        for s in leaves
                        if s.name.lower() == "title" and found.get(s.path) is not None
                    ),
                    None,
                )
                items = sections.names_under_title(layouts, title)
            if not items:
                items = heuristics.list_after_heading(spec, layouts)
            found[spec.path] = items
    return found


def extract_rows(
    item_specs: list[FieldSpec], layouts: list[PageLayout], hints: DocumentHints
) -> list[dict[str, Any]]:
    """One dict per record of the best-matching table(s) for a one-row schema."""
    records, _how = extract_table(item_specs, layouts, hints)
    return records


def _filled(records: list[dict[str, Any]]) -> int:
    return sum(1 for record in records for value in record.values() if value is not None)


def _every(specs: list[FieldSpec]) -> list[FieldSpec]:
    out = []
    for spec in specs:
        out.append(spec)
        out.extend(_every(spec.children))
    return out


def _arrays(specs: list[FieldSpec]) -> list[FieldSpec]:
    out = []
    for spec in specs:
        if spec.kind in {"array_obj", "array_str"}:
            out.append(spec)
        elif spec.kind == "object":
            out.extend(_arrays(spec.children))
    return out
