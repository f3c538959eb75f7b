"""Random corruptions of a real-shaped export never pass the gate with a different total.

Each case flips, inserts or deletes bytes of the sample's CSV ledger export, or rewrites one
cell, then reads it as the run does and runs the quality gate in-process (no Prefect). Either
the totals the report prints are those of the intact export, or the read refuses the file,
or a critical rule names a problem. Double entry is what makes this checkable: every 7101
line of the export has its 8001 counterpart, so an amount changed on one side unbalances
its voucher (VOU-001).
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pandas as pd
import pytest

from flows.adapters import quality_gx
from flows.adapters.data_folder import read_year_sources
from flows.adapters.project_files import load_reference, project_root
from flows.domain.errors import InputError
from flows.domain.quality_inputs import quality_datasets, quality_parameters
from flows.unit_pipeline import Workspace, evaluate, parse
from tests.conftest import ROOT, SAMPLE_UNIT

pytestmark = pytest.mark.slow

CASES = 200
CSV = Path("2024") / "ledger" / SAMPLE_UNIT / "2024年1-6月记账凭证.csv"
NOISE = [b",", b"\"", b"\r\n", b"\n", b"0", b"9", b".", b"-", b" ", b"\xa3\xac", b"\x00", b"\xff"]


def _bytes_corruption(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data))
    match rng.choice(("flip", "insert", "delete", "truncate", "repeat")):
        case "flip":
            return data[:at] + bytes([data[at] ^ (1 << rng.randrange(8))]) + data[at + 1:]
        case "insert":
            return data[:at] + rng.choice(NOISE) + data[at:]
        case "delete":
            return data[:at] + data[at + rng.randint(1, 4):]
        case "truncate":
            return data[:at]
        case _:
            span = data[at:at + rng.randint(1, 80)]
            return data[:at] + span + data[at:]


def _cell_corruption(data: bytes, rng: random.Random) -> bytes:
    lines = data.decode("gb18030").split("\r\n")
    row = rng.randrange(1, len(lines) - 1)
    cells = lines[row].split(",")
    column = rng.randrange(len(cells))
    value = cells[column]
    cells[column] = rng.choice((
        "", value + rng.choice("0.9-"), value[:-1], value.replace(".", ","), f"\"{value}",
        str(rng.randint(-10**6, 10**6)), value.replace("1", "7"), "合计", "①", "1e9", value * 2,
    ))
    lines[row] = ",".join(cells)
    return "\r\n".join(lines).encode("gb18030", errors="replace")


def _totals_and_verdict(data_dir: Path, reference) -> tuple[tuple[int, int], list[str]] | None:
    """(spending total, budget total) and the failing critical rules; None when the read refuses."""
    try:
        sources = read_year_sources(data_dir, 2024, reference)
        workspace = Workspace(reference, project_root() / "templates" / "report.docx", data_dir / "out")
        books = parse(sources.units[SAMPLE_UNIT], None, workspace)
    except InputError:
        return None
    result = evaluate(books, workspace)
    inputs = books.inputs
    datasets = quality_datasets(inputs.ledger, inputs.budget, result.metrics, inputs.ledger_accounting.rejected,
                                inputs.control_totals, inputs.vouchers, inputs.payments, reference.codes.fiscal_fund_sources)
    results = quality_gx.run_suites(project_root() / "expectations", datasets,
                                    quality_parameters(reference, 2024, pd.Timestamp(2025, 1, 10)))
    critical = sorted(r.rule_id for r in results if not r.success and r.severity == "critical")
    return (result.metrics.actual_fen, result.metrics.adjusted_budget_fen), critical


def test_no_corruption_passes_the_gate_with_a_different_total(tmp_path):
    reference = load_reference(2024)
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("*.py"))
    shutil.rmtree(data / "2023")                       # this year only: last year's rows do not change a total
    intact = (data / CSV).read_bytes()
    baseline = _totals_and_verdict(data, reference)
    assert baseline is not None and baseline[1] == [], "the intact sample passes"
    rng = random.Random(2024)
    outcomes = {"same totals": 0, "refused": 0, "blocked": 0}
    silent = []
    for case in range(CASES):
        corrupt = (_bytes_corruption if case % 2 else _cell_corruption)(intact, rng)
        (data / CSV).write_bytes(corrupt)
        seen = _totals_and_verdict(data, reference)
        if seen is None:
            outcomes["refused"] += 1
        elif seen[1]:
            outcomes["blocked"] += 1
        elif seen[0] == baseline[0]:
            outcomes["same totals"] += 1
        else:
            silent.append((case, seen[0], _first_difference(intact, corrupt)))
    print(f"\n{CASES} corruptions: {outcomes}")
    assert silent == [], f"passed the gate with a different total: {silent}"


def _first_difference(a: bytes, b: bytes) -> str:
    at = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    line = a[:at].count(b"\n") + 1
    return f"line {line}: {a[max(0, at - 30):at + 30]!r} -> {b[max(0, at - 30):at + 30]!r}"
