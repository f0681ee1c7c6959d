"""Output shapes of the v1 API, exactly as the LlamaCloud SDKs parse them.

The Fern client (LlamaExtract) is strict: required fields must be present and non-null and
enums must use the exact spellings, so each shape below lists every field the SDK models know.
Input shapes live in ``inputs.py``.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Mapping

from drf_spectacular.utils import OpenApiResponse, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from extraction.models import ExtractionAgent, ExtractionJob, ExtractionRun, JobStatus, SourceFile

JOB_STATUSES = ["PENDING", "SUCCESS", "ERROR", "PARTIAL_SUCCESS", "CANCELLED"]
RUN_STATUSES = ["CREATED", "PENDING", "SUCCESS", "ERROR"]


def v1_job_status(status: str) -> str:
    """v1 has no RUNNING (Fern rejects it): a running job reads as PENDING."""
    return JobStatus.PENDING if status == JobStatus.RUNNING else status


def file_type_of(source: SourceFile) -> str | None:
    """The file's extension without the dot (``pdf``), as LlamaCloud reports ``file_type``."""
    if "." in source.name:
        return source.name.rsplit(".", 1)[-1].lower() or None
    guessed = mimetypes.guess_extension(source.mime_type or "")
    return guessed.lstrip(".") if guessed else None


@extend_schema_serializer(component_name="ExtractAgent")
class AgentSerializer(serializers.Serializer[ExtractionAgent]):
    id = serializers.UUIDField()
    name = serializers.CharField()
    project_id = serializers.UUIDField()
    data_schema = serializers.JSONField()
    config = serializers.JSONField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    custom_configuration = serializers.SerializerMethodField()

    @extend_schema_field({"type": "string", "enum": ["default"], "nullable": True})
    def get_custom_configuration(self, agent: ExtractionAgent) -> str | None:
        return None


@extend_schema_serializer(component_name="File")
class FileSerializer(serializers.Serializer[SourceFile]):
    id = serializers.UUIDField()
    name = serializers.CharField()
    project_id = serializers.UUIDField()
    external_file_id = serializers.SerializerMethodField()
    file_size = serializers.IntegerField(source="size")
    file_type = serializers.SerializerMethodField()
    purpose = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    last_modified_at = serializers.DateTimeField(source="updated_at")
    expires_at = serializers.DateTimeField(allow_null=True)
    data_source_id = serializers.SerializerMethodField()
    permission_info = serializers.SerializerMethodField()
    resource_info = serializers.SerializerMethodField()

    @extend_schema_field({"type": "string", "nullable": True})
    def get_external_file_id(self, source: SourceFile) -> str | None:
        return source.external_file_id or None

    @extend_schema_field({"type": "string", "nullable": True})
    def get_file_type(self, source: SourceFile) -> str | None:
        return file_type_of(source)

    @extend_schema_field({"type": "string", "format": "uuid", "nullable": True})
    def get_data_source_id(self, source: SourceFile) -> None:
        return None

    @extend_schema_field({"type": "object", "nullable": True})
    def get_permission_info(self, source: SourceFile) -> None:
        return None

    @extend_schema_field({"type": "object", "nullable": True})
    def get_resource_info(self, source: SourceFile) -> None:
        return None


@extend_schema_serializer(component_name="ExtractJob")
class JobSerializer(serializers.Serializer[ExtractionJob]):
    id = serializers.UUIDField()
    extraction_agent = AgentSerializer(source="agent")
    status = serializers.SerializerMethodField()
    error = serializers.SerializerMethodField()
    file_id = serializers.UUIDField(allow_null=True)
    file = FileSerializer(allow_null=True)

    @extend_schema_field({"type": "string", "enum": JOB_STATUSES})
    def get_status(self, job: ExtractionJob) -> str:
        return v1_job_status(job.status)

    @extend_schema_field({"type": "string", "nullable": True})
    def get_error(self, job: ExtractionJob) -> str | None:
        return job.error or None


@extend_schema_serializer(component_name="ExtractRun")
class RunSerializer(serializers.Serializer[ExtractionRun]):
    id = serializers.UUIDField()
    config = serializers.JSONField(source="job.config")
    data_schema = serializers.JSONField(source="job.data_schema")
    extraction_agent_id = serializers.UUIDField(source="agent_id")
    from_ui = serializers.BooleanField()
    project_id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=RUN_STATUSES)
    # The metaclass takes declared fields out of the class, so this does not replace ``.data``.
    data = serializers.JSONField(allow_null=True)  # type: ignore[assignment]
    extraction_metadata = serializers.JSONField()
    error = serializers.SerializerMethodField()
    job_id = serializers.UUIDField()
    file_id = serializers.UUIDField(source="job.file_id", allow_null=True)
    file = FileSerializer(source="job.file", allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field({"type": "string", "nullable": True})
    def get_error(self, run: ExtractionRun) -> str | None:
        return run.error or None


@extend_schema_serializer(component_name="PaginatedExtractRunsResponse")
class PaginatedRunsSerializer(serializers.Serializer[Mapping[str, object]]):
    items = RunSerializer(many=True)
    skip = serializers.IntegerField()
    limit = serializers.IntegerField()
    total = serializers.IntegerField()


@extend_schema_serializer(component_name="ExtractResultset")
class ResultsetSerializer(serializers.Serializer[ExtractionRun]):
    run_id = serializers.UUIDField(source="id")
    extraction_agent_id = serializers.UUIDField(source="agent_id")
    # The metaclass takes declared fields out of the class, so this does not replace ``.data``.
    data = serializers.JSONField(allow_null=True)  # type: ignore[assignment]
    extraction_metadata = serializers.JSONField()


@extend_schema_serializer(component_name="ExtractSchema")
class SchemaResponseSerializer(serializers.Serializer[Mapping[str, object]]):
    data_schema = serializers.JSONField()


@extend_schema_serializer(component_name="PresignedUrl")
class PresignedUrlSerializer(serializers.Serializer[Mapping[str, object]]):
    url = serializers.URLField()
    expires_at = serializers.DateTimeField()
    form_fields = serializers.JSONField(allow_null=True, required=False)


@extend_schema_serializer(component_name="Error")
class ErrorSerializer(serializers.Serializer[Mapping[str, object]]):
    detail = serializers.JSONField()


# DELETEs answer ``{}``: the Fern client parses every 2xx body as JSON.
DELETED_RESPONSE = OpenApiResponse(
    response={"type": "object", "additionalProperties": False},
    description="An empty JSON object.",
)
