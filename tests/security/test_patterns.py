"""Finding 5: a schema ``pattern`` runs in linear time (RE2) on capped text, never hangs."""

from __future__ import annotations

import pytest

from extraction.pipeline import patterns as user_patterns
from extraction.pipeline.coercion import validation_errors
from extraction.pipeline.config import ExtractConfig
from extraction.pipeline.run import PipelineInput, run_pipeline

EVIL = "^(a+)+$"


def test_a_catastrophic_pattern_is_answered_on_long_text():
    # With Python's re this takes 2**n steps; RE2 answers at once (a hang here is the bug).
    assert user_patterns.pattern_matches(EVIL, "a" * 5_000 + "!") is False
    assert user_patterns.word_matches("(a+)+", "a" * 200_000 + "!") == [
        (0, user_patterns.MAX_SCAN_CHARS)
    ]


def test_validation_of_extracted_values_uses_re2():
    schema = {"type": "object", "properties": {"code": {"type": "string", "pattern": EVIL}}}
    errors = validation_errors({"code": "a" * 40 + "!"}, schema)
    assert errors
    assert "does not match" in errors[0]
    assert validation_errors({"code": "aaaa"}, schema) == []


def test_patterns_re2_cannot_run_are_skipped_not_backtracked():
    assert user_patterns.compile_pattern(r"(a+)+\1") is None  # backreference
    assert user_patterns.compile_pattern(r"(?<=x)\d+") is None  # lookbehind
    schema = {"type": "object", "properties": {"code": {"type": "string", "pattern": r"(a)\1"}}}
    assert validation_errors({"code": "zz"}, schema) == []  # not checked rather than hung


def test_word_matches_keep_the_boundaries_the_engine_relied_on():
    text = "Card ************8819, ref 12345, codes 1234 5678"
    spans = user_patterns.word_matches("[0-9]{4}", text)
    assert [text[a:b] for a, b in spans] == ["8819", "1234", "5678"]


@pytest.mark.parametrize("pattern", [EVIL, r"^(\w+\s?)*$", r"(a|aa)+$"])
def test_a_job_with_an_evil_pattern_ends_with_a_result(pattern):
    text = "Reference: " + "a" * 60 + "!\nTotal: 12.00"
    schema = {
        "type": "object",
        "properties": {
            "reference": {"type": "string", "pattern": pattern},
            "total": {"type": "number"},
        },
    }
    outcome = run_pipeline(PipelineInput(data_schema=schema, config=ExtractConfig(), text=text))
    assert outcome.data["total"] == 12.0
