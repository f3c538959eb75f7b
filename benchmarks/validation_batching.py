"""What running a row suite once over many units' rows would cost per unit, against once per unit.

The design question behind batching validation across units (one checkpoint run per suite for a
batch of units, the unit code as a column): how much of a checkpoint run is a fixed cost per run
and how much grows with the rows. The sample unit's ledger and budget rows are copied K times
under K different unit codes (so the suites' per-unit uniqueness rules still hold) and the
ledger_rows and budget_rows suites are run once over the K copies, as `quality_gx` runs them
(COMPLETE results with the row locators), with the sample's own parameters. Seconds are CPU
seconds of this process, median of --repeats after one warm-up; reported per unit (divided by K).

    python benchmarks/validation_batching.py [--batches 1 10 40] [--repeats 5]

Writes benchmarks/results/validation_batching.json.
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
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from validation_per_unit import SAMPLE_UNIT, sample_unit

from flows import unit_pipeline
from flows.adapters import quality_gx

ROW_SUITES = ("ledger_rows", "budget_rows")


def sample_datasets() -> tuple[dict[str, pd.DataFrame], dict[str, object], Path]:
    """The datasets and parameters the validate stage hands to quality_gx for the sample unit."""
    captured: dict[str, object] = {}
    run_suites = quality_gx.run_suites

    def capture(expectations_dir, datasets, parameters, **kwargs):
        captured.update(expectations_dir=expectations_dir, datasets=datasets, parameters=parameters)
        return run_suites(expectations_dir, datasets, parameters, **kwargs)

    unit_pipeline.publish_quality_table = lambda *_args, **_kwargs: None
    quality_gx.run_suites = capture
    try:
        books, workspace, result = sample_unit()
        with tempfile.TemporaryDirectory() as docs:
            unit_pipeline.validate(books, workspace, result, Path(docs))
    finally:
        quality_gx.run_suites = run_suites
    return captured["datasets"], captured["parameters"], captured["expectations_dir"]


def copies(frame: pd.DataFrame, count: int) -> pd.DataFrame:
    """`count` copies of one unit's rows under distinct unit codes."""
    code = frame["unit_code"].astype(str)
    return pd.concat([frame.assign(unit_code=code + f"{i:03d}") for i in range(count)], ignore_index=True)


def main() -> None:
    parser = argparse.ArgumentParser(description="Per-unit cost of the row suites, once per unit or once per batch.")
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 10, 40])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "validation_batching.json")
    args = parser.parse_args()

    from great_expectations.core.run_identifier import RunIdentifier

    datasets, parameters, expectations_dir = sample_datasets()
    definitions = quality_gx._selected(expectations_dir, parameters, frozenset(ROW_SUITES))
    checkpoints = quality_gx._build(definitions)
    seconds: dict[str, dict[str, list[float]]] = {}
    failed: dict[str, list[str]] = {}
    for units in args.batches:
        frames = {suite.dataset: copies(datasets[suite.dataset], units) for suite in checkpoints.suites}
        for suite in checkpoints.suites:
            runs = []
            for _ in range(args.repeats + 1):
                started = time.process_time()
                outcome = suite.checkpoint.run(batch_parameters={"dataframe": frames[suite.dataset]},
                                               expectation_parameters=dict(parameters),
                                               run_id=RunIdentifier(run_name="batching"))
                runs.append(time.process_time() - started)
            [suite_result] = outcome.run_results.values()
            failed[f"{suite.name}×{units}"] = [r.expectation_config.meta["rule_id"] for r in suite_result.results if not r.success]
            seconds.setdefault(str(units), {})[suite.name] = runs[1:]          # the first is a warm-up
        quality_gx._forget_results(checkpoints.context)

    per_unit = {units: {suite: round(statistics.median(runs) / int(units), 4) for suite, runs in by_suite.items()}
                for units, by_suite in seconds.items()}
    for by_suite in per_unit.values():
        by_suite["both"] = round(sum(by_suite[s] for s in ROW_SUITES), 4)
    base = per_unit[str(args.batches[0])]["both"]
    report = {
        "what": (f"the ledger_rows and budget_rows suites of expectations/ run as quality_gx runs them, once over "
                 f"K copies of the sample unit {SAMPLE_UNIT}'s rows ({len(datasets['ledger'])} ledger rows, "
                 f"{len(datasets['budget'])} budget rows each) under K unit codes; CPU seconds per unit, median of "
                 f"{args.repeats} after a warm-up"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "system": platform.platform()},
        "seconds_per_unit": per_unit,
        "per_unit_vs_one_at_a_time": {units: round(v["both"] / base, 3) for units, v in per_unit.items()},
        "rules_failed": {k: v for k, v in failed.items() if v},
        "seconds": {units: {s: [round(x, 4) for x in runs] for s, runs in by_suite.items()} for units, by_suite in seconds.items()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report["seconds_per_unit"], ensure_ascii=False))
    print(json.dumps(report["per_unit_vs_one_at_a_time"]))


if __name__ == "__main__":
    main()
