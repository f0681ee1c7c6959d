"""PDF loader: the text layer through pypdfium2, one page at a time.

Pages are parsed on access (``PdfPages`` is a lazy sequence with a small cache), so memory
does not grow with the page count. Word boxes come from the loose boxes of the first and last
character of each word, through ctypes functions with argument checks off (three times
cheaper per call); the font size is asked again only when the box height changes. Pages
without a text layer but with images are OCRed; AcroForm values are added as words at their
widget positions (``pdf_forms``). See BENCHMARKS.md for the measurements behind these choices.
"""

from __future__ import annotations

import ctypes
import functools
import re
import threading
import time
import weakref
from typing import TYPE_CHECKING, Any

from extraction.pipeline.documents.base import (
    CorruptDocument,
    Document,
    DocumentError,
    DocumentTooLarge,
    Page,
    PasswordProtected,
)
from extraction.pipeline.documents.layout import PlacedWord, build_page
from extraction.pipeline.documents.pages import LazyPages
from extraction.pipeline.documents.pdf_forms import FormWord, read_form_values

if TYPE_CHECKING:
    from pathlib import Path

    from extraction.pipeline.documents.options import LoadOptions

# pdfium is not thread-safe, not even across documents: every call into it goes through here.
PDFIUM_LOCK = threading.RLock()

REOPEN_EVERY_PAGES = 200
# How many multi-character words vote on a page's reading direction.
DIRECTION_SAMPLE_WORDS = 256
WORD_PATTERN = re.compile(r"[^\s\x00-\x1f\ufffe\uffff]+")
# Typographic ligatures spelled out, so "ﬁnance" in a PDF matches "finance" everywhere else.
LIGATURES = str.maketrans(
    {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
     "\ufb05": "st", "\ufb06": "st"}
)  # fmt: skip


def open_pdfium(source: bytes | Path) -> Any:
    """Open ``source`` with pdfium; raises ``PasswordProtected`` or ``CorruptDocument``."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    with PDFIUM_LOCK:
        try:
            # pdfium tries the empty user password itself when none is given.
            return pdfium.PdfDocument(source)
        except pdfium.PdfiumError as exc:
            if exc.err_code == pdfium_c.FPDF_ERR_PASSWORD:
                raise PasswordProtected(
                    "The PDF is password protected; upload a copy without a password."
                ) from exc
            raise CorruptDocument(
                "The PDF could not be read (it may be truncated or corrupt)."
            ) from exc


class PageGeometry:
    """Maps PDF user space (bottom-left origin) to displayed points (top-left origin),
    honouring the crop box and the page's /Rotate."""

    def __init__(self, cropbox: tuple[float, float, float, float], rotation: int) -> None:
        self.left, self.bottom, self.right, self.top = cropbox
        self.rotation = rotation % 360
        w, h = self.right - self.left, self.top - self.bottom
        self.width, self.height = (h, w) if self.rotation in (90, 270) else (w, h)

    def to_display(self, x: float, y: float) -> tuple[float, float]:
        u, v = x - self.left, self.top - y
        w, h = self.right - self.left, self.top - self.bottom
        if self.rotation == 90:
            return h - v, u
        if self.rotation == 180:
            return w - u, h - v
        if self.rotation == 270:
            return v, w - u
        return u, v

    def rect(
        self, left: float, bottom: float, right: float, top: float
    ) -> tuple[float, float, float, float]:
        """A user-space rectangle as display ``(x0, y0, x1, y1)``."""
        ax, ay = self.to_display(left, top)
        bx, by = self.to_display(right, bottom)
        return min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)


