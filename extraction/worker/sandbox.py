"""Run untrusted work (parsing and extracting documents) in a forked child process.

The child gets resource limits (address space, CPU seconds per job) and the parent enforces
wall-clock limits, so a decompression bomb, a reference loop or a parser crash ends one job with
a readable error instead of taking the worker down. The child may call back into the parent for
the few things that need the database (progress, cancellation, the result cache): those calls
travel over a pipe and run in the parent, because the child must not touch the connections it
inherited.

A ``Sandbox`` keeps its child for many jobs: forking and tearing down a warmed-up worker costs
about 30 ms, a fifth of a one-page job. The child is replaced after ``max_jobs`` jobs, when it
has grown by a quarter of its memory limit, and after any job that did not end cleanly (a
limit hit, a crash, a parent-side error). The sandbox contains resource exhaustion and
crashes; it is not a boundary against code execution (the child is a copy of the worker,
settings and credentials included), so keeping it between jobs gives none up.
"""

from __future__ import annotations

import contextlib
import ctypes
import faulthandler
import os
import pickle
import resource
import signal
import stat
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, Pipe
from pathlib import Path
from typing import Any, TypeVar, cast

from extraction.pipeline.documents.base import DocumentError

T = TypeVar("T")

Job = Callable[["ParentLink"], Any]


class SandboxError(DocumentError):
    """The child process was stopped or crashed; the message says why, in user terms."""


@dataclass(frozen=True)
class SandboxLimits:
    memory_bytes: int = 1024 * 1024 * 1024  # on top of what the worker already maps
    cpu_seconds: int = 600  # per job
    wall_seconds: float = 600.0
    # Parsing ends when the child first reports progress; it has its own, shorter budget.
    first_progress_seconds: float = 90.0


class ParentLink:
    """The child's handle on the parent: ``call(name, *args)`` runs a parent-side handler.

    Thread-safe: an engine may check for cancellation from its worker threads while the main
    thread reports progress, and each call is one send and its reply.
    """

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._lock = threading.Lock()

    def call(self, name: str, *args: Any) -> Any:
        with self._lock:
            self._conn.send(("call", name, args))
            kind, value = self._conn.recv()
        if kind == "error":
            raise RuntimeError(value)
        return value


# --- the child ---------------------------------------------------------------------------------


def _child_main(
    conn: Connection, first_job: Job, limits: SandboxLimits, max_jobs: int, parent_pid: int
) -> None:
    faulthandler.disable()  # a crash is reported by the parent; no traceback dump on stderr
    _die_with_parent(parent_pid)
    _let_go_of_inherited_channels(keep=conn.fileno())
    # Ctrl-C in a terminal reaches the whole process group: the worker decides, not the child.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    link = ParentLink(conn)
    start_address_space = _current_address_space()
    start_resident = _resident_memory()
    try:
        limit = start_address_space + limits.memory_bytes
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        job: Job | None = first_job
        del first_job  # or the first job's document stays in memory for the child's life
        cpu_seconds, sequence = limits.cpu_seconds, 0
        for done in range(1, max_jobs + 1):
            if job is None:
                try:
                    request = conn.recv()
                except (EOFError, OSError):
                    return  # the parent closed the pipe or died: nothing more to do
                except Exception as exc:
                    conn.send(("exception", _exception_parts(exc), True, None))
                    return  # the stream may be out of step: let a fresh child take over
                if request[0] != "job":
                    return
                _, sequence, job, cpu_seconds = request
            _limit_cpu_from_now(cpu_seconds)
            kind, value = _run_job(job, link)
            job = None
            # Resident memory, not address space: every thread a job starts reserves a malloc
            # arena (64 MB of address space) that costs nothing until used.
            grown = _resident_memory() - start_resident > limits.memory_bytes // 4
            retire = kind == "memory" or done == max_jobs or grown
            try:
                conn.send((kind, value, retire, sequence))
            except Exception:  # unpicklable exception or result: send its text instead
                conn.send(("crash", _describe(kind, value), True, sequence))
                return
            if retire:
                return
    finally:
        with contextlib.suppress(OSError):
            conn.close()
        os._exit(0)  # skip atexit handlers: they belong to the parent (DB connections, Celery)


def _run_job(job: Job, link: ParentLink) -> tuple[str, Any]:
    try:
        return "result", job(link)
    except MemoryError:
        return "memory", None
    except BaseException as exc:
        return "exception", _exception_parts(exc)


def _exception_parts(
    exc: BaseException,
) -> tuple[type[BaseException], tuple[Any, ...], dict[str, Any]]:
    # Sent as parts and rebuilt without __init__: exception classes with keyword-only or
    # structured constructor arguments (EngineError, SchemaError) don't survive plain pickle.
    return type(exc), exc.args, dict(vars(exc))


