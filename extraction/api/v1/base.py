"""What every v1 view shares: the caller's project and JSON answers the SDKs can parse."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import request_project
from accounts.models import Project

PROJECT_PARAMETERS = [
    OpenApiParameter("project_id", str, required=False, description="Defaults to the key's."),
    OpenApiParameter("organization_id", str, required=False),
]


class ProjectAPIView(APIView):
    """A view acting on the caller's project (from the API key, or project_id for sessions)."""

    @cached_property
    def project(self) -> Project:
        return request_project(self.request)


def found(obj: Any, what: str) -> Any:
    """``obj`` or a 404 naming what was not found (another tenant's ids are "not found" too)."""
    if obj is None:
        raise exceptions.NotFound(f"{what} not found.")
    return obj


def deleted() -> Response:
    """DELETEs answer ``{}``: the Fern client parses every 2xx body as JSON."""
    return Response({})


def json_null() -> HttpResponse:
    """A literal JSON ``null`` (DRF renders ``Response(None)`` as an empty body)."""
    return HttpResponse(b"null", content_type="application/json")
