"""Synthetic city-wide demo data: many departments' ledger exports, budget and profiles.

`write_demo_data` writes `<out>/<year>/` in the layout of `data/`, so the pipeline reads it
unchanged:

    ledger/city_ledger_<year>_<MM>.csv   12 monthly exports of the whole city (GB18030,
                                         voucher-template headers plus 单位编码 and 单位名称)
    budget/city_budget_<year>.csv        every unit's 指标 (UTF-8 with BOM)
    profiles/<unit>.yaml                 one department profile per unit

Everything is invented. The numbers are built so that every unit passes the quality gate:
each project's spending stays below its adjusted budget, every ledger project is budgeted,
every code comes from the year's code lists, 红字 lines say why they are negative, and each
(project, economic code) total is a whole hundred yuan so that no printed table has a 尾差.

A unit's whole year is planned as compact numpy arrays (about 23 bytes per row); the text
is made and written one month at a time, so memory stays bounded and no row ever exists
as a Python object for long. Random draws come from one generator per unit, seeded with
(seed, unit index): the same seed gives the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import yaml

from flows.adapters.project_files import load_code_lists
from flows.domain.errors import InputError
from flows.domain.reference import CodeLists

# --- output format ------------------------------------------------------------------------

# The headers of the government voucher template (data/2024/ledger/312001/…记账凭证.csv),
# preceded by the unit columns a city-wide export carries.
VOUCHER_TEMPLATE_HEADERS = (
    "凭证日期", "凭证类型", "凭证号", "会计科目编码", "会计科目名称", "借方金额", "贷方金额", "摘要", "附件数",
    "预算项目编码", "预算项目名称", "部门编码", "部门名称", "支出功能分类编码", "支出功能分类名称",
    "资金性质编码", "资金性质名称", "项目类别编码", "项目类别名称",
    "部门支出经济分类（账务）编码", "部门支出经济分类（账务）名称",
)
LEDGER_HEADERS = ("单位编码", "单位名称", *VOUCHER_TEMPLATE_HEADERS)
BUDGET_HEADERS = ("单位编码", "指标文号", "指标来源", "项目类别", "预算项目编码", "预算项目名称", "支出功能分类",
                  "部门预算经济分类", "资金性质", "指标金额")
LEDGER_ENCODING = "gb18030"
CSV_LINE_END = "\r\n"            # what the voucher template writes (Windows software)
TAIL_FIELDS = 12                 # 预算项目编码 … 经济分类名称: the columns a 8001 line leaves empty

MIN_ROWS_PER_UNIT = 500          # payroll alone takes up to ~300 rows a year
MAX_ROWS_PER_UNIT = 5_000_000

# --- the invented city --------------------------------------------------------------------

CITY = "衡阳市"
UNIT_CODE_PREFIX = "43"          # + four digits: 430001, 430002, …
CATEGORY_NAMES = {"1": "人员类项目", "2": "运转类项目", "3": "特定目标类项目"}
ACCOUNT_NAMES = {"7101": "行政支出", "7201": "事业支出", "8001": "资金结存"}
ACCOUNTS = ("7101", "7201", "8001")

# (name, kind, field of work). kind: admin = 行政单位 (7101), inst = 事业单位 (7201),
# mass = 群团组织 (7101, led by the Party committee).
DEPARTMENTS: tuple[tuple[str, str, str], ...] = (
    ("发展和改革委员会", "admin", "发展改革"), ("教育局", "admin", "教育"), ("科学技术局", "admin", "科技创新"),
    ("工业和信息化局", "admin", "工业和信息化"), ("民族宗教事务委员会", "admin", "民族宗教"), ("民政局", "admin", "民政"),
    ("司法局", "admin", "司法行政"), ("财政局", "admin", "财政管理"), ("人力资源和社会保障局", "admin", "人力资源和社会保障"),
    ("自然资源和规划局", "admin", "自然资源"), ("生态环境局", "admin", "生态环境保护"),
    ("住房和城乡建设局", "admin", "住房城乡建设"),
    ("交通运输局", "admin", "交通运输"), ("水利局", "admin", "水利"), ("农业农村局", "admin", "农业农村"),
    ("商务局", "admin", "商务"), ("文化旅游广电体育局", "admin", "文化旅游"), ("卫生健康委员会", "admin", "卫生健康"),
    ("退役军人事务局", "admin", "退役军人服务"), ("应急管理局", "admin", "应急管理"), ("审计局", "admin", "审计监督"),
    ("市场监督管理局", "admin", "市场监管"), ("统计局", "admin", "统计调查"), ("医疗保障局", "admin", "医疗保障"),
    ("林业局", "admin", "林业"), ("城市管理和综合执法局", "admin", "城市管理"), ("信访局", "admin", "信访"),
    ("机关事务管理局", "admin", "机关事务"), ("数据资源局", "admin", "数据资源"), ("人民防空办公室", "admin", "人民防空"),
    ("地方金融事务中心", "inst", "地方金融服务"), ("乡村振兴局", "admin", "乡村振兴"),
    ("粮食和物资储备局", "admin", "粮食和物资储备"),
    ("总工会", "mass", "职工服务"), ("妇女联合会", "mass", "妇女儿童"), ("科学技术协会", "mass", "科学普及"),
    ("文学艺术界联合会", "mass", "文学艺术"), ("残疾人联合会", "mass", "残疾人服务"), ("工商业联合会", "mass", "民营经济服务"),
    ("红十字会", "mass", "红十字"), ("归国华侨联合会", "mass", "侨务"), ("社会科学界联合会", "mass", "社科普及"),
    ("公共资源交易中心", "inst", "公共资源交易"), ("不动产登记中心", "inst", "不动产登记"),
    ("疾病预防控制中心", "inst", "疾病预防控制"),
    ("社会保险服务中心", "inst", "社会保险经办"), ("政务服务中心", "inst", "政务服务"), ("图书馆", "inst", "公共阅读服务"),
    ("博物馆", "inst", "文物保护和陈列展览"), ("群众艺术馆", "inst", "群众文化"), ("档案馆", "inst", "档案管理"),
    ("地方志编纂中心", "inst", "地方志编纂"), ("融媒体中心", "inst", "新闻宣传"), ("大数据中心", "inst", "政务数据"),
    ("国土空间规划研究中心", "inst", "国土空间规划"), ("农业科学研究所", "inst", "农业科研"),
    ("水文水资源勘测中心", "inst", "水文监测"),
    ("园林绿化中心", "inst", "城市园林绿化"), ("房屋征收服务中心", "inst", "房屋征收"), ("机关幼儿园", "inst", "学前教育"),
    ("体育运动学校", "inst", "竞技体育人才培养"), ("住房保障服务中心", "inst", "住房保障"),
    ("就业服务中心", "inst", "就业服务"),
    ("救助管理站", "inst", "社会救助"),
)
# Beyond the city's own departments, the same departments of its districts and counties.
DISTRICTS = ("珠晖区", "雁峰区", "石鼓区", "蒸湘区", "南岳区", "衡阳县", "衡南县", "衡山县", "衡东县", "祁东县",
             "耒阳市", "常宁市")
UNITS_PER_CITY = len(DEPARTMENTS) * (1 + len(DISTRICTS))
# A province-scale run (benchmarks/province_dask.py) goes on into the other cities of the
# province; their county-level units are numbered (the names only need to be distinct).
PROVINCE_CITIES = ("长沙市", "株洲市", "湘潭市", "邵阳市", "岳阳市", "常德市", "张家界市", "益阳市", "郴州市",
                   "永州市", "怀化市", "娄底市", "湘西土家族苗族自治州")
MAX_UNITS = 9999                 # four digits after the province prefix

SPECIAL_PROJECT_NAMES = (
    "信息化建设及运维经费", "业务培训经费", "宣传工作经费", "专项督查检查经费", "课题调研经费", "档案数字化加工经费",
    "安全生产专项经费", "重点工作推进经费", "驻村帮扶工作经费", "市委市政府交办事项经费", "办公用房维修改造经费",
    "文明城市创建工作经费", "法律顾问服务经费", "政务公开及新媒体运营经费", "执法装备购置经费", "第三方评估服务经费",
    "基层阵地建设补助经费", "志愿服务活动经费", "应急演练及物资储备经费", "人才引进工作经费", "招商引资工作经费",
    "网络安全等级保护测评经费", "党建工作经费", "政府购买服务经费", "标准化建设经费", "专家评审经费",
)
OTHER_FUND_PROJECT_NAMES = ("单位自有资金安排业务经费", "非税收入安排专项经费", "上级补助及其他资金项目")

# --- economic codes: how often they occur, typical line amount (yuan), summaries ---------

# 日常公用经费 (运转类): code -> (relative frequency, typical amount)
PUBLIC_ECON: dict[str, tuple[float, float]] = {
    "30201": (20, 450), "30202": (3, 900), "30205": (2, 600), "30206": (3, 2200), "30207": (4, 500),
    "30209": (2, 6000), "30211": (20, 900), "30213": (6, 1200), "30214": (1, 4000), "30215": (4, 2500),
    "30216": (4, 3000), "30217": (2, 500), "30228": (1, 5000), "30229": (1, 1500), "30231": (5, 600),
    "30239": (3, 1200), "30299": (8, 500), "31002": (2, 4500),
}
# 特定目标类项目: code -> typical amount. No "三公" codes: a project's spending stays out of them.
PROJECT_ECON: dict[str, float] = {
    "30201": 800, "30202": 3000, "30203": 20000, "30211": 1500, "30213": 5000, "30214": 8000, "30215": 6000,
    "30216": 8000, "30218": 6000, "30226": 3000, "30227": 30000, "30299": 2000, "31002": 8000, "31003": 30000,
    "31007": 20000, "30305": 1500, "30309": 2000,
}
SUMMARIES: dict[str, tuple[str, ...]] = {
    "30201": ("购买办公用品", "购买打印纸及耗材", "报销办公用品费"), "30202": ("资料印刷", "印制宣传资料"),
    "30203": ("支付咨询服务费",), "30205": ("缴纳水费",), "30206": ("缴纳电费",), "30207": ("缴纳电话费网络费", "支付邮寄费"),
    "30209": ("支付物业管理费",), "30211": ("报销差旅费", "报销出差住宿费", "报销出差交通费"),
    "30213": ("办公设备维修", "办公楼日常维修"), "30214": ("支付场地租赁费",), "30215": ("召开工作会议", "支付会议场地费"),
    "30216": ("干部业务培训", "支付培训费"), "30217": ("公务接待（按标准）",), "30218": ("活动物资采购", "购买专用材料"),
    "30226": ("支付劳务费", "支付专家劳务费"), "30227": ("委托第三方服务", "支付委托业务费"), "30228": ("拨付工会经费",),
    "30229": ("职工福利费",), "30231": ("公务用车加油及维修保养", "公务用车保险费"), "30239": ("发放公务交通补贴",),
    "30299": ("其他日常支出", "支付其他商品和服务费"), "31002": ("购置办公设备",), "31003": ("购置专用设备",),
    "31007": ("信息系统软件采购",), "30305": ("发放生活补助",), "30309": ("发放奖励金",),
}
SUMMARY_VARIANTS = 3

# Payroll, per person and month (yuan), by account: 7101 机关 (行政编制), 7201 事业编制.
WAGES = {"7101": {"30101": 3300, "30102": 4300, "30103": 700}, "7201": {"30101": 3000, "30102": 1200, "30107": 3900}}
CONTRIBUTIONS = {"30108": 0.16, "30109": 0.08, "30110": 0.09, "30112": 0.012}   # share of the wage bill
HOUSING_FUND = 0.12
RETIREE_MONTHLY = 800
PAYROLL_SUMMARY = {
    "30101": "发放{m}月基本工资", "30102": "发放{m}月津贴补贴", "30103": "发放{m}月奖金", "30107": "发放{m}月绩效工资",
    "30108": "缴纳{m}月养老保险单位部分", "30109": "缴纳{m}月职业年金单位部分", "30110": "缴纳{m}月医疗保险单位部分",
    "30112": "缴纳{m}月失业工伤保险", "30113": "缴存{m}月住房公积金", "30302": "发放{m}月离退休人员补贴",
}
REFUND_ECON = ("30211", "30215", "30216")

# Expense lines per voucher (each voucher also has its 8001 资金结存 line).
VOUCHER_SIZES = np.array([1, 2, 3, 4, 5])
VOUCHER_SIZE_P = np.array([0.45, 0.27, 0.15, 0.08, 0.05])
PROJECT_VOUCHER_SHARE = 0.45
PUBLIC_MONTH_WEIGHTS = np.array([0.7, 0.8, 1, 1, 1, 1, 1, 1, 1, 1, 1.1, 1.4])
REVERSALS_PER_ROW = 0.002        # 红字冲销 of a wrong entry
REFUNDS_PER_ROW = 0.001          # 收回多报销款项, booked as a credit on the expense account

WHOLE_HUNDRED_FEN = 10_000       # 100 yuan = 0.01 万元: bucket totals print without 尾差
MIN_LINE_FEN = 1_000

BASE, WRONG, REVERSAL, REFUND = 0, 1, 2, 3   # line kinds: ordinary, wrong entry, its 红字 reversal, refund


# --- public API ----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What `write_demo_data` wrote (paths relative to the output folder)."""

    year: int
    units: list[str]
    ledger_rows: int          # data rows in the ledger files (8001 counterpart lines included)
    expense_lines: int        # of which 7101/7201 lines (the rows the pipeline loads)
    budget_rows: int
    files: list[str]


