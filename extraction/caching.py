"""The result cache: the same document, schema, config and model give the stored result back.

``cache_key`` is pure: a SHA-256 of the document bytes (or text), the canonical schema, the
config fields that change results, and the engine and model that would run. ``cache_lookup``
and ``cache_store`` read and write ``ExtractionCacheEntry`` rows scoped to one project;
``ProjectResultCache`` binds them to a project for ``run_pipeline(cache=...)``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import TYPE_CHECKING, Any

from extraction.pipeline.config import ExtractConfig

if TYPE_CHECKING:
    from accounts.models import Project

# Bump when a change to the pipeline should stop old entries from being served.
PIPELINE_VERSION = "1"
DEFAULT_HOURS = 48

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


def cache_lookup(*, project: Project, key: str) -> tuple[Any, dict[str, Any]] | None:
    """The unexpired ``(data, metadata)`` stored under ``key`` for ``project``."""
    from django.utils import timezone

    from extraction.models import ExtractionCacheEntry

    entry = (
        ExtractionCacheEntry.objects.filter(project=project, key=key, expires_at__gt=timezone.now())
        .only("data", "metadata")
        .first()
    )
    if entry is None:
        return None
    return entry.data, entry.metadata


def cache_store(
    *, project: Project, key: str, data: Any, metadata: dict[str, Any], hours: int = DEFAULT_HOURS
) -> None:
    """Store a result, replacing any entry under ``key`` for ``project``; ``hours=0`` skips."""
    from django.utils import timezone

    from extraction.models import ExtractionCacheEntry

    if hours <= 0:
        return
    now = timezone.now()
    entry = ExtractionCacheEntry(
        project=project,
        key=key,
        data=data,
        metadata=metadata,
        created_at=now,
        expires_at=now + dt.timedelta(hours=hours),
    )
    # One statement (INSERT ... ON CONFLICT DO UPDATE), safe against a concurrent store.
    ExtractionCacheEntry.objects.bulk_create(
        [entry],
        update_conflicts=True,
        unique_fields=["project", "key"],
        update_fields=["data", "metadata", "created_at", "expires_at"],
    )


class ProjectResultCache:
    """``run_pipeline``'s cache for one project; ``hours`` from ``EXTRACTION_CACHE_HOURS``."""

    def __init__(self, project: Project, *, hours: int = DEFAULT_HOURS):
        self.project = project
        self.hours = hours

    def lookup(self, key: str) -> tuple[Any, dict[str, Any]] | None:
        if self.hours <= 0:
            return None
        return cache_lookup(project=self.project, key=key)

    def store(self, key: str, data: Any, metadata: dict[str, Any]) -> None:
        cache_store(project=self.project, key=key, data=data, metadata=metadata, hours=self.hours)
