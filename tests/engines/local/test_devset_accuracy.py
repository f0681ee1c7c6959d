"""Regression guard: local engine field accuracy on a fixed subset of the devset (seed 7).

The subset is the first two documents of every type in the manifest (18 documents, PDFs and
text formats). ``RECORDED`` is the accuracy measured when the engine last improved (see
BENCHMARKS.md, "Local engine accuracy"); the test fails if it drops by more than 0.02.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

from extraction.config import ExtractConfig
from extraction.documents import load_document
from extraction.engines.base import EngineRequest
from extraction.engines.local import LocalEngine
from tests.conftest import SHARED_DIR

RECORDED = 0.996
PER_TYPE = 2


def _scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "devset_score", SHARED_DIR / "devset" / "score.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("devset_score", module)
    spec.loader.exec_module(module)
    return module


def _subset(devset: Path) -> list[dict]:
    manifest = json.loads((devset / "manifest.json").read_text())
    taken: dict[str, int] = {}
    chosen = []
    for entry in manifest["documents"]:
        if taken.get(entry["doc_type"], 0) < PER_TYPE:
            taken[entry["doc_type"]] = taken.get(entry["doc_type"], 0) + 1
            chosen.append(entry)
    return chosen


def test_local_engine_accuracy_on_the_devset_subset_holds(devset_dir: Path) -> None:
    scorer = _scorer()
    correct = total = 0
    per_type: dict[str, list[int]] = {}
    for entry in _subset(devset_dir):
        schema = json.loads((devset_dir / "schemas" / entry["schema"]).read_text())
        expected = json.loads((devset_dir / f"{entry['doc_id']}.expected.json").read_text())
        target = "PER_TABLE_ROW" if entry["mode"] == "PER_TABLE_ROW" else "PER_DOC"
        document = load_document(devset_dir / entry["file"])
        result = LocalEngine().extract(
            EngineRequest(
                document=document,
                pages=list(range(1, document.page_count + 1)),
                schema=schema,
                config=ExtractConfig.from_dict({"extraction_target": target}),
            )
        )
        rows = scorer.score_document(schema, expected, result.data, entry["mode"])
        good = sum(1 for row in rows if row[1])
        correct += good
        total += len(rows)
        tally = per_type.setdefault(entry["doc_type"], [0, 0])
        tally[0] += good
        tally[1] += len(rows)
    accuracy = correct / total
    report = ", ".join(f"{name} {c / t:.3f}" for name, (c, t) in sorted(per_type.items()))
    assert accuracy >= RECORDED - 0.02, f"accuracy {accuracy:.3f} ({report})"
    assert all(c / t >= 0.6 for c, t in per_type.values()), report
