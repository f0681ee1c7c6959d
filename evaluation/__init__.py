"""Evaluation: score extractions against ground truth, compare runs, report.

Plain Python for now (no Django): ``scoring`` (with ``matching``, ``values``, ``results``),
``calibration``, ``datasets``, ``comparison`` and ``report``. The Django models, services, API
and pages of issue 19 build on these modules.
"""
