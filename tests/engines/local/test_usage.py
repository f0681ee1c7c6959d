"""The local engine reports the document's size in tokens, as an LLM run would."""

from __future__ import annotations

from extraction.pipeline.chunking import estimate_tokens
from extraction.pipeline.config import ExtractConfig
from extraction.pipeline.run import PipelineInput, run_pipeline

SCHEMA = {"type": "object", "properties": {"total": {"type": "number"}}}


def test_local_run_counts_document_tokens():
    text = "Invoice number: INV-001\nTotal: 42.50 USD"
    outcome = run_pipeline(PipelineInput(data_schema=SCHEMA, config=ExtractConfig(), text=text))
    usage = outcome.metadata["usage"]
    assert outcome.metadata["engine"] == "local"
    assert usage["num_document_tokens"] == estimate_tokens(text) > 0
    assert usage["num_output_tokens"] == 0
