"""OCR engines: a PIL image -> ``PlacedWord``s with boxes in page points and a confidence.

Two engines, chosen by ``LoadOptions.ocr_engine``:

- ``rapidocr`` (the default): PP-OCR models run by onnxruntime, shipped inside the
  ``rapidocr-onnxruntime`` wheel, so OCR works on a machine with only Python. It reads
  English, digits and Chinese; measured on real receipt scans it recovers more of the printed
  text than Tesseract (``bench/ocr.py``), but it drops most accents (ä, é, ß).
- ``tesseract``: the system's Tesseract through pytesseract, for the languages it has data for.

``auto`` picks RapidOCR unless the OCR languages include one besides English and Tesseract has
data for all of them (German or French text: Tesseract reads accents RapidOCR drops).
"""

from __future__ import annotations

import functools
import os
import shutil
import statistics
import threading
import unicodedata
from typing import TYPE_CHECKING, Any

from extraction.pipeline.documents.base import DocumentTooLarge, OcrUnavailable
from extraction.pipeline.documents.layout import PlacedWord

if TYPE_CHECKING:
    from PIL import Image

    from extraction.pipeline.documents.options import LoadOptions

AUTO, RAPIDOCR, TESSERACT = "auto", "rapidocr", "tesseract"
ENGINES = (AUTO, RAPIDOCR, TESSERACT)
# Languages the bundled PP-OCR recognition model reads as well as Tesseract does.
RAPIDOCR_LANGUAGES = frozenset({"eng", "chi_sim"})
TESSERACT_INSTALL_HINT = "apt-get install tesseract-ocr tesseract-ocr-{lang} (Debian/Ubuntu)"


def ocr_engine(options: LoadOptions) -> str:
    """The engine that will read pages under ``options``: ``rapidocr`` or ``tesseract``."""
    if options.ocr_engine == TESSERACT:
        return TESSERACT
    if options.ocr_engine == RAPIDOCR:
        return RAPIDOCR
    languages = set(options.ocr_language.split("+"))
    if languages <= RAPIDOCR_LANGUAGES or not _tesseract_has(languages):
        return RAPIDOCR
    return TESSERACT


def ensure_ocr(options: LoadOptions) -> None:
    """Raise ``OcrUnavailable`` (saying how to fix it) unless the chosen engine can run."""
    if ocr_engine(options) == TESSERACT:
        _ensure_tesseract(options.ocr_language)
    else:
        _rapidocr()


def ocr_words(
    image: Image.Image, points_per_pixel: float, options: LoadOptions
) -> list[PlacedWord]:
    """OCR a PIL image; boxes are scaled to points with ``points_per_pixel``.

    Raises ``OcrUnavailable`` and ``DocumentTooLarge`` (Tesseract timed out).
    """
    if ocr_engine(options) == TESSERACT:
        return _tesseract_words(image, points_per_pixel, options)
    return _rapidocr_words(image, points_per_pixel)


def render_for_ocr(pdf_page: Any, options: LoadOptions) -> tuple[Any, float]:
    """Render a pdfium page (display orientation, grayscale) at the OCR resolution; returns
    the PIL image and its points per pixel. Raises ``OcrUnavailable`` first if needed."""
    ensure_ocr(options)
    dpi = options.high_resolution_dpi if options.high_resolution else options.ocr_dpi
    bitmap = pdf_page.render(scale=dpi / 72, grayscale=True)
    try:
        return bitmap.to_pil(), 72 / dpi
    finally:
        bitmap.close()


# --- RapidOCR ----------------------------------------------------------------------------------

_rapidocr_lock = threading.Lock()


@functools.cache
def _rapidocr() -> Any:
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as exc:  # a broken install: the wheel is a dependency
        raise OcrUnavailable(f"The bundled OCR engine could not be loaded ({exc}).") from exc
    # One thread: workers parallelise by job, and onnxruntime's own pool would fight them on a
    # small machine (and thread pools do not survive the sandbox's fork).
    return RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1)


