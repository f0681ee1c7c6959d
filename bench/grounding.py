"""Grounding benchmark: citation page accuracy, box hit rate and calibration (ECE) per engine.

Usage::

    .venv/bin/python bench/grounding.py                    # seeds 7 and 11, both engines
    .venv/bin/python bench/grounding.py --fit              # also fit LOCAL_CALIBRATION on seed 7
    .venv/bin/python bench/grounding.py --devset DIR --seeds 7

The devset is generated into a temp folder with ``../shared/devset/generate.py`` (the
``shared`` folder beside the checkout). Correctness per leaf uses ``score.py``'s own rules
(imported, not copied): arrays of objects are aligned with its Hungarian matching, so a produced
``line_items[2].amount`` is compared with the expected item it was matched to, and its
citation is checked against that item's ``meta.json`` page and printed text.

* local engine: runs ``LocalEngine`` on every document and grounds its result.
* LLM engine (simulated; no model is reachable): quotes the ground-truth printed text from
  ``meta.json`` as a model would, with perturbations (60% verbatim, 20% case and spacing, 20%
  two letters swapped; 7% of values get no quote and are searched by value), and replaces 8%
  of values with hallucinations the document does not print, half quoting the invented value
  and half quoting the real printed text. Locate accuracy is the share of true values cited on
  the right page; hallucinations must come out ``not_found`` (an enum code misread from real
  text cannot be told from a right one by its quote: those stay supported).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from extraction.pipeline.citations import build_field_metadata, leaf_metadata  # noqa: E402
from extraction.pipeline.confidence import local_group  # noqa: E402
from extraction.pipeline.config import ExtractConfig, ExtractionTarget  # noqa: E402
from extraction.pipeline.documents import Document, load_document  # noqa: E402
from extraction.pipeline.engines.base import EngineRequest, EngineResult  # noqa: E402
from extraction.pipeline.grounding.calibration import (  # noqa: E402
    expected_calibration_error,
    fit_isotonic,
)
from extraction.pipeline.grounding.locate import PageIndex, find_text  # noqa: E402

if TYPE_CHECKING:
    from types import ModuleType

    from extraction.pipeline.documents.base import Box

SHARED_DIR = Path(os.environ.get("OPENEXTRACT_SHARED_DIR", ROOT / ".." / "shared")).resolve()
GROUNDED = ExtractConfig(cite_sources=True, confidence_scores=True)


def load_score_module() -> ModuleType:
    """``score.py`` from the shared devset, imported by path."""
    spec = importlib.util.spec_from_file_location(
        "devset_score", SHARED_DIR / "devset" / "score.py"
    )
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot import {SHARED_DIR / 'devset' / 'score.py'}")
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the module body runs.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def generate_devset(out: Path, seed: int, *, large: bool = False) -> Path:
    """Run the shared generator into ``out``; raises CalledProcessError when it fails."""
    generator = SHARED_DIR / "devset" / "generate.py"
    command = [sys.executable, str(generator), "--out", str(out), "--seed", str(seed)]
    if large:
        command.append("--large")
    subprocess.run(command, check=True, capture_output=True)
    return out


@dataclass(frozen=True)
class LeafOutcome:
    path: str  # the produced leaf's path
    expected_path: str | None  # the aligned expected leaf (for meta.json), None for extras
    correct: bool
    value: Any


def leaf_outcomes(score: ModuleType, schema: dict, expected: Any, actual: Any) -> list[LeafOutcome]:
    """One outcome per produced leaf, judged with score.py's comparison rules and alignment."""
    if isinstance(expected, list):
        schema = {"type": "array", "items": schema}
    out: list[LeafOutcome] = []
    _walk(score, schema, expected, actual, "", "", out)
    return out


