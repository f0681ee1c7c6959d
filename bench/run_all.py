"""Run every benchmark under bench/, one after the other: ``make bench``.

    .venv/bin/python bench/run_all.py            # the quick set, < 10 minutes on 2 cores
    .venv/bin/python bench/run_all.py --full     # each script with its own defaults (longer)
    .venv/bin/python bench/run_all.py --only throughput load

The devset (seed 7, and the ``--large`` performance PDFs for the parsing floor) is generated
once per version of the generator into ``--cache`` (a temp folder; same seed, same bytes) and
passed to the scripts that accept ``--devset``. Each script prints
its own table; a script that is missing is skipped, one that fails is reported at the end (exit
status 1). Nothing is copied from the other scripts: they are called as they are.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import DEVSET, generate_devset, machine_summary  # noqa: E402

# name: (quick arguments, whether it wants the --large devset); {devset}/{large} are filled in.
BENCHES: dict[str, tuple[list[str], bool]] = {
    # 1. parsing floor (documents engineer)
    "documents": (
        ["--devset", "{large}", "--rounds", "1", "--max-pages", "100", "--pypdf-pages", "20"],
        True,
    ),
    # 2. local engine accuracy + end-to-end speed through the pipeline (local engine engineer)
    "local_accuracy": (["--devset", "{devset}", "--seeds", "7"], False),
    # 4. LLM path cost (pipeline engineer)
    "llm_pipeline": (["--devset", "{devset}", "--repeat", "1"], False),
    "grounding": (["--devset", "{devset}", "--seeds", "7"], False),
    # 2 + 3. pipeline docs/s, queue floor, latency and throughput through the product
    "throughput": (["--devset", "{devset}", "--rounds", "30"], False),
    # reliability: 500 jobs with a worker killed halfway
    "load": ([], False),
    # a fresh make run (SQLite, embedded queue) under 1,000 jobs at once, killed, restarted
    "soak": ([], False),
    # OCR engines: real scans and accents
    "ocr": ([], False),
    # our evaluation scorer against the real-document corpus's own score.py
    "scorer_agreement": ([], False),
    # 5. peer
    "peer_invoice2data": (["--devset", "{devset}"], False),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="each script with its own defaults")
    parser.add_argument("--only", nargs="+", choices=sorted(BENCHES), help="a subset")
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path(tempfile.gettempdir()) / "openextract-bench-devset",
        help="where generated devsets are kept between runs (default: the temp dir)",
    )
    args = parser.parse_args(argv)
    names = args.only or list(BENCHES)
    print(f"machine: {machine_summary()}", flush=True)
    if not (DEVSET / "generate.py").exists():
        # The synthetic devset lives beside the checkout on the team's machines, not in it.
        needs_devset = [n for n in names if any("{" in a for a in BENCHES[n][0])]
        print(f"The devset generator is not at {DEVSET}: skipping {', '.join(needs_devset)}.")
        names = [n for n in names if n not in needs_devset]
    results: list[tuple[str, str, float]] = []
    with tempfile.TemporaryDirectory(prefix="oe-bench-all-") as tmp:
        # Same seed, same bytes: generated once per version of the generator, outside the repo.
        generator = DEVSET / "generate.py"
        version = (
            hashlib.sha256(generator.read_bytes()).hexdigest()[:12] if generator.exists() else ""
        )
        cache = args.cache or Path(tmp)
        devset = cache / f"devset-7-{version}"
        large = cache / f"large-7-{version}"
        wants_devset = any("{" in a for n in names for a in BENCHES[n][0])
        if not args.full and wants_devset:
            if not (devset / "manifest.json").exists():
                generate_devset(devset, seed=7)
            wants_large = any(BENCHES[n][1] for n in names if (ROOT / f"bench/{n}.py").exists())
            if wants_large and not (large / "manifest.json").exists():
                subprocess.run(
                    [sys.executable, str(DEVSET / "generate.py"), "--out", str(large), "--large"],
                    check=True,
                    capture_output=True,
                )
        for name in names:
            script = ROOT / "bench" / f"{name}.py"
            if not script.exists():
                results.append((name, "missing", 0.0))
                continue
            quick, _ = BENCHES[name]
            extra = [] if args.full else [a.format(devset=devset, large=large) for a in quick]
            print(f"\n\n######## bench/{name}.py {' '.join(extra)}", flush=True)
            started = time.perf_counter()
            done = subprocess.run([sys.executable, str(script), *extra], cwd=ROOT)
            seconds = time.perf_counter() - started
            results.append(
                (name, "ok" if done.returncode == 0 else f"exit {done.returncode}", seconds)
            )
    print("\n\n== make bench summary")
    for name, outcome, seconds in results:
        print(f"{name:<20} {outcome:<10} {seconds:>7.1f} s")
    print(f"{'total':<20} {'':<10} {sum(s for _, _, s in results):>7.1f} s")
    return 0 if all(outcome in ("ok", "missing") for _, outcome, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
