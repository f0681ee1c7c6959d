"""Input shapes of the v2 API and the beta routes, parsed with v1's helpers.

A request whose shape is wrong (missing field, wrong type, unknown enum value) is a
FastAPI-style 422; the content (schema, page ranges, names) is judged by the services (400).
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from extraction.api.v1.inputs import (
    WebhookConfigurationInput,
    body_fields,
    parse_body,
    parse_query,
)
from extraction.api.v2.pagination import MAX_PAGE_SIZE
from extraction.api.v2.serializers import JOB_STATUSES_OF
from extraction.services import configurations

__all__ = ["body_fields", "parse_body", "parse_query"]


@extend_schema_serializer(component_name="ExtractConfigurationRequest")
class ExtractConfigurationInput(serializers.Serializer[None]):
    data_schema = serializers.JSONField()
    tier = serializers.ChoiceField(choices=list(configurations.TIER_MODES), required=False)
    version = serializers.CharField(required=False, allow_null=True)
    cite_sources = serializers.BooleanField(required=False, allow_null=True)
    confidence_scores = serializers.BooleanField(required=False, allow_null=True)
    advanced_citations = serializers.BooleanField(required=False, allow_null=True)
    disable_cache = serializers.BooleanField(required=False, allow_null=True)
    extraction_target = serializers.ChoiceField(
        choices=list(configurations.TARGETS), required=False, allow_null=True
    )
    max_pages = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    parse_config_id = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    parse_tier = serializers.ChoiceField(
        choices=list(configurations.PARSE_TIERS), required=False, allow_null=True
    )
    target_pages = serializers.CharField(required=False, allow_null=True)
    sheet_names = serializers.ListField(
        child=serializers.CharField(), required=False, allow_null=True
    )
    spreadsheet_mode = serializers.BooleanField(required=False, allow_null=True)
    system_prompt = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, trim_whitespace=False
    )


@extend_schema_serializer(component_name="ExtractV2CreateRequest")
class ExtractCreateInput(serializers.Serializer[None]):
    file_input = serializers.CharField()
    configuration = ExtractConfigurationInput(required=False, allow_null=True)
    configuration_id = serializers.CharField(required=False, allow_null=True)
    webhook_configuration_ids = serializers.ListField(
        child=serializers.CharField(), required=False, allow_null=True
    )
    webhook_configurations = WebhookConfigurationInput(many=True, required=False, allow_null=True)


class ExpandQuery(serializers.Serializer[None]):
    expand = serializers.ListField(child=serializers.CharField(), required=False)


class ExtractListQuery(ExpandQuery):
    configuration_id = serializers.CharField(required=False, allow_null=True)
    created_at_on_or_after = serializers.DateTimeField(required=False, allow_null=True)
    created_at_on_or_before = serializers.DateTimeField(required=False, allow_null=True)
    document_input_type = serializers.ChoiceField(
        choices=["file_id", "parse_job_id"], required=False, allow_null=True
    )
    document_input_value = serializers.CharField(required=False, allow_null=True)
    file_input = serializers.CharField(required=False, allow_null=True)
    job_ids = serializers.ListField(child=serializers.CharField(), required=False)
    status = serializers.ChoiceField(choices=list(JOB_STATUSES_OF), required=False)
    page_size = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_PAGE_SIZE
    )
    page_token = serializers.CharField(required=False, allow_null=True, allow_blank=True)


class ExtractDeleteQuery(serializers.Serializer[None]):
    force = serializers.BooleanField(required=False, default=False)


@extend_schema_serializer(component_name="ExtractV2SchemaGenerateRequest")
class SchemaGenerateInput(serializers.Serializer[None]):
    data_schema = serializers.JSONField(required=False, allow_null=True)
    file_id = serializers.CharField(required=False, allow_null=True)
    name = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    prompt = serializers.CharField(required=False, allow_null=True, allow_blank=True)


@extend_schema_serializer(component_name="ConfigurationCreateRequest")
class ConfigurationCreateInput(serializers.Serializer[None]):
    name = serializers.CharField(max_length=200)
    parameters = serializers.DictField()


@extend_schema_serializer(component_name="ConfigurationUpdateRequest")
class ConfigurationUpdateInput(serializers.Serializer[None]):
    name = serializers.CharField(max_length=200, required=False, allow_null=True)
    parameters = serializers.DictField(required=False, allow_null=True)


class ConfigurationListQuery(serializers.Serializer[None]):
    latest_only = serializers.BooleanField(required=False, default=False)
    name = serializers.CharField(required=False, allow_null=True)
    product_type = serializers.ListField(
        child=serializers.ChoiceField(choices=list(configurations.PRODUCT_TYPES)), required=False
    )
    page_size = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_PAGE_SIZE
    )
    page_token = serializers.CharField(required=False, allow_null=True, allow_blank=True)


@extend_schema_serializer(component_name="BetaFileUploadRequest")
class FileUploadInput(serializers.Serializer[None]):
    """multipart/form-data, as ``client.files.create`` sends it."""

    file = serializers.FileField()
    purpose = serializers.CharField(required=False, allow_blank=True)
    external_file_id = serializers.CharField(required=False, allow_blank=True, max_length=1024)


class FileListQuery(ExpandQuery):
    external_file_id = serializers.CharField(required=False, allow_null=True)
    file_ids = serializers.ListField(child=serializers.CharField(), required=False)
    file_name = serializers.CharField(required=False, allow_null=True)
    order_by = serializers.ChoiceField(
        choices=["name", "id", "created_at"], required=False, allow_null=True
    )
    page_size = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_PAGE_SIZE
    )
    page_token = serializers.CharField(required=False, allow_null=True, allow_blank=True)


class FileQueryFilterInput(serializers.Serializer[None]):
    external_file_id = serializers.CharField(required=False, allow_null=True)
    file_ids = serializers.ListField(child=serializers.CharField(), required=False, allow_null=True)
    file_name = serializers.CharField(required=False, allow_null=True)
    data_source_id = serializers.CharField(required=False, allow_null=True)
    only_manually_uploaded = serializers.BooleanField(required=False, allow_null=True)
    project_id = serializers.CharField(required=False, allow_null=True)


@extend_schema_serializer(component_name="BetaFileQueryRequest")
class FileQueryInput(serializers.Serializer[None]):
    """The deprecated ``POST /files/query``: list filters in a body; ``order_by`` may say
    ``desc``, and a ``page_size`` above the maximum is lowered to it."""

    filter = FileQueryFilterInput(required=False, allow_null=True)
    order_by = serializers.RegexField(
        r"^\s*(name|id|created_at)(\s+(asc|desc))?\s*$", required=False, allow_null=True
    )
    page_size = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    page_token = serializers.CharField(required=False, allow_null=True, allow_blank=True)


class FileContentQuery(serializers.Serializer[None]):
    expires_at_seconds = serializers.IntegerField(required=False, allow_null=True, min_value=1)


class AgentListQuery(serializers.Serializer[None]):
    include_default = serializers.BooleanField(required=False, default=False)
    page_size = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_PAGE_SIZE
    )
    page_token = serializers.CharField(required=False, allow_null=True, allow_blank=True)
