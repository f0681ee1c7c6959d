"""``make run``'s process supervisor: the whole product on one machine, kept alive.

Starts the embedded queue server (unless ``REDIS_URL`` names a Redis), a Celery worker for
extraction jobs, one for webhook deliveries (slow receivers never hold up jobs), Celery beat
and the web server, then prints the URL and the demo login. A process that exits is
started again after a backoff (1 s, doubling to 30 s; reset once it has run a minute) with a
log line saying how it ended. One that keeps dying within seconds of its start
(``CRASH_LOOP_LIMIT`` times in a row) is reported and stops the run with status 1, since
restarting it again will not help. Ctrl-C or SIGTERM stops everything: web and beat first,
then workers (they finish their current task), then the queue.

Children run in their own sessions, so a Ctrl-C in the terminal reaches only this process and
the shutdown order holds; they are also told to die with it (``PR_SET_PDEATHSIG``) if it is
killed outright.

Why not supervisord or honcho: honcho stops everything when one process exits, which is the
behaviour this replaces; supervisord needs a config file, an event listener to stop on a crash
loop, and its own log handling, for less than this module does.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from config import embedded

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

BACKOFF_START_SECONDS = 1.0
BACKOFF_MAX_SECONDS = 30.0
STABLE_AFTER_SECONDS = 60.0
CRASH_WINDOW_SECONDS = 10.0
CRASH_LOOP_LIMIT = 5
STOP_TIMEOUT_SECONDS = 20.0
PR_SET_PDEATHSIG = 1


def log(message: str) -> None:
    print(f"[run] {message}", file=sys.stderr, flush=True)


@dataclass
class Program:
    """One supervised command. ``ready`` (optional) says when a fresh start is up."""

    name: str
    command: list[str]
    stop_order: int  # lower stops first
    ready: Callable[[], bool] | None = None
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    backoff: float = BACKOFF_START_SECONDS
    quick_deaths: int = 0
    restart_at: float | None = None
    env: dict[str, str] = field(default_factory=dict)

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.command,
            env={**os.environ, **self.env},
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        self.started_at = time.monotonic()
        self.restart_at = None

    def wait_ready(self, timeout: float) -> bool:
        if self.ready is None:
            return True
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                return False
            if self.ready():
                return True
            time.sleep(0.05)
        return False


def _die_with_parent() -> None:
    """In the child, before exec: get SIGTERM when the supervisor dies, however it dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def describe_exit(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"was killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"was killed by signal {-returncode}"
    return f"exited with status {returncode}"


class Supervisor:
    def __init__(self, programs: Sequence[Program]) -> None:
        self.programs = list(programs)
        self.stopping = False

    def request_stop(self, signum: int, frame: object) -> None:
        if not self.stopping:
            log(f"{signal.Signals(signum).name} received: stopping")
        self.stopping = True

    def start_all(self) -> bool:
        """Start every program in order, waiting for each to be ready; False if one fails."""
        for program in self.programs:
            program.start()
            if not program.wait_ready(timeout=30):
                log(f"{program.name} did not start; stopping")
                return False
        return True

    def run(self, on_started: Callable[[], None]) -> int:
        signal.signal(signal.SIGINT, self.request_stop)
        signal.signal(signal.SIGTERM, self.request_stop)
        status = 0
        if self.start_all() and not self.stopping:
            on_started()
            status = self.watch()
        else:
            status = 1
        self.stop_all()
        return status

    def watch(self) -> int:
        """Restart programs that end, until asked to stop or one keeps crashing."""
        while not self.stopping:
            now = time.monotonic()
            for program in self.programs:
                if program.restart_at is not None:
                    if now >= program.restart_at:
                        log(f"starting {program.name} again")
                        program.start()
                    continue
                assert program.process is not None
                returncode = program.process.poll()
                if returncode is None:
                    continue
                ran_for = now - program.started_at
                if ran_for < CRASH_WINDOW_SECONDS:
                    program.quick_deaths += 1
                else:
                    program.quick_deaths = 0
                if ran_for >= STABLE_AFTER_SECONDS:
                    program.backoff = BACKOFF_START_SECONDS
                if program.quick_deaths >= CRASH_LOOP_LIMIT:
                    log(
                        f"{program.name} {describe_exit(returncode)} {program.quick_deaths} "
                        f"times within {CRASH_WINDOW_SECONDS:g} s of starting: giving up. "
                        "See its messages above."
                    )
                    return 1
                log(
                    f"{program.name} {describe_exit(returncode)} after {ran_for:.1f} s; "
                    f"restarting in {program.backoff:g} s"
                )
                program.restart_at = now + program.backoff
                program.backoff = min(program.backoff * 2, BACKOFF_MAX_SECONDS)
            time.sleep(0.2)
        return 0

    def stop_all(self) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for order in sorted({program.stop_order for program in self.programs}):
            group = [p for p in self.programs if p.stop_order == order and _alive(p)]
            for program in group:
                assert program.process is not None
                program.process.terminate()
            deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
            for program in group:
                assert program.process is not None
                try:
                    program.process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    log(f"{program.name} did not stop in {STOP_TIMEOUT_SECONDS:g} s; killing it")
                    program.process.kill()
                    program.process.wait()


def _alive(program: Program) -> bool:
    return program.process is not None and program.process.poll() is None


def programs_for(*, port: int, data_dir: Path, python: str, redis_url: str) -> list[Program]:
    """What ``make run`` supervises, in start order."""
    bin_dir = Path(python).parent
    programs: list[Program] = []
    if not redis_url:
        queue_dir = embedded.queue_dir(data_dir)
        queue_dir.mkdir(parents=True, exist_ok=True)
        queue_dir.chmod(0o700)
        programs.append(
            Program(
                "queue",
                embedded.server_command(queue_dir),
                stop_order=3,
                ready=lambda: embedded.server_ready(queue_dir),
            )
        )
    celery = [str(bin_dir / "celery"), "-A", "config"]
    programs += [
        Program(
            "worker",
            [
                *celery,
                "worker",
                "--loglevel=WARNING",
                "-Q",
                "critical,high,medium,low",
                "--hostname",
                f"worker-{port}@%h",
            ],
            stop_order=2,
        ),
        Program(
            "webhooks",
            [
                *celery,
                "worker",
                "--loglevel=WARNING",
                "-Q",
                "webhooks",
                "--concurrency",
                "2",
                "--hostname",
                f"webhooks-{port}@%h",
            ],
            stop_order=2,
        ),
        Program(
            "beat",
            [
                *celery,
                "beat",
                "--loglevel=WARNING",
                "--schedule",
                str(data_dir / "celerybeat-schedule"),
            ],
            stop_order=1,
        ),
        Program(
            "web",
            [
                str(bin_dir / "gunicorn"),
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--threads",
                "4",
                "--access-logfile",
                "-",
                "--log-level",
                "warning",
            ],
            stop_order=1,
            ready=lambda: _answers(port),
        ),
    ]
    return programs


def _answers(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    args = parser.parse_args(argv)
    data_dir = Path(os.environ.get("OPENEXTRACT_DATA_DIR", "var")).resolve()
    python = sys.executable
    programs = programs_for(
        port=args.port,
        data_dir=data_dir,
        python=python,
        redis_url=os.environ.get("REDIS_URL", ""),
    )
    url = f"http://127.0.0.1:{args.port}"

    def announce() -> None:
        subprocess.run([python, "manage.py", "bootstrap_demo", "--url", url], check=False)
        print("  Press Ctrl-C to stop.", flush=True)

    return Supervisor(programs).run(on_started=announce)


if __name__ == "__main__":
    sys.exit(main())
