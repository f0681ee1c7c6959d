"""The sandbox contains memory bombs, hangs, CPU loops and crashes in a child process."""

from __future__ import annotations

import os
import signal
import time

import pytest

from extraction.documents.base import DocumentError
from extraction.engines.base import EngineError
from extraction.sandbox import SandboxError, SandboxLimits, run_in_sandbox
from extraction.schemas import SchemaError

FAST = SandboxLimits(
    memory_bytes=256 * 1024 * 1024, cpu_seconds=5, wall_seconds=10, first_progress_seconds=10
)


def test_result_and_parent_calls_round_trip():
    seen = []

    def work(parent):  # noqa: ANN001, ANN202
        parent.call("progress", 1, 3)
        parent.call("progress", 3, 3)
        return {"pid": os.getpid(), "cached": parent.call("lookup", "k")}

    result = run_in_sandbox(
        work,
        limits=FAST,
        handlers={"progress": lambda d, t: seen.append((d, t)), "lookup": lambda k: k * 2},
    )
    assert result["cached"] == "kk"
    assert result["pid"] != os.getpid()
    assert seen == [(1, 3), (3, 3)]


@pytest.mark.parametrize(
    "error",
    [
        DocumentError("The PDF is password protected."),
        EngineError("rate limited", transient=True),
        SchemaError([("/properties/a", "bad type")]),
    ],
)
def test_exceptions_come_back_with_their_type_and_attributes(error):  # noqa: ANN001
    def work(parent):  # noqa: ANN001, ANN202
        raise error

    with pytest.raises(type(error)) as caught:
        run_in_sandbox(work, limits=FAST, handlers={})
    assert str(caught.value) == str(error)
    assert vars(caught.value) == vars(error)


def test_memory_bomb_ends_with_a_readable_error():
    def work(parent):  # noqa: ANN001, ANN202
        blocks = []
        while True:
            blocks.append(bytearray(64 * 1024 * 1024))

    with pytest.raises(SandboxError, match="memory limit"):
        run_in_sandbox(work, limits=FAST, handlers={})


def test_hang_while_reading_is_stopped_by_the_parse_time_limit():
    limits = SandboxLimits(cpu_seconds=30, wall_seconds=30, first_progress_seconds=0.5)

    def work(parent):  # noqa: ANN001, ANN202
        time.sleep(60)

    started = time.monotonic()
    with pytest.raises(
        SandboxError, match="Stopped reading the document after 0 seconds|time limit"
    ):
        run_in_sandbox(work, limits=limits, handlers={})
    assert time.monotonic() - started < 10


def test_cpu_loop_is_stopped_by_the_cpu_limit():
    limits = SandboxLimits(cpu_seconds=1, wall_seconds=30, first_progress_seconds=30)

    def work(parent):  # noqa: ANN001, ANN202
        while True:
            pass

    with pytest.raises(SandboxError, match="CPU time"):
        run_in_sandbox(work, limits=limits, handlers={})


def test_parser_crash_is_reported():
    def work(parent):  # noqa: ANN001, ANN202
        os.kill(os.getpid(), signal.SIGSEGV)

    with pytest.raises(SandboxError, match="crashed \\(SIGSEGV\\)"):
        run_in_sandbox(work, limits=FAST, handlers={})


def test_heartbeat_runs_while_the_child_works():
    beats = []

    def work(parent):  # noqa: ANN001, ANN202
        time.sleep(0.8)
        return "done"

    assert (
        run_in_sandbox(
            work, limits=FAST, handlers={}, heartbeat=lambda: beats.append(1), heartbeat_seconds=0.2
        )
        == "done"
    )
    assert len(beats) >= 2
