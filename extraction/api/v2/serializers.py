"""Shapes of the v2 API and the beta routes, as llama-cloud 2.x parses them.

Output shapes (``ExtractV2Job``, the beta ``File``, ``ConfigurationResponse``) and the id and
status vocabulary; input shapes live in ``inputs.py``.

Ids are our plain UUIDs, the same in v1 and v2; the prefixed forms that LlamaCloud documents
(``dfl-…``, ``ext-…``, ``cfg-…``) are accepted on input too.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, TypeVar

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from extraction.api.exceptions import RequestValidationError
from extraction.api.v1.serializers import file_type_of
from extraction.models import (
    ExtractionJob,
    ExtractionRun,
    JobStatus,
    SavedConfiguration,
    SourceFile,
)
from extraction.pipeline.config import ExtractionTarget
from extraction.services import configurations

_I = TypeVar("_I")

V2_STATUSES = ["PENDING", "RUNNING", "COMPLETED", "FAILED", "CANCELLED"]
V2_STATUS_OF: dict[str, str] = {
    JobStatus.PENDING: "PENDING",
    JobStatus.RUNNING: "RUNNING",
    JobStatus.SUCCESS: "COMPLETED",
    JobStatus.PARTIAL_SUCCESS: "COMPLETED",
    JobStatus.ERROR: "FAILED",
    JobStatus.CANCELLED: "CANCELLED",
}
JOB_STATUSES_OF = {
    "PENDING": [JobStatus.PENDING],
    "RUNNING": [JobStatus.RUNNING],
    "COMPLETED": [JobStatus.SUCCESS, JobStatus.PARTIAL_SUCCESS],
    "FAILED": [JobStatus.ERROR],
    "CANCELLED": [JobStatus.CANCELLED],
    "THROTTLED": [],  # nothing here is ever throttled
}
FIELD_METADATA_KEYS = {
    ExtractionTarget.PER_DOC.value: "document_metadata",
    ExtractionTarget.PER_PAGE.value: "page_metadata",
    ExtractionTarget.PER_TABLE_ROW.value: "row_metadata",
}
JOB_EXPANDS = ("configuration", "extract_metadata", "usage")
ID_PREFIXES = ("dfl-", "ext-", "cfg-")


def plain_id(value: str) -> str:
    """Our id for a LlamaCloud-style prefixed one (``dfl-<uuid>`` -> ``<uuid>``)."""
    for prefix in ID_PREFIXES:
        if value.startswith(prefix):
            return value[len(prefix) :]
    return value


def uuid_or_422(value: str, loc: list[str]) -> uuid.UUID:
    """A filter id as a UUID; a malformed one is a FastAPI-style 422."""
    try:
        return uuid.UUID(plain_id(value))
    except ValueError:
        raise RequestValidationError(
            [{"loc": loc, "msg": f"{value!r} is not a valid id", "type": "uuid_parsing"}]
        ) from None


def expand_values(raw: list[str] | None) -> set[str]:
    """``expand`` repeated (``expand=a&expand=b``) or comma-separated."""
    return {part.strip() for item in raw or [] for part in item.split(",") if part.strip()}


# --- Outputs -----------------------------------------------------------------------------------


@extend_schema_serializer(component_name="ExtractV2JobUsage")
class JobUsageSerializer(serializers.Serializer[Mapping[str, object]]):
    num_pages_extracted = serializers.IntegerField(allow_null=True)
    num_pages_billed = serializers.IntegerField(allow_null=True)


@extend_schema_serializer(component_name="ExtractV2Job")
class ExtractJobSerializer(serializers.Serializer[ExtractionJob]):
    """A job as v2 sees it. Context: ``expand`` (a set) and ``with_configuration`` (bool)."""

    id = serializers.UUIDField()
    status = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    file_input = serializers.SerializerMethodField()
    project_id = serializers.UUIDField()
    configuration = serializers.SerializerMethodField()
    configuration_id = serializers.SerializerMethodField()
    error_message = serializers.SerializerMethodField()
    extract_result = serializers.SerializerMethodField()
    extract_metadata = serializers.SerializerMethodField()
    metadata = serializers.SerializerMethodField()
    usage = serializers.SerializerMethodField()

    def to_representation(self, job: ExtractionJob) -> dict[str, Any]:
        data = super().to_representation(job)
        expand = self.context.get("expand", set())
        if not (self.context.get("with_configuration") or "configuration" in expand):
            data.pop("configuration")
        if "usage" not in expand:
            data.pop("usage")
        config = job.config or {}
        wanted = config.get("cite_sources") or config.get("confidence_scores")
        if not (wanted or "extract_metadata" in expand):
            data.pop("extract_metadata")
        return data

    @staticmethod
    def _run(job: ExtractionJob) -> ExtractionRun | None:
        return getattr(job, "run", None)

    @extend_schema_field({"type": "string", "enum": V2_STATUSES})
    def get_status(self, job: ExtractionJob) -> str:
        return V2_STATUS_OF[job.status]

    @extend_schema_field({"type": "string"})
    def get_file_input(self, job: ExtractionJob) -> str:
        # Jobs submitted through v1 with inline text have no file to name.
        return str(job.file_id) if job.file_id else ""

    @extend_schema_field({"type": "object", "nullable": True})
    def get_configuration(self, job: ExtractionJob) -> dict[str, Any]:
        return configurations.extract_configuration_for_job(job=job)

    @extend_schema_field({"type": "string", "nullable": True})
    def get_configuration_id(self, job: ExtractionJob) -> str | None:
        saved = configurations.saved_configuration_for_job(job=job)
        return str(saved.id) if saved else None

    @extend_schema_field({"type": "string", "nullable": True})
    def get_error_message(self, job: ExtractionJob) -> str | None:
        if job.status in (JobStatus.ERROR, JobStatus.CANCELLED):
            return job.error or None
        return None

    @extend_schema_field({"oneOf": [{"type": "object"}, {"type": "array"}], "nullable": True})
    def get_extract_result(self, job: ExtractionJob) -> Any:
        run = self._run(job)
        if run is None or V2_STATUS_OF[job.status] != "COMPLETED":
            return None
        return run.data

    @extend_schema_field({"type": "object", "nullable": True})
    def get_extract_metadata(self, job: ExtractionJob) -> dict[str, Any]:
        run = self._run(job)
        field_metadata = (run.extraction_metadata or {}).get("field_metadata") if run else None
        target = (job.config or {}).get("extraction_target", ExtractionTarget.PER_DOC.value)
        key = FIELD_METADATA_KEYS.get(target, "document_metadata")
        return {
            "field_metadata": {key: field_metadata or {}},
            "parse_job_id": None,
            "parse_tier": None,
        }

    @extend_schema_field({"type": "object", "properties": {"usage": {"type": "object"}}})
    def get_metadata(self, job: ExtractionJob) -> dict[str, Any]:
        run = self._run(job)
        run_metadata = (run.extraction_metadata or {}) if run else {}
        pages = (run_metadata.get("usage") or {}).get("num_pages_extracted")
        if pages is None and job.is_terminal:
            pages = job.pages_total
        metadata: dict[str, Any] = {
            "usage": {"num_pages_extracted": pages, "num_pages_billed": pages},
        }
        if job.status == JobStatus.PARTIAL_SUCCESS:
            metadata["partial_success"] = True
            metadata["error"] = job.error or None
        if run_metadata.get("warnings"):
            metadata["warnings"] = run_metadata["warnings"]
        return metadata

    @extend_schema_field({"type": "object", "nullable": True})
    def get_usage(self, job: ExtractionJob) -> dict[str, Any]:
        # Nothing here is billed in credits.
        return {"credits": None, "extract_credits": None, "parse_credits": None}


@extend_schema_serializer(component_name="PresignedURL")
class PresignedUrlSerializer(serializers.Serializer[Mapping[str, object]]):
    url = serializers.URLField()
    expires_at = serializers.DateTimeField()
    form_fields = serializers.JSONField(allow_null=True, required=False)


@extend_schema_serializer(component_name="BetaFile")
class BetaFileSerializer(serializers.Serializer[SourceFile]):
    """Context: ``download_url`` (a dict) when ``expand=download_url`` was asked for."""

    id = serializers.UUIDField()
    name = serializers.CharField()
    project_id = serializers.UUIDField()
    external_file_id = serializers.SerializerMethodField()
    file_type = serializers.SerializerMethodField()
    file_size = serializers.IntegerField(source="size")
    purpose = serializers.CharField()
    created_at = serializers.DateTimeField()
    last_modified_at = serializers.DateTimeField(source="updated_at")
    expires_at = serializers.DateTimeField(allow_null=True)

    def to_representation(self, source: SourceFile) -> dict[str, Any]:
        data = super().to_representation(source)
        urls = self.context.get("download_urls")
        if urls is not None:
            data["download_url"] = urls.get(source.id)
        return data

    @extend_schema_field({"type": "string", "nullable": True})
    def get_external_file_id(self, source: SourceFile) -> str | None:
        return source.external_file_id or None

    @extend_schema_field({"type": "string", "nullable": True})
    def get_file_type(self, source: SourceFile) -> str | None:
        return file_type_of(source)


@extend_schema_serializer(component_name="ConfigurationResponse")
class ConfigurationSerializer(serializers.Serializer[SavedConfiguration]):
    id = serializers.UUIDField()
    name = serializers.CharField()
    product_type = serializers.CharField()
    parameters = serializers.JSONField()
    version = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field({"type": "string"})
    def get_version(self, saved: SavedConfiguration) -> str:
        # Each save replaces the parameters, so the last save time names the version.
        return saved.updated_at.isoformat().replace("+00:00", "Z")


@extend_schema_serializer(component_name="ExtractV2SchemaResponse")
class SchemaResponseSerializer(serializers.Serializer[Mapping[str, object]]):
    data_schema = serializers.JSONField()


@extend_schema_serializer(component_name="ConfigurationCreate")
class GeneratedConfigurationSerializer(serializers.Serializer[Mapping[str, object]]):
    name = serializers.CharField()
    parameters = serializers.JSONField()


def paginated(
    component: str, item: type[serializers.Serializer[_I]]
) -> serializers.Serializer[Mapping[str, object]]:
    """The ``{items, next_page_token, total_size}`` envelope, for the OpenAPI schema."""
    envelope: type[serializers.Serializer[Mapping[str, object]]] = extend_schema_serializer(
        component_name=component
    )(
        type(
            f"{component}Serializer",
            (serializers.Serializer,),
            {
                "items": item(many=True),
                "next_page_token": serializers.CharField(allow_null=True),
                "total_size": serializers.IntegerField(),
            },
        )
    )
    return envelope()
