"""Text, Markdown, JSON, CSV and HTML loaders, inline text, and synthetic geometry."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from extraction.pipeline.documents import (
    CorruptDocument,
    DocumentTooLarge,
    LoadOptions,
    UnsupportedDocumentType,
    load_document,
    load_text,
)
from tests.documents.conftest import assert_inside_page


def test_inline_text_has_one_line_per_text_line_with_grid_boxes():
    document = load_text("Invoice No: 42\n\nTotal:   $10.00")
    page = document.page(1)
    assert document.media_type == "text/plain"
    assert page.text == "Invoice No: 42\nTotal: $10.00"
    assert [line.text for line in page.lines] == ["Invoice No: 42", "Total: $10.00"]
    total, amount = page.words[3], page.words[4]
    assert (total.text, amount.text) == ("Total:", "$10.00")
    # The printed column gap survives in the geometry even though the text has one space.
    assert amount.box.x - (total.box.x + total.box.w) > 2 * total.box.w / len("Total:")
    assert page.lines[1].box.y > page.lines[0].box.y
    for word in page.words:
        assert_inside_page(page, word.box)
        assert page.text[word.start : word.end] == word.text


def test_form_feed_starts_a_new_page():
    document = load_text("first page\fsecond page\fthird")
    assert document.page_count == 3
    assert [page.text for page in document.pages] == ["first page", "second page", "third"]
    assert [page.number for page in document.pages] == [1, 2, 3]


def test_long_text_is_split_into_pseudo_pages_and_limited():
    text = "\n".join(f"line {n}" for n in range(1, 1001))
    document = load_text(text, options=LoadOptions(text_page_lines=300))
    assert document.page_count == 4
    assert document.page(2).text.split("\n")[0] == "line 301"
    assert document.page(4).text.split("\n")[-1] == "line 1000"
    for word in document.page(1).words:
        assert_inside_page(document.page(1), word.box)
    with pytest.raises(DocumentTooLarge, match="limit of 2 pages"):
        load_text(text, options=LoadOptions(text_page_lines=300, max_pages=2))


def test_long_lines_wrap_and_stay_inside_the_page():
    page = load_text("word " * 500).page(1)
    assert len(page.lines) > 20
    assert all(len(line.text) <= 90 for line in page.lines)
    for word in page.words:
        assert_inside_page(page, word.box)


def test_empty_text_is_rejected():
    with pytest.raises(CorruptDocument, match="empty"):
        load_text("  \n ")


def test_markdown_headings_get_larger_font_sizes():
    markdown = b"# Lease Agreement\n\nSome text here.\n\n## 1. Term\n\n- twelve months\n"
    document = load_document(markdown, file_name="upload")
    page = document.page(1)
    assert document.media_type == "text/markdown"
    sizes = {line.text: line.font_size for line in page.lines}
    assert sizes["# Lease Agreement"] > sizes["## 1. Term"] > sizes["Some text here."]


def test_json_is_pretty_printed():
    data = json.dumps({"invoice": {"number": "A-1", "total": 12.5}}).encode()
    document = load_document(data, declared_type="application/octet-stream")
    assert document.media_type == "application/json"
    assert '"number": "A-1",' in document.page(1).text.split("\n")


def test_csv_rows_keep_their_header_and_columns():
    rows = ["sku,name,price"] + [f"S{n},Item number {n},{n}.99" for n in range(1, 401)]
    document = load_document(
        "\n".join(rows).encode(), options=LoadOptions(text_page_lines=100), file_name="upload"
    )
    assert document.media_type == "text/csv"
    assert document.page_count == 5  # 400 rows, 99 per page under the repeated header
    for page in document.pages:
        assert page.lines[0].text == "sku name price"
    page = document.page(1)
    assert page.lines[1].text == "S1 Item number 1 1.99"
    # Cells of one column share an x position across rows.
    price_x = {line_words[-1].box.x for line_words in _words_by_line(page)[1:]}
    assert len({round(x, 3) for x in price_x}) == 1


def _words_by_line(page):
    return [[w for w in page.words if line.start <= w.start < line.end] for line in page.lines]


HTML = b"""<!doctype html><html><head><title>Order 7</title><style>p{color:red}</style>
<script>var secret = "do not show";</script></head><body>
<h1>Purchase Order</h1><p>Order date <b>2024-03-05</b><br>Terms: Net 30</p>
<div style="display:none">hidden text</div>
<ul><li>first item</li><li>second item</li></ul>
<table><tr><th>Code</th><th>Qty</th></tr><tr><td>ART-1</td><td>2</td></tr></table>
</body></html>"""


def test_html_keeps_visible_structure_and_drops_scripts():
    document = load_document(HTML, declared_type="text/plain", file_name="order.txt")
    page = document.page(1)
    assert document.media_type == "text/html"
    assert document.metadata["title"] == "Order 7"
    assert page.text.split("\n") == [
        "# Purchase Order",
        "Order date 2024-03-05",
        "Terms: Net 30",
        "- first item",
        "- second item",
        "Code Qty",
        "ART-1 2",
    ]
    assert page.lines[0].font_size > page.lines[1].font_size


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "legacy .doc"),
        (b"{\\rtf1\\ansi hello}", "application/rtf"),
        (b"\x00\x01\x02\x03binary" * 50, "unrecognised binary"),
        (b"PK\x03\x04truncated zip", "truncated or corrupt"),
        (_zip({"ppt/presentation.xml": "<p/>"}), "presentationml.presentation"),
    ],
)
def test_bad_content_fails_with_a_readable_error(data, message):
    with pytest.raises((UnsupportedDocumentType, CorruptDocument), match=message):
        load_document(data, declared_type="application/pdf", file_name="upload.pdf")


def test_missing_path_is_a_document_error(tmp_path):
    with pytest.raises(CorruptDocument, match="does not exist"):
        load_document(tmp_path / "nope.pdf")


def test_huge_text_is_refused_before_it_is_laid_out():
    options = LoadOptions(max_pages=2, text_page_chars=1000)
    with pytest.raises(DocumentTooLarge, match="2,001 characters; the limit is 2,000"):
        load_text("x" * 2001, options=options)


def test_file_name_of_a_path_breaks_text_ties(tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text("name;qty\nbolts;4\nnuts;7\n")
    document = load_document(path)
    assert document.media_type == "text/csv"
    assert document.metadata["file_name"] == "notes.csv"
    assert document.page(1).text.split("\n") == ["name qty", "bolts 4", "nuts 7"]


def test_csv_over_the_page_limit_is_refused():
    rows = "\n".join(["a,b"] + [f"{n},{n}" for n in range(50)])
    with pytest.raises(DocumentTooLarge, match="50 rows; the limit is 18"):
        load_document(rows.encode(), options=LoadOptions(max_pages=2, text_page_lines=10))
