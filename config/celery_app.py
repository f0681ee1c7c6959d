"""The Celery application; configured from Django settings (``CELERY_*``)."""

from __future__ import annotations

import os

from celery import Celery, signals
from kombu import Exchange, Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.conf import settings

app = Celery("openextract")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Extraction workers consume the job queues in this order, so critical jobs overtake
# low-priority ones; webhook deliveries have a queue of their own (and their own worker).
app.conf.task_queues = [
    Queue(name, Exchange(name, type="direct"), routing_key=name)
    for name in (*settings.JOB_QUEUES, settings.WEBHOOK_QUEUE)
]
app.autodiscover_tasks()


def close_stale_db_connections(sender: object = None, **kwargs: object) -> None:
    """Before and after each task, close the database connections Django would close after a
    request: broken, older than CONN_MAX_AGE, or left in a transaction.

    Celery's Django fixup keeps a worker's connections for ``CELERY_DB_REUSE_MAX`` tasks
    instead of reconnecting for every task (a new PostgreSQL backend per job); this keeps
    Django's own rules for ending them. Eager runs (tests) share the caller's connection.
    """
    if getattr(getattr(sender, "request", None), "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()


signals.task_prerun.connect(close_stale_db_connections, weak=False)
signals.task_postrun.connect(close_stale_db_connections, weak=False)
