"""The Celery application; configured from Django settings (``CELERY_*``)."""

from __future__ import annotations

import os

from celery import Celery
from kombu import Exchange, Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("openextract")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Workers consume the queues in this order, so critical jobs overtake low-priority ones.
app.conf.task_queues = [
    Queue(name, Exchange(name, type="direct"), routing_key=name)
    for name in ("critical", "high", "medium", "low")
]
app.autodiscover_tasks()
