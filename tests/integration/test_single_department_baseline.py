"""The one-department baseline (benchmarks/single_department.py) renders the report's own figures.

The benchmark compares `jixiao run` with it; that only means something if it does the same
department's raw work and prints the same numbers in the same template.
"""

from __future__ import annotations

import subprocess
import sys

import docx

from tests.conftest import ROOT, SAMPLE_UNIT


def test_the_baseline_prints_the_sample_reports_figures_in_the_template(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "single_department.py"), "--out", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "actual: 648.31" in done.stdout
    report = docx.Document(str(tmp_path / "2024" / SAMPLE_UNIT / "report.docx"))
    text = "\n".join(p.text for p in report.paragraphs)
    assert "".join(text.split()).startswith("共青团衡阳市委2024年度部门整体支出绩效自评报告")   # the title may break across lines
    assert "全年实际支出648.31万元，预算执行率99.61%" in text
    assert "其中基本支出353.86万元（人员经费291.90万元，公用经费61.96万元）" in text
    assert "上年同期支出413.99万元，同比+56.60%" in text, "last year's figures are read too"