def _walk(score: ModuleType, sch: dict, exp: Any, act: Any, path: str, epath: str, out: list):
    kind = score.leaf_kind(sch)
    if kind == "object":
        act = act if isinstance(act, dict) else {}
        exp = exp if isinstance(exp, dict) else {}
        for key, sub in sch.get("properties", {}).items():
            if key in act:
                join = f"{path}.{key}" if path else key
                ejoin = f"{epath}.{key}" if epath else key
                _walk(score, sub, exp.get(key), act[key], join, ejoin, out)
        return
    if kind == "array":
        exp_l = exp if isinstance(exp, list) else []
        act_l = act if isinstance(act, list) else []
        items = sch.get("items", {})
        pairs: dict[int, int] = {}
        if score.leaf_kind(items) in ("object", "array"):
            weights = []
            for e in exp_l:
                row = []
                for a in act_l:
                    tmp: list = []
                    score.compare(items, e, a, "", tmp)
                    row.append(sum(1 for r in tmp if r[1]))
                weights.append(row)
            if exp_l and act_l:
                pairs = {j: i for i, j in score.hungarian_max(weights)}
        else:
            used: set[int] = set()
            for j, a in enumerate(act_l):
                hit = next(
                    (
                        i
                        for i, e in enumerate(exp_l)
                        if i not in used and score.leaf_equal(score.leaf_kind(items), e, a)
                    ),
                    None,
                )
                if hit is not None:
                    used.add(hit)
                    pairs[j] = hit
        for j, a in enumerate(act_l):
            i = pairs.get(j)
            e = exp_l[i] if i is not None else None
            sub_epath = f"{epath}[{i}]" if i is not None else ""
            if i is None and score.leaf_kind(items) not in ("object", "array"):
                out.append(LeafOutcome(f"{path}[{j}]", None, False, a))
                continue
            _walk(score, items, e, a, f"{path}[{j}]", sub_epath, out)
        return
    out.append(LeafOutcome(path, epath or None, bool(score.leaf_equal(kind, exp, act)), act))


def printed_boxes(document: Document, page_number: int, rendered: str) -> list[Box]:
    """Boxes of the words of every place ``rendered`` is printed on the page."""
    page = document.page(page_number)
    index = PageIndex(document, [page_number])
    boxes: list[Box] = []
    text = page.text
    start = text.find(rendered)
    while start >= 0:
        boxes += [w.box for w in page.words_in_span(start, start + len(rendered))]
        start = text.find(rendered, start + 1)
    if not boxes:
        for span in find_text(index, rendered):
            boxes += [w.box for w in page.words_in_span(span.start, span.end)]
    return boxes


def overlaps(a: dict[str, float], b: Box) -> bool:
    return (
        a["x"] < b.x + b.w
        and b.x < a["x"] + a["w"]
        and a["y"] < b.y + b.h
        and b.y < a["y"] + a["h"]
    )


@dataclass
class Tally:
    cited: int = 0  # non-null produced values aligned to a printed expected value
    page_right: int = 0
    boxed: int = 0  # of page_right, those with boxes on a page that has words
    box_hit: int = 0
    not_found: int = 0
    scores: list[float] = field(default_factory=list)  # raw engine score, non-null values
    groups: list[str] = field(default_factory=list)  # calibration group of each value
    confidences: list[float] = field(default_factory=list)
    correct: list[bool] = field(default_factory=list)
    null_correct: list[bool] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)


def check_citation(tally: Tally, document: Document, meta_field: dict, entry: dict) -> None:
    citations = entry.get("citation") or []
    tally.cited += 1
    if not citations:
        tally.not_found += 1
        return
    first = citations[0]
    if first["page"] != meta_field["page"]:
        return
    tally.page_right += 1
    if not document.page(first["page"]).words:
        return
    tally.boxed += 1
    truth = printed_boxes(document, first["page"], meta_field["rendered"])
    if first["bounding_boxes"] and any(overlaps(first["bounding_boxes"][0], b) for b in truth):
        tally.box_hit += 1


def devset_documents(devset: Path) -> list[tuple[dict, dict, Any, dict]]:
    manifest = json.loads((devset / "manifest.json").read_text())
    out = []
    for entry in manifest["documents"]:
        meta = json.loads((devset / f"{entry['doc_id']}.meta.json").read_text())
        expected = json.loads((devset / f"{entry['doc_id']}.expected.json").read_text())
        schema = json.loads((devset / "schemas" / entry["schema"]).read_text())
        out.append((entry, meta, expected, schema))
    return out


def run_local(devset: Path, score: ModuleType) -> Tally:
    from extraction.pipeline.engines.local import LocalEngine

    tally = Tally()
    engine = LocalEngine()
    for entry, meta, expected, schema in devset_documents(devset):
        document = load_document(devset / entry["file"])
        target = (
            ExtractionTarget.PER_TABLE_ROW
            if entry["mode"] == "PER_TABLE_ROW"
            else ExtractionTarget.PER_DOC
        )
        config = ExtractConfig(extraction_target=target)
        pages = list(range(1, document.page_count + 1))
        result = engine.extract(EngineRequest(document, pages, schema, config))
        started = time.perf_counter()
        metadata = build_field_metadata(result, document, GROUNDED, schema=schema).field_metadata
        tally.seconds.append(time.perf_counter() - started)
        record(tally, score, document, meta, expected, schema, result, metadata)
    return tally


