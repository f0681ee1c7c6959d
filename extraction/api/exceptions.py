"""Every API error is JSON with a readable ``detail``.

* Request-shape errors (a missing or mistyped field) are 422 in FastAPI's shape,
  ``{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}``, which the Fern-generated
  LlamaCloud client needs to raise ``UnprocessableEntityError``.
* Semantic errors (bad schema, bad config, unknown model, bad base64, ...) are 400 with a
  string ``detail`` naming the problem, plus ``errors`` listing each one with its location;
  a request over one of the server's bounds (``over_limit``: a schema that expands too far,
  a config value out of range, too many webhooks) has the same body with status 422.
* 401/403/404/405, CSRF refusals, unknown URLs under ``/api/`` and 500s are JSON too.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import csrf, defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from extraction.pipeline.config import ConfigError
from extraction.pipeline.schemas import SchemaError
from extraction.services import ServiceBusy, ServiceError

logger = logging.getLogger(__name__)

ERROR_TYPES = {"required": "missing", "null": "missing", "invalid": "value_error"}


class RequestValidationError(exceptions.APIException):
    """A request whose shape is wrong; rendered as a FastAPI-style 422."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__()
        self.errors = errors


def flatten_errors(detail: Any, loc: list[Any]) -> list[dict[str, Any]]:
    """DRF's nested serializer errors -> ``[{"loc", "msg", "type"}]``."""
    if isinstance(detail, dict):
        return [
            item
            for key, value in detail.items()
            for item in flatten_errors(value, loc if key == "non_field_errors" else [*loc, key])
        ]
    if isinstance(detail, list):
        if all(isinstance(item, (str, exceptions.ErrorDetail)) for item in detail):
            return [item for value in detail for item in flatten_errors(value, loc)]
        return [
            item
            for index, value in enumerate(detail)
            for item in flatten_errors(value, [*loc, index])
        ]
    code = getattr(detail, "code", "value_error")
    return [{"loc": loc, "msg": str(detail), "type": ERROR_TYPES.get(code, code)}]


def _bad_request(
    detail: str, errors: list[dict[str, Any]], *, over_limit: bool = False
) -> Response:
    code = status.HTTP_422_UNPROCESSABLE_ENTITY if over_limit else status.HTTP_400_BAD_REQUEST
    return Response({"detail": detail, "errors": errors}, status=code)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler plus the mappings above; unknown exceptions propagate (-> JSON 500)."""
    if isinstance(exc, RequestValidationError):
        return Response({"detail": exc.errors}, status=exc.status_code)
    if isinstance(exc, exceptions.ValidationError):
        return Response(
            {"detail": flatten_errors(exc.detail, ["body"])},
            status=status.HTTP_422_UNPROCESSABLE_ENTITY,
        )
    if isinstance(exc, SchemaError):
        errors = [
            {
                "loc": ["body", "data_schema", *filter(None, ptr.split("/"))],
                "msg": msg,
                "type": "schema_error",
                "pointer": ptr or "/",
            }
            for ptr, msg in exc.problems
        ]
        return _bad_request(f"Invalid data_schema: {exc}", errors, over_limit=exc.over_limit)
    if isinstance(exc, ConfigError):
        errors = [
            {"loc": ["body", "config", field], "msg": msg, "type": "config_error"}
            for field, msg in exc.problems.items()
        ]
        return _bad_request(f"Invalid config: {exc}", errors, over_limit=exc.over_limit)
    if isinstance(exc, RequestDataTooBig):
        limit_mb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
        return Response(
            {"detail": f"The request body is larger than the {limit_mb:g} MB limit."},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, SuspiciousOperation):
        return Response({"detail": f"Bad request: {exc}"}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ServiceBusy):
        return Response(
            {"detail": str(exc)},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "5"},
        )
    if isinstance(exc, ServiceError):
        return _bad_request(
            str(exc),
            [{"loc": ["body"], "msg": str(exc), "type": "value_error"}],
            over_limit=exc.over_limit,
        )
    if isinstance(exc, RecursionError):
        # A last line behind the depth checks: nesting must never become a 500.
        return Response(
            {"detail": "The request nests too deeply to be read."},
            status=status.HTTP_400_BAD_REQUEST,
        )
    return exception_handler(exc, context)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404: JSON under /api/, Django's page elsewhere."""
    if _is_api(request):
        return JsonResponse({"detail": f"Not found: {request.path}"}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: JSON under /api/, Django's page elsewhere."""
    if _is_api(request):
        return JsonResponse({"detail": "Internal server error; it has been logged."}, status=500)
    return defaults.server_error(request)


@csrf_exempt  # any method to an unknown API URL is a 404, not a CSRF page
def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """The last URL pattern under /api/, so unknown API URLs are JSON even with DEBUG on."""
    return JsonResponse({"detail": f"Not found: {request.path}"}, status=404)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: JSON under /api/ (a browser session posting without its token),
    Django's page elsewhere."""
    if _is_api(request):
        return JsonResponse({"detail": f"CSRF check failed: {reason}"}, status=403)
    return csrf.csrf_failure(request, reason=reason)
