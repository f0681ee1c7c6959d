"""``/api/v1/beta/files``: the upload API of llama-cloud 1.x/2.x, over the same files as v1.

Part ``file`` with form fields ``purpose`` and ``external_file_id``; the type is sniffed from
the bytes (``services.file_upload``). Content URLs are the v1 signed download links.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core import signing
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.http import request_user
from extraction import selectors, services
from extraction.api.base import PROJECT_PARAMETERS, serialize_many
from extraction.api.v1.files import CONTENT_URL_SALT, CONTENT_URL_SECONDS
from extraction.api.v1.serializers import ErrorSerializer
from extraction.api.v2 import inputs
from extraction.api.v2 import serializers as v2
from extraction.api.v2.base import V2ProjectAPIView
from extraction.api.v2.pagination import MAX_PAGE_SIZE, paginate
from extraction.models import SourceFile

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from rest_framework.request import Request

TAG = ["Files (beta)"]
ORDERINGS = {
    "name": ("name", "id"),
    "id": ("id",),
    "created_at": ("-created_at", "-id"),
}


PAGINATED_FILES = v2.paginated("PaginatedBetaFiles", v2.BetaFileSerializer)


def content_url(request: Request, source: SourceFile) -> dict[str, Any]:
    """A PresignedURL for ``source``: v1's signed download link and when it expires."""
    token = signing.dumps(
        {"file": str(source.id), "project": str(source.project_id)}, salt=CONTENT_URL_SALT
    )
    return {
        "url": request.build_absolute_uri(reverse("api-v1:file-download", args=[token])),
        "expires_at": timezone.now() + dt.timedelta(seconds=CONTENT_URL_SECONDS),
        "form_fields": None,
    }


class BetaFileView(V2ProjectAPIView):
    def file_data(self, sources: list[SourceFile], expand: set[str]) -> Any:
        context: dict[str, Any] = {}
        if "download_url" in expand:
            urls = {source.id: content_url(self.request, source) for source in sources}
            context["download_urls"] = {
                key: v2.PresignedUrlSerializer(url).data for key, url in urls.items()
            }
        return serialize_many(v2.BetaFileSerializer, sources, context=context)


class BetaFileListCreateView(BetaFileView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        tags=TAG,
        operation_id="beta_file_create",
        parameters=PROJECT_PARAMETERS,
        request={"multipart/form-data": inputs.FileUploadInput},
        responses={200: v2.BetaFileSerializer, 400: ErrorSerializer, 422: ErrorSerializer},
        description="Upload a file (part `file`); its type is detected from the bytes.",
    )
    def post(self, request: Request) -> Response:
        body = inputs.parse_body(inputs.FileUploadInput, request)
        source = services.file_upload(
            project=self.project,
            upload=services.Upload.from_uploaded_file(body["file"]),
            purpose=body.get("purpose") or SourceFile.Purpose.EXTRACT,
            external_file_id=body.get("external_file_id") or "",
        )
        return Response(self.file_data([source], set())[0])

    @extend_schema(
        tags=TAG,
        operation_id="beta_file_list",
        parameters=[*PROJECT_PARAMETERS, inputs.FileListQuery],
        responses={
            200: PAGINATED_FILES,
            422: ErrorSerializer,
            400: ErrorSerializer,
        },
        description="The project's files, newest first unless order_by is name or id.",
    )
    def get(self, request: Request) -> Response:
        query = inputs.parse_query(inputs.FileListQuery, request)
        page = paginate(
            self.filtered(selectors.files_for_project(project=self.project), query),
            ordering=ORDERINGS[query.get("order_by") or "created_at"],
            page_size=query.get("page_size"),
            page_token=query.get("page_token"),
        )
        return Response(
            {
                "items": self.file_data(page.items, v2.expand_values(query.get("expand"))),
                "next_page_token": page.next_page_token,
                "total_size": page.total_size,
            }
        )

    @staticmethod
    def filtered(files: QuerySet[SourceFile], query: dict[str, Any]) -> QuerySet[SourceFile]:
        if query.get("external_file_id"):
            files = files.filter(external_file_id=query["external_file_id"])
        if query.get("file_name"):
            files = files.filter(name=query["file_name"])
        if query.get("file_ids"):
            ids = [v2.uuid_or_422(value, ["query", "file_ids"]) for value in query["file_ids"]]
            files = files.filter(id__in=ids)
        return files


