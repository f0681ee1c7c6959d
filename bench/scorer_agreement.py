"""Does our scorer (``evaluation.scoring``) agree with ``../shared/realdev/score.py``?

    .venv/bin/python bench/scorer_agreement.py                  # perturbed predictions only
    .venv/bin/python bench/scorer_agreement.py --engine         # + the local engine's predictions
    .venv/bin/python bench/scorer_agreement.py --engine --show 10   # + disagreeing fields

The realdev corpus is read with ``evaluation.datasets.dataset_read_folder`` and its score.py is
imported by path. The SAME predictions are scored by both: the expected values perturbed in
realistic ways (each perturbation its own row: dropped fields, nulls, case and spacing, number
formats, printed and wrong dates, wrong numbers, reordered and renamed parties, labels around
values, typos, a mix of all), and with ``--engine`` the local engine's real outputs through
``extraction.pipeline.run_pipeline`` (cached under ``--cache``, so a second run is fast).

Prints, per prediction set, both accuracies and their difference overall and per doc type, and
how many leaves got different verdicts. Exit status 1 when any difference exceeds
``--max-delta`` (0.01); 0 and a message when the corpus is absent.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from evaluation.calibration import calibration_compute  # noqa: E402
from evaluation.datasets import Dataset, Example, dataset_read_folder  # noqa: E402
from evaluation.matching import schema_strip_hints  # noqa: E402
from evaluation.scoring import (  # noqa: E402
    confidences_from_field_metadata,
    document_score,
    expected_first_choice,
)

if TYPE_CHECKING:
    from types import ModuleType

    from evaluation.results import DocumentScore

SHARED = Path(os.environ.get("OPENEXTRACT_SHARED_DIR", ROOT.parent / "shared"))
REALDEV = SHARED / "realdev"
DROP = object()  # a leaf perturbation's way of saying "leave the key out"
Perturb = Callable[[Any, dict[str, Any], random.Random], Any]


def load_reference(corpus: Path) -> ModuleType:
    """realdev's score.py as a module."""
    spec = importlib.util.spec_from_file_location("realdev_score", corpus / "score.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot import {corpus / 'score.py'}")
    module = importlib.util.module_from_spec(spec)
    sys.modules["realdev_score"] = module
    spec.loader.exec_module(module)
    return module


# ------------------------------------------------------------------------------- perturbations


def _mode(spec: dict[str, Any]) -> str:
    return str(spec.get("x-compare") or "text")


