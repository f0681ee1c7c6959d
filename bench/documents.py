"""Benchmark of the document loaders on the devset's --large PDFs (a benchmark, not a test).

Each step runs in a fresh child process per round, so its peak RSS is its own; the table shows
medians over ``--rounds`` and speed ratios against plain pypdfium2 text extraction measured in
the same run. Usage:

    .venv/bin/python bench/documents.py [--devset DIR] [--rounds 3] [--max-pages 1000]

Without ``--devset`` the devset is generated with ``--large`` into a temp folder.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DOCUMENTS = ["perf_statement_100p.pdf", "perf_invoice_batch_1000p.pdf", "perf_text_50mb.pdf"]
STEPS = {
    "pypdf_extract_text": "pypdf PdfReader + page.extract_text()",
    "pdfium_text": "pypdfium2 get_text_range() (plain text)",
    "pdfium_char_boxes": "pypdfium2 text + a loose box per character",
    "pdfium_rects": "pypdfium2 count_rects + get_rect + get_text_bounded",
    "pdfium_word_boxes": "our words: 2 loose char boxes per word",
    "load_document": "load_document + Page (words, lines, text, columns)",
}
OPEN_STEPS = {"pypdf_open": "pypdf PdfReader + len(pages)", "pdfium_open": "pypdfium2 open + len"}
RENDER_STEPS = {
    "png_level6": "render 150 dpi + PNG (PIL default level 6)",
    "png_level1": "render 150 dpi + PNG level 1 (ours)",
    "webp_method0": "render 150 dpi + WebP q80 method 0",
    "jpeg_q85": "render 150 dpi + JPEG q85",
    "render_only": "render 150 dpi, no encoding",
}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _pypdf_extract(path: Path, pages: int) -> None:
    from pypdf import PdfReader

    reader = PdfReader(path)
    for index in range(pages):
        reader.pages[index].extract_text()


def _pdfium_pages(path: Path, pages: int, work: Callable[[object], None]) -> None:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    for index in range(pages):
        page = pdf[index]
        textpage = page.get_textpage()
        work(textpage)
        textpage.close()
        page.close()
    pdf.close()


def _char_boxes(textpage: object) -> None:
    """One box per character, through the same unchecked call our word boxes use."""
    import pypdfium2.raw as pdfium_c

    from extraction.pipeline.documents.pdf import _fast_char_functions

    get_box, _ = _fast_char_functions()
    handle = ctypes.c_void_p(ctypes.cast(textpage.raw, ctypes.c_void_p).value)
    rect = pdfium_c.FS_RECTF()
    rect_ref = ctypes.byref(rect)
    textpage.get_text_range()
    for index in range(textpage.count_chars()):
        get_box(handle, index, rect_ref)


def _rects(textpage: object) -> None:
    for index in range(textpage.count_rects()):
        textpage.get_text_bounded(*textpage.get_rect(index))


def _word_boxes(textpage: object) -> None:
    from extraction.pipeline.documents.pdf import PageGeometry, page_text_words

    page_text_words(textpage, PageGeometry((0, 0, 612, 792), 0))


def _load_document(path: Path, pages: int) -> None:
    from extraction.pipeline.documents import LoadOptions, load_document

    document = load_document(path, options=LoadOptions(max_pages=100_000, timeout_seconds=1e9))
    for page in document.iter_pages(range(1, pages + 1)):
        assert page.words


def run_child(step: str, path: Path, pages: int) -> dict[str, float]:
    """Run one step in this process; returns seconds, pages and peak RSS over the baseline."""
    import pypdf  # noqa: F401  - imports are not part of any step's cost
    import pypdfium2  # noqa: F401

    import extraction.pipeline.documents.pdf  # noqa: F401

    baseline = _peak_mb()
    started = time.perf_counter()
    if step == "pypdf_extract_text":
        _pypdf_extract(path, pages)
    elif step == "pdfium_text":
        _pdfium_pages(path, pages, lambda textpage: textpage.get_text_range())
    elif step == "pdfium_char_boxes":
        _pdfium_pages(path, pages, _char_boxes)
    elif step == "pdfium_rects":
        _pdfium_pages(path, pages, _rects)
    elif step == "pdfium_word_boxes":
        _pdfium_pages(path, pages, _word_boxes)
    elif step == "load_document":
        _load_document(path, pages)
    elif step == "pypdf_open":
        from pypdf import PdfReader

        pages = len(PdfReader(path).pages)
    elif step == "pdfium_open":
        import pypdfium2 as pdfium

        pages = len(pdfium.PdfDocument(path))
    elif step in RENDER_STEPS:
        _render(path, pages, step)
    else:
        raise SystemExit(f"unknown step {step}")
    return {
        "seconds": time.perf_counter() - started,
        "pages": pages,
        "peak_mb": max(_peak_mb() - baseline, 0.0),
    }


def _render(path: Path, pages: int, step: str) -> None:
    import io

    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    for index in range(pages):
        image = pdf[index].render(scale=150 / 72).to_pil()
        buffer = io.BytesIO()
        if step == "png_level6":
            image.save(buffer, "PNG")
        elif step == "png_level1":
            image.save(buffer, "PNG", compress_level=1)
        elif step == "webp_method0":
            image.save(buffer, "WEBP", quality=80, method=0)
        elif step == "jpeg_q85":
            image.save(buffer, "JPEG", quality=85)


def _child(step: str, path: Path, pages: int) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, __file__, "--child", step, str(path), str(pages)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def _measure_all(
    steps: list[tuple[str, int]], path: Path, rounds: int
) -> dict[str, dict[str, float]]:
    """Median seconds and peak MB per step. Rounds are interleaved (every step once per
    round) so a busy machine slows all steps alike and same-run ratios stay fair."""
    runs: dict[str, list[dict[str, float]]] = {step: [] for step, _ in steps}
    for _ in range(rounds):
        for step, pages in steps:
            runs[step].append(_child(step, path, pages))
    summary = {}
    for step, results in runs.items():
        seconds = statistics.median(r["seconds"] for r in results)
        summary[step] = {
            "seconds": seconds,
            "pages": results[0]["pages"],
            "pages_per_s": results[0]["pages"] / seconds if seconds else float("inf"),
            "peak_mb": statistics.median(r["peak_mb"] for r in results),
        }
    return summary


def _page_count(path: Path) -> int:
    import pypdfium2 as pdfium

    return len(pdfium.PdfDocument(path))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--devset", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--max-pages", type=int, default=1000)
    parser.add_argument("--pypdf-pages", type=int, default=200, help="pages for pypdf steps")
    parser.add_argument("--child", nargs=3, metavar=("STEP", "PDF", "PAGES"))
    args = parser.parse_args()
    if args.child:
        step, pdf, pages = args.child
        print(json.dumps(run_child(step, Path(pdf), int(pages))))
        return
    devset = args.devset
    if devset is None:
        devset = Path(tempfile.mkdtemp(prefix="bench_documents_"))
        subprocess.run(
            [
                sys.executable,
                str(ROOT.parent / "shared/devset/generate.py"),
                "--out",
                str(devset),
                "--large",
            ],
            check=True,
            capture_output=True,
        )
    print(f"rounds={args.rounds}, medians; ratio = speed / pdfium_text speed on the same pages")
    header = f"{'document':30} {'step':20} {'pages':>6} {'pages/s':>9} {'ratio':>6} {'peak MB':>8}"
    for name in DOCUMENTS:
        path = devset / name
        total = _page_count(path)
        pages = min(total, args.max_pages)
        print(f"\n{name}: {total} pages, {path.stat().st_size / 2**20:.1f} MB")
        print(header)
        steps = [
            (step, min(pages, args.pypdf_pages) if step.startswith("pypdf") else pages)
            for step in STEPS
        ]
        steps += [(step, 0) for step in OPEN_STEPS]
        results = _measure_all(steps, path, args.rounds)
        reference = results["pdfium_text"]["pages_per_s"]
        for step in STEPS:
            result = results[step]
            print(
                f"{name:30} {step:20} {result['pages']:>6} {result['pages_per_s']:>9.0f} "
                f"{result['pages_per_s'] / reference:>6.2f} {result['peak_mb']:>8.1f}"
            )
        for step in OPEN_STEPS:
            result = results[step]
            print(f"{name:30} {step:20} {result['pages']:>6} {result['seconds']:>8.3f}s")
    path = devset / DOCUMENTS[0]
    print(f"\nrendering {DOCUMENTS[0]}, 20 pages at 150 dpi (ms per page)")
    results = _measure_all([(step, 20) for step in RENDER_STEPS], path, args.rounds)
    for step, label in RENDER_STEPS.items():
        print(f"{step:14} {1000 * results[step]['seconds'] / 20:>7.1f} ms  {label}")


if __name__ == "__main__":
    main()
