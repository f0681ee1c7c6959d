"""URL map of the v2 surface: ``/api/v2/extract...`` and the beta routes under ``/api/v1/beta/``.

Mounted at ``/api/`` by ``extraction.api.urls``. Paths have no trailing slash, as the SDK sends.
"""

from __future__ import annotations

from django.urls import include, path

from extraction.api.v2 import beta_files, configurations, extract

app_name = "api-v2"

extract_urlpatterns = [
    path("extract", extract.ExtractListCreateView.as_view(), name="extract"),
    path(
        "extract/schema/validation",
        extract.ExtractSchemaValidationView.as_view(),
        name="extract-schema-validation",
    ),
    path(
        "extract/schema/generate",
        extract.ExtractSchemaGenerateView.as_view(),
        name="extract-schema-generate",
    ),
    path("extract/<str:job_id>", extract.ExtractDetailView.as_view(), name="extract-job"),
    path("extract/<str:job_id>/cancel", extract.ExtractCancelView.as_view(), name="extract-cancel"),
]

beta_urlpatterns = [
    path("files", beta_files.BetaFileListCreateView.as_view(), name="beta-files"),
    path("files/query", beta_files.BetaFileQueryView.as_view(), name="beta-files-query"),
    path("files/<str:file_id>", beta_files.BetaFileDetailView.as_view(), name="beta-file"),
    path(
        "files/<str:file_id>/content",
        beta_files.BetaFileContentView.as_view(),
        name="beta-file-content",
    ),
    path(
        "configurations",
        configurations.ConfigurationListCreateView.as_view(),
        name="configurations",
    ),
    path(
        "configurations/<str:config_id>",
        configurations.ConfigurationDetailView.as_view(),
        name="configuration",
    ),
    path("extraction-agents", configurations.BetaAgentListView.as_view(), name="beta-agents"),
]

urlpatterns = [
    path("v2/", include(extract_urlpatterns)),
    path("v1/beta/", include(beta_urlpatterns)),
]
