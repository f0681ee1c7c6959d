"""Which engine and model run an extraction: the model registry, engine selection, and the
engines by name (``engine_create``).

The registry is a frozen value built from plain settings (``model_registry_from_settings``) so
the pipeline and engines never read Django settings. Public model names are the configured
model ids plus LlamaCloud's names (``openai-gpt-4-1``, ``gemini-2.5-flash``, ...), which map onto
the configured models by tier: a LlamaCloud client keeps working when pointed at a self-hosted
endpoint, and the run's metadata records the model that actually answered.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

from extraction.pipeline.config import ConfigError, ExtractConfig, ExtractionMode
from extraction.pipeline.engines.base import Engine, ModelEndpoint

LOCAL = "local"

# LlamaCloud public model names -> the tier of configured model that stands in for them.
LLAMA_CLOUD_TIERS: dict[str, str] = {
    "openai-gpt-4o-mini": "fast",
    "openai-gpt-4-1-mini": "fast",
    "openai-gpt-4-1-nano": "fast",
    "openai-gpt-5-mini": "fast",
    "openai-gpt-5-nano": "fast",
    "gemini-2.0-flash": "fast",
    "gemini-2.0-flash-lite": "fast",
    "gemini-2.5-flash": "fast",
    "gemini-2.5-flash-lite": "fast",
    "anthropic-haiku-3.5": "fast",
    "anthropic-haiku-4.5": "fast",
    "openai-gpt-4o": "default",
    "openai-gpt-4-1": "default",
    "anthropic-sonnet-3.5": "default",
    "anthropic-sonnet-3.7": "default",
    "anthropic-sonnet-4.0": "default",
    "openai-gpt-5": "strong",
    "gemini-2.5-pro": "strong",
    "gemini-3.0-pro": "strong",
    "anthropic-sonnet-4.5": "strong",
    "anthropic-opus-4.0": "strong",
    "anthropic-opus-4.1": "strong",
}


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter; ``Retry-After`` wins but is capped."""

    max_retries: int = 4
    base_delay: float = 0.5
    max_delay: float = 20.0
    max_retry_after: float = 60.0


@dataclass(frozen=True)
class ModelRegistry:
    """The configured LLM endpoints, which model serves each mode, and the call limits."""

    endpoints: tuple[ModelEndpoint, ...] = ()
    default_model: str | None = None  # endpoint names (the configured model ids)
    fast_model: str | None = None
    strong_model: str | None = None
    vision_model: str | None = None
    max_concurrency_per_job: int = 4
    max_concurrency_per_worker: int = 8
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    @property
    def has_llm(self) -> bool:
        return self.default_model is not None

    def _by_name(self, name: str) -> ModelEndpoint | None:
        return next((endpoint for endpoint in self.endpoints if endpoint.name == name), None)

    def tier(self, tier: str) -> ModelEndpoint | None:
        """The endpoint for ``fast``/``default``/``strong``/``vision``, falling back to default."""
        name = {
            "fast": self.fast_model,
            "strong": self.strong_model,
            "vision": self.vision_model,
        }.get(tier)
        return self._by_name(name or self.default_model or "")

    def available_names(self) -> list[str]:
        """Every name ``extract_model``/``parse_model`` may take, ``local`` included."""
        names = [LOCAL, *(endpoint.name for endpoint in self.endpoints)]
        return list(dict.fromkeys([*names, *sorted(LLAMA_CLOUD_TIERS)]))

    def resolve(self, name: str) -> ModelEndpoint | None:
        """The endpoint behind a public name; KeyError when unknown.

        ``None`` means the local engine: for ``local``, and for LlamaCloud names on an install
        without an LLM (so LlamaCloud clients keep working; the metadata says what ran).
        """
        if name == LOCAL:
            return None
        endpoint = self._by_name(name)
        if endpoint is None and name in LLAMA_CLOUD_TIERS:
            return self.tier(LLAMA_CLOUD_TIERS[name]) if self.has_llm else None
        if endpoint is None:
            raise KeyError(name)
        return endpoint


@dataclass(frozen=True)
class EngineChoice:
    """What will run: ``engine`` is ``local`` or ``openai``; ``endpoint`` is None for local."""

    engine: str
    endpoint: ModelEndpoint | None = None
    vision_endpoint: ModelEndpoint | None = None  # MULTIMODAL page images go here
    verify: bool = False  # PREMIUM: second pass on fields without support
    requested_model: str | None = None
    warnings: tuple[str, ...] = ()


def validate_config_models(config: ExtractConfig, registry: ModelRegistry) -> None:
    """Reject unknown ``extract_model``/``parse_model`` names; raises ``ConfigError``."""
    problems: dict[str, str] = {}
    available = registry.available_names()
    for name in ("extract_model", "parse_model"):
        value = getattr(config, name)
        if value is None:
            continue
        try:
            registry.resolve(value)
        except KeyError:
            problems[name] = f"unknown model {value!r}; available: {', '.join(available)}"
    if problems:
        raise ConfigError(problems)


