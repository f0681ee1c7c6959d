"""Writes for extraction (reads are in ``selectors``), one module per concern:

- ``requests``: a ``JobRequest`` checked once at the edge (schema, config, webhooks, priority);
- ``files``: ``Upload`` (the one adapter from what an edge received), storing and deleting files;
- ``jobs``: ``jobs_submit`` for every edge, all or nothing; deleting jobs and runs;
- ``workspaces``: an agent's workspace of documents, run together again after each edit;
- ``lifecycle``: every change of a job's status after submission, ending in one function;
- ``agents``, ``configurations`` (v2 saved configurations and vocabulary),
  ``schema_suggestions``, ``results_cache``, ``maintenance`` (what beat runs).

Functions are keyword-only and named ``<entity>_<action>``; jobs are enqueued only after the
surrounding transaction commits. The names below are the package's interface; its modules
import each other directly, never this package.
"""

from extraction.services.agents import (
    agent_create,
    agent_delete,
    agent_get_or_create_default,
    agent_update,
)
from extraction.services.errors import ConflictError, LimitExceeded, ServiceBusy, ServiceError
from extraction.services.files import Upload, file_delete, file_upload
from extraction.services.jobs import Document, InlineText, job_delete, jobs_submit, run_delete
from extraction.services.lifecycle import job_cancel, job_rerun, job_retry
from extraction.services.requests import (
    JobRequest,
    config_clean,
    data_schema_clean,
    job_request_clean,
)
from extraction.services.schema_suggestions import schema_generate
from extraction.services.workspaces import (
    workspace_document_remove,
    workspace_documents_add,
    workspace_run,
)

__all__ = [
    "ConflictError",
    "Document",
    "InlineText",
    "JobRequest",
    "LimitExceeded",
    "ServiceBusy",
    "ServiceError",
    "Upload",
    "agent_create",
    "agent_delete",
    "agent_get_or_create_default",
    "agent_update",
    "config_clean",
    "data_schema_clean",
    "file_delete",
    "file_upload",
    "job_cancel",
    "job_delete",
    "job_request_clean",
    "job_rerun",
    "job_retry",
    "jobs_submit",
    "run_delete",
    "schema_generate",
    "workspace_document_remove",
    "workspace_documents_add",
    "workspace_run",
]
