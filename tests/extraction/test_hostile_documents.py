"""Hostile documents end their job in ERROR with a readable reason; the worker keeps serving."""

from __future__ import annotations

import io
import zlib

import pytest
from PIL import Image
from pypdf import PdfWriter

from extraction.models import ExtractionJob, JobStatus
from extraction.tasks import extract_job
from tests.factories import AgentFactory, store_file, submit_job


def pdf_with_pages(count: int) -> bytes:
    writer = PdfWriter()
    for _ in range(count):
        writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def png_bomb() -> bytes:
    """A tiny PNG that claims 40,000 x 40,000 pixels (1.6 gigapixels) of zeros."""
    width = height = 40_000
    raw = zlib.compress(b"\x00" * (width // 8 + 1) * 64, 9)  # a few rows; the header lies
    image = Image.new("1", (8, 8))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    data = bytearray(buffer.getvalue())
    # Rewrite the IHDR dimensions (offset 16) and its CRC.
    data[16:24] = width.to_bytes(4, "big") + height.to_bytes(4, "big")
    crc = zlib.crc32(bytes(data[12:29])).to_bytes(4, "big")
    data[29:33] = crc
    del raw
    return bytes(data)


def run_file(project, content: bytes, name: str) -> ExtractionJob:
    agent = AgentFactory(project=project)
    source = store_file(project, content, name)
    job = submit_job(project=project, agent=agent, source=source)
    extract_job.apply(args=[str(job.pk)])
    job.refresh_from_db()
    return job


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "name", "reason"),
    [
        (lambda: pdf_with_pages(10_000), "huge.pdf", "1000"),
        (lambda: pdf_with_pages(3)[:-200], "truncated.pdf", ""),
        (png_bomb, "bomb.png", ""),
    ],
    ids=["10000-pages", "truncated-pdf", "png-bomb"],
)
def test_hostile_document_fails_its_job_readably_and_the_worker_goes_on(
    content, name, reason, owner_project, settings
):
    settings.SANDBOX_ENABLED = True
    job = run_file(owner_project, content(), name)
    assert job.status == JobStatus.ERROR
    assert job.error
    assert "internal error" not in job.error
    assert "Traceback" not in job.error
    assert reason in job.error
    # The same worker process takes the next job normally.
    agent = AgentFactory(project=owner_project)
    healthy = submit_job(
        project=owner_project, agent=agent, text="Invoice number: INV-9\nTotal: 9.00"
    )
    extract_job.apply(args=[str(healthy.pk)])
    healthy.refresh_from_db()
    assert healthy.status == JobStatus.SUCCESS
