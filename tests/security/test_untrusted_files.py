"""Finding 3: untrusted files are parsed and rendered for the web only in a limited child
process; every image frame's size is checked before it is decoded; previews are rate-limited."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from PIL import Image
from reportlab.pdfgen import canvas

from extraction import services
from extraction.pipeline.documents import DocumentTooLarge, render_page
from extraction.untrusted import reader as untrusted
from extraction.web import page_images
from extraction.web.views.jobs import PreviewThrottle
from tests.factories import store_file


def pdf(width_points: float = 612, height_points: float = 792, text: str = "Total: 12.00") -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=(width_points, height_points))
    page.drawString(72, height_points - 72, text)
    page.save()
    return buffer.getvalue()


def tiff_with_a_huge_second_frame() -> bytes:
    """A small TIFF whose first frame is 100x100 and whose second declares 12,000 x 9,000
    pixels (past the 100 M pixel limit), compressed to almost nothing."""
    small = Image.new("1", (100, 100), 1)
    huge = Image.new("1", (12_000, 9_000), 1)
    buffer = io.BytesIO()
    small.save(buffer, "TIFF", save_all=True, append_images=[huge], compression="group4")
    return buffer.getvalue()


def store(project, content: bytes, name: str):
    return store_file(project, content, name)


def marker(source, page: int = 1, dpi: int = 110) -> Path:
    return Path(settings.DATA_DIR) / "renders" / str(source.id) / f"{page}-{dpi}.failed"


@pytest.mark.django_db
def test_page_images_are_rendered_outside_the_web_process(owner_project, monkeypatch):
    import extraction.pipeline.documents.render as render_module

    def never_here(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("rendered in the web process")

    monkeypatch.setattr(render_module, "render_page", never_here)
    monkeypatch.setattr("extraction.pipeline.documents.render_page", never_here)
    source = store(owner_project, pdf(), "a.pdf")
    image = page_images.page_png(source=source, page=1)
    assert image is not None
    assert image.startswith(b"\x89PNG")


@pytest.mark.django_db
def test_a_render_past_the_memory_limit_fails_in_the_child_and_is_not_retried(
    owner_project, settings
):
    settings.PREVIEW_MEMORY_MB = 64
    # 2,500 points square at 200 dpi: 48 M pixels, ~190 MB of bitmap.
    source = store(owner_project, pdf(2_500, 2_500), "big.pdf")
    assert page_images.page_png(source=source, page=1, dpi=200) is None
    assert "memory" in marker(source, dpi=200).read_text()
    settings.PREVIEW_MEMORY_MB = 2048
    assert page_images.page_png(source=source, page=1, dpi=200) is None  # not tried again


@pytest.mark.django_db
def test_a_render_past_the_time_limit_is_stopped(owner_project, settings):
    settings.PREVIEW_TIMEOUT_SECONDS = 0.01
    source = store(owner_project, pdf(), "slow.pdf")
    assert page_images.page_png(source=source, page=1) is None
    assert "longer than" in marker(source).read_text()


@pytest.mark.django_db
def test_text_previews_are_read_in_the_child(owner_project, monkeypatch):
    calls = []
    real = untrusted._run
    monkeypatch.setattr(
        untrusted, "_run", lambda op, *a, **k: calls.append(op) or real(op, *a, **k)
    )
    source = store(owner_project, b"Invoice number: INV-3\nTotal: 3.00\n", "a.txt")
    texts = page_images.page_texts(source=source)
    assert texts == {1: "Invoice number: INV-3\nTotal: 3.00"}
    assert calls == ["page_texts"]


@pytest.mark.django_db
def test_schema_suggestion_reads_the_file_in_the_child(owner_project, monkeypatch):
    import extraction.pipeline.documents.loading as loading

    def never_here(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed in the web process")

    monkeypatch.setattr(loading, "load_document", never_here)
    source = store(owner_project, pdf(text="Invoice number: INV-7"), "s.pdf")
    schema = services.schema_generate(source=source)
    assert "invoice_number" in schema["properties"]


def test_every_frame_is_measured_before_it_is_decoded():
    content = tiff_with_a_huge_second_frame()
    assert len(content) < 200_000
    assert render_page(content, 1, 72, "png").startswith(b"\x89PNG")
    with pytest.raises(DocumentTooLarge, match="A page of the image is 12000x9000"):
        render_page(content, 2, 72, "png")


def test_loading_a_tiff_refuses_an_oversized_later_frame_up_front():
    from extraction.pipeline.documents import LoadOptions
    from extraction.pipeline.documents.images import load_image

    with pytest.raises(DocumentTooLarge, match="12000x9000"):
        load_image(tiff_with_a_huge_second_frame(), LoadOptions())


@pytest.mark.django_db
def test_preview_requests_are_rate_limited_per_user(client, owner, owner_project, monkeypatch):
    monkeypatch.setattr(PreviewThrottle, "THROTTLE_RATES", {"preview": "3/min"})
    source = store(owner_project, pdf(), "r.pdf")
    client.force_login(owner)
    url = reverse("page_image", args=[source.id, 1])
    statuses = [client.get(url).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


@pytest.mark.django_db
def test_no_free_reader_answers_503_not_a_queue(client, owner, owner_project, settings):
    settings.PREVIEW_CONCURRENCY = 1
    source = store(owner_project, pdf(), "b.pdf")
    slots = untrusted._semaphore()
    slots.acquire()
    try:
        client.force_login(owner)
        response = client.get(reverse("page_image", args=[source.id, 1]))
    finally:
        slots.release()
    assert response.status_code == 503
    assert response["Retry-After"]
    assert not marker(source).exists()  # busy is not the file's fault
