"""Throughput and latency benchmark: the pipeline alone, then the whole product.

    .venv/bin/python bench/throughput.py [--seconds 60] [--scale-seconds 10] [--rounds 40]
    .venv/bin/python bench/throughput.py --profile     # + py-spy on a worker (one-page PDFs)

1. Pipeline only: the 80 devset documents (seed 7) through ``run_pipeline`` with
   ``{"extract_model": "local"}``, in this process; documents/s and p50/p95 per document.
2. Sandbox cost: one 1-page PDF through the pipeline directly vs. inside ``run_in_sandbox``
   (fork + pipe + pickling), interleaved rounds; and an empty sandbox round trip.
3. Through the product (gunicorn + private Redis + 2 Celery worker processes with
   ``--concurrency 1`` each + PostgreSQL ``oe_bench``, local engine):
   * queue floor: a no-op Celery task round trip (send -> worker -> answer on Redis);
   * 1-page PDF latency, one job at a time: from the job's own timestamps (created_at ->
     finished_at) and from the client (POST /api/v1/extraction/run with a base64 file, then
     GET /api/v1/extraction/jobs/{id} every 10 ms until SUCCESS);
   * sustained throughput of 1-page PDFs over ``--seconds`` (a backlog of queued jobs kept
     at all times; jobs finished inside the window / window);
   * scale-out: alternating windows with both workers consuming and with worker-b's consumers
     cancelled (Celery remote control), so both sides see the same background load;
   * scale-out of the workers alone: a backlog queued while no worker consumes, drained by 2
     workers and by 1 (the API, the client and this process's polling are idle meanwhile);
   * the sandbox off (``OPENEXTRACT_SANDBOX=false``): latency and throughput.

Every job sets ``invalidate_cache`` so the same PDF is extracted each time. Targets: p50 <
150 ms submit-to-SUCCESS, >= 30 documents/s, 2 workers >= 1.7x one.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    QUEUES,
    TERMINAL,
    QueueFloor,
    Stack,
    cpu_used,
    devset_entries,
    encode_file,
    ensure_tools,
    first_pdf,
    generate_devset,
    job_rows,
    machine_busy,
    machine_summary,
    median,
    one_page_pdf,
    pct,
    print_table,
    stack_cpu,
)

JOB_CONFIG = {"extract_model": "local", "extraction_target": "PER_DOC", "invalidate_cache": True}
POLL_SECONDS = 0.010


# --- 1 and 2: in this process ----------------------------------------------------------------


def setup_django(data_dir: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["OPENEXTRACT_DATA_DIR"] = str(data_dir)
    for key in [k for k in os.environ if k.startswith("OPENAI_")]:
        del os.environ[key]
    import django

    django.setup()


def pipeline_devset(devset: Path) -> dict[str, Any]:
    """Each devset document once through the pipeline (after one warm-up document)."""
    import json

    from extraction.pipeline.config import ExtractConfig
    from extraction.pipeline.run import PipelineInput, run_pipeline

    entries = devset_entries(devset)
    inputs = []
    for entry in entries:
        schema = json.loads((devset / "schemas" / entry["schema"]).read_text())
        target = "PER_TABLE_ROW" if entry["mode"] == "PER_TABLE_ROW" else "PER_DOC"
        config = ExtractConfig.from_dict({"extract_model": "local", "extraction_target": target})
        path = devset / entry["file"]
        inputs.append(
            (
                entry,
                PipelineInput(
                    data_schema=schema,
                    config=config,
                    content=path.read_bytes(),
                    file_name=path.name,
                ),
            )
        )
    run_pipeline(inputs[0][1])
    times: list[float] = []
    one_page_pdf_times: list[float] = []
    pages = 0
    started = time.perf_counter()
    for entry, job_input in inputs:
        begin = time.perf_counter()
        run_pipeline(job_input)
        elapsed = time.perf_counter() - begin
        times.append(elapsed)
        pages += entry["page_count"]
        if entry["format"] == "pdf" and entry["page_count"] == 1:
            one_page_pdf_times.append(elapsed)
    wall = time.perf_counter() - started
    return {
        "documents": len(times),
        "pages": pages,
        "wall": wall,
        "p50": pct(times, 50),
        "p95": pct(times, 95),
        "one_page_p50": pct(one_page_pdf_times, 50),
        "one_page_p95": pct(one_page_pdf_times, 95),
        "one_page_n": len(one_page_pdf_times),
    }


def sandbox_cost(pdf: Path, schema: dict, rounds: int) -> dict[str, float]:
    """Interleaved rounds of the 1-page pipeline: direct, in a child forked for the job, in
    a kept child (how workers run jobs), and an empty job in a forked and in a kept child."""
    import functools

    from extraction.pipeline.config import ExtractConfig
    from extraction.pipeline.engines.registry import ModelRegistry
    from extraction.pipeline.run import PipelineInput, run_pipeline
    from extraction.tasks import _pipeline_in_child
    from extraction.worker.sandbox import Sandbox, SandboxLimits, run_in_sandbox

    job_input = PipelineInput(
        data_schema=schema,
        config=ExtractConfig.from_dict(JOB_CONFIG),
        content=pdf.read_bytes(),
        file_name=pdf.name,
    )
    job = functools.partial(_pipeline_in_child, job_input, ModelRegistry())
    limits = SandboxLimits()
    handlers = {
        "progress": lambda done, total: None,
        "should_cancel": lambda: False,
        "cache_lookup": lambda key: None,
        "cache_store": lambda key, data, metadata: None,
    }
    times: dict[str, list[float]] = {
        "direct": [],
        "forked": [],
        "kept": [],
        "empty_forked": [],
        "empty_kept": [],
    }
    kept = Sandbox()
    runs = {
        "direct": lambda: run_pipeline(job_input),
        "forked": lambda: run_in_sandbox(job, limits=limits, handlers=handlers),
        "kept": lambda: kept.run(job, limits=limits, handlers=handlers),
        "empty_forked": lambda: run_in_sandbox(_nothing, limits=limits, handlers={}),
        "empty_kept": lambda: kept.run(_nothing, limits=limits, handlers={}),
    }
    try:
        for run in runs.values():
            run()
        for _ in range(rounds):
            for name, run in runs.items():
                begin = time.perf_counter()
                run()
                times[name].append(time.perf_counter() - begin)
    finally:
        kept.close()
    return {name: median(values) for name, values in times.items()}


def _nothing(parent: Any) -> None:
    return None


# --- 3: through the product ------------------------------------------------------------------


def queue_floor(stack: Stack, rounds: int) -> list[float]:
    floor = QueueFloor(stack.redis_url)
    try:
        for _ in range(5):
            floor.round_trip()
        samples = [floor.round_trip() for _ in range(rounds)]
    finally:
        floor.close()
    return [s for s in samples if s is not None]


def latency(stack: Stack, content: bytes, mime: str, schema: dict, rounds: int) -> dict[str, Any]:
    """One job at a time: client submit-to-SUCCESS and the job's created_at -> finished_at."""
    client = stack.client()
    ids: list[str] = []
    client_seconds: list[float] = []
    submit_seconds: list[float] = []
    for index in range(rounds + 3):
        begin = time.perf_counter()
        job_id = client.submit_file(content, mime, schema, JOB_CONFIG)
        submitted = time.perf_counter()
        while (status := client.job_status(job_id)) not in TERMINAL:
            time.sleep(POLL_SECONDS)
        if status != "SUCCESS":
            raise RuntimeError(f"job {job_id} ended {status}")
        if index >= 3:  # warm-up: imports and first connections in each worker
            client_seconds.append(time.perf_counter() - begin)
            submit_seconds.append(submitted - begin)
            ids.append(job_id)
    client.close()
    with stack.db() as conn:
        rows = job_rows(conn, ids)
    server = [(r["finished_at"] - r["created_at"]).total_seconds() for r in rows.values()]
    queued = [(r["started_at"] - r["created_at"]).total_seconds() for r in rows.values()]
    running = [(r["finished_at"] - r["started_at"]).total_seconds() for r in rows.values()]
    return {
        "client": client_seconds,
        "server": server,
        "submit": submit_seconds,
        "queued": queued,
        "running": running,
    }


