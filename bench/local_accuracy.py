"""Local engine accuracy (and speed) on the development set, end to end through the pipeline.

    .venv/bin/python bench/local_accuracy.py                   # seeds 7 and 11, per-type table
    .venv/bin/python bench/local_accuracy.py --seeds 7 -v      # + per-field accuracy
    .venv/bin/python bench/local_accuracy.py --large           # + the 1,000-page speed run

Every devset document goes through ``run_pipeline`` with ``{"extract_model": "local"}`` and
the document's extraction target; outputs are scored with the devset's ``score.py``. The speed
run extracts ``perf_invoice_batch_1000p.pdf`` with ``PER_TABLE_ROW`` (one object per invoice
line) in a child process and reports pages/s and peak memory (ru_maxrss).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

SHARED = Path(os.environ.get("OPENEXTRACT_SHARED_DIR", ROOT.parent / "shared"))
DEVSET = SHARED / "devset"

LINE_ROW_SCHEMA = {
    "type": "object",
    "properties": {
        "description": {"type": "string", "description": "Item or service description."},
        "quantity": {"type": "number", "description": "Quantity."},
        "unit_price": {"type": "number", "description": "Price per unit."},
        "amount": {"type": "number", "description": "Line total."},
    },
    "required": ["description", "quantity", "unit_price", "amount"],
}


def load_scorer() -> Any:
    """The devset's score.py as a module."""
    spec = importlib.util.spec_from_file_location("devset_score", DEVSET / "score.py")
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["devset_score"] = module
    spec.loader.exec_module(module)
    return module


def generate(out: Path, seed: int, *, large: bool = False) -> None:
    """Write the devset for ``seed`` into ``out``."""
    command = [sys.executable, str(DEVSET / "generate.py"), "--out", str(out), "--seed", str(seed)]
    if large:
        command.append("--large")
    subprocess.run(command, check=True, capture_output=True)


def extract(path: Path, schema: dict[str, Any], target: str) -> Any:
    """One document through the real pipeline with the local engine; returns the data."""
    import django

    django.setup()
    from extraction.pipeline.config import ExtractConfig
    from extraction.pipeline.run import PipelineInput, run_pipeline

    config = ExtractConfig.from_dict({"extract_model": "local", "extraction_target": target})
    outcome = run_pipeline(
        PipelineInput(
            data_schema=schema, config=config, content=path.read_bytes(), file_name=path.name
        )
    )
    return outcome.data


def run_devset(devset: Path, outputs: Path) -> dict[str, Any]:
    """Extract every devset document into ``outputs``; returns row-count and timing facts."""
    manifest = json.loads((devset / "manifest.json").read_text())
    rows_total = rows_right = 0
    started = time.perf_counter()
    for entry in manifest["documents"]:
        schema = json.loads((devset / "schemas" / entry["schema"]).read_text())
        target = "PER_TABLE_ROW" if entry["mode"] == "PER_TABLE_ROW" else "PER_DOC"
        data = extract(devset / entry["file"], schema, target)
        (outputs / f"{entry['doc_id']}.json").write_text(json.dumps(data, ensure_ascii=False))
        if target == "PER_TABLE_ROW":
            expected = json.loads((devset / f"{entry['doc_id']}.expected.json").read_text())
            rows_total += 1
            rows_right += int(isinstance(data, list) and len(data) == len(expected))
    return {
        "documents": len(manifest["documents"]),
        "seconds": time.perf_counter() - started,
        "row_docs": rows_total,
        "row_count_right": rows_right,
    }


def accuracy(seed: int, devset_dir: Path | None, verbose: bool) -> dict[str, Any]:
    """Generate (unless given), extract and score one seed; prints its report."""
    scorer = load_scorer()
    with tempfile.TemporaryDirectory() as tmp:
        devset = devset_dir or Path(tmp) / "devset"
        if devset_dir is None:
            generate(devset, seed)
        outputs = Path(tmp) / "outputs"
        outputs.mkdir()
        facts = run_devset(devset, outputs)
        report = scorer.score_dirs(str(devset), str(outputs))
    print(f"\n== seed {seed}: {facts['documents']} documents in {facts['seconds']:.1f} s")
    scorer.print_report(report, verbose=verbose)
    rows = facts["row_count_right"] / max(facts["row_docs"], 1)
    print(
        f"PER_TABLE_ROW row count right: {facts['row_count_right']}/{facts['row_docs']} "
        f"({rows:.0%})"
    )
    return {
        "seed": seed,
        "overall": report.overall.acc,
        "by_type": {name: tally.acc for name, tally in sorted(report.by_type.items())},
        "rows_right": rows,
    }


def speed_child(pdf: str) -> None:
    """Child process: extract the batch PDF with PER_TABLE_ROW and print one JSON line."""
    started = time.perf_counter()
    data = extract(Path(pdf), LINE_ROW_SCHEMA, "PER_TABLE_ROW")
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "rows": len(data), "peak_mb": peak_mb}))


def speed() -> None:
    """Generate the large devset and time the 1,000-page PER_TABLE_ROW extraction."""
    with tempfile.TemporaryDirectory() as tmp:
        devset = Path(tmp) / "devset"
        generate(devset, 7, large=True)
        pdf = devset / "perf_invoice_batch_1000p.pdf"
        done = subprocess.run(
            [sys.executable, __file__, "--speed-child", str(pdf)],
            check=True,
            capture_output=True,
            text=True,
        )
        facts = json.loads(done.stdout.strip().splitlines()[-1])
    pages = 1000
    print("\n== speed: perf_invoice_batch_1000p.pdf, PER_TABLE_ROW, end to end")
    print(f"{'pages':>6} {'seconds':>8} {'pages/s':>8} {'rows':>7} {'peak MB':>8}")
    print(
        f"{pages:>6} {facts['seconds']:>8.1f} {pages / facts['seconds']:>8.1f} "
        f"{facts['rows']:>7} {facts['peak_mb']:>8.0f}"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the seeds (and the speed run with ``--large``); prints the tables, returns 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[7, 11])
    parser.add_argument("--devset", type=Path, help="use an already generated devset (one seed)")
    parser.add_argument("--large", action="store_true", help="also run the 1,000-page speed run")
    parser.add_argument("-v", "--verbose", action="store_true", help="per-field accuracy")
    parser.add_argument("--speed-child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.speed_child:
        speed_child(args.speed_child)
        return 0
    results = [accuracy(seed, args.devset, args.verbose) for seed in args.seeds]
    types = sorted({name for result in results for name in result["by_type"]})
    print("\n== local engine field accuracy")
    print(f"{'type':<18}" + "".join(f"{'seed ' + str(r['seed']):>10}" for r in results))
    for name in types:
        cells = "".join(f"{r['by_type'].get(name, 0.0):>10.3f}" for r in results)
        print(f"{name:<18}{cells}")
    print(f"{'overall':<18}" + "".join(f"{r['overall']:>10.3f}" for r in results))
    print(f"{'row counts right':<18}" + "".join(f"{r['rows_right']:>10.0%}" for r in results))
    if args.large:
        speed()
    return 0


if __name__ == "__main__":
    sys.exit(main())
