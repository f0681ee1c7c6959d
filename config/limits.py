"""Refuse request bodies the server will not read, before Django reads them into memory.

Uploads (multipart) may be up to ``MAX_UPLOAD_BYTES`` plus room for the form fields; any other
body (JSON, base64 files inside JSON) up to ``MAX_JSON_BODY_BYTES``. The check uses the declared
``Content-Length``. A body sent ``Transfer-Encoding: chunked`` without one is answered 411:
Django reads a WSGI body only up to its declared length, so it would otherwise look empty
("No file was submitted"). A ``charset`` that is not a text encoding (``bz2_codec``) is 415.
"""

from __future__ import annotations

import codecs
from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

if TYPE_CHECKING:
    from collections.abc import Callable

MULTIPART_OVERHEAD_BYTES = 1024 * 1024


class RequestSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        charset = request.content_params.get("charset") if request.content_params else None
        if charset is not None and not _is_text_encoding(charset):
            return JsonResponse(
                {"detail": f"Unsupported charset {charset[:40]!r} in Content-Type; use utf-8."},
                status=415,
            )
        chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not request.META.get("CONTENT_LENGTH"):
            return JsonResponse(
                {
                    "detail": (
                        "Send the request with a Content-Length header: bodies sent with "
                        "Transfer-Encoding: chunked are not read."
                    )
                },
                status=411,
            )
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


def _is_text_encoding(name: str) -> bool:
    try:
        return codecs.lookup(name)._is_text_encoding
    except (LookupError, ValueError):
        return False
