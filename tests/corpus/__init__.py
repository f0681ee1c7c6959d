"""The test corpus: documents with known values, made at test time by the project's own code.

``build_corpus(out)`` writes every document below into ``out`` with, per document,
``<doc_id>.<ext>`` (the file), ``<doc_id>.expected.json`` (the values its schema should give)
and ``<doc_id>.meta.json`` (``fields``: one entry per leaf with ``path``, ``kind``, ``page``
(1-based; ``null`` for null values) and ``rendered``, the exact printed text). It also writes
``manifest.json`` (one entry per document) and copies the schemas to ``out/schemas/`` — the
layout the benchmarks read, so ``bench/`` scripts can run on this corpus too.

Each document draws its values from a ``random.Random`` seeded with its id, so the corpus is
the same on every run and one document can change without moving the others. Layouts, date
and amount formats and locales vary on purpose (see each builder's docstring).
"""

from __future__ import annotations

import json
import random
import shutil
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.corpus import contracts, finance, invoices, papers, resumes, rows

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.corpus.draft import Draft

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "schemas"

# doc_id -> builder. Tests name documents by id, so ids say what a document is.
BUILDERS: dict[str, Callable[[random.Random], Draft]] = {
    "invoice_classic_us": partial(
        invoices.invoice_pdf,
        locale="US",
        layout="classic",
        date_style="long_us",
        number="RE-23-4087",
    ),
    "invoice_classic_uk": partial(
        invoices.invoice_pdf, locale="UK", layout="classic", date_style="dmy"
    ),
    "invoice_stacked_de": partial(
        invoices.invoice_pdf, locale="DE", layout="stacked", date_style="dotted"
    ),
    "invoice_sidebar_ch": partial(
        invoices.invoice_pdf, locale="CH", layout="sidebar", date_style="iso"
    ),
    "invoice_terms_ca": partial(
        invoices.invoice_pdf, locale="CA", layout="terms", date_style="iso"
    ),
    "invoice_long_us": partial(invoices.invoice_pdf, locale="US", layout="long", date_style="mdy"),
    "invoice_long_au": partial(
        invoices.invoice_pdf, locale="AU", layout="long", date_style="short_uk"
    ),
    "invoice_web_us": partial(invoices.invoice_html, locale="US", date_style="long_us"),
    "invoice_text_uk": partial(invoices.invoice_txt, locale="UK", date_style="short_uk"),
    "invoice_word_us": partial(invoices.invoice_docx, locale="US", date_style="mdy"),
    "receipt_slip_us": partial(
        finance.receipt_pdf, locale="US", date_style="mdy", layout="slip", payment=0
    ),
    "receipt_slip_de": partial(
        finance.receipt_pdf, locale="DE", date_style="dotted", layout="slip", payment=3
    ),
    "receipt_webshop_uk": partial(
        finance.receipt_pdf, locale="UK", date_style="long_uk", layout="webshop", payment=2
    ),
    "receipt_text_au": partial(finance.receipt_txt, locale="AU", date_style="dmy"),
    "statement_signed_us": partial(
        finance.statement_pdf, locale="US", date_style="mdy", layout="signed", rows=36
    ),
    "statement_short_ca": partial(
        finance.statement_pdf,
        locale="CA",
        date_style="iso",
        layout="nobalance",
        rows=18,
        per_page=7,
    ),
    "statement_columns_uk": partial(
        finance.statement_pdf, locale="UK", date_style="dmy", layout="columns", rows=40
    ),
    "resume_classic_us": partial(resumes.resume, locale="US", layout="classic"),
    "resume_sidebar_de": partial(resumes.resume, locale="DE", layout="sidebar"),
    "resume_markdown_uk": partial(resumes.resume, locale="UK", layout="md"),
    "resume_word_us": partial(resumes.resume, locale="US", layout="docx"),
    "lease_pdf_us": partial(contracts.contract, locale="US", kind="lease", fmt="pdf"),
    "nda_pdf_uk": partial(contracts.contract, locale="UK", kind="nda", fmt="pdf"),
    "lease_markdown_us": partial(contracts.contract, locale="US", kind="lease", fmt="md"),
    "nda_text_au": partial(contracts.contract, locale="AU", kind="nda", fmt="txt"),
    "paper_acm": partial(papers.research_paper, layout="acm", doi=True),
    "paper_arxiv": partial(papers.research_paper, layout="arxiv", doi=False),
    "paper_text": partial(papers.research_paper, layout="txt", doi=True),
    "catalog_ruled_us": partial(rows.catalog, layout="ruled", fmt="pdf", locale="US", rows=44),
    "catalog_grouped_de": partial(rows.catalog, layout="grouped", fmt="pdf", locale="DE", rows=24),
    "catalog_csv_us": partial(rows.catalog, layout="csv", fmt="csv", locale="US", rows=15),
    "catalog_sheet_uk": partial(rows.catalog, layout="xlsx", fmt="xlsx", locale="UK", rows=12),
    "roster_pdf_us": partial(rows.roster, fmt="pdf", locale="US", rows=36),
    "roster_csv_uk": partial(rows.roster, fmt="csv", locale="UK", rows=14),
    "roster_html_de": partial(rows.roster, fmt="html", locale="DE", rows=12),
}


