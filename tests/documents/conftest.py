"""Fixtures for the document loaders: the devset generated once per session, and helpers to
check that printed text is found on its page with boxes inside the page."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from extraction.documents import Page

ROOT = Path(__file__).resolve().parents[2]
SHARED_DIR = Path(os.environ.get("OPENEXTRACT_SHARED_DIR", ROOT.parent / "shared"))
DEVSET_GENERATOR = SHARED_DIR / "devset" / "generate.py"


@dataclass(frozen=True)
class DevsetDocument:
    path: Path
    meta: dict[str, Any]

    @property
    def doc_id(self) -> str:
        return self.meta["doc_id"]


@pytest.fixture(scope="session")
def documents_devset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The devset (default seed) generated once per session into a temp folder."""
    out = tmp_path_factory.mktemp("documents_devset")
    subprocess.run(
        [sys.executable, str(DEVSET_GENERATOR), "--out", str(out)],
        check=True,
        capture_output=True,
    )
    return out


@pytest.fixture(scope="session")
def devset_documents(documents_devset: Path) -> list[DevsetDocument]:
    metas = sorted(documents_devset.glob("*.meta.json"))
    return [
        DevsetDocument(documents_devset / meta["file"], meta)
        for meta in (json.loads(path.read_text()) for path in metas)
    ]


def normalize(text: str) -> str:
    return " ".join(text.split())


def find_on_page(page: Page, rendered: str) -> tuple[int, int] | None:
    """The span of ``rendered`` (whitespace-normalized) in the page text, or ``None``.

    Page text separates words by single spaces and lines by ``\\n``, so swapping newlines for
    spaces keeps offsets valid.
    """
    haystack = page.text.replace("\n", " ")
    needle = normalize(rendered)
    start = haystack.find(needle)
    return None if start < 0 else (start, start + len(needle))


def assert_inside_page(page: Page, box: Any, tolerance: float = 1.0) -> None:
    assert box.w > 0 and box.h > 0, box
    assert -tolerance <= box.x and box.x + box.w <= page.width + tolerance, (box, page.width)
    assert -tolerance <= box.y and box.y + box.h <= page.height + tolerance, (box, page.height)
