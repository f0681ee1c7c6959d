"""The sandbox contains memory bombs, hangs, CPU loops and crashes in a child process."""

from __future__ import annotations

import functools
import gc
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from extraction.pipeline.documents.base import DocumentError
from extraction.pipeline.engines.base import EngineError
from extraction.pipeline.schemas import SchemaError
from extraction.worker.sandbox import (
    Sandbox,
    SandboxError,
    SandboxLimits,
    run_in_sandbox,
    thread_sandbox,
)

FAST = SandboxLimits(
    memory_bytes=256 * 1024 * 1024, cpu_seconds=5, wall_seconds=10, first_progress_seconds=10
)


def test_result_and_parent_calls_round_trip():
    seen = []

    def work(parent):
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
def test_exceptions_come_back_with_their_type_and_attributes(error):
    def work(parent):
        raise error

    with pytest.raises(type(error)) as caught:
        run_in_sandbox(work, limits=FAST, handlers={})
    assert str(caught.value) == str(error)
    assert vars(caught.value) == vars(error)


def test_memory_bomb_ends_with_a_readable_error():
    def work(parent):
        blocks = []
        while True:
            blocks.append(bytearray(64 * 1024 * 1024))

    with pytest.raises(SandboxError, match="memory limit"):
        run_in_sandbox(work, limits=FAST, handlers={})


def test_hang_while_reading_is_stopped_by_the_parse_time_limit():
    limits = SandboxLimits(cpu_seconds=30, wall_seconds=30, first_progress_seconds=0.5)

    def work(parent):
        time.sleep(60)

    started = time.monotonic()
    with pytest.raises(
        SandboxError, match="Stopped reading the document after 0 seconds|time limit"
    ):
        run_in_sandbox(work, limits=limits, handlers={})
    assert time.monotonic() - started < 10


def test_cpu_loop_is_stopped_by_the_cpu_limit():
    limits = SandboxLimits(cpu_seconds=1, wall_seconds=30, first_progress_seconds=30)

    def work(parent):
        while True:
            pass

    with pytest.raises(SandboxError, match="CPU time"):
        run_in_sandbox(work, limits=limits, handlers={})


def test_parser_crash_is_reported():
    def work(parent):
        os.kill(os.getpid(), signal.SIGSEGV)

    with pytest.raises(SandboxError, match="crashed \\(SIGSEGV\\)"):
        run_in_sandbox(work, limits=FAST, handlers={})


def test_heartbeat_runs_while_the_child_works():
    beats = []

    def work(parent):
        time.sleep(0.8)
        return "done"

    assert (
        run_in_sandbox(
            work, limits=FAST, handlers={}, heartbeat=lambda: beats.append(1), heartbeat_seconds=0.2
        )
        == "done"
    )
    assert len(beats) >= 2


# --- a Sandbox kept between jobs -----------------------------------------------------------------
# Jobs after the first travel pickled, so they are module-level functions (with partial).


def _report_pid(parent):
    return os.getpid()


def _raise_document_error(parent):
    raise DocumentError("The PDF is password protected.")


def _burn_cpu(seconds, parent):
    started = time.process_time()
    while time.process_time() - started < seconds:
        pass
    return os.getpid()


def _crash(parent):
    os.kill(os.getpid(), signal.SIGSEGV)


def _allocate_forever(parent):
    blocks = []
    while True:
        blocks.append(bytearray(64 * 1024 * 1024))


@pytest.fixture
def sandbox():
    box = Sandbox(max_jobs=50)
    yield box
    box.close()


def test_a_sandbox_runs_many_jobs_in_one_child(sandbox):
    pids = [sandbox.run(_report_pid, limits=FAST, handlers={}) for _ in range(5)]
    assert len(set(pids)) == 1
    assert pids[0] != os.getpid()
    assert sandbox.pid == pids[0]


def test_a_job_that_raises_keeps_the_child(sandbox):
    first = sandbox.run(_report_pid, limits=FAST, handlers={})
    with pytest.raises(DocumentError, match="password protected"):
        sandbox.run(_raise_document_error, limits=FAST, handlers={})
    assert sandbox.run(_report_pid, limits=FAST, handlers={}) == first


@pytest.mark.parametrize(
    ("job", "error"),
    [(_crash, "crashed \\(SIGSEGV\\)"), (_allocate_forever, "memory limit")],
)
def test_a_crash_or_limit_replaces_the_child_and_the_next_job_runs(sandbox, job, error):
    first = sandbox.run(_report_pid, limits=FAST, handlers={})
    with pytest.raises(SandboxError, match=error):
        sandbox.run(job, limits=FAST, handlers={})
    assert sandbox.pid is None
    second = sandbox.run(_report_pid, limits=FAST, handlers={})
    assert second not in (first, os.getpid())
    with pytest.raises(ChildProcessError):
        os.waitpid(first, os.WNOHANG)  # the old child was reaped, not left a zombie


def test_the_cpu_limit_counts_per_job_not_per_child(sandbox):
    limits = SandboxLimits(cpu_seconds=1, wall_seconds=30, first_progress_seconds=30)
    # Three jobs of 0.7 s each: 2.1 s in one child, each within its own 1 s budget.
    pids = {
        sandbox.run(functools.partial(_burn_cpu, 0.7), limits=limits, handlers={}) for _ in range(3)
    }
    assert len(pids) == 1
    with pytest.raises(SandboxError, match="CPU time"):
        sandbox.run(functools.partial(_burn_cpu, 5.0), limits=limits, handlers={})