def select_engine(config: ExtractConfig, registry: ModelRegistry) -> EngineChoice:
    """Pick the engine and models for ``config``; raises ``ConfigError`` on unknown names."""
    validate_config_models(config, registry)
    if not registry.has_llm or config.extract_model == LOCAL:
        notes: tuple[str, ...] = ()
        if config.extract_model not in (None, LOCAL):
            notes = (
                "no LLM endpoint is configured; the local engine ran instead of "
                f"{config.extract_model!r}",
            )
        return EngineChoice(engine=LOCAL, requested_model=config.extract_model, warnings=notes)
    mode = config.extraction_mode
    tier = {
        ExtractionMode.FAST: "fast",
        ExtractionMode.BALANCED: "default",
        ExtractionMode.MULTIMODAL: "default",
        ExtractionMode.PREMIUM: "strong",
    }[mode]
    # multimodal_fast_mode trades the page images for speed: text only, on the fast model.
    fast_multimodal = mode == ExtractionMode.MULTIMODAL and config.multimodal_fast_mode
    if fast_multimodal:
        tier = "fast"
    endpoint = registry.resolve(config.extract_model) if config.extract_model else None
    endpoint = endpoint or registry.tier(tier)
    vision = None
    warnings: list[str] = []
    if mode == ExtractionMode.MULTIMODAL and not fast_multimodal:
        candidate = registry.resolve(config.parse_model) if config.parse_model else None
        candidate = candidate or registry.tier("vision")
        if endpoint is not None and endpoint.supports_vision:
            vision = endpoint
        elif candidate is not None and candidate.supports_vision:
            vision = candidate
        else:
            warnings.append("no vision-capable model is configured; page images were not sent")
    return EngineChoice(
        engine="openai",
        endpoint=vision or endpoint,
        vision_endpoint=vision,
        verify=mode == ExtractionMode.PREMIUM,
        requested_model=config.extract_model,
        warnings=tuple(warnings),
    )


# Engines by name, as "module:factory" so a heavy one (the openai SDK) is imported only when a
# job runs on it. A factory takes (choice, registry) and returns an ``Engine``.
EngineFactory = Callable[[EngineChoice, ModelRegistry], Engine]
_ENGINES: dict[str, str | EngineFactory] = {
    LOCAL: "extraction.pipeline.engines.local.engine:engine_for",
    "openai": "extraction.pipeline.engines.openai.engine:engine_for",
}


def register_engine(name: str, factory: str | EngineFactory) -> None:
    """Add (or replace) the engine ``name``: a factory or a ``"module:factory"`` string."""
    _ENGINES[name] = factory


def engine_create(choice: EngineChoice, registry: ModelRegistry) -> Engine:
    """The engine ``choice`` names, set up with the registry's limits."""
    factory = _ENGINES[choice.engine]
    if isinstance(factory, str):
        module_name, _, attribute = factory.partition(":")
        factory = getattr(importlib.import_module(module_name), attribute)
        _ENGINES[choice.engine] = factory
    return factory(choice, registry)


def model_registry_from_settings(settings: object) -> ModelRegistry:
    """Build the registry from a Django settings object (the one place that reads it)."""
    base_url = str(getattr(settings, "OPENAI_BASE_URL", "") or "")
    default = str(getattr(settings, "OPENAI_MODEL", "") or "")
    api_key = str(getattr(settings, "OPENAI_API_KEY", "") or "not-needed")
    supports_json_schema = bool(getattr(settings, "OPENAI_SUPPORTS_JSON_SCHEMA", True))
    timeout_seconds = float(getattr(settings, "OPENAI_TIMEOUT_SECONDS", 120.0))
    max_concurrency_per_job = int(getattr(settings, "LLM_MAX_CONCURRENCY_PER_JOB", 4))
    max_concurrency_per_worker = int(getattr(settings, "LLM_MAX_CONCURRENCY_PER_WORKER", 8))
    retry = RetryPolicy(max_retries=int(getattr(settings, "LLM_MAX_RETRIES", 4)))
    if not default:
        return ModelRegistry(
            max_concurrency_per_job=max_concurrency_per_job,
            max_concurrency_per_worker=max_concurrency_per_worker,
            retry=retry,
        )
    fast = _setting_or_none(settings, "OPENAI_FAST_MODEL")
    strong = _setting_or_none(settings, "OPENAI_STRONG_MODEL")
    vision = _setting_or_none(settings, "OPENAI_VISION_MODEL")
    names = list(dict.fromkeys(n for n in (default, fast, strong, vision) if n))
    endpoints = tuple(
        ModelEndpoint(
            name=name,
            model=name,
            supports_vision=name == vision,
            base_url=base_url or "https://api.openai.com/v1",
            api_key=api_key,
            supports_json_schema=supports_json_schema,
            timeout_seconds=timeout_seconds,
        )
        for name in names
    )
    return ModelRegistry(
        endpoints=endpoints,
        default_model=default,
        fast_model=fast,
        strong_model=strong,
        vision_model=vision,
        max_concurrency_per_job=max_concurrency_per_job,
        max_concurrency_per_worker=max_concurrency_per_worker,
        retry=retry,
    )


def _setting_or_none(settings: object, name: str) -> str | None:
    """A model name from the settings; None when unset or empty."""
    value = getattr(settings, name, "") or None
    return None if value is None else str(value)
