"""The worker runtime: what a worker process does to run one extraction job.

``job_run`` claims the job (``services.lifecycle``), builds the pipeline's input from the
stored job, runs the pipeline in the sandbox child (``sandbox``) while this process serves its
progress, cancellation checks, lease heartbeats and result cache, maps what went wrong to the
job's status and message, and records the outcome. ``tasks.extract_job`` only calls it.
"""

from __future__ import annotations

import functools
import logging
import random
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections

from extraction.models import ExtractionJob
from extraction.pipeline.config import ConfigError, ExtractConfig
from extraction.pipeline.documents.base import DocumentError
from extraction.pipeline.engines.base import EngineError, ExtractionCancelled
from extraction.pipeline.engines.registry import (
    ModelRegistry,
    model_registry_from_settings,
    select_engine,
)
from extraction.pipeline.run import PipelineInput, PipelineOutcome, run_pipeline
from extraction.pipeline.schemas import SchemaError
from extraction.services import lifecycle
from extraction.services.results_cache import ProjectResultCache
from extraction.worker.circuit import (
    circuit_open_for,
    circuit_record_failure,
    circuit_record_success,
)
from extraction.worker.load_options import load_options_from_settings
from extraction.worker.sandbox import ParentLink, SandboxLimits, thread_sandbox

if TYPE_CHECKING:
    import uuid
    from collections.abc import Callable, Iterator

logger = logging.getLogger(__name__)

PROGRESS_INTERVAL_SECONDS = 0.5


@dataclass(frozen=True)
class Retry:
    """Ask Celery to run the task again after ``countdown`` seconds (on ``queue`` if given)."""

    countdown: float
    queue: str | None = None


def retry_countdown(attempt: int) -> float:
    """Exponential backoff with full jitter: up to 2, 4, 8… seconds, capped at 60."""
    return random.uniform(0.5, min(60.0, 2.0**attempt))


def pipeline_input_for(job: ExtractionJob) -> PipelineInput:
    content = None
    if job.file is not None:
        with job.file.content.open("rb") as handle:
            content = handle.read()
    config = ExtractConfig.from_dict(job.config)
    return PipelineInput(
        data_schema=job.data_schema,
        config=config,
        content=content,
        text=job.inline_text,
        file_name=job.file_name or None,
        declared_type=job.file.mime_type if job.file else None,
        load_options=load_options_from_settings(high_resolution=config.high_resolution_mode),
    )


def _pipeline_in_child(
    job_input: PipelineInput, registry: ModelRegistry, parent: ParentLink
) -> PipelineOutcome:
    """The sandboxed half of ``run_job_pipeline``: module-level, so it can be sent pickled."""
    outcome = run_pipeline(
        job_input,
        on_progress=lambda done, total: parent.call("progress", done, total),
        should_cancel=lambda: parent.call("should_cancel"),
        registry=registry,
        cache=_CacheThroughParent(parent),
    )
    outcome.engine_result = None  # already folded into the metadata; not worth the pickling
    return outcome


class _CacheThroughParent:
    """The pipeline's result cache as seen from the sandboxed child: calls go to the parent."""

    def __init__(self, parent: ParentLink) -> None:
        self.parent = parent

    def lookup(self, key: str) -> Any:
        return self.parent.call("cache_lookup", key)

    def store(self, key: str, data: Any, metadata: dict[str, Any]) -> None:
        self.parent.call("cache_store", key, data, metadata)


# A one-page PDF written by hand (pdfium rebuilds the missing cross-reference table).
_WARM_UP_PDF = b"""%PDF-1.4
1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj
2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj
3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]
/Resources<</Font<</F1 4 0 R>>>>/Contents 5 0 R>>endobj
4 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj
5 0 obj<</Length 58>>stream
BT /F1 12 Tf 72 720 Td (Invoice INV-1 Total $12.00) Tj ET
endstream endobj
trailer<</Root 1 0 R>>
%%EOF
"""
_WARM_UP_SCHEMA = {
    "type": "object",
    "properties": {
        "invoice_number": {"type": ["string", "null"]},
        "invoice_date": {"type": ["string", "null"], "format": "date"},
        "total": {"type": ["number", "null"]},
    },
}
_warmed_up = False


