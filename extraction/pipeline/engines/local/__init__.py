"""The local engine: schema-guided offline extraction with no model."""

from extraction.pipeline.engines.local.engine import LocalEngine

__all__ = ["LocalEngine"]
