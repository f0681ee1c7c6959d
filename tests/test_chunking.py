"""Chunking: PAGE chunks with context pages, SECTION chunks from headings, token budgets, and
offsets that map chunk text back to page text."""

from __future__ import annotations

import io

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from extraction.pipeline.chunking import chunk_document, estimate_tokens, page_marker
from extraction.pipeline.config import ChunkMode
from extraction.pipeline.documents import load_document, load_text


def _pages(count: int, lines_per_page: int = 5):
    return load_text(
        "\f".join(
            "\n".join(f"page {p} line {n} holds some words" for n in range(1, lines_per_page + 1))
            for p in range(1, count + 1)
        )
    )


def test_estimate_tokens_is_conservative():
    assert estimate_tokens("") == 0
    prose = "The quick brown fox jumps over the lazy dog. " * 20
    assert estimate_tokens(prose) >= len(prose) / 4  # ~4 chars per token in English
    digits = "12 34 56 78 " * 50
    assert estimate_tokens(digits) >= len(digits.split()) * 1.4


def test_page_mode_gives_one_chunk_per_selected_page_with_context():
    document = _pages(5)
    chunks = chunk_document(
        document, [2, 4], mode=ChunkMode.PAGE, num_pages_context=1, token_budget=4000
    )
    assert [chunk.pages for chunk in chunks] == [(2,), (4,)]
    assert [chunk.context_pages for chunk in chunks] == [(1, 3), (3, 5)]
    assert [chunk.index for chunk in chunks] == [0, 1]
    text = chunks[0].text
    assert text.startswith(page_marker(1, context=True))
    assert page_marker(2) in text
    assert text.index("page 1 line 1") < text.index("page 2 line 1") < text.index("page 3 line 1")


def test_chunk_offsets_map_back_to_page_text():
    document = _pages(3)
    chunk = chunk_document(
        document, [2], mode=ChunkMode.PAGE, num_pages_context=1, token_budget=4000
    )[0]
    offset = chunk.text.index("page 3 line 2")
    page, page_offset = chunk.to_page_offset(offset)
    assert page == 3
    assert document.page(3).text[page_offset:].startswith("page 3 line 2")
    assert chunk.to_chunk_offset(3, page_offset) == offset
    assert chunk.to_page_offset(chunk.text.index("--- page 2")) is None  # on a marker
    # A quote across a page break maps to one piece per page.
    start = chunk.text.index("page 1 line 5")
    end = chunk.text.index("page 2 line 1") + len("page 2 line 1")
    pieces = chunk.page_spans(start, end)
    assert [piece[0] for piece in pieces] == [1, 2]
    for number, lo, hi in pieces:
        assert document.page(number).text[lo:hi] in chunk.text[start:end]


def test_context_is_dropped_before_the_budget_is_exceeded():
    document = _pages(3, lines_per_page=40)
    # Room for the page and one neighbour (plus markers and per-line rounding), not two.
    budget = estimate_tokens(document.page(2).text) * 2 + 100
    chunk = chunk_document(
        document, [2], mode=ChunkMode.PAGE, num_pages_context=1, token_budget=budget
    )[0]
    assert chunk.pages == (2,)
    assert chunk.context_pages == (1,)  # the nearer-first tie goes to the page before
    assert chunk.tokens <= budget


def test_a_page_over_budget_is_split_at_line_boundaries():
    document = _pages(1, lines_per_page=200)
    chunks = chunk_document(
        document, [1], mode=ChunkMode.PAGE, num_pages_context=None, token_budget=300
    )
    assert len(chunks) > 5
    assert all(chunk.tokens <= 300 for chunk in chunks)
    assert all(chunk.pages == (1,) for chunk in chunks)
    body = [line for chunk in chunks for line in chunk.text.split("\n")[1:]]
    assert body == document.page(1).text.split("\n")


MARKDOWN = """# Lease Agreement
Intro paragraph about the parties to this lease and what it covers in general terms here.
## 1. Premises
The premises are located at 12 Main Street, Springfield, and include one parking space.
## 2. Rent
The monthly rent is $2,400.00 payable on the first day of each month by bank transfer.
\f## 3. Governing Law
This agreement is governed by the laws of the State of Illinois without regard to conflicts.
"""


