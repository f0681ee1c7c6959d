"""One chat-completion call against an OpenAI-compatible endpoint, with the only retry layer.

The SDK client is created with ``max_retries=0``; transient failures (timeouts, connection
errors, 408/409/429, 5xx) are retried here with exponential backoff and full jitter, honouring
``Retry-After``/``retry-after-ms``. Permanent ones (400, 401, 403, 404, 422) fail at once with a
message a user can act on. A process-wide semaphore bounds the requests one worker has in flight.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import openai

from extraction.pipeline.engines.base import EngineError, ExtractionCancelled, ModelEndpoint
from extraction.pipeline.engines.registry import RetryPolicy

_LOCK = threading.Lock()
_CLIENTS: dict[tuple[str, str, float], openai.OpenAI] = {}
_WORKER_SLOTS: dict[int, threading.BoundedSemaphore] = {}


@dataclass
class Reply:
    content: str
    finish_reason: str | None
    prompt_tokens: int
    completion_tokens: int


def client_for(endpoint: ModelEndpoint) -> openai.OpenAI:
    """A shared SDK client per endpoint (thread-safe; keeps connections alive)."""
    key = (endpoint.base_url, endpoint.api_key, endpoint.timeout_seconds)
    with _LOCK:
        client = _CLIENTS.get(key)
        if client is None:
            client = openai.OpenAI(
                base_url=endpoint.base_url,
                api_key=endpoint.api_key,
                timeout=endpoint.timeout_seconds,
                max_retries=0,
            )
            _CLIENTS[key] = client
        return client


def worker_slots(limit: int) -> threading.BoundedSemaphore:
    """The process-wide semaphore bounding in-flight requests to ``limit``."""
    with _LOCK:
        if limit not in _WORKER_SLOTS:
            _WORKER_SLOTS[limit] = threading.BoundedSemaphore(limit)
        return _WORKER_SLOTS[limit]


def _retry_after(error: openai.APIStatusError, cap: float) -> float | None:
    headers = error.response.headers
    try:
        if headers.get("retry-after-ms"):
            return min(float(headers["retry-after-ms"]) / 1000, cap)
        value = headers.get("retry-after")
        if not value:
            return None
        try:
            return min(max(float(value), 0.0), cap)
        except ValueError:
            when = email.utils.parsedate_to_datetime(value)
            return min(max(when.timestamp() - time.time(), 0.0), cap)
    except (TypeError, ValueError):
        return None


def _status_message(error: openai.APIStatusError, endpoint: ModelEndpoint) -> str:
    status = error.status_code
    detail = ""
    body = error.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        detail = str(inner.get("message", "") if isinstance(inner, dict) else inner)
    detail = (detail or str(error.message or "")).strip()[:300]
    if status == 401:
        return f"The model endpoint {endpoint.base_url} rejected the API key (HTTP 401)."
    if status == 403:
        return f"The model endpoint {endpoint.base_url} refused access (HTTP 403): {detail}"
    if status == 404:
        return f"Model {endpoint.model!r} was not found at {endpoint.base_url} (HTTP 404): {detail}"
    return f"The model endpoint rejected the request (HTTP {status}): {detail}"


def complete(
    endpoint: ModelEndpoint,
    *,
    messages: list[dict[str, Any]],
    response_format: dict[str, Any],
    retry: RetryPolicy,
    worker_limit: int,
    should_cancel: Callable[[], bool] = lambda: False,
    sleep: Callable[[float], None] = time.sleep,
) -> Reply:
    """Send one chat completion; retry transient failures. Raises ``EngineError``."""
    client = client_for(endpoint)
    slots = worker_slots(worker_limit)
    last = ""
    for attempt in range(retry.max_retries + 1):
        wait: float | None = None
        try:
            with slots:
                response = client.chat.completions.create(
                    model=endpoint.model,
                    messages=messages,  # type: ignore[arg-type]
                    response_format=response_format,  # type: ignore[arg-type]
                    temperature=0,
                )
            choice = response.choices[0]
            usage = response.usage
            return Reply(
                content=choice.message.content or "",
                finish_reason=choice.finish_reason,
                prompt_tokens=usage.prompt_tokens if usage else 0,
                completion_tokens=usage.completion_tokens if usage else 0,
            )
        except openai.APITimeoutError:
            last = f"the model endpoint did not answer within {endpoint.timeout_seconds:g} s"
        except openai.APIConnectionError as exc:
            last = f"could not connect to the model endpoint {endpoint.base_url}: {exc}"
        except openai.APIStatusError as exc:
            if exc.status_code not in (408, 409, 429) and exc.status_code < 500:
                raise EngineError(_status_message(exc, endpoint), transient=False) from None
            last = f"the model endpoint answered HTTP {exc.status_code}"
            wait = _retry_after(exc, retry.max_retry_after)
        except (IndexError, AttributeError, ValueError) as exc:
            raise EngineError(f"The model endpoint sent an unreadable response: {exc}") from None
        if attempt == retry.max_retries:
            break
        if should_cancel():
            raise ExtractionCancelled()
        if wait is None:
            wait = random.uniform(0, min(retry.max_delay, retry.base_delay * 2**attempt))
        sleep(wait)
    attempts = retry.max_retries + 1
    raise EngineError(f"Model call failed after {attempts} attempts: {last}.", transient=True)
