"""run_pipeline on the local engine: no model, no database."""

from __future__ import annotations

import pytest

from extraction.pipeline.config import ConfigError, ExtractConfig
from extraction.pipeline.documents import DocumentError
from extraction.pipeline.engines.base import ExtractionCancelled
from extraction.pipeline.run import PipelineInput, run_pipeline
from extraction.pipeline.schemas import SchemaError

SCHEMA = {
    "type": "object",
    "properties": {
        "invoice_number": {"type": "string"},
        "total": {"type": "number"},
        "po_number": {"type": ["string", "null"]},
    },
    "required": ["invoice_number", "total", "po_number"],
}
TEXT = "Invoice number: INV-001\nTotal: 1,234.50 USD\n"


class MemoryCache:
    def __init__(self) -> None:
        self.entries: dict[str, tuple] = {}

    def lookup(self, key):
        return self.entries.get(key)

    def store(self, key, data, metadata):
        self.entries[key] = (data, metadata)


def job(config: dict | None = None, **values) -> PipelineInput:
    return PipelineInput(
        data_schema=values.pop("schema", SCHEMA),
        config=ExtractConfig.from_dict(config or {}),
        text=values.pop("text", TEXT),
        **values,
    )


def test_local_run_returns_valid_data_and_metadata():
    progress = []
    outcome = run_pipeline(job(), on_progress=lambda done, total: progress.append((done, total)))
    assert outcome.status == "SUCCESS"
    assert outcome.error is None
    assert outcome.data == {"invoice_number": "INV-001", "total": 1234.5, "po_number": None}
    meta = outcome.metadata
    assert (meta["engine"], meta["model"], meta["extraction_target"]) == ("local", None, "PER_DOC")
    assert meta["usage"]["num_pages_extracted"] == 1
    assert meta["usage"]["num_model_calls"] == 0
    assert meta["cache"]["hit"] is False
    assert len(meta["cache"]["key"]) == 64
    assert "validation_errors" not in meta
    assert progress[0] == (0, 1)
    assert progress[-1] == (1, 1)


def test_schema_given_as_a_json_string_works():
    import json

    outcome = run_pipeline(job(schema=json.dumps(SCHEMA)))
    assert outcome.data["invoice_number"] == "INV-001"


def test_invalid_schema_fails_before_any_work():
    with pytest.raises(SchemaError) as info:
        run_pipeline(job(schema={"type": "string"}))
    assert info.value.problems[0][0] == "/type"


def test_unknown_model_is_a_config_error():
    with pytest.raises(ConfigError):
        run_pipeline(job({"extract_model": "no-such-model"}))


def test_page_range_past_the_end_is_a_document_error():
    with pytest.raises(DocumentError, match="selects no page"):
        run_pipeline(job({"page_range": "5-6"}))


def test_no_input_is_a_document_error():
    with pytest.raises(DocumentError, match="neither a file nor text"):
        run_pipeline(job(text=None))


def test_cancelled_job_raises():
    with pytest.raises(ExtractionCancelled):
        run_pipeline(job(), should_cancel=lambda: True)


def test_cache_hit_skips_the_work_and_says_so():
    cache = MemoryCache()
    first = run_pipeline(job(), cache=cache)
    second = run_pipeline(job(), cache=cache)
    assert second.data == first.data
    assert second.metadata["cache"] == {"hit": True, "key": first.metadata["cache"]["key"]}
    assert second.engine_result is None
    assert first.engine_result is not None
    bypass = run_pipeline(job({"invalidate_cache": True}), cache=cache)
    assert bypass.metadata["cache"]["hit"] is False


def test_per_page_and_rows_are_lists():
    pages = run_pipeline(job({"extraction_target": "PER_PAGE"}, text=TEXT + "\f" + TEXT))
    assert [page["invoice_number"] for page in pages.data] == ["INV-001", "INV-001"]
    rows_schema = {
        "type": "object",
        "properties": {"sku": {"type": "string"}, "price": {"type": "number"}},
        "required": ["sku", "price"],
    }
    csv = "sku,price\nA-1,2.50\nB-2,3.75\n"
    rows = run_pipeline(
        job(
            {"extraction_target": "PER_TABLE_ROW"},
            schema=rows_schema,
            text=None,
            content=csv.encode(),
            file_name="rows.csv",
        )
    )
    assert rows.data == [{"sku": "A-1", "price": 2.5}, {"sku": "B-2", "price": 3.75}]