def query_ordering(order_by: str | None) -> tuple[str, ...]:
    """``"name"``, ``"created_at desc"``... as an ordering with the id as tie-break."""
    if not order_by:
        return ORDERINGS["created_at"]
    field, _, direction = order_by.strip().partition(" ")
    sign = "-" if direction.strip() == "desc" else ""
    return (f"{sign}{field}",) if field == "id" else (f"{sign}{field}", f"{sign}id")


class BetaFileQueryView(BetaFileView):
    @extend_schema(
        tags=TAG,
        operation_id="beta_file_query",
        parameters=PROJECT_PARAMETERS,
        request=inputs.FileQueryInput,
        responses={
            200: PAGINATED_FILES,
            400: ErrorSerializer,
            422: ErrorSerializer,
        },
        description="Deprecated by LlamaCloud in favour of GET /files; the same list with "
        "its filters in the body.",
    )
    def post(self, request: Request) -> Response:
        body = inputs.parse_body(inputs.FileQueryInput, request)
        filters = body.get("filter") or {}
        files = selectors.files_for_project(project=self.project)
        # Every file here was uploaded directly (none comes from a data source), and a
        # project filter can only narrow the caller's own project.
        other_project = filters.get("project_id") not in (None, "", str(self.project.id))
        if filters.get("data_source_id") or other_project:
            files = files.none()
        page = paginate(
            BetaFileListCreateView.filtered(files, filters),
            ordering=query_ordering(body.get("order_by")),
            page_size=min(body.get("page_size") or 50, MAX_PAGE_SIZE),
            page_token=body.get("page_token"),
        )
        return Response(
            {
                "items": self.file_data(page.items, set()),
                "next_page_token": page.next_page_token,
                "total_size": page.total_size,
            }
        )


class BetaFileDetailView(BetaFileView):
    @extend_schema(
        tags=TAG,
        operation_id="beta_file_get",
        parameters=[*PROJECT_PARAMETERS, OpenApiParameter("expand", str, many=True)],
        responses={200: v2.BetaFileSerializer, 404: ErrorSerializer},
        description="File metadata; `expand=download_url` adds a signed download URL.",
    )
    def get(self, request: Request, file_id: str) -> Response:
        query = inputs.parse_query(inputs.ExpandQuery, request)
        source = self.get_file(file_id)
        return Response(self.file_data([source], v2.expand_values(query.get("expand")))[0])

    @extend_schema(
        tags=TAG,
        operation_id="beta_file_delete",
        parameters=PROJECT_PARAMETERS,
        responses={204: None, 404: ErrorSerializer},
        description="Delete the file; jobs that read it keep their results.",
    )
    def delete(self, request: Request, file_id: str) -> Response:
        services.file_delete(source=self.get_file(file_id), actor=request_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class BetaFileContentView(BetaFileView):
    @extend_schema(
        tags=TAG,
        operation_id="beta_file_content",
        parameters=[*PROJECT_PARAMETERS, inputs.FileContentQuery],
        responses={200: v2.PresignedUrlSerializer, 404: ErrorSerializer},
        description=f"A URL that downloads the file for {CONTENT_URL_SECONDS} seconds "
        "(a shorter expires_at_seconds is accepted; the link lives that long regardless).",
    )
    def get(self, request: Request, file_id: str) -> Response:
        inputs.parse_query(inputs.FileContentQuery, request)
        source = self.get_file(file_id)
        return Response(v2.PresignedUrlSerializer(content_url(request, source)).data)
