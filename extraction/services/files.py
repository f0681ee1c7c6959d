"""Uploaded files: the one adapter from what an edge received, storing, deleting.

``Upload`` is what every edge hands over (a Django ``UploadedFile``, the stateless API's base64
``file``); its type is judged from the bytes. ``file_delete`` is the only way a file goes: the
bytes, its page images and text previews, and the cached results of the jobs that read it.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts.audit import audited_delete
from extraction.models import ExtractionCacheEntry, ExtractionRun, SourceFile
from extraction.pipeline.documents.base import DocumentError, UnsupportedDocumentType
from extraction.pipeline.documents.detect import EXTENSIONS, detect_type
from extraction.services.errors import ServiceError
from extraction.storage import derived_files_delete

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from accounts.models import Project, User

OCTET_STREAM = "application/octet-stream"
# Extensions for a nameless upload whose detected type has none in EXTENSIONS.
OFFICE_EXTENSIONS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
}


@dataclass(frozen=True)
class Upload:
    """Bytes a client sent, with the name and type it gave them (neither trusted)."""

    content: bytes
    name: str = "upload"
    declared_type: str = OCTET_STREAM

    @classmethod
    def from_uploaded_file(cls, uploaded: UploadedFile[bytes]) -> Upload:
        """A multipart part as the pages and the API receive it."""
        return cls(
            content=uploaded.read(),
            name=uploaded.name or "upload",
            declared_type=uploaded.content_type or OCTET_STREAM,
        )

    @classmethod
    def from_base64(cls, data: Any, *, declared_type: str | None) -> Upload:
        """The stateless API's ``file`` (``data`` + ``mime_type``); raises ``ServiceError``."""
        if not isinstance(data, str):
            raise ServiceError("file.data must be a base64-encoded string.")
        try:
            content = base64.b64decode("".join(data.split()), validate=True)
        except (binascii.Error, ValueError):
            raise ServiceError("file.data is not valid base64.") from None
        if not content:
            raise ServiceError("file.data is empty.")
        return cls(content=content, name="document", declared_type=declared_type or OCTET_STREAM)


def file_upload(
    *,
    project: Project,
    upload: Upload,
    purpose: str = SourceFile.Purpose.EXTRACT,
    external_file_id: str = "",
) -> SourceFile:
    """Store an upload with its type detected from the content; raises ``ServiceError``.

    A nameless upload (``upload``, as SDKs send raw bytes) gets an extension for its type, so
    ``file_type`` reads ``pdf`` rather than nothing.
    """
    if purpose not in SourceFile.Purpose.values:
        raise ServiceError(f"purpose must be one of {', '.join(SourceFile.Purpose.values)}.")
    content = upload.content
    if not content:
        raise ServiceError("The file is empty.")
    if len(content) > settings.MAX_UPLOAD_BYTES:
        limit_mb = settings.MAX_UPLOAD_BYTES // (1024 * 1024)
        raise ServiceError(f"The file is larger than the {limit_mb} MB limit.")
    mime_type = file_sniff_type(
        content=content, name=upload.name, declared_type=upload.declared_type
    )
    name = safe_file_name(upload.name)
    if "." not in name:
        extension = OFFICE_EXTENSIONS.get(mime_type) or next(
            (ext for ext, kind in EXTENSIONS.items() if kind == mime_type), None
        )
        name += extension or "." + mime_type.rsplit("/", 1)[-1].split("+")[0][:10]
    expires_at = None
    if settings.FILE_EXPIRY_DAYS:
        expires_at = timezone.now() + dt.timedelta(days=settings.FILE_EXPIRY_DAYS)
    source = SourceFile(
        project=project,
        name=name,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        mime_type=mime_type,
        purpose=purpose,
        external_file_id=external_file_id[:1024],
        expires_at=expires_at,
    )
    source.content.save(source.name, ContentFile(content), save=False)
    source.save()
    return source


def file_sniff_type(*, content: bytes, name: str, declared_type: str) -> str:
    """The media type judged from the bytes; the declared type when they say nothing usable."""
    declared = (declared_type or "").split(";")[0].strip().lower()
    try:
        return detect_type(
            content,
            declared_type=None if declared == OCTET_STREAM else declared or None,
            file_name=name,
        )
    except UnsupportedDocumentType:
        return OCTET_STREAM  # the bytes contradict any declared type
    except DocumentError:
        return declared or OCTET_STREAM


def safe_file_name(name: str) -> str:
    """Keep only the last path component of a client-supplied name (no traversal, no NULs)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].replace("\x00", "").strip()
    return (base or "upload")[:255]


def file_delete(
    *, source: SourceFile, actor: User | None = None, action: str = "file.delete"
) -> None:
    """Delete a file and everything derived from it: the stored bytes, its page images and
    text preview, and the cached results of the jobs that read it (audited as ``action``).

    The jobs and their runs stay, as the record of what was extracted (a job's file becomes
    null); this is the only path that deletes a file, for users, the API and expiry alike.
    """
    file_id = str(source.id)
    cache_keys = set()
    for metadata in ExtractionRun.objects.filter(job__file=source).values_list(
        "extraction_metadata", flat=True
    ):
        key = ((metadata or {}).get("cache") or {}).get("key")
        if isinstance(key, str):
            cache_keys.add(key)
    with transaction.atomic():
        ExtractionCacheEntry.objects.filter(
            project_id=source.project_id, key__in=cache_keys
        ).delete()
        audited_delete(
            source,
            action=action,
            actor=actor,
            project=source.project,
            details={
                "name": source.name,
                "sha256": source.sha256,
                "cached_results": len(cache_keys),
            },
        )
    # After the row is gone: a failure leaves no dangling row, only bytes to sweep.
    source.content.delete(save=False)
    derived_files_delete(file_id=file_id)


def files_forget_stored(sources: list[SourceFile]) -> None:
    """Remove the bytes of files whose rows a failed transaction rolled back."""
    for source in sources:
        source.content.delete(save=False)
