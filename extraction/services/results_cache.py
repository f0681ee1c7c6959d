"""The result cache's store: ``ExtractionCacheEntry`` rows scoped to one project.

``ProjectResultCache`` binds the store to a project for ``run_pipeline(cache=...)``; the key
comes from ``pipeline.cache_key``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from extraction.models import ExtractionCacheEntry

if TYPE_CHECKING:
    from accounts.models import Project

DEFAULT_HOURS = 48


def cache_lookup(*, project: Project, key: str) -> tuple[Any, dict[str, Any]] | None:
    """The unexpired ``(data, metadata)`` stored under ``key`` for ``project``."""
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

    def __init__(self, project: Project, *, hours: int = DEFAULT_HOURS) -> None:
        self.project = project
        self.hours = hours

    def lookup(self, key: str) -> tuple[Any, dict[str, Any]] | None:
        if self.hours <= 0:
            return None
        return cache_lookup(project=self.project, key=key)

    def store(self, key: str, data: Any, metadata: dict[str, Any]) -> None:
        cache_store(project=self.project, key=key, data=data, metadata=metadata, hours=self.hours)
