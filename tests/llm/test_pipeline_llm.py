from __future__ import annotations

import threading

import pytest

from extraction.pipeline.config import ConfigError, ExtractConfig
from extraction.pipeline.engines.base import EngineError, ExtractionCancelled
from extraction.pipeline.engines.registry import ModelRegistry
from extraction.pipeline.run import PipelineInput, run_pipeline
from tests.corpus import Corpus
from tests.corpus.score import score_document
from tests.llm.fake_openai import FakeOpenAI, completion, document_pages, error
from tests.llm.helpers import INVOICE_SCHEMA, endpoint, registry
from tests.llm.oracle import TruthOracle


def corpus_input(corpus: Corpus, doc_id: str, **config) -> PipelineInput:
    document = corpus[doc_id]
    return PipelineInput(
        data_schema=document.schema,
        config=ExtractConfig.from_dict(config),
        content=document.path.read_bytes(),
        file_name=document.path.name,
    )


def accuracy(corpus: Corpus, doc_id: str, data) -> float:
    document = corpus[doc_id]
    leaves = score_document(document.schema, document.expected, data, document.mode)
    return sum(ok for _, ok, _, _ in leaves) / len(leaves)


def oracle_for(corpus: Corpus, doc_id: str) -> TruthOracle:
    return TruthOracle(corpus.root, doc_id)


@pytest.mark.parametrize(
    "doc_id",
    [
        "invoice_classic_us",
        "statement_signed_us",
        "lease_pdf_us",
        "resume_markdown_uk",
        "invoice_web_us",
    ],
)
def test_per_doc_merges_chunks_into_the_whole_document(corpus, doc_id):
    oracle = oracle_for(corpus, doc_id)
    with FakeOpenAI(oracle) as server:
        outcome = run_pipeline(corpus_input(corpus, doc_id), registry=registry(server.base_url))
    assert outcome.status == "SUCCESS"
    assert accuracy(corpus, doc_id, outcome.data) == 1.0
    usage = outcome.metadata["usage"]
    assert usage["num_pages_extracted"] == oracle.meta["page_count"] == outcome.pages_total
    assert usage["num_model_calls"] == len(server.requests)
    assert usage["num_document_tokens"] == sum(
        completion({}, request=r).body["usage"]["prompt_tokens"] for r in server.requests
    )
    assert (outcome.metadata["engine"], outcome.metadata["model"]) == ("openai", "test-model")
    assert outcome.metadata.get("validation_errors") is None
    assert outcome.engine_result.quotes  # kept for the citation step


def test_per_page_returns_one_object_per_page(corpus):
    oracle = oracle_for(corpus, "statement_signed_us")
    doc_input = corpus_input(corpus, "statement_signed_us", extraction_target="PER_PAGE")
    with FakeOpenAI(oracle) as server:
        outcome = run_pipeline(doc_input, registry=registry(server.base_url))
    assert len(outcome.data) == oracle.meta["page_count"] == len(server.requests) == 2
    assert sorted(sorted(document_pages(r)) for r in server.requests) == [[1], [2]]
    last_page_fields = {f["path"] for f in oracle.meta["fields"] if f["page"] == 2}
    assert ("closing_balance" in last_page_fields) == (
        outcome.data[1]["closing_balance"] is not None
    )
    assert outcome.data[0]["bank_name"] == oracle.expected["bank_name"]
    assert outcome.engine_result.quotes["[0].bank_name"]


@pytest.mark.parametrize("doc_id", ["catalog_ruled_us", "roster_pdf_us", "catalog_csv_us"])
def test_per_table_row_returns_every_row_across_pages(corpus, doc_id):
    oracle = oracle_for(corpus, doc_id)
    doc_input = corpus_input(corpus, doc_id, extraction_target="PER_TABLE_ROW")
    with FakeOpenAI(oracle) as server:
        outcome = run_pipeline(doc_input, registry=registry(server.base_url))
    assert len(outcome.data) == len(oracle.expected)
    assert accuracy(corpus, doc_id, outcome.data) == 1.0


def test_per_table_row_survives_output_length_limits(corpus):
    oracle = oracle_for(corpus, "catalog_ruled_us")

    def truncating(request):
        answer = oracle.answer(request)
        if len(answer["rows"]) > 4:
            return completion('{"rows": [', finish_reason="length")
        return completion(answer)

    doc_input = corpus_input(corpus, "catalog_ruled_us", extraction_target="PER_TABLE_ROW")
    with FakeOpenAI(truncating) as server:
        outcome = run_pipeline(doc_input, registry=registry(server.base_url))
    assert len(outcome.data) == len(oracle.expected) > 8
    assert accuracy(corpus, "catalog_ruled_us", outcome.data) == 1.0
    assert outcome.metadata["usage"]["num_model_calls"] == len(server.requests) > 4


