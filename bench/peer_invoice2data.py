"""Peer side by side: invoice2data (regex templates) vs. our local engine on the devset invoices.

    .venv/bin/python bench/peer_invoice2data.py [--devset DIR] [--rounds 3]

invoice2data (``pip install invoice2data``, in the ``bench`` extra) needs a YAML template per
issuer; it ships ~230 for real-world issuers. It runs here with its bundled templates, read once
(not per document), with its pypdfium2 text backend for PDFs and its text backend for TXT/HTML
(no pdftotext or OCR on this machine). We count the invoices it extracts anything from, and
time both tools on the same files in the same run (medians over ``--rounds``). Our engine runs
``run_pipeline`` with ``{"extract_model": "local"}``; its field accuracy is scored with the
devset's ``score.py``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    DEVSET,
    devset_entries,
    generate_devset,
    machine_summary,
    print_table,
)


def invoice2data_run(paths: list[Path], templates: list[Any]) -> tuple[float, int, int]:
    """(seconds, documents with any field extracted, documents whose text was read)."""
    from invoice2data import extract_data
    from invoice2data.input import pdfium, text

    extracted = read = 0
    started = time.perf_counter()
    for path in paths:
        module = pdfium if path.suffix == ".pdf" else text
        if module.to_text(str(path)).strip():
            read += 1
        result = extract_data(str(path), templates=templates, input_module=module)
        extracted += int(bool(result))
    return time.perf_counter() - started, extracted, read


def ours_run(entries: list[dict], devset: Path, outputs: Path) -> float:
    from extraction.pipeline.config import ExtractConfig
    from extraction.pipeline.run import PipelineInput, run_pipeline

    config = ExtractConfig.from_dict({"extract_model": "local"})
    started = time.perf_counter()
    for entry in entries:
        path = devset / entry["file"]
        schema = json.loads((devset / "schemas" / entry["schema"]).read_text())
        outcome = run_pipeline(
            PipelineInput(
                data_schema=schema, config=config, content=path.read_bytes(), file_name=path.name
            )
        )
        (outputs / f"{entry['doc_id']}.json").write_text(json.dumps(outcome.data))
    return time.perf_counter() - started


def score(devset: Path, entries: list[dict], outputs: Path) -> float:
    spec = importlib.util.spec_from_file_location("devset_score", DEVSET / "score.py")
    assert spec
    assert spec.loader
    scorer = importlib.util.module_from_spec(spec)
    sys.modules["devset_score"] = scorer
    spec.loader.exec_module(scorer)
    correct = total = 0
    for entry in entries:
        schema = json.loads((devset / "schemas" / entry["schema"]).read_text())
        expected = json.loads((devset / f"{entry['doc_id']}.expected.json").read_text())
        actual = json.loads((outputs / f"{entry['doc_id']}.json").read_text())
        leaves = scorer.score_document(schema, expected, actual, entry["mode"])
        correct += sum(ok for _, ok, _, _ in leaves)
        total += len(leaves)
    return correct / max(total, 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devset", type=Path, help="a generated devset (default: seed 7)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    try:
        import invoice2data  # noqa: F401
    except ImportError:
        print("invoice2data is not installed: .venv/bin/pip install -e '.[bench]'")
        return 1
    logging.getLogger("invoice2data").setLevel(logging.CRITICAL)
    print(f"machine: {machine_summary()}")
    with tempfile.TemporaryDirectory(prefix="oe-peer-") as tmp:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        os.environ["OPENEXTRACT_DATA_DIR"] = str(Path(tmp) / "data")
        import django

        django.setup()
        from invoice2data.extract.loader import read_templates

        devset = args.devset or generate_devset(Path(tmp) / "devset")
        entries = [e for e in devset_entries(devset) if e["doc_type"] == "invoice"]
        paths = [devset / e["file"] for e in entries]
        outputs = Path(tmp) / "outputs"
        outputs.mkdir()
        load_started = time.perf_counter()
        templates = read_templates()
        load_seconds = time.perf_counter() - load_started
        invoice2data_run(paths[:1], templates)  # warm-up: imports
        ours_run(entries[:1], devset, outputs)
        theirs, ours = [], []
        extracted = read = 0
        for _ in range(args.rounds):
            seconds, extracted, read = invoice2data_run(paths, templates)
            theirs.append(seconds)
            ours.append(ours_run(entries, devset, outputs))
        accuracy = score(devset, entries, outputs)
    count = len(paths)
    their_rate = count / statistics.median(theirs)
    our_rate = count / statistics.median(ours)
    print_table(
        f"{count} devset invoices (seed 7: "
        f"{sum(p.suffix == '.pdf' for p in paths)} PDF, "
        f"{sum(p.suffix != '.pdf' for p in paths)} TXT/HTML), medians of {args.rounds} rounds",
        ["tool", "docs/s", "extracted anything", "field accuracy", "note"],
        [
            [
                "invoice2data 1.x, bundled templates",
                their_rate,
                f"{extracted}/{count}",
                "-",
                f"text read from {read}/{count}; {len(templates)} templates "
                f"loaded once in {load_seconds:.1f} s",
            ],
            [
                "OpenExtract local engine (run_pipeline)",
                our_rate,
                f"{count}/{count}",
                f"{accuracy:.3f}",
                "schema-guided, no templates",
            ],
        ],
    )
    print(f"\nspeed ratio ours / invoice2data: {our_rate / their_rate:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
