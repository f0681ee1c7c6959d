"""Typed readers for environment variables.

Every setting comes through one of these helpers so that a malformed value fails at start-up with
a message naming the variable, instead of surfacing later as a confusing error.
"""

from __future__ import annotations

import os


class ImproperEnvironment(ValueError):
    """Raised when an environment variable holds a value of the wrong shape."""


def envstr(name: str, default: str) -> str:
    """Return the variable's value, or ``default`` when unset or empty."""
    return os.environ.get(name) or default


def envbool(name: str, default: bool) -> bool:
    """Read ``true/false/1/0/yes/no/on/off`` (any case); anything else raises."""
    raw = os.environ.get(name, "")
    if raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperEnvironment(f"{name} must be a boolean (true/false), got {raw!r}")


def envint(name: str, default: int, *, minimum: int | None = None) -> int:
    """Read an integer, optionally with a lower bound; anything else raises."""
    raw = os.environ.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperEnvironment(f"{name} must be an integer, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperEnvironment(f"{name} must be at least {minimum}, got {value}")
    return value


def envfloat(name: str, default: float) -> float:
    """Read a float; anything else raises."""
    raw = os.environ.get(name, "")
    if raw == "":
        return default
    try:
        return float(raw.strip())
    except ValueError:
        raise ImproperEnvironment(f"{name} must be a number, got {raw!r}") from None


def envlist(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated list; blanks are dropped."""
    raw = os.environ.get(name, "")
    if raw == "":
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]