def page_text_words(textpage: Any, geometry: PageGeometry) -> tuple[list[PlacedWord], int]:
    """Words of one pdfium text page with display boxes and font sizes, and the clockwise
    angle (0, 90, 180 or 270) at which most of the text reads on the displayed page."""
    import pypdfium2.raw as pdfium_c

    count = pdfium_c.FPDFText_CountChars(textpage)
    if count <= 0:
        return [], 0
    buffer = (ctypes.c_ushort * (count + 1))()
    written = pdfium_c.FPDFText_GetText(textpage, 0, count, buffer)
    text = bytes(memoryview(buffer)[: max(written - 1, 0)]).decode("utf-16-le", "replace")
    index_map: list[int] | None = None
    if len(text) != count:
        # Characters outside the BMP (surrogate pairs) or chars pdfium excluded from the text:
        # translate string positions back to pdfium char indices.
        index_map = _char_indices(textpage, text)
    rect = pdfium_c.FS_RECTF()
    rect_ref = ctypes.byref(rect)
    get_box, get_size = _fast_char_functions()
    handle = ctypes.c_void_p(ctypes.cast(textpage.raw, ctypes.c_void_p).value)
    crop_left, crop_top = geometry.left, geometry.top
    upright = geometry.rotation == 0
    words: list[PlacedWord] = []
    append = words.append
    votes = [0, 0, 0, 0]  # reading direction of multi-character words: 0, 90, 180, 270
    voters = DIRECTION_SAMPLE_WORDS
    last_height = -1.0
    size: float | None = None
    for match in WORD_PATTERN.finditer(text):
        first, last = match.span()
        last -= 1
        if index_map is not None:
            first, last = index_map[first], index_map[last]
        get_box(handle, first, rect_ref)
        left, top, right, bottom = rect.left, rect.top, rect.right, rect.bottom
        if last != first:
            get_box(handle, last, rect_ref)
            end_left, end_top, end_right, end_bottom = (
                rect.left,
                rect.top,
                rect.right,
                rect.bottom,
            )
            if voters:  # the first words decide the direction; dense pages have thousands
                voters -= 1
                dx = end_left + end_right - left - right
                dy = end_top + end_bottom - top - bottom
                if abs(dx) >= abs(dy):
                    votes[0 if dx > 0 else 2] += 1
                else:
                    votes[3 if dy > 0 else 1] += 1
            if end_left < left:
                left = end_left
            if end_right > right:
                right = end_right
            if end_top > top:
                top = end_top
            if end_bottom < bottom:
                bottom = end_bottom
        if upright:
            x0, y0, x1, y1 = left - crop_left, crop_top - top, right - crop_left, crop_top - bottom
        else:
            x0, y0, x1, y1 = geometry.rect(left, bottom, right, top)
        # A loose box's height is the font's ascent-descent at its size: while it stays the
        # same, so does the size, and one pdfium call per word is saved.
        height = top - bottom
        if height != last_height:
            size = round(get_size(handle, first), 2) or None
            last_height = height
        word = match.group()
        if not word.isascii():
            word = word.translate(LIGATURES)
        append(PlacedWord(word, x0, y0, x1, y1, size))
    # Votes are in user space; the page's /Rotate turns them further on display.
    user_angle = (0, 90, 180, 270)[votes.index(max(votes))]
    return words, (user_angle + geometry.rotation) % 360


@functools.cache
def _fast_char_functions() -> tuple[Any, Any]:
    """``FPDFText_GetLooseCharBox`` and ``FPDFText_GetFontSize`` without ctypes argument
    checking: called a few times per word, the checked bindings cost 3x more (see
    BENCHMARKS.md). Fresh function objects, so pypdfium2's own bindings are untouched."""
    import pypdfium2.raw as pdfium_c

    try:
        from pypdfium2_raw.bindings import _libs

        library = _libs["pdfium"]
        get_box = library["FPDFText_GetLooseCharBox"]
        get_size = library["FPDFText_GetFontSize"]
    except (ImportError, KeyError, AttributeError):  # another pypdfium2 layout: checked calls
        return pdfium_c.FPDFText_GetLooseCharBox, pdfium_c.FPDFText_GetFontSize
    get_box.argtypes, get_box.restype = None, ctypes.c_int
    get_size.argtypes, get_size.restype = None, ctypes.c_double
    return get_box, get_size


def _char_indices(textpage: Any, text: str) -> list[int]:
    import pypdfium2.raw as pdfium_c

    indices: list[int] = []
    utf16_index = 0
    for char in text:
        char_index = pdfium_c.FPDFText_GetCharIndexFromTextIndex(textpage, utf16_index)
        indices.append(max(char_index, 0))
        utf16_index += 2 if ord(char) > 0xFFFF else 1
    return indices


def page_has_images(page: Any) -> bool:
    import pypdfium2.raw as pdfium_c

    for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3):
        return True
    return False


