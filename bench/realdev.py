"""Local engine accuracy on real documents (``../shared/realdev``), next to the devset.

    .venv/bin/python bench/realdev.py                    # realdev + devset seeds 11 and 13
    .venv/bin/python bench/realdev.py --no-devset        # realdev only (tuning iterations)
    .venv/bin/python bench/realdev.py --only receipt --show-errors 5

Every corpus document goes through ``run_pipeline`` (local engine, ``extraction_mode`` FAST,
confidence scores on), and its output is scored with the corpus's own ``score.py`` (imported
by path, never copied). Loading a document (OCR of the scans takes seconds a page) is cached
as a pickle per document under ``--cache`` (keyed by the document's bytes and the loader
sources), so tuning runs take seconds; ``--no-cache`` loads everything afresh.

Printed: per-document results with ``--show-errors``, accuracy per document type and per
field, row-count accuracy of array fields, accuracy per confidence bucket with the expected
calibration error (ECE, over non-null predicted values; nulls are reported apart, since the
corpus scores only fields that have a value), the devset accuracy (seeds 11 and 13), and last
``accuracy: X.XXX (correct/total)``. Exits 0 with a message when the corpus is absent.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import pickle
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

SHARED = Path(os.environ.get("OPENEXTRACT_SHARED_DIR", ROOT.parent / "shared"))
REALDEV = SHARED / "realdev"
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "openextract-realdev-cache"
BUCKETS = 10


def load_corpus_scorer(corpus: Path) -> Any:
    """The corpus's score.py as a module (its comparison rules are the measure)."""
    spec = importlib.util.spec_from_file_location("realdev_score", corpus / "score.py")
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["realdev_score"] = module
    spec.loader.exec_module(module)
    return module


def _loader_fingerprint() -> str:
    """A hash of the document loaders' sources: a cached Document is stale when they change."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "extraction" / "pipeline" / "documents").glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def load_cached(path: Path, media_type: str, cache: Path | None) -> Any:
    """The loaded ``Document`` for ``path`` (pages materialised), from the cache when fresh."""
    from extraction.pipeline.documents import load_document
    from extraction.pipeline.documents.base import Document

    content = path.read_bytes()
    key = hashlib.sha256(content).hexdigest()[:16] + "-" + _loader_fingerprint()
    target = cache / f"{path.stem}-{key}.pkl" if cache else None
    if target is not None and target.exists():
        with target.open("rb") as handle:
            return pickle.load(handle)
    document = load_document(content, declared_type=media_type, file_name=path.name)
    document = Document(document.media_type, list(document.pages), dict(document.metadata))
    if target is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as handle:
            pickle.dump(document, handle)
    return document


def run_document(
    document: Any, schema: dict[str, Any]
) -> tuple[Any, dict[str, Any], dict[str, float], float]:
    """``(data, field_metadata, raw engine scores by path, seconds)`` of one pipeline run on
    an already loaded document."""
    from extraction.pipeline import run as pipeline
    from extraction.pipeline.config import ExtractConfig

    config = ExtractConfig.from_dict({"extraction_mode": "FAST", "confidence_scores": True})
    original = pipeline._load
    pipeline._load = lambda job_input, config: document  # the cached load, same Document
    try:
        started = time.perf_counter()
        outcome = pipeline.run_pipeline(
            pipeline.PipelineInput(data_schema=schema, config=config, content=b"cached")
        )
        seconds = time.perf_counter() - started
    finally:
        pipeline._load = original
    raw = outcome.engine_result.confidences if outcome.engine_result else {}
    return outcome.data, outcome.metadata.get("field_metadata") or {}, raw, seconds


def _group(path: str, value: Any) -> str:
    from extraction.pipeline.confidence import local_group

    return local_group(path, value)


def _confidence(field_metadata: Any, path: str) -> float | None:
    from extraction.pipeline.citations import leaf_metadata

    entry = leaf_metadata(field_metadata, path)
    if not entry or "confidence" not in entry:
        return None
    return float(entry["confidence"])


def score_document(
    scorer: Any,
    expected: dict[str, Any],
    predicted: Any,
    schema: dict[str, Any],
    field_metadata: Any,
    raw: dict[str, float] | None = None,
) -> list[dict[str, Any]]:
    """One row per scored leaf: path, expected, predicted, ok, confidence, array facts.

    Scalars are scored with ``scorer.score``; array items as the scorer does (best one-to-one
    assignment), keeping which predicted item each expected one met so its confidence is that
    item's."""
    ctx = scorer.Ctx()
    predicted = predicted if isinstance(predicted, dict) else {}
    rows: list[dict[str, Any]] = []
    properties = schema.get("properties", {})
    for key, want in expected.items():
        spec = properties.get(key, {})
        got = scorer.lookup(predicted, key)
        if isinstance(want, list):
            items = scorer.as_list(got)
            item_spec = spec.get("items", {})
            weights = [[scorer.score(e, p, item_spec, ctx, "", [])[0] for p in items] for e in want]
            pairs = dict(scorer.hungarian(weights)) if items else {}
            for i, item in enumerate(want):
                j = pairs.get(i)
                matched = j is not None and weights[i][j] > 0
                value = items[j] if matched else None
                ok = scorer.score(item, value, item_spec, ctx, "", [])[0] == 1
                confidence = _confidence(field_metadata, f"{key}[{j}]") if matched else None
                rows.append(
                    {
                        "path": f"{key}[]",
                        "expected": item,
                        "predicted": value,
                        "ok": ok,
                        "confidence": confidence,
                        "raw": (raw or {}).get(f"{key}[{j}]") if matched else None,
                        "group": _group(f"{key}[{j}]", value),
                        "array": key,
                        "rows_right": len(items) == len(want),
                    }
                )
            continue
        details: list[tuple[str, Any, Any, bool]] = []
        scorer.score(want, got, spec, ctx, key, details)
        for path, exp, pred, ok in details:
            rows.append(
                {
                    "path": path,
                    "expected": exp,
                    "predicted": pred,
                    "ok": bool(ok),
                    "confidence": _confidence(field_metadata, path),
                    "raw": (raw or {}).get(path),
                    "group": _group(path, pred),
                }
            )
    return rows