def _rapidocr_words(image: Image.Image, points_per_pixel: float) -> list[PlacedWord]:
    import numpy

    rgb = image.convert("RGB")
    with _rapidocr_lock:  # the engine object keeps per-call state
        lines, _ = _rapidocr()(numpy.asarray(rgb), return_word_box=True)
    gray = numpy.asarray(image.convert("L"))
    words: list[PlacedWord] = []
    for line in lines or []:
        quad, text, _score, char_quads, chars, char_scores = line
        if len(chars) != len(char_quads) or not chars:
            continue
        for word_chars in _split_words(gray, quad, chars, char_quads, char_scores):
            words.append(_placed(word_chars, points_per_pixel))
    return words


_Char = tuple[str, float, float, float, float, float]  # text, x0, y0, x1, y1, confidence


def _split_words(
    gray: Any, line_quad: Any, chars: list[str], quads: list[Any], scores: list[float]
) -> list[list[_Char]]:
    """Group a recognised line's characters into words.

    PP-OCR often leaves out the spaces of Latin text ("Totaldue:$1,234.56"). A space is put
    back where the page has a blank run of columns between two characters that is at least
    0.3 of the line's height wide, or 0.2 of it when the characters' boxes are also apart by
    more than a quarter of the median character width. Inside a figure (digits and their
    separators) the boxes must be 0.45 of a character apart (0.8 beside a decimal point),
    since dotted receipt digits leave blank columns between their dots. Character boxes alone split
    proportional fonts inside words ("D ue"); narrow ink gaps alone split the dotted glyphs of
    receipt printers ("185 1"). Thresholds were chosen on real receipt scans and rendered
    proportional text (bench/ocr.py).
    """
    boxes: list[_Char] = []
    for char, quad, score in zip(chars, quads, scores, strict=True):
        xs = [point[0] for point in quad]
        ys = [point[1] for point in quad]
        boxes.append((char, min(xs), min(ys), max(xs), max(ys), float(score)))
    widths = [box[3] - box[1] for box in boxes if box[0].strip()]
    if not widths:
        return []
    min_char_gap = 0.25 * statistics.median(widths)
    blank_runs = _blank_runs(gray, line_quad)
    words: list[list[_Char]] = []
    current: list[_Char] = []
    for box in boxes:
        if not box[0].strip():
            if current:
                words.append(current)
            current = []
            continue
        if current:
            left, right = current[-1][3], box[1]
            blank = max(
                (share for start, end, share in blank_runs if start < right and end > left),
                default=0.0,
            )
            pair = current[-1][0] + box[0]
            if _numeric_pair(current[-1][0], box[0]):
                # Receipt printers' dotted digits leave blank columns inside a number
                # ("30 .90", "1 42. 00"): the characters' boxes must be apart too, and
                # further apart still around a decimal point.
                if pair[0] in ".," or pair[1] in ".,":
                    split = blank >= 0.45 and right - left > 3.2 * min_char_gap
                else:
                    split = blank >= 0.2 and right - left > 1.8 * min_char_gap
            else:
                split = blank >= 0.3 or (blank >= 0.2 and right - left > min_char_gap)
            if split:
                words.append(current)
                current = []
        current.append(box)
    if current:
        words.append(current)
    return words


_NUMBER_MARKS = frozenset(".,:/-")


def _numeric_pair(left: str, right: str) -> bool:
    """Two characters inside one printed figure: digits, or a digit and a separator."""
    if not (left.isdigit() or right.isdigit()):
        return False
    return (left.isdigit() or left in _NUMBER_MARKS) and (right.isdigit() or right in ".,")


def _blank_runs(gray: Any, quad: Any) -> list[tuple[int, int, float]]:
    """Runs of columns without ink across the line's box: (start, end, width / line height)."""
    xs = [point[0] for point in quad]
    ys = [point[1] for point in quad]
    x0, y0 = max(0, int(min(xs))), max(0, int(min(ys)))
    x1, y1 = int(max(xs)) + 1, int(max(ys)) + 1
    crop = gray[y0:y1, x0:x1]
    if crop.size == 0:
        return []
    height = y1 - y0
    dark, light = (float(value) for value in _percentiles(crop))
    # Anything noticeably darker than the paper is ink: the faint anti-aliased edges of two
    # letters would otherwise open a gap inside a word.
    ink_per_column = (crop < light - 0.25 * (light - dark)).sum(axis=0)
    blank = ink_per_column <= 0.02 * height
    runs: list[tuple[int, int, float]] = []
    start: int | None = None
    for index, is_blank in enumerate([*blank.tolist(), False]):
        if is_blank and start is None:
            start = index
        elif not is_blank and start is not None:
            runs.append((x0 + start, x0 + index, (index - start) / height))
            start = None
    return runs


