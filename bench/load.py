"""Load benchmark: 500 text jobs over the API at a steady rate while a worker is killed.

    .venv/bin/python bench/load.py [--jobs 500] [--rate 5] [--lease 5]

Two Celery worker processes (``--concurrency 1`` each; ``worker-a`` also runs beat, i.e. the
reaper) on a private Redis and the ``oe_bench`` PostgreSQL database, gunicorn in front, the
local engine. Jobs are submitted at ``--rate`` per second, open loop from four client threads
(POST /api/v1/extraction/run with ``text``); two pollers cycle over the unfinished jobs with
GET /api/v1/extraction/jobs/{id}.
When half the jobs are submitted, ``worker-b`` is killed with ``kill -9`` of its process group
(the worker, its pool process and any sandbox child) and started again at once. The job it
held is recovered by the reaper once its lease runs out (``OPENEXTRACT_JOB_LEASE_SECONDS``,
``OPENEXTRACT_REAPER_INTERVAL_SECONDS``, ``OPENEXTRACT_PENDING_REQUEUE_SECONDS``).

Checks: every job reaches SUCCESS, each has exactly one run row, the number of attempts is
recorded; prints throughput, API latency (submit, status) and end-to-end latency.
Exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import collections
import re
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    TERMINAL,
    Stack,
    ensure_tools,
    job_rows,
    machine_summary,
    pct,
    print_table,
)

SCHEMA = {
    "type": "object",
    "properties": {
        "invoice_number": {"type": ["string", "null"], "description": "Invoice number"},
        "invoice_date": {"type": ["string", "null"], "format": "date"},
        "vendor": {"type": ["string", "null"], "description": "Seller name"},
        "total": {"type": ["number", "null"], "description": "Amount due"},
    },
    "required": ["invoice_number", "invoice_date", "vendor", "total"],
    "additionalProperties": False,
}
CONFIG = {"extract_model": "local", "extraction_target": "PER_DOC"}


def document(index: int) -> str:
    """A short invoice; unique per job, so no result comes from the cache."""
    return (
        "ACME Supplies Ltd\n12 Main Street, Springfield\n\n"
        f"Invoice No: INV-{100000 + index}\nInvoice Date: 2024-03-{1 + index % 28:02d}\n\n"
        "Description            Qty   Amount\n"
        f"Paper A4                {1 + index % 9}     ${12 + index % 50}.50\n\n"
        f"Total Due: ${100 + index}.25\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=500)
    parser.add_argument("--rate", type=float, default=5.0, help="submissions per second")
    parser.add_argument("--lease", type=int, default=5, help="job lease, seconds")
    parser.add_argument("--timeout", type=float, default=240.0, help="wait for the last job")
    args = parser.parse_args(argv)
    ensure_tools()
    print(f"machine: {machine_summary()}")
    env = {
        "OPENEXTRACT_JOB_LEASE_SECONDS": str(args.lease),
        "OPENEXTRACT_REAPER_INTERVAL_SECONDS": "1",
        # A queued job waits for a worker up to backlog / throughput: keep this well above it.
        "OPENEXTRACT_PENDING_REQUEUE_SECONDS": "30",
    }
    with (
        tempfile.TemporaryDirectory(prefix="oe-load-") as tmp,
        Stack(Path(tmp), extra_env=env) as stack,
    ):
        stack.start_worker("worker-a", beat=True)
        stack.start_worker("worker-b")
        stack.wait_workers_ready(["worker-a", "worker-b"])
        # Warm both workers (imports, first connections) outside the measurement.
        warm = stack.client()
        warm_ids = [warm.submit_text(document(-1 - i), SCHEMA, CONFIG) for i in range(4)]
        while any(warm.job_status(job_id) not in TERMINAL for job_id in warm_ids):
            time.sleep(0.1)
        warm.close()

        submit_latency: list[float] = []
        status_latency: list[float] = []
        submitted_at: dict[str, float] = {}
        observed_done: dict[str, float] = {}
        outstanding: collections.deque[str] = collections.deque()
        lock = threading.Lock()
        submitting_done = threading.Event()
        kill_facts: dict[str, Any] = {}

        def poller() -> None:
            client = stack.client()
            while True:
                with lock:
                    if not outstanding:
                        if submitting_done.is_set():
                            break
                        job_id = None
                    else:
                        job_id = outstanding.popleft()
                if job_id is None:
                    time.sleep(0.02)
                    continue
                begin = time.perf_counter()
                status = client.job_status(job_id)
                end = time.perf_counter()
                with lock:
                    status_latency.append(end - begin)
                    if status in TERMINAL:
                        observed_done[job_id] = end
                    else:
                        outstanding.append(job_id)
                time.sleep(0.01)
                if time.perf_counter() - started > args.timeout + args.jobs / args.rate:
                    break
            client.close()

        next_index = [0]

        def submitter() -> None:
            """Open loop: job i is sent at started + i / rate, whatever the previous answers."""
            client = stack.client()
            while True:
                with lock:
                    index = next_index[0]
                    next_index[0] += 1
                if index >= args.jobs:
                    break
                delay = started + index / args.rate - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                if index == args.jobs // 2:
                    kill_facts["killed_at"] = time.perf_counter() - started
                    stack.workers["worker-b"].kill9()
                    stack.start_worker("worker-b")
                begin = time.perf_counter()
                job_id = client.submit_text(document(index), SCHEMA, CONFIG)
                end = time.perf_counter()
                with lock:
                    submit_latency.append(end - begin)
                    submitted_at[job_id] = begin
                    outstanding.append(job_id)
            client.close()

        pollers = [threading.Thread(target=poller, daemon=True) for _ in range(2)]
        submitters = [threading.Thread(target=submitter, daemon=True) for _ in range(4)]
        started = time.perf_counter()
        for thread in pollers + submitters:
            thread.start()
        for thread in submitters:
            thread.join()
        submit_seconds = time.perf_counter() - started
        submitting_done.set()
        for thread in pollers:
            thread.join()
        ids = list(submitted_at)
        with stack.db() as conn:
            rows = job_rows(conn, ids)
            runs = dict(
                conn.execute(
                    "SELECT job_id::text, count(*) FROM extraction_extractionrun "
                    "WHERE job_id = ANY(%s::uuid[]) GROUP BY job_id",
                    [ids],
                ).fetchall()
            )
            run_status = collections.Counter(
                status
                for (status,) in conn.execute(
                    "SELECT status FROM extraction_extractionrun WHERE job_id = ANY(%s::uuid[])",
                    [ids],
                ).fetchall()
            )
        beat_log = stack.workers["worker-a"].tail(200_000)

    statuses = collections.Counter(row["status"] for row in rows.values())
    attempts = collections.Counter(row["attempts"] for row in rows.values())
    finished = [row["finished_at"].timestamp() for row in rows.values() if row["finished_at"]]
    created = [row["created_at"].timestamp() for row in rows.values()]
    e2e = [
        (row["finished_at"] - row["created_at"]).total_seconds()
        for row in rows.values()
        if row["finished_at"]
    ]
    client_e2e = [observed_done[j] - submitted_at[j] for j in observed_done if j in submitted_at]
    span = (max(finished) - min(created)) if finished else float("nan")
    requeued = sum(int(n) for n in re.findall(r"re-enqueued (\d+) stale job", beat_log))
    runs_ok = all(runs.get(job_id) == 1 for job_id in ids)
    success = statuses.get("SUCCESS", 0)

    print_table(
        f"load: {args.jobs} text jobs at {args.rate:g}/s, 2 workers (--concurrency 1 each), "
        f"worker-b killed (-9) and restarted at {kill_facts.get('killed_at', 0):.1f} s",
        ["measure", "value"],
        [
            ["jobs SUCCESS", f"{success}/{args.jobs}"],
            ["jobs with exactly one run row", f"{sum(runs.get(j) == 1 for j in ids)}/{args.jobs}"],
            ["run rows by status", dict(run_status)],
            ["attempts per job (attempts: jobs)", dict(sorted(attempts.items()))],
            ["jobs re-enqueued by the reaper", requeued],
            ["submission window, s", submit_seconds],
            ["first created -> last finished, s", span],
            ["throughput, jobs/s (over that span)", len(finished) / span if finished else 0.0],
        ],
    )

    def row(label: str, values: list[float]) -> list[Any]:
        if not values:
            return [label, 0, "-", "-", "-"]
        return [
            label,
            len(values),
            pct(values, 50) * 1000,
            pct(values, 95) * 1000,
            max(values) * 1000,
        ]

    print_table(
        "latency",
        ["call", "n", "p50 ms", "p95 ms", "max ms"],
        [
            row("POST /extraction/run (text)", submit_latency),
            row("GET /extraction/jobs/{id}", status_latency),
            row("end to end, job created_at -> finished_at", e2e),
            row("end to end, client submit -> SUCCESS seen", client_e2e),
        ],
    )
    print(f"\nmachine after: {machine_summary()}")
    ok = success == args.jobs and runs_ok
    print("\nload check:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
