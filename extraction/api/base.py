"""What every API view shares (v1 and v2): the caller's project, the lookups of its objects
(another tenant's ids are "not found" too), and JSON answers the SDKs can parse."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import request_project
from extraction import selectors

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from accounts.models import Project
    from extraction.models import (
        ExtractionAgent,
        ExtractionJob,
        ExtractionRun,
        SavedConfiguration,
        SourceFile,
    )

_T = TypeVar("_T")

PROJECT_PARAMETERS = [
    OpenApiParameter("project_id", str, required=False, description="Defaults to the key's."),
    OpenApiParameter("organization_id", str, required=False),
]


class ProjectAPIView(APIView):
    """A view acting on the caller's project (from the API key, or project_id for sessions).

    The ``get_*`` lookups find one of the project's objects by id or raise a 404 naming it.
    """

    @cached_property
    def project(self) -> Project:
        return request_project(self.request)

    def get_agent(self, agent_id: object) -> ExtractionAgent:
        return found(
            selectors.agent_get(project=self.project, agent_id=agent_id), "Extraction agent"
        )

    def get_agent_by_name(self, name: str) -> ExtractionAgent:
        return found(
            selectors.agent_get_by_name(project=self.project, name=name), "Extraction agent"
        )

    def get_file(self, file_id: object) -> SourceFile:
        return found(selectors.file_get(project=self.project, file_id=file_id), "File")

    def get_job(self, job_id: object, *, related: tuple[str, ...] = ()) -> ExtractionJob:
        jobs = selectors.jobs_for_project(project=self.project).select_related(*related)
        return found(selectors.job_from(jobs, job_id=job_id), "Extraction job")

    def get_run(self, run_id: object) -> ExtractionRun:
        return found(selectors.run_get(project=self.project, run_id=run_id), "Extraction run")

    def get_run_by_job(self, job_id: object) -> ExtractionRun:
        return found(
            selectors.run_get_by_job(project=self.project, job_id=job_id), "Extraction run"
        )

    def get_configuration(self, configuration_id: object) -> SavedConfiguration:
        return found(
            selectors.configuration_get(project=self.project, configuration_id=configuration_id),
            "Configuration",
        )


def found(obj: _T | None, what: str) -> _T:
    """``obj`` or a 404 naming what was not found (another tenant's ids are "not found" too)."""
    if obj is None:
        raise exceptions.NotFound(f"{what} not found.")
    return obj


def serialize_many(
    serializer_class: type[serializers.Serializer[_T]],
    instances: Iterable[_T],
    *,
    context: Mapping[str, object] | None = None,
) -> list[dict[str, Any]]:
    """``serializer_class(instances, many=True).data``: each instance in its output shape.

    ``many_init`` is what ``many=True`` calls; called directly, the type checker sees the
    list serializer it returns (djangorestframework-stubs types the constructor's first
    argument as one instance even with ``many=True``).
    """
    data: list[dict[str, Any]] = serializer_class.many_init(instances, context=context or {}).data
    return data


def deleted() -> Response:
    """DELETEs answer ``{}``: the Fern client parses every 2xx body as JSON."""
    return Response({})


def json_null() -> HttpResponse:
    """A literal JSON ``null`` (DRF renders ``Response(None)`` as an empty body)."""
    return HttpResponse(b"null", content_type="application/json")
