from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from extraction.models import ExtractionCacheEntry
from extraction.pipeline.cache_key import cache_key
from extraction.pipeline.config import ExtractConfig
from extraction.pipeline.run import PipelineInput, run_pipeline
from extraction.services.results_cache import ProjectResultCache, cache_lookup, cache_store
from tests.factories import UserFactory, default_project
from tests.llm.fake_openai import FakeOpenAI, completion
from tests.llm.helpers import INVOICE_SCHEMA, registry

ANSWER = {"data": {"invoice_number": "INV-7", "total": 7}, "quotes": []}


def key_for(**changes) -> str:
    values = {
        "content": b"%PDF-1.7 bytes",
        "text": None,
        "schema": INVOICE_SCHEMA,
        "config": ExtractConfig(),
        "engine": "openai",
        "model": "m1",
    }
    return cache_key(**{**values, **changes})


def test_key_changes_with_every_input_that_changes_results():
    base = key_for()
    assert len(base) == 64 and key_for() == base
    assert key_for(content=b"other") != base
    assert key_for(content=None, text="hello") != key_for(content=None, text="hello!")
    assert key_for(schema={**INVOICE_SCHEMA, "required": []}) != base
    assert key_for(config=ExtractConfig.from_dict({"extraction_target": "PER_PAGE"})) != base
    assert key_for(config=ExtractConfig(system_prompt="be brief")) != base
    assert key_for(model="m2") != base and key_for(engine="local", model=None) != base


def test_key_ignores_queue_priority_and_cache_flags():
    base = key_for()
    assert key_for(config=ExtractConfig.from_dict({"priority": "high"})) == base
    assert key_for(config=ExtractConfig(invalidate_cache=True)) == base


def test_key_does_not_depend_on_schema_key_order():
    reordered = dict(reversed(list(INVOICE_SCHEMA.items())))
    assert key_for(schema=reordered) == key_for()


@pytest.fixture
def project(db):  # noqa: ANN001, ANN201
    return default_project(UserFactory())


def job(config: ExtractConfig | None = None) -> PipelineInput:
    return PipelineInput(INVOICE_SCHEMA, config or ExtractConfig(), text="Invoice INV-7 total 7")


@pytest.mark.django_db
def test_second_run_is_served_from_the_cache_without_calling_the_model(project):
    cache = ProjectResultCache(project, hours=48)
    with FakeOpenAI(lambda req: completion(ANSWER)) as server:
        first = run_pipeline(job(), registry=registry(server.base_url), cache=cache)
        second = run_pipeline(job(), registry=registry(server.base_url), cache=cache)
    assert len(server.requests) == 1
    assert first.metadata["cache"]["hit"] is False
    assert second.metadata["cache"] == {"hit": True, "key": first.metadata["cache"]["key"]}
    assert second.data == first.data == {"invoice_number": "INV-7", "total": 7}
    assert second.metadata["usage"]["num_model_calls"] == 0
    assert second.metadata["model"] == "test-model"
    assert ExtractionCacheEntry.objects.filter(project=project).count() == 1


@pytest.mark.django_db
def test_invalidate_cache_bypasses_and_replaces_the_entry(project):
    cache = ProjectResultCache(project, hours=48)
    answers = [
        completion(ANSWER),
        completion({**ANSWER, "data": {"invoice_number": "NEW", "total": 8}}),
    ]
    with FakeOpenAI(answers) as server:
        run_pipeline(job(), registry=registry(server.base_url), cache=cache)
        fresh = run_pipeline(
            job(ExtractConfig(invalidate_cache=True)),
            registry=registry(server.base_url),
            cache=cache,
        )
        again = run_pipeline(job(), registry=registry(server.base_url), cache=cache)
    assert len(server.requests) == 2
    assert fresh.data["invoice_number"] == "NEW" and fresh.metadata["cache"]["hit"] is False
    assert again.data["invoice_number"] == "NEW" and again.metadata["cache"]["hit"] is True
    assert ExtractionCacheEntry.objects.filter(project=project).count() == 1


@pytest.mark.django_db
def test_entries_are_scoped_to_the_project_and_expire(project):
    other = default_project(UserFactory())
    cache_store(project=project, key="k" * 64, data={"a": 1}, metadata={"m": 1}, hours=1)
    assert cache_lookup(project=project, key="k" * 64) == ({"a": 1}, {"m": 1})
    assert cache_lookup(project=other, key="k" * 64) is None
    ExtractionCacheEntry.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert cache_lookup(project=project, key="k" * 64) is None


@pytest.mark.django_db
def test_storing_again_replaces_the_entry_and_renews_its_expiry(project):
    cache_store(project=project, key="k" * 64, data={"a": 1}, metadata={}, hours=1)
    ExtractionCacheEntry.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    cache_store(project=project, key="k" * 64, data={"a": 2}, metadata={"m": 2}, hours=1)
    assert ExtractionCacheEntry.objects.filter(project=project).count() == 1
    assert cache_lookup(project=project, key="k" * 64) == ({"a": 2}, {"m": 2})


@pytest.mark.django_db
def test_partial_results_are_not_cached(project):
    cache = ProjectResultCache(project, hours=48)
    text = "Invoice INV-7 total 7\fpage two"

    def second_page_fails(request):
        from tests.llm.fake_openai import document_pages, error

        return error(500) if 2 in document_pages(request) else completion(ANSWER)

    with FakeOpenAI(second_page_fails) as server:
        outcome = run_pipeline(
            PipelineInput(INVOICE_SCHEMA, ExtractConfig(num_pages_context=1), text=text),
            registry=registry(server.base_url),
            cache=cache,
        )
    assert outcome.status == "PARTIAL_SUCCESS"
    assert not ExtractionCacheEntry.objects.filter(project=project).exists()
