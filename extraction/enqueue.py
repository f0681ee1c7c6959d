"""Sending tasks to the queue, by task name: the one place the rest of the code enqueues work.

Callers do not import the task modules (which import the services that enqueue), so there is no
import cycle. A broker that cannot be reached does not fail the caller: the database row is the
truth and the reaper (``maintenance.jobs_requeue_stale``) sends the work again later.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from django.db import transaction
from kombu.exceptions import OperationalError as BrokerError

from config.celery_app import app

logger = logging.getLogger(__name__)

EXTRACT_JOB = "extraction.tasks.extract_job"
DELIVER_WEBHOOK = "extraction.tasks.deliver_webhook"


def task_send(name: str, *, args: list[Any], queue: str) -> bool:
    """Send task ``name`` now; False (and a warning) when the broker could not take it."""
    try:
        _task(name).apply_async(args=args, queue=queue)
    except (BrokerError, OSError) as exc:
        logger.warning(
            "could not enqueue %s%s on %r (%s); it will be sent again", name, args, queue, exc
        )
        return False
    return True


@functools.cache
def _task(name: str) -> Any:
    """The task registered as ``name``: looked up when first sent, after Celery has imported the
    task modules (a web process has not, until asked), so the caller needs no import of them.
    Sent through its own ``apply_async``, so eager mode (tests) and its options still apply."""
    app.loader.import_default_modules()
    return app.tasks[name]


def task_send_on_commit(name: str, *, args: list[Any], queue: str) -> None:
    """Send task ``name`` once the surrounding transaction commits (at once outside one), so a
    worker never looks for a row that is not there yet."""
    transaction.on_commit(lambda: task_send(name, args=args, queue=queue))
