"""Run untrusted work (parsing and extracting one document) in a forked child process.

The child gets resource limits (address space, CPU seconds) and the parent enforces wall-clock
limits, so a decompression bomb, a reference loop or a parser crash ends one job with a
readable error instead of taking the worker down. The child may call back into the parent for
the few things that need the database (progress, cancellation, the result cache): those calls
travel over a pipe and run in the parent, because the child must not touch the connections it
inherited.
"""

from __future__ import annotations

import contextlib
import faulthandler
import os
import pickle
import resource
import signal
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, Pipe
from typing import Any, TypeVar

from extraction.documents.base import DocumentError

T = TypeVar("T")


class SandboxError(DocumentError):
    """The child process was stopped or crashed; the message says why, in user terms."""


@dataclass(frozen=True)
class SandboxLimits:
    memory_bytes: int = 1024 * 1024 * 1024  # on top of what the worker already maps
    cpu_seconds: int = 600
    wall_seconds: float = 600.0
    # Parsing ends when the child first reports progress; it has its own, shorter budget.
    first_progress_seconds: float = 90.0


class ParentLink:
    """The child's handle on the parent: ``call(name, *args)`` runs a parent-side handler."""

    def __init__(self, conn: Connection):
        self._conn = conn

    def call(self, name: str, *args: Any) -> Any:
        self._conn.send(("call", name, args))
        kind, value = self._conn.recv()
        if kind == "error":
            raise RuntimeError(value)
        return value


def _child_main(conn: Connection, fn: Callable[[ParentLink], Any], limits: SandboxLimits) -> None:
    faulthandler.disable()  # a crash is reported by the parent; no traceback dump on stderr
    try:
        soft_as = _current_address_space() + limits.memory_bytes
        resource.setrlimit(resource.RLIMIT_AS, (soft_as, soft_as))
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
        result = fn(ParentLink(conn))
        message: tuple[str, Any] = ("result", result)
    except MemoryError:
        message = ("memory", None)
    except BaseException as exc:  # noqa: BLE001 - everything must reach the parent
        # Sent as parts and rebuilt without __init__: exception classes with keyword-only or
        # structured constructor arguments (EngineError, SchemaError) don't survive plain pickle.
        message = ("exception", (type(exc), exc.args, dict(vars(exc))))
    try:
        conn.send(message)
    except Exception:  # unpicklable exception or result: send its text instead
        conn.send(("crash", _describe(message)))
    finally:
        conn.close()
        os._exit(0)  # skip atexit handlers: they belong to the parent (DB connections, Celery)


def _describe(message: tuple[str, Any]) -> str:
    kind, value = message
    if kind == "exception":
        cls, args, _ = value
        return "".join(traceback.format_exception_only(cls, cls(*args) if args else cls())).strip()
    return f"unpicklable {kind}: {type(value).__name__}"


def _current_address_space() -> int:
    with open(f"/proc/{os.getpid()}/statm") as statm:
        pages = int(statm.read().split()[0])
    return pages * os.sysconf("SC_PAGE_SIZE")


def run_in_sandbox(
    fn: Callable[[ParentLink], T],
    *,
    limits: SandboxLimits,
    handlers: dict[str, Callable[..., Any]],
    heartbeat: Callable[[], None] | None = None,
    heartbeat_seconds: float = 30.0,
) -> T:
    """Run ``fn(parent_link)`` in a forked child and return its result.

    ``handlers`` serve the child's ``parent_link.call(name, ...)``; a handler named
    ``"progress"`` also marks the end of parsing. ``heartbeat`` runs every ``heartbeat_seconds``
    while the child works (it renews the job's lease). Exceptions raised in the child are raised
    here. Raises ``SandboxError`` when the child runs out of memory, CPU or time, or crashes.
    """
    parent_conn, child_conn = Pipe(duplex=True)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        parent_conn.close()
        _child_main(child_conn, fn, limits)
    child_conn.close()
    started = last_beat = time.monotonic()
    saw_progress = False
    try:
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
            if not parent_conn.poll(0.2):
                if _exited(pid):
                    raise _crash_error(pid)
                continue
            try:
                message = parent_conn.recv()
            except (EOFError, OSError):
                raise _crash_error(pid) from None
            except pickle.UnpicklingError as exc:
                raise SandboxError(
                    f"The document processor sent a malformed reply: {exc}"
                ) from None
            kind = message[0]
            if kind == "call":
                _, name, args = message
                saw_progress = saw_progress or name == "progress"
                try:
                    parent_conn.send(("ok", handlers[name](*args)))
                except Exception as exc:  # noqa: BLE001 - report to the child, keep serving
                    parent_conn.send(("error", f"{type(exc).__name__}: {exc}"))
            elif kind == "result":
                return message[1]
            elif kind == "exception":
                raise _rebuild_exception(*message[1])
            elif kind == "memory":
                limit_mb = limits.memory_bytes // (1024 * 1024)
                raise SandboxError(
                    f"The document needs more than the {limit_mb} MB memory limit to process."
                )
            else:
                raise SandboxError(f"The document processor crashed: {message[1]}")
    finally:
        parent_conn.close()
        _reap(pid)


def _rebuild_exception(cls: type[BaseException], args: tuple, state: dict) -> BaseException:
    exc = cls.__new__(cls, *args)
    exc.args = args
    exc.__dict__.update(state)
    return exc


_reaped: dict[int, int] = {}


def _exited(pid: int) -> bool:
    if pid in _reaped:
        return True
    waited, status = os.waitpid(pid, os.WNOHANG)
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
