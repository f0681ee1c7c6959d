"""Refuse oversized request bodies before Django reads them into memory.

Uploads (multipart) may be up to ``MAX_UPLOAD_BYTES`` plus room for the form fields; any other
body (JSON, base64 files inside JSON) up to ``MAX_JSON_BODY_BYTES``. The check uses the declared
``Content-Length``; a body without one is streamed by Django and capped by its own limits.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

MULTIPART_OVERHEAD_BYTES = 1024 * 1024


class RequestSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return JsonResponse({"detail": "Invalid Content-Length header."}, status=400)
        if request.content_type == "multipart/form-data":
            limit = settings.MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD_BYTES
            what = "upload"
        else:
            limit = settings.MAX_JSON_BODY_BYTES
            what = "request body"
        if length > limit:
            return JsonResponse(
                {"detail": f"The {what} is {length} bytes; the limit is {limit} bytes."},
                status=413,
            )
        return self.get_response(request)
