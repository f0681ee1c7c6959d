"""Shared helpers for the product-level benchmarks: a private stack, a small API client, stats.

``Stack`` starts everything a benchmark needs on resources of its own, never the machine's
shared ones: a ``redis-server`` on a free port (no persistence), the PostgreSQL database
``oe_bench`` (created and migrated when needed, its job tables emptied per run), a data
directory under a temp folder, gunicorn and Celery workers as subprocesses (each worker in its
own process group, so ``kill -9`` of the group takes its sandbox children too).

The worker processes also import this module (``--include bench.common``) for ``bench.noop``,
the no-op task used to measure the queue floor.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("OPENEXTRACT_SHARED_DIR", ROOT.parent / "shared")).resolve()
DEVSET = SHARED / "devset"
VENV_BIN = Path(sys.executable).parent
QUEUES = "critical,high,medium,low"
BENCH_DB = os.environ.get("OPENEXTRACT_BENCH_DB", "oe_bench")
PG_ADMIN_URL = os.environ.get("OPENEXTRACT_BENCH_PG", "postgres://postgres@127.0.0.1:5432")


# --- statistics and tables -------------------------------------------------------------------


def pct(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A plain fixed-width table (first column left-aligned, the rest right-aligned)."""
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [
        max(len(str(header)), *(len(row[index]) for row in cells)) if cells else len(header)
        for index, header in enumerate(headers)
    ]
    print(f"\n== {title}")
    print(
        "  ".join(
            h.ljust(w) if i == 0 else h.rjust(w)
            for i, (h, w) in enumerate(zip(headers, widths, strict=True))
        )
    )
    for row in cells:
        print(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    sys.stdout.flush()


def _cell(value: Any) -> str:
    if isinstance(value, float):
        if value != value:  # NaN
            return "-"
        return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"
    return str(value)


def machine_summary() -> str:
    """Cores, memory, load and the versions that matter, on one line."""
    with Path("/proc/meminfo").open() as meminfo:
        total_kb = int(meminfo.readline().split()[1])
    versions = []
    for module in ("django", "celery", "kombu", "psycopg", "pypdfium2"):
        try:
            versions.append(f"{module} {__import__(module).__version__}")
        except Exception:
            continue
    redis_version = _command_version([redis_server_binary(), "--version"], "v=")
    pg_version = _command_version(["psql", "--version"], "")
    load = os.getloadavg()
    return (
        f"{os.cpu_count()} cores, {total_kb / 1024 / 1024:.0f} GB RAM, load average "
        f"{load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f}; Python {platform.python_version()}, "
        + ", ".join(versions)
        + f", redis {redis_version}, {pg_version}"
    )


def _command_version(command: list[str], marker: str) -> str:
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    if marker and marker in out:
        return out.split(marker, 1)[1].split()[0]
    return out.strip()


# --- the devset ----------------------------------------------------------------------------


def generate_devset(out: Path, seed: int = 7) -> Path:
    """Write the devset for ``seed`` into ``out`` (about 3 s) and return ``out``."""
    subprocess.run(
        [sys.executable, str(DEVSET / "generate.py"), "--out", str(out), "--seed", str(seed)],
        check=True,
        capture_output=True,
    )
    return out


def devset_entries(devset: Path) -> list[dict[str, Any]]:
    return json.loads((devset / "manifest.json").read_text())["documents"]


def one_page_pdf(devset: Path, doc_type: str = "invoice") -> tuple[Path, dict[str, Any]]:
    """The first one-page PDF of ``doc_type`` and its schema."""
    return first_pdf(devset, doc_type=doc_type, pages=1)


def first_pdf(devset: Path, *, doc_type: str, pages: int) -> tuple[Path, dict[str, Any]]:
    """The first PDF of ``doc_type`` with ``pages`` pages, and its schema."""
    for entry in devset_entries(devset):
        if (entry["format"], entry["page_count"], entry["doc_type"]) == ("pdf", pages, doc_type):
            schema = json.loads((devset / "schemas" / entry["schema"]).read_text())
            return devset / entry["file"], schema
    raise LookupError(f"no {pages}-page {doc_type} PDF in {devset}")


# --- processes -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {timeout:.0f} s")


class Service:
    """A subprocess in its own process group, with its output in a log file."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log_dir: Path):
        self.name = name
        self.command = command
        self.env = env
        self.log_path = log_dir / f"{name}.log"
        self.process: subprocess.Popen | None = None
        self.hostname = ""

    def start(self) -> Service:
        log = Path(self.log_path).open("ab")  # noqa: SIM115 - lives as long as the process
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill9(self) -> None:
        """``kill -9`` of the whole process group (the worker, its pool and sandbox children)."""
        if self.alive():
            assert self.process is not None
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self, timeout: float = 20.0) -> None:
        if not self.alive():
            return
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill9()

    def tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


class Stack:
    """Private Redis + the ``oe_bench`` database + gunicorn + Celery workers.

    Use as a context manager; ``start_worker`` can be called again after ``stop``/``kill9``.
    """

    def __init__(self, workdir: Path, *, extra_env: dict[str, str] | None = None):
        self.workdir = workdir
        self.log_dir = workdir / "logs"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.redis_port = free_port()
        self.web_port = free_port()
        self.services: list[Service] = []
        self.workers: dict[str, Service] = {}
        self.api_key = ""
        self._lock: Any = None
        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("OPENAI_", "OPENEXTRACT_", "DATABASE_", "REDIS_", "CELERY_"))
        }
        self.env.update(
            {
                "DATABASE_URL": f"{PG_ADMIN_URL}/{BENCH_DB}",
                "REDIS_URL": self.redis_url,
                "OPENEXTRACT_DATA_DIR": str(workdir / "data"),
                # One bench client sends far more than a person would: lift the per-key limit.
                "OPENEXTRACT_API_RATE_LIMIT": "1000000/min",
                "LOG_LEVEL": "WARNING",
                "PYTHONUNBUFFERED": "1",
                **(extra_env or {}),
            }
        )

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"

    # -- lifecycle --
    def __enter__(self) -> Stack:
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        import psycopg

        # One benchmark stack at a time on oe_bench: each run empties its job tables.
        self._lock = psycopg.connect(f"{PG_ADMIN_URL}/postgres", autocommit=True)
        locked = self._lock.execute(
            "SELECT pg_try_advisory_lock(hashtext(%s))", [f"openextract-bench:{BENCH_DB}"]
        ).fetchone()[0]
        if not locked:
            raise RuntimeError(f"another benchmark is using the database {BENCH_DB}; wait for it")
        redis = Service(
            "redis",
            [
                redis_server_binary(),
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            self.env,
            self.log_dir,
        ).start()
        self.services.append(redis)
        prepare_database(self.env)
        web = Service(
            "gunicorn",
            [
                str(VENV_BIN / "gunicorn"),
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.web_port}",
                "--workers",
                "2",
                "--threads",
                "4",
                "--log-level",
                "warning",
            ],
            self.env,
            self.log_dir,
        ).start()
        self.services.append(web)
        self.api_key = create_api_key(self.env)
        wait_for_port(self.redis_port)
        wait_for_port(self.web_port, timeout=60)

    def close(self) -> None:
        for worker in list(self.workers.values()):
            worker.stop()
        for service in reversed(self.services):
            service.stop()
        if self._lock is not None:
            self._lock.close()  # releases the advisory lock
            self._lock = None

    # -- workers --
    def start_worker(
        self,
        name: str,
        *,
        beat: bool = False,
        concurrency: int = 1,
        env: dict[str, str] | None = None,
    ) -> Service:
        """A ``celery worker`` consuming every job queue, in its own process group."""
        hostname = f"{name}-{uuid.uuid4().hex[:6]}@{socket.gethostname()}"
        command = [
            str(VENV_BIN / "celery"),
            "-A",
            "config",
            "worker",
            "-Q",
            QUEUES,
            f"--concurrency={concurrency}",
            "--hostname",
            hostname,
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
            "--include",
            "bench.common",
        ]
        if beat:
            command += ["--beat", "--schedule", str(self.workdir / f"{name}-beat")]
        worker = Service(name, command, {**self.env, **(env or {})}, self.log_dir).start()
        worker.hostname = hostname
        self.workers[name] = worker
        return worker

    def wait_workers_ready(self, names: Sequence[str], timeout: float = 120.0) -> None:
        """Wait until each named worker answers a remote-control ping (it is consuming)."""
        floor = QueueFloor(self.redis_url)
        deadline = time.monotonic() + timeout
        waiting = {self.workers[name].hostname: name for name in names}
        try:
            while waiting:
                for name in list(waiting.values()):
                    if not self.workers[name].alive():
                        raise RuntimeError(f"worker {name} exited:\n{self.workers[name].tail()}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"workers not ready: {sorted(waiting.values())}")
                for reply in floor.app.control.ping(destination=list(waiting), timeout=1.0):
                    for hostname in reply:
                        waiting.pop(hostname, None)
        finally:
            floor.close()

    def stop_worker(self, name: str) -> None:
        self.workers.pop(name).stop()

    # -- clients --
    def client(self) -> ApiClient:
        return ApiClient(self.web_port, self.api_key)

    def db(self) -> Any:
        import psycopg

        return psycopg.connect(self.env["DATABASE_URL"], autocommit=True)


def prepare_database(env: dict[str, str]) -> None:
    """Create ``oe_bench`` if absent, migrate when a migration is missing, empty the job tables."""
    import psycopg

    with psycopg.connect(f"{PG_ADMIN_URL}/postgres", autocommit=True) as admin:
        exists = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]
        ).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{BENCH_DB}"')
    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
        if _missing_migrations(conn):
            subprocess.run(
                [sys.executable, "manage.py", "migrate", "--noinput"],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
            )
        conn.execute(
            "TRUNCATE extraction_webhookdelivery, extraction_extractionrun, "
            "extraction_extractionjobconfiguration, extraction_extractionjob, "
            "extraction_extractioncacheentry, extraction_sourcefile CASCADE"
        )


def _missing_migrations(conn: Any) -> bool:
    """Whether a migration file of our apps is not recorded in ``django_migrations``."""
    present = conn.execute("SELECT to_regclass('django_migrations')").fetchone()[0]
    if present is None:
        return True
    applied = {(app, name) for app, name in conn.execute("SELECT app, name FROM django_migrations")}
    for app in ("accounts", "extraction"):
        for path in (ROOT / app / "migrations").glob("[0-9]*.py"):
            if (app, path.stem) not in applied:
                return True
    return False


def create_api_key(env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", "create_api_key", "benchuser"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip().splitlines()[-1]


# --- the API client --------------------------------------------------------------------------


class ApiClient:
    """A keep-alive HTTP/1.1 client for one thread (http.client: little client-side CPU)."""

    def __init__(self, port: int, api_key: str):
        self.port = port
        self.headers = {"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.throttled = 0

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """Send one request; a 429 is retried after the ``Retry-After`` it names, as clients
        of the API should (``throttled`` counts them)."""
        payload = json.dumps(body).encode() if body is not None else None
        while True:
            for attempt in range(2):
                try:
                    self.conn.request(method, path, body=payload, headers=self.headers)
                    response = self.conn.getresponse()
                    data = response.read()
                    break
                except (http.client.HTTPException, ConnectionError):
                    # The server closed an idle keep-alive connection: reconnect once.
                    self.conn.close()
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                    if attempt:
                        raise
            if response.status != 429:
                return response.status, json.loads(data) if data else None
            self.throttled += 1
            time.sleep(float(response.getheader("Retry-After") or 1))

    def submit_file(self, content: bytes, mime_type: str, schema: dict, config: dict) -> str:
        status, body = self.request(
            "POST",
            "/api/v1/extraction/run",
            {
                "data_schema": schema,
                "config": config,
                "file": {"data": base64.b64encode(content).decode(), "mime_type": mime_type},
            },
        )
        if status != 200:
            raise RuntimeError(f"submit failed: HTTP {status} {body}")
        return body["id"]

    def submit_text(self, text: str, schema: dict, config: dict) -> str:
        status, body = self.request(
            "POST",
            "/api/v1/extraction/run",
            {"data_schema": schema, "config": config, "text": text},
        )
        if status != 200:
            raise RuntimeError(f"submit failed: HTTP {status} {body}")
        return body["id"]

    def job_status(self, job_id: str) -> str:
        status, body = self.request("GET", f"/api/v1/extraction/jobs/{job_id}")
        if status != 200:
            raise RuntimeError(f"status failed: HTTP {status} {body}")
        return body["status"]

    def close(self) -> None:
        self.conn.close()


TERMINAL = {"SUCCESS", "PARTIAL_SUCCESS", "ERROR", "CANCELLED"}


def job_rows(conn: Any, job_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """id -> status, attempts and timestamps, straight from the job table."""
    rows = conn.execute(
        "SELECT id::text, status, attempts, created_at, started_at, finished_at, error "
        "FROM extraction_extractionjob WHERE id = ANY(%s::uuid[])",
        [list(job_ids)],
    ).fetchall()
    keys = ("id", "status", "attempts", "created_at", "started_at", "finished_at", "error")
    return {row[0]: dict(zip(keys, row, strict=True)) for row in rows}


# --- CPU accounting ----------------------------------------------------------------------------

_TICKS = os.sysconf("SC_CLK_TCK")


def _proc_cpu(pid: int) -> tuple[int, float]:
    """(process group, CPU seconds of the process and its reaped children)."""
    with Path(f"/proc/{pid}/stat").open() as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    # after the command: state ppid pgrp session ... utime(11) stime(12) cutime(13) cstime(14)
    return int(fields[2]), sum(int(v) for v in fields[11:15]) / _TICKS


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU ticks of the whole machine so far, from /proc/stat; the busy share
    of an interval is the ratio of the differences."""
    with Path("/proc/stat").open() as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return float(sum(values) - idle), float(sum(values))


def stack_cpu(stack: Stack) -> dict[str, float]:
    """CPU seconds used so far by the web server, the workers (with their sandbox children)
    and Redis, plus ``postgres:<pid>`` for each PostgreSQL backend serving ``oe_bench``."""
    groups = {
        service.pid: ("workers" if service in stack.workers.values() else service.name)
        for service in [*stack.services, *stack.workers.values()]
        if service.alive()
    }
    totals = {"gunicorn": 0.0, "workers": 0.0, "redis": 0.0}
    with stack.db() as conn:
        backends = {
            pid
            for (pid,) in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", [BENCH_DB]
            ).fetchall()
        }
    for process in Path("/proc").iterdir():
        entry = process.name
        if not entry.isdigit():
            continue
        try:
            group, seconds = _proc_cpu(int(entry))
        except (OSError, ValueError, IndexError):
            continue
        if group in groups:
            totals[groups[group]] += seconds
        elif int(entry) in backends:
            totals[f"postgres:{entry}"] = seconds
    return totals


