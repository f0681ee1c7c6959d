"""HTMX pages: dashboard, new extraction, the Jobs list, jobs with live status, runs and
citations, agents and their workspaces, files.

Views are thin: they parse forms, call services and selectors, and render a page or, for HTMX
requests, just the fragment from ``templates/extraction/partials``. Every object is looked up
within the signed-in user's projects, so anyone else gets a 404.
"""

from extraction.web.views.agents import (
    agent_delete,
    agent_detail,
    agent_jobs,
    agent_new,
    agent_run,
    agents_list,
    file_delete,
    files_list,
)
from extraction.web.views.extract import (
    dashboard,
    engine_preview,
    extraction_new,
    schema_suggest,
    schema_validate,
)
from extraction.web.views.job_list import jobs_list
from extraction.web.views.jobs import (
    job_cancel,
    job_detail,
    job_download_csv,
    job_download_json,
    job_edit,
    job_rerun,
    page_image,
)
from extraction.web.views.workspace import (
    workspace,
    workspace_add,
    workspace_export,
    workspace_remove,
    workspace_run,
)

__all__ = [
    "agent_delete",
    "agent_detail",
    "agent_jobs",
    "agent_new",
    "agent_run",
    "agents_list",
    "dashboard",
    "engine_preview",
    "extraction_new",
    "file_delete",
    "files_list",
    "job_cancel",
    "job_detail",
    "job_download_csv",
    "job_download_json",
    "job_edit",
    "job_rerun",
    "jobs_list",
    "page_image",
    "schema_suggest",
    "schema_validate",
    "workspace",
    "workspace_add",
    "workspace_export",
    "workspace_remove",
    "workspace_run",
]
