"""Regular expressions from users' schemas (``pattern``), run on document text in linear time.

A schema's ``pattern`` is untrusted: with a backtracking engine (Python's ``re``) a pattern such
as ``^(a+)+$`` takes exponential time on 30-odd characters of text. Patterns are compiled with
RE2 (``google-re2``), whose matching time grows linearly with the text whatever the pattern.
Patterns RE2 cannot express (backreferences, lookaround) are never run: ``compile_pattern``
answers None and callers skip them (the local engine ignores the hint, validation does not
check it). Document text is scanned up to ``MAX_SCAN_CHARS`` characters per call.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

import re2

logger = logging.getLogger(__name__)

MAX_SCAN_CHARS = 100_000
MAX_PATTERN_CHARS = 2_000
# RE2's own memory budget for one compiled pattern (its default is 8 MB too).
MAX_PATTERN_MEMORY = 8 * 1024 * 1024


def _options() -> Any:
    options = re2.Options()
    options.log_errors = False  # a refused pattern is reported by the caller, not on stderr
    options.max_mem = MAX_PATTERN_MEMORY
    return options


@functools.lru_cache(maxsize=512)
def compile_pattern(pattern: object) -> Any | None:
    """``pattern`` compiled with RE2; None when RE2 cannot run it (lookaround, backreferences,
    bad syntax, too long or too large), so callers skip it rather than backtrack."""
    if not isinstance(pattern, str) or len(pattern) > MAX_PATTERN_CHARS:
        return None
    try:
        return re2.compile(pattern, _options())
    except re2.error:
        logger.info("schema pattern not usable by RE2, skipped: %.80r", pattern)
        return None


@functools.lru_cache(maxsize=512)
def _after_boundary(core: str) -> Any | None:
    # RE2 has no lookbehind: the boundary before the value is matched and left out of the
    # value's group; the one after it is checked on the text, so it is not consumed and can
    # lead the next value.
    if compile_pattern(core) is None:
        return None
    return compile_pattern(f"(?:^|[^0-9A-Za-z])({core})")


def word_matches(core: str, text: str) -> list[tuple[int, int]] | None:
    """Spans of ``core`` in ``text`` not glued to letters or digits on either side (what
    ``(?<![0-9A-Za-z])core(?![0-9A-Za-z])`` finds), scanning at most ``MAX_SCAN_CHARS``
    characters in one linear pass.

    None when RE2 cannot run ``core``.
    """
    compiled = _after_boundary(core)
    if compiled is None:
        return None
    text = text[:MAX_SCAN_CHARS]
    spans: list[tuple[int, int]] = []
    for match in compiled.finditer(text):
        start, end = match.span(1)
        if end > start and (end == len(text) or not _is_word_char(text[end])):
            spans.append((start, end))
    return spans


def _is_word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()


def pattern_matches(pattern: str, value: str) -> bool | None:
    """Whether ``pattern`` finds a match in ``value`` (JSON Schema's ``pattern``: a search,
    not a full match); None when RE2 cannot run it."""
    compiled = compile_pattern(pattern)
    if compiled is None:
        return None
    return compiled.search(value) is not None
