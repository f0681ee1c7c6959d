"""Grounding helpers for STEP 5 (citations) and STEP 6 (confidence): locating printed values
(``locate``) and measuring and fitting calibration (``calibration``)."""
