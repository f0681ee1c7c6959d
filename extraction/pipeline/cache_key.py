"""The result cache's key: the same document, schema, config and model give the same key.

A SHA-256 of the document bytes (or text), the canonical schema, the config fields that change
results, and the engine and model that would run. Where results are stored under it is the
caller's business (``run_pipeline(cache=...)``; the worker passes a project's store from
``services.results_cache``).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from extraction.pipeline.config import ExtractConfig

# Bump when a change to the pipeline should stop old entries from being served.
PIPELINE_VERSION = "1"

# Fields of ExtractConfig that change data or metadata. Left out: priority (queue only) and
# invalidate_cache (how to use the cache, not what is in it).
RESULT_FIELDS = (
    "extraction_target",
    "extraction_mode",
    "chunk_mode",
    "page_range",
    "num_pages_context",
    "cite_sources",
    "citation_bbox",
    "confidence_scores",
    "use_reasoning",
    "system_prompt",
    "high_resolution_mode",
    "multimodal_fast_mode",
    "extract_model",
    "parse_model",
)


def cache_key(
    *,
    content: bytes | None,
    text: str | None,
    schema: dict[str, Any],
    config: ExtractConfig,
    engine: str,
    model: str | None,
) -> str:
    """64 hex characters identifying one extraction's inputs."""
    digest = hashlib.sha256()
    if content is not None:
        digest.update(b"bytes:" + hashlib.sha256(content).digest())
    else:
        digest.update(b"text:" + hashlib.sha256((text or "").encode("utf-8")).digest())
    settings = config.to_dict()
    described = {
        "version": PIPELINE_VERSION,
        "schema": schema,
        "config": {name: settings.get(name) for name in RESULT_FIELDS},
        "engine": engine,
        "model": model,
    }
    digest.update(json.dumps(described, sort_keys=True, separators=(",", ":")).encode())
    return digest.hexdigest()