def demo_data_problem(year: int, units: int, rows_per_unit: int, seed: int, today: dt.date | None = None) -> str | None:
    """Why these arguments cannot make usable demo data (Chinese, for the user), or None."""
    today = today or dt.date.today()
    if year >= today.year:
        # Vouchers dated after the export day are a critical quality failure (LED-013).
        return f"{year} 年度尚未结束，只能生成已结束年度（{today.year - 1} 年或更早）的演示数据"
    if not 1 <= units <= MAX_UNITS:
        return f"单位个数应在 1 到 {MAX_UNITS} 之间"
    if not MIN_ROWS_PER_UNIT <= rows_per_unit <= MAX_ROWS_PER_UNIT:
        return f"每个单位的账簿行数应在 {MIN_ROWS_PER_UNIT} 到 {MAX_ROWS_PER_UNIT} 之间"
    if seed < 0:
        return "随机种子应为非负整数"
    return None


def write_demo_data(
    out_dir: Path, year: int, units: int, rows_per_unit: int, seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Write a synthetic city's inputs for `year` into `out_dir/<year>/`.

    Args:
        out_dir: the data folder (the pipeline's `--data`).
        units: how many budget units (departments).
        rows_per_unit: data rows per unit across the 12 ledger files, 8001 lines included.
        seed: same seed, same bytes.
        progress: called as progress(months written, 12) after each monthly file.

    Raises:
        ValueError: unusable arguments (message in Chinese).
        FileExistsError: `out_dir/<year>` exists and is not empty.
        InputError: no code lists for `year` in config/code_lists.
    """
    problem = demo_data_problem(year, units, rows_per_unit, seed)
    if problem:
        raise ValueError(problem)
    out_dir = Path(out_dir)
    folder = out_dir / str(year)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise FileExistsError(f"{folder} 已存在且不为空")
    codes = load_code_lists(year)
    _check_codes(codes)
    calendar = _calendar(year)
    specs = [_unit_spec(index, year, seed) for index in range(units)]
    ledgers = [_unit_ledger(spec, rows_per_unit, calendar, codes, seed) for spec in specs]
    files = _write_ledger(folder, year, ledgers, calendar, progress)
    budget_rows = [row for spec, ledger in zip(specs, ledgers, strict=True) for row in _budget_rows(spec, ledger, year, seed)]
    files.append(_write_budget(folder, year, budget_rows))
    files += [_write_profile(folder, spec, year, seed) for spec in specs]
    return DemoSummary(
        year=year,
        units=[spec.code for spec in specs],
        ledger_rows=sum(len(ledger.day) for ledger in ledgers),
        expense_lines=sum(int((ledger.account != ACCOUNTS.index("8001")).sum()) for ledger in ledgers),
        budget_rows=len(budget_rows),
        files=[path.relative_to(out_dir).as_posix() for path in files],
    )


# --- calendar -----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Calendar:
    day_text: np.ndarray      # "2024/1/2" for each day of the year (object array)
    month_of_day: np.ndarray  # 1..12 for each day of the year
    workdays: np.ndarray      # day-of-year indices of working days, ascending
    month_start: np.ndarray   # index into `workdays` of each month's first working day (+ end)
    payday: np.ndarray        # payroll day (the 15th, or the next working day) of each month


def _calendar(year: int) -> _Calendar:
    days = np.arange(np.datetime64(f"{year}-01-01"), np.datetime64(f"{year + 1}-01-01"))
    months = days.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day_of_month = (days - days.astype("datetime64[M]")).astype(np.int64) + 1
    # Weekends and the fixed public holidays are left empty, as in a real ledger.
    holidays = [np.datetime64(f"{year}-{md}") for md in ("01-01", "05-01", "10-01", "10-02", "10-03")]
    workdays = np.flatnonzero(np.is_busday(days, holidays=holidays))
    month_start = np.searchsorted(months[workdays], np.arange(1, 14))
    payday = np.searchsorted(days[workdays], np.array([np.datetime64(f"{year}-{m:02d}-15") for m in range(1, 13)]))
    return _Calendar(
        day_text=np.array([f"{year}/{m}/{d}" for m, d in zip(months.tolist(), day_of_month.tolist(), strict=True)], dtype=object),
        month_of_day=months.astype(np.int8),
        workdays=workdays,
        month_start=month_start,
        payday=workdays[payday],
    )


def _random_workdays(calendar: _Calendar, months: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A uniformly drawn working day in each given month (1..12)."""
    start = calendar.month_start[months - 1]
    count = calendar.month_start[months] - start
    return calendar.workdays[start + (rng.random(len(months)) * count).astype(np.int64)]


def _later_workdays(calendar: _Calendar, days: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """The working day `shift` working days after each day, never past the year's last one."""
    rank = np.searchsorted(calendar.workdays, days)
    return calendar.workdays[np.minimum(rank + shift, len(calendar.workdays) - 1)]


# --- units ----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Project:
    code: str
    name: str
    category: str            # 1 人员类, 2 运转类, 3 特定目标类
    fund: str
    account: str             # special projects are booked on one account
    econ_codes: tuple[str, ...]
    start_month: int         # projects funded during the year start spending later
    funding: str             # initial | addition | carryover: how its 指标 arrived
    execution: float         # the share of its adjusted budget it spends
    size_fen: int            # planned spending (special projects)


@dataclass(frozen=True, slots=True)
class _UnitSpec:
    index: int
    code: str
    name: str
    short_name: str
    kind: str
    domain: str
    led_by: str
    admin_staff: int         # 行政编制 in post (7101 payroll)
    inst_staff: int          # 事业编制 in post (7201 payroll)
    worker_staff: int        # 工勤 in post (7101 payroll)
    spare_posts: tuple[int, int, int]   # 编制 not filled, per kind
    retirees: int
    sub_name: str            # subordinate 事业单位 booked on 7201, or ""
    offices: int
    projects: tuple[_Project, ...]      # personnel, public, specials…, other funds (optional)

    @property
    def staff(self) -> int:
        return self.admin_staff + self.inst_staff + self.worker_staff

    @property
    def specials(self) -> tuple[_Project, ...]:
        return tuple(p for p in self.projects if p.category == "3" and p.fund == "111")


def _rng(seed: int, unit: int, stream: int) -> np.random.Generator:
    """Independent random streams per unit and purpose: a unit's data do not depend on how many units are made."""
    return np.random.default_rng([seed, unit, stream])


def _unit_identity(index: int) -> tuple[str, str, str, str, str, str]:
    """Code, name, short name, kind, field of work and leading body of the index-th unit (seed-independent)."""
    name, kind, domain = DEPARTMENTS[index % len(DEPARTMENTS)]
    city_index, within = divmod(index, UNITS_PER_CITY)
    level = within // len(DEPARTMENTS)
    code = f"{UNIT_CODE_PREFIX}{index + 1:04d}"
    city = CITY if city_index == 0 else PROVINCE_CITIES[(city_index - 1) % len(PROVINCE_CITIES)]
    if city_index > len(PROVINCE_CITIES):
        city = f"{city}（{city_index // (len(PROVINCE_CITIES) + 1) + 1}）"
    if level == 0:
        government, party, full = f"{city}人民政府", f"中共{city}委", f"{city}{name}"
        short = name if city_index == 0 else full
    else:
        district = DISTRICTS[level - 1] if city_index == 0 else f"{city}第{level:02d}县（市、区）"
        government, party, full = f"{district}人民政府", f"中共{district}委", f"{district}{name}"
        short = full
    return code, full, short, kind, domain, party if kind == "mass" else government


def _unit_spec(index: int, year: int, seed: int) -> _UnitSpec:
    code, name, short, kind, domain, led_by = _unit_identity(index)
    rng = _rng(seed, index, 0)
    admin = inst = workers = 0
    if kind == "inst":
        inst = int(np.clip(rng.lognormal(np.log(40), 0.6), 10, 200))
    else:
        admin = int(np.clip(rng.lognormal(np.log(30 if kind == "admin" else 14), 0.5), 6, 150))
        workers = int(rng.integers(0, 4))
        if rng.random() < (0.4 if kind == "admin" else 0.25):
            inst = int(np.clip(rng.lognormal(np.log(15), 0.5), 4, 60))
    retirees = int(rng.integers(2, 26)) if admin and rng.random() < 0.6 else 0
    sub_name = f"{name}{'服务中心' if not name.endswith('中心') else '服务站'}" if inst and kind != "inst" else ""
    spare = tuple(int(rng.integers(0, 3)) if n else 0 for n in (admin, inst, workers))
    offices = int(rng.integers(4, 15) if kind == "admin" else rng.integers(3, 9))
    spec = _UnitSpec(index, code, name, short, kind, domain, led_by, admin, inst, workers, spare, retirees, sub_name,
                     offices, ())
    return replace(spec, projects=_projects(spec, year, rng))


def _projects(spec: _UnitSpec, year: int, rng: np.random.Generator) -> tuple[_Project, ...]:
    """The unit's 预算项目: 人员类, 运转类, several 特定目标类 and sometimes one on other funds."""
    main_account = "7201" if spec.kind == "inst" else "7101"
    projects = [
        _Project(f"RY{year}001", "人员经费", "1", "111", main_account, (), 1, "initial", float(rng.uniform(0.95, 0.995)), 0),
        _Project(f"GY{year}001", "日常公用经费", "2", "111", main_account, (), 1, "initial", float(rng.uniform(0.90, 0.99)), 0),
    ]
    count = int(rng.integers(3, 9))
    names = [f"{spec.domain}专项工作经费", *rng.choice(SPECIAL_PROJECT_NAMES, size=count - 1, replace=False).tolist()]
    econ_pool = list(PROJECT_ECON)
    for number, name in enumerate(names, start=1):
        funding = str(rng.choice(["initial", "addition", "carryover"], p=[0.6, 0.3, 0.1]))
        account = "7201" if spec.inst_staff and spec.kind != "inst" and rng.random() < 0.2 else main_account
        size_yuan = float(np.clip(rng.lognormal(np.log(spec.staff * 15_000), 0.7), 50_000, 30_000_000))
        projects.append(_Project(
            f"XM{year}{number:03d}", name, "3", "111", account,
            tuple(rng.choice(econ_pool, size=int(rng.integers(2, 6)), replace=False).tolist()),
            int(rng.integers(4, 10)) if funding == "addition" else 1, funding, float(rng.uniform(0.86, 0.99)),
            int(size_yuan) * 100,
        ))
    if rng.random() < (0.3 if spec.kind == "mass" else 0.5):
        # Money outside 财政拨款 (fees, own income): reported apart as 其它资金.
        size_yuan = float(np.clip(rng.lognormal(np.log(spec.staff * 6_000), 0.6), 30_000, 5_000_000))
        projects.append(_Project(
            f"XM{year}{count + 1:03d}", str(rng.choice(OTHER_FUND_PROJECT_NAMES)), "3", "21" if spec.kind == "inst" else "29",
            main_account, tuple(rng.choice(econ_pool, size=int(rng.integers(2, 4)), replace=False).tolist()), 1, "initial",
            float(rng.uniform(0.86, 0.98)), int(size_yuan) * 100,
        ))
    return tuple(projects)


# --- one unit's ledger -------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _UnitLedger:
    """One unit's ledger rows for the year, in file order, as compact arrays."""

    prefix: str               # "单位编码,单位名称," of every row
    day: np.ndarray           # day of year (int16)
    number: np.ndarray        # voucher number (int32)
    account: np.ndarray       # index into ACCOUNTS (int8)
    value: np.ndarray         # printed amount in fen (int64), on the `credit` side or not
    credit: np.ndarray        # bool
    summary: np.ndarray       # index into `summaries` (int32)
    attachments: np.ndarray   # 附件数 (int8)
    tail: np.ndarray          # index into `tails` (int32); 0 = the empty tail of an 8001 line
    summaries: np.ndarray     # object array of str
    tails: np.ndarray         # object array of str: "预算项目编码,…,经济分类名称"
    month_offsets: np.ndarray  # rows of month m are [month_offsets[m-1], month_offsets[m])
    totals: dict[tuple[int, str, str], int]   # (project index, econ, func) -> spending in fen


class _Interned:
    """Strings stored once per unit and referred to by index."""

    def __init__(self, first: str = "") -> None:
        self.items: list[str] = [first]
        self.index: dict[str, int] = {first: 0}

    def __call__(self, text: str) -> int:
        found = self.index.get(text)
        if found is None:
            found = self.index[text] = len(self.items)
            self.items.append(text)
        return found


@dataclass(frozen=True, slots=True)
class _Bucket:
    project: int
    econ: str
    account: str
    func: str


def _func_code(project: _Project, econ: str, account: str) -> str:
    """支出功能分类 of a line: social contributions and retirees have their own 项; projects are 一般行政管理事务."""
    if project.category == "3":
        return "2012902" if project.fund in ("111", "112", "113") else "2012999"
    special = {"30108": "2080505", "30109": "2080506", "30113": "2210201", "30302": "2080501",
               "30110": "2101101" if account == "7101" else "2101102"}
    return special.get(econ, "2012901" if account == "7101" else "2012950")


class _Lines:
    """Expense lines of one unit being assembled (columnar), and their vouchers."""

    def __init__(self, spec: _UnitSpec, codes: CodeLists) -> None:
        self.spec, self.codes = spec, codes
        self.buckets: list[_Bucket] = []
        self.bucket_index: dict[tuple[int, str, str], int] = {}
        self.summaries = _Interned()
        self.columns: dict[str, list[np.ndarray]] = {k: [] for k in ("voucher", "bucket", "amount", "summary", "kind")}
        self.voucher_day: list[np.ndarray] = []
        self.voucher_rank: list[np.ndarray] = []     # order among vouchers of the same day
        self.vouchers = 0

    def bucket(self, project: int, econ: str, account: str) -> int:
        key = (project, econ, account)
        if key not in self.bucket_index:
            self.bucket_index[key] = len(self.buckets)
            self.buckets.append(_Bucket(project, econ, account, _func_code(self.spec.projects[project], econ, account)))
        return self.bucket_index[key]

    def add_vouchers(self, days: np.ndarray, rank: np.ndarray) -> np.ndarray:
        ids = np.arange(self.vouchers, self.vouchers + len(days))
        self.vouchers += len(days)
        self.voucher_day.append(np.asarray(days, dtype=np.int64))
        self.voucher_rank.append(np.asarray(rank, dtype=np.float64))
        return ids

    def add_lines(self, voucher: np.ndarray, bucket: np.ndarray, amount: np.ndarray, summary: np.ndarray, kind: int) -> None:
        n = len(voucher)
        self.columns["voucher"].append(np.asarray(voucher, dtype=np.int64))
        self.columns["bucket"].append(np.asarray(bucket, dtype=np.int64))
        self.columns["amount"].append(np.asarray(amount, dtype=np.int64))
        self.columns["summary"].append(np.asarray(summary, dtype=np.int64))
        self.columns["kind"].append(np.full(n, kind, dtype=np.int8))

    def arrays(self) -> dict[str, np.ndarray]:
        return {k: np.concatenate(v) for k, v in self.columns.items()}


def _payroll(lines: _Lines, calendar: _Calendar, rng: np.random.Generator) -> int:
    """Monthly payroll vouchers: wages, social contributions, housing fund, retirees. Returns rows written."""
    spec = lines.spec
    level = float(rng.uniform(0.9, 1.15))        # this unit's pay level
    rows = 0
    parts = [("7101", spec.admin_staff + spec.worker_staff), ("7201", spec.inst_staff)]
    for month in range(1, 13):
        for account, people in parts:
            if not people:
                continue
            wages = {econ: people * per_person * level for econ, per_person in WAGES[account].items()}
            bill = sum(wages.values())
            groups = [wages, {econ: bill * share for econ, share in CONTRIBUTIONS.items()}, {"30113": bill * HOUSING_FUND}]
            if account == "7101" and spec.retirees:
                groups.append({"30302": spec.retirees * RETIREE_MONTHLY})
            rows += sum(_payroll_voucher(lines, calendar, month, account, group, rng) for group in groups)
    return rows


def _payroll_voucher(lines: _Lines, calendar: _Calendar, month: int, account: str, amounts: dict[str, float],
                     rng: np.random.Generator) -> int:
    [voucher] = lines.add_vouchers(np.array([calendar.payday[month - 1]]), np.array([-1.0]))
    econs = list(amounts)
    jitter = rng.normal(1, 0.01, len(econs))
    fen = np.rint(np.array([amounts[e] for e in econs]) * jitter * 100).astype(np.int64)
    lines.add_lines(np.full(len(econs), voucher), np.array([lines.bucket(0, e, account) for e in econs]), fen,
                    np.array([lines.summaries(PAYROLL_SUMMARY[e].format(m=month)) for e in econs]), BASE)
    return len(econs) + 1


def _voucher_sizes(rows: int, rng: np.random.Generator) -> np.ndarray:
    """Lines per voucher such that lines plus one 8001 line per voucher add up to `rows` exactly."""
    draws = rng.choice(VOUCHER_SIZES, size=rows // 2 + 1, p=VOUCHER_SIZE_P)
    total = np.cumsum(draws + 1)
    last = int(np.searchsorted(total, rows))
    sizes = draws[: last + 1].copy()
    sizes[last] -= int(total[last]) - rows
    if sizes[last] == 0:            # a lone 8001 line is no voucher: give its row to the voucher before
        sizes = sizes[:last]
        sizes[-1] += 1
    return sizes


def _summary_table(lines: _Lines, bucket_ids: Sequence[int], prefix: str = "") -> np.ndarray:
    """Summary ids per (bucket, variant): each bucket's own wordings, repeated to SUMMARY_VARIANTS."""
    table = np.zeros((len(bucket_ids), SUMMARY_VARIANTS), dtype=np.int64)
    for row, bucket in enumerate(bucket_ids):
        texts = SUMMARIES[lines.buckets[bucket].econ]
        table[row] = [lines.summaries(prefix + texts[v % len(texts)]) for v in range(SUMMARY_VARIANTS)]
    return table


def _spread(raw: np.ndarray, group: np.ndarray, target_fen: np.ndarray) -> np.ndarray:
    """Scale raw line weights so that each group's lines add up to about its target (fen)."""
    sums = np.bincount(group, weights=raw, minlength=len(target_fen))
    factor = target_fen / np.where(sums > 0, sums, 1)
    return np.maximum(MIN_LINE_FEN, np.rint(raw * factor[group])).astype(np.int64)


def _public_vouchers(lines: _Lines, sizes: np.ndarray, calendar: _Calendar, rng: np.random.Generator) -> None:
    """日常公用经费 reimbursements: one economic code per voucher, spread over the year."""
    if not len(sizes):
        return
    spec = lines.spec
    econs = list(PUBLIC_ECON)
    weights = np.array([PUBLIC_ECON[e][0] for e in econs])
    econ_of_voucher = rng.choice(len(econs), size=len(sizes), p=weights / weights.sum())
    accounts = [a for a, people in (("7101", spec.admin_staff + spec.worker_staff), ("7201", spec.inst_staff)) if people]
    if len(accounts) == 2:   # a subordinate 事业单位 claims its share of the running costs on 7201
        account_of_voucher = (rng.random(len(sizes)) < spec.inst_staff / spec.staff).astype(np.int64)
    else:
        account_of_voucher = np.zeros(len(sizes), np.int64)
    used = sorted(set(zip(econ_of_voucher.tolist(), account_of_voucher.tolist(), strict=True)))
    table = np.zeros((len(econs), len(accounts)), np.int64)
    for e, a in used:
        table[e, a] = lines.bucket(1, econs[e], accounts[a])
    months = rng.choice(12, size=len(sizes), p=PUBLIC_MONTH_WEIGHTS / PUBLIC_MONTH_WEIGHTS.sum()) + 1
    vouchers = lines.add_vouchers(_random_workdays(calendar, months, rng), rng.random(len(sizes)))
    line_voucher = np.repeat(np.arange(len(sizes)), sizes)
    bucket = table[econ_of_voucher, account_of_voucher][line_voucher]
    typical = np.array([PUBLIC_ECON[e][1] for e in econs])[econ_of_voucher][line_voucher]
    raw = typical * rng.lognormal(0, 0.55, len(bucket))
    # Public spending follows head count, but each line stays a plausible reimbursement.
    target = max(spec.staff * float(rng.uniform(20_000, 40_000)), len(bucket) * 150.0) * 100
    amount = _spread(raw, np.zeros(len(bucket), np.int64), np.array([target]))
    ids = sorted(set(bucket.tolist()))
    row_of = np.zeros(len(lines.buckets), np.int64)
    row_of[ids] = np.arange(len(ids))
    summaries = _summary_table(lines, ids)
    variant = rng.integers(0, SUMMARY_VARIANTS, len(bucket))
    lines.add_lines(vouchers[line_voucher], bucket, amount, summaries[row_of[bucket], variant], BASE)


def _project_vouchers(lines: _Lines, sizes: np.ndarray, calendar: _Calendar, rng: np.random.Generator) -> None:
    """特定目标类 (and other-funds) project payments: each voucher pays one project, maybe several codes."""
    spec = lines.spec
    project_ids = np.arange(2, len(spec.projects))
    size_fen = np.array([spec.projects[p].size_fen for p in project_ids], dtype=np.float64)
    chosen = rng.choice(len(project_ids), size=len(sizes), p=size_fen / size_fen.sum())
    chosen[: len(project_ids)] = np.arange(len(project_ids))[: len(sizes)]    # every project spends
    days = np.zeros(len(sizes), np.int64)
    for local, p in enumerate(project_ids):
        mine = np.flatnonzero(chosen == local)
        start = spec.projects[p].start_month
        months = np.arange(start, 13)
        weights = 1 + 0.15 * (months - start)      # spending speeds up towards the year end
        days[mine] = _random_workdays(calendar, rng.choice(months, size=len(mine), p=weights / weights.sum()), rng)
    vouchers = lines.add_vouchers(days, rng.random(len(sizes)))
    line_voucher = np.repeat(np.arange(len(sizes)), sizes)
    line_project = chosen[line_voucher]
    bucket = np.zeros(len(line_voucher), np.int64)
    typical = np.zeros(len(line_voucher))
    for local, p in enumerate(project_ids):
        project = spec.projects[p]
        mine = np.flatnonzero(line_project == local)
        econ_weights = np.linspace(2, 1, len(project.econ_codes))
        pick = rng.choice(len(project.econ_codes), size=len(mine), p=econ_weights / econ_weights.sum())
        ids = np.array([lines.bucket(int(p), e, project.account) for e in project.econ_codes])
        bucket[mine] = ids[pick]
        typical[mine] = np.array([PROJECT_ECON[e] for e in project.econ_codes])[pick]
    raw = typical * rng.lognormal(0, 0.6, len(bucket))
    counts = np.bincount(line_project, minlength=len(project_ids))
    target = np.maximum(size_fen, counts * 80_000.0)     # at least ~800 yuan a line
    amount = _spread(raw, line_project, target)
    summary = np.zeros(len(bucket), np.int64)
    variant = rng.integers(0, SUMMARY_VARIANTS, len(bucket))
    for local, p in enumerate(project_ids):
        mine = np.flatnonzero(line_project == local)
        ids = sorted(set(bucket[mine].tolist()))
        table = _summary_table(lines, ids, prefix=f"{spec.projects[p].name}-")
        row_of = {b: i for i, b in enumerate(ids)}
        summary[mine] = table[[row_of[b] for b in bucket[mine].tolist()], variant[mine]]
    lines.add_lines(vouchers[line_voucher], bucket, amount, summary, BASE)


def _corrections(lines: _Lines, data: dict[str, np.ndarray], reversals: int, refunds: int, calendar: _Calendar,
                 rng: np.random.Generator) -> dict[str, np.ndarray]:
    """红字冲销 of wrong entries and refunds of over-paid claims: each nets to zero in its bucket."""
    day = np.concatenate(lines.voucher_day)
    candidates = np.flatnonzero(_not_payroll(lines, data))
    econ = np.array([b.econ for b in lines.buckets])[data["bucket"]]
    refundable = candidates[np.isin(econ[candidates], REFUND_ECON)]
    refund_pool = refundable if len(refundable) >= refunds else candidates
    refunded = rng.choice(refund_pool, size=refunds, replace=False)
    wrong_pool = np.setdiff1d(candidates, refunded)
    wrong_of = rng.choice(wrong_pool, size=min(reversals, len(wrong_pool)), replace=False)
    # Distinct amounts: two corrections in one voucher never look like a duplicated line.
    refund_fen = rng.choice(np.arange(5_000, 80_001), size=refunds, replace=False)
    wrong_fen = rng.choice(np.arange(20_000, 900_001), size=len(wrong_of), replace=False)
    data["amount"][refunded] += refund_fen
    texts = lines.summaries.items
    wrong_summary = np.array([lines.summaries(texts[s] + "（金额录入错误）") for s in data["summary"][wrong_of]], np.int64)
    reversal_summary = np.array([lines.summaries("红字冲销：" + texts[s]) for s in wrong_summary], np.int64)
    refund_summary = np.full(refunds, lines.summaries("收回多报销款项"), np.int64)
    lines.add_lines(data["voucher"][wrong_of], data["bucket"][wrong_of], wrong_fen, wrong_summary, WRONG)
    reversal_days = _later_workdays(calendar, day[data["voucher"][wrong_of]], rng.integers(1, 6, len(wrong_of)))
    lines.add_lines(lines.add_vouchers(reversal_days, rng.random(len(wrong_of))), data["bucket"][wrong_of], -wrong_fen,
                    reversal_summary, REVERSAL)
    refund_days = _later_workdays(calendar, day[data["voucher"][refunded]], rng.integers(3, 11, refunds))
    lines.add_lines(lines.add_vouchers(refund_days, rng.random(refunds)), data["bucket"][refunded], -refund_fen,
                    refund_summary, REFUND)
    merged = lines.arrays()
    merged["amount"][: len(data["amount"])] = data["amount"]
    return merged


def _not_payroll(lines: _Lines, data: dict[str, np.ndarray]) -> np.ndarray:
    """Lines that may be corrected: reimbursements and project payments, not payroll."""
    project = np.array([b.project for b in lines.buckets])[data["bucket"]]
    return project != 0


def _whole_hundreds(data: dict[str, np.ndarray], buckets: int) -> None:
    """Add at most 99.99 yuan to each bucket's largest line so that its total is a whole hundred yuan.

    Every printed figure is a sum of (project, economic code) buckets, so none has a 尾差.
    """
    totals = np.zeros(buckets, np.int64)
    np.add.at(totals, data["bucket"], data["amount"])
    missing = (-totals) % WHOLE_HUNDRED_FEN
    base = np.flatnonzero(data["kind"] == BASE)
    order = base[np.lexsort((data["amount"][base], data["bucket"][base]))]
    last_of_bucket = order[np.r_[data["bucket"][order][1:] != data["bucket"][order][:-1], True]]
    data["amount"][last_of_bucket] += missing[data["bucket"][last_of_bucket]]


def _no_duplicate_lines(data: dict[str, np.ndarray]) -> None:
    """Lines of one voucher never repeat (bucket, summary, amount): that reads as a double entry (LED-014).

    A repeat gets 100 yuan more, which keeps every bucket total a whole hundred.
    """
    while True:
        keys = (data["amount"], data["summary"], data["bucket"], data["voucher"])
        order = np.lexsort(keys)
        same = np.ones(len(order) - 1, dtype=bool)
        for key in keys:
            same &= key[order][1:] == key[order][:-1]
        if not same.any():
            return
        data["amount"][order[1:][same]] += WHOLE_HUNDRED_FEN


def _unit_ledger(spec: _UnitSpec, rows: int, calendar: _Calendar, codes: CodeLists, seed: int) -> _UnitLedger:
    """Plan one unit's year: exactly `rows` ledger rows (8001 lines included)."""
    rng = _rng(seed, spec.index, 1)
    lines = _Lines(spec, codes)
    payroll_rows = _payroll(lines, calendar, rng)
    reversals = max(2, round(rows * REVERSALS_PER_ROW))
    refunds = max(1, round(rows * REFUNDS_PER_ROW))
    # A reversal adds a wrong line to a voucher and a one-line voucher; a refund a one-line voucher.
    sizes = _voucher_sizes(rows - payroll_rows - 3 * reversals - 2 * refunds, rng)
    project_voucher = rng.random(len(sizes)) < PROJECT_VOUCHER_SHARE
    project_voucher[: len(spec.projects) - 2] = True
    _public_vouchers(lines, sizes[~project_voucher], calendar, rng)
    _project_vouchers(lines, sizes[project_voucher], calendar, rng)
    data = _corrections(lines, lines.arrays(), reversals, refunds, calendar, rng)
    _whole_hundreds(data, len(lines.buckets))
    _no_duplicate_lines(data)
    return _assemble(spec, lines, data, calendar, rng)


def _voucher_numbers(lines: _Lines) -> tuple[np.ndarray, np.ndarray]:
    """Voucher numbers 1, 2, … in date order (payroll first on its day); and each voucher's day."""
    day = np.concatenate(lines.voucher_day)
    order = np.lexsort((np.concatenate(lines.voucher_rank), day))
    number = np.empty(len(day), np.int64)
    number[order] = np.arange(1, len(day) + 1)
    return number, day


def _assemble(spec: _UnitSpec, lines: _Lines, data: dict[str, np.ndarray], calendar: _Calendar,
              rng: np.random.Generator) -> _UnitLedger:
    """Lines in file order, each voucher followed by its 8001 资金结存 line."""
    number, voucher_day = _voucher_numbers(lines)
    n_lines, n_vouchers = len(data["voucher"]), len(voucher_day)
    line_number = number[data["voucher"]]
    refund = data["kind"] == REFUND
    # The 8001 line mirrors the voucher: credited with its debits, debited with its refunds.
    debit_sum = np.zeros(n_vouchers, np.int64)
    np.add.at(debit_sum, data["voucher"][~refund], data["amount"][~refund])
    credit_sum = np.zeros(n_vouchers, np.int64)
    np.add.at(credit_sum, data["voucher"][refund], -data["amount"][refund])
    first_line = np.full(n_vouchers, -1)
    line_order = np.lexsort((np.arange(n_lines), line_number))
    first_of = line_order[np.r_[True, line_number[line_order][1:] != line_number[line_order][:-1]]]
    first_line[data["voucher"][first_of]] = first_of
    bucket_account = np.array([ACCOUNTS.index(b.account) for b in lines.buckets], np.int8)
    tails = np.array(["," * (TAIL_FIELDS - 1), *(_tail(spec, b, lines.codes) for b in lines.buckets)], dtype=object)
    attachments = rng.integers(1, 6, n_vouchers).astype(np.int8)

    combined_number = np.concatenate([line_number, np.arange(1, n_vouchers + 1)])
    voucher_of_number = np.argsort(number)
    position = np.concatenate([np.arange(n_lines), np.full(n_vouchers, n_lines)])   # 8001 line last
    order = np.lexsort((position, combined_number))
    counterpart_credit = credit_sum[voucher_of_number] == 0
    columns = {
        "day": np.concatenate([voucher_day[data["voucher"]], voucher_day[voucher_of_number]]).astype(np.int16),
        "number": combined_number.astype(np.int32),
        "account": np.concatenate([bucket_account[data["bucket"]], np.full(n_vouchers, ACCOUNTS.index("8001"), np.int8)]),
        "value": np.concatenate([np.where(refund, -data["amount"], data["amount"]),
                                 np.where(counterpart_credit, debit_sum[voucher_of_number], credit_sum[voucher_of_number])]),
        "credit": np.concatenate([refund, counterpart_credit]),
        "summary": np.concatenate([data["summary"], data["summary"][first_line[voucher_of_number]]]).astype(np.int32),
        "attachments": np.concatenate([attachments[data["voucher"]], attachments[voucher_of_number]]),
        "tail": np.concatenate([data["bucket"] + 1, np.zeros(n_vouchers, np.int64)]).astype(np.int32),
    }
    columns = {name: values[order] for name, values in columns.items()}
    months = calendar.month_of_day[columns["day"]]
    return _UnitLedger(
        prefix=f"{spec.code},{spec.name},", summaries=np.array(lines.summaries.items, dtype=object), tails=tails,
        month_offsets=np.searchsorted(months, np.arange(1, 14)), totals=_bucket_totals(lines, data), **columns,
    )


def _tail(spec: _UnitSpec, bucket: _Bucket, codes: CodeLists) -> str:
    project = spec.projects[bucket.project]
    office = ("0101", "机关") if bucket.account == "7101" else ("0201", spec.sub_name or spec.name)
    return ",".join([
        project.code, project.name, *office, bucket.func, codes.functional[bucket.func], project.fund,
        codes.fund_sources[project.fund], project.category, CATEGORY_NAMES[project.category], bucket.econ,
        codes.economic[bucket.econ],
    ])


def _bucket_totals(lines: _Lines, data: dict[str, np.ndarray]) -> dict[tuple[int, str, str], int]:
    """Spending per (project, econ, func): the lines of the budget file."""
    sums = np.zeros(len(lines.buckets), np.int64)
    np.add.at(sums, data["bucket"], data["amount"])
    totals: dict[tuple[int, str, str], int] = {}
    for bucket, total in zip(lines.buckets, sums.tolist(), strict=True):
        if not total:
            continue
        key = (bucket.project, bucket.econ, bucket.func)
        totals[key] = totals.get(key, 0) + total
    return totals


def _check_codes(codes: CodeLists) -> None:
    """Every code the generator uses must be in the year's code lists (else every unit would be blocked)."""
    econ = {*PUBLIC_ECON, *PROJECT_ECON, *PAYROLL_SUMMARY}
    funcs = {"2012901", "2012902", "2012950", "2012999", "2080501", "2080505", "2080506", "2101101", "2101102", "2210201"}
    funds = {"111", "21", "29"}
    missing = sorted((econ - set(codes.economic)) | (funcs - set(codes.functional)) | (funds - set(codes.fund_sources)))
    if missing:
        raise InputError(f"{codes.year} 年代码表缺少演示数据使用的编码：{'、'.join(missing)}",
                         file=f"config/code_lists/{codes.year}")


# --- ledger files --------------------------------------------------------------------------

def _write_ledger(folder: Path, year: int, ledgers: Sequence[_UnitLedger], calendar: _Calendar,
                  progress: Callable[[int, int], None] | None) -> list[Path]:
    """Twelve monthly city-wide exports, each unit's vouchers in number order."""
    target = folder / "ledger"
    target.mkdir(parents=True, exist_ok=True)
    numbers = np.array([str(n) for n in range(max(int(u.number.max(initial=0)) for u in ledgers) + 1)], dtype=object)
    paths = []
    for month in range(1, 13):
        path = target / f"city_ledger_{year}_{month:02d}.csv"
        with path.open("wb") as handle:
            handle.write((",".join(LEDGER_HEADERS) + CSV_LINE_END).encode(LEDGER_ENCODING))
            for ledger in ledgers:
                start, stop = ledger.month_offsets[month - 1], ledger.month_offsets[month]
                if stop > start:
                    handle.write(_month_text(ledger, start, stop, calendar, numbers).encode(LEDGER_ENCODING))
        paths.append(path)
        if progress is not None:
            progress(month, 12)
    return paths


def _yuan_texts(fen: np.ndarray) -> list[str]:
    """Amounts as the voucher template prints them: 617.56, "1,350.16", -4,405.79 (quoted when it has commas)."""
    return [f'"{y:,.2f}"' if y >= 1000 or y <= -1000 else f"{y:.2f}" for y in (fen / 100).tolist()]


def _month_text(ledger: _UnitLedger, start: int, stop: int, calendar: _Calendar, numbers: np.ndarray) -> str:
    part = slice(start, stop)
    amounts = _yuan_texts(ledger.value[part])
    credit = ledger.credit[part].tolist()
    accounts = [f"{code},{ACCOUNT_NAMES[code]}" for code in ACCOUNTS]
    rows = zip(
        calendar.day_text[ledger.day[part]].tolist(), numbers[ledger.number[part]].tolist(),
        ledger.account[part].tolist(), amounts, credit, ledger.summaries[ledger.summary[part]].tolist(),
        ledger.attachments[part].tolist(), ledger.tails[ledger.tail[part]].tolist(), strict=True,
    )
    prefix = ledger.prefix
    return "".join(
        f"{prefix}{day},记,{number},{accounts[account]},{'' if is_credit else amount},{amount if is_credit else ''},"
        f"{summary},{attachments},{tail}{CSV_LINE_END}"
        for day, number, account, amount, is_credit, summary, attachments, tail in rows
    )


# --- budget ---------------------------------------------------------------------------------

def _round_up(fen: float) -> int:
    """A budget line: whole hundreds of yuan, whole thousands above 100,000 yuan."""
    step = 10_000 if fen < 10_000_000 else 100_000
    return int(-(-int(np.ceil(fen)) // step) * step)


def _budget_rows(spec: _UnitSpec, ledger: _UnitLedger, year: int, seed: int) -> list[list[str]]:
    """指标 rows: each line's adjusted budget covers its spending at the project's execution rate;
    some projects got part of it during the year (追加), gave some back (调减) or carried it over."""
    rng = _rng(seed, spec.index, 2)
    rows: list[list[str]] = []
    initial_doc = f"衡财预〔{year}〕1号"
    for index, project in enumerate(spec.projects):
        lines = sorted((econ, func, fen) for (p, econ, func), fen in ledger.totals.items() if p == index)
        if not lines:
            continue
        adjusted = [_round_up(fen / project.execution) for _, _, fen in lines]
        main = int(np.argmax(adjusted))
        sources = [[("年初预算", initial_doc, amount)] for amount in adjusted]
        if project.fund not in ("111", "112", "113"):
            sources = [[("年初预算", f"{spec.short_name}〔{year}〕资金计划", amount)] for amount in adjusted]
        elif project.funding == "addition":
            doc = f"衡财预〔{year}〕{int(rng.integers(20, 260))}号"
            sources = [[("追加", doc, amount)] for amount in adjusted]
        elif project.funding == "carryover":
            carried = _round_up(adjusted[main] * float(rng.uniform(0.2, 0.5)))
            sources[main] = [("年初预算", initial_doc, adjusted[main] - carried), ("上年结转", f"衡财预〔{year}〕8号", carried)]
        else:
            sources[main] = _adjusted_main_line(adjusted[main], year, rng, initial_doc)
        category = f"{project.category} {CATEGORY_NAMES[project.category]}"
        for (econ, func, _), line_sources in zip(lines, sources, strict=True):
            for source, doc, amount in line_sources:
                if amount > 0:
                    rows.append([spec.code, doc, source, category, project.code, project.name, func, econ, project.fund,
                                 f"{amount / 100:,.2f}"])
    return rows


def _adjusted_main_line(adjusted: int, year: int, rng: np.random.Generator, initial_doc: str) -> list[tuple[str, str, int]]:
    """The largest line of a project funded at the start of the year: maybe 追加 or 调减 during it."""
    draw = rng.random()
    doc = f"衡财预〔{year}〕{int(rng.integers(20, 260))}号"
    if draw < 0.3:
        added = min(_round_up(adjusted * float(rng.uniform(0.05, 0.25))), adjusted // 2 // 10_000 * 10_000)
        return [("年初预算", initial_doc, adjusted - added), ("追加", doc, added)]
    if draw < 0.45:
        reduced = _round_up(adjusted * float(rng.uniform(0.03, 0.1)))
        return [("年初预算", initial_doc, adjusted + reduced), ("调减", doc, reduced)]
    return [("年初预算", initial_doc, adjusted)]


def _write_budget(folder: Path, year: int, rows: list[list[str]]) -> Path:
    target = folder / "budget"
    target.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(BUDGET_HEADERS)
    writer.writerows(rows)
    path = target / f"city_budget_{year}.csv"
    path.write_bytes(("\ufeff" + buffer.getvalue()).encode("utf-8"))
    return path


# --- profiles -------------------------------------------------------------------------------

PROBLEMS = (
    "预算编制的精细化程度有待提高：部分项目年中追加调整，预算执行进度前低后高。",
    "绩效目标设置不够细化：部分产出和效益指标以定性描述为主，可衡量性不强。",
    "公用经费保障偏紧：基本支出中公用经费安排较少，仅能维持日常运转。",
    "绩效管理意识仍需增强：部门整体支出绩效管理尚未完全融入日常工作。",
    "项目资金使用进度不均衡：部分特定目标类项目集中在第四季度支付。",
)
MEASURES = (
    ("强化预算编制的科学性", "结合上年预决算和本年工作任务编制预算，做到应编尽编，减少年中追加调整。"),
    ("加快项目执行进度", "按月跟踪项目支出进度，对进度滞后的项目及时督促，避免资金年底集中支付。"),
    ("完善绩效目标管理", "细化量化绩效指标，做到目标可衡量、可考核，并将评价结果运用于下年预算安排。"),
    ("加强财务内部控制", "严格执行报销审批和政府采购制度，规范公务接待和公务用车管理。"),
)


def _profile(spec: _UnitSpec, year: int, seed: int) -> dict:
    """A profile that parse_profile accepts: short generated texts and indicators with targets and actuals."""
    rng = _rng(seed, spec.index, 3)
    kind_text = {"admin": "政府工作部门", "inst": "公益一类事业单位", "mass": "人民团体"}[spec.kind]
    authorized = {label: staff + spare for label, staff, spare in
                  zip(("行政编制", "全额事业编制", "工勤编制"), (spec.admin_staff, spec.inst_staff, spec.worker_staff),
                      spec.spare_posts, strict=True) if staff + spare}
    indicators = _indicators(spec, rng)
    done = "，".join(f"{i['name']}{_number(i['actual'])}{i['unit']}" for i in indicators[:3])
    problems = rng.choice(len(PROBLEMS), size=2, replace=False).tolist()
    measures = rng.choice(len(MEASURES), size=2, replace=False).tolist()
    return {
        "unit_code": spec.code,
        "name": spec.name,
        "short_name": spec.short_name,
        "led_by": spec.led_by,
        "report_date": dt.date(year + 1, 3, 31),
        "functions": (f"{spec.name}是{spec.led_by}领导的{kind_text}，主要负责{spec.domain}工作：贯彻落实上级关于{spec.domain}"
                      f"工作的方针政策和决策部署，拟订并组织实施{spec.domain}发展规划和年度计划，承担{spec.domain}领域的公共服务和"
                      "监督管理职责，完成上级交办的其他任务。"),
        "structure": {
            "internal_offices": spec.offices,
            "subordinate_institutions": (
                [{"name": spec.sub_name, "note": "财政未独立核算的二级事业单位"}] if spec.sub_name else []),
            "affiliated_budget_units": [],
        },
        "staffing": {"as_of": dt.date(year, 12, 31), "authorized": authorized, "in_post": spec.staff},
        "performance": {
            "intro": (f"{year}年，{spec.short_name}围绕中心工作统筹推进{spec.domain}各项任务，"
                      "部门整体支出管理规范，重点项目按计划实施。"),
            "sections": [
                {"title": "（一）重点工作有序推进", "text": f"全年{done}，各项任务按计划完成。"},
                {"title": "（二）预算管理不断规范",
                 "text": f"严格执行预算，{len(spec.specials)}个特定目标类项目均按计划实施，资金使用合规。"},
            ],
        },
        "indicators": indicators,
        "problems": [PROBLEMS[i] for i in problems],
        "measures": [{"title": f"（{'一二'[n]}）{MEASURES[i][0]}", "text": MEASURES[i][1]} for n, i in enumerate(measures)],
        "other_notes": [],
        "warning_explanations": {},
    }


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _indicators(spec: _UnitSpec, rng: np.random.Generator) -> list[dict]:
    """产出, 效益 and 满意度 indicators; one count falls a little short of its target and says why."""
    def count(base: float) -> int:
        return int(max(5, round(base * float(rng.uniform(0.6, 1.6)) / 5) * 5))

    quantities = [("开展专项检查", "次", count(40)), ("组织业务培训", "场", count(20)), ("办理服务事项", "件", count(800)),
                  ("发布政务信息", "篇", count(150))]
    indicators = [
        {"level1": "产出指标", "level2": "数量指标", "name": name, "unit": unit, "target": target,
         "actual": int(target * float(rng.uniform(1.0, 1.25)))}
        for name, unit, target in quantities
    ]
    short = int(rng.integers(0, len(indicators)))
    indicators[short]["actual"] = int(indicators[short]["target"] * float(rng.uniform(0.9, 0.98)))
    indicators[short]["deviation"] = "受工作安排调整影响未完全达到年度目标，下年度将提前谋划、加强调度。"
    specials = len(spec.specials)
    indicators += [
        {"level1": "产出指标", "level2": "数量指标", "name": "实施特定目标类项目", "unit": "个",
         "target": specials, "actual": specials},
        {"level1": "产出指标", "level2": "质量指标", "name": "项目验收合格率", "unit": "%", "target": 100, "actual": 100},
        {"level1": "产出指标", "level2": "时效指标", "name": "重点工作按期完成率", "unit": "%", "target": 95,
         "actual": int(rng.integers(96, 101))},
        {"level1": "效益指标", "level2": "社会效益指标", "name": f"{spec.domain}政策知晓率", "unit": "%", "target": 85,
         "actual": int(rng.integers(86, 96))},
        {"level1": "效益指标", "level2": "可持续影响指标", "name": "建立完善长效工作机制", "unit": "项", "target": 3,
         "actual": int(rng.integers(3, 6))},
        {"level1": "满意度指标", "level2": "服务对象满意度指标", "name": "服务对象满意度", "unit": "%", "target": 90,
         "actual": int(rng.integers(91, 99))},
    ]
    return indicators


def _write_profile(folder: Path, spec: _UnitSpec, year: int, seed: int) -> Path:
    target = folder / "profiles"
    target.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(_profile(spec, year, seed), allow_unicode=True, sort_keys=False, width=1000)
    path = target / f"{spec.code}.yaml"
    path.write_text(f"# 合成演示数据（synthetic demo data）：单位、人员、金额和文字均为虚构，不代表任何真实单位。\n{text}",
                    encoding="utf-8")
    return path


# --- command line ---------------------------------------------------------------------------

def add_demo_data_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `python -m tools.demo_data`."""
    parser.add_argument("--units", type=int, default=20, help="单位个数（默认 20）")
    parser.add_argument("--rows-per-unit", type=int, default=5000,
                        help="每个单位全年账簿数据行数，含资金结存对方分录（约数，默认 5000）")
    parser.add_argument("--year", type=int, default=dt.date.today().year - 1, help="会计年度（默认去年）")
    parser.add_argument("--out", required=True, help="数据目录：写入 <目录>/<年度>/ledger、budget、profiles")
    parser.add_argument("--seed", type=int, default=0, help="随机种子（默认 0；相同种子生成的文件完全相同）")


def run_demo_data(args: argparse.Namespace) -> int:
    """`python -m tools.demo_data`: 0 when written, 2 for unusable arguments or a non-empty target folder."""
    target = Path(args.out) / str(args.year)
    problem = demo_data_problem(args.year, args.units, args.rows_per_unit, args.seed)
    if problem is None and target.exists() and (not target.is_dir() or any(target.iterdir())):
        problem = f"{target} 已存在且不为空；请换一个输出目录或先移走其中的文件"
    if problem:
        print(f"参数错误：{problem}", file=sys.stderr)
        return 2
    print(f"正在生成演示数据：{args.units} 个单位，每个单位约 {args.rows_per_unit} 行账簿数据，{args.year} 年度 …", flush=True)
    started = time.monotonic()
    try:
        summary = write_demo_data(Path(args.out), args.year, args.units, args.rows_per_unit, args.seed, _print_progress)
    except InputError as error:
        print(f"输入数据无法使用：{error}", file=sys.stderr)
        return 2
    print(f"已生成合成演示数据（{time.monotonic() - started:.1f} 秒）：目录 {target}", flush=True)
    print(f"  账簿：ledger/ 下 12 个月度文件，{summary.ledger_rows} 行（其中支出分录 {summary.expense_lines} 行）")
    print(f"  预算指标：budget/city_budget_{summary.year}.csv，{summary.budget_rows} 行")
    print(f"  单位信息：profiles/ 下 {len(summary.units)} 个文件（单位编码 {summary.units[0]} – {summary.units[-1]}）")
    print(f"生成报告：jixiao run --data {args.out} --year {summary.year} --out <输出目录>")
    return 0


def _print_progress(done: int, total: int) -> None:
    print(f"  已写入 {done} 月账簿（{done}/{total}）", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.demo_data",
                                     description="生成模拟的全市多单位导出数据（用于测试和性能测试）")
    add_demo_data_arguments(parser)
    return run_demo_data(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
