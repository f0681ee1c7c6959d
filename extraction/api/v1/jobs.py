"""Extraction jobs: stateless runs, agent jobs (JSON, multipart, batch), results, cancel."""

from __future__ import annotations

from typing import TYPE_CHECKING

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from extraction import selectors, services
from extraction.api.base import PROJECT_PARAMETERS, ProjectAPIView, serialize_many
from extraction.api.v1 import inputs
from extraction.api.v1.serializers import ErrorSerializer, JobSerializer, ResultsetSerializer

if TYPE_CHECKING:
    from rest_framework.request import Request

TAG = ["Extraction jobs"]
ERRORS = {400: ErrorSerializer, 404: ErrorSerializer, 422: ErrorSerializer}


class StatelessRunView(ProjectAPIView):
    @extend_schema(
        tags=TAG,
        operation_id="extract_stateless",
        parameters=PROJECT_PARAMETERS,
        request=inputs.StatelessRunInput,
        responses={200: JobSerializer, **ERRORS},
        description="Extract from text, a base64 file or a file_id through the project's "
        "default agent. Answers at once with a PENDING job; poll GET /jobs/{id}.",
    )
    def post(self, request: Request) -> Response:
        body = inputs.parse_body(inputs.StatelessRunInput, request)
        given = [name for name in ("text", "file", "file_id") if body.get(name) is not None]
        if len(given) != 1:
            raise services.ServiceError(
                "Provide exactly one of text, file or file_id"
                + (f" (got {', '.join(given)})." if given else ".")
            )
        source = self.get_file(body["file_id"]) if body.get("file_id") is not None else None
        agent = services.agent_get_or_create_default(project=self.project)
        job_request = services.job_request_clean(
            agent=agent,
            data_schema=body["data_schema"],
            config=body["config"] if body["config"] is not None else {},
            webhook_configurations=inputs.body_fields(request).get("webhook_configurations"),
        )
        document: services.Document
        if source is not None:
            document = source
        elif body.get("file") is not None:
            upload = body["file"]
            document = services.Upload.from_base64(
                upload["data"], declared_type=upload["mime_type"]
            )
        else:
            document = services.InlineText(body["text"])
        [job] = services.jobs_submit(
            project=self.project, agent=agent, request=job_request, documents=[document]
        )
        return Response(JobSerializer(job).data)


class JobListCreateView(ProjectAPIView):
    @extend_schema(
        tags=TAG,
        operation_id="list_jobs",
        parameters=[
            *PROJECT_PARAMETERS,
            OpenApiParameter("extraction_agent_id", str, required=True),
        ],
        responses={200: JobSerializer(many=True), 404: ErrorSerializer, 422: ErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        query = inputs.parse_query(inputs.AgentIdQuery, request)
        agent = self.get_agent(query["extraction_agent_id"])
        jobs = selectors.jobs_for_project(project=self.project).filter(agent=agent)
        return Response(serialize_many(JobSerializer, jobs))

    @extend_schema(
        tags=TAG,
        operation_id="run_job",
        parameters=[*PROJECT_PARAMETERS, OpenApiParameter("from_ui", bool)],
        request=inputs.JobCreateInput,
        responses={200: JobSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        body = inputs.parse_body(inputs.JobCreateInput, request)
        query = inputs.parse_query(inputs.JobCreateQuery, request)
        agent = self.get_agent(body["extraction_agent_id"])
        source = self.get_file(body["file_id"])
        job_request = services.job_request_clean(
            agent=agent,
            data_schema=body.get("data_schema_override"),
            config=body.get("config_override"),
            priority=body.get("priority"),
            webhook_configurations=inputs.body_fields(request).get("webhook_configurations"),
            from_ui=query["from_ui"],
        )
        [job] = services.jobs_submit(
            project=self.project, agent=agent, request=job_request, documents=[source]
        )
        return Response(JobSerializer(job).data)


class JobFileView(ProjectAPIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        tags=TAG,
        operation_id="run_job_on_file",
        parameters=PROJECT_PARAMETERS,
        request={"multipart/form-data": inputs.JobFileInput},
        responses={200: JobSerializer, **ERRORS},
        description="Upload a file (part `file`) and run an agent on it; `config_override`, "
        "`data_schema_override` and `webhook_configurations` are JSON strings.",
    )
    def post(self, request: Request) -> Response:
        body = inputs.parse_body(inputs.JobFileInput, request)
        config = inputs.json_form_field(body.get("config_override"), "config_override")
        schema = inputs.json_form_field(body.get("data_schema_override"), "data_schema_override")
        hooks = inputs.json_form_field(body.get("webhook_configurations"), "webhook_configurations")
        agent = self.get_agent(body["extraction_agent_id"])
        job_request = services.job_request_clean(
            agent=agent,
            data_schema=schema,
            config=config,
            priority=body.get("priority"),
            webhook_configurations=hooks,
        )
        [job] = services.jobs_submit(
            project=self.project,
            agent=agent,
            request=job_request,
            documents=[services.Upload.from_uploaded_file(body["file"])],
        )
        return Response(JobSerializer(job).data)


class JobBatchView(ProjectAPIView):
    @extend_schema(
        tags=TAG,
        operation_id="run_batch_jobs",
        parameters=PROJECT_PARAMETERS,
        request=inputs.JobBatchInput,
        responses={200: JobSerializer(many=True), **ERRORS},
    )
    def post(self, request: Request) -> Response:
        body = inputs.parse_body(inputs.JobBatchInput, request)
        agent = self.get_agent(body["extraction_agent_id"])
        sources = [self.get_file(file_id) for file_id in body["file_ids"]]
        if not sources:
            raise services.ServiceError("file_ids must list at least one file.")
        job_request = services.job_request_clean(
            agent=agent,
            data_schema=body.get("data_schema_override"),
            config=body.get("config_override"),
            priority=body.get("priority"),
            webhook_configurations=inputs.body_fields(request).get("webhook_configurations"),
        )
        jobs = services.jobs_submit(
            project=self.project, agent=agent, request=job_request, documents=sources
        )
        return Response(serialize_many(JobSerializer, jobs))


class JobDetailView(ProjectAPIView):
    @extend_schema(
        tags=TAG,
        operation_id="get_job",
        parameters=PROJECT_PARAMETERS,
        responses={200: JobSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request, job_id: str) -> Response:
        return Response(JobSerializer(self.get_job(job_id)).data)


class JobResultView(ProjectAPIView):
    @extend_schema(
        tags=TAG,
        operation_id="get_job_result",
        parameters=PROJECT_PARAMETERS,
        responses={200: ResultsetSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
        description="The result of a finished job; 400 while it is still PENDING.",
    )
    def get(self, request: Request, job_id: str) -> Response:
        job = self.get_job(job_id)
        if not job.is_terminal:
            raise services.ServiceError(
                "The job has not finished yet (status PENDING); poll GET /jobs/{id} first."
            )
        run = self.get_run_by_job(job.id)
        return Response(ResultsetSerializer(run).data)


class JobCancelView(ProjectAPIView):
    @extend_schema(
        tags=TAG,
        operation_id="cancel_job",
        parameters=PROJECT_PARAMETERS,
        request=None,
        responses={200: JobSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
        description="Cancel a pending or running job; 400 if it already ended.",
    )
    def post(self, request: Request, job_id: str) -> Response:
        job = services.job_cancel(job=self.get_job(job_id))
        return Response(JobSerializer(self.get_job(job.id)).data)
