"""``make run``'s supervised stack on its embedded defaults: SQLite and the bundled queue server.

One real stack per test module (migrate, then ``python -m config.supervisor``), driven over
HTTP: a killed worker or queue server is started again and jobs still run; Ctrl-C stops
everything and leaves no process behind.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.faults.conftest import free_port

pytestmark = pytest.mark.faults

SCHEMA = {"type": "object", "properties": {"invoice_number": {"type": "string"}}}


class Stack:
    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.port = free_port()
        self.log = data_dir / "run.log"
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
            "OPENEXTRACT_DATA_DIR": str(data_dir),
            "OPENEXTRACT_JOB_LEASE_SECONDS": "4",
            "OPENEXTRACT_REAPER_INTERVAL_SECONDS": "1",
            "OPENEXTRACT_PENDING_REQUEUE_SECONDS": "4",
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.key = ""

    def start(self) -> None:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput"],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
        )
        with Path(self.log).open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "config.supervisor", "--port", str(self.port)],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        key_file = self.data_dir / "demo_api_key"
        wait_for(lambda: key_file.exists() and self.health().get("status") == "ok", 120)
        self.key = key_file.read_text().strip()

    def request(self, method: str, path: str, body: dict | None = None) -> dict:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"Bearer {self.key}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def health(self) -> dict:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=5) as r:
                return json.loads(r.read())
        except OSError:
            return {}

    def extract(self, number: str) -> dict:
        job = self.request(
            "POST",
            "/api/v1/extraction/run",
            {"data_schema": SCHEMA, "config": {}, "text": f"Invoice number: {number}"},
        )
        path = f"/api/v1/extraction/jobs/{job['id']}"
        wait_for(lambda: self.request("GET", path)["status"] == "SUCCESS", 90)
        return self.request("GET", f"{path}/result")["data"]

    def children(self) -> dict[str, int]:
        """name -> pid of the supervisor's direct children, by their command line."""
        assert self.process is not None
        found = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except (OSError, ValueError):
                continue
            if parent != self.process.pid:
                continue
            for name, marker in (
                ("queue", "valkey-server"),
                ("webhooks", "-Q webhooks"),
                ("worker", "-Q critical"),
                ("beat", " beat "),
                ("web", "gunicorn"),
            ):
                if marker in cmdline:
                    found[name] = int(entry.name)
                    break
        return found

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def wait_for(condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"condition not met within {timeout} s")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    running = Stack(tmp_path_factory.mktemp("make-run"))
    running.start()
    yield running
    if running.process and running.process.poll() is None:
        running.process.send_signal(signal.SIGINT)
        running.process.wait(timeout=60)


def test_embedded_defaults_run_a_job_on_sqlite_and_the_bundled_queue(stack):
    assert stack.health() == {"status": "ok", "database": "ok", "broker": "ok"}
    assert stack.extract("INV-1") == {"invoice_number": "INV-1"}
    assert (stack.data_dir / "db.sqlite3").exists()
    assert set(stack.children()) == {"queue", "worker", "webhooks", "beat", "web"}


def test_a_killed_worker_is_started_again_and_jobs_still_run(stack):
    worker = stack.children()["worker"]
    os.killpg(worker, signal.SIGKILL)
    wait_for(lambda: "worker was killed by SIGKILL" in stack.log_text(), 10)
    wait_for(lambda: stack.children().get("worker", worker) != worker, 30)
    assert stack.extract("INV-2") == {"invoice_number": "INV-2"}


def test_a_killed_queue_server_is_started_again_and_jobs_still_run(stack):
    queue = stack.children()["queue"]
    os.kill(queue, signal.SIGKILL)
    wait_for(lambda: "queue was killed by SIGKILL" in stack.log_text(), 10)
    wait_for(lambda: stack.health().get("broker") == "ok", 30)
    assert stack.extract("INV-3") == {"invoice_number": "INV-3"}


def test_ctrl_c_stops_every_process(stack):
    children = stack.children()
    assert stack.process is not None
    stack.process.send_signal(signal.SIGINT)
    assert stack.process.wait(timeout=60) == 0
    assert children
    for pid in children.values():
        assert not Path(f"/proc/{pid}").exists()
    # Nor any grandchild (pool processes, gunicorn workers, sandbox children).
    markers = (f"127.0.0.1:{stack.port}", f"worker-{stack.port}@", str(stack.data_dir))
    left = [
        entry.name
        for entry in Path("/proc").iterdir()
        if entry.name.isdigit() and any(m in _cmdline(entry) for m in markers)
    ]
    assert left == []


def _cmdline(entry: Path) -> str:
    try:
        return (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""
