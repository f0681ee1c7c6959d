"""URL map of the v1 API (mounted at /api/v1/). Paths have no trailing slash, as the SDKs send."""

from __future__ import annotations

from django.urls import path

from extraction.api.v1 import agents, files, jobs, runs

app_name = "api-v1"

AGENTS = "extraction/extraction-agents"

urlpatterns = [
    path("extraction/run", jobs.StatelessRunView.as_view(), name="run"),
    path("extraction/jobs", jobs.JobListCreateView.as_view(), name="jobs"),
    path("extraction/jobs/file", jobs.JobFileView.as_view(), name="job-file"),
    path("extraction/jobs/batch", jobs.JobBatchView.as_view(), name="job-batch"),
    path("extraction/jobs/<str:job_id>", jobs.JobDetailView.as_view(), name="job"),
    path("extraction/jobs/<str:job_id>/result", jobs.JobResultView.as_view(), name="job-result"),
    path("extraction/jobs/<str:job_id>/cancel", jobs.JobCancelView.as_view(), name="job-cancel"),
    path("extraction/runs", runs.RunListView.as_view(), name="runs"),
    path(
        "extraction/runs/latest-from-ui", runs.RunLatestFromUIView.as_view(), name="run-latest-ui"
    ),
    path("extraction/runs/by-job/<str:job_id>", runs.RunByJobView.as_view(), name="run-by-job"),
    path("extraction/runs/<str:run_id>", runs.RunDetailView.as_view(), name="run"),
    path(AGENTS, agents.AgentListCreateView.as_view(), name="agents"),
    path(f"{AGENTS}/default", agents.AgentDefaultView.as_view(), name="agent-default"),
    path(
        f"{AGENTS}/schema/validation",
        agents.SchemaValidationView.as_view(),
        name="schema-validation",
    ),
    path(f"{AGENTS}/schema/generate", agents.SchemaGenerateView.as_view(), name="schema-generate"),
    # LlamaExtract pastes the name into the path without encoding it, so it may hold slashes.
    path(f"{AGENTS}/by-name/<path:name>", agents.AgentByNameView.as_view(), name="agent-by-name"),
    path(f"{AGENTS}/<str:agent_id>", agents.AgentDetailView.as_view(), name="agent"),
    path("files", files.FileUploadView.as_view(), name="files"),
    path("files/download/<str:token>", files.FileDownloadView.as_view(), name="file-download"),
    path("files/<str:file_id>", files.FileDetailView.as_view(), name="file"),
    path("files/<str:file_id>/content", files.FileContentView.as_view(), name="file-content"),
]