def sustained(
    stack: Stack,
    content: bytes,
    mime: str,
    schema: dict,
    seconds: float,
    *,
    warmup: float = 4.0,
    backlog: int = 16,
    submitters: int = 2,
) -> dict[str, Any]:
    """Keep ``backlog`` jobs waiting; count the jobs finished inside the measured window."""
    ids: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    finished = [0]
    errors: list[str] = []
    with stack.db() as conn:
        baseline = conn.execute(
            "SELECT count(*) FROM extraction_extractionjob WHERE finished_at IS NOT NULL"
        ).fetchone()[0]

    def monitor() -> None:
        with stack.db() as conn:
            while not stop.is_set():
                finished[0] = (
                    conn.execute(
                        "SELECT count(*) FROM extraction_extractionjob "
                        "WHERE finished_at IS NOT NULL"
                    ).fetchone()[0]
                    - baseline
                )
                time.sleep(0.05)

    def submitter() -> None:
        client = stack.client()
        try:
            while not stop.is_set():
                with lock:
                    waiting = len(ids) - finished[0]
                if waiting >= backlog:
                    time.sleep(0.005)
                    continue
                job_id = client.submit_file(content, mime, schema, JOB_CONFIG)
                with lock:
                    ids.append(job_id)
        except Exception as exc:
            errors.append(str(exc))
        finally:
            client.close()

    threads = [threading.Thread(target=monitor, daemon=True)] + [
        threading.Thread(target=submitter, daemon=True) for _ in range(submitters)
    ]
    started = time.time()
    for thread in threads:
        thread.start()
    time.sleep(warmup)
    cpu_before = stack_cpu(stack)
    time.sleep(seconds)
    cpu_after = stack_cpu(stack)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    window = (started + warmup, started + warmup + seconds)
    deadline = time.monotonic() + 120
    with stack.db() as conn:
        while True:  # let the backlog drain so the next measurement starts clean
            rows = job_rows(conn, ids)
            if (
                all(row["status"] in TERMINAL for row in rows.values())
                or time.monotonic() > deadline
            ):
                break
            time.sleep(0.2)
    inside = [
        row
        for row in rows.values()
        if row["finished_at"] is not None
        and window[0] <= row["finished_at"].timestamp() < window[1]
    ]
    failed = [row for row in rows.values() if row["status"] != "SUCCESS"]
    cpu_ms = {
        name: 1000 * seconds / max(len(inside), 1)
        for name, seconds in cpu_used(cpu_before, cpu_after).items()
    }
    return {
        "cpu_ms": cpu_ms,
        "per_second": len(inside) / seconds,
        "finished_in_window": len(inside),
        "submitted": len(ids),
        "failed": len(failed) + len(errors),
        "errors": errors[:3] + [row["error"] for row in failed[:3]],
    }


