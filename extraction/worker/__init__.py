"""The worker runtime: what a Celery worker process does to run a job (``tasks`` calls it)."""
