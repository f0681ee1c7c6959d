"""Type detection from content: the bytes decide, the declared type and name only refine.

SDKs upload raw bytes as ``application/octet-stream`` named ``upload``, and browsers guess
types from extensions, so a declared type that contradicts the bytes is overridden. Among text
formats (plain, Markdown, CSV, JSON, HTML) the declared type or extension breaks ties the
content alone cannot.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

from extraction.pipeline.documents.base import CorruptDocument, UnsupportedDocumentType

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"
WEBP = "image/webp"
GIF = "image/gif"
BMP = "image/bmp"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
HTML = "text/html"
MARKDOWN = "text/markdown"
CSV = "text/csv"
JSON = "application/json"
TEXT = "text/plain"

TEXT_TYPES = {HTML, MARKDOWN, CSV, JSON, TEXT}
EXTENSIONS = {
    ".md": MARKDOWN,
    ".markdown": MARKDOWN,
    ".csv": CSV,
    ".json": JSON,
    ".html": HTML,
    ".htm": HTML,
    ".txt": TEXT,
    ".text": TEXT,
}
DECLARED_ALIASES = {
    "text/x-markdown": MARKDOWN,
    "application/csv": CSV,
    "text/comma-separated-values": CSV,
    "text/json": JSON,
    "application/xhtml+xml": HTML,
}
HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)\b", re.I | re.S)
HTML_TAGS = re.compile(rb"<(div|p|table|h[1-6]|ul|ol|span|br|meta|title)\b[^>]*>", re.I)
MARKDOWN_HINTS = re.compile(r"^(#{1,6} \S|[-*+] \S|\d+\. \S|\|.*\|\s*$|```)", re.M)
HEAD_BYTES = 64 * 1024


def decode_text(data: bytes) -> str | None:
    """Decode text bytes (UTF-8/UTF-16 with BOM, else UTF-8, else Latin-1 if it looks like
    text); ``None`` for binary content."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    sample = data[:HEAD_BYTES]
    if b"\x00" in sample:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of a truncated upload is still text.
        if exc.start >= len(data) - 3:
            return data[: exc.start].decode("utf-8")
    controls = sum(1 for byte in sample if byte < 9 or 13 < byte < 32)
    if controls > len(sample) // 100:
        return None
    return data.decode("latin-1")


def _zip_type(data: bytes | Path) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names:
                return DOCX
            if "xl/workbook.xml" in names:
                return XLSX
            if "ppt/presentation.xml" in names:
                return PPTX
            if "mimetype" in names:
                mimetype = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                return mimetype or "application/zip"
    except zipfile.BadZipFile as exc:
        raise CorruptDocument(
            "The file looks like a ZIP archive but is truncated or corrupt."
        ) from exc
    return "application/zip"


def _binary_type(head: bytes) -> str | None:
    if b"%PDF-" in head[:1024]:
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return TIFF
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head.startswith(b"BM"):
        return BMP
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "application/x-ole-storage (legacy .doc/.xls/.ppt)"
    if head.startswith(b"{\\rtf"):
        return "application/rtf"
    if head.startswith((b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!")):
        return "application/x-compressed archive"
    return None


def _hint(declared_type: str | None, file_name: str | None) -> str | None:
    if declared_type:
        declared = declared_type.split(";")[0].strip().lower()
        declared = DECLARED_ALIASES.get(declared, declared)
        if declared in TEXT_TYPES:
            return declared
    if file_name:
        return EXTENSIONS.get(Path(file_name).suffix.lower())
    return None


def _looks_like_csv(text: str) -> bool:
    lines = [line for line in text[:HEAD_BYTES].splitlines()[:20] if line.strip()]
    if len(lines) < 2:
        return False
    try:
        dialect = csv.Sniffer().sniff("\n".join(lines), delimiters=",;\t")
    except csv.Error:
        return False
    widths = {len(row) for row in csv.reader(lines, dialect)}
    return len(widths) == 1 and widths.pop() >= 2


def _text_type(text: str, hint: str | None) -> str:
    stripped = text.lstrip()
    if stripped[:1] in "{[":
        try:
            json.loads(text)
            return JSON
        except (ValueError, RecursionError):  # nested past the parser's limit: not JSON to us
            pass
    head = text[:HEAD_BYTES].encode("utf-8", "replace")
    if HTML_START.match(head):
        return HTML
    if hint in (HTML, MARKDOWN, CSV, TEXT):
        if hint == HTML and not HTML_TAGS.search(head):
            return TEXT
        if hint == CSV and not _looks_like_csv(text):
            return TEXT
        return hint
    if len(HTML_TAGS.findall(head)) >= 3:
        return HTML
    if len(MARKDOWN_HINTS.findall(text[:HEAD_BYTES])) >= 2:
        return MARKDOWN
    if _looks_like_csv(text):
        return CSV
    return TEXT


def detect_type(
    source: bytes | Path,
    *,
    declared_type: str | None = None,
    file_name: str | None = None,
) -> str:
    """The media type of ``source`` judged from its content.

    Returns one of the module's type constants or another media type (which the caller
    reports as unsupported). Raises ``CorruptDocument`` for an empty file.
    """
    if isinstance(source, Path):
        with source.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
    else:
        head = source[:HEAD_BYTES]
    if not head:
        raise CorruptDocument("The file is empty (0 bytes).")
    binary = _binary_type(head)
    if binary is not None:
        return binary
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(source)
    data = source.read_bytes() if isinstance(source, Path) else source
    text = decode_text(data)
    if text is None:
        raise UnsupportedDocumentType(
            "Unsupported document type: unrecognised binary content"
            + (f" (declared as {declared_type})" if declared_type else "")
            + "."
        )
    return _text_type(text, _hint(declared_type, file_name))
