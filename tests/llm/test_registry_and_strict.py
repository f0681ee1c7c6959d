from __future__ import annotations

from types import SimpleNamespace

import pytest

from extraction.pipeline.config import ConfigError, ExtractConfig, ExtractionTarget
from extraction.pipeline.engines.openai.strict import response_schema, to_strict
from extraction.pipeline.engines.registry import (
    ModelRegistry,
    model_registry_from_settings,
    select_engine,
    validate_config_models,
)


def settings(**values) -> SimpleNamespace:
    base = {
        "OPENAI_BASE_URL": "http://127.0.0.1:8001/v1",
        "OPENAI_API_KEY": "",
        "OPENAI_MODEL": "qwen2.5-7b",
        "OPENAI_FAST_MODEL": "",
        "OPENAI_STRONG_MODEL": "",
        "OPENAI_VISION_MODEL": "",
        "OPENAI_SUPPORTS_JSON_SCHEMA": False,
        "OPENAI_TIMEOUT_SECONDS": 30.0,
        "LLM_MAX_CONCURRENCY_PER_JOB": 3,
        "LLM_MAX_CONCURRENCY_PER_WORKER": 5,
        "LLM_MAX_RETRIES": 2,
    }
    return SimpleNamespace(**{**base, **values})


def test_registry_from_settings_describes_the_endpoint():
    registry = model_registry_from_settings(settings(OPENAI_VISION_MODEL="llava"))
    assert registry.has_llm and registry.default_model == "qwen2.5-7b"
    [text, vision] = registry.endpoints
    assert (text.base_url, text.model, text.supports_json_schema) == (
        "http://127.0.0.1:8001/v1",
        "qwen2.5-7b",
        False,
    )
    assert text.api_key == "not-needed" and text.timeout_seconds == 30.0
    assert vision.supports_vision and not text.supports_vision
    assert (registry.max_concurrency_per_job, registry.max_concurrency_per_worker) == (3, 5)
    assert registry.retry.max_retries == 2


def test_no_model_configured_means_local_for_every_mode():
    registry = model_registry_from_settings(settings(OPENAI_MODEL=""))
    assert not registry.has_llm
    for mode in ("FAST", "BALANCED", "MULTIMODAL", "PREMIUM"):
        choice = select_engine(ExtractConfig.from_dict({"extraction_mode": mode}), registry)
        assert choice.engine == "local" and choice.endpoint is None
    named = select_engine(ExtractConfig(extract_model="openai-gpt-4-1"), registry)
    assert named.engine == "local" and "local engine ran instead of" in named.warnings[0]


def test_llama_cloud_names_map_onto_configured_tiers():
    registry = model_registry_from_settings(
        settings(OPENAI_FAST_MODEL="small", OPENAI_STRONG_MODEL="large")
    )
    assert registry.resolve("openai-gpt-4o-mini").model == "small"
    assert registry.resolve("openai-gpt-4-1").model == "qwen2.5-7b"
    assert registry.resolve("gemini-2.5-pro").model == "large"
    assert registry.resolve("large").model == "large"
    assert registry.resolve("local") is None


def test_unknown_names_are_rejected_listing_the_available_ones():
    registry = model_registry_from_settings(settings())
    with pytest.raises(ConfigError) as info:
        validate_config_models(ExtractConfig(extract_model="nope", parse_model="nah"), registry)
    assert set(info.value.problems) == {"extract_model", "parse_model"}
    assert "available: local, qwen2.5-7b, anthropic-" in info.value.problems["extract_model"]
    validate_config_models(ExtractConfig(extract_model="qwen2.5-7b"), registry)


def test_multimodal_without_a_vision_model_warns_and_fast_mode_skips_images():
    registry = model_registry_from_settings(settings(OPENAI_FAST_MODEL="small"))
    choice = select_engine(ExtractConfig.from_dict({"extraction_mode": "MULTIMODAL"}), registry)
    assert choice.vision_endpoint is None and "no vision-capable model" in choice.warnings[0]
    vision = model_registry_from_settings(settings(OPENAI_VISION_MODEL="llava"))
    fast = ExtractConfig.from_dict({"extraction_mode": "MULTIMODAL", "multimodal_fast_mode": True})
    assert select_engine(fast, vision).vision_endpoint is None
    full = select_engine(ExtractConfig.from_dict({"extraction_mode": "MULTIMODAL"}), vision)
    assert full.vision_endpoint.model == "llava" and full.endpoint.model == "llava"


def test_premium_verifies_and_defaults_to_the_strong_model():
    registry = ModelRegistry()
    assert not select_engine(ExtractConfig(), registry).verify
    registry = model_registry_from_settings(settings(OPENAI_STRONG_MODEL="large"))
    choice = select_engine(ExtractConfig.from_dict({"extraction_mode": "PREMIUM"}), registry)
    assert choice.verify and choice.endpoint.model == "large"


def test_strict_transform_requires_everything_and_nulls_the_optional():
    schema = {
        "type": "object",
        "title": "Thing",
        "properties": {
            "name": {"type": "string", "minLength": 1},
            "kind": {"type": "string", "enum": ["a", "b"]},
            "price": {"oneOf": [{"type": "number"}, {"type": "string"}]},
            "either": {"type": ["integer", "string"]},
            "tags": {"type": "array", "items": {"type": "string", "format": "email"}},
        },
        "required": ["name"],
    }
    strict, ok = to_strict(schema)
    assert ok
    props = strict["properties"]
    assert strict["required"] == list(schema["properties"]) and not strict["additionalProperties"]
    assert props["name"] == {"description": "minLength: 1", "type": "string"}
    assert props["kind"]["type"] == ["string", "null"] and props["kind"]["enum"] == ["a", "b", None]
    assert props["price"]["anyOf"][-1] == {"type": "null"} and len(props["price"]["anyOf"]) == 3
    assert [alt.get("type") for alt in props["either"]["anyOf"]] == ["integer", "string", "null"]
    assert props["tags"]["items"] == {"description": "format: email", "type": "string"}
    assert strict["description"] == "Thing"


def test_free_form_objects_turn_strict_mode_off():
    schema = {"type": "object", "properties": {"extra": {"type": "object"}}}
    assert to_strict(schema)[1] is False


def test_row_target_wraps_rows_and_reasoning_is_optional():
    schema = {"type": "object", "properties": {"sku": {"type": "string"}}}
    wrapper, _ = response_schema(schema, ExtractionTarget.PER_TABLE_ROW, with_reasoning=False)
    assert wrapper["required"] == ["rows", "quotes"]
    assert wrapper["properties"]["rows"]["items"]["required"] == ["sku"]
    wrapper, _ = response_schema(schema, ExtractionTarget.PER_DOC, with_reasoning=True)
    assert wrapper["required"] == ["data", "quotes", "reasoning"]
