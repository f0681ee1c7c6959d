"""Extraction runs: the result records of jobs (failed and cancelled jobs have one too)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from accounts.http import request_user
from extraction import selectors, services
from extraction.api.base import (
    PROJECT_PARAMETERS,
    ProjectAPIView,
    deleted,
    json_null,
    serialize_many,
)
from extraction.api.v1 import inputs
from extraction.api.v1.serializers import (
    DELETED_RESPONSE,
    ErrorSerializer,
    PaginatedRunsSerializer,
    RunSerializer,
)

if TYPE_CHECKING:
    from django.http import HttpResponse
    from rest_framework.request import Request

TAG = ["Extraction runs"]
AGENT_PARAMETER = OpenApiParameter("extraction_agent_id", str, required=True)


class RunListView(ProjectAPIView):
    @extend_schema(
        tags=TAG,
        operation_id="list_extract_runs",
        parameters=[
            *PROJECT_PARAMETERS,
            AGENT_PARAMETER,
            OpenApiParameter("skip", int),
            OpenApiParameter("limit", int),
        ],
        responses={200: PaginatedRunsSerializer, 404: ErrorSerializer, 422: ErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        query = inputs.parse_query(inputs.RunListQuery, request)
        agent = self.get_agent(query["extraction_agent_id"])
        # One run per job (its current one), as before jobs kept their earlier runs.
        runs = selectors.runs_for_project(project=self.project, current_only=True).filter(
            agent=agent
        )
        skip, limit = query["skip"], query["limit"]
        page = runs[skip : skip + limit]
        return Response(
            {
                "items": serialize_many(RunSerializer, page),
                "skip": skip,
                "limit": limit,
                "total": runs.count(),
            }
        )


class RunDetailView(ProjectAPIView):
    @extend_schema(
        tags=TAG,
        operation_id="get_run",
        parameters=PROJECT_PARAMETERS,
        responses={200: RunSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request, run_id: str) -> Response:
        return Response(RunSerializer(self.get_run(run_id)).data)

    @extend_schema(
        tags=TAG,
        operation_id="delete_extraction_run",
        parameters=PROJECT_PARAMETERS,
        responses={200: DELETED_RESPONSE, 400: ErrorSerializer, 404: ErrorSerializer},
        description="Delete the run of a finished job; 400 while the job is still running.",
    )
    def delete(self, request: Request, run_id: str) -> Response:
        services.run_delete(run=self.get_run(run_id), actor=request_user(request))
        return deleted()


class RunByJobView(ProjectAPIView):
    @extend_schema(
        tags=TAG,
        operation_id="get_run_by_job_id",
        parameters=PROJECT_PARAMETERS,
        responses={200: RunSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request, job_id: str) -> Response:
        run = self.get_run_by_job(job_id)
        return Response(RunSerializer(run).data)


class RunLatestFromUIView(ProjectAPIView):
    @extend_schema(
        tags=TAG,
        operation_id="get_latest_run_from_ui",
        parameters=[*PROJECT_PARAMETERS, AGENT_PARAMETER],
        responses={200: RunSerializer, 404: ErrorSerializer, 422: ErrorSerializer},
        description="The newest run started from the web UI for the agent, or null.",
    )
    def get(self, request: Request) -> HttpResponse:
        query = inputs.parse_query(inputs.AgentIdQuery, request)
        agent = self.get_agent(query["extraction_agent_id"])
        run = (
            selectors.runs_for_project(project=self.project)
            .filter(agent=agent, from_ui=True)
            .first()
        )
        return Response(RunSerializer(run).data) if run else json_null()