def warm_up_pipeline() -> None:
    """Import and prime the pipeline once per worker process, before any sandbox fork.

    Sandboxed jobs run in a forked child that is replaced after a failed job and every
    ``SANDBOX_MAX_JOBS`` jobs, and what a child imports or caches goes with it: without this
    each new child would re-import pypdfium2, rapidfuzz and the local engine (about 1 s under
    load; bench/throughput.py). Never raises.
    """
    global _warmed_up
    if _warmed_up:
        return
    _warmed_up = True
    try:
        run_pipeline(
            PipelineInput(
                data_schema=_WARM_UP_SCHEMA,
                config=ExtractConfig(),
                content=_WARM_UP_PDF,
                file_name="warm-up.pdf",
            )
        )
        if model_registry_from_settings(settings).has_llm:
            # The openai SDK takes seconds to import; import it once here, not in every child.
            import extraction.pipeline.engines.openai.engine  # noqa: F401
    except Exception:
        logger.warning("pipeline warm-up failed", exc_info=True)


def model_endpoint_of(job_id: str) -> str | None:
    """The base URL of the model endpoint ``job_id`` will call; None for the local engine."""
    registry = model_registry_from_settings(settings)
    if not registry.has_llm:
        return None  # every job runs locally: no need to read the job
    config = ExtractionJob.objects.filter(pk=job_id).values_list("config", flat=True).first()
    if config is None:
        return None
    try:
        choice = select_engine(ExtractConfig.from_dict(config), registry)
    except ConfigError:
        return None  # the pipeline reports it as the job's error
    return choice.endpoint.base_url if choice.endpoint else None