def record(
    tally: Tally,
    score: ModuleType,
    document: Document,
    meta: dict,
    expected: Any,
    schema: dict,
    result: EngineResult,
    metadata: Any,
) -> None:
    fields = {f["path"]: f for f in meta["fields"]}
    for outcome in leaf_outcomes(score, schema, expected, result.data):
        entry = leaf_metadata(metadata, outcome.path) or {}
        if outcome.value is None:
            tally.null_correct.append(outcome.correct)
            continue
        tally.scores.append(result.confidences.get(outcome.path, 0.0))
        tally.groups.append(local_group(outcome.path, outcome.value))
        tally.confidences.append(entry.get("confidence", 0.0))
        tally.correct.append(outcome.correct)
        truth = fields.get(outcome.expected_path or "")
        if truth and truth.get("page") and truth.get("rendered"):
            check_citation(tally, document, truth, entry)


def simulate_llm(devset: Path, score: ModuleType, seed: int) -> tuple[Tally, Tally]:
    """(true values, hallucinated values) grounded from simulated LLM quotes."""
    rng = random.Random(seed)
    true_tally, fake_tally = Tally(), Tally()
    for entry, meta, expected, schema in devset_documents(devset):
        document = load_document(devset / entry["file"])
        data = json.loads(json.dumps(expected))
        quotes: dict[str, str] = {}
        fakes: set[str] = set()
        for f in meta["fields"]:
            if f.get("rendered") is None:
                continue
            roll = rng.random()
            if roll < 0.08:
                fakes.add(f["path"])
                _set(data, f["path"], _hallucinate(_get(data, f["path"]), rng))
                # Half quote the invented value, half the real text the model misread.
                fake_quote = roll < 0.04
                quotes[f["path"]] = str(_get(data, f["path"])) if fake_quote else f["rendered"]
            elif roll < 0.15:
                continue  # no quote: the value is searched by itself
            else:
                quotes[f["path"]] = _perturb(f["rendered"], rng)
        result = EngineResult(data=data, engine="openai", quotes=quotes)
        started = time.perf_counter()
        metadata = build_field_metadata(result, document, GROUNDED, schema=schema).field_metadata
        true_tally.seconds.append(time.perf_counter() - started)
        for f in meta["fields"]:
            if f.get("rendered") is None:
                continue
            meta_entry = leaf_metadata(metadata, f["path"]) or {}
            tally = fake_tally if f["path"] in fakes else true_tally
            tally.confidences.append(meta_entry.get("confidence", 0.0))
            tally.correct.append(f["path"] not in fakes)
            check_citation(tally, document, f, meta_entry)
    return true_tally, fake_tally


def time_large(devset: Path) -> None:
    """Ground the performance documents' values from verbatim quotes (as an LLM gives them)
    and from the values alone; print seconds and whether the first citation's page is right."""
    from extraction.pipeline.documents import DocumentTooLarge

    manifest = json.loads((devset / "manifest.json").read_text())
    print(
        "\n| performance document | pages | values | from quotes: s, pages right"
        " | from values: s, pages right |"
    )
    print("| --- | --- | --- | --- | --- |")
    for entry in manifest.get("performance_documents", []):
        meta = json.loads((devset / f"{entry['doc_id']}.meta.json").read_text())
        expected = json.loads((devset / f"{entry['doc_id']}.expected.json").read_text())
        try:
            document = load_document(devset / entry["file"])
        except DocumentTooLarge as exc:
            print(
                f"| {entry['doc_id']} | {entry['page_count']} | | refused by the loader: {exc} | |"
            )
            continue
        printed = [f for f in meta["fields"] if f.get("rendered")]
        cells = []
        for quotes in ({f["path"]: f["rendered"] for f in printed}, {}):
            result = EngineResult(data=expected, engine="openai", quotes=quotes)
            started = time.perf_counter()
            metadata = build_field_metadata(result, document, GROUNDED).field_metadata
            seconds = time.perf_counter() - started
            right = 0
            for f in printed:
                citations = (leaf_metadata(metadata, f["path"]) or {}).get("citation") or []
                right += bool(citations) and citations[0]["page"] == f["page"]
            cells.append(f"{seconds:.2f}, {right}/{len(printed)}")
        print(
            f"| {entry['doc_id']} | {document.page_count} | {len(printed)} | {' | '.join(cells)} |"
        )


def _perturb(rendered: str, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.6:
        return rendered
    if roll < 0.8:
        return " ".join(rendered.split()).upper() if rng.random() < 0.5 else rendered.lower()
    if len(rendered) >= 8:
        i = rng.randrange(1, len(rendered) - 2)
        return rendered[:i] + rendered[i + 1] + rendered[i] + rendered[i + 2 :]
    return rendered


def _hallucinate(value: Any, rng: random.Random) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return round(value * 1.37 + 911.13, 2)
    text = str(value)
    if len(text) == 10 and text[4] == "-":
        return f"{int(text[:4]) - 7}-11-29"
    if len(text) == 7 and text[4] == "-":
        return f"{int(text[:4]) - 9}-11"
    return rng.choice(["Zephyrine Holloway-Quist", "Brackwater Llama Trust", "QX-9981-ZZ"])


def _parts(path: str) -> list[str | int]:
    import re

    return [int(i) if i else k for k, i in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path)]


