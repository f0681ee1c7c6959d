"""Tests that need a part of the machine pip does not install (a browser, a binary, a font).

On a developer's machine such a test skips and says what is missing and how to get it. CI
sets ``OPENEXTRACT_REQUIRE_SYSTEM_PARTS=1`` (``.ci/run``), which turns that skip into a
failure, so CI always runs every group of tests.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REQUIRE_VARIABLE = "OPENEXTRACT_REQUIRE_SYSTEM_PARTS"
CHROMIUM = Path("/usr/bin/chromium")


def system_parts_required() -> bool:
    """Whether ``OPENEXTRACT_REQUIRE_SYSTEM_PARTS`` asks for every system part to be present.

    Raises ``ValueError`` for a value that is not a clear yes or no, so a typo in CI cannot
    quietly let tests skip.
    """
    value = os.environ.get(REQUIRE_VARIABLE, "").strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise ValueError(f"{REQUIRE_VARIABLE}={value!r}: use 1 or 0")


def require_system_part(name: str, available: bool, reason: str) -> None:
    """Skip the calling test (or fixture) when ``name`` is not ``available``, saying ``reason``;
    fail it instead when ``OPENEXTRACT_REQUIRE_SYSTEM_PARTS=1``."""
    if available:
        return
    message = f"{name} is missing: {reason}"
    if system_parts_required():
        pytest.fail(f"{message} ({REQUIRE_VARIABLE}=1 does not allow skipping)", pytrace=False)
    pytest.skip(message)


def chromium_available() -> bool:
    return CHROMIUM.exists()


def tesseract_available() -> bool:
    return shutil.which("tesseract") is not None