def _percentiles(crop: Any) -> Any:
    import numpy

    return numpy.percentile(crop, [5, 95])


def _placed(chars: list[_Char], points_per_pixel: float) -> PlacedWord:
    # NFKC folds the full-width forms the Chinese-trained model emits ("（") into ASCII.
    text = unicodedata.normalize("NFKC", "".join(char[0] for char in chars))
    x0 = min(char[1] for char in chars)
    y0 = min(char[2] for char in chars)
    x1 = max(char[3] for char in chars)
    y1 = max(char[4] for char in chars)
    confidence = sum(char[5] for char in chars) / len(chars)
    return PlacedWord(
        text,
        x0 * points_per_pixel,
        y0 * points_per_pixel,
        x1 * points_per_pixel,
        y1 * points_per_pixel,
        round((y1 - y0) * points_per_pixel, 2),
        round(confidence, 4),
    )


# --- Tesseract ---------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _installed_languages(binary: str) -> frozenset[str]:
    import pytesseract

    return frozenset(pytesseract.get_languages(config=""))


def _tesseract_has(languages: set[str]) -> bool:
    binary = shutil.which("tesseract")
    if binary is None:
        return False
    try:
        return languages <= _installed_languages(binary)
    except Exception:
        return False


def _ensure_tesseract(language: str) -> None:
    binary = shutil.which("tesseract")
    if binary is None:
        raise OcrUnavailable(
            "This document needs OCR with Tesseract, which is not installed. Install it with: "
            + TESSERACT_INSTALL_HINT.format(lang=language.split("+")[0])
            + ", or set OPENEXTRACT_OCR=rapidocr to use the bundled engine."
        )
    try:
        languages = _installed_languages(binary)
    except Exception as exc:  # a broken install is reported the same way as a missing one
        raise OcrUnavailable(f"Tesseract could not be run ({exc}).") from exc
    missing = [lang for lang in language.split("+") if lang not in languages]
    if missing:
        raise OcrUnavailable(
            f"Tesseract has no data for language {missing[0]!r}. Install it with: "
            + TESSERACT_INSTALL_HINT.format(lang=missing[0])
        )


def _tesseract_words(
    image: Image.Image, points_per_pixel: float, options: LoadOptions
) -> list[PlacedWord]:
    import pytesseract

    _ensure_tesseract(options.ocr_language)
    # Tesseract's OpenMP threads fight each other on small machines: one thread per process
    # measured 2.5 s against 8.6 s for a 200 dpi page on 2 cores. Workers parallelise by job.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    try:
        data = pytesseract.image_to_data(
            image.convert("L"),
            lang=options.ocr_language,
            output_type=pytesseract.Output.DICT,
            timeout=options.ocr_timeout_seconds,
        )
    except RuntimeError as exc:  # pytesseract's timeout
        raise DocumentTooLarge(
            f"OCR of a page took longer than {options.ocr_timeout_seconds:g} seconds."
        ) from exc
    words: list[PlacedWord] = []
    for text, conf, left, top, width, height in zip(
        data["text"],
        data["conf"],
        data["left"],
        data["top"],
        data["width"],
        data["height"],
        strict=True,
    ):
        confidence = float(conf)
        if not text.strip() or confidence < 0:
            continue
        for part in text.split():
            words.append(
                PlacedWord(
                    part,
                    left * points_per_pixel,
                    top * points_per_pixel,
                    (left + width) * points_per_pixel,
                    (top + height) * points_per_pixel,
                    round(height * points_per_pixel, 2),
                    round(confidence / 100, 4),
                )
            )
    return words
