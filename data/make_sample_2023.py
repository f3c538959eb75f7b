"""Regenerate the 2023 sample of unit 312001 in data/2023/: the prior year for 同比 (year over year).

Unlike 2024, no published report stands behind these figures: they are a plausible prior
year of the same department, written with the same exporter layout as 2024's first half.

Run: python data/make_sample_2023.py   (deterministic; rewrites the files)
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import shutil
from decimal import Decimal
from pathlib import Path

import yaml
from make_sample_2024 import CATEGORY, SUMMARY, group_vouchers, split, workday, write_first_half_csv

HERE = Path(__file__).resolve().parent
YEAR = 2023
UNIT = "312001"
OUT = HERE / str(YEAR)

PERSONNEL = ("RY2023001", "人员经费", "1", "111")
PUBLIC = ("GY2023001", "日常公用经费", "2", "111")
PERSONNEL_ACTUAL = {"30101": "598000.00", "30102": "741200.00", "30103": "168000.00", "30107": "287400.00",
                    "30108": "318900.48", "30109": "154600.32", "30110": "190800.20", "30112": "26900.00",
                    "30113": "279600.00", "30302": "51600.00", "30305": "20400.00"}
FUNC_OF = {"30108": "2080505", "30109": "2080506", "30110": "2101101", "30113": "2210201", "30302": "2080501"}
PUBLIC_ACTUAL = {"30201": "112300.40", "30205": "17600.20", "30206": "46200.75", "30207": "26800.00", "30211": "79450.30",
                 "30213": "33200.00", "30215": "24600.00", "30216": "30100.00", "30217": "6240.00", "30228": "46000.00",
                 "30229": "36500.00", "30231": "42350.60", "30299": "61200.00"}
PROJECTS = [("TS2023001", "青少年事业发展专项经费", "260000.00"), ("TS2023002", "青联、学联、少工委等经费", "180000.00"),
            ("TS2023003", "预防青少年违法犯罪、共青团意识教育经费", "100000.00"),
            ("TS2023004", "青年志愿者、青年就业创业工作经费", "50000.00"), ("TS2023005", "希望工程助学项目经费", "150000.00")]


def y(text: str) -> int:
    return int(Decimal(text) * 100)


def build_lines(rng: random.Random) -> list[dict]:
    lines = []

    def add(date, project, econ, func, amount, summary):
        lines.append(dict(date=date, account="7101", project=project, econ=econ, func=func, fund="111", amount=amount, summary=summary))

    for econ, total in PERSONNEL_ACTUAL.items():
        for month, amount in enumerate(split(y(total), 12, rng), start=1):
            add(dt.date(YEAR, month, 15), PERSONNEL, econ, FUNC_OF.get(econ, "2012901"), amount, SUMMARY[econ].format(m=month))
    for econ, total in PUBLIC_ACTUAL.items():
        for amount in split(y(total), 4 if econ == "30217" else 30, rng):
            add(workday(rng, rng.randint(1, 12), YEAR), PUBLIC, econ, "2012901", amount, SUMMARY[econ])
    for code, name, total in PROJECTS:
        for amount in split(y(total), 20, rng):
            econ = rng.choice(["30201", "30211", "30215", "30216", "30226", "30227"])
            add(workday(rng, rng.randint(2, 12), YEAR), (code, name, "3", "111"), econ, "2012902", amount, f"{name}-{SUMMARY[econ]}")
    lines.sort(key=lambda line: (line["date"], line["econ"]))
    return lines


def write_budget(path: Path) -> None:
    rows = []
    for (code, name, category, fund), table in ((PERSONNEL, PERSONNEL_ACTUAL), (PUBLIC, PUBLIC_ACTUAL)):
        for econ, actual in table.items():
            planned = (Decimal(actual) / 1000).to_integral_value(rounding="ROUND_CEILING") * 1000   # budgets in whole thousands
            rows.append([UNIT, "衡财预〔2023〕1号", "年初预算", f"{category} {CATEGORY[category]}", code, name,
                         FUNC_OF.get(econ, "2012901"), econ, fund, f"{planned:,.2f}"])
    for index, (code, name, total) in enumerate(PROJECTS):
        source = "追加" if code == "TS2023005" else "年初预算"
        rows.append([UNIT, f"衡财预〔2023〕{1 if source == '年初预算' else 40 + index}号", source, "3 特定目标类项目", code, name,
                     "2012902", "30299", "111", f"{Decimal(total):,.2f}"])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["单位编码", "指标文号", "指标来源", "项目类别", "预算项目编码", "预算项目名称", "支出功能分类",
                     "部门预算经济分类", "资金性质", "指标金额"])
    writer.writerows(rows)
    path.write_text("\ufeff" + buffer.getvalue(), encoding="utf-8")


def write_profile(path: Path) -> None:
    profile = yaml.safe_load((HERE / "2024" / "profiles" / f"{UNIT}.yaml").read_text(encoding="utf-8"))
    profile["report_date"] = dt.date(2024, 3, 29)
    profile["staffing"]["as_of"] = dt.date(2023, 12, 31)
    profile["staffing"]["in_post"] = 20
    profile["structure"]["subordinate_institutions"] = [{"name": "衡阳市青少年成长服务中心等两个全额拨款事业单位", "note": "二级事业单位"}]
    path.write_text("# Department profile of 共青团衡阳市委 for 2023 (sample prior year, derived from 2024's).\n"
                    + yaml.safe_dump(profile, allow_unicode=True, sort_keys=False), encoding="utf-8")


def main() -> None:
    rng = random.Random(20231231)
    if OUT.exists():
        shutil.rmtree(OUT)
    (OUT / "ledger" / UNIT).mkdir(parents=True)
    (OUT / "budget").mkdir()
    (OUT / "profiles").mkdir()
    lines = build_lines(rng)
    rows = write_first_half_csv(group_vouchers(lines, 1), OUT / "ledger" / UNIT / "2023年记账凭证.csv")
    write_budget(OUT / "budget" / "2023年指标.csv")
    write_profile(OUT / "profiles" / f"{UNIT}.yaml")
    print(f"{len(lines)} expense lines; csv rows {rows}")


if __name__ == "__main__":
    main()
