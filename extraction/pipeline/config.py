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

    def __init__(self, problems: dict[str, str], *, over_limit: bool = False) -> None:
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
class Option:
    """What the rest of the product needs to know about one ``ExtractConfig`` field.

    ``kind`` is how it is parsed: ``enum`` (``choices`` is the enum), ``text`` (at most
    ``max_chars``), ``pages`` (a page_range), ``count`` (0..``maximum``), ``flag`` or ``model``
    (a model name, checked against the registry by the services). ``affects_result`` puts it in
    the result cache's key; ``v2`` is its name in LlamaCloud's v2 configuration when it maps one
    to one; ``label``, ``help`` and ``ui_initial`` are for the options form.
    """

    kind: str
    label: str
    help: str
    choices: type[StrEnum] | None = None
    max_chars: int | None = None
    maximum: int | None = None
    affects_result: bool = True
    v2: str | None = None
    ui_initial: Any = None


def option(default: Any, spec: Option) -> Any:
    """A dataclass field of ``ExtractConfig`` carrying its ``Option``."""
    return field(default=default, metadata={"option": spec})


@dataclass(frozen=True)
class ExtractConfig:
    """The options of one extraction; each field's ``Option`` says how it is parsed, stored,
    cached, named in API v2 and shown in the form, so a new option is declared here only."""

    extraction_target: ExtractionTarget = option(
        ExtractionTarget.PER_DOC,
        Option(
            "enum",
            "Target",
            "One result for the whole document, one per page, or one per table row.",
            choices=ExtractionTarget,
        ),
    )
    extraction_mode: ExtractionMode = option(
        ExtractionMode.BALANCED,
        Option(
            "enum",
            "Mode",
            "How hard to work: FAST is cheapest, PREMIUM verifies every field, MULTIMODAL "
            "also sends page images.",
            choices=ExtractionMode,
        ),
    )
    chunk_mode: ChunkMode = option(
        ChunkMode.PAGE,
        Option(
            "enum",
            "Chunking",
            "Split long documents by page or by section before extracting.",
            choices=ChunkMode,
        ),
    )
    page_range: str | None = option(
        None,
        Option(
            "pages",
            "Pages",
            "Only read these pages, e.g. 1-3,5. Leave empty for every page.",
            max_chars=MAX_PAGE_RANGE_CHARS,
        ),
    )
    num_pages_context: int | None = option(
        None,
        Option(
            "count",
            "Context pages",
            "Neighbouring pages to include with each chunk as context.",
            maximum=MAX_NUM_PAGES_CONTEXT,
        ),
    )
    cite_sources: bool = option(
        False,
        Option(
            "flag",
            "Citations",
            "Record where each value was found (page, text and box) to highlight it.",
            v2="cite_sources",
            ui_initial=True,
        ),
    )
    citation_bbox: bool = option(
        False,
        Option(
            "flag",
            "Citation boxes",
            "Same as citations (kept for LlamaCloud compatibility).",
            v2="advanced_citations",
        ),
    )
    confidence_scores: bool = option(
        False,
        Option(
            "flag",
            "Confidence",
            "Score how sure the extraction is of each value (0–100%).",
            v2="confidence_scores",
            ui_initial=True,
        ),
    )
    use_reasoning: bool = option(
        False,
        Option(
            "flag",
            "Reasoning",
            "Ask the model to explain its choices (slower; ignored by the local engine).",
        ),
    )
    system_prompt: str | None = option(
        None,
        Option(
            "text",
            "System prompt",
            "Extra instructions for the model, e.g. “amounts are in thousands”.",
            max_chars=MAX_SYSTEM_PROMPT_CHARS,
            v2="system_prompt",
        ),
    )
    high_resolution_mode: bool = option(
        False,
        Option(
            "flag",
            "High resolution",
            "Read scanned pages at a higher resolution (better OCR, slower).",
        ),
    )
    invalidate_cache: bool = option(
        False,
        Option(
            "flag",
            "Ignore cache",
            "Ignore a cached result for the same document, schema and options.",
            affects_result=False,  # how to use the cache, not what is in it
            v2="disable_cache",
        ),
    )
    multimodal_fast_mode: bool = option(
        False,
        Option(
            "flag",
            "Multimodal fast mode",
            "In MULTIMODAL mode, skip the page images for speed.",
        ),
    )
    extract_model: str | None = option(
        None,
        Option(
            "model",
            "Model",
            "The model that extracts values; empty uses the default for the mode.",
            max_chars=MAX_MODEL_NAME_CHARS,
        ),
    )
    parse_model: str | None = option(
        None,
        Option(
            "model",
            "Vision model",
            "The vision model that reads page images in MULTIMODAL mode.",
            max_chars=MAX_MODEL_NAME_CHARS,
        ),
    )
    priority: Priority | None = option(
        None,
        Option(
            "enum",
            "Priority",
            "Queue priority: higher priorities run first when workers are busy.",
            choices=Priority,
            affects_result=False,  # the queue only
            ui_initial=Priority.MEDIUM,
        ),
    )
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
        for name, spec in OPTIONS.items():
            if name not in raw or raw[name] is None:
                continue
            value = raw.pop(name)
            try:
                values[name] = _parse_option(spec, value)
            except _OverLimit as exc:
                problems[name] = str(exc)
                over_limit.add(name)
            except ValueError as exc:
                problems[name] = str(exc)
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


class _OverLimit(ValueError):
    """A well-formed value past one of the bounds above."""


def _parse_option(spec: Option, value: Any) -> Any:
    """``value`` as the option holds it; raises ``ValueError`` (``_OverLimit`` past a bound)."""
    if spec.kind == "enum":
        assert spec.choices is not None
        try:
            return spec.choices(value)
        except ValueError:
            allowed = ", ".join(member.value for member in spec.choices)
            raise ValueError(f"{value!r} is not one of {allowed}") from None
    if spec.kind == "flag":
        if not isinstance(value, bool):
            raise ValueError("must be true or false")
        return value
    if spec.kind == "count":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError("must be a non-negative integer")
        if spec.maximum is not None and value > spec.maximum:
            raise _OverLimit(f"is {value}; at most {spec.maximum}")
        return value
    if not isinstance(value, str):
        raise ValueError("must be a string")
    if spec.kind == "pages":
        too_big = _page_range_over_limit(value)
        if too_big:
            raise _OverLimit(too_big)
        parse_page_range(value)
        return value
    if spec.max_chars is not None and len(value) > spec.max_chars:
        raise _OverLimit(f"is {len(value):,} characters long; at most {spec.max_chars:,}")
    return value


# Every option by field name, in declaration order.
OPTIONS: dict[str, Option] = {
    config_field.name: config_field.metadata["option"]
    for config_field in fields(ExtractConfig)
    if "option" in config_field.metadata
}
