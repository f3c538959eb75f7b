"""What a settled heap (flows.adapters.heap.settled_heap) saves in a unit's render.

A unit's render makes many short-lived objects; each full garbage collection it triggers walks
every object alive in the process: the imported libraries, the unit's parsed books and, in a task
of several units, the other units' books. One process generates --units units of --rows ledger
rows (tools.demo_data, as benchmarks/city_scale.py), parses, evaluates and validates them, and
times `unit_pipeline.render` of the first unit, CPU seconds, median of --repeats after a warm-up:
  alone           only that unit's books alive
  alone_settled   the same inside settled_heap()
  beside_others   the other units' books alive too (a task of several units)
  beside_others_settled

    python benchmarks/heap_during_render.py [--units 10] [--rows 25000] [--repeats 5]

Writes benchmarks/results/heap_during_render.json.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flows import unit_pipeline, year_inputs
from flows.adapters.heap import settled_heap
from flows.adapters.project_files import default_template

YEAR = 2024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=10)
    parser.add_argument("--rows", type=int, default=25_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "heap_during_render.json")
    args = parser.parse_args()

    unit_pipeline.publish_quality_table = lambda *_args, **_kwargs: None     # no Prefect run to publish into
    with tempfile.TemporaryDirectory() as work:
        data = Path(work) / "data"
        subprocess.run([sys.executable, "-m", "tools.demo_data", "--units", str(args.units), "--rows-per-unit",
                        str(args.rows), "--year", str(YEAR), "--out", str(data)], check=True, cwd=ROOT, capture_output=True)
        reference = year_inputs.load_configuration(YEAR)
        sources = year_inputs.ingest(data, YEAR, reference, [])
        workspace = unit_pipeline.Workspace(reference, default_template(), Path(work) / "out")

        def prepared(unit: str) -> tuple:
            books = unit_pipeline.parse(sources.units[unit], None, workspace)
            result = unit_pipeline.evaluate(books, workspace)
            docs = Path(tempfile.mkdtemp(dir=work))
            return books, result, unit_pipeline.validate(books, workspace, result, docs)

        def render_seconds(case: tuple, settled: bool) -> list[float]:
            books, result, check = case
            seconds = []
            for _ in range(args.repeats + 1):
                started = time.process_time()
                if settled:
                    with settled_heap():
                        unit_pipeline.render(books, workspace, result, check)
                else:
                    unit_pipeline.render(books, workspace, result, check)
                seconds.append(time.process_time() - started)
            return seconds[1:]

        units = sorted(sources.units)
        first = prepared(units[0])
        seconds = {"alone": render_seconds(first, False), "alone_settled": render_seconds(first, True)}
        objects = {"alone": len(gc.get_objects())}
        others = [prepared(unit) for unit in units[1:]]
        seconds |= {"beside_others": render_seconds(first, False), "beside_others_settled": render_seconds(first, True)}
        objects["beside_others"] = len(gc.get_objects())
        del others

    medians = {case: round(statistics.median(runs), 3) for case, runs in seconds.items()}
    report = {
        "what": (f"unit_pipeline.render of one generated unit ({args.rows:,} ledger rows), CPU seconds, median of "
                 f"{args.repeats} after a warm-up; alone, and with {args.units - 1} other units' books alive in the process"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "system": platform.platform()},
        "median_seconds": medians,
        "settled_vs_not": {"alone": round(medians["alone_settled"] / medians["alone"], 3),
                           "beside_others": round(medians["beside_others_settled"] / medians["beside_others"], 3)},
        "objects_tracked_by_the_collector": objects,
        "seconds": {case: [round(x, 4) for x in runs] for case, runs in seconds.items()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report["median_seconds"]), json.dumps(report["settled_vs_not"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
