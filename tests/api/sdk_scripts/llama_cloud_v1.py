"""Drive OpenExtract with the official ``llama-cloud==1.6.0`` client (``client.extraction.*``).

Runs in its own virtualenv (see tests/api/sdk_env.py). Reads LLAMA_CLOUD_BASE_URL and
LLAMA_CLOUD_API_KEY; prints one JSON object with what each call returned, for the test to check.
"""

from __future__ import annotations

import base64
import json
import sys

import llama_cloud
from llama_cloud import LlamaCloud

SCHEMA = {
    "type": "object",
    "properties": {"invoice_number": {"type": "string"}, "total": {"type": "number"}},
    "required": ["invoice_number", "total"],
}
TEXT = "Invoice number: INV-001\nTotal: 42.50 USD"
CONFIG = {"extraction_mode": "BALANCED", "extraction_target": "PER_DOC"}
POLL = {"polling_interval": 0.2, "max_interval": 0.5, "timeout": 120}


def main() -> None:
    client = LlamaCloud()  # base URL and key from the environment, as users configure it
    out: dict = {}

    result = client.extraction.extract(config=CONFIG, data_schema=SCHEMA, text=TEXT, **POLL)
    out["stateless_text"] = result.data

    job = client.extraction.run(config=CONFIG, data_schema=json.dumps(SCHEMA), text=TEXT)
    out["run_status"] = job.status
    out["run_agent_name"] = job.extraction_agent.name
    done = client.extraction.jobs.wait_for_completion(job.id, **POLL)
    out["run_final_status"] = done.status

    data = base64.b64encode(TEXT.encode()).decode()
    result = client.extraction.extract(
        config={}, data_schema=SCHEMA, file={"data": data, "mime_type": "text/plain"}, **POLL
    )
    out["stateless_base64"] = result.data

    agent = client.extraction.extraction_agents.create(
        name="sdk-v1-invoices", data_schema=SCHEMA, config={"extraction_mode": "FAST"}
    )
    out["agent_get_name"] = client.extraction.extraction_agents.get(agent.id).name
    out["agent_list"] = [a.name for a in client.extraction.extraction_agents.list()]
    narrowed = {"type": "object", "properties": {"total": {"type": "number"}}}
    updated = client.extraction.extraction_agents.update(
        agent.id, data_schema=SCHEMA, config={"extraction_mode": "BALANCED"}
    )
    out["agent_updated_mode"] = updated.config.extraction_mode

    job = client.extraction.jobs.file(
        extraction_agent_id=agent.id,
        file=("invoice.txt", TEXT.encode(), "text/plain"),
        data_schema_override=json.dumps(narrowed),
    )
    client.extraction.jobs.wait_for_completion(job.id, **POLL)
    out["agent_file_job"] = client.extraction.jobs.get_result(job.id).data

    job2 = client.extraction.jobs.file(
        extraction_agent_id=agent.id, file=("second.txt", TEXT.encode(), "text/plain")
    )
    client.extraction.jobs.wait_for_completion(job2.id, **POLL)
    out["agent_file_job_2"] = client.extraction.jobs.get_result(job2.id).data
    out["jobs_list"] = sorted(
        j.id for j in client.extraction.jobs.list(extraction_agent_id=agent.id)
    )
    out["job_ids"] = sorted([job.id, job2.id])

    runs = list(client.extraction.runs.list(extraction_agent_id=agent.id, limit=1))
    out["runs_paged"] = sorted(run.job_id for run in runs)
    run = client.extraction.runs.get_by_job(job.id)
    out["run_get_status"] = client.extraction.runs.get(run.id).status
    client.extraction.runs.delete(run.id)
    try:
        client.extraction.runs.get(run.id)
        out["deleted_run"] = "still there"
    except llama_cloud.NotFoundError as exc:
        out["deleted_run"] = exc.status_code

    validated = client.extraction.extraction_agents.schema.validate_schema(data_schema=SCHEMA)
    out["validated"] = validated.data_schema
    try:
        client.extraction.extraction_agents.schema.validate_schema(data_schema={"type": "array"})
    except llama_cloud.BadRequestError as exc:
        out["bad_schema"] = [exc.status_code, exc.body["detail"]]
    try:
        client.extraction.run(config={"page_range": "5-3"}, data_schema=SCHEMA, text=TEXT)
    except llama_cloud.BadRequestError as exc:
        out["bad_page_range"] = [exc.status_code, exc.body["detail"]]
    try:
        client.extraction.jobs.get("00000000-0000-0000-0000-000000000000")
    except llama_cloud.NotFoundError as exc:
        out["missing_job"] = exc.status_code

    client.extraction.extraction_agents.delete(agent.id)
    out["agents_after_delete"] = [a.name for a in client.extraction.extraction_agents.list()]
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    sys.exit(main())