def test_a_failing_chunk_gives_partial_success_naming_its_pages(corpus):
    oracle = oracle_for(corpus, "statement_signed_us")

    def page_two_fails(request):
        return error(500) if 2 in document_pages(request) else oracle(request)

    # One chunk per page: context pages keep short pages from being packed together.
    job = corpus_input(corpus, "statement_signed_us", num_pages_context=1)
    with FakeOpenAI(page_two_fails) as server:
        outcome = run_pipeline(job, registry=registry(server.base_url))
    assert outcome.status == "PARTIAL_SUCCESS"
    assert outcome.error.startswith("Extraction failed on page(s) 2: Model call failed after 3")
    assert outcome.data["bank_name"] == oracle.expected["bank_name"]
    assert outcome.metadata["pages"]["failed"] == [2]


def test_every_chunk_failing_raises_the_engine_error(corpus):
    with FakeOpenAI([error(401)]) as server, pytest.raises(EngineError) as info:
        run_pipeline(
            corpus_input(corpus, "statement_signed_us"), registry=registry(server.base_url)
        )
    assert not info.value.transient and "API key" in str(info.value)


def six_pages():
    return PipelineInput(
        data_schema=INVOICE_SCHEMA,
        config=ExtractConfig.from_dict({"extraction_target": "PER_PAGE"}),
        text="\n".join(f"Invoice INV-{i}\fTotal {i}" for i in range(3)),
    )


def slow_answer(request, delay: float = 0.1):
    return completion({"data": {"invoice_number": "X", "total": 1}, "quotes": []}, delay=delay)


def slower_answer(request):
    """Long enough that concurrent requests overlap even on a loaded machine."""
    return slow_answer(request, delay=0.3)


def test_concurrency_is_bounded_per_job():
    pages = [f"Invoice INV-{i} total {i}" for i in range(6)]
    job = PipelineInput(
        data_schema=INVOICE_SCHEMA,
        config=ExtractConfig.from_dict({"extraction_target": "PER_PAGE"}),
        text="\f".join(pages),
    )
    with FakeOpenAI(slower_answer) as server:
        outcome = run_pipeline(job, registry=registry(server.base_url, max_concurrency_per_job=2))
    assert len(outcome.data) == len(server.requests) == 6
    assert server.max_in_flight == 2


