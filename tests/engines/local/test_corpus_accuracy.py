"""Regression guard: the local engine's field accuracy on the whole test corpus (tests/corpus).

``RECORDED`` and ``RECORDED_PER_TYPE`` are what the engine scored when this guard was written
(35 documents, 2,055 leaves, scored with tests/corpus/score.py). The test fails when the
overall figure drops by more than 0.02 or a document type's by more than 0.05 (a type has
100-600 leaves, so that is a handful of fields). When the engine improves, raise the figures.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from extraction.pipeline.config import ExtractConfig
from extraction.pipeline.documents import load_document
from extraction.pipeline.engines.base import EngineRequest
from extraction.pipeline.engines.local import LocalEngine
from tests.corpus.score import score_document

if TYPE_CHECKING:
    from tests.corpus import Corpus

RECORDED = 0.970
RECORDED_PER_TYPE = {
    "bank_statement": 0.995,
    "contract": 0.932,
    "employee_roster": 1.0,
    "invoice": 1.0,
    "product_catalog": 0.994,
    "receipt": 0.943,
    "research_paper": 0.875,
    "resume": 0.613,
}


def test_local_engine_accuracy_on_the_corpus_holds(corpus: Corpus) -> None:
    per_type: dict[str, list[int]] = {}
    for entry in corpus:
        document = load_document(entry.path)
        result = LocalEngine().extract(
            EngineRequest(
                document=document,
                pages=list(range(1, document.page_count + 1)),
                schema=entry.schema,
                config=ExtractConfig.from_dict({"extraction_target": entry.target}),
            )
        )
        rows = score_document(entry.schema, entry.expected, result.data, entry.mode)
        tally = per_type.setdefault(entry.doc_type, [0, 0])
        tally[0] += sum(1 for row in rows if row[1])
        tally[1] += len(rows)
    correct = sum(good for good, _ in per_type.values())
    total = sum(count for _, count in per_type.values())
    scores = {name: good / count for name, (good, count) in per_type.items()}
    report = ", ".join(f"{name} {score:.3f}" for name, score in sorted(scores.items()))
    assert set(scores) == set(RECORDED_PER_TYPE)
    assert correct / total >= RECORDED - 0.02, f"accuracy {correct / total:.3f} ({report})"
    for name, score in scores.items():
        assert score >= RECORDED_PER_TYPE[name] - 0.05, f"{name} {score:.3f} ({report})"
