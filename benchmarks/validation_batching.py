"""What running a row suite once over many units' rows would cost per unit, against once per unit.

The design question behind batching validation across units (one checkpoint run per suite for a
batch of units, the unit code as a column): how much of a checkpoint run is a fixed cost per run
and how much grows with the rows. The sample unit's ledger and budget rows are copied K times
under K different unit codes (so the suites' per-unit uniqueness rules still hold) and the
ledger_rows and budget_rows suites are run once over the K copies, as `quality_gx` runs them
(COMPLETE results with the row locators), with the sample's own parameters. Seconds are CPU
seconds of this process, median of --repeats after one warm-up; reported per unit (divided by K).

Then the whole quality gate as the flow runs it (`whole_gate`): every suite, Data Docs per unit,
K units validated one by one (`quality_gx.run_suites`) against the same K validated together
(`quality_gx.run_suites_together`), alternating in each round, with a check that both give the
same rule results.

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

    whole_gate = gate_alone_and_together(datasets, parameters, expectations_dir, args.batches, args.repeats)

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
        "whole_gate": whole_gate,
        "seconds": {units: {s: [round(x, 4) for x in runs] for s, runs in by_suite.items()} for units, by_suite in seconds.items()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report["seconds_per_unit"], ensure_ascii=False))
    print(json.dumps(report["per_unit_vs_one_at_a_time"]))
    print(json.dumps(whole_gate["seconds_per_unit"]))


def unit_copies(datasets: dict[str, pd.DataFrame], count: int) -> list[dict[str, pd.DataFrame]]:
    """`count` copies of one unit's datasets, each under a unit code of its own."""
    out = []
    for i in range(count):
        out.append({name: frame.assign(unit_code=frame["unit_code"].astype(str) + f"{i:03d}") if "unit_code" in frame
                    else frame for name, frame in datasets.items()})
    return out


def gate_alone_and_together(datasets, parameters, expectations_dir: Path, batches: list[int], repeats: int) -> dict:
    """The whole quality gate as the flow runs it (every suite, Data Docs built per unit): each of
    K units validated alone (`run_suites`) against the K validated together (`run_suites_together`),
    the two alternating in each round; CPU seconds per unit, median of the rounds after a warm-up."""
    seconds: dict[str, dict[str, list[float]]] = {}
    same: dict[str, bool] = {}
    for count in batches:
        units = unit_copies(datasets, count)
        for round_ in range(repeats + 1):
            with tempfile.TemporaryDirectory() as docs:
                started = time.process_time()
                alone = [quality_gx.run_suites(expectations_dir, unit, parameters, docs_dir=Path(docs) / f"alone-{i}",
                                               run_name=f"unit-{i}") for i, unit in enumerate(units)]
                middle = time.process_time()
                together = quality_gx.run_suites_together(expectations_dir, [
                    quality_gx.UnitValidation(unit, parameters, Path(docs) / f"together-{i}", f"unit-{i}")
                    for i, unit in enumerate(units)])
                ended = time.process_time()
            same[str(count)] = alone == together
            if round_:
                runs = seconds.setdefault(str(count), {"alone": [], "together": []})
                runs["alone"].append(middle - started)
                runs["together"].append(ended - middle)
    per_unit = {count: {way: round(statistics.median(runs) / int(count), 4) for way, runs in by_way.items()}
                for count, by_way in seconds.items()}
    return {
        "what": "every suite with Data Docs per unit: K copies of the sample unit validated one by one, then together",
        "seconds_per_unit": per_unit,
        "together_vs_alone": {count: round(v["together"] / v["alone"], 3) for count, v in per_unit.items()},
        "same_rule_results": same,
        "seconds": {count: {way: [round(x, 4) for x in runs] for way, runs in by_way.items()}
                    for count, by_way in seconds.items()},
    }


if __name__ == "__main__":
    main()
