"""``ExtractConfig``: the options of one extraction, parsed and validated from a plain dict.

The same dict shape is stored on agents and jobs and echoed by the API, so values are validated
with the exact (case-sensitive) enum spellings the LlamaCloud SDKs accept. Unknown keys are kept
in ``extra`` so they round-trip, as LlamaCloud accepts them too.
"""

from __future__ import annotations

import json
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
    """Invalid configuration; ``problems`` maps each offending field to a message.

    ``over_limit`` marks a config refused only because a value is past one of the bounds below.
    """

    def __init__(self, problems: dict[str, str], *, over_limit: bool = False):
        self.problems = problems
        self.over_limit = over_limit
        super().__init__("; ".join(f"{key}: {msg}" for key, msg in problems.items()))


# Bounds on what one config may ask for: past them a value costs work or storage for nothing.
MAX_SYSTEM_PROMPT_CHARS = 20_000
MAX_NUM_PAGES_CONTEXT = 100
MAX_PAGE_NUMBER = 100_000
MAX_PAGE_RANGE_CHARS = 2_000
MAX_MODEL_NAME_CHARS = 200
MAX_EXTRA_CHARS = 20_000  # unknown keys, kept as sent

PAGE_RANGE_PART = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$")


def _page_range_over_limit(spec: str) -> str | None:
    """What makes a well-formed ``page_range`` too big to accept; None when it is within bounds."""
    if len(spec) > MAX_PAGE_RANGE_CHARS:
        return f"is {len(spec):,} characters long; at most {MAX_PAGE_RANGE_CHARS:,}"
    # Digits are counted before int() sees them: a 20-digit page number is refused as text.
    for number in re.findall(r"\d+", spec):
        if len(number) > len(str(MAX_PAGE_NUMBER)) or int(number) > MAX_PAGE_NUMBER:
            return f"page numbers go up to {MAX_PAGE_NUMBER:,} (got {number[:24]})"
    return None


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
        over_limit: set[str] = set()
        values: dict[str, Any] = {}
        bounds = {
            "system_prompt": MAX_SYSTEM_PROMPT_CHARS,
            "extract_model": MAX_MODEL_NAME_CHARS,
            "parse_model": MAX_MODEL_NAME_CHARS,
        }
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
                    too_big = _page_range_over_limit(value)
                    try:
                        if too_big:
                            problems[name] = too_big
                            over_limit.add(name)
                        else:
                            parse_page_range(value)
                            values[name] = value
                    except ValueError as exc:
                        problems[name] = str(exc)
                elif len(value) > bounds[name]:
                    problems[name] = f"is {len(value):,} characters long; at most {bounds[name]:,}"
                    over_limit.add(name)
                else:
                    values[name] = value
            elif name == "num_pages_context":
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    problems[name] = "must be a non-negative integer"
                elif value > MAX_NUM_PAGES_CONTEXT:
                    problems[name] = f"is {value}; at most {MAX_NUM_PAGES_CONTEXT}"
                    over_limit.add(name)
                else:
                    values[name] = value
            elif not isinstance(value, bool):
                problems[name] = "must be true or false"
            else:
                values[name] = value
        if raw and len(json.dumps(raw, default=str)) > MAX_EXTRA_CHARS:
            problems["config"] = (
                f"unknown keys ({', '.join(sorted(map(str, raw))[:5])}) take more than "
                f"{MAX_EXTRA_CHARS:,} characters"
            )
            over_limit.add("config")
        if problems:
            # 422 only when every problem is a bound; a malformed value is the usual 400.
            raise ConfigError(problems, over_limit=bool(over_limit) and over_limit == set(problems))
        return cls(**values, extra=raw)

    def to_dict(self) -> dict[str, Any]:
        """The stored/echoed form: defaults included, enums as their wire strings."""
        data = {key: value for key, value in asdict(self).items() if key != "extra"}
        for key, value in data.items():
            if isinstance(value, StrEnum):
                data[key] = value.value
        return {**self.extra, **data}
