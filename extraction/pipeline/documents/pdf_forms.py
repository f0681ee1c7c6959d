"""AcroForm values through pypdf: many real forms hold their data only in widget values.

``read_form_values`` returns, per 0-based page index, each widget's display text, its
rectangle in PDF user space and a font size, so the PDF loader can place the value as words
at the widget's position. Checkboxes and radio buttons read ``checked``/``unchecked``.
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

FormWord = tuple[str, tuple[float, float, float, float], float]

RADIO_FLAG = 1 << 15
PUSHBUTTON_FLAG = 1 << 16
FONT_SIZE_IN_DA = re.compile(r"([\d.]+)\s+Tf")


def _inherited(annotation: Any, key: str) -> Any:
    node = annotation
    for _ in range(32):  # bounded: a /Parent loop must not hang the loader
        if node is None:
            return None
        if key in node:
            return node[key]
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
    return None


def _widget_text(annotation: Any) -> str | None:
    field_type = _inherited(annotation, "/FT")
    flags = int(_inherited(annotation, "/Ff") or 0)
    if field_type == "/Btn":
        if flags & PUSHBUTTON_FLAG:
            return None
        state = annotation.get("/AS")
        if state is None:
            value = _inherited(annotation, "/V")
            state = value if value is not None else "/Off"
        return "unchecked" if str(state) == "/Off" else "checked"
    value = _inherited(annotation, "/V")
    if value is None:
        return None
    text = ", ".join(str(item) for item in value) if isinstance(value, list) else str(value)
    if text.startswith("/"):
        text = text[1:]
    return text.strip() or None


def _font_size(annotation: Any) -> float:
    appearance = _inherited(annotation, "/DA")
    match = FONT_SIZE_IN_DA.search(str(appearance or ""))
    return float(match.group(1)) if match else 0.0


def read_form_values(source: bytes | Path) -> dict[int, list[FormWord]]:
    """Filled widget values per page index. Unreadable forms yield ``{}``, never an error:
    the text layer is still worth having."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(source) if isinstance(source, bytes) else source)
        if reader.is_encrypted:
            reader.decrypt("")
        result: dict[int, list[FormWord]] = {}
        for index, page in enumerate(reader.pages):
            annotations = page.get("/Annots")
            if annotations is None:
                continue
            for reference in annotations.get_object():
                annotation = reference.get_object()
                if annotation.get("/Subtype") != "/Widget" or "/Rect" not in annotation:
                    continue
                text = _widget_text(annotation)
                if text is None:
                    continue
                x0, y0, x1, y1 = (float(v) for v in annotation["/Rect"])
                rect = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
                result.setdefault(index, []).append((text, rect, _font_size(annotation)))
        return result
    except Exception:  # a broken form must not fail the whole document
        return {}
