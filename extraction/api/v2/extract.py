"""``/api/v2/extract``: jobs described by a configuration, over the same jobs as v1.

A v2 job is an ordinary job on the project's default agent; its configuration (inline or
saved) is translated by ``extraction.configurations``. Statuses map SUCCESS and
PARTIAL_SUCCESS to COMPLETED (a partial failure is told in ``metadata``), ERROR to FAILED.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from accounts.http import request_user
from extraction import selectors, services
from extraction.api.base import PROJECT_PARAMETERS, serialize_many
from extraction.api.v1.inputs import SchemaValidationInput
from extraction.api.v1.serializers import ErrorSerializer
from extraction.api.v2 import inputs
from extraction.api.v2 import serializers as v2
from extraction.api.v2.base import V2_JOB_RELATED, V2ProjectAPIView
from extraction.api.v2.pagination import paginate
from extraction.pipeline.schemas import load_schema
from extraction.services import configurations

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from rest_framework.request import Request

    from extraction.models import ExtractionJob, SourceFile

TAG = ["Extract v2"]
ERRORS = {400: ErrorSerializer, 404: ErrorSerializer, 422: ErrorSerializer}
EXPAND_PARAMETER = OpenApiParameter(
    "expand", str, many=True, enum=list(v2.JOB_EXPANDS), description="Repeat for several."
)


class ExtractJobView(V2ProjectAPIView):
    """Shared lookups: the caller's jobs with what the v2 shape reads, in one query."""

    def jobs(self) -> QuerySet[ExtractionJob]:
        return selectors.jobs_for_project(project=self.project).select_related(*V2_JOB_RELATED)

    def job_response(
        self, job: ExtractionJob, expand: set[str] | None = None, with_configuration: bool = False
    ) -> Response:
        context = {"expand": expand or set(), "with_configuration": with_configuration}
        return Response(v2.ExtractJobSerializer(job, context=context).data)


class ExtractListCreateView(ExtractJobView):
    @extend_schema(
        tags=TAG,
        operation_id="extract_v2_create",
        parameters=PROJECT_PARAMETERS,
        request=inputs.ExtractCreateInput,
        responses={200: v2.ExtractJobSerializer, **ERRORS},
        description="Start a job on a file (`file_input`) with an inline `configuration` or a "
        "saved `configuration_id`. Answers at once with a PENDING job; poll GET /extract/{id}.",
    )
    def post(self, request: Request) -> Response:
        body = inputs.parse_body(inputs.ExtractCreateInput, request)
        if body.get("webhook_configuration_ids"):
            raise services.ServiceError(
                "Saved webhook configurations are not supported; pass webhook_configurations."
            )
        source = self.get_source(body["file_input"])
        saved = None
        if body.get("configuration_id"):
            saved = self.get_configuration(body["configuration_id"])
        configuration = body.get("configuration")
        job = configurations.extract_job_submit(
            project=self.project,
            source=source,
            configuration=dict(configuration) if configuration is not None else None,
            saved=saved,
            webhook_configurations=inputs.body_fields(request).get("webhook_configurations"),
        )
        return self.job_response(self.get_job(str(job.id)), with_configuration=True)

    def get_source(self, file_input: str) -> SourceFile:
        if file_input.startswith("pjb-"):
            raise services.ServiceError(
                "Parse job inputs (pjb-…) are not supported: this server has no Parse API. "
                "Upload the document with POST /api/v1/beta/files and pass its id."
            )
        return self.get_file(file_input)

    @extend_schema(
        tags=TAG,
        operation_id="extract_v2_list",
        parameters=[*PROJECT_PARAMETERS, inputs.ExtractListQuery],
        responses={200: v2.paginated("PaginatedExtractV2Jobs", v2.ExtractJobSerializer), **ERRORS},
        description="The project's jobs, newest first, with cursor pagination.",
    )
    def get(self, request: Request) -> Response:
        query = inputs.parse_query(inputs.ExtractListQuery, request)
        page = paginate(
            self.filtered(self.jobs(), query),
            ordering=("-created_at", "-id"),
            page_size=query.get("page_size"),
            page_token=query.get("page_token"),
        )
        context = {"expand": v2.expand_values(query.get("expand"))}
        return Response(
            {
                "items": serialize_many(v2.ExtractJobSerializer, page.items, context=context),
                "next_page_token": page.next_page_token,
                "total_size": page.total_size,
            }
        )

    @staticmethod
    def filtered(jobs: QuerySet[ExtractionJob], query: dict[str, Any]) -> QuerySet[ExtractionJob]:
        if query.get("configuration_id"):
            saved_id = v2.uuid_or_422(query["configuration_id"], ["query", "configuration_id"])
            jobs = jobs.filter(v2_request__saved_configuration_id=saved_id)
        if query.get("created_at_on_or_after"):
            jobs = jobs.filter(created_at__gte=query["created_at_on_or_after"])
        if query.get("created_at_on_or_before"):
            jobs = jobs.filter(created_at__lte=query["created_at_on_or_before"])
        if query.get("document_input_type") == "parse_job_id":
            jobs = jobs.none()
        elif query.get("document_input_type") == "file_id":
            jobs = jobs.filter(file__isnull=False)
        for name in ("file_input", "document_input_value"):
            value = query.get(name)
            if value:
                if value.startswith("pjb-"):
                    jobs = jobs.none()
                else:
                    jobs = jobs.filter(file_id=v2.uuid_or_422(value, ["query", name]))
        if query.get("job_ids"):
            ids = [v2.uuid_or_422(value, ["query", "job_ids"]) for value in query["job_ids"]]
            jobs = jobs.filter(id__in=ids)
        if query.get("status"):
            jobs = jobs.filter(status__in=v2.JOB_STATUSES_OF[query["status"]])
        return jobs


