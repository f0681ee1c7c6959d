"""Documents for the classification tests, built at test time: the corpus documents (the
session ``corpus`` fixture) and small PDFs drawn here with reportlab, concatenated into
bundles with pypdf."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import pytest
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen import canvas

from classification.base import Rule
from classification.splitting import Category
from extraction.pipeline.documents import Page, load_document

if TYPE_CHECKING:
    from tests.corpus import Corpus

RULES = [
    Rule(
        "invoice",
        "A commercial document requesting payment for goods or services, with line items, "
        "totals and payment terms",
    ),
    Rule("receipt", "Proof of payment from a shop or restaurant"),
    Rule("resume", "A CV describing a person's work experience and education"),
    Rule("contract", "A legal agreement between parties"),
]
CATEGORIES = [Category(rule.type, rule.description) for rule in RULES]

# The corpus documents used as "one of each kind" (doc id -> kind and page count).
KINDS = {
    "invoice_long_us": ("invoice", 2),
    "resume_classic_us": ("resume", 1),
    "lease_pdf_us": ("contract", 2),
    "receipt_slip_us": ("receipt", 1),
}

RECIPE = [
    ("Tomato Soup", 20.0),
    ("Serves four. Ready in forty minutes.", 11.0),
    ("Soften the onion and garlic in olive oil over a low heat until golden.", 11.0),
    ("Add the chopped tomatoes and a pinch of sugar, then simmer gently.", 11.0),
    ("Blend until smooth, season with salt and pepper and serve with bread.", 11.0),
]


def pdf_page_bytes(lines: list[tuple[str, float]], *, pages: int = 1) -> bytes:
    """A Letter PDF whose pages each print ``lines`` (text, font size) from the top."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=LETTER, invariant=1)
    for _ in range(pages):
        y = LETTER[1] - 72
        for text, size in lines:
            pdf.setFont("Helvetica", size)
            pdf.drawString(72, y, text)
            y -= size * 1.8
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def bundle_bytes(*parts: bytes) -> bytes:
    """The PDFs ``parts`` concatenated into one, in order."""
    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def load_pages(data: bytes) -> list[Page]:
    with load_document(data) as document:
        return list(document.pages)


@pytest.fixture(scope="session")
def kind_pdfs(corpus: Corpus) -> dict[str, bytes]:
    """One PDF of each kind from the test corpus, by doc id."""
    return {doc_id: corpus[doc_id].path.read_bytes() for doc_id in KINDS}
