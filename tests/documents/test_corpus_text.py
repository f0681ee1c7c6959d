"""Every printed field of the test corpus is found, as printed, on the page meta.json names,
and its boxes lie inside that page — for PDF, HTML, TXT, MD, CSV, DOCX and XLSX alike."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from extraction.pipeline.documents import load_document
from extraction.pipeline.documents.detect import DOCX, XLSX
from tests.documents.conftest import assert_inside_page, find_on_page, normalize

if TYPE_CHECKING:
    from tests.corpus import Corpus, CorpusDocument


def _field_lines(document: CorpusDocument) -> list[tuple[str, int, str]]:
    """(path, page, one printed line) for every non-null leaf; multi-line values are checked
    line by line since an address block may share its lines with a column beside it."""
    return [
        (field["path"], field["page"], line)
        for field in document.meta["fields"]
        if field["page"] is not None
        for line in field["rendered"].split("\n")
        if line.strip()
    ]


def test_corpus_fields_are_found_on_their_page_with_boxes_inside(corpus: Corpus):
    formats = {doc.meta["format"] for doc in corpus}
    assert formats == {"pdf", "html", "txt", "md", "csv", "docx", "xlsx"}
    checked = 0
    exact = 0
    missing: list[str] = []
    for doc in corpus:
        loaded = load_document(
            doc.path.read_bytes(), declared_type="application/octet-stream", file_name="upload"
        )
        assert loaded.page_count == doc.page_count, doc.doc_id
        for path, page_number, line in _field_lines(doc):
            page = loaded.page(page_number)
            checked += 1
            span = find_on_page(page, line)
            if span is None:
                # A table cell or title wrapped over two printed lines: every word must still
                # be on the page.
                page_words = {word.text for word in page.words}
                if not all(token in page_words for token in normalize(line).split()):
                    missing.append(f"{doc.doc_id} {path} {line!r}")
                continue
            exact += 1
            boxes = page.boxes_for_span(*span)
            assert boxes, (doc.doc_id, path)
            for box in boxes:
                assert_inside_page(page, box)
    assert missing == []
    assert checked > 1800
    assert exact / checked > 0.998, (exact, checked)


@pytest.mark.parametrize("suffix", [".pdf", ".html", ".txt", ".md", ".csv", ".docx", ".xlsx"])
def test_each_format_is_detected_from_content_not_declared_type(corpus: Corpus, suffix):
    doc = next(d for d in corpus if d.path.suffix == suffix)
    loaded = load_document(
        doc.path.read_bytes(), declared_type="application/pdf", file_name="upload.pdf"
    )
    expected = {
        ".pdf": "application/pdf",
        ".html": "text/html",
        ".txt": {"text/plain", "text/markdown"},
        ".md": "text/markdown",
        ".csv": "text/csv",
        ".docx": DOCX,
        ".xlsx": XLSX,
    }[suffix]
    assert loaded.media_type in (expected if isinstance(expected, set) else {expected})
    assert loaded.metadata["declared_type"] == "application/pdf"
