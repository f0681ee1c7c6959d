"""A scripted model that knows a document's ground truth.

For each request it reads which pages the prompt carries and answers with exactly the values
printed on those pages (nulls elsewhere), with the printed text as each value's quote - the
answer a perfect model would give for that chunk. It reads ``<doc_id>.meta.json`` and
``<doc_id>.expected.json`` from a folder: the test corpus (``tests/corpus``) in the tests, the
shared devset (same layout) in the benchmark. Used by pipeline tests and the benchmark.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.llm.fake_openai import Scripted, completion, document_pages


def _join(base: str, part: str | int) -> str:
    if isinstance(part, int):
        return f"{base}[{part}]"
    return f"{base}.{part}" if base else part


class TruthOracle:
    def __init__(self, folder: Path, doc_id: str):
        self.meta = json.loads((folder / f"{doc_id}.meta.json").read_text())
        self.expected = json.loads((folder / f"{doc_id}.expected.json").read_text())
        self.pages = {f["path"]: f["page"] for f in self.meta["fields"]}
        self.rendered = {f["path"]: f["rendered"] for f in self.meta["fields"]}

    def _pages_under(self, prefix: str) -> set[int]:
        return {
            page
            for path, page in self.pages.items()
            if page
            and (path == prefix or path.startswith(prefix + ".") or path.startswith(prefix + "["))
        }

    def _shown(self, prefix: str, text: str) -> bool:
        """Whether the element's first printed value is in ``text`` (a page may be split)."""
        first = next(
            (path for path in self.pages if path.startswith(prefix + ".") and self.rendered[path]),
            None,
        )
        return first is None or " ".join(self.rendered[first].split("\n")[0].split()) in text

    def _restrict(
        self, value: Any, path: str, targets: set[int], quotes: list, out_path: str, text: str
    ) -> Any:
        if isinstance(value, dict):
            return {
                key: self._restrict(
                    item, _join(path, key), targets, quotes, _join(out_path, key), text
                )
                for key, item in value.items()
            }
        if isinstance(value, list):
            kept = []
            for index, item in enumerate(value):
                source = _join(path, index)
                if self._pages_under(source) & targets and (
                    not isinstance(item, dict) or self._shown(source, text)
                ):
                    target = _join(out_path, len(kept))
                    kept.append(self._restrict(item, source, targets, quotes, target, text))
            return kept
        if value is not None and self.pages.get(path) in targets:
            quotes.append({"path": out_path, "quote": self.rendered[path].split("\n")[0]})
            return value
        return None

    def answer(self, request: dict[str, Any]) -> dict[str, Any]:
        pages = document_pages(request)
        targets = set(pages)
        text = " ".join(" ".join(page.split()) for page in pages.values())
        quotes: list[dict[str, str]] = []
        if isinstance(self.expected, list):
            rows = self._restrict(self.expected, "", targets, quotes, "", text)
            return {"rows": rows, "quotes": quotes}
        data = self._restrict(self.expected, "", targets, quotes, "", text)
        return {"data": data, "quotes": quotes}

    def __call__(self, request: dict[str, Any]) -> Scripted:
        return completion(self.answer(request), request=request)


# bench/llm_pipeline.py imports the oracle by its former name.
DevsetOracle = TruthOracle
