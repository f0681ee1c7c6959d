"""What this installation can run, and which engine a request will run on, said before it runs.

The one place the pages ask: the options form offers ``runnable_models`` only and hides the
``ignored_options`` of the engine that will run; the line above Run is ``engine_preview``. Both
read the model registry (``installation_registry``): work that lists models (from LLM servers,
say) plugs in there and every page follows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from extraction.pipeline.config import ConfigError, ExtractConfig
from extraction.pipeline.engines.registry import (
    LOCAL,
    ModelRegistry,
    model_registry_from_settings,
    select_engine,
)

# Options the built-in local engine does nothing with: it reads whole documents (no chunks),
# has no model to pick or prompt, and no modes (those choose among LLM models).
LOCAL_IGNORED_OPTIONS = frozenset(
    {
        "extraction_mode",
        "chunk_mode",
        "num_pages_context",
        "system_prompt",
        "extract_model",
        "parse_model",
        "multimodal_fast_mode",
    }
)
LOCAL_LABEL = "the built-in local engine"


def installation_registry() -> ModelRegistry:
    """The models this installation is configured with."""
    return model_registry_from_settings(settings)


def runnable_models(registry: ModelRegistry | None = None) -> list[tuple[str, str]]:
    """``(value, label)`` of every model a request may name here: the configured LLM models
    and the local engine; none at all without an LLM (the local engine is the only choice)."""
    registry = registry or installation_registry()
    if not registry.has_llm:
        return []
    models = [(endpoint.name, endpoint.name) for endpoint in registry.endpoints]
    return [*models, (LOCAL, "local (built-in, offline)")]


def hidden_options(registry: ModelRegistry | None = None) -> frozenset[str]:
    """Options the forms hide: those no engine this installation can run would use (all the
    LLM ones, when no LLM is configured)."""
    registry = registry or installation_registry()
    return frozenset() if registry.has_llm else LOCAL_IGNORED_OPTIONS


@dataclass(frozen=True)
class EnginePreview:
    """Which engine a request will run on, in words, and the options that do nothing there."""

    engine: str  # "local", "openai", or "" when the request names an unknown model
    model: str
    summary: str
    ignored_options: frozenset[str]
    notes: tuple[str, ...] = ()


def engine_preview(config: Any, registry: ModelRegistry | None = None) -> EnginePreview:
    """The engine ``config`` (a dict as the forms and agents hold it) will run on."""
    registry = registry or installation_registry()
    try:
        parsed = config if isinstance(config, ExtractConfig) else ExtractConfig.from_dict(config)
        choice = select_engine(parsed, registry)
    except ConfigError as exc:
        return EnginePreview(
            engine="",
            model="",
            summary="These options cannot run: "
            + "; ".join(f"{name}: {problem}" for name, problem in exc.problems.items()),
            ignored_options=frozenset(),
        )
    if choice.engine == LOCAL:
        reason = (
            "no LLM is configured on this server"
            if not registry.has_llm
            else "the local engine was chosen as the model"
        )
        return EnginePreview(
            engine=LOCAL,
            model="",
            summary=f"Runs on {LOCAL_LABEL} (offline; {reason}).",
            ignored_options=LOCAL_IGNORED_OPTIONS,
            notes=choice.warnings,
        )
    endpoint = choice.endpoint
    model = endpoint.model if endpoint else ""
    host = urlsplit(endpoint.base_url).hostname if endpoint else ""
    return EnginePreview(
        engine=choice.engine,
        model=model,
        summary=f"Runs on the model {model} ({host or 'OpenAI-compatible server'}).",
        ignored_options=frozenset(),
        notes=choice.warnings,
    )