def _limit_cpu_from_now(cpu_seconds: int) -> None:
    """The CPU limit counts from now: the child's earlier jobs don't use up this job's budget."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = int(usage.ru_utime + usage.ru_stime) + 1 + cpu_seconds
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _let_go_of_inherited_channels(keep: int) -> None:
    """Point the sockets and pipes inherited from the worker at /dev/null.

    A kept child lives for many jobs; holding the worker's database socket or the pipes of
    the worker's own subprocesses that long keeps them open for their peers (a process
    waiting for end-of-file on a pipe would wait for the child). ``dup2`` rather than
    ``close``: the descriptor numbers stay taken, so a Python object that still owns one can
    never write to, or close, a file the child opens later.
    """
    try:
        descriptors = [int(entry.name) for entry in Path("/proc/self/fd").iterdir()]
    except OSError:
        return
    null = os.open(os.devnull, os.O_RDWR)
    try:
        for fd in descriptors:
            if fd in (0, 1, 2, keep, null):
                continue
            try:
                mode = os.fstat(fd).st_mode
            except OSError:  # the listing's own descriptor, already closed
                continue
            if stat.S_ISSOCK(mode) or stat.S_ISFIFO(mode):
                os.dup2(null, fd, inheritable=False)
    finally:
        os.close(null)


def _die_with_parent(parent_pid: int) -> None:
    """Ask Linux to kill this child when the worker that forked it dies (PR_SET_PDEATHSIG)."""
    if _PRCTL is not None:
        _PRCTL(1, signal.SIGKILL)
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(0)


def _find_prctl() -> Any:
    # Looked up at import, never after a fork: the dynamic loader's lock may be held then.
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _find_prctl()


def _describe(kind: str, value: Any) -> str:
    if kind == "exception":
        cls, args, _ = value
        return "".join(traceback.format_exception_only(cls, cls(*args) if args else cls())).strip()
    return f"unpicklable {kind}: {type(value).__name__}"


def _current_address_space() -> int:
    return _statm(0)


def _resident_memory() -> int:
    return _statm(1)


def _statm(field: int) -> int:
    with Path(f"/proc/{os.getpid()}/statm").open() as statm:
        pages = int(statm.read().split()[field])
    return pages * os.sysconf("SC_PAGE_SIZE")


# --- the parent --------------------------------------------------------------------------------


class Sandbox:
    """A forked child that runs jobs one at a time; kept between jobs that end cleanly.

    ``run`` forks the child on first use (the job needs no pickling then); later jobs travel to
    the same child pickled, so they must be picklable (a module-level function, or a
    ``functools.partial`` of one). An unpicklable job gets a fresh child. Not thread-safe: use
    one ``Sandbox`` per thread (``thread_sandbox``).
    """

    def __init__(self, *, max_jobs: int = 200) -> None:
        self.max_jobs = max_jobs
        self.pid: int | None = None
        self._conn: Connection | None = None
        self._memory_bytes = 0
        self._sequence = 0  # numbers the jobs sent to the child; its replies carry it back

    def __del__(self) -> None:
        # A thread's Sandbox goes when the thread ends; its child must not stay a zombie.
        with contextlib.suppress(Exception):
            self.close()

    def run(
        self,
        fn: Callable[[ParentLink], T],
        *,
        limits: SandboxLimits,
        handlers: dict[str, Callable[..., Any]],
        heartbeat: Callable[[], None] | None = None,
        heartbeat_seconds: float = 30.0,
        interrupts: tuple[type[BaseException], ...] = (),
    ) -> T:
        """Run ``fn(parent_link)`` in the child and return its result.

        ``handlers`` serve the child's ``parent_link.call(name, ...)``; a handler named
        ``"progress"`` also marks the end of parsing; a handler's exception is raised in the
        child, except ``interrupts``, which stop the job here. ``heartbeat`` runs every
        ``heartbeat_seconds`` while the child works (it renews the job's lease). Exceptions
        raised in the child are raised here. Raises ``SandboxError`` when the child runs out of
        memory, CPU or time, or crashes.
        """
        keep = False
        try:
            if self.pid is not None and self._memory_bytes != limits.memory_bytes:
                self.close()
            if self.pid is not None and not self._hand_over(fn, limits):
                self.close()
            if self.pid is None:
                self._start(fn, limits)
            kind, value, retire = self._serve(
                limits, handlers, heartbeat, heartbeat_seconds, interrupts
            )
            keep = not retire
        finally:
            if not keep:
                self.close()
        if kind == "result":
            return cast("T", value)  # what fn returned in the child, unpickled from the pipe
        if kind == "exception":
            raise _rebuild_exception(*value)
        if kind == "memory":
            limit_mb = limits.memory_bytes // (1024 * 1024)
            raise SandboxError(
                f"The document needs more than the {limit_mb} MB memory limit to process."
            )
        raise SandboxError(f"The document processor crashed: {value}")

    def close(self) -> None:
        """Stop the child (if any); the next ``run`` forks a new one."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self.pid is not None:
            _reap(self.pid)
            self.pid = None

    def _start(self, first_job: Job, limits: SandboxLimits) -> None:
        parent_conn, child_conn = Pipe(duplex=True)
        parent_pid = os.getpid()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            parent_conn.close()
            _child_main(child_conn, first_job, limits, self.max_jobs, parent_pid)
        child_conn.close()
        self.pid, self._conn, self._memory_bytes = pid, parent_conn, limits.memory_bytes
        self._sequence = 0

    def _hand_over(self, fn: Job, limits: SandboxLimits) -> bool:
        """Send ``fn`` to the waiting child; False when it cannot go (unpicklable, child gone)."""
        assert self._conn is not None
        assert self.pid is not None
        if _exited(self.pid):
            return False
        try:
            self._conn.send(("job", self._sequence + 1, fn, limits.cpu_seconds))
        except (pickle.PicklingError, AttributeError, TypeError, OSError):
            return False  # unpicklable (pickled before any byte is sent) or the child is gone
        self._sequence += 1
        return True

    def _serve(
        self,
        limits: SandboxLimits,
        handlers: dict[str, Callable[..., Any]],
        heartbeat: Callable[[], None] | None,
        heartbeat_seconds: float,
        interrupts: tuple[type[BaseException], ...],
    ) -> tuple[str, Any, bool]:
        """Answer the child's calls until it sends the job's outcome: (kind, value, retire)."""
        conn, pid = self._conn, self.pid
        assert conn is not None
        assert pid is not None
        started = last_beat = time.monotonic()
        saw_progress = False
        while True:
            now = time.monotonic()
            budget = limits.wall_seconds if saw_progress else limits.first_progress_seconds
            if now - started > budget:
                phase = "processing" if saw_progress else "reading"
                raise SandboxError(
                    f"Stopped {phase} the document after {budget:.0f} seconds (time limit)."
                )
            if heartbeat is not None and now - last_beat >= heartbeat_seconds:
                heartbeat()
                last_beat = now
            if not conn.poll(0.2):
                if _exited(pid):
                    raise _crash_error(pid)
                continue
            try:
                message = conn.recv()
            except (EOFError, OSError):
                raise _crash_error(pid) from None
            except pickle.UnpicklingError as exc:
                raise SandboxError(
                    f"The document processor sent a malformed reply: {exc}"
                ) from None
            if message[0] != "call":
                kind, value, retire, sequence = message
                # None: the child could not even read the job (it says so in ``value``).
                if sequence is not None and sequence != self._sequence:
                    raise SandboxError(
                        "The document processor answered out of step; it has been replaced."
                    )
                return kind, value, retire
            _, name, args = message
            saw_progress = saw_progress or name == "progress"
            try:
                reply = ("ok", handlers[name](*args))
            except interrupts:
                raise
            except Exception as exc:
                reply = ("error", f"{type(exc).__name__}: {exc}")
            conn.send(reply)


def run_in_sandbox(
    fn: Callable[[ParentLink], T],
    *,
    limits: SandboxLimits,
    handlers: dict[str, Callable[..., Any]],
    heartbeat: Callable[[], None] | None = None,
    heartbeat_seconds: float = 30.0,
) -> T:
    """Run ``fn(parent_link)`` once in a child of its own (see ``Sandbox.run``)."""
    sandbox = Sandbox(max_jobs=1)
    try:
        return sandbox.run(
            fn,
            limits=limits,
            handlers=handlers,
            heartbeat=heartbeat,
            heartbeat_seconds=heartbeat_seconds,
        )
    finally:
        sandbox.close()


_per_thread = threading.local()


def thread_sandbox(max_jobs: int) -> Sandbox:
    """This thread's long-lived ``Sandbox`` (Celery's prefork pool has one thread per process)."""
    sandbox = getattr(_per_thread, "sandbox", None)
    if sandbox is None or os.getpid() != getattr(_per_thread, "owner", None):
        sandbox = _per_thread.sandbox = Sandbox(max_jobs=max_jobs)
        _per_thread.owner = os.getpid()
    sandbox.max_jobs = max_jobs
    return sandbox


def _rebuild_exception(
    cls: type[BaseException], args: tuple[Any, ...], state: dict[str, Any]
) -> BaseException:
    exc = cls.__new__(cls, *args)
    exc.args = args
    exc.__dict__.update(state)
    return exc


_reaped: dict[int, int] = {}


def _exited(pid: int) -> bool:
    if pid in _reaped:
        return True
    try:
        waited, status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        _reaped[pid] = 0
        return True
    if waited == pid:
        _reaped[pid] = status
        return True
    return False


def _crash_error(pid: int) -> SandboxError:
    # The pipe closing comes a moment before the exit status is available: wait for it.
    deadline = time.monotonic() + 5
    while not _exited(pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    status = _reaped.get(pid, 0)
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig == signal.SIGXCPU:
            return SandboxError("Processing the document used more CPU time than allowed.")
        if sig == signal.SIGKILL:
            return SandboxError("Processing the document was killed (out of memory or time).")
        return SandboxError(f"The document processor crashed ({signal.Signals(sig).name}).")
    return SandboxError("The document processor stopped unexpectedly.")


def _reap(pid: int) -> None:
    if pid in _reaped:
        _reaped.pop(pid)
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
