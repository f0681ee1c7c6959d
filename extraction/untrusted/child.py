"""The child half of ``extraction.untrusted.reader``: read one untrusted file under resource limits.

Run as ``python -m extraction.untrusted.child`` by the web process. It reads a JSON header line
from stdin, limits its own address space and CPU time before it reads the file's bytes or
imports a parser, does the one operation asked for, and writes a JSON header line (plus, for
an image, its bytes) to stdout. It needs no Django and inherits no secrets.
"""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path
from typing import Any


def _limit(memory_bytes: int, cpu_seconds: int) -> None:
    with Path("/proc/self/statm").open() as statm:
        pages = int(statm.read().split()[0])
    address_space = pages * resource.getpagesize() + memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))


def _render(content: bytes, request: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    from extraction.pipeline.documents import render_page

    image = render_page(content, int(request["page"]), int(request["dpi"]), "png")
    return {"ok": True, "length": len(image)}, image


def _load(content: bytes, request: dict[str, Any]) -> Any:
    from extraction.pipeline.documents import LoadOptions, load_document

    return load_document(
        content,
        declared_type=request.get("declared_type"),
        file_name=request.get("file_name"),
        options=LoadOptions(
            max_pages=int(request["max_pages"]),
            timeout_seconds=float(request["timeout"]),
            ocr_engine=str(request["ocr_engine"]),
            ocr_language=str(request["ocr_language"]),
        ),
    )


def _page_texts(content: bytes, request: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    document = _load(content, request)
    numbers = range(1, min(document.page_count, int(request["pages"])) + 1)
    texts = {page.number: page.text for page in document.iter_pages(numbers)}
    return {"ok": True, "texts": texts}, b""


def _text(content: bytes, request: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    document = _load(content, request)
    numbers = range(1, min(document.page_count, int(request["pages"])) + 1)
    text = "\n".join(page.text for page in document.iter_pages(numbers))
    return {"ok": True, "text": text[: int(request["max_chars"])]}, b""


OPERATIONS = {"render": _render, "page_texts": _page_texts, "text": _text}


def main() -> int:
    stdin = sys.stdin.buffer
    request = json.loads(stdin.readline())
    _limit(int(request["memory_bytes"]), int(request["cpu_seconds"]))
    content = stdin.read()
    out = sys.stdout.buffer
    try:
        header, payload = OPERATIONS[request["op"]](content, request)
    except MemoryError:
        header, payload = {"ok": False, "error": "memory"}, b""
    except Exception as exc:
        from extraction.pipeline.documents import DocumentError

        message = str(exc) if isinstance(exc, (DocumentError, ValueError)) else ""
        header = {"ok": False, "error": "failed", "message": message[:500]}
        payload = b""
    out.write(json.dumps(header).encode() + b"\n" + payload)
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
