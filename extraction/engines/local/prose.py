"""Fields stated in running text (placeholder)."""

from __future__ import annotations

from typing import Any

from extraction.engines.local.labels import FieldSpec
from extraction.engines.local.layout import PageLayout
from extraction.engines.local.typed import DocumentHints


def fill(
    leaves: list[FieldSpec],
    found: dict[str, Any],
    layouts: list[PageLayout],
    hints: DocumentHints,
    specs: list[FieldSpec],
) -> None:
    """Fill missing leaves from sentences (in place)."""
    return None
