"""Input shapes of the v1 API and the helpers that parse them.

A request whose shape is wrong (missing field, wrong type) is a FastAPI-style 422; the content
(schema, config, webhooks, base64) is judged by the services, which answer 400. Input
serializers validate request data and never serialize an instance, hence ``Serializer[None]``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from extraction.api.exceptions import RequestValidationError, flatten_errors

if TYPE_CHECKING:
    from rest_framework.request import Request

PRIORITIES = ["low", "medium", "high", "critical"]


def body_fields(request: Request) -> Mapping[str, Any]:
    """The request body as a mapping (a JSON object or form fields), unvalidated; raises
    ``RequestValidationError`` (422) for a JSON array or scalar."""
    data = request.data
    if not isinstance(data, Mapping):
        raise RequestValidationError(
            [{"loc": ["body"], "msg": "the body must be a JSON object", "type": "dict_type"}]
        )
    return data


def parse_body(
    serializer_class: type[serializers.Serializer[None]], request: Request
) -> dict[str, Any]:
    """Validated body fields; raises ``RequestValidationError`` (422)."""
    serializer = serializer_class(data=body_fields(request))
    if not serializer.is_valid():
        raise RequestValidationError(flatten_errors(serializer.errors, ["body"]))
    validated: dict[str, Any] = serializer.validated_data
    return validated


def parse_query(
    serializer_class: type[serializers.Serializer[None]], request: Request
) -> dict[str, Any]:
    """Validated query parameters; raises ``RequestValidationError`` (422)."""
    serializer = serializer_class(data=request.query_params)
    if not serializer.is_valid():
        raise RequestValidationError(flatten_errors(serializer.errors, ["query"]))
    validated: dict[str, Any] = serializer.validated_data
    return validated


def json_form_field(value: Any, name: str) -> Any:
    """A multipart form field that carries JSON (``config_override``...); None when absent."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except RecursionError:
        raise RequestValidationError(
            [{"loc": ["body", name], "msg": "nests too deeply", "type": "json_invalid"}]
        ) from None
    except ValueError as exc:
        raise RequestValidationError(
            [{"loc": ["body", name], "msg": f"not valid JSON: {exc}", "type": "json_invalid"}]
        ) from None


class AnyJSONField(serializers.JSONField):
    """A JSON value that may be null."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)


@extend_schema_serializer(component_name="WebhookConfigurationRequest")
class WebhookConfigurationInput(serializers.Serializer[None]):
    webhook_url = serializers.CharField(required=False, allow_null=True)
    webhook_headers = serializers.DictField(
        child=serializers.CharField(), required=False, allow_null=True
    )
    webhook_events = serializers.ListField(
        child=serializers.CharField(), required=False, allow_null=True
    )
    webhook_output_format = serializers.CharField(required=False, allow_null=True)


@extend_schema_serializer(component_name="AgentCreateRequest")
class AgentCreateInput(serializers.Serializer[None]):
    name = serializers.CharField(max_length=200)
    data_schema = serializers.JSONField()
    config = AnyJSONField()


@extend_schema_serializer(component_name="AgentUpdateRequest")
class AgentUpdateInput(serializers.Serializer[None]):
    data_schema = serializers.JSONField()
    config = AnyJSONField()
    name = serializers.CharField(max_length=200, required=False)


class AgentListQuery(serializers.Serializer[None]):
    include_default = serializers.BooleanField(required=False, default=False)


@extend_schema_serializer(component_name="Base64FileRequest")
class Base64FileInput(serializers.Serializer[None]):
    # The metaclass takes declared fields out of the class, so this does not replace ``.data``.
    data = serializers.CharField(trim_whitespace=False)  # type: ignore[assignment]
    mime_type = serializers.CharField()


@extend_schema_serializer(component_name="StatelessRunRequest")
class StatelessRunInput(serializers.Serializer[None]):
    config = serializers.JSONField()
    data_schema = serializers.JSONField()
    text = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, trim_whitespace=False
    )
    file = Base64FileInput(required=False, allow_null=True)
    file_id = serializers.UUIDField(required=False, allow_null=True)
    webhook_configurations = WebhookConfigurationInput(many=True, required=False, allow_null=True)


@extend_schema_serializer(component_name="JobCreateRequest")
class JobCreateInput(serializers.Serializer[None]):
    extraction_agent_id = serializers.UUIDField()
    file_id = serializers.UUIDField()
    config_override = AnyJSONField()
    data_schema_override = AnyJSONField()
    priority = serializers.ChoiceField(choices=PRIORITIES, required=False, allow_null=True)
    webhook_configurations = WebhookConfigurationInput(many=True, required=False, allow_null=True)


class JobCreateQuery(serializers.Serializer[None]):
    from_ui = serializers.BooleanField(required=False, default=False)


@extend_schema_serializer(component_name="JobBatchRequest")
class JobBatchInput(serializers.Serializer[None]):
    extraction_agent_id = serializers.UUIDField()
    file_ids = serializers.ListField(child=serializers.UUIDField(), allow_empty=False)
    config_override = AnyJSONField()
    data_schema_override = AnyJSONField()
    priority = serializers.ChoiceField(choices=PRIORITIES, required=False, allow_null=True)
    webhook_configurations = WebhookConfigurationInput(many=True, required=False, allow_null=True)


@extend_schema_serializer(component_name="JobFileRequest")
class JobFileInput(serializers.Serializer[None]):
    """multipart/form-data: the JSON fields arrive as JSON strings."""

    extraction_agent_id = serializers.UUIDField()
    file = serializers.FileField()
    config_override = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    data_schema_override = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    priority = serializers.ChoiceField(choices=PRIORITIES, required=False, allow_null=True)
    webhook_configurations = serializers.CharField(
        required=False, allow_blank=True, allow_null=True
    )


class AgentIdQuery(serializers.Serializer[None]):
    extraction_agent_id = serializers.UUIDField()


class RunListQuery(serializers.Serializer[None]):
    extraction_agent_id = serializers.UUIDField()
    skip = serializers.IntegerField(required=False, default=0, min_value=0)
    limit = serializers.IntegerField(required=False, default=100, min_value=1, max_value=1000)


@extend_schema_serializer(component_name="SchemaValidationRequest")
class SchemaValidationInput(serializers.Serializer[None]):
    data_schema = serializers.JSONField()


@extend_schema_serializer(component_name="SchemaGenerateRequest")
class SchemaGenerateInput(serializers.Serializer[None]):
    prompt = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    file_id = serializers.UUIDField(required=False, allow_null=True)
    data_schema = AnyJSONField()


@extend_schema_serializer(component_name="FileUploadRequest")
class FileUploadInput(serializers.Serializer[None]):
    upload_file = serializers.FileField()


class FileUploadQuery(serializers.Serializer[None]):
    external_file_id = serializers.CharField(required=False, allow_blank=True, max_length=1024)
    storage_type = serializers.CharField(required=False, allow_blank=True)
    purpose = serializers.CharField(required=False, allow_blank=True)
