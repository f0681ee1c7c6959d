"""``ExtractConfig``: the options of one extraction, parsed and validated from a plain dict.

The same dict shape is stored on agents and jobs and echoed by the API, so values are validated
with the exact (case-sensitive) enum spellings the LlamaCloud SDKs accept. Unknown keys are kept
in ``extra`` so they round-trip, as LlamaCloud accepts them too.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum
from typing import Any


class ExtractionTarget(StrEnum):
    PER_DOC = "PER_DOC"
    PER_PAGE = "PER_PAGE"
    PER_TABLE_ROW = "PER_TABLE_ROW"


class ExtractionMode(StrEnum):
    FAST = "FAST"
    BALANCED = "BALANCED"
    MULTIMODAL = "MULTIMODAL"
    PREMIUM = "PREMIUM"


class ChunkMode(StrEnum):
    PAGE = "PAGE"
    SECTION = "SECTION"


class Priority(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class ConfigError(ValueError):
    """Invalid configuration; ``problems`` maps each offending field to a message."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__("; ".join(f"{key}: {msg}" for key, msg in problems.items()))


PAGE_RANGE_PART = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$")


def parse_page_range(spec: str) -> list[tuple[int, int]]:
    """Parse ``"1,3,5-7"`` into inclusive 1-based ``(start, end)`` spans; raises ValueError."""
    if not spec.strip():
        raise ValueError("page_range is empty")
    spans: list[tuple[int, int]] = []
    for part in spec.split(","):
        match = PAGE_RANGE_PART.match(part)
        if match is None:
            raise ValueError(f"page_range part {part.strip()!r} is not a page number or range")
        start = int(match.group(1))
        end = int(match.group(2)) if match.group(2) else start
        if start < 1:
            raise ValueError("page numbers start at 1")
        if end < start:
            raise ValueError(f"page_range part {part.strip()!r} ends before it starts")
        spans.append((start, end))
    return spans


@dataclass(frozen=True)
class ExtractConfig:
    extraction_target: ExtractionTarget = ExtractionTarget.PER_DOC
    extraction_mode: ExtractionMode = ExtractionMode.BALANCED
    chunk_mode: ChunkMode = ChunkMode.PAGE
    page_range: str | None = None
    num_pages_context: int | None = None
    cite_sources: bool = False
    citation_bbox: bool = False
    confidence_scores: bool = False
    use_reasoning: bool = False
    system_prompt: str | None = None
    high_resolution_mode: bool = False
    invalidate_cache: bool = False
    multimodal_fast_mode: bool = False
    extract_model: str | None = None
    parse_model: str | None = None
    priority: Priority | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def wants_citations(self) -> bool:
        return self.cite_sources or self.citation_bbox

    @property
    def page_spans(self) -> list[tuple[int, int]] | None:
        return parse_page_range(self.page_range) if self.page_range else None

    @classmethod
    def from_dict(cls, raw: dict[str, Any] | None) -> ExtractConfig:
        """Validate ``raw``; raises ``ConfigError`` listing every bad field."""
        raw = dict(raw or {})
        problems: dict[str, str] = {}
        values: dict[str, Any] = {}
        enums = {
            "extraction_target": ExtractionTarget,
            "extraction_mode": ExtractionMode,
            "chunk_mode": ChunkMode,
            "priority": Priority,
        }
        known = {f.name for f in fields(cls)} - {"extra"}
        for name in known:
            if name not in raw or raw[name] is None:
                continue
            value = raw.pop(name)
            if name in enums:
                try:
                    values[name] = enums[name](value)
                except ValueError:
                    allowed = ", ".join(member.value for member in enums[name])
                    problems[name] = f"{value!r} is not one of {allowed}"
            elif name in {"page_range", "system_prompt", "extract_model", "parse_model"}:
                if not isinstance(value, str):
                    problems[name] = "must be a string"
                elif name == "page_range":
                    try:
                        parse_page_range(value)
                        values[name] = value
                    except ValueError as exc:
                        problems[name] = str(exc)
                else:
                    values[name] = value
            elif name == "num_pages_context":
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    problems[name] = "must be a non-negative integer"
                else:
                    values[name] = value
            elif not isinstance(value, bool):
                problems[name] = "must be true or false"
            else:
                values[name] = value
        if problems:
            raise ConfigError(problems)
        return cls(**values, extra=raw)

    def to_dict(self) -> dict[str, Any]:
        """The stored/echoed form: defaults included, enums as their wire strings."""
        data = {key: value for key, value in asdict(self).items() if key != "extra"}
        for key, value in data.items():
            if isinstance(value, StrEnum):
                data[key] = value.value
        return {**self.extra, **data}
