"""A circuit breaker per model endpoint, shared by every worker through the Django cache.

Each job already retries transient model errors with backoff. When whole jobs keep failing on
the same endpoint, the breaker opens: new jobs for that endpoint wait (they stay PENDING and are
re-delivered after the pause) instead of hammering it. One success closes it again.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache


def _key(endpoint: str, suffix: str) -> str:
    digest = hashlib.sha256(endpoint.encode()).hexdigest()[:16]
    return f"circuit:{digest}:{suffix}"


def circuit_open_for(endpoint: str) -> float:
    """Seconds until the breaker for ``endpoint`` closes; 0 when it is closed."""
    opened_until = cache.get(_key(endpoint, "until"))
    return max(0.0, opened_until - time.time()) if opened_until else 0.0


def circuit_record_failure(endpoint: str) -> bool:
    """Count a job that failed on ``endpoint``; returns True when this opened the breaker."""
    failures_key = _key(endpoint, "failures")
    cache.add(failures_key, 0, timeout=settings.CIRCUIT_OPEN_SECONDS * 10)
    failures = cache.incr(failures_key)
    if failures >= settings.CIRCUIT_FAILURE_THRESHOLD:
        cache.set(
            _key(endpoint, "until"),
            time.time() + settings.CIRCUIT_OPEN_SECONDS,
            timeout=settings.CIRCUIT_OPEN_SECONDS,
        )
        cache.delete(failures_key)
        return True
    return False


def circuit_record_success(endpoint: str) -> None:
    cache.delete_many([_key(endpoint, "failures"), _key(endpoint, "until")])