@contextmanager
def _heartbeat_thread(beat: Callable[[], None], seconds: float) -> Iterator[None]:
    """Call ``beat`` every ``seconds`` from a thread while the block runs (the sandbox does
    this itself; without it the pipeline runs in this thread and cannot renew its lease)."""
    stop = threading.Event()

    def loop() -> None:
        try:
            while not stop.wait(seconds):
                try:
                    beat()
                except DatabaseError:
                    logger.warning("job heartbeat failed", exc_info=True)
        finally:
            connections.close_all()  # this thread's own connection

    thread = threading.Thread(target=loop, name="job-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _attempt_token(job: ExtractionJob) -> uuid.UUID:
    """The token ``job_start`` gave the running attempt; raises ``RuntimeError`` for a job that
    was not started (none is run without one)."""
    if job.attempt_token is None:
        raise RuntimeError(f"Job {job.pk} has no attempt token: it was not started.")
    return job.attempt_token


def run_job_pipeline(job: ExtractionJob) -> PipelineOutcome:
    """Run the pipeline for ``job``, in a resource-limited child process unless disabled.

    Progress, cancellation checks and the result cache are served from this process, which
    also renews the job's lease while the pipeline works. Every write and check carries the
    attempt's token, so an attempt that lost the job (cancelled, or claimed again after its
    lease ran out) is told to stop.
    """
    job_id = str(job.pk)
    token = _attempt_token(job)
    job_input = pipeline_input_for(job)
    registry = model_registry_from_settings(settings)
    cache = ProjectResultCache(job.project, hours=settings.EXTRACTION_CACHE_HOURS)

    # Progress writes and cancellation checks are rate-limited: a page can take milliseconds,
    # and a query per page would cost more than the page. The first ones wait one interval, so
    # a short job makes none (job_complete records its pages and respects a cancellation). A
    # progress write that finds the job no longer RUNNING also reports the cancellation.
    started = time.monotonic()
    state = {"cancelled": False, "written": started, "checked": started}

    def on_progress(done: int, total: int) -> None:
        now = time.monotonic()
        if now - state["written"] < PROGRESS_INTERVAL_SECONDS:
            return
        state["written"] = now
        if not lifecycle.job_record_progress(
            job_id=job_id, attempt_token=token, pages_done=done, pages_total=total
        ):
            state["cancelled"] = True

    def should_cancel() -> bool:
        now = time.monotonic()
        if not state["cancelled"] and now - state["checked"] >= PROGRESS_INTERVAL_SECONDS:
            state["checked"] = now
            state["cancelled"] = lifecycle.job_is_cancelled(job_id=job_id, attempt_token=token)
        return bool(state["cancelled"])

    def heartbeat() -> None:
        if not lifecycle.job_record_heartbeat(job_id=job_id, attempt_token=token):
            state["cancelled"] = True

    if not settings.SANDBOX_ENABLED:
        with _heartbeat_thread(heartbeat, settings.JOB_LEASE_SECONDS / 4):
            return run_pipeline(
                job_input,
                on_progress=on_progress,
                should_cancel=should_cancel,
                registry=registry,
                cache=cache,
            )

    return thread_sandbox(settings.SANDBOX_MAX_JOBS).run(
        functools.partial(_pipeline_in_child, job_input, registry),
        limits=SandboxLimits(
            memory_bytes=settings.SANDBOX_MEMORY_MB * 1024 * 1024,
            cpu_seconds=settings.JOB_SOFT_TIME_LIMIT,
            wall_seconds=float(settings.JOB_SOFT_TIME_LIMIT),
            first_progress_seconds=float(settings.PARSE_TIMEOUT_SECONDS),
        ),
        handlers={
            "progress": on_progress,
            "should_cancel": should_cancel,
            "cache_lookup": cache.lookup,
            "cache_store": cache.store,
        },
        heartbeat=heartbeat,
        heartbeat_seconds=settings.JOB_LEASE_SECONDS / 4,
        interrupts=(SoftTimeLimitExceeded,),  # Celery's time limit ends the job, not a call
    )


def job_run(*, job_id: str) -> Retry | None:
    """Run one extraction job to its end, or say when to try again.

    Redelivery and duplicate delivery are harmless (see ``lifecycle.job_start``). Returns a
    ``Retry`` while the job's model endpoint is failing (the job waits, untouched) or after a
    transient model error (the job goes back to PENDING); None otherwise. Database outages
    raise ``OperationalError``/``InterfaceError`` for Celery's own backoff.
    """
    if settings.SANDBOX_ENABLED:
        warm_up_pipeline()  # before job_start, so it never eats into the job's lease
    endpoint = model_endpoint_of(job_id)
    if endpoint and (pause := circuit_open_for(endpoint)):
        # The model endpoint keeps failing: wait without touching the job (it stays PENDING).
        return Retry(countdown=pause + random.uniform(0, 5))
    job = lifecycle.job_start(job_id=job_id)
    if job is None:
        return None
    token = _attempt_token(job)
    fail = functools.partial(lifecycle.job_fail, job_id=job_id, attempt_token=token)
    if job.file is None and job.inline_text is None:
        fail(error="The document for this job was deleted.")
        return None
    try:
        outcome = run_job_pipeline(job)
    except ExtractionCancelled:
        return None
    except (DocumentError, SchemaError, ConfigError) as exc:
        fail(error=str(exc))
        return None
    except EngineError as exc:
        if exc.transient and endpoint:
            circuit_record_failure(endpoint)
        if exc.transient and job.attempts < settings.JOB_MAX_ATTEMPTS:
            lifecycle.job_release_for_retry(job_id=job_id, attempt_token=token, error=str(exc))
            return Retry(countdown=retry_countdown(job.attempts), queue=job.priority)
        fail(error=str(exc))
        return None
    except SoftTimeLimitExceeded:
        fail(
            error=(
                f"The extraction took longer than {settings.JOB_SOFT_TIME_LIMIT} seconds "
                "and was stopped."
            ),
        )
        return None
    except (OperationalError, InterfaceError):
        raise  # the database is unreachable: Celery retries with backoff (tasks.extract_job)
    except Exception:
        logger.exception("extract_job %s failed unexpectedly", job_id)
        fail(error="An internal error stopped this extraction; it has been logged.")
        return None
    if endpoint:
        circuit_record_success(endpoint)
    lifecycle.job_complete(
        job_id=job_id,
        attempt_token=token,
        status=outcome.status,
        data=outcome.data,
        metadata=outcome.metadata,
        error=outcome.error,
        pages_total=outcome.pages_total,
    )
    return None