def test_section_mode_cuts_at_markdown_headings_across_pages():
    document = load_document(MARKDOWN.encode(), file_name="lease.md")
    assert document.page_count == 2
    chunks = chunk_document(
        document, [1, 2], mode=ChunkMode.SECTION, num_pages_context=None, token_budget=4000
    )
    assert [chunk.title for chunk in chunks] == [
        "Lease Agreement",
        "1. Premises",
        "2. Rent",
        "3. Governing Law",
    ]
    assert chunks[3].pages == (2,)
    assert "laws of the State of Illinois" in chunks[3].text
    rent = chunks[2]
    offset = rent.text.index("$2,400.00")
    page, page_offset = rent.to_page_offset(offset)
    assert document.page(page).text[page_offset : page_offset + 9] == "$2,400.00"


def test_section_mode_finds_headings_by_font_size_in_a_pdf():
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    y = 800
    for title in ("Experience", "Education"):
        pdf.setFont("Helvetica-Bold", 16)
        pdf.drawString(72, y, title)
        y -= 24
        pdf.setFont("Helvetica", 10)
        for n in range(12):
            pdf.drawString(72, y, f"{title} detail line {n} with a few more words on it")
            y -= 14
    pdf.save()
    document = load_document(buffer.getvalue())
    chunks = chunk_document(
        document, [1], mode=ChunkMode.SECTION, num_pages_context=None, token_budget=4000
    )
    assert [chunk.title for chunk in chunks] == ["Experience", "Education"]
    assert chunks[1].text.split("\n")[1] == "Education"


def test_section_over_budget_is_split_and_keeps_its_title_on_the_first_part():
    text = "# Big Section\n" + "\n".join(f"row {n} of a long table body" for n in range(300))
    document = load_document(text.encode(), file_name="big.md")
    chunks = chunk_document(
        document, [1], mode=ChunkMode.SECTION, num_pages_context=None, token_budget=250
    )
    assert len(chunks) > 5
    assert chunks[0].title == "Big Section"
    assert all(chunk.tokens <= 250 for chunk in chunks)
    rows = [line for chunk in chunks for line in chunk.text.split("\n")[1:]]
    assert rows == document.page(1).text.split("\n")


def test_bad_arguments_are_rejected():
    document = _pages(2)
    with pytest.raises(ValueError, match="page 3"):
        chunk_document(document, [3], mode=ChunkMode.PAGE, num_pages_context=0, token_budget=9)
    with pytest.raises(ValueError, match="positive"):
        chunk_document(document, [1], mode=ChunkMode.PAGE, num_pages_context=0, token_budget=0)


def test_corpus_contract_sections_carry_their_clauses(corpus):
    lease = corpus["lease_markdown_us"]
    document = load_document(lease.path)
    chunks = chunk_document(
        document, [1], mode=ChunkMode.SECTION, num_pages_context=None, token_budget=6000
    )
    titles = [chunk.title for chunk in chunks]
    assert titles[0] == "Commercial Lease Agreement"
    assert "1. Premises" in titles
    governing = next(chunk for chunk in chunks if chunk.title == "12. Governing Law")
    law = lease.expected["governing_law"]
    assert f"laws of the {law}" in governing.text.replace("\n", " ")
    # Every line of the page lands in exactly one chunk, in order.
    lines = [line for chunk in chunks for line in chunk.text.split("\n")[1:]]
    assert lines == document.page(1).text.split("\n")


def test_corpus_research_paper_sections_from_font_sizes(corpus):
    document = load_document(corpus["paper_acm"].path)
    chunks = chunk_document(
        document, [1], mode=ChunkMode.SECTION, num_pages_context=None, token_budget=6000
    )
    assert len(chunks) >= 2
    assert all(chunk.pages == (1,) for chunk in chunks)
    for chunk in chunks:
        start = chunk.text.index("\n") + 1
        page, offset = chunk.to_page_offset(start)
        assert document.page(page).text[offset:].startswith(chunk.text[start : start + 20])


@pytest.mark.parametrize(
    ("line", "heading"),
    [
        ("1 INTRODUCTION", True),
        ("2.3 Related Work", True),
        ("IV. EXPERIMENTAL RESULTS", True),
        ("PAYMENT DETAILS", True),
        ("5 Mar 2024", False),
        ("1 School of Informatics, University of Port Alder", False),
        ("4 583.52 2,334.08", False),
        ("The rent is due on the first day.", False),
    ],
)
def test_body_size_headings_are_recognised(line, heading):
    from extraction.pipeline.chunking import _is_heading

    assert _is_heading(line, 9.5, 9.5) is heading
