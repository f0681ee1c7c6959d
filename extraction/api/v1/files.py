"""Files for the v1 family: multipart upload, metadata, delete and signed content URLs.

``GET /files/{id}/content`` answers a short-lived URL signed with ``django.core.signing``; the
server itself serves it at ``/api/v1/files/download/<token>`` without other credentials.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core import signing
from django.http import FileResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import request_user
from extraction import selectors, services
from extraction.api.base import PROJECT_PARAMETERS, ProjectAPIView, deleted, found
from extraction.api.v1 import inputs
from extraction.api.v1.serializers import (
    DELETED_RESPONSE,
    ErrorSerializer,
    FileSerializer,
    PresignedUrlSerializer,
)
from extraction.models import SourceFile

if TYPE_CHECKING:
    from rest_framework.authentication import BaseAuthentication
    from rest_framework.request import Request

TAG = ["Files"]
CONTENT_URL_SALT = "openextract.api.v1.file-content"
CONTENT_URL_SECONDS = 600


class FileUploadView(ProjectAPIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        tags=TAG,
        operation_id="upload_file",
        parameters=[
            *PROJECT_PARAMETERS,
            OpenApiParameter("external_file_id", str),
            OpenApiParameter("storage_type", str),
            OpenApiParameter("purpose", str),
        ],
        request={"multipart/form-data": inputs.FileUploadInput},
        responses={200: FileSerializer, 400: ErrorSerializer, 422: ErrorSerializer},
        description="Upload a file (part `upload_file`); its type is detected from the bytes.",
    )
    def post(self, request: Request) -> Response:
        body = inputs.parse_body(inputs.FileUploadInput, request)
        query = inputs.parse_query(inputs.FileUploadQuery, request)
        source = services.file_upload(
            project=self.project,
            upload=services.Upload.from_uploaded_file(body["upload_file"]),
            purpose=query.get("purpose") or SourceFile.Purpose.EXTRACT,
            external_file_id=query.get("external_file_id") or "",
        )
        return Response(FileSerializer(source).data)


class FileDetailView(ProjectAPIView):
    @extend_schema(
        tags=TAG,
        operation_id="get_file",
        parameters=PROJECT_PARAMETERS,
        responses={200: FileSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request, file_id: str) -> Response:
        return Response(FileSerializer(self.get_file(file_id)).data)

    @extend_schema(
        tags=TAG,
        operation_id="delete_file",
        parameters=PROJECT_PARAMETERS,
        responses={200: DELETED_RESPONSE, 404: ErrorSerializer},
    )
    def delete(self, request: Request, file_id: str) -> Response:
        services.file_delete(source=self.get_file(file_id), actor=request_user(request))
        return deleted()


class FileContentView(ProjectAPIView):
    @extend_schema(
        tags=TAG,
        operation_id="read_file_content",
        parameters=PROJECT_PARAMETERS,
        responses={200: PresignedUrlSerializer, 404: ErrorSerializer},
        description=f"A URL that downloads the file for {CONTENT_URL_SECONDS} seconds.",
    )
    def get(self, request: Request, file_id: str) -> Response:
        source = self.get_file(file_id)
        token = signing.dumps(
            {"file": str(source.id), "project": str(source.project_id)}, salt=CONTENT_URL_SALT
        )
        url = request.build_absolute_uri(reverse("api-v1:file-download", args=[token]))
        expires_at = timezone.now() + dt.timedelta(seconds=CONTENT_URL_SECONDS)
        return Response(
            PresignedUrlSerializer({"url": url, "expires_at": expires_at, "form_fields": None}).data
        )


class FileDownloadView(APIView):
    """The signed URL itself: the token is the credential, so no API key is needed."""

    authentication_classes: list[type[BaseAuthentication]] = []
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAG,
        operation_id="download_file",
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
        description="Download a file through a URL from GET /files/{id}/content.",
    )
    def get(self, request: Request, token: str) -> FileResponse:
        try:
            claims = signing.loads(token, salt=CONTENT_URL_SALT, max_age=CONTENT_URL_SECONDS)
        except signing.SignatureExpired:
            raise exceptions.PermissionDenied("This download link has expired.") from None
        except signing.BadSignature:
            raise exceptions.PermissionDenied("Invalid download link.") from None
        source = found(
            selectors.file_get_by_id_in_project(
                file_id=claims.get("file"), project_id=claims.get("project")
            ),
            "File",
        )
        return FileResponse(
            source.content.open("rb"),
            as_attachment=True,
            filename=source.name,
            content_type=source.mime_type or "application/octet-stream",
        )
