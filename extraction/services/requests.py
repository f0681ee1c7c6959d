"""A job request, checked once at the edge: what to extract and how.

Every edge (API v1 and v2, the pages, agent runs, batches) builds one ``JobRequest`` with
``job_request_clean`` and hands it to ``jobs.jobs_submit``; nothing downstream checks the
schema, config or webhooks again (webhook hosts are resolved once, here).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings

from extraction.pipeline.config import ConfigError, ExtractConfig
from extraction.pipeline.engines.registry import (
    model_registry_from_settings,
    validate_config_models,
)
from extraction.pipeline.schemas import load_schema
from extraction.services.errors import LimitExceeded, ServiceError
from extraction.webhooks import sending as webhooks

if TYPE_CHECKING:
    from extraction.models import ExtractionAgent


@dataclass(frozen=True)
class JobRequest:
    """The effective schema, config, webhooks and priority of the jobs to submit."""

    data_schema: dict[str, Any]
    config: ExtractConfig
    webhook_configurations: tuple[dict[str, Any], ...] = ()
    priority: str = "medium"
    from_ui: bool = False


def job_request_clean(
    *,
    agent: ExtractionAgent,
    data_schema: Any = None,
    config: Any = None,
    webhook_configurations: Any = None,
    priority: str | None = None,
    from_ui: bool = False,
) -> JobRequest:
    """Check a request against ``agent``'s defaults (its schema and config fill in for None).

    Raises ``SchemaError`` (with JSON pointers), ``ConfigError`` (bad fields, unknown models),
    ``ServiceError`` or ``LimitExceeded`` (webhooks, priority).
    """
    schema = data_schema_clean(
        data_schema=data_schema if data_schema is not None else agent.data_schema
    )
    parsed = config_parse(config=config if config is not None else agent.config)
    hooks = webhook_configurations_clean(webhook_configurations=webhook_configurations)
    effective_priority = priority or (parsed.priority.value if parsed.priority else "medium")
    if effective_priority not in settings.JOB_QUEUES:
        raise ServiceError(f"priority must be one of {', '.join(settings.JOB_QUEUES)}.")
    return JobRequest(
        data_schema=schema,
        config=parsed,
        webhook_configurations=tuple(hooks),
        priority=effective_priority,
        from_ui=from_ui,
    )


def data_schema_clean(*, data_schema: Any) -> dict[str, Any]:
    """The schema as an object (a JSON string is parsed); raises ``SchemaError`` with pointers."""
    load_schema(data_schema)
    parsed: dict[str, Any] = (
        json.loads(data_schema) if isinstance(data_schema, (str, bytes)) else data_schema
    )
    return parsed


def config_parse(*, config: Any) -> ExtractConfig:
    """The config checked (fields and model names); raises ``ConfigError``."""
    if config is not None and not isinstance(config, dict):
        raise ConfigError({"config": "must be an object"})
    parsed = ExtractConfig.from_dict(config)
    validate_config_models(parsed, model_registry_from_settings(settings))
    return parsed


def config_clean(*, config: Any) -> dict[str, Any]:
    """The normalised config dict, as agents store it; raises ``ConfigError``."""
    return config_parse(config=config).to_dict()


def webhook_configurations_clean(*, webhook_configurations: Any) -> list[dict[str, Any]]:
    """Checked webhook configurations (URLs resolved and vetted); raises ``ServiceError``."""
    try:
        return webhooks.webhook_configurations_clean(webhook_configurations)
    except webhooks.WebhookConfigError as exc:
        raise (LimitExceeded if exc.over_limit else ServiceError)(str(exc)) from None


def text_check(*, text: object) -> str:
    """Inline text fit to extract from; raises ``ServiceError`` (not a string, empty, too long,
    NUL characters)."""
    if not isinstance(text, str):
        raise ServiceError("text must be a string.")
    if not text.strip():
        raise ServiceError("text is empty.")
    if len(text) > settings.MAX_TEXT_CHARS:
        raise ServiceError(
            f"text is {len(text)} characters long; the limit is {settings.MAX_TEXT_CHARS}."
        )
    if "\x00" in text:
        raise ServiceError("text contains NUL characters (\\x00), which documents cannot hold.")
    return text
