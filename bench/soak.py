"""Soak: a burst of jobs against a fresh ``make run`` on its embedded defaults.

    .venv/bin/python bench/soak.py [--jobs 1000] [--clients 16] [--phases burst,kill,restart]

Each phase starts ``bin/run`` (what ``make run`` runs) with a new, empty data directory and no
``REDIS_URL`` or ``DATABASE_URL``: SQLite, the embedded queue server, the supervisor. Then
``--jobs`` jobs are submitted at once from ``--clients`` threads, half inline text and half
one-page PDFs, each with its own invoice number, through ``POST /api/v1/extraction/run``.
Clients honour HTTP 429 with ``Retry-After`` (the API's rate limit), as every client should.

- ``burst``: nothing else happens.
- ``kill``: when half the jobs are submitted, the worker's process group is killed with
  SIGKILL; the supervisor starts it again and the reaper recovers the jobs it held.
- ``restart``: a quarter of the jobs are submitted, then the whole ``make run`` is stopped
  (SIGINT, as Ctrl-C) and started again on the same data directory before the rest follow.

Checks, per phase: every job ends SUCCESS with its own invoice number and total; each job ran
once (``attempts`` is 1, except the few the killed worker held); ``/healthz`` answers ok
afterwards. Prints a table; exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import ApiClient, free_port, machine_summary, pct, print_table  # noqa: E402

SCHEMA = {
    "type": "object",
    "properties": {
        "invoice_number": {"type": ["string", "null"], "description": "Invoice number"},
        "total": {"type": ["number", "null"], "description": "Total amount due"},
    },
}
CONFIG = {"extraction_target": "PER_DOC"}


def invoice_number(index: int) -> str:
    return f"SOAK-{index:05d}"


def invoice_total(index: int) -> float:
    return round(10 + index * 1.25, 2)


def text_document(index: int) -> str:
    return (
        f"ACME Supplies Ltd\nInvoice number: {invoice_number(index)}\n"
        f"Date: 2026-03-01\nTotal: {invoice_total(index):.2f} EUR\n"
    )


def pdf_document(index: int) -> bytes:
    """A one-page PDF with a text layer, written by hand (a correct cross-reference table)."""
    stream = (
        f"BT /F1 14 Tf 72 720 Td (ACME Supplies Ltd) Tj 0 -24 Td "
        f"(Invoice number: {invoice_number(index)}) Tj 0 -24 Td "
        f"(Total: {invoice_total(index):.2f} EUR) Tj ET"
    ).encode()
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]"
        b"/Resources<</Font<</F1 4 0 R>>>>/Contents 5 0 R>>",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
        b"<</Length %d>>stream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


class MakeRun:
    """``bin/run`` on a data directory of its own, with the machine's services unset."""

    def __init__(self, data_dir: Path, port: int, log_path: Path):
        self.data_dir = data_dir
        self.port = port
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 180.0) -> str:
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("REDIS_URL", "DATABASE_URL", "VIRTUAL_ENV")
        }
        env.update(PORT=str(self.port), OPENEXTRACT_DATA_DIR=str(self.data_dir))
        with Path(self.log_path).open("ab") as log:
            self.process = subprocess.Popen(
                ["bin/run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        key_file = self.data_dir / "demo_api_key"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"make run exited early; see {self.log_path}")
            if key_file.exists() and self.healthy():
                return key_file.read_text().strip()
            time.sleep(0.5)
        raise RuntimeError(f"make run was not healthy after {timeout:.0f} s")

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=5) as r:
                return json.loads(r.read()).get("status") == "ok"
        except (OSError, ValueError):
            return False

    def stop(self) -> int:
        """Ctrl-C: SIGINT to the supervisor (bin/run execs it); its exit status."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else 0
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=120)

    def kill_worker(self) -> int:
        """SIGKILL to the Celery worker's process group (pool and sandbox children included)."""
        assert self.process is not None
        for pid in _children(self.process.pid):
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            if b"worker" in cmdline and any(part.endswith(b"celery") for part in cmdline):
                os.killpg(pid, signal.SIGKILL)
                return pid
        raise RuntimeError("no worker process found")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def submit_all(
    port: int, key: str, indices: list[int], clients: int, submitted: dict[str, int]
) -> tuple[list[float], int, list[str]]:
    """Submit one job per index from ``clients`` threads; (latencies, 429s, errors)."""
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    throttled = [0]
    todo = list(indices)

    def client_loop() -> None:
        api = ApiClient(port, key)
        try:
            while True:
                with lock:
                    if not todo:
                        break
                    index = todo.pop(0)
                started = time.perf_counter()
                try:
                    if index % 2:
                        content = pdf_document(index)
                        job_id = api.submit_file(content, "application/pdf", SCHEMA, CONFIG)
                    else:
                        job_id = api.submit_text(text_document(index), SCHEMA, CONFIG)
                except Exception as exc:
                    with lock:
                        errors.append(f"job {index}: {exc}")
                    continue
                with lock:
                    latencies.append(time.perf_counter() - started)
                    submitted[job_id] = index
        finally:
            with lock:
                throttled[0] += api.throttled
            api.close()

    threads = [threading.Thread(target=client_loop) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, throttled[0], errors


def wait_for_all(port: int, key: str, expected: int, timeout: float) -> list[dict[str, Any]]:
    """Poll the default agent's runs (1,000 a page) until ``expected`` have ended."""
    api = ApiClient(port, key)
    try:
        status, agent = api.request("GET", "/api/v1/extraction/extraction-agents/default")
        if status != 200:
            raise RuntimeError(f"default agent: HTTP {status} {agent}")
        deadline = time.monotonic() + timeout
        while True:
            runs: list[dict[str, Any]] = []
            skip = 0
            while True:
                status, page = api.request(
                    "GET",
                    f"/api/v1/extraction/runs?extraction_agent_id={agent['id']}"
                    f"&skip={skip}&limit=1000",
                )
                if status != 200:
                    raise RuntimeError(f"runs: HTTP {status} {page}")
                runs += page["items"]
                skip += len(page["items"])
                if skip >= page["total"] or not page["items"]:
                    break
            ended = [run for run in runs if run["status"] in ("SUCCESS", "ERROR")]
            if len(ended) >= expected or time.monotonic() > deadline:
                return runs
            time.sleep(2)
    finally:
        api.close()


def attempts_by_job(data_dir: Path) -> dict[str, int]:
    with sqlite3.connect(f"file:{data_dir / 'db.sqlite3'}?mode=ro", uri=True) as db:
        return {
            job_id.replace("-", ""): attempts
            for job_id, attempts in db.execute("SELECT id, attempts FROM extraction_extractionjob")
        }


def run_phase(name: str, args: argparse.Namespace, workdir: Path) -> tuple[list[Any], list[str]]:
    data_dir = workdir / name
    port = free_port()
    stack = MakeRun(data_dir, port, workdir / f"{name}.log")
    problems: list[str] = []
    started = time.monotonic()
    key = stack.start()
    ready_seconds = time.monotonic() - started
    submitted: dict[str, int] = {}
    indices = list(range(args.jobs))
    t0 = time.monotonic()
    latencies: list[float] = []
    throttled = 0
    killed = 0
    try:
        if name == "burst":
            latencies, throttled, errors = submit_all(port, key, indices, args.clients, submitted)
            problems += errors
        elif name == "kill":
            half = len(indices) // 2
            lat1, thr1, err1 = submit_all(port, key, indices[:half], args.clients, submitted)
            killed = stack.kill_worker()
            lat2, thr2, err2 = submit_all(port, key, indices[half:], args.clients, submitted)
            latencies, throttled, problems = lat1 + lat2, thr1 + thr2, problems + err1 + err2
        elif name == "restart":
            quarter = len(indices) // 4
            lat1, thr1, err1 = submit_all(port, key, indices[:quarter], args.clients, submitted)
            status = stack.stop()
            if status != 0:
                problems.append(f"make run exited with status {status} on Ctrl-C")
            key = stack.start()
            lat2, thr2, err2 = submit_all(port, key, indices[quarter:], args.clients, submitted)
            latencies, throttled, problems = lat1 + lat2, thr1 + thr2, problems + err1 + err2
        submit_seconds = time.monotonic() - t0
        runs = wait_for_all(port, key, len(submitted), timeout=args.timeout)
        drain_seconds = time.monotonic() - t0
        healthy = stack.healthy()
    finally:
        stop_status = stack.stop()
    if stop_status != 0:
        problems.append(f"make run exited with status {stop_status} on Ctrl-C")
    if not healthy:
        problems.append("/healthz was not ok after the burst")
    by_job = {run["job_id"]: run for run in runs}
    wrong = missing = failed = 0
    for job_id, index in submitted.items():
        run = by_job.get(job_id)
        if run is None:
            missing += 1
        elif run["status"] != "SUCCESS":
            failed += 1
            if failed <= 3:
                problems.append(f"job {job_id} ({index}) ended {run['status']}: {run['error']}")
        elif (run["data"] or {}).get("invoice_number") != invoice_number(index) or (
            run["data"] or {}
        ).get("total") != invoice_total(index):
            wrong += 1
            if wrong <= 3:
                problems.append(f"job {job_id} ({index}) has {run['data']}")
    attempts = attempts_by_job(data_dir)
    repeated = [job for job in submitted if attempts.get(job.replace("-", ""), 0) != 1]
    if missing:
        problems.append(f"{missing} job(s) had not ended after {args.timeout:.0f} s")
    if failed:
        problems.append(f"{failed} job(s) did not succeed")
    if wrong:
        problems.append(f"{wrong} job(s) have another job's values")
    # A killed worker held at most its pool's jobs: those run twice, nothing else may.
    allowed_repeats = 4 if name == "kill" else 0
    if len(repeated) > allowed_repeats:
        problems.append(f"{len(repeated)} job(s) ran more than once")
    row = [
        name,
        len(submitted),
        sum(1 for job in submitted if by_job.get(job, {}).get("status") == "SUCCESS"),
        wrong,
        len(repeated),
        throttled,
        f"{ready_seconds:.1f}",
        f"{1000 * pct(latencies, 50):.0f}",
        f"{1000 * pct(latencies, 95):.0f}",
        f"{submit_seconds:.1f}",
        f"{drain_seconds:.1f}",
        f"{len(submitted) / drain_seconds:.1f}",
        "ok" if healthy else "FAIL",
        f"pid {killed}" if killed else "-",
    ]
    return row, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--phases", default="burst,kill,restart")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds to drain")
    parser.add_argument("--keep", action="store_true", help="keep the data dirs and logs")
    args = parser.parse_args(argv)
    print(f"machine: {machine_summary()}", flush=True)
    workdir = Path(tempfile.mkdtemp(prefix="oe-soak-"))
    rows, all_problems = [], []
    for name in args.phases.split(","):
        print(f"phase {name}: {args.jobs} jobs from {args.clients} clients…", flush=True)
        row, problems = run_phase(name, args, workdir)
        rows.append(row)
        all_problems += [f"{name}: {problem}" for problem in problems]
    print_table(
        f"Soak: {args.jobs} jobs at once against a fresh make run (SQLite, embedded queue)",
        [
            "phase",
            "jobs",
            "SUCCESS",
            "wrong",
            "ran twice",
            "429s",
            "ready s",
            "submit p50 ms",
            "p95 ms",
            "submit s",
            "drain s",
            "jobs/s",
            "healthz",
            "killed",
        ],
        rows,
    )
    for problem in all_problems:
        print(f"FAIL {problem}")
    print(f"logs: {workdir}" if args.keep or all_problems else "")
    if not args.keep and not all_problems:
        subprocess.run(["rm", "-rf", str(workdir)], check=False)
    return 1 if all_problems else 0


if __name__ == "__main__":
    sys.exit(main())