def drain(
    stack: Stack, content: bytes, mime: str, schema: dict, jobs: int, consumers: list[str]
) -> dict[str, Any]:
    """Worker throughput alone: queue ``jobs`` while no worker consumes, then let
    ``consumers`` drain them; the API and the client are idle meanwhile. Also the share of
    both cores that the whole machine kept busy."""
    for name in stack.workers:
        set_consuming(stack, name, False)
    ids: list[str] = []
    lock = threading.Lock()

    def submit(count: int) -> None:
        client = stack.client()
        try:
            for _ in range(count):
                job_id = client.submit_file(content, mime, schema, JOB_CONFIG)
                with lock:
                    ids.append(job_id)
        finally:
            client.close()

    threads = [threading.Thread(target=submit, args=(jobs // 2 + jobs % 2 * i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cpu_before = stack_cpu(stack)
    busy_before = machine_busy()
    for name in consumers:
        set_consuming(stack, name, True)
    deadline = time.monotonic() + 300
    with stack.db() as conn:
        # A cheap count while the workers drain, so this process takes little of the CPU.
        while conn.execute(
            "SELECT count(*) FROM extraction_extractionjob "
            "WHERE id = ANY(%s::uuid[]) AND finished_at IS NULL",
            [ids],
        ).fetchone()[0]:
            if time.monotonic() > deadline:
                raise RuntimeError("the backlog did not drain within 300 s")
            time.sleep(0.25)
        cpu_after = stack_cpu(stack)
        busy_after = machine_busy()
        rows = job_rows(conn, ids)
    for name in stack.workers:
        set_consuming(stack, name, True)
    # The steady state: from the 10th to the 90th percentile of finish times, so the workers'
    # staggered start (one remote-control call after another) and the tail don't count.
    finishes = sorted(row["finished_at"].timestamp() for row in rows.values() if row["finished_at"])
    low, high = round(0.1 * (len(finishes) - 1)), round(0.9 * (len(finishes) - 1))
    failed = [row for row in rows.values() if row["status"] != "SUCCESS"]
    return {
        "per_second": (high - low) / (finishes[high] - finishes[low]),
        "busy": (busy_after[0] - busy_before[0]) / (busy_after[1] - busy_before[1]),
        "jobs": len(rows),
        "failed": len(failed),
        "cpu_ms": {
            name: 1000 * seconds / max(len(rows), 1)
            for name, seconds in cpu_used(cpu_before, cpu_after).items()
        },
    }


def set_consuming(stack: Stack, name: str, consuming: bool) -> None:
    """Make worker ``name`` stop or resume taking jobs (Celery remote control, no restart)."""
    floor = QueueFloor(stack.redis_url)
    hostname = stack.workers[name].hostname
    try:
        for queue in QUEUES.split(","):
            if consuming:
                floor.app.control.add_consumer(queue, destination=[hostname], reply=True)
            else:
                floor.app.control.cancel_consumer(queue, destination=[hostname], reply=True)
    finally:
        floor.close()


def profile_worker(stack: Stack, content: bytes, mime: str, schema: dict, out: Path) -> None:
    """py-spy on one worker process group (worker + its sandbox child) during a 20 s load."""
    worker = next(iter(stack.workers.values()))
    spy = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "py-spy"),
            "record",
            "--pid",
            str(worker.pid),
            "--subprocesses",
            "--duration",
            "20",
            "--rate",
            "200",
            "--format",
            "raw",
            "--output",
            str(out),
            "--nonblocking",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    time.sleep(1.0)
    sustained(stack, content, mime, schema, 20.0, warmup=0.0)
    output = spy.communicate(timeout=60)[0].decode(errors="replace")
    print(f"\npy-spy: {output.strip().splitlines()[-1] if output.strip() else ''} -> {out}")
    summarize_profile(out)


# Where a worker's samples go: the first label (from the leaf up) whose marker is in a frame.
PROFILE_CATEGORIES = [
    ("child: PDF parsing (load_document, pages)", ("load_document", "PdfPages", "Document.page")),
    ("child: local engine", ("LocalEngine.extract",)),
    ("child: schema coercion + validation", ("_finalize",)),
    ("child: rest of run_pipeline", ("run_pipeline",)),
    ("child: job hand-over, pickling, limits", ("_child_main", "_run_job")),
    ("parent: job_start (claim row)", ("job_start",)),
    ("parent: job_complete (write results)", ("job_complete",)),
    ("parent: progress + heartbeat", ("job_record_progress", "job_record_heartbeat")),
    ("parent: cancel checks", ("job_is_cancelled",)),
    ("parent: result cache lookup/store", ("cache_lookup", "ProjectResultCache")),
    ("parent: read file, build input", ("pipeline_input_for",)),
    ("parent: pipeline warm-up", ("warm_up_pipeline",)),
    ("parent: sandbox hand-over, poll, receive", ("_serve (", "_hand_over", "_start (")),
    ("parent: rest of extract_job", ("extract_job",)),
    ("celery/kombu: messages, pool", ("celery", "kombu", "billiard")),
]


def summarize_profile(path: Path) -> None:
    """Samples per category from a py-spy ``raw`` (collapsed) file of one worker group."""
    import collections

    counts: collections.Counter[str] = collections.Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples = int(count)
        total += samples
        frames = stack.split(";")[1:]
        label = "other"
        for frame in reversed(frames):
            match = next(
                (name for name, markers in PROFILE_CATEGORIES if any(m in frame for m in markers)),
                None,
            )
            if match:
                label = match
                break
        counts[label] += samples
    order = [name for name, _ in PROFILE_CATEGORIES] + ["other"]
    rows = [[name, counts[name], f"{100 * counts[name] / max(total, 1):.1f}%"] for name in order]
    print_table(
        f"py-spy on one worker (+ sandbox children it caught): {total} non-idle samples",
        ["where", "samples", "share"],
        [row for row in rows if row[1]],
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="sustained window, 2 workers")
    parser.add_argument("--scale-seconds", type=float, default=10.0, help="scale-out windows")
    parser.add_argument("--scale-pairs", type=int, default=3, help="(2 workers, 1 worker) pairs")
    parser.add_argument("--rounds", type=int, default=40, help="sequential latency jobs")
    parser.add_argument(
        "--drain-jobs", type=int, default=400, help="1-page backlog per drain (3-page: half)"
    )
    parser.add_argument("--devset", type=Path, help="a generated devset, seed 7")
    parser.add_argument("--profile", type=Path, nargs="?", const=Path("/tmp/oe-worker.pyspy"))
    parser.add_argument("--skip-pipeline", action="store_true")
    args = parser.parse_args(argv)
    ensure_tools()
    print(f"machine: {machine_summary()}")
    with tempfile.TemporaryDirectory(prefix="oe-bench-") as tmp:
        workdir = Path(tmp)
        devset = args.devset or generate_devset(workdir / "devset")
        setup_django(workdir / "local-data")
        pdf, schema = one_page_pdf(devset)
        content, mime = encode_file(pdf)
        statement, statement_schema = first_pdf(devset, doc_type="bank_statement", pages=3)
        longer = (*encode_file(statement), statement_schema)

        rows: list[list[Any]] = []
        if not args.skip_pipeline:
            facts = pipeline_devset(devset)
            rows.append(
                [
                    f"pipeline only, {facts['documents']} devset docs ({facts['pages']} pages)",
                    f"{facts['documents'] / facts['wall']:.1f} docs/s",
                    f"{facts['p50'] * 1000:.1f}",
                    f"{facts['p95'] * 1000:.1f}",
                ]
            )
            rows.append(
                [
                    f"pipeline only, the {facts['one_page_n']} one-page PDFs",
                    "",
                    f"{facts['one_page_p50'] * 1000:.1f}",
                    f"{facts['one_page_p95'] * 1000:.1f}",
                ]
            )
            print_table("local engine, pipeline only", ["what", "rate", "p50 ms", "p95 ms"], rows)
        cost = sandbox_cost(pdf, schema, rounds=20)
        print_table(
            f"sandbox cost, {pdf.name} (medians of 20 interleaved rounds)",
            ["what", "ms"],
            [
                ["pipeline, direct", cost["direct"] * 1000],
                ["pipeline in a child forked for the job", cost["forked"] * 1000],
                ["pipeline in a kept child (pickle + pipe; what workers do)", cost["kept"] * 1000],
                ["empty job, forked child", cost["empty_forked"] * 1000],
                ["empty job, kept child", cost["empty_kept"] * 1000],
                ["forked / direct", f"{cost['forked'] / cost['direct']:.2f}x"],
                ["kept / direct", f"{cost['kept'] / cost['direct']:.2f}x"],
            ],
        )

        with Stack(workdir / "stack") as stack:
            stack.start_worker("worker-a", beat=True)
            stack.start_worker("worker-b")
            stack.wait_workers_ready(["worker-a", "worker-b"])
            floor = queue_floor(stack, rounds=100)
            lat = latency(stack, content, mime, schema, args.rounds)
            two = sustained(stack, content, mime, schema, args.seconds)
            if args.profile:
                profile_worker(stack, content, mime, schema, args.profile)
            # Scale-out: worker-b stops consuming (remote control) and starts again, in
            # alternating windows, so both sides see the same background load.
            pairs = []
            for _ in range(args.scale_pairs):
                both = sustained(stack, content, mime, schema, args.scale_seconds, warmup=2.0)
                set_consuming(stack, "worker-b", False)
                alone = sustained(stack, content, mime, schema, args.scale_seconds, warmup=3.0)
                set_consuming(stack, "worker-b", True)
                pairs.append((both, alone))
            one = {
                "per_second": median([alone["per_second"] for _, alone in pairs]),
                "finished_in_window": sum(alone["finished_in_window"] for _, alone in pairs),
                "failed": sum(alone["failed"] for _, alone in pairs),
                "errors": [],
            }
            two_pairs = {
                "per_second": median([both["per_second"] for both, _ in pairs]),
                "finished_in_window": sum(both["finished_in_window"] for both, _ in pairs),
                "failed": sum(both["failed"] for both, _ in pairs),
            }
            pair_ratios = [
                both["per_second"] / alone["per_second"]
                for both, alone in pairs
                if alone["per_second"]
            ]
            # Scale-out of the workers alone: drain a queued backlog with 2 workers, then 1,
            # of the 1-page PDF and of a 3-page statement (more work per job).
            drains: dict[str, list[tuple[dict, dict]]] = {"1-page": [], "3-page": []}
            for _ in range(args.scale_pairs):
                for label, (doc, doc_mime, doc_schema, jobs) in (
                    ("1-page", (content, mime, schema, args.drain_jobs)),
                    ("3-page", (*longer, args.drain_jobs // 2)),
                ):
                    drains[label].append(
                        (
                            drain(stack, doc, doc_mime, doc_schema, jobs, ["worker-a", "worker-b"]),
                            drain(stack, doc, doc_mime, doc_schema, jobs, ["worker-a"]),
                        )
                    )
            stack.stop_worker("worker-b")
            stack.stop_worker("worker-a")
            off = {"OPENEXTRACT_SANDBOX": "false"}
            stack.start_worker("nosandbox-a", beat=True, env=off)
            stack.start_worker("nosandbox-b", env=off)
            stack.wait_workers_ready(["nosandbox-a", "nosandbox-b"])
            lat_off = latency(stack, content, mime, schema, args.rounds)
            two_off = sustained(stack, content, mime, schema, args.scale_seconds)

        def lat_row(label: str, values: list[float], target: str = "") -> list[Any]:
            return [label, pct(values, 50) * 1000, pct(values, 95) * 1000, target]

        def rate_row(label: str, window: float, result: dict, target: str = "") -> list[Any]:
            return [
                label,
                window,
                result["per_second"],
                result["finished_in_window"],
                result["failed"],
                target,
            ]

        def ratio(a: float, b: float, digits: int = 2) -> str:
            return f"{a / b:.{digits}f}x" if b else "-"

        print_table(
            f"through the product: {pdf.name} (1 page), local engine, "
            f"{args.rounds} sequential jobs",
            ["measure", "p50 ms", "p95 ms", "target"],
            [
                lat_row("queue floor: no-op Celery task round trip", floor),
                lat_row("job created_at -> finished_at (sandbox on)", lat["server"], "p50 < 150"),
                lat_row("  of which queued (created -> started)", lat["queued"]),
                lat_row("  of which running (started -> finished)", lat["running"]),
                lat_row(
                    "client POST -> GET says SUCCESS (10 ms polls)", lat["client"], "p50 < 150"
                ),
                lat_row("  of which the POST itself", lat["submit"]),
                lat_row("job created_at -> finished_at (sandbox off)", lat_off["server"]),
                lat_row("client POST -> SUCCESS (sandbox off)", lat_off["client"]),
            ],
        )
        print_table(
            "sustained throughput, 1-page PDFs (worker processes with --concurrency 1)",
            ["setup", "window s", "docs/s", "finished", "failed", "target"],
            [
                rate_row("2 workers, sandbox on", args.seconds, two, ">= 30/s"),
                rate_row(
                    f"2 workers, alternating windows (median of {args.scale_pairs})",
                    args.scale_seconds,
                    two_pairs,
                ),
                rate_row(
                    f"1 worker, alternating windows (median of {args.scale_pairs})",
                    args.scale_seconds,
                    one,
                ),
                rate_row("2 workers, sandbox off", args.scale_seconds, two_off),
            ],
        )
        components = ["gunicorn", "workers", "postgres", "redis"]
        cpu_rows = []
        for label, result in (("2 workers, sandbox on", two), ("2 workers, sandbox off", two_off)):
            total = sum(result["cpu_ms"].values())
            cpu_rows.append(
                [label, *(result["cpu_ms"][c] for c in components), total, 2000 / total]
            )
        print_table(
            "CPU per document during the sustained window (ms; all processes of the stack)",
            ["setup", *components, "total", "docs/s on 2 idle cores"],
            cpu_rows,
        )
        drain_ratios = {
            label: [two_w["per_second"] / one_w["per_second"] for two_w, one_w in pairs_of]
            for label, pairs_of in drains.items()
        }
        drain_rows = []
        for label, pairs_of in drains.items():
            for workers, index in (("2 workers", 0), ("1 worker", 1)):
                runs = [pair[index] for pair in pairs_of]
                cpu = {name: median([r["cpu_ms"][name] for r in runs]) for name in components}
                drain_rows.append(
                    [
                        label,
                        workers,
                        runs[0]["jobs"],
                        median([r["per_second"] for r in runs]),
                        sum(r["failed"] for r in runs),
                        f"{100 * median([r['busy'] for r in runs]):.0f}%",
                        cpu["workers"],
                        cpu["redis"],
                    ]
                )
        print_table(
            f"workers alone: drain a queued backlog (median of {args.scale_pairs}; "
            f"1-page {pdf.name}, 3-page {statement.name})",
            [
                "document",
                "workers",
                "jobs",
                "docs/s",
                "failed",
                "machine busy",
                "workers ms/doc",
                "redis ms/doc",
            ],
            drain_rows,
        )

        def ratios_text(values: list[float]) -> str:
            return f"{median(values):.2f}x (" + ", ".join(f"{r:.2f}" for r in values) + ")"

        print_table(
            "ratios (same run)",
            ["ratio", "value", "target"],
            [
                [
                    "2 workers / 1 worker, draining 1-page PDFs (median of pair ratios)",
                    ratios_text(drain_ratios["1-page"]),
                    ">= 1.7x",
                ],
                [
                    "2 workers / 1 worker, draining 3-page statements",
                    ratios_text(drain_ratios["3-page"]),
                    ">= 1.7x",
                ],
                [
                    "2 workers / 1 worker, 1-page PDFs with the API under load too",
                    ratios_text(pair_ratios),
                    "",
                ],
                ["job p50 / queue floor p50", ratio(pct(lat["server"], 50), pct(floor, 50), 1), ""],
                [
                    "job p50 sandbox on / off",
                    ratio(pct(lat["server"], 50), pct(lat_off["server"], 50)),
                    "",
                ],
                [
                    "throughput sandbox off / on (2 workers)",
                    ratio(two_off["per_second"], two["per_second"]),
                    "",
                ],
            ],
        )
        for label, result in (("2 workers", two), ("1 worker", one), ("no sandbox", two_off)):
            if result["errors"]:
                print(f"errors ({label}): {result['errors']}")
        print(f"\nmachine after: {machine_summary()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
