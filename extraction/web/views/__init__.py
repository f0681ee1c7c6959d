"""HTMX pages: dashboard, new extraction, jobs with live status and citations, agents, files.

Views are thin: they parse forms, call services and selectors, and render a page or, for HTMX
requests, just the fragment from ``templates/extraction/partials``. Every object is looked up
within the signed-in user's projects, so anyone else gets a 404.
"""

from extraction.web.views.agents import (
    agent_delete,
    agent_detail,
    agent_new,
    agent_run,
    agents_list,
    file_delete,
    files_list,
)
from extraction.web.views.extract import dashboard, extraction_new, schema_suggest, schema_validate
from extraction.web.views.jobs import (
    job_cancel,
    job_detail,
    job_download_csv,
    job_download_json,
    job_rerun,
    page_image,
)

__all__ = [
    "agent_delete",
    "agent_detail",
    "agent_new",
    "agent_run",
    "agents_list",
    "dashboard",
    "extraction_new",
    "file_delete",
    "files_list",
    "job_cancel",
    "job_detail",
    "job_download_csv",
    "job_download_json",
    "job_rerun",
    "page_image",
    "schema_suggest",
    "schema_validate",
]