def test_the_child_is_replaced_after_max_jobs():
    box = Sandbox(max_jobs=2)
    try:
        pids = [box.run(_report_pid, limits=FAST, handlers={}) for _ in range(5)]
    finally:
        box.close()
    assert pids[0] == pids[1] != pids[2] == pids[3] != pids[4]


def test_a_job_that_cannot_be_pickled_gets_a_fresh_child(sandbox):
    first = sandbox.run(_report_pid, limits=FAST, handlers={})
    secret = object()
    # A closure over an unpicklable object cannot travel to the waiting child.
    assert (
        sandbox.run(lambda parent: (os.getpid(), id(secret)), limits=FAST, handlers={})[0] != first
    )


def _note_pid_then_sleep(path, parent):
    path.write_text(str(os.getpid()))
    time.sleep(60)


def test_the_child_dies_with_its_worker_even_mid_job(tmp_path):
    pid_file = tmp_path / "child.pid"
    worker = os.fork()
    if worker == 0:  # pragma: no cover - the stand-in worker, killed below
        limits = SandboxLimits(wall_seconds=120, first_progress_seconds=120)
        Sandbox().run(functools.partial(_note_pid_then_sleep, pid_file), limits=limits, handlers={})
        os._exit(0)
    deadline = time.monotonic() + 10
    while not pid_file.exists() or not pid_file.read_text():
        assert time.monotonic() < deadline, "the sandbox child never started"
        time.sleep(0.02)
    child = int(pid_file.read_text())
    os.kill(worker, signal.SIGKILL)
    os.waitpid(worker, 0)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _alive(child):
        time.sleep(0.05)
    assert not _alive(child)


def _alive(pid: int) -> bool:
    try:
        with Path(f"/proc/{pid}/stat").open() as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_a_kept_child_does_not_hold_the_workers_pipes_open(sandbox):
    """A peer waiting for end-of-file on a worker's pipe must not wait for the sandbox child."""
    read_end, write_end = os.pipe()
    os.set_blocking(read_end, False)
    try:
        sandbox.run(_report_pid, limits=FAST, handlers={})  # forked while the pipe is open
        os.close(write_end)
        assert os.read(read_end, 1) == b""  # end of file: no writer is left, not even the child
        assert sandbox.run(_report_pid, limits=FAST, handlers={}) == sandbox.pid
    finally:
        os.close(read_end)


def _echo_from_threads(parent):
    replies: dict[int, list] = {}

    def ask(thread: int) -> None:
        replies[thread] = [parent.call("echo", (thread, n)) for n in range(50)]

    threads = [threading.Thread(target=ask, args=(t,)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return replies


def test_parent_calls_from_several_threads_each_get_their_own_reply(sandbox):
    """An engine checks for cancellation from its request threads at the same time."""
    replies = sandbox.run(_echo_from_threads, limits=FAST, handlers={"echo": lambda v: v})
    assert replies == {t: [(t, n) for n in range(50)] for t in range(4)}
    assert sandbox.run(_report_pid, limits=FAST, handlers={}) == sandbox.pid  # still in step


def _start_threads(parent):
    together = threading.Barrier(4)

    def allocate() -> None:
        # Objects over 512 bytes come from glibc malloc, which gives each running thread an
        # arena; the barrier keeps the four alive at once, so they get four.
        kept = [bytes(1024) for _ in range(1000)]
        together.wait()
        del kept

    threads = [threading.Thread(target=allocate) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return os.getpid()


def test_threads_reserving_address_space_do_not_retire_the_child(sandbox):
    """Each thread's malloc arena reserves 64 MB of address space but uses little memory."""
    limits = SandboxLimits(memory_bytes=512 * 1024 * 1024, wall_seconds=10)
    pids = {sandbox.run(_start_threads, limits=limits, handlers={}) for _ in range(3)}
    assert len(pids) == 1


class _Stop(Exception):
    pass


def _ask_parent(parent):
    return parent.call("stop")


def test_an_interrupt_raised_by_a_handler_stops_the_job_and_the_child(sandbox):
    def stop() -> None:
        raise _Stop("time is up")

    with pytest.raises(_Stop):
        sandbox.run(_ask_parent, limits=FAST, handlers={"stop": stop}, interrupts=(_Stop,))
    assert sandbox.pid is None
    with pytest.raises(RuntimeError, match="ValueError: not an interrupt"):
        sandbox.run(
            _ask_parent,
            limits=FAST,
            handlers={"stop": lambda: (_ for _ in ()).throw(ValueError("not an interrupt"))},
            interrupts=(_Stop,),
        )


def test_a_threads_sandbox_child_is_reaped_when_the_thread_ends():
    pids = []

    def work() -> None:
        pids.append(thread_sandbox(10).run(_report_pid, limits=FAST, handlers={}))

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    gc.collect()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _alive(pids[0]):
        time.sleep(0.05)
    assert not _alive(pids[0])
    with pytest.raises(ChildProcessError):
        os.waitpid(pids[0], os.WNOHANG)  # reaped, not left a zombie
