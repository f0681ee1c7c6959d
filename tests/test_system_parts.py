"""A missing system part skips its tests with the reason, and fails them when CI requires it."""

from __future__ import annotations

import pytest

from tests.system_parts import REQUIRE_VARIABLE, require_system_part


def test_a_missing_part_skips_with_its_name_and_reason(monkeypatch):
    monkeypatch.delenv(REQUIRE_VARIABLE, raising=False)
    with pytest.raises(pytest.skip.Exception, match="Chromium is missing: apt-get install"):
        require_system_part("Chromium", False, "apt-get install chromium")


@pytest.mark.parametrize("value", ["1", "true", "YES"])
def test_a_missing_part_fails_when_ci_requires_every_part(monkeypatch, value):
    monkeypatch.setenv(REQUIRE_VARIABLE, value)
    with pytest.raises(pytest.fail.Exception, match="redis-server is missing: .* does not allow"):
        require_system_part("redis-server", False, "apt-get install redis-server")


@pytest.mark.parametrize("value", ["", "0", "no"])
def test_a_present_part_neither_skips_nor_fails(monkeypatch, value):
    monkeypatch.setenv(REQUIRE_VARIABLE, value)
    assert require_system_part("Tesseract", True, "unused") is None


def test_an_unclear_requirement_value_is_an_error_not_a_skip(monkeypatch):
    monkeypatch.setenv(REQUIRE_VARIABLE, "sometimes")
    with pytest.raises(ValueError, match="use 1 or 0"):
        require_system_part("Chromium", False, "apt-get install chromium")
