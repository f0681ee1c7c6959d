"""The local engine: schema-guided offline extraction with no model."""

from extraction.engines.local.engine import LocalEngine

__all__ = ["LocalEngine"]
