"""Everything under /api/: the v1 API, the OpenAPI schema and Swagger UI, and a JSON 404."""

from __future__ import annotations

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from extraction.api import openapi  # noqa: F401 - registers the bearer auth scheme
from extraction.api.exceptions import api_not_found

urlpatterns = [
    path("v1/", include("extraction.api.v1.urls")),
    path("", include("extraction.api.v2.urls")),  # /api/v2/... and /api/v1/beta/...
    path("schema/", SpectacularAPIView.as_view(permission_classes=[]), name="api-schema"),
    path(
        "docs/",
        # The split view serves its start-up script as a file: the CSP allows no inline script.
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", permission_classes=[]),
        name="api-docs",
    ),
    re_path(r"^.*$", api_not_found),
]
