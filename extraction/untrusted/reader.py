"""Read untrusted files for the web process in a fresh, resource-limited process.

The web server shows page images and text previews and proposes schemas from uploaded files.
Parsing those bytes (pdfium, Pillow, the office and HTML loaders) can take minutes of CPU or
gigabytes of memory on a hostile file, so the web process never does it itself: each call runs
``python -m extraction.untrusted.child``, a new interpreter (not a fork of the threaded web
server) that caps its own address space (``PREVIEW_MEMORY_MB``) and CPU time
(``PREVIEW_CPU_SECONDS``) before it reads the file, with only ``PATH`` in its environment. This
process kills it after ``PREVIEW_TIMEOUT_SECONDS``. At most ``PREVIEW_CONCURRENCY`` children
run at once per web process; a call beyond that waits briefly, then raises ``PreviewBusy``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from django.conf import settings

from extraction.pipeline.documents.base import DocumentError

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BUSY_WAIT_SECONDS = 2.0

_slots: tuple[int, threading.BoundedSemaphore] | None = None
_slots_lock = threading.Lock()


class UntrustedFileError(DocumentError):
    """The file could not be read within the limits; the message says why, in user terms."""


class PreviewBusy(UntrustedFileError):
    """Every reading slot of this process is taken; try again shortly."""


def _semaphore() -> threading.BoundedSemaphore:
    global _slots
    with _slots_lock:
        if _slots is None or _slots[0] != settings.PREVIEW_CONCURRENCY:
            _slots = (
                settings.PREVIEW_CONCURRENCY,
                threading.BoundedSemaphore(settings.PREVIEW_CONCURRENCY),
            )
        return _slots[1]


def _run(op: str, content: bytes, **arguments: Any) -> tuple[dict[str, Any], bytes]:
    """Run ``op`` on ``content`` in a limited child; (header, payload) of a success.

    Raises ``PreviewBusy`` or ``UntrustedFileError``.
    """
    request = {
        "op": op,
        "memory_bytes": settings.PREVIEW_MEMORY_MB * 1024 * 1024,
        "cpu_seconds": settings.PREVIEW_CPU_SECONDS,
        "ocr_engine": settings.OCR_ENGINE,
        "ocr_language": settings.OCR_LANGUAGE,
        **arguments,
    }
    slots = _semaphore()
    if not slots.acquire(timeout=BUSY_WAIT_SECONDS):
        raise PreviewBusy("The server is busy reading other files; try again in a moment.")
    timeout = settings.PREVIEW_TIMEOUT_SECONDS
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "extraction.untrusted.child"],
            input=json.dumps(request).encode() + b"\n" + content,
            capture_output=True,
            timeout=timeout,
            cwd=PROJECT_ROOT,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(PROJECT_ROOT)},
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise UntrustedFileError(
            f"Reading the file took longer than {timeout:g} seconds and was stopped."
        ) from None
    finally:
        slots.release()
    if completed.returncode < 0:
        if -completed.returncode in (signal.SIGXCPU, signal.SIGKILL):
            raise UntrustedFileError(
                f"Reading the file needed more than {settings.PREVIEW_CPU_SECONDS} seconds of "
                "processing time and was stopped."
            )
        # pdfium aborts when an allocation fails under the memory cap (SIGABRT).
        raise UntrustedFileError(
            "Reading the file ran out of memory or crashed "
            f"({signal.Signals(-completed.returncode).name})."
        )
    header_line, _, payload = completed.stdout.partition(b"\n")
    try:
        header = json.loads(header_line)
    except ValueError:
        raise UntrustedFileError("The file reader stopped without an answer.") from None
    if not header.get("ok"):
        if header.get("error") == "memory":
            raise UntrustedFileError(
                f"Reading the file needs more than {settings.PREVIEW_MEMORY_MB} MB of memory."
            )
        raise UntrustedFileError(header.get("message") or "The file could not be read.")
    return header, payload


def render_page_isolated(content: bytes, page: int, dpi: int) -> bytes:
    """PNG of 1-based ``page`` (see ``documents.render_page``), rendered in a limited child.

    Raises ``UntrustedFileError`` (``PreviewBusy`` when no slot is free).
    """
    header, payload = _run("render", content, page=page, dpi=dpi)
    if len(payload) != header.get("length"):
        raise UntrustedFileError("The file reader returned a truncated image.")
    return payload


def page_texts_isolated(
    content: bytes, *, declared_type: str, file_name: str, pages: int
) -> dict[int, str]:
    """Page number -> text of the first ``pages`` pages, read in a limited child."""
    header, _ = _run(
        "page_texts",
        content,
        declared_type=declared_type,
        file_name=file_name,
        pages=pages,
        max_pages=settings.MAX_DOCUMENT_PAGES,
        timeout=settings.PREVIEW_TIMEOUT_SECONDS,
    )
    return {int(number): text for number, text in header["texts"].items()}


def document_text_isolated(
    content: bytes, *, declared_type: str, file_name: str, pages: int, max_chars: int
) -> str:
    """The text of the first ``pages`` pages (at most ``max_chars``), read in a limited child."""
    header, _ = _run(
        "text",
        content,
        declared_type=declared_type,
        file_name=file_name,
        pages=pages,
        max_chars=max_chars,
        max_pages=settings.MAX_DOCUMENT_PAGES,
        timeout=settings.PREVIEW_TIMEOUT_SECONDS,
    )
    text: str = header["text"]
    return text
