"""The extraction pipeline: plain Python, no Django, ORM, HTTP or Celery.

Steps, in the order one document flows through them: ``documents`` (bytes -> pages with words
and boxes), ``chunking``, ``engines`` (local and OpenAI-compatible), ``merging``, ``coercion``
(against the schema from ``schemas``), then ``citations`` with ``grounding`` and
``confidence``. ``run.run_pipeline`` runs them; callers pass plain values in (the model
registry, a result cache) and store the ``PipelineOutcome`` they get back.
"""