class ExtractDetailView(ExtractJobView):
    @extend_schema(
        tags=TAG,
        operation_id="extract_v2_get",
        parameters=[*PROJECT_PARAMETERS, EXPAND_PARAMETER],
        responses={200: v2.ExtractJobSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request, job_id: str) -> Response:
        query = inputs.parse_query(inputs.ExpandQuery, request)
        return self.job_response(self.get_job(job_id), v2.expand_values(query.get("expand")))

    @extend_schema(
        tags=TAG,
        operation_id="extract_v2_delete",
        parameters=[*PROJECT_PARAMETERS, inputs.ExtractDeleteQuery],
        responses={200: v2.SchemaResponseSerializer, **ERRORS},
        description="Delete a job and its result. A pending or running job is refused (400) "
        "unless force=true, which cancels it first.",
    )
    def delete(self, request: Request, job_id: str) -> Response:
        query = inputs.parse_query(inputs.ExtractDeleteQuery, request)
        services.job_delete(
            job=self.get_job(job_id), force=query["force"], actor=request_user(request)
        )
        return Response({})


class ExtractCancelView(ExtractJobView):
    @extend_schema(
        tags=TAG,
        operation_id="extract_v2_cancel",
        parameters=PROJECT_PARAMETERS,
        request=None,
        responses={200: v2.ExtractJobSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
        description="Cancel a pending or running job; 400 if it already ended.",
    )
    def post(self, request: Request, job_id: str) -> Response:
        job = services.job_cancel(job=self.get_job(job_id))
        return self.job_response(self.get_job(str(job.id)), with_configuration=True)


class ExtractSchemaValidationView(V2ProjectAPIView):
    @extend_schema(
        tags=TAG,
        operation_id="extract_v2_validate_schema",
        request=SchemaValidationInput,
        responses={200: v2.SchemaResponseSerializer, 400: ErrorSerializer, 422: ErrorSerializer},
        description="Check a data_schema; answers it with local $refs inlined, or 400 listing "
        "every problem with its JSON pointer.",
    )
    def post(self, request: Request) -> Response:
        body = inputs.parse_body(SchemaValidationInput, request)
        return Response({"data_schema": load_schema(body["data_schema"])})


class ExtractSchemaGenerateView(V2ProjectAPIView):
    @extend_schema(
        tags=TAG,
        operation_id="extract_v2_generate_schema",
        parameters=PROJECT_PARAMETERS,
        request=inputs.SchemaGenerateInput,
        responses={200: v2.GeneratedConfigurationSerializer, **ERRORS},
        description="Propose an extract_v2 configuration from a prompt and/or a file.",
    )
    def post(self, request: Request) -> Response:
        body = inputs.parse_body(inputs.SchemaGenerateInput, request)
        source = None
        if body.get("file_id"):
            source = self.get_file(body["file_id"])
        schema = services.schema_generate(
            prompt=body.get("prompt") or None, source=source, data_schema=body.get("data_schema")
        )
        name = body.get("name") or (source.name if source else "generated-schema")
        return Response(
            {
                "name": name,
                "parameters": {"product_type": configurations.EXTRACT_V2, "data_schema": schema},
            }
        )
