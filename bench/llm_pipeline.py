"""Benchmark: the devset through the LLM pipeline against a scripted endpoint that answers at once.

    .venv/bin/python bench/llm_pipeline.py [--devset DIR] [--limit N]

Per document it reports the model calls, the prompt tokens per page next to the page's own
text tokens, and the pipeline's overhead per page with the model's time taken out. The
scripted model (``tests/llm/oracle.py``) answers every chunk with that chunk's ground truth.

Tokens are counted the same way on both sides (words and punctuation, ``fake_openai``), so
the ratio is exact for this counter. The fixed cost per call is measured once per schema: the
prompt of a call whose document text is empty (instructions, schema, delimiters). Targets:
``(prompt tokens - calls x fixed) / text tokens <= 1.3`` and overhead < 20 ms per page.
Chunks run one at a time here (per-job concurrency 1) so that overhead = wall time - time
the server spent answering.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extraction.pipeline.chunking import PageText  # noqa: E402
from extraction.pipeline.config import ExtractConfig, ExtractionTarget  # noqa: E402
from extraction.pipeline.documents import load_document  # noqa: E402
from extraction.pipeline.engines.openai import prompts  # noqa: E402
from extraction.pipeline.run import PipelineInput, run_pipeline  # noqa: E402
from extraction.pipeline.schemas import load_schema  # noqa: E402
from tests.llm.fake_openai import FakeOpenAI, completion, count_tokens  # noqa: E402
from tests.llm.helpers import endpoint, registry  # noqa: E402
from tests.llm.oracle import DevsetOracle  # noqa: E402

SHARED = ROOT.parent / "shared"


def fixed_cost(schema: dict, target: ExtractionTarget) -> int:
    """Prompt tokens of a call with an empty page: instructions, schema and delimiters."""
    system = prompts.system_message(
        user_schema=schema,
        target=target,
        system_prompt=None,
        use_reasoning=False,
        response_schema=None,
    )
    user = prompts.user_message([PageText(1, "")], [])
    return count_tokens({"messages": [{"content": system}, user]})


class Dispatch:
    """One server for the whole run (the SDK client is reused, as in a worker)."""

    def __init__(self) -> None:
        self.oracle: DevsetOracle | None = None

    def __call__(self, request: dict):
        assert self.oracle is not None
        return self.oracle(request)


def parse_seconds(content: bytes, file_name: str) -> tuple[float, float, int]:
    """Time the documents step alone (load + every page's text): wall and CPU seconds, and
    the text tokens."""
    started, cpu_started = time.perf_counter(), time.thread_time()
    document = load_document(content, file_name=file_name)
    texts = [page.text for page in document.pages]
    seconds, cpu = time.perf_counter() - started, time.thread_time() - cpu_started
    return seconds, cpu, sum(count_tokens({"messages": [{"content": text}]}) for text in texts)


def sdk_floor_ms(server: FakeOpenAI, dispatch: Dispatch, calls: int = 30) -> float:
    """Median client-side cost of one bare SDK call (the same client) beyond the server's
    time: the part of the overhead the pipeline cannot remove."""
    from extraction.pipeline.engines.openai.client import client_for

    client = client_for(endpoint(server.base_url))
    saved = dispatch.oracle
    dispatch.oracle = lambda request: completion({"data": {}, "quotes": []})  # type: ignore[assignment]
    costs = []
    for _ in range(calls):
        server.handle_seconds.clear()
        started = time.perf_counter()
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}])
        costs.append((time.perf_counter() - started - sum(server.handle_seconds)) * 1000)
    dispatch.oracle = saved
    return statistics.median(costs)


def run_document(devset: Path, entry: dict, server: FakeOpenAI, dispatch: Dispatch) -> dict:
    doc_id = entry["doc_id"]
    schema = json.loads((devset / "schemas" / entry["schema"]).read_text())
    target = "PER_TABLE_ROW" if entry["mode"] == "PER_TABLE_ROW" else "PER_DOC"
    content = (devset / entry["file"]).read_bytes()
    parse, parse_cpu, text_tokens = parse_seconds(content, entry["file"])
    dispatch.oracle = DevsetOracle(devset, doc_id)
    job = PipelineInput(
        data_schema=schema,
        config=ExtractConfig.from_dict({"extraction_target": target}),
        content=content,
        file_name=entry["file"],
    )
    models = registry(server.base_url, max_concurrency_per_job=1)
    server.handle_seconds.clear()
    started, cpu_started = time.perf_counter(), time.thread_time()
    outcome = run_pipeline(job, registry=models)
    wall, cpu = time.perf_counter() - started, time.thread_time() - cpu_started
    pages = outcome.pages_total
    calls = outcome.metadata["usage"]["num_model_calls"]
    prompt = outcome.metadata["usage"]["num_document_tokens"]
    fixed = fixed_cost(load_schema(schema), ExtractionTarget(target))
    model_seconds = sum(server.handle_seconds)
    return {
        "doc": doc_id,
        "target": target,
        "pages": pages,
        "calls": calls,
        "prompt_per_page": prompt / pages,
        "text_per_page": text_tokens / pages,
        "fixed": fixed,
        "ratio": (prompt - calls * fixed) / max(text_tokens, 1),
        "overhead_ms_per_page": (wall - model_seconds) * 1000 / pages,
        "parse_ms_per_page": parse * 1000 / pages,
        "own_ms_per_page": (wall - model_seconds - parse) * 1000 / pages,
        # CPU of the calling thread (chunks run inline here): load-robust, no waiting counted.
        "cpu_ms_per_page": cpu * 1000 / pages,
        "cpu_own_ms_per_page": (cpu - parse_cpu) * 1000 / pages,
        "model_ms_per_page": model_seconds * 1000 / pages,
        "status": outcome.status,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--devset", type=Path, help="a generated devset (default: generate one)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N documents")
    parser.add_argument("--repeat", type=int, default=3, help="runs per document (median kept)")
    args = parser.parse_args()
    devset = args.devset
    if devset is None:
        devset = Path(tempfile.mkdtemp(prefix="devset-"))
        generator = SHARED / "devset" / "generate.py"
        subprocess.run(
            [sys.executable, str(generator), "--out", str(devset)], check=True, capture_output=True
        )
    entries = json.loads((devset / "manifest.json").read_text())["documents"]
    if args.limit:
        entries = entries[: args.limit]
    dispatch = Dispatch()
    with FakeOpenAI(dispatch) as server:
        run_document(devset, entries[0], server, dispatch)  # warm-up: SDK import, client, loaders
        rows = []
        for entry in entries:
            runs = [run_document(devset, entry, server, dispatch) for _ in range(args.repeat)]
            row = runs[0]
            for key in (
                "overhead_ms_per_page",
                "parse_ms_per_page",
                "own_ms_per_page",
                "cpu_ms_per_page",
                "cpu_own_ms_per_page",
            ):
                row[key] = statistics.median(run[key] for run in runs)
            rows.append(row)
        floor = sdk_floor_ms(server, dispatch)

    columns = (
        f"{'document':22} {'target':13} {'pages':>5} {'calls':>5} {'prompt/pg':>9} "
        f"{'text/pg':>7} {'fixed':>5} {'ratio':>5} {'ovh/pg':>7} {'parse/pg':>8} {'own/pg':>7} "
        f"{'model/pg':>8} {'cpu/pg':>6} {'cpu own':>7}"
    )
    print(columns)
    print("-" * len(columns))
    for r in rows:
        print(
            f"{r['doc']:22} {r['target']:13} {r['pages']:5d} {r['calls']:5d} "
            f"{r['prompt_per_page']:9.0f} {r['text_per_page']:7.0f} {r['fixed']:5d} "
            f"{r['ratio']:5.2f} {r['overhead_ms_per_page']:7.1f} {r['parse_ms_per_page']:8.1f} "
            f"{r['own_ms_per_page']:7.1f} {r['model_ms_per_page']:8.1f} "
            f"{r['cpu_ms_per_page']:6.1f} {r['cpu_own_ms_per_page']:7.1f}"
        )
    print(
        "(ms per page; ovh = wall - model; own = ovh - documents step; cpu = CPU of the "
        "pipeline thread; cpu own = cpu - documents step)"
    )
    ratios = [r["ratio"] for r in rows]
    pages = sum(r["pages"] for r in rows)
    print()
    prompt_total = sum(r["prompt_per_page"] * r["pages"] for r in rows)
    print(
        f"documents: {len(rows)}, pages: {pages}, calls: {sum(r['calls'] for r in rows)}, "
        f"prompt tokens: {prompt_total:.0f} ({prompt_total / pages:.0f} per page)"
    )
    print(
        "ratio (prompt tokens beyond the fixed cost / page text tokens): "
        f"median {statistics.median(ratios):.3f}, max {max(ratios):.3f}; "
        f"within 1.3x: {sum(x <= 1.3 for x in ratios)}/{len(ratios)}"
    )
    fixed = statistics.median(r["fixed"] for r in rows)
    per_page = statistics.median(r["calls"] / r["pages"] for r in rows)
    print(f"fixed cost per call: median {fixed:.0f} tokens; calls per page: median {per_page:.2f}")
    for key, label in (
        ("overhead_ms_per_page", "overhead (wall - model)"),
        ("own_ms_per_page", "overhead without the documents step"),
        ("cpu_ms_per_page", "pipeline thread CPU"),
        ("cpu_own_ms_per_page", "pipeline thread CPU without the documents step"),
    ):
        values = sorted(r[key] for r in rows)
        p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
        print(
            f"{label} per page: median {statistics.median(values):.1f} ms, p95 {p95:.1f} ms, "
            f"max {values[-1]:.1f} ms; under 20 ms: {sum(v < 20 for v in values)}/{len(values)}"
        )
    print(f"one bare SDK call beyond the server's time (same client): median {floor:.1f} ms")
    print(f"statuses: {sorted({r['status'] for r in rows})}")


if __name__ == "__main__":
    main()