def _iso(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def case_and_spacing(value: Any, spec: dict[str, Any], rng: random.Random) -> Any:
    if not isinstance(value, str) or _mode(spec) in ("date", "number"):
        return value
    style = rng.randrange(4)
    changed = [value.upper(), value.lower(), value.title(), "  " + value.replace(" ", "  ")][style]
    if rng.random() < 0.3:
        changed = changed.replace("&", "and").replace(",", "").replace(".", "")
    return changed


def number_formats(value: Any, spec: dict[str, Any], rng: random.Random) -> Any:
    if _mode(spec) != "number" or not isinstance(value, (int, float)) or isinstance(value, bool):
        return value
    us = f"{value:,.2f}"
    european = us.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return rng.choice([f"${us}", european, f"RM {value:.2f}", f"{value:.2f} EUR", str(value), us])


def printed_dates(value: Any, spec: dict[str, Any], rng: random.Random) -> Any:
    day = _iso(value) if _mode(spec) == "date" else None
    if day is None:
        return value
    order = spec.get("x-date-order")
    numeric = {"dmy": "%d/%m/%Y", "mdy": "%m/%d/%Y"}.get(str(order), "%Y.%m.%d")
    short = {"dmy": "%d-%m-%y", "mdy": "%m-%d-%y"}.get(str(order), "%Y-%m-%d")
    pattern = rng.choice(["%d %b %Y", "%B %d, %Y", numeric, short, "%d %B %Y", "%b. %d, %Y"])
    return day.strftime(pattern)


def wrong_dates(value: Any, spec: dict[str, Any], rng: random.Random) -> Any:
    day = _iso(value) if _mode(spec) == "date" else None
    if day is None:
        return value
    choice = rng.randrange(4)
    if choice == 0:
        return (day + dt.timedelta(days=1)).isoformat()
    if choice == 1 and day.day <= 12 and day.day != day.month:
        return day.replace(month=day.day, day=day.month).isoformat()  # day and month swapped
    if choice == 2:
        return day.replace(year=day.year - 1).isoformat()
    return day.strftime("%B %Y")  # less precise than expected


def wrong_numbers(value: Any, spec: dict[str, Any], rng: random.Random) -> Any:
    if _mode(spec) != "number" or not isinstance(value, (int, float)) or isinstance(value, bool):
        return value
    return rng.choice([value + 1, value * 10, value + 0.005, value + 0.02, -value, round(value)])


def labelled(value: Any, spec: dict[str, Any], rng: random.Random) -> Any:
    """Values as documents print them: labels, dashes, checkbox words, spelled durations."""
    mode = _mode(spec)
    if isinstance(value, bool):
        return rng.choice(["yes", "X", "checked", "true"] if value else ["no", "unchecked"])
    if not isinstance(value, str):
        return value
    if mode == "alnum":
        return rng.choice([value.replace("-", ""), value.replace("-", " "), f" {value} "])
    if mode == "duration":
        number, _, unit = value.partition(" ")
        months = int(number) * (12 if unit.startswith("year") else 1)
        return rng.choice([f"{months} months", f"{number} ({number}) {unit}", f"P{months}M"])
    if mode in ("text", "party"):
        return rng.choice([f"Name: {value}", f"{value} (see above)", value + ".", value])
    return value


def typos(value: Any, spec: dict[str, Any], rng: random.Random) -> Any:
    if not isinstance(value, str) or len(value) < 6 or _mode(spec) in ("date", "number"):
        return value
    index = rng.randrange(len(value))
    letter = rng.choice("abcdefghijklmnopqrstuvwxyz0123456789")
    return value[:index] + letter + value[index + 1 :]


def ocr_noise(value: Any, spec: dict[str, Any], rng: random.Random) -> Any:
    """Two to four characters misread, as OCR does (0/O, 1/l, 5/S, rn/m, a dropped letter)."""
    if not isinstance(value, str) or len(value) < 6 or _mode(spec) in ("date", "number"):
        return value
    confusions = {"0": "O", "O": "0", "1": "l", "l": "1", "5": "S", "S": "5", "m": "rn", "B": "8"}
    chars = list(value)
    for _ in range(rng.randint(2, 4)):
        index = rng.randrange(len(chars))
        chars[index] = confusions.get(chars[index], "" if rng.random() < 0.5 else "e")
    return "".join(chars)


def dropped(value: Any, spec: dict[str, Any], rng: random.Random) -> Any:
    return DROP if rng.random() < 0.3 else value


def nulled(value: Any, spec: dict[str, Any], rng: random.Random) -> Any:
    return None if rng.random() < 0.3 else value


LEAF_PERTURBATIONS: dict[str, Perturb] = {
    "drop fields (30%)": dropped,
    "null fields (30%)": nulled,
    "case and spacing": case_and_spacing,
    "number formats": number_formats,
    "printed dates": printed_dates,
    "wrong dates": wrong_dates,
    "wrong numbers": wrong_numbers,
    "labels, dashes, checkbox words": labelled,
    "typos (one character)": typos,
    "OCR noise (2-4 characters)": ocr_noise,
}


def iso_date_times(value: Any, spec: dict[str, Any], rng: random.Random) -> Any:
    day = _iso(value) if _mode(spec) == "date" else None
    return f"{day.isoformat()}T00:00:00" if day else value


def labelled_numbers(value: Any, spec: dict[str, Any], rng: random.Random) -> Any:
    if _mode(spec) != "number" or isinstance(value, bool):
        return value
    return f"Total: {value}"


# Predictions on which the scorers differ on purpose (see the docstring of evaluation.scoring):
# reported, not held to --max-delta. "arrays as one string" and "renamed keys" are built below.
DIFFERENCES: dict[str, Perturb] = {
    "ISO date-times (ours: a date)": iso_date_times,
    "numbers after a label (ours: not one)": labelled_numbers,
}


def mixed(value: Any, spec: dict[str, Any], rng: random.Random) -> Any:
    return rng.choice(list(LEAF_PERTURBATIONS.values()))(value, spec, rng)


def parties(rows: list[Any], rng: random.Random) -> list[Any]:
    """Reorder, rename (corporate suffixes, case), lose one or add one."""
    changed = list(rows)
    rng.shuffle(changed)
    renamed = []
    for name in changed:
        if isinstance(name, str) and rng.random() < 0.5:
            name = rng.choice(
                [
                    name.replace(", Inc.", " Incorporated").replace("Inc.", "Inc"),
                    name.upper(),
                    name.replace(" Corporation", " Corp."),
                    f"{name}, a Delaware corporation",
                ]
            )
        renamed.append(name)
    action = rng.random()
    if action < 0.2 and len(renamed) > 1:
        renamed.pop()
    elif action < 0.4:
        renamed.append("Some Other Party LLC")
    return renamed


def perturb(
    expected: Any, spec: dict[str, Any], leaf: Perturb | None, rng: random.Random, array: bool
) -> Any:
    """A copy of ``expected`` with ``leaf`` applied to each leaf (and ``parties`` to arrays)."""
    if isinstance(expected, dict):
        props = spec.get("properties", {})
        out = {}
        for key, value in expected.items():
            changed = perturb(value, props.get(key, {}), leaf, rng, array)
            if changed is not DROP:
                out[key] = changed
        return out
    if isinstance(expected, list):
        items = [perturb(v, spec.get("items", {}), leaf, rng, array) for v in expected]
        items = [item for item in items if item is not DROP]
        return parties(items, rng) if array else items
    return leaf(expected, spec, rng) if leaf else expected


def arrays_as_text(prediction: Any) -> Any:
    """Every array of strings given as one "a; b" string."""
    if isinstance(prediction, dict):
        return {key: arrays_as_text(value) for key, value in prediction.items()}
    if isinstance(prediction, list) and all(isinstance(item, str) for item in prediction):
        return "; ".join(prediction)
    return prediction


def renamed_keys(prediction: Any) -> Any:
    """Keys as a person would write them: ``invoice_date`` -> ``Invoice Date``."""
    if isinstance(prediction, dict):
        return {key.replace("_", " ").title(): value for key, value in prediction.items()}
    return prediction


# ------------------------------------------------------------------------------- scoring both ways


@dataclass
class Tally:
    ours: dict[str, list[int]] = field(default_factory=dict)  # doc type -> [correct, total]
    theirs: dict[str, list[int]] = field(default_factory=dict)
    leaves: int = 0
    disagreements: list[str] = field(default_factory=list)
    documents: list[DocumentScore] = field(default_factory=list)

    def add(self, doc_type: str, ours: tuple[int, int], theirs: tuple[int, int]) -> None:
        for store, (correct, total) in ((self.ours, ours), (self.theirs, theirs)):
            row = store.setdefault(doc_type, [0, 0])
            row[0] += correct
            row[1] += total

    def accuracy(self, store: dict[str, list[int]], doc_type: str | None = None) -> float:
        rows = [store[doc_type]] if doc_type else list(store.values())
        correct, total = sum(r[0] for r in rows), sum(r[1] for r in rows)
        return correct / total if total else 0.0

    def deltas(self) -> dict[str, float]:
        out = {"all": self.accuracy(self.ours) - self.accuracy(self.theirs)}
        for doc_type in self.ours:
            out[doc_type] = self.accuracy(self.ours, doc_type) - self.accuracy(
                self.theirs, doc_type
            )
        return out


def score_both(
    reference: ModuleType,
    dataset: Dataset,
    predictions: dict[str, Any],
    confidences: dict[str, dict[str, float]] | None = None,
) -> Tally:
    tally = Tally()
    context = reference.Ctx()
    for example in dataset.examples:
        if example.id not in predictions:
            continue
        schema = dataset.schema_for(example)
        predicted = predictions[example.id]
        ours = document_score(
            expected=example.expected,
            predicted=predicted,
            schema=schema,
            document_id=example.id,
            schema_name=example.schema_name,
            doc_type=example.doc_type,
            confidences=(confidences or {}).get(example.id),
        )
        details: list[tuple[str, Any, Any, bool]] = []
        theirs = reference.score(
            example.expected,
            predicted if isinstance(predicted, dict) else {},
            schema,
            context,
            "",
            details,
        )
        tally.add(example.doc_type or example.schema_name, (ours.correct, ours.total), theirs)
        tally.documents.append(ours)
        their_ok = {path: ok for path, _, _, ok in details}
        for result in ours.fields:
            tally.leaves += 1
            if result.path in their_ok and their_ok[result.path] != result.correct:
                expected = json.dumps(result.expected, ensure_ascii=False)
                predicted_leaf = json.dumps(result.predicted, ensure_ascii=False)
                tally.disagreements.append(
                    f"{example.id} {result.path}: expected {expected} "
                    f"predicted {predicted_leaf} -> ours "
                    f"{result.verdict.value} ({result.reason}), score.py "
                    f"{'correct' if their_ok[result.path] else 'wrong'}"
                )
    return tally


# ------------------------------------------------------------------------------- the local engine


def engine_predict(example: Example, schema: dict[str, Any]) -> tuple[Any, dict[str, float]]:
    """The adapter to the pipeline: one document through the local engine; returns the data and
    its per-leaf confidences. The only place this bench knows the pipeline's entry point."""
    import django  # type: ignore[import-untyped]  # Django ships no type information

    django.setup()
    from extraction.pipeline.config import ExtractConfig
    from extraction.pipeline.run import PipelineInput, run_pipeline

    config = ExtractConfig.from_dict({"extract_model": "local", "confidence_scores": True})
    outcome = run_pipeline(
        PipelineInput(
            data_schema=schema_strip_hints(schema),
            config=config,
            content=example.read_document(),
            file_name=example.name,
            declared_type=example.mime_type,
        )
    )
    metadata = outcome.metadata.get("field_metadata", {})
    return outcome.data, confidences_from_field_metadata(metadata)


def engine_predictions(
    dataset: Dataset, cache: Path, limit: int
) -> tuple[dict[str, Any], dict[str, dict[str, float]], float]:
    cache.mkdir(parents=True, exist_ok=True)
    predictions: dict[str, Any] = {}
    confidences: dict[str, dict[str, float]] = {}
    started = time.perf_counter()
    for example in dataset.examples[: limit or None]:
        stored = cache / f"{example.id}.json"
        if stored.is_file():
            record = json.loads(stored.read_text())
        else:
            try:
                data, leaf_confidences = engine_predict(example, dataset.schema_for(example))
                record = {"data": data, "confidences": leaf_confidences}
            except Exception as error:  # a failed document is scored as an empty prediction
                record = {
                    "data": None,
                    "confidences": {},
                    "error": f"{type(error).__name__}: {error}",
                }
            stored.write_text(json.dumps(record, ensure_ascii=False))
        predictions[example.id] = record["data"]
        confidences[example.id] = record["confidences"]
    return predictions, confidences, time.perf_counter() - started


# ------------------------------------------------------------------------------- main


def report(name: str, tally: Tally, show: int) -> float:
    deltas = tally.deltas()
    worst = max(abs(value) for value in deltas.values())
    per_type = "  ".join(f"{t} {d:+.3f}" for t, d in deltas.items() if t != "all")
    differing = f"{len(tally.disagreements)}/{tally.leaves}"
    print(
        f"{name[:38]:38s} {tally.accuracy(tally.ours):6.3f} {tally.accuracy(tally.theirs):9.3f} "
        f"{deltas['all']:+7.3f} {worst:8.3f} {differing:>16s}  {per_type}"
    )
    for line in tally.disagreements[:show]:
        print(f"      {line}")
    return worst


def perturbed(
    dataset: Dataset, leaf: Perturb | None, rng: random.Random, arrays: bool
) -> dict[str, Any]:
    """Predictions for every example: its expected values with ``leaf`` applied."""
    return {
        example.id: perturb(
            expected_first_choice(example.expected), dataset.schema_for(example), leaf, rng, arrays
        )
        for example in dataset.examples
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=REALDEV, help="the realdev folder")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--max-delta", type=float, default=0.01)
    parser.add_argument("--engine", action="store_true", help="also score local engine outputs")
    parser.add_argument("--engine-limit", type=int, default=0, help="first N documents only")
    parser.add_argument(
        "--cache", type=Path, default=Path("/tmp/openextract-scorer-agreement"),
        help="where engine outputs are kept between runs",
    )  # fmt: skip
    parser.add_argument("--show", type=int, default=0, help="disagreeing leaves to print per row")
    args = parser.parse_args(argv)
    if not (args.corpus / "score.py").is_file() or not (args.corpus / "manifest.json").is_file():
        print(f"SKIPPED: no realdev corpus at {args.corpus} (score.py and manifest.json needed)")
        return 0
    reference = load_reference(args.corpus)
    dataset = dataset_read_folder(args.corpus)
    rng = random.Random(args.seed)
    print(
        f"scorer agreement on {len(dataset.examples)} realdev documents (seed {args.seed}); "
        f"delta = ours - score.py"
    )
    print(
        f"{'predictions':38s} {'ours':>6s} {'score.py':>9s} {'delta':>7s} {'max|d|':>8s} "
        f"{'leaves differing':>16s}  per doc type"
    )
    rows: list[tuple[str, Perturb | None, bool]] = [("expected (first $any choice)", None, False)]
    rows += [(name, leaf, False) for name, leaf in LEAF_PERTURBATIONS.items()]
    rows += [("reordered/renamed parties", None, True), ("mixed (all of the above)", mixed, True)]
    worst = 0.0
    for name, leaf, arrays in rows:
        predictions = perturbed(dataset, leaf, rng, arrays)
        worst = max(worst, report(name, score_both(reference, dataset, predictions), args.show))
    if args.engine:
        predictions, confidences, seconds = engine_predictions(
            dataset, args.cache, args.engine_limit
        )
        tally = score_both(reference, dataset, predictions, confidences)
        worst = max(worst, report("local engine (real outputs)", tally, args.show))
        calibration = calibration_compute(f for d in tally.documents for f in d.fields)
        print(
            f"\nlocal engine: {len(predictions)} documents extracted in {seconds:.1f} s "
            f"(cached in {args.cache}); calibration ECE {calibration.ece:.3f} over "
            f"{calibration.count} fields with a confidence"
        )
    print("\ndeliberate differences (reported, not held to --max-delta):")
    differences: list[tuple[str, Callable[[Any], Any], Perturb | None]] = [
        (name, lambda prediction: prediction, leaf) for name, leaf in DIFFERENCES.items()
    ]
    differences += [
        ("arrays as one string (ours: one item)", arrays_as_text, None),
        ("renamed keys (ours: exact keys)", renamed_keys, None),
    ]
    for name, whole, leaf in differences:
        predictions = {k: whole(v) for k, v in perturbed(dataset, leaf, rng, False).items()}
        report(name, score_both(reference, dataset, predictions), args.show)
    verdict = "agree" if worst <= args.max_delta + 1e-12 else "DISAGREE"
    print(f"\nlargest difference {worst:.3f} (allowed {args.max_delta}): the scorers {verdict}")
    return 0 if verdict == "agree" else 1


if __name__ == "__main__":
    sys.exit(main())