@dataclass(frozen=True)
class CorpusDocument:
    """One written document: its file, ground truth and the schema it is extracted with."""

    doc_id: str
    path: Path
    expected: Any
    meta: dict[str, Any]
    schema: dict[str, Any]

    @property
    def doc_type(self) -> str:
        return self.meta["doc_type"]

    @property
    def mode(self) -> str:
        return self.meta["mode"]

    @property
    def target(self) -> str:
        """The ``extraction_target`` this document is extracted with."""
        return "PER_TABLE_ROW" if self.mode == "PER_TABLE_ROW" else "PER_DOC"

    @property
    def page_count(self) -> int:
        return self.meta["page_count"]

    def field(self, path: str) -> dict[str, Any]:
        return next(f for f in self.meta["fields"] if f["path"] == path)


class Corpus:
    """The documents of a built corpus, by id and in build order."""

    def __init__(self, root: Path, documents: list[CorpusDocument]):
        self.root = root
        self.documents = documents
        self._by_id = {document.doc_id: document for document in documents}

    def __getitem__(self, doc_id: str) -> CorpusDocument:
        return self._by_id[doc_id]

    def __iter__(self):
        return iter(self.documents)

    def __len__(self) -> int:
        return len(self.documents)


def load_schema(name: str) -> dict[str, Any]:
    """A schema from ``tests/fixtures/schemas/`` by file name (``"invoice.json"``)."""
    return json.loads((SCHEMA_DIR / name).read_text())


def build_document(doc_id: str) -> tuple[Draft, Any, dict[str, Any]]:
    """(draft, expected, meta) of one document; raises ``ValueError`` when its truth does not
    fit its schema."""
    draft = BUILDERS[doc_id](random.Random(doc_id))
    expected, fields = draft.truth.finish(load_schema(draft.schema))
    meta = {
        "doc_id": doc_id,
        "doc_type": draft.doc_type,
        "schema": draft.schema,
        "mode": draft.mode,
        "file": f"{doc_id}.{draft.format}",
        "format": draft.format,
        "page_count": draft.page_count,
        "layout": draft.layout,
        "locale": draft.locale,
        "fields": fields,
    }
    return draft, expected, meta


def build_corpus(out: Path) -> Corpus:
    """Write every document, its expected/meta JSON, ``manifest.json`` and ``schemas/`` to
    ``out``; returns the ``Corpus``."""
    out.mkdir(parents=True, exist_ok=True)
    shutil.copytree(SCHEMA_DIR, out / "schemas", dirs_exist_ok=True)
    documents = []
    manifest = []
    for doc_id in BUILDERS:
        draft, expected, meta = build_document(doc_id)
        path = out / meta["file"]
        path.write_bytes(draft.content)
        (out / f"{doc_id}.expected.json").write_text(
            json.dumps(expected, indent=2, ensure_ascii=False)
        )
        (out / f"{doc_id}.meta.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False))
        manifest.append(
            {
                key: meta[key]
                for key in (
                    "doc_id",
                    "doc_type",
                    "file",
                    "format",
                    "schema",
                    "mode",
                    "layout",
                    "locale",
                    "page_count",
                )
            }
        )
        documents.append(CorpusDocument(doc_id, path, expected, meta, load_schema(draft.schema)))
    (out / "manifest.json").write_text(json.dumps({"documents": manifest}, indent=2))
    return Corpus(out, documents)
