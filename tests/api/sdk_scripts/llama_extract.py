"""Drive OpenExtract with ``llama-cloud-services==0.6.94`` (``LlamaExtract``, Fern client).

Runs in its own virtualenv (see tests/api/sdk_env.py). Reads LLAMA_CLOUD_BASE_URL,
LLAMA_CLOUD_API_KEY and SDK_WORK_DIR; prints one JSON object for the test to check.
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from pathlib import Path

from llama_cloud import ExtractConfig
from llama_cloud_services import LlamaExtract, SourceText
from pydantic import BaseModel

TEXT = "Invoice number: INV-001\nTotal: 42.50 USD"


class Invoice(BaseModel):
    invoice_number: str
    total: float


SCHEMA = Invoice.model_json_schema()


def main() -> None:
    work = Path(os.environ["SDK_WORK_DIR"])
    path = work / "invoice.txt"
    path.write_text(TEXT)
    extractor = LlamaExtract(show_progress=False, check_interval=1)
    config = ExtractConfig(extraction_mode="BALANCED")
    out: dict = {}

    out["stateless_text"] = extractor.extract(SCHEMA, config, SourceText(text_content=TEXT)).data
    out["stateless_path"] = extractor.extract(SCHEMA, config, str(path)).data
    with path.open("rb") as handle:
        out["stateless_file_object"] = extractor.extract(SCHEMA, config, handle).data
    out["stateless_bytes"] = extractor.extract(
        SCHEMA, config, SourceText(file=TEXT.encode(), filename="x.txt")
    ).data

    agent = extractor.create_agent("sdk-svc-invoices", Invoice, config)
    out["by_name"] = extractor.get_agent(name="sdk-svc-invoices").id == agent.id
    out["by_id"] = extractor.get_agent(id=agent.id).name
    out["listed"] = [a.name for a in extractor.list_agents()]

    run = agent.extract(str(path))
    out["agent_extract"] = run.data
    out["agent_run_status"] = str(run.status.value if hasattr(run.status, "value") else run.status)
    out["agent_run_file_name"] = run.file.name if run.file else None
    out["agent_run_external_id"] = run.file.external_file_id if run.file else None

    agent.data_schema = {"type": "object", "properties": {"total": {"type": "number"}}}
    agent.save()
    out["reloaded_schema_keys"] = sorted(extractor.get_agent(id=agent.id).data_schema["properties"])
    out["agent_extract_after_update"] = agent.extract(SourceText(text_content=TEXT)).data

    runs = agent.list_extraction_runs()
    out["runs_total"] = runs.total
    out["runs_items"] = len(runs.items)

    with warnings.catch_warnings(record=True):
        broken = SourceText(file=b"%PDF-1.7\nthis is not really a PDF", filename="broken.pdf")
        failed = extractor.extract(SCHEMA, config, broken)
    out["failed_run_status"] = str(failed.status.value)
    out["failed_run_error"] = failed.error

    extractor.delete_agent(agent.id)
    out["listed_after_delete"] = [a.name for a in extractor.list_agents()]
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    sys.exit(main())