def test_concurrency_is_bounded_per_worker_across_jobs():
    job = PipelineInput(
        data_schema=INVOICE_SCHEMA,
        config=ExtractConfig.from_dict({"extraction_target": "PER_PAGE"}),
        text="\f".join(f"Invoice INV-{i} total {i}" for i in range(6)),
    )
    with FakeOpenAI(slower_answer) as server:
        limits = registry(server.base_url, max_concurrency_per_job=3, max_concurrency_per_worker=4)
        threads = [
            threading.Thread(target=run_pipeline, args=(job,), kwargs={"registry": limits})
            for _ in range(3)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(server.requests) == 18
    assert server.max_in_flight == 4


def test_cancelling_stops_between_chunks_and_progress_is_reported():
    job = PipelineInput(
        data_schema=INVOICE_SCHEMA,
        config=ExtractConfig.from_dict({"extraction_target": "PER_PAGE"}),
        text="\f".join(f"Invoice INV-{i} total {i}" for i in range(6)),
    )
    progress = []
    with FakeOpenAI(slow_answer) as server:
        limits = registry(server.base_url, max_concurrency_per_job=1)
        with pytest.raises(ExtractionCancelled):
            run_pipeline(
                job,
                registry=limits,
                on_progress=lambda done, total: progress.append((done, total)),
                should_cancel=lambda: len(progress) >= 3,
            )
    assert len(server.requests) == 2
    assert progress == [(0, 6), (1, 6), (2, 6)]


def test_modes_pick_their_models_and_metadata_says_which_ran():
    def answer(request):
        return completion({"data": {"invoice_number": "INV-1", "total": 5}, "quotes": []})

    with FakeOpenAI(answer) as server:
        models = registry(
            server.base_url,
            endpoints=tuple(
                endpoint(server.base_url, name=name, model=name, supports_vision=name == "eye")
                for name in ("base", "quick", "big", "eye")
            ),
            default_model="base",
            fast_model="quick",
            strong_model="big",
            vision_model="eye",
        )
        ran = {}
        for mode in ("FAST", "BALANCED", "PREMIUM", "MULTIMODAL"):
            job = PipelineInput(
                INVOICE_SCHEMA,
                ExtractConfig.from_dict({"extraction_mode": mode}),
                text="Invoice INV-1 total 5",
            )
            ran[mode] = run_pipeline(job, registry=models).metadata["model"]
        named = PipelineInput(
            INVOICE_SCHEMA,
            ExtractConfig.from_dict({"extract_model": "openai-gpt-4o-mini"}),
            text="x",
        )
        ran["named"] = run_pipeline(named, registry=models).metadata
    assert ran["FAST"] == "quick" and ran["BALANCED"] == "base" and ran["PREMIUM"] == "big"
    assert ran["MULTIMODAL"] == "eye"
    assert ran["named"]["model"] == "quick"
    assert ran["named"]["requested_model"] == "openai-gpt-4o-mini"
    assert [r["model"] for r in server.requests][:3] == ["quick", "base", "big"]


def test_local_engine_runs_without_an_llm_or_when_asked():
    job = PipelineInput(
        INVOICE_SCHEMA, ExtractConfig(), text="Invoice number: INV-001\nTotal: 42.50"
    )
    outcome = run_pipeline(job, registry=ModelRegistry())
    assert outcome.metadata["engine"] == "local" and outcome.metadata["model"] is None
    assert outcome.data["invoice_number"] == "INV-001"
    with FakeOpenAI([error(500)]) as server:
        asked = PipelineInput(INVOICE_SCHEMA, ExtractConfig(extract_model="local"), text=job.text)
        outcome = run_pipeline(asked, registry=registry(server.base_url))
    assert outcome.metadata["engine"] == "local" and server.requests == []


def test_unknown_model_is_rejected_with_the_available_names():
    job = PipelineInput(INVOICE_SCHEMA, ExtractConfig(extract_model="gpt-99"), text="x")
    with pytest.raises(ConfigError) as info:
        run_pipeline(job, registry=registry("http://127.0.0.1:9/v1"))
    message = info.value.problems["extract_model"]
    assert "'gpt-99'" in message and "local, test-model, " in message


def test_context_pages_reach_the_prompt_marked_as_context():
    job = PipelineInput(
        data_schema=INVOICE_SCHEMA,
        config=ExtractConfig.from_dict({"num_pages_context": 1}),
        text="\f".join(f"Invoice INV-{i} total {i}" for i in range(1, 4)),
    )
    with FakeOpenAI(slow_answer) as server:
        run_pipeline(job, registry=registry(server.base_url))
    users = sorted(r["messages"][1]["content"] for r in server.requests)
    assert len(users) == 3
    middle = next(u for u in users if u.startswith("Target page(s): 2."))
    assert "=== Page 1 (context only: do not extract from this page) ===" in middle
    assert "=== Page 3 (context only: do not extract from this page) ===" in middle
    assert sorted(list(document_pages(r)) for r in server.requests) == [[1], [2], [3]]


def test_page_range_limits_the_pages_sent_and_counted():
    job = PipelineInput(
        data_schema=INVOICE_SCHEMA,
        config=ExtractConfig.from_dict({"page_range": "2-3,9"}),
        text="\f".join(f"Invoice INV-{i} total {i}" for i in range(1, 5)),
    )
    with FakeOpenAI(slow_answer) as server:
        outcome = run_pipeline(job, registry=registry(server.base_url))
    assert [list(document_pages(r)) for r in server.requests] == [[2, 3]]  # packed: short pages
    assert outcome.metadata["usage"]["num_pages_extracted"] == 2 == outcome.pages_total
    assert outcome.metadata["pages"]["beyond_end"] == [9]


def test_reasoning_lands_in_the_field_metadata():
    reply = {
        "data": {"invoice_number": "INV-1", "total": 5},
        "quotes": [],
        "reasoning": [{"field": "total", "explanation": "Printed after 'total'."}],
    }
    job = PipelineInput(INVOICE_SCHEMA, ExtractConfig(use_reasoning=True), text="INV-1 total 5")
    with FakeOpenAI([completion(reply)]) as server:
        outcome = run_pipeline(job, registry=registry(server.base_url))
    assert outcome.metadata["field_metadata"]["total"]["reasoning"] == "Printed after 'total'."


def test_section_chunks_follow_headings():
    words = " ".join(f"word{i}" for i in range(60))
    text = (
        f"# Parties\nAcme and Bolt agree. {words}\n\n# Payment\nTotal 5 within 30 days. {words}\n"
    )
    job = PipelineInput(
        INVOICE_SCHEMA,
        ExtractConfig.from_dict({"chunk_mode": "SECTION"}),
        text=text,
        file_name="c.md",
    )
    with FakeOpenAI(slow_answer) as server:
        outcome = run_pipeline(job, registry=registry(server.base_url))
    texts = sorted(document_pages(r)[1] for r in server.requests)
    assert outcome.status == "SUCCESS"
    assert len(texts) == 2 and texts[0].startswith("# Parties") and texts[1].startswith("# Payment")


def test_short_pages_share_a_request_and_long_ones_do_not(corpus):
    oracle = oracle_for(corpus, "statement_short_ca")
    with FakeOpenAI(oracle) as server:
        outcome = run_pipeline(
            corpus_input(corpus, "statement_short_ca"), registry=registry(server.base_url)
        )
    assert [sorted(document_pages(r)) for r in server.requests] == [[1, 2, 3]]
    assert accuracy(corpus, "statement_short_ca", outcome.data) == 1.0
    long_pages = PipelineInput(
        INVOICE_SCHEMA, ExtractConfig(), text="\f".join(" ".join(["word"] * 3000) for _ in range(3))
    )
    with FakeOpenAI(slow_answer) as server:
        run_pipeline(long_pages, registry=registry(server.base_url))
    assert sorted(sorted(document_pages(r)) for r in server.requests) == [[1], [2], [3]]


def test_multimodal_sends_rendered_pages_to_the_vision_model(corpus):
    import base64

    oracle = oracle_for(corpus, "invoice_long_us")
    with FakeOpenAI(oracle) as server:
        models = registry(
            server.base_url,
            endpoints=(endpoint(server.base_url, name="eye", model="eye", supports_vision=True),),
            default_model="eye",
            vision_model="eye",
        )
        job = corpus_input(corpus, "invoice_long_us", extraction_mode="MULTIMODAL")
        outcome = run_pipeline(job, registry=models)
    [request] = server.requests
    parts = request["messages"][1]["content"]
    images = [p["image_url"]["url"] for p in parts if p["type"] == "image_url"]
    assert len(images) == oracle.meta["page_count"] == 2
    png = base64.b64decode(images[0].split(",", 1)[1])
    assert png.startswith(b"\x89PNG")
    assert outcome.metadata["model"] == "eye" and "warnings" not in outcome.metadata
    assert accuracy(corpus, "invoice_long_us", outcome.data) == 1.0


def test_citations_locate_the_models_quotes_on_their_pages(corpus):
    from extraction.pipeline.citations import leaf_metadata

    oracle = oracle_for(corpus, "statement_signed_us")
    job = corpus_input(corpus, "statement_signed_us", cite_sources=True, confidence_scores=True)
    with FakeOpenAI(oracle) as server:
        outcome = run_pipeline(job, registry=registry(server.base_url))
    field_metadata = outcome.metadata["field_metadata"]
    checked = 0
    for leaf in oracle.meta["fields"]:
        entry = leaf_metadata(field_metadata, leaf["path"])
        if leaf["page"] and entry and entry.get("citation"):
            assert entry["citation"][0]["page"] == leaf["page"], leaf["path"]
            assert 0.0 <= entry["confidence"] <= 1.0
            checked += 1
    assert checked >= 0.9 * sum(1 for leaf in oracle.meta["fields"] if leaf["page"])
    assert "unsupported_paths" not in outcome.metadata


def test_per_page_keeps_a_failed_page_in_place_as_nulls():
    def page_two_fails(request):
        if 2 in document_pages(request):
            return error(500)
        return completion({"data": {"invoice_number": "INV-1", "total": 1}, "quotes": []})

    job = PipelineInput(
        data_schema={
            **INVOICE_SCHEMA,
            "properties": {
                "invoice_number": {"type": ["string", "null"]},
                "total": {"type": ["number", "null"]},
            },
        },
        config=ExtractConfig.from_dict({"extraction_target": "PER_PAGE"}),
        text="Invoice INV-1 total 1\fpage two\fInvoice INV-1 total 1",
    )
    with FakeOpenAI(page_two_fails) as server:
        outcome = run_pipeline(job, registry=registry(server.base_url))
    assert outcome.status == "PARTIAL_SUCCESS" and "page(s) 2:" in outcome.error
    assert outcome.data[1] == {"invoice_number": None, "total": None}
    assert outcome.data[0] == outcome.data[2] == {"invoice_number": "INV-1", "total": 1}
