"""``OpenAIEngine``: one chunk of pages + the user's schema -> data, quotes and usage.

Per chunk: one structured-output call (or JSON mode plus validation on endpoints without
``json_schema``), one repair round when the reply is unusable, and in PREMIUM mode a second
pass on values the grounding step (``request.find_unsupported``) cannot find in the document.
A reply cut off by the length limit (``finish_reason == "length"``) raises ``OutputTruncated``:
the pipeline splits the chunk and merges the halves.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from extraction.pipeline.chunking import PageText
from extraction.pipeline.coercion import coerce_to_schema, validation_errors
from extraction.pipeline.config import ExtractionTarget
from extraction.pipeline.engines.base import (
    EngineError,
    EngineRequest,
    EngineResult,
    ModelEndpoint,
    OutputTruncated,
    Usage,
)
from extraction.pipeline.engines.openai import prompts, strict
from extraction.pipeline.engines.openai.client import Reply, complete
from extraction.pipeline.engines.registry import EngineChoice, ModelRegistry, RetryPolicy
from extraction.pipeline.jsonpath import leaf_values, set_path


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
    """Extracts with any OpenAI-compatible chat-completions endpoint, one chunk per request."""

    name = "openai"
    whole_document = False

    def __init__(
        self,
        *,
        retry: RetryPolicy | None = None,
        worker_limit: int = 8,
        concurrency: int = 4,
    ):
        self.retry = retry or RetryPolicy()
        self.worker_limit = worker_limit
        self.concurrency = concurrency

    def extract(self, request: EngineRequest) -> EngineResult:
        """Extract from ``request.pages`` (one chunk), reading ``request.segments`` (or the
        whole pages when None).

        Returns a dict (PER_DOC, PER_PAGE) or a list of rows (PER_TABLE_ROW) with quotes keyed
        by path. Raises ``OutputTruncated`` (split the chunk), ``EngineError`` (``transient``
        when retrying later may help) and ``ExtractionCancelled``.
        """
        if request.endpoint is None:
            raise EngineError("No model endpoint is configured for the OpenAI engine.")
        plan = self._plan(request)
        if request.segments is not None:
            pages = list(request.segments)
        else:
            pages = [PageText(n, request.document.page(n).text) for n in request.pages]
        result = self._extract_pages(plan, pages)
        if request.find_unsupported is not None:
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
        images = request.page_image is not None and endpoint.supports_vision
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
        images = self._page_images(plan, pages) if plan.images else []
        messages = [
            {"role": "system", "content": plan.system},
            prompts.user_message(pages, images),
        ]
        reply = self._call(plan, messages)
        if reply.finish_reason == "length":
            raise OutputTruncated(
                "The model's reply was cut off by its output limit.", usage=plan.usage
            )
        parsed, problems = self._parse(plan, reply.content)
        if problems:
            messages += [{"role": "assistant", "content": reply.content}]
            messages += [prompts.repair_message(problems)]
            repaired = self._call(plan, messages)
            if repaired.finish_reason == "length":
                raise OutputTruncated(
                    "The model's repaired reply was cut off by its output limit.",
                    usage=plan.usage,
                )
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

    def _page_images(self, plan: _Plan, pages: list[PageText]) -> list[str]:
        """PNG data URLs of the target pages (each page once, even when split)."""
        render = plan.request.page_image
        assert render is not None
        numbers = dict.fromkeys(page.number for page in pages if not page.context)
        return [
            "data:image/png;base64," + base64.b64encode(render(n)).decode("ascii") for n in numbers
        ]

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
        or printed form of them is found on the chunk's pages by the grounding step)."""
        request = plan.request
        assert request.find_unsupported is not None
        unsupported = request.find_unsupported(
            result, request.document, list(request.pages), request.schema
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


def engine_for(choice: EngineChoice, registry: ModelRegistry) -> OpenAIEngine:
    """The registry's factory: retries and call limits from the registry."""
    return OpenAIEngine(
        retry=registry.retry,
        worker_limit=registry.max_concurrency_per_worker,
        concurrency=registry.max_concurrency_per_job,
    )
