"""Seconds per unit of the data-quality gate (flows.unit_pipeline.validate), before and after the
GX context, checkpoints and compiled Data Docs templates were kept for the process.

The sample unit of data/ (with last year's data) is validated as the validate task does it,
Data Docs included, into a fresh folder each time. "before" clears what the process keeps
(quality_gx.clear_cache) ahead of every call, so each call builds its context, registers every
suite and compiles the Data Docs templates, as every call did before; "after" reuses them.
Rounds alternate before/after in one process; a first call of each is left out (imports, the
first build). The Prefect artifact of the quality table is not published: no Prefect server
takes part, only the gate's own work is timed.

    python benchmarks/validation_per_unit.py [--rounds 7] [--out benchmarks/results/validation_per_unit.json]

Prints the medians and writes the JSON file.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flows import unit_pipeline
from flows.adapters import quality_gx
from flows.adapters.data_folder import read_year_inputs
from flows.adapters.project_files import load_reference

SAMPLE_UNIT = "312001"
# The parts of quality_gx timed on their own; what is left of run_suites is the checkpoint runs
# and reading their results into RuleResults.
PIECES = ("_build", "_forget_results", "_build_data_docs", "_make_stored_results_inert", "run_suites")


class Stopwatch:
    """Sums the seconds spent in chosen functions of quality_gx during one call, on `clock`."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.seconds: dict[str, float] = {}
        for name in PIECES:
            setattr(quality_gx, name, self._timed(name, getattr(quality_gx, name)))
        # validate reaches run_suites through the module, so the timed one is the one it calls.

    def _timed(self, name: str, function: Callable) -> Callable:
        def timed(*args, **kwargs):
            started = self.clock()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[name] = self.seconds.get(name, 0.0) + self.clock() - started
        return timed

    def pieces(self, total: float) -> dict[str, float]:
        s = self.seconds
        docs = s.get("_build_data_docs", 0.0)
        inert = s.get("_make_stored_results_inert", 0.0)
        build = s.get("_build", 0.0)
        forget = s.get("_forget_results", 0.0)
        suites = s.get("run_suites", 0.0)
        return {
            "validate": total,
            "quality_inputs_and_verdict": total - suites,
            "context_and_registration": build,
            "checkpoint_runs": suites - build - docs - forget,
            "data_docs_build": docs - inert,
            "make_stored_results_inert": inert,
            "clear_results_store": forget,
        }


def sample_unit():
    data = ROOT / "data"
    reference, prior_reference = load_reference(2024), load_reference(2023)
    books = unit_pipeline.UnitBooks(read_year_inputs(data, 2024, reference, [SAMPLE_UNIT]),
                                    read_year_inputs(data, 2023, prior_reference, [SAMPLE_UNIT]))
    workspace = unit_pipeline.Workspace(reference, ROOT / "templates" / "report.docx", Path(tempfile.mkdtemp()),
                                        prior_reference=prior_reference)
    return books, workspace, unit_pipeline.evaluate(books, workspace)


def one_call(stopwatch: Stopwatch, books, workspace, result, reuse: bool) -> dict[str, float]:
    if not reuse:
        quality_gx.clear_cache()
    stopwatch.seconds = {}
    with tempfile.TemporaryDirectory() as docs:
        started = stopwatch.clock()
        unit_pipeline.validate(books, workspace, result, Path(docs))
        total = stopwatch.clock() - started
    return stopwatch.pieces(total)


def main() -> None:
    parser = argparse.ArgumentParser(description="Seconds per unit of the quality gate, before and after reuse.")
    parser.add_argument("--rounds", type=int, default=7)
    # CPU seconds of this process by default: the machine's CPUs are shared, and another
    # process's load moves wall seconds by a third from one call to the next.
    parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "validation_per_unit.json")
    args = parser.parse_args()

    unit_pipeline.publish_quality_table = lambda *_args, **_kwargs: None
    stopwatch = Stopwatch(time.process_time if args.clock == "cpu" else time.perf_counter)
    books, workspace, result = sample_unit()
    for reuse in (False, True):                          # warm-up, not counted
        one_call(stopwatch, books, workspace, result, reuse)
    rounds: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
    for _ in range(args.rounds):
        for label, reuse in (("before", False), ("after", True)):
            rounds[label].append(one_call(stopwatch, books, workspace, result, reuse))

    median = {label: {piece: round(statistics.median(r[piece] for r in runs), 4) for piece in runs[0]}
              for label, runs in rounds.items()}
    report = {
        "what": (f"flows.unit_pipeline.validate on the sample unit {SAMPLE_UNIT} of data/2024 (with 2023), "
                 f"{len(books.inputs.ledger)} ledger rows, Data Docs built into a fresh folder each call; "
                 "before: quality_gx.clear_cache() ahead of each call (a new GX context, every suite "
                 "registered, Data Docs templates compiled, as before the reuse); after: reused; "
                 "rounds alternate in one process, medians of the rounds, seconds per unit "
                 f"({'CPU seconds of the process' if args.clock == 'cpu' else 'wall seconds'})"),
        "clock": args.clock,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "system": platform.platform()},
        "rounds": args.rounds,
        "median_seconds": median,
        "seconds_per_unit": {label: median[label]["validate"] for label in median},
        "after_vs_before": round(median["after"]["validate"] / median["before"]["validate"], 3),
        "seconds": {label: [round(r["validate"], 4) for r in runs] for label, runs in rounds.items()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for label in ("before", "after"):
        print(label, json.dumps(median[label]))
    print(f"after/before: {report['after_vs_before']}")


if __name__ == "__main__":
    main()
