"""``OpenAIEngine``: one chunk of pages + the user's schema -> data, quotes and usage.

Per chunk: one structured-output call (or JSON mode plus validation on endpoints without
``json_schema``), one repair round when the reply is unusable, a split-and-retry when the reply
was cut off by the length limit (``finish_reason == "length"``), and in PREMIUM mode a second
pass on values whose quotes are not found in the document.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from extraction.pipeline.coercion import coerce_to_schema, validation_errors
from extraction.pipeline.config import ExtractionTarget
from extraction.pipeline.engines.base import (
    EngineError,
    EngineRequest,
    EngineResult,
    ModelEndpoint,
    Usage,
)
from extraction.pipeline.engines.openai import prompts, strict
from extraction.pipeline.engines.openai.client import Reply, complete
from extraction.pipeline.engines.openai.prompts import PageText
from extraction.pipeline.engines.registry import RetryPolicy
from extraction.pipeline.merging import concat_rows, leaf_values, merge_objects, set_path

MIN_SPLIT_LINES = 2


@dataclass
class _Plan:
    """Everything fixed for one request: endpoint, formats and prompts."""

    request: EngineRequest
    endpoint: ModelEndpoint
    target: ExtractionTarget
    system: str
    response_format: dict[str, Any]
    images: bool
    usage: Usage = field(default_factory=Usage)


class OpenAIEngine:
    """Extracts with any OpenAI-compatible chat-completions endpoint."""

    name = "openai"

    def __init__(
        self,
        *,
        retry: RetryPolicy | None = None,
        worker_limit: int = 8,
        verify: bool = False,
        page_image: Callable[[int], bytes] | None = None,
    ):
        self.retry = retry or RetryPolicy()
        self.worker_limit = worker_limit
        self.verify = verify
        self.page_image = page_image  # PNG of a page, for vision models (MULTIMODAL)

    def extract(
        self,
        request: EngineRequest,
        *,
        context_pages: Sequence[int] = (),
        segments: Sequence[PageText] | None = None,
    ) -> EngineResult:
        """Extract from ``request.pages`` (one chunk); ``context_pages`` are shown for reference.

        ``segments`` replaces whole pages when the chunk holds only part of a page's text.
        Returns a dict (PER_DOC, PER_PAGE) or a list of rows (PER_TABLE_ROW) with quotes keyed
        by path. Raises ``EngineError`` (``transient`` when retrying later may help) and
        ``ExtractionCancelled``.
        """
        if request.endpoint is None:
            raise EngineError("No model endpoint is configured for the OpenAI engine.")
        plan = self._plan(request)
        if segments is not None:
            pages = list(segments)
        else:
            numbers = sorted(set(request.pages) | set(context_pages))
            pages = [
                PageText(n, request.document.page(n).text, context=n not in request.pages)
                for n in numbers
            ]
        result = self._extract_pages(plan, pages)
        if self.verify:
            self._verify(plan, pages, result)
        result.usage = plan.usage
        result.usage.pages_extracted = len(request.pages)
        return result

    def _plan(self, request: EngineRequest) -> _Plan:
        endpoint = request.endpoint
        assert endpoint is not None
        config = request.config
        target = config.extraction_target
        wrapper, strict_ok = strict.response_schema(
            request.schema, target, with_reasoning=config.use_reasoning
        )
        if endpoint.supports_json_schema:
            response_format: dict[str, Any] = {
                "type": "json_schema",
                "json_schema": {"name": "extraction", "schema": wrapper, "strict": strict_ok},
            }
        else:
            response_format = {"type": "json_object"}
        system = prompts.system_message(
            user_schema=request.schema,
            target=target,
            system_prompt=config.system_prompt,
            use_reasoning=config.use_reasoning,
            response_schema=None if endpoint.supports_json_schema else wrapper,
        )
        images = self.page_image is not None and endpoint.supports_vision
        return _Plan(request, endpoint, target, system, response_format, images)

    def _call(self, plan: _Plan, messages: list[dict[str, Any]], response_format=None) -> Reply:
        reply = complete(
            plan.endpoint,
            messages=messages,
            response_format=response_format or plan.response_format,
            retry=self.retry,
            worker_limit=self.worker_limit,
            should_cancel=plan.request.should_cancel,
        )
        plan.usage.model_calls += 1
        plan.usage.prompt_tokens += reply.prompt_tokens
        plan.usage.completion_tokens += reply.completion_tokens
        plan.usage.document_tokens += reply.prompt_tokens
        return reply

    def _extract_pages(self, plan: _Plan, pages: list[PageText]) -> EngineResult:
        images = self._page_images(pages) if plan.images else []
        messages = [
            {"role": "system", "content": plan.system},
            prompts.user_message(pages, images),
        ]
        reply = self._call(plan, messages)
        if reply.finish_reason == "length":
            return self._split_and_retry(plan, pages)
        parsed, problems = self._parse(plan, reply.content)
        if problems:
            messages += [{"role": "assistant", "content": reply.content}]
            messages += [prompts.repair_message(problems)]
            repaired = self._call(plan, messages)
            if repaired.finish_reason == "length":
                return self._split_and_retry(plan, pages)
            parsed, problems = self._parse(plan, repaired.content)
            if parsed is None:
                raise EngineError(
                    "The model's reply was not valid JSON even after a repair request: "
                    + "; ".join(problems[:3])
                )
            reply = repaired
        assert parsed is not None
        result = self._result(plan, parsed)
        if problems:
            result.warnings.append("the model's reply still failed validation after a repair")
        return result

    def _page_images(self, pages: list[PageText]) -> list[str]:
        """PNG data URLs of the target pages (each page once, even when split)."""
        assert self.page_image is not None
        numbers = dict.fromkeys(page.number for page in pages if not page.context)
        return [
            "data:image/png;base64," + base64.b64encode(self.page_image(n)).decode("ascii")
            for n in numbers
        ]

    def _split_and_retry(self, plan: _Plan, pages: list[PageText]) -> EngineResult:
        """The reply hit the length limit: extract each half and combine, never truncate."""
        halves = _split(pages)
        if halves is None:
            raise EngineError(
                "The model's reply exceeded its output limit even for a single line of the "
                f"document (page {pages[0].number}); use a model with a larger output limit."
            )
        parts = [self._extract_pages(plan, half) for half in halves]
        if plan.target == ExtractionTarget.PER_TABLE_ROW:
            return concat_rows(parts)
        return merge_objects(parts)

    def _parse(self, plan: _Plan, content: str) -> tuple[dict[str, Any] | None, list[str]]:
        """The reply as a dict with coerced data, and the problems a repair should fix."""
        try:
            parsed = json.loads(_strip_fences(content))
        except ValueError as exc:
            return None, [f"not valid JSON ({exc})"]
        key = "rows" if plan.target == ExtractionTarget.PER_TABLE_ROW else "data"
        if not isinstance(parsed, dict) or key not in parsed:
            return None, [f'the reply must be a JSON object with a "{key}" member']
        schema = plan.request.schema
        if key == "rows":
            rows = parsed["rows"] if isinstance(parsed["rows"], list) else []
            parsed["rows"] = [coerce_to_schema(row, schema) for row in rows]
            problems = [
                f"rows[{i}]{error}"
                for i, row in enumerate(parsed["rows"])
                for error in validation_errors(row, schema, allow_nulls=True)
            ]
        else:
            parsed["data"] = coerce_to_schema(parsed["data"], schema)
            errors = validation_errors(parsed["data"], schema, allow_nulls=True)
            problems = [f"data{error}" for error in errors]
        return parsed, problems

    def _result(self, plan: _Plan, parsed: dict[str, Any]) -> EngineResult:
        key = "rows" if plan.target == ExtractionTarget.PER_TABLE_ROW else "data"
        data = parsed[key]
        quotes: dict[str, str] = {}
        for entry in parsed.get("quotes") or []:
            if (
                isinstance(entry, dict)
                and entry.get("quote")
                and isinstance(entry.get("path"), str)
            ):
                quotes[_clean_path(entry["path"], key)] = str(entry["quote"])
        reasoning = {
            str(entry.get("field")): str(entry.get("explanation", ""))
            for entry in parsed.get("reasoning") or []
            if isinstance(entry, dict) and entry.get("field")
        }
        return EngineResult(
            data=data,
            engine=self.name,
            model=plan.endpoint.model,
            quotes=quotes,
            reasoning=reasoning,
        )

    def _verify(self, plan: _Plan, pages: list[PageText], result: EngineResult) -> None:
        """PREMIUM: ask again about values the document does not visibly support (no quote
        or printed form of them is found on the chunk's pages by ``citations``)."""
        from extraction.pipeline.citations import find_unsupported_paths

        request = plan.request
        unsupported = find_unsupported_paths(
            result, request.document, pages=list(request.pages), schema=request.schema
        )
        values = leaf_values(result.data)
        doubtful = {path: values[path] for path in unsupported if values.get(path) is not None}
        if not doubtful:
            return
        key = "rows" if plan.target == ExtractionTarget.PER_TABLE_ROW else "data"
        messages = [
            {"role": "system", "content": plan.system},
            prompts.user_message(pages, []),
            {"role": "assistant", "content": json.dumps({key: result.data}, ensure_ascii=False)},
            prompts.verify_message(doubtful),
        ]
        response_format = {
            "type": "json_schema",
            "json_schema": {"name": "verification", "schema": strict.VERIFY_SCHEMA, "strict": True},
        }
        if not plan.endpoint.supports_json_schema:
            response_format = {"type": "json_object"}
        try:
            reply = self._call(plan, messages, response_format)
        except EngineError as exc:
            # The first pass already produced values; a failed second look keeps them.
            result.warnings.append(f"verification pass failed, first values kept: {exc}")
            return
        try:
            fields = json.loads(_strip_fences(reply.content)).get("fields") or []
        except (ValueError, AttributeError):
            result.warnings.append("the verification reply was not valid JSON; kept first values")
            return
        changed = 0
        for entry in fields:
            path = _clean_path(str(entry.get("path", "")), key)
            if path not in doubtful:
                continue
            try:
                value = json.loads(entry.get("value", "null"))
            except (TypeError, ValueError):
                value = entry.get("value")
            if value != doubtful[path] and set_path(result.data, path, value):
                changed += 1
            if entry.get("quote"):
                result.quotes[path] = str(entry["quote"])
        result.warnings.append(
            f"verification pass re-checked {len(doubtful)} value(s), changed {changed}"
        )


def _clean_path(path: str, key: str) -> str:
    path = path.strip()
    for prefix in (f"{key}.", key):
        if path.startswith(prefix) and (prefix.endswith(".") or path[len(prefix) :][:1] == "["):
            return path[len(prefix) :]
    return path


def _strip_fences(content: str) -> str:
    text = content.strip()
    if text.startswith("```"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
        text = text.rsplit("```", 1)[0]
    return text


def _split(pages: list[PageText]) -> list[list[PageText]] | None:
    """Two halves of the target pages, or of one page's lines; None when it cannot split."""
    targets = [page for page in pages if not page.context]
    if len(targets) > 1:
        middle = len(targets) // 2
        return [targets[:middle], targets[middle:]]
    page = targets[0]
    lines = page.text.splitlines(keepends=True)
    if len(lines) < MIN_SPLIT_LINES:
        return None
    middle = len(lines) // 2
    return [
        [PageText(page.number, "".join(lines[:middle]))],
        [PageText(page.number, "".join(lines[middle:]))],
    ]