def _get(data: Any, path: str) -> Any:
    for part in _parts(path):
        data = data[part]
    return data


def _set(data: Any, path: str, value: Any) -> None:
    parts = _parts(path)
    for part in parts[:-1]:
        data = data[part]
    data[parts[-1]] = value


def _rate(num: int, den: int) -> str:
    return f"{num / den:.3f} ({num}/{den})" if den else "n/a"


def report(label: str, tally: Tally) -> None:
    ece = expected_calibration_error(tally.confidences, tally.correct)
    median = sorted(tally.seconds)[len(tally.seconds) // 2] * 1000 if tally.seconds else 0.0
    print(
        f"| {label} | {_rate(tally.page_right, tally.cited)} | {_rate(tally.box_hit, tally.boxed)}"
        f" | {_rate(tally.not_found, tally.cited)} | {ece:.3f} | {len(tally.correct)}"
        f" | {sum(tally.correct) / max(1, len(tally.correct)):.3f} | {median:.1f} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[7, 11])
    parser.add_argument(
        "--devset",
        type=Path,
        help="an already generated devset, labelled with the first of --seeds",
    )
    parser.add_argument("--fit", action="store_true", help="fit LOCAL_CALIBRATION on seed 7")
    parser.add_argument("--skip-local", action="store_true")
    parser.add_argument("--skip-llm", action="store_true")
    parser.add_argument(
        "--large",
        type=Path,
        nargs="?",
        const=Path(),
        help="also time LLM-quote grounding on the performance documents (of this devset, "
        "generated with --large; generated into a temp folder when no folder is given)",
    )
    args = parser.parse_args(argv)
    score = load_score_module()
    print(
        "| run | citation page right | first box hits printed words | not_found | ECE (10 bins)"
        " | values | accuracy | grounding ms/doc (median) |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory(prefix="grounding-") as tmp:
        devsets = (
            {args.seeds[0]: args.devset}
            if args.devset
            else {seed: generate_devset(Path(tmp) / str(seed), seed) for seed in args.seeds}
        )
        local_tallies: dict[int, Tally] = {}
        for seed, devset in devsets.items():
            if not args.skip_local:
                local_tallies[seed] = run_local(devset, score)
                report(f"local, seed {seed}", local_tallies[seed])
            if args.skip_llm:
                continue
            true_tally, fake_tally = simulate_llm(devset, score, seed)
            report(f"LLM (simulated) true values, seed {seed}", true_tally)
            report(f"LLM (simulated) hallucinated values, seed {seed}", fake_tally)
            merged = Tally(
                confidences=true_tally.confidences + fake_tally.confidences,
                correct=true_tally.correct + fake_tally.correct,
            )
            print(
                f"| LLM (simulated) all values, seed {seed} | | | | "
                f"{expected_calibration_error(merged.confidences, merged.correct):.3f} |"
                f" {len(merged.correct)} | | |"
            )
        for seed, tally in local_tallies.items():
            raw = expected_calibration_error(tally.scores, tally.correct)
            nulls = tally.null_correct
            print(
                f"\nlocal seed {seed}: raw engine-score ECE {raw:.3f}; nulls {len(nulls)},"
                f" right {sum(nulls) / max(1, len(nulls)):.3f}; by raw score:"
            )
            by_score: dict[float, list[bool]] = {}
            for raw_score, ok in zip(tally.scores, tally.correct, strict=True):
                by_score.setdefault(round(raw_score, 2), []).append(ok)
            print(
                "  "
                + ", ".join(
                    f"{key:.2f}: {sum(oks)}/{len(oks)}" for key, oks in sorted(by_score.items())
                )
            )
        if args.large is not None:
            large = args.large if args.large != Path() else None
            time_large(large or generate_devset(Path(tmp) / "large", 7, large=True))
        if args.fit and 7 in local_tallies:
            tally = local_tallies[7]
            print("\nLOCAL_CALIBRATION: dict[str, Table] = {")
            for group in sorted(set(tally.groups)):
                chosen = [i for i, g in enumerate(tally.groups) if g == group]
                table = fit_isotonic(
                    [tally.scores[i] for i in chosen], [tally.correct[i] for i in chosen]
                )
                print(f'    "{group}": {table},  # {len(chosen)} values')
            print("}")
            nulls = tally.null_correct
            print("LOCAL_NULL_CONFIDENCE =", round(sum(nulls) / max(1, len(nulls)), 3))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