def cpu_used(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """CPU seconds per component between two ``stack_cpu`` samples. PostgreSQL counts the
    backends alive at the end (a backend that exited meanwhile is missed: a lower bound)."""
    used = {name: after[name] - before[name] for name in ("gunicorn", "workers", "redis")}
    used["postgres"] = sum(
        seconds - before.get(name, 0.0)
        for name, seconds in after.items()
        if name.startswith("postgres:")
    )
    return used


# --- the queue floor -------------------------------------------------------------------------


class QueueFloor:
    """Round trips of ``bench.noop`` through the broker: send, a worker runs it, it answers.

    The answer is an RPUSH on the same Redis (what a result backend would do), read with BLPOP.
    """

    def __init__(self, redis_url: str):
        import redis
        from celery import Celery
        from kombu import Exchange, Queue

        self.redis = redis.Redis.from_url(redis_url)
        self.redis_url = redis_url
        self.app = Celery("bench-sender", broker=redis_url)
        self.app.conf.task_queues = [
            Queue(name, Exchange(name, type="direct"), routing_key=name)
            for name in QUEUES.split(",")
        ]
        self.key = f"bench-noop-{uuid.uuid4().hex}"

    def round_trip(self, timeout: float = 10.0) -> float | None:
        """Seconds for one no-op task round trip; None when no worker answered in time."""
        started = time.perf_counter()
        self.app.send_task("bench.noop", args=[self.redis_url, self.key], queue="medium")
        answer = self.redis.blpop([self.key], timeout=timeout)
        if answer is None:
            return None
        return time.perf_counter() - started

    def close(self) -> None:
        self.redis.delete(self.key)
        self.app.close()
        self.redis.close()


def _register_noop_task() -> None:
    try:
        from celery import shared_task
    except ImportError:  # the benchmark client without celery: nothing to register
        return
    clients: dict[str, Any] = {}

    @shared_task(name="bench.noop", ignore_result=True, acks_late=False)
    def noop(redis_url: str, key: str) -> None:
        import redis

        client = clients.get(redis_url)
        if client is None:
            client = clients[redis_url] = redis.Redis.from_url(redis_url)
        client.rpush(key, b"1")


_register_noop_task()


def encode_file(path: Path) -> tuple[bytes, str]:
    mime = {"pdf": "application/pdf", "txt": "text/plain", "html": "text/html"}
    return path.read_bytes(), mime.get(path.suffix.lstrip("."), "application/octet-stream")


def redis_server_binary() -> str:
    """``redis-server`` when installed, else the Valkey server the project ships (the same
    protocol; ``make run``'s embedded queue)."""
    from config.embedded import server_binary

    return shutil.which("redis-server") or str(server_binary())


def ensure_tools() -> None:
    if shutil.which("psql") is None:
        raise SystemExit("psql is not installed; the product benchmarks need PostgreSQL")
