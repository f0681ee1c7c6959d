"""The engine interface: a frozen request in, values with their locations out.

Engines never read Django settings; everything they need arrives in ``EngineRequest``.
Leaf paths look like ``vendor.name``, ``line_items[2].amount`` and, for list results
(``PER_PAGE``, ``PER_TABLE_ROW``), ``[3].sku``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from extraction.pipeline.documents.base import Box, Document

if TYPE_CHECKING:
    from extraction.pipeline.chunking import PageText
    from extraction.pipeline.config import ExtractConfig


class EngineError(Exception):
    """An extraction failure. ``transient`` errors (timeouts, 429, 5xx) may be retried."""

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


class OutputTruncated(EngineError):
    """The model's answer was cut off by its output limit; the request should be split.

    ``usage`` is what the cut-off calls cost, so the split request still reports it."""

    def __init__(self, message: str, *, usage: Usage) -> None:
        super().__init__(message)
        self.usage = usage


class ExtractionCancelled(Exception):
    """Raised between chunks when the job was cancelled."""


@dataclass(frozen=True)
class ModelEndpoint:
    """An OpenAI-compatible endpoint and the model to call on it."""

    name: str  # public name, e.g. "openai-gpt-4o-mini"
    base_url: str
    api_key: str
    model: str
    supports_json_schema: bool = True
    supports_vision: bool = False
    timeout_seconds: float = 120.0


@dataclass(frozen=True)
class SourceSpan:
    """Where a value was found: a character span of one page's text (and its boxes)."""

    page: int
    start: int
    end: int
    text: str
    match: str = "exact"  # exact | normalized | fuzzy | value | label | not_found
    score: float = 1.0
    boxes: tuple[Box, ...] = ()


@dataclass
class Usage:
    model_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    pages_extracted: int = 0
    document_tokens: int = 0

    def add(self, other: Usage) -> None:
        """Count ``other``'s calls, tokens and pages in this one."""
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class EngineResult:
    data: dict[str, Any] | list[dict[str, Any]]
    engine: str
    model: str | None = None
    locations: dict[str, list[SourceSpan]] = field(default_factory=dict)
    quotes: dict[str, str] = field(default_factory=dict)  # verbatim quotes an LLM gave per path
    confidences: dict[str, float] = field(default_factory=dict)  # engine's own score per path
    reasoning: dict[str, str] = field(default_factory=dict)  # per top-level field
    usage: Usage = field(default_factory=Usage)
    failed_pages: list[int] = field(default_factory=list)
    failure_reason: str | None = None
    warnings: list[str] = field(default_factory=list)


# (result, document, pages, schema) -> the paths whose values the pages do not visibly support.
UnsupportedFinder = Callable[[EngineResult, Document, list[int], dict[str, Any]], list[str]]


@dataclass(frozen=True)
class EngineRequest:
    """One request to an engine: a chunk of the document (or all of it) and what to extract.

    ``segments`` is the text to read (whole pages or pieces of a long one) for engines that
    take chunks; None means the pages themselves. ``page_image`` renders a page as PNG for
    vision models. ``find_unsupported`` is the grounding step's check, passed down for a
    verification pass so an engine never imports the steps after it.
    """

    document: Document
    pages: Sequence[int]  # the 1-based pages values are extracted from, in order
    schema: dict[str, Any]  # the user's schema with local $refs resolved
    config: ExtractConfig
    endpoint: ModelEndpoint | None = None
    segments: Sequence[PageText] | None = None
    on_progress: Callable[[int], None] = lambda pages_done: None
    should_cancel: Callable[[], bool] = lambda: False
    page_image: Callable[[int], bytes] | None = None
    find_unsupported: UnsupportedFinder | None = None


class Engine(Protocol):
    """What the pipeline runs. ``whole_document`` engines get one request with every selected
    page and return the target's final shape; the others get one request per chunk
    (``chunking.plan_chunks``), at most ``concurrency`` at a time, and the pipeline merges."""

    name: str
    whole_document: bool
    concurrency: int

    def extract(self, request: EngineRequest) -> EngineResult: ...
