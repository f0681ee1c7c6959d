"""Drive OpenExtract with the official ``llama-cloud==2.19.0`` client (``client.extract`` & co).

Runs in its own virtualenv (see tests/api/sdk_env.py). Reads LLAMA_CLOUD_BASE_URL and
LLAMA_CLOUD_API_KEY; prints one JSON object with what each call returned, for the test to check.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx
import llama_cloud
from llama_cloud import LlamaCloud

SCHEMA = {
    "type": "object",
    "properties": {"invoice_number": {"type": "string"}, "total": {"type": "number"}},
    "required": ["invoice_number", "total"],
}
TEXT = "Invoice number: INV-001\nTotal: 42.50 USD\n"
# Long enough to keep a worker slot busy while the script cancels and deletes around it.
BIG_TEXT = TEXT + "\n".join(
    f"Line {i}: widget {i} delivered to warehouse {i % 17} on schedule." for i in range(30000)
)
POLL = {"polling_interval": 0.2, "max_interval": 0.5}


def status_of(call) -> int | None:
    """The HTTP status of the APIStatusError a call raises (None when it succeeds)."""
    try:
        call()
    except llama_cloud.APIStatusError as exc:
        return exc.status_code
    return None


def main() -> None:
    client = LlamaCloud(max_retries=0)  # base URL and key from the environment
    out: dict = {}

    file = client.files.create(
        file=("invoice.txt", TEXT.encode(), "text/plain"),
        purpose="extract",
        external_file_id="sdk-v2-invoice",
    )
    out["file"] = {
        "id": file.id,
        "name": file.name,
        "type": file.file_type,
        "ext": file.external_file_id,
    }
    out["file_retrieved"] = client.files.retrieve(file.id).name
    out["files_listed"] = [f.id for f in client.files.list(external_file_id="sdk-v2-invoice")]
    queried = client.files.query(filter={"external_file_id": "sdk-v2-invoice"})
    out["files_queried"] = [f.id for f in queried.items]
    content = client.files.content(file.id)
    out["file_content"] = httpx.get(content.url).text

    # extract.run: create, then poll GET /api/v2/extract/{id} until COMPLETED.
    done = client.extract.run(
        file_input=file.id,
        configuration={
            "data_schema": SCHEMA,
            "tier": "cost_effective",
            "cite_sources": True,
            "confidence_scores": True,
        },
        polling_timeout=120,
        **POLL,
    )
    out["run"] = {
        "status": done.status,
        "result": done.extract_result,
        "pages": done.metadata.usage.num_pages_extracted if done.metadata else None,
        "document_metadata": done.extract_metadata.field_metadata.document_metadata,
    }

    # A job the test submitted through v1 reads in v2.
    v1_job_id = (Path(os.environ["SDK_WORK_DIR"]) / "v1_job_id").read_text()
    v1_job = client.extract.wait_for_completion(v1_job_id, timeout=120, **POLL)
    v1_expanded = client.extract.get(v1_job_id, expand=["configuration"])
    out["v1_job"] = {
        "status": v1_job.status,
        "result": v1_job.extract_result,
        "tier": v1_expanded.configuration.tier,
    }

    # create / get / wait / list with cursor pages.
    created = client.extract.create(
        file_input=file.id, configuration={"data_schema": SCHEMA, "tier": "turbo"}
    )
    out["created_status"] = created.status
    out["created_tier"] = created.configuration.tier if created.configuration else None
    finished = client.extract.wait_for_completion(created.id, timeout=120, **POLL)
    out["waited"] = {"status": finished.status, "result": finished.extract_result}
    expanded = client.extract.get(created.id, expand=["configuration", "extract_metadata"])
    out["expanded_tier"] = expanded.configuration.tier
    out["listed"] = [job.id for job in client.extract.list(page_size=1) if job.id != v1_job_id]
    out["listed_completed"] = [
        j.id for j in client.extract.list(status="COMPLETED", page_size=2) if j.id != v1_job_id
    ]
    out["ids"] = {"run": done.id, "created": created.id}

    # cancel and delete around two busy jobs, so the target is still queued.
    big = client.files.create(file=("big.txt", BIG_TEXT.encode(), "text/plain"), purpose="extract")
    blockers = [
        client.extract.create(file_input=big.id, configuration={"data_schema": SCHEMA})
        for _ in range(2)
    ]
    target = client.extract.create(file_input=file.id, configuration={"data_schema": SCHEMA})
    cancelled = client.extract.cancel(target.id)
    out["cancelled"] = cancelled.status
    out["cancel_again"] = status_of(lambda: client.extract.cancel(target.id))
    out["delete_active"] = status_of(lambda: client.extract.delete(blockers[0].id))
    client.extract.delete(blockers[0].id, force=True)
    out["get_deleted"] = status_of(lambda: client.extract.get(blockers[0].id))
    client.extract.cancel(blockers[1].id)
    client.extract.delete(blockers[1].id)
    client.extract.delete(target.id)
    out["after_deletes"] = [
        status_of(lambda job=job: client.extract.get(job.id)) for job in (*blockers, target)
    ]
    try:
        client.extract.wait_for_completion(cancelled.id, timeout=5, **POLL)
        out["wait_on_cancelled"] = "returned"
    except Exception as exc:
        out["wait_on_cancelled"] = type(exc).__name__

    # saved configurations: upsert, get, update, list, a job by configuration_id, delete.
    parameters = {"product_type": "extract_v2", "data_schema": SCHEMA, "tier": "agentic"}
    config = client.configurations.create(name="sdk-v2-invoices", parameters=parameters)
    again = client.configurations.create(
        name="sdk-v2-invoices", parameters={**parameters, "tier": "turbo"}
    )
    out["config"] = {
        "same_id": again.id == config.id,
        "tier": client.configurations.retrieve(config.id).parameters.tier,
        "product_type": config.product_type,
        "version": bool(config.version),
    }
    renamed = client.configurations.update(config.id, name="sdk-v2-renamed")
    out["config_renamed"] = renamed.name
    out["config_listed"] = [c.name for c in client.configurations.list()]
    by_config = client.extract.run(
        file_input=file.id, configuration_id=config.id, polling_timeout=120, **POLL
    )
    out["by_config"] = {
        "status": by_config.status,
        "result": by_config.extract_result,
        "configuration_id": by_config.configuration_id == config.id,
    }
    out["listed_by_config"] = [
        job.id == by_config.id for job in client.extract.list(configuration_id=config.id)
    ]
    client.configurations.delete(config.id)
    out["config_deleted"] = status_of(lambda: client.configurations.retrieve(config.id))

    # schema validation and the agents list.
    out["validated"] = client.extract.validate_schema(data_schema=SCHEMA).data_schema
    out["invalid_schema"] = status_of(
        lambda: client.extract.validate_schema(data_schema={"type": "object", "properties": 3})
    )
    out["agents"] = [agent.name for agent in client.extraction_agents.list()]

    out["bad_tier"] = status_of(
        lambda: client.extract.create(
            file_input=file.id, configuration={"data_schema": SCHEMA, "tier": "premium"}
        )
    )
    client.files.delete(file.id)
    out["file_deleted"] = status_of(lambda: client.files.retrieve(file.id))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
