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

from extraction.pipeline.config import OPTIONS, ExtractConfig

# Bump when a change to the pipeline should stop old entries from being served.
PIPELINE_VERSION = "1"

# The options that change data or metadata (``Option.affects_result``).
RESULT_FIELDS = tuple(name for name, spec in OPTIONS.items() if spec.affects_result)


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