class PdfPages(LazyPages):
    """The pages of an open pdfium document, parsed on access (see ``LazyPages``).

    Total parse time is bounded by ``options.timeout_seconds`` (``DocumentTooLarge`` once
    exceeded); ``ocr_pages`` records the pages whose text came from OCR.
    """

    def __init__(
        self,
        pdf: Any,
        page_count: int,
        options: LoadOptions,
        form_words: dict[int, list[FormWord]],
        source: bytes | Path | None = None,
    ) -> None:
        super().__init__(page_count)
        self._pdf = pdf
        self._source = source
        self._parsed_since_open = 0
        # Close pdfium's document when the pages are dropped, not at interpreter exit.
        self._finalizer = weakref.finalize(self, _close_quietly, pdf)
        self._options = options
        self._form_words = form_words
        self.parse_seconds = 0.0
        self.ocr_pages: set[int] = set()

    def load(self, index: int) -> Page:
        if self.parse_seconds > self._options.timeout_seconds:
            raise DocumentTooLarge(
                f"Parsing the PDF took longer than {self._options.timeout_seconds:g} seconds."
            )
        import pypdfium2 as pdfium

        started = time.perf_counter()
        try:
            page = self._parse(index)
        except pdfium.PdfiumError as exc:
            raise CorruptDocument(
                f"Page {index + 1} of the PDF could not be read (the file may be corrupt)."
            ) from exc
        finally:
            self.parse_seconds += time.perf_counter() - started
        return page

    def _reopen(self, source: bytes | Path) -> None:
        # pdfium keeps every object and stream it has parsed until the document is closed
        # (measured: +12 MB over 900 pages of the 48 MB report); reopening bounds that.
        self._finalizer()
        self._pdf = open_pdfium(source)
        self._finalizer = weakref.finalize(self, _close_quietly, self._pdf)
        self._parsed_since_open = 0

    def _parse(self, index: int) -> Page:
        with PDFIUM_LOCK:
            if self._pdf is None:
                raise DocumentError("The document was closed.")
            if self._source is not None and self._parsed_since_open >= REOPEN_EVERY_PAGES:
                self._reopen(self._source)
            self._parsed_since_open += 1
            pdf_page = self._pdf[index]
            try:
                geometry = PageGeometry(tuple(pdf_page.get_cropbox()), pdf_page.get_rotation())
                textpage = pdf_page.get_textpage()
                try:
                    words, text_rotation = page_text_words(textpage, geometry)
                finally:
                    textpage.close()
                rendered = None
                if not words and page_has_images(pdf_page):
                    from extraction.pipeline.documents.ocr import render_for_ocr

                    rendered = render_for_ocr(pdf_page, self._options)
            finally:
                pdf_page.close()
        if rendered is not None:
            from extraction.pipeline.documents.ocr import ocr_words

            image, points_per_pixel = rendered
            # Outside the pdfium lock: Tesseract takes seconds and needs no pdfium.
            words = ocr_words(image, points_per_pixel, self._options)
            text_rotation = 0
            self.ocr_pages.add(index + 1)
        for text, rect, size in self._form_words.get(index, ()):
            words.extend(_place_value(text, geometry.rect(*rect), size))
        return build_page(
            index + 1,
            geometry.width,
            geometry.height,
            words,
            ocr=rendered is not None,
            text_rotation=text_rotation,
        )

    def close(self) -> None:
        """Close the pdfium document; later accesses to uncached pages raise DocumentError."""
        with PDFIUM_LOCK:
            self._pdf = None
            self._finalizer()
        super().close()


def _close_quietly(pdf: Any) -> None:
    with PDFIUM_LOCK:
        pdf.close()


def _place_value(
    text: str, box: tuple[float, float, float, float], font_size: float
) -> list[PlacedWord]:
    """Synthesize word boxes for a form value drawn inside its widget rectangle.

    Widths are estimated (half an em per character) since no glyphs exist to measure.
    """
    x0, y0, x1, y1 = box
    size = font_size or max(min((y1 - y0) * 0.7, 12.0), 4.0)
    placed: list[PlacedWord] = []
    lines = text.splitlines() or [text]
    line_height = size * 1.2
    single = len(lines) == 1
    for row, line in enumerate(lines):
        top = (y0 + y1 - size) / 2 if single else y0 + 2 + row * line_height
        for match in WORD_PATTERN.finditer(line):
            width = len(match.group()) * size * 0.5
            start = x0 + 2 + match.start() * size * 0.5
            placed.append(PlacedWord(match.group(), start, top, start + width, top + size, size))
    return placed


def load_pdf(source: bytes | Path, options: LoadOptions) -> Document:
    """Open a PDF lazily: page count, metadata and form values now, page text on access.

    Raises ``PasswordProtected``, ``CorruptDocument`` or ``DocumentTooLarge`` (page limit).
    """
    pdf = open_pdfium(source)
    with PDFIUM_LOCK:
        try:
            page_count = len(pdf)
            info = dict(pdf.get_metadata_dict(skip_empty=True).items())
            has_form = pdf.get_formtype() != 0
        except Exception as exc:
            pdf.close()
            raise CorruptDocument("The PDF could not be read (it may be corrupt).") from exc
    if page_count == 0:
        pdf.close()
        raise CorruptDocument("The PDF has no pages.")
    if page_count > options.max_pages:
        pdf.close()
        raise DocumentTooLarge(f"The PDF has {page_count} pages; the limit is {options.max_pages}.")
    form_words: dict[int, list[FormWord]] = {}
    if has_form:
        form_words = read_form_values(source)
    pages = PdfPages(pdf, page_count, options, form_words, source)
    metadata: dict[str, Any] = {
        "detected_type": "application/pdf",
        "info": info,
        "has_form_fields": bool(form_words),
        # Filled in as pages are parsed: a page's text came from OCR when it had no text layer.
        "ocr_pages": pages.ocr_pages,
    }
    return Document(media_type="application/pdf", pages=pages, metadata=metadata)