def realdev(
    corpus: Path, cache: Path | None, only: set[str], show_errors: int, verbose: bool
) -> dict[str, Any]:
    """Run and score the corpus; prints its tables and returns the overall facts."""
    import django

    django.setup()
    from extraction.pipeline.grounding.calibration import (
        calibration_bins,
        expected_calibration_error,
    )

    scorer = load_corpus_scorer(corpus)
    manifest = json.loads((corpus / "manifest.json").read_text())
    if isinstance(manifest, dict):
        manifest = manifest.get("documents", [])
    entries = [
        d
        for d in manifest
        if not only or d["id"] in only or d["doc_type"] in only or d["schema"] in only
    ]
    schemas: dict[str, dict[str, Any]] = {}
    by_type: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    by_field: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    arrays = [0, 0]
    valued: list[tuple[float, bool]] = []
    nulls = [0, 0]
    seconds: list[float] = []
    fit_rows: list[tuple[float, str, bool]] = []
    pages = 0
    for entry in entries:
        name = entry["schema"]
        if name not in schemas:
            raw = json.loads((corpus / "schemas" / f"{name}.json").read_text())
            schemas[name] = raw
        schema = schemas[name]
        expected = scorer.load_expected(str(corpus), entry)
        document = load_cached(corpus / entry["file"], entry.get("mime_type", ""), cache)
        data, field_metadata, raw, took = run_document(document, scorer.clean_schema(schema))
        seconds.append(took)
        pages += document.page_count
        rows = score_document(scorer, expected, data, schema, field_metadata, raw)
        fit_rows.extend(
            (row["raw"], row["group"], row["ok"])
            for row in rows
            if row["predicted"] is not None and row["raw"] is not None
        )
        correct = sum(row["ok"] for row in rows)
        tally = by_type[entry["doc_type"]]
        tally[0] += 1
        tally[1] += correct
        tally[2] += len(rows)
        seen_arrays = set()
        for row in rows:
            field = by_field[f"{name}.{row['path']}"]
            field[0] += row["ok"]
            field[1] += 1
            if row.get("array") and row["array"] not in seen_arrays:
                seen_arrays.add(row["array"])
                arrays[0] += row["rows_right"]
                arrays[1] += 1
            if row["predicted"] is None:
                nulls[0] += row["ok"]
                nulls[1] += 1
            elif row["confidence"] is not None:
                valued.append((row["confidence"], row["ok"]))
        if verbose or show_errors:
            print(f"  {entry['id']:36s} {correct:3d}/{len(rows):<3d} {took * 1000:7.0f} ms")
            wrong = [row for row in rows if not row["ok"]][:show_errors]
            for row in wrong:
                conf = "" if row["confidence"] is None else f" ({row['confidence']:.2f}"
                conf += "" if row.get("raw") is None else f", raw {row['raw']:.2f}"
                conf += ")" if conf else ""
                print(
                    f"      x {row['path']}: expected "
                    f"{json.dumps(row['expected'], ensure_ascii=False)[:70]} got "
                    f"{json.dumps(row['predicted'], ensure_ascii=False)[:70]}{conf}"
                )

    print(f"\n== realdev: {len(entries)} documents, {pages} pages ({corpus})")
    print(f"{'doc_type':<12} {'docs':>5} {'correct':>8} {'total':>6} {'accuracy':>9}")
    total_correct = total = 0
    for doc_type, (docs, correct, count) in by_type.items():
        total_correct += correct
        total += count
        print(f"{doc_type:<12} {docs:>5} {correct:>8} {count:>6} {correct / count:>9.3f}")
    share = total_correct / total if total else 0.0
    print(f"{'all':<12} {len(entries):>5} {total_correct:>8} {total:>6} {share:>9.3f}")

    print(f"\n{'schema.field':<52} {'correct':>8} {'total':>6} {'accuracy':>9}")
    for path, (correct, count) in sorted(by_field.items()):
        print(f"{path[:52]:<52} {correct:>8} {count:>6} {correct / count:>9.3f}")
    if arrays[1]:
        print(f"\narray fields with the right number of items: {arrays[0]}/{arrays[1]}")

    confidences = [c for c, _ in valued]
    outcomes = [ok for _, ok in valued]
    ece = expected_calibration_error(confidences, outcomes, bins=BUCKETS)
    print(f"\n== confidence of non-null values ({len(valued)} scored)")
    print(f"{'bucket':<11} {'values':>7} {'mean conf':>10} {'accuracy':>9}")
    for b in calibration_bins(confidences, outcomes, bins=BUCKETS):
        bucket = f"{b.low:.1f}-{b.high:.1f}"
        print(f"{bucket:<11} {b.count:>7} {b.mean_confidence:>10.3f} {b.accuracy:>9.3f}")
    print(f"ECE (10 equal-width buckets): {ece:.3f}")
    print(
        f"null predictions for fields that have a value: {nulls[1] - nulls[0]} of {total} "
        "scored fields (every scored null is wrong: the corpus scores only printed values)"
    )
    median = sorted(seconds)[len(seconds) // 2] if seconds else 0.0
    print(f"pipeline time without loading: median {median * 1000:.0f} ms per document")
    return {
        "correct": total_correct,
        "total": total,
        "ece": ece,
        "by_type": dict(by_type),
        "fit_rows": fit_rows,
    }


def devset_outcomes(seed: int, cache: Path | None) -> list[tuple[float, str, bool]]:
    """(raw engine score, calibration group, right) for every non-null devset value of
    ``seed``, extracted by the engine directly (as ``bench/grounding.py`` does)."""
    import grounding
    import local_accuracy

    generator = hashlib.sha256((local_accuracy.DEVSET / "generate.py").read_bytes()).hexdigest()
    with tempfile.TemporaryDirectory() as tmp:
        generated = (cache or Path(tmp)) / f"devset-{seed}-{generator[:12]}"
        if not (generated / "manifest.json").exists():
            local_accuracy.generate(generated, seed)
        score = grounding.load_score_module()
        tally = grounding.run_local(generated, score)
    return list(zip(tally.scores, tally.groups, tally.correct, strict=True))


def fit(rows: list[tuple[float, str, bool]]) -> None:
    """Print ``LOCAL_CALIBRATION`` fitted (isotonic, per group) on ``rows``."""
    from extraction.pipeline.grounding.calibration import fit_isotonic

    print("\nLOCAL_CALIBRATION: dict[str, Table] = {")
    for group in sorted({g for _, g, _ in rows}):
        chosen = [(raw, ok) for raw, g, ok in rows if g == group]
        table = fit_isotonic([raw for raw, _ in chosen], [ok for _, ok in chosen])
        print(f'    "{group}": {table},  # {len(chosen)} values')
    print("}")


def devset(seeds: list[int], cache: Path | None, show_errors: int) -> dict[int, float]:
    """Overall devset accuracy per seed, scored by the devset's score.py. The generated
    documents are kept under ``cache`` (keyed by seed and generator) when one is given."""
    import local_accuracy

    scorer = local_accuracy.load_scorer()
    generator = hashlib.sha256((local_accuracy.DEVSET / "generate.py").read_bytes()).hexdigest()
    results = {}
    for seed in seeds:
        with tempfile.TemporaryDirectory() as tmp:
            generated = Path(tmp) / "devset"
            if cache is not None:
                generated = cache / f"devset-{seed}-{generator[:12]}"
            if not (generated / "manifest.json").exists():
                local_accuracy.generate(generated, seed)
            outputs = Path(tmp) / "outputs"
            outputs.mkdir()
            local_accuracy.run_devset(generated, outputs)
            report = scorer.score_dirs(str(generated), str(outputs))
            results[seed] = report.overall.acc
            if show_errors:
                for doc_id, tally in report.by_doc.items():
                    for path, want, got in getattr(tally, "details", [])[:show_errors]:
                        want, got = repr(want)[:60], repr(got)[:60]
                        print(f"  seed {seed} {doc_id}: {path} expected {want} got {got}")
    return results


def main(argv: list[str] | None = None) -> int:
    """Score realdev (and the devset seeds); prints the tables, returns 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[11, 13])
    parser.add_argument("--no-devset", action="store_true", help="skip the devset seeds")
    parser.add_argument("--no-realdev", action="store_true", help="only the devset seeds")
    parser.add_argument("--only", action="append", default=[], help="doc types, schemas or ids")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--no-cache", action="store_true", help="load (and OCR) every document")
    parser.add_argument("--show-errors", type=int, default=0, metavar="N")
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per document")
    parser.add_argument(
        "--fit",
        action="store_true",
        help="print LOCAL_CALIBRATION fitted on realdev and devset seed 7",
    )
    args = parser.parse_args(argv)
    if not (REALDEV / "manifest.json").exists():
        print(f"realdev corpus not found at {REALDEV}: nothing to measure")
        print("(set OPENEXTRACT_SHARED_DIR to the folder that holds realdev/)")
        return 0
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    only = {part.strip() for value in args.only for part in value.split(",") if part.strip()}
    cache = None if args.no_cache else args.cache
    facts = {"correct": 0, "total": 0}
    if not args.no_realdev:
        facts = realdev(REALDEV, cache, only, args.show_errors, args.verbose)
    if args.fit and not args.no_realdev:
        fit(facts["fit_rows"] + devset_outcomes(7, cache))
    if not args.no_devset:
        scores = devset(args.seeds, cache, args.show_errors)
        print("\n== devset (synthetic), local engine")
        for seed, acc in scores.items():
            print(f"seed {seed:<6} {acc:.3f}")
    correct, total = facts["correct"], facts["total"]
    print(f"accuracy: {correct / max(total, 1):.3f} ({correct}/{total})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
