"""Hand-built documents for local engine tests: words placed at given x positions."""

from __future__ import annotations

from typing import Any

from extraction.pipeline.config import ExtractConfig
from extraction.pipeline.documents.base import Box, Document, Line, Page, Word
from extraction.pipeline.engines.base import EngineRequest, EngineResult
from extraction.pipeline.engines.local import LocalEngine

CHAR = 5.0  # points per character at 10 pt


def page_from_rows(
    rows: list[list[tuple[float, str]]], *, number: int = 1, sizes: dict[int, float] | None = None
) -> Page:
    """A page whose row ``i`` holds ``(x, text)`` runs at y = 40 + 16 i (font 10 pt, or
    ``sizes[i]``). Runs split into words; offsets index the page text."""
    sizes = sizes or {}
    words: list[Word] = []
    lines: list[Line] = []
    text = ""
    for index, runs in enumerate(rows):
        size = sizes.get(index, 10.0)
        y = 40.0 + 16.0 * index
        line_start = len(text)
        for run_index, (x, run) in enumerate(runs):
            position = x
            for word_index, token in enumerate(run.split()):
                if run_index or word_index:
                    text += " "
                start = len(text)
                text += token
                width = len(token) * CHAR * size / 10
                words.append(
                    Word(token, Box(position, y, width, size), start, len(text), font_size=size)
                )
                position += width + CHAR * size / 10
        line_words = words[-sum(len(run.split()) for _, run in runs) :] if runs else []
        if line_words:
            box = line_words[0].box
            for word in line_words[1:]:
                box = box.union(word.box)
            lines.append(Line(text[line_start:], box, line_start, len(text), font_size=size))
        text += "\n"
    return Page(number, 612.0, 792.0, text.rstrip("\n"), words, lines)


def run_engine(
    pages: list[Page] | Document,
    schema: dict[str, Any],
    *,
    target: str = "PER_DOC",
    reasoning: bool = False,
    **request: Any,
) -> EngineResult:
    """Extract with ``LocalEngine`` over every page."""
    document = pages if isinstance(pages, Document) else Document("application/pdf", pages)
    config = ExtractConfig.from_dict({"extraction_target": target, "use_reasoning": reasoning})
    return LocalEngine().extract(
        EngineRequest(
            document=document,
            pages=list(range(1, document.page_count + 1)),
            schema=schema,
            config=config,
            **request,
        )
    )
