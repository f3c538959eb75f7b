"""Regenerate the 2024 sample exports of 共青团衡阳市委 (unit 312001) in data/2024/.

The sample is synthetic voucher data, shaped like real exports, whose fen amounts are
chosen so that the pipeline's exact sums reproduce every figure of the department's
published 2024 self-evaluation report. Bucket totals below are the design; the voucher
lines are a seeded random split of each bucket, plus 红字 reversals and refunds that
net to zero inside their bucket.

Run: python data/make_sample_2024.py   (deterministic; rewrites the files)
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
YEAR = 2024
UNIT = "312001"
OUT = HERE / str(YEAR)

ECON = {row.split(",")[0]: row.split(",")[1] for row in (HERE.parent / "config/code_lists/2024/economic.csv").read_text(encoding="utf-8").splitlines()[1:]}
FUNC = {row.split(",")[0]: row.split(",")[1] for row in (HERE.parent / "config/code_lists/2024/functional.csv").read_text(encoding="utf-8").splitlines()[1:]}
FUND = {"111": "一般公共预算资金", "29": "其他资金"}
CATEGORY = {"1": "人员类项目", "2": "运转类项目", "3": "特定目标类项目"}


def y(text: str) -> int:
    """Yuan text → fen."""
    return int(Decimal(text) * 100)


# --- design: (project code, name, category, fund, account, func, econ) -> total fen -------
PERSONNEL = ("RY2024001", "人员经费", "1", "111")
PUBLIC = ("GY2024001", "日常公用经费", "2", "111")
PROJECTS = [  # code, name, adjusted budget (yuan), initial?, econ split
    ("TS2024001", "青少年事业发展专项经费", "270000.00", True),
    ("TS2024002", "青联、学联、少工委等经费", "180000.00", True),
    ("TS2024003", "预防青少年违法犯罪、共青团意识教育经费", "100000.00", True),
    ("TS2024004", "青年志愿者、青年就业创业工作经费", "50000.00", True),
    ("TS2024005", "旅发大会志愿服务经费", "1350800.00", False),
    ("TS2024006", "第三届旅发大会工作经费", "59600.00", False),
    ("TS2024007", "2024-2025年度大学生志愿服务西部计划“芙蓉花开”地方项目经费", "221000.00", False),
    ("TS2024008", "团代会项目", "278700.00", False),
    ("TS2024009", "驻村帮扶补助资金项目", "29100.00", False),
    ("TS2024010", "上级补助资金", "40000.00", False),
    ("TS2024011", "市级文产资金", "100000.00", False),
]
OTHER_FUNDS = ("TS2024012", "其它资金", "265291.38", "265300.00")  # actual, adjusted budget

# Basic spending by economic code (yuan); 7101 = 机关 (行政编制), 7201 = 成长服务中心 (事业编制).
PERSONNEL_ACTUAL = {  # econ: (total yuan, functional code)
    "30101": ("611842.00", None), "30102": ("765516.80", None), "30103": ("176400.00", None),
    "30107": ("298650.00", None), "30108": ("326480.64", "2080505"), "30109": ("158215.36", "2080506"),
    "30110": ("196204.40", "2101101"), "30112": ("27640.00", None), "30113": ("287112.00", "2210201"),
    "30119": None,
}
PERSONNEL_ACTUAL.pop("30119")
PERSONNEL_303 = {"30302": ("49200.00", "2080501"), "30305": ("21787.00", None)}
PUBLIC_ACTUAL = {
    "30201": "118436.52", "30205": "18324.60", "30206": "48715.33", "30207": "27908.40",
    "30211": "86213.75", "30213": "38960.00", "30215": "28400.00", "30216": "38250.00",
    "30217": "4986.00", "30228": "48620.00", "30229": "38500.00", "30231": "35712.40",
}
PUBLIC_TOTAL = "619564.25"
PUBLIC_ACTUAL["30299"] = str(Decimal(PUBLIC_TOTAL) - sum(Decimal(v) for v in PUBLIC_ACTUAL.values()))
PROJECT_ECON = ["30201", "30202", "30211", "30215", "30216", "30218", "30226", "30227", "30299"]
SUMMARY = {
    "30101": "发放{m}月基本工资", "30102": "发放{m}月津贴补贴", "30103": "发放{m}月奖金", "30107": "发放{m}月绩效工资",
    "30108": "缴纳{m}月养老保险单位部分", "30109": "缴纳{m}月职业年金单位部分", "30110": "缴纳{m}月医疗保险单位部分",
    "30112": "缴纳{m}月失业工伤保险", "30113": "缴存{m}月住房公积金", "30302": "发放{m}月退休人员补贴",
    "30305": "发放{m}月遗属生活补助", "30201": "购买办公用品", "30205": "缴纳水费", "30206": "缴纳电费",
    "30207": "缴纳电话费网络费", "30211": "报销差旅费", "30213": "办公设备维修", "30215": "召开工作会议",
    "30216": "干部业务培训", "30217": "公务接待（按标准）", "30228": "拨付工会经费", "30229": "职工福利费",
    "30231": "公务用车加油及维修保养", "30299": "其他日常支出", "30202": "资料印刷", "30218": "活动物资采购",
    "30226": "支付志愿服务劳务费", "30227": "委托第三方服务",
}


def split(total: int, parts: int, rng: random.Random, whole_yuan: bool = False) -> list[int]:
    """Split `total` fen into `parts` positive amounts that sum to it exactly."""
    weights = [rng.uniform(0.4, 1.6) for _ in range(parts)]
    scale = sum(weights)
    amounts = [int(total * w / scale) for w in weights]
    if whole_yuan:
        amounts = [a - a % 100 for a in amounts]
    amounts[-1] += total - sum(amounts)
    return amounts


def workday(rng: random.Random, month: int, year: int = YEAR) -> dt.date:
    while True:
        day = dt.date(year, month, rng.randint(2, 28))
        if day.weekday() < 5:
            return day


def build_lines(rng: random.Random) -> list[dict]:
    """Voucher lines (one dict per 7101/7201 line) whose bucket sums are the design above."""
    lines: list[dict] = []

    def add(date, account, project, econ, func, fund, amount, summary):
        lines.append(dict(date=date, account=account, project=project, econ=econ, func=func, fund=fund,
                          amount=amount, summary=summary))

    # Payroll: every month, split between 机关 (7101) and 事业 (7201) staff.
    for econ, (total, func) in {**PERSONNEL_ACTUAL, **PERSONNEL_303}.items():
        monthly = split(y(total), 12, rng)
        for month, amount in enumerate(monthly, start=1):
            date = dt.date(YEAR, month, 15)
            if econ.startswith("303"):
                add(date, "7101", PERSONNEL, econ, func or "2012901", "111", amount, SUMMARY[econ].format(m=month))
                continue
            civil = amount * 3 // 4
            add(date, "7101", PERSONNEL, econ, func or "2012901", "111", civil, SUMMARY[econ].format(m=month))
            add(date, "7201", PERSONNEL, econ, func or "2012950", "111", amount - civil, SUMMARY[econ].format(m=month))
    # 日常公用经费: many small reimbursements through the year.
    for econ, total in PUBLIC_ACTUAL.items():
        count = {"30217": 4, "30231": 48, "30228": 4, "30229": 6, "30201": 260, "30211": 240}.get(econ, 110)
        for amount in split(y(total), count, rng):
            add(workday(rng, rng.randint(1, 12)), "7101", PUBLIC, econ, "2012901", "111", amount, SUMMARY[econ])
    # 项目支出: named projects (财政拨款) and 其它资金.
    for code, name, budget, _initial in PROJECTS:
        project = (code, name, "3", "111")
        total = y(budget)
        first_month = 1 if _initial else 5
        if code == "TS2024007":  # 西部计划: volunteer living subsidies are 对个人和家庭的补助
            for month, amount in enumerate(split(y("150000.00"), 8, rng, whole_yuan=True), start=5):
                add(dt.date(YEAR, month, 20), "7101", project, "30305", "2012902", "111", amount, f"发放西部计划志愿者{month}月生活补助")
            total -= y("150000.00")
        count = max(10, min(260, total // 500_000))
        for amount in split(total, count, rng):
            econ = rng.choice(PROJECT_ECON)
            add(workday(rng, rng.randint(first_month, 12)), "7101", project, econ, "2012902", "111", amount, f"{name}-{SUMMARY[econ]}")
    code, name, actual, _ = OTHER_FUNDS
    for amount in split(y(actual), 30, rng):
        econ = rng.choice(PROJECT_ECON)
        add(workday(rng, rng.randint(3, 12)), "7101", (code, name, "3", "29"), econ, "2012999", "29", amount, f"其它资金-{SUMMARY[econ]}")

    # 红字冲销: a wrong entry, its red reversal (negative debit), both in the same bucket.
    for original in rng.sample(lines, 18):
        date = original["date"] + dt.timedelta(days=rng.randint(1, 5))
        if date.year != YEAR:
            continue
        wrong = rng.randint(20_000, 900_000)
        add(original["date"], original["account"], original["project"], original["econ"], original["func"],
            original["fund"], wrong, original["summary"] + "（金额录入错误）")
        add(date, original["account"], original["project"], original["econ"], original["func"],
            original["fund"], -wrong, "红字冲销：" + original["summary"] + "（金额录入错误）")
    # Refunds booked as credits to the expense account (贷方), offset inside the bucket.
    for original in rng.sample([line for line in lines if line["econ"] in ("30211", "30216")], 6):
        refund = rng.randint(5_000, 80_000)
        original["amount"] += refund
        add(original["date"] + dt.timedelta(days=7) if original["date"].month < 12 else original["date"], original["account"],
            original["project"], original["econ"], original["func"], original["fund"], -refund, "收回多报销款项", )
        lines[-1]["credit"] = True
    lines.sort(key=lambda line: (line["date"], line["account"], line["econ"]))
    return lines


def yuan(fen: int, thousands: bool = True) -> str:
    value = Decimal(fen) / 100
    return f"{value:,.2f}" if thousands else f"{value:.2f}"


def write_first_half_csv(vouchers: list[list[dict]], path: Path) -> int:
    """January–June as the government voucher template exports it: GB18030, code and name apart."""
    headers = ["凭证日期", "凭证类型", "凭证号", "会计科目编码", "会计科目名称", "借方金额", "贷方金额", "摘要", "附件数",
               "预算项目编码", "预算项目名称", "部门编码", "部门名称", "支出功能分类编码", "支出功能分类名称",
               "资金性质编码", "资金性质名称", "项目类别编码", "项目类别名称",
               "部门支出经济分类（账务）编码", "部门支出经济分类（账务）名称"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    rows = 0
    for number, voucher in vouchers:
        total = 0
        for line in voucher:
            (code, name, category, fund) = line["project"]
            account_name = "行政支出" if line["account"] == "7101" else "事业支出"
            debit, credit = ("", yuan(-line["amount"])) if line.get("credit") else (yuan(line["amount"]), "")
            total += line["amount"]
            writer.writerow([line["date"].strftime("%Y/%-m/%-d"), "记", str(number), line["account"], account_name,
                             debit, credit, line["summary"], "1", code, name, "0102" if line["account"] == "7101" else "0201",
                             "机关" if line["account"] == "7101" else "青少年成长服务中心", line["func"], FUNC[line["func"]],
                             line["fund"], FUND[line["fund"]], category, CATEGORY[category], line["econ"], ECON[line["econ"]]])
            rows += 1
        # The budget-accounting counterpart of every expense voucher: 资金结存 credited.
        writer.writerow([voucher[0]["date"].strftime("%Y/%-m/%-d"), "记", str(number), "8001", "资金结存", "", yuan(total),
                         voucher[0]["summary"], "1", "", "", "", "", "", "", "", "", "", "", "", ""])
        rows += 1
    path.write_bytes(buffer.getvalue().encode("gb18030"))
    return rows


def write_second_half_xlsx(vouchers: list[list[dict]], path: Path) -> int:
    """July–December as a 明细账 export: title band, code+name in one cell, 分录号, 本月合计 rows."""
    book = Workbook()
    sheet = book.active
    sheet.title = "明细账"
    sheet.append([f"共青团衡阳市委 {YEAR}年7月—12月 支出明细账"])
    sheet.append(["单位：元"])
    sheet.append(["日期", "凭证字号", "分录号", "科目代码", "科目名称", "摘要", "支出功能分类", "部门支出经济分类",
                  "预算项目", "项目类别", "资金性质", "借方", "贷方"])
    rows = 0
    month_total = 0
    month = 7
    for number, voucher in vouchers:
        if voucher[0]["date"].month != month:
            sheet.append(["本月合计", "", "", "", "", "", "", "", "", "", "", month_total / 100, ""])
            rows += 1
            month, month_total = voucher[0]["date"].month, 0
        for line_no, line in enumerate(voucher, start=1):
            (code, name, category, fund) = line["project"]
            amount = line["amount"]
            month_total += amount
            # Most amounts are numeric cells; some exporters write text with separators.
            shown = -amount if line.get("credit") else amount
            cell_value = yuan(shown) if number % 7 == 0 else shown / 100
            debit, credit = ("", cell_value) if line.get("credit") else (cell_value, "")
            sheet.append([dt.datetime.combine(line["date"], dt.time()), f"记-{number:04d}", line_no, line["account"],
                          "行政支出" if line["account"] == "7101" else "事业支出", line["summary"],
                          f"{line['func']} {FUNC[line['func']]}", f"{line['econ']} {ECON[line['econ']]}",
                          f"{code} {name}", f"{category} {CATEGORY[category]}", f"{fund} {FUND[fund]}", debit, credit])
            rows += 1
    sheet.append(["本月合计", "", "", "", "", "", "", "", "", "", "", month_total / 100, ""])
    rows += 1
    book.save(path)
    return rows


def group_vouchers(lines: list[dict], start: int) -> list[tuple[int, list[dict]]]:
    """Lines of the same day, account and fund share a voucher (payroll lines together)."""
    vouchers: list[tuple[int, list[dict]]] = []
    key = None
    for line in lines:
        this = (line["date"], line["project"][0], line["summary"][:4])
        if this != key or len(vouchers[-1][1]) >= 12:
            vouchers.append((start + len(vouchers), []))
            key = this
        vouchers[-1][1].append(line)
    return vouchers


def write_budget(path: Path) -> None:
    """指标 export: UTF-8 with BOM, thousand separators, one row per 指标."""
    rows = []
    personnel_budget = {"30101": "620000", "30102": "770000", "30103": "170000", "30107": "300000", "30108": "330000",
                        "30109": "160000", "30110": "200000", "30112": "30000", "30113": "290000", "30302": "50000",
                        "30305": "22000"}
    public_budget = {"30201": "120000", "30205": "20000", "30206": "50000", "30207": "30000", "30211": "90000",
                     "30213": "40000", "30215": "30000", "30216": "40000", "30217": "10000", "30228": "50000",
                     "30229": "40000", "30231": "40000", "30299": "62200"}
    doc_initial = "衡财预〔2024〕1号"
    for (code, name, category, fund), table in ((PERSONNEL, personnel_budget), (PUBLIC, public_budget)):
        for econ, amount in table.items():
            func = {"30108": "2080505", "30109": "2080506", "30110": "2101101", "30113": "2210201", "30302": "2080501"}.get(econ, "2012901")
            rows.append([UNIT, doc_initial, "年初预算", f"{category} {CATEGORY[category]}", code, name, func, econ, fund, y(amount)])
    for index, (code, name, budget, initial) in enumerate(PROJECTS):
        source, doc = ("年初预算", doc_initial) if initial else ("追加", f"衡财预〔2024〕{31 + index}号")
        if code == "TS2024007":
            rows.append([UNIT, doc, source, "3 特定目标类项目", code, name, "2012902", "30305", "111", y("150000.00")])
            rows.append([UNIT, doc, source, "3 特定目标类项目", code, name, "2012902", "30299", "111", y(budget) - y("150000.00")])
        else:
            rows.append([UNIT, doc, source, "3 特定目标类项目", code, name, "2012902", "30299", "111", y(budget)])
    code, name, _, budget = OTHER_FUNDS
    rows.append([UNIT, "团市委〔2024〕资金计划", "追加", "3 特定目标类项目", code, name, "2012999", "30299", "29", y(budget)])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["单位编码", "指标文号", "指标来源", "项目类别", "预算项目编码", "预算项目名称", "支出功能分类",
                     "部门预算经济分类", "资金性质", "指标金额"])
    for row in rows:
        writer.writerow(row[:-1] + [yuan(row[-1])])
    path.write_text("\ufeff" + buffer.getvalue(), encoding="utf-8")


def main() -> None:
    rng = random.Random(20241231)
    lines = build_lines(rng)
    first = [line for line in lines if line["date"].month <= 6]
    second = [line for line in lines if line["date"].month > 6]
    ledger_dir = OUT / "ledger" / UNIT
    ledger_dir.mkdir(parents=True, exist_ok=True)
    (OUT / "budget").mkdir(parents=True, exist_ok=True)
    first_vouchers = group_vouchers(first, 1)
    second_vouchers = group_vouchers(second, len(first_vouchers) + 1)
    a = write_first_half_csv(first_vouchers, ledger_dir / "2024年1-6月记账凭证.csv")
    b = write_second_half_xlsx(second_vouchers, ledger_dir / "2024年7-12月支出明细账.xlsx")
    write_budget(OUT / "budget" / "2024年指标.csv")
    print(f"{len(lines)} expense lines; csv rows {a}, xlsx rows {b}")


if __name__ == "__main__":
    main()
