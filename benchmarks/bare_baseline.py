"""Bare baseline of the city-scale benchmark: the raw work of `jixiao run`, nothing else.

Reads the same files the product reads (city-wide monthly ledger CSVs, the budget CSV, the
unit profiles), computes each unit's headline figures with vectorised pandas in integer fen,
and renders templates/report.docx once per unit with docxtpl. No Prefect, no data-quality
gate, no validation, no charts, no manifest, no caching: the product's run time minus this
script's is what orchestration, checks and traceability cost.

    python benchmarks/bare_baseline.py --data DIR --year 2024 --out DIR

Writes <out>/<year>/<unit>/report.docx for every unit and prints units and seconds.
Only pyarrow, pandas, numpy, docxtpl, pyyaml and the standard library are used, so the
comparison is not flattered by any of the product's own code. The project's config files
(export formats, 三公 codes, fund sources) are read so both sides count the same rows.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import yaml
from docxtpl import DocxTemplate

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "templates" / "report.docx"
BASIC_TYPES = ("basic_personnel", "basic_public")
FEN_PER_WAN = 1_000_000


@dataclass(frozen=True, slots=True)
class Settings:
    """The parts of config/ that decide which rows count and how they are grouped."""

    ledger_aliases: Mapping[str, Sequence[str]]
    budget_aliases: Mapping[str, Sequence[str]]
    spending_accounts: tuple[str, ...]
    closing_markers: tuple[str, ...]
    project_categories: Mapping[str, str]
    source_types: Mapping[str, str]
    fiscal_funds: frozenset[str]
    sangong_items: tuple[tuple[str, tuple[str, ...]], ...]
    personnel_classes: tuple[str, ...]
    public_classes: tuple[str, ...]
    class_names: Mapping[str, str]


def load_settings(year: int, root: Path = ROOT) -> Settings:
    formats = yaml.safe_load((root / "config" / "export_formats.yaml").read_text(encoding="utf-8"))
    evaluation = yaml.safe_load((root / "config" / "evaluation.yaml").read_text(encoding="utf-8"))
    # Code lists are versioned by year; the latest year not after `year` applies.
    lists = root / "config" / "code_lists"
    code_year = max(int(p.name) for p in lists.iterdir() if p.name.isdigit() and int(p.name) <= year)
    with (lists / str(code_year) / "fund_sources.csv").open(encoding="utf-8", newline="") as handle:
        fiscal = frozenset(row["code"] for row in csv.DictReader(handle) if row["fiscal"].strip().lower() == "true")
    with (lists / str(code_year) / "economic.csv").open(encoding="utf-8", newline="") as handle:
        class_names = {row["code"]: row["name"] for row in csv.DictReader(handle) if len(row["code"]) == 3}
    class_names.update({str(k): v for k, v in evaluation["econ_classes"].items()})
    ledger = formats["ledger"]
    return Settings(
        ledger_aliases=ledger["profiles"][0]["columns"],   # the baseline reads the template family only
        budget_aliases=formats["budget"]["profiles"][0]["columns"],
        spending_accounts=tuple(ledger["spending_accounts"]),
        closing_markers=tuple(ledger.get("closing_markers", ())),
        project_categories={str(k): v for k, v in ledger["project_categories"].items()},
        source_types=formats["budget"]["profiles"][0]["source_types"],
        fiscal_funds=fiscal,
        sangong_items=tuple((item["name"], tuple(str(c) for c in item["econ_codes"])) for item in evaluation["sangong_items"]),
        personnel_classes=tuple(str(c) for c in evaluation["personnel_classes"]),
        public_classes=tuple(str(c) for c in evaluation.get("public_classes", ["302"])),
        class_names=class_names,
    )


# ---------------------------------------------------------------- reading


def _read_strings(path: Path, encoding: str) -> pd.DataFrame:
    """Every cell of a CSV as a string (codes such as "0101" keep their leading zeros)."""
    # The header is on the first line (no title band search: that is the product's validation).
    # pyarrow needs the column names up front to type them all as strings: read that line.
    with path.open(encoding=encoding, newline="") as handle:
        names = next(csv.reader(handle))
    names[0] = names[0].lstrip("\ufeff")
    table = pa_csv.read_csv(
        path,
        read_options=pa_csv.ReadOptions(encoding=encoding, column_names=names, skip_rows=1),
        convert_options=pa_csv.ConvertOptions(column_types={n: pa.string() for n in names}),
    )
    return table.to_pandas()


def _pick(frame: pd.DataFrame, aliases: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """The columns we use under canonical names (first declared alias present in the header)."""
    picked = {}
    for name, names in aliases.items():
        found = next((a for a in names if a in frame.columns), None)
        if found is not None:
            picked[name] = frame[found].str.strip()
    return pd.DataFrame(picked)


def code_of(cells: pd.Series) -> pd.Series:
    """The code in cells that may hold "code name" together ("1 人员类项目" → "1")."""
    return cells.str.replace(r"\s.*$", "", regex=True)


def to_fen(cells: pd.Series) -> pd.Series:
    """Yuan text ("1,234.56", "-561.49", "(12.00)", blank) → exact int64 fen, without floats."""
    text = cells.str.replace(r"[,\s]", "", regex=True)
    negative = text.str.startswith("-") | text.str.startswith("(")
    text = text.str.strip("-+()")
    # Whole yuan and the first two decimals as separate digit strings; blank means 0.
    # No validation: a third decimal is cut off here, where the product rejects the row.
    yuan = text.str.replace(r"\..*$", "", regex=True)
    cents = text.str.replace(r"^[^.]*\.?", "", regex=True).str.ljust(2, "0").str[:2]
    fen = yuan.mask(yuan == "", "0").astype("int64") * 100 + cents.astype("int64")
    return fen.where(~negative, -fen)


def read_ledger(folder: Path, settings: Settings) -> pd.DataFrame:
    """All 预算支出 lines (7101/7201) of the year, amount = debit − credit in fen."""
    frames = [_read_strings(path, "gb18030") for path in sorted(folder.glob("*.csv"))]
    raw = _pick(pd.concat(frames, ignore_index=True), settings.ledger_aliases)
    # 8001 counterpart lines, subtotals and blank rows all fail this prefix test.
    keep = raw["account_code"].str.startswith(settings.spending_accounts)
    if settings.closing_markers:
        # Year-end closing vouchers would cancel the year's spending.
        keep &= ~raw["summary"].str.contains("|".join(map(re.escape, settings.closing_markers)), regex=True)
    raw = raw[keep]
    return pd.DataFrame({
        "unit_code": code_of(raw["unit_code"]),
        "econ_code": code_of(raw["econ_code"]),
        "fund_source": code_of(raw["fund_source"]),
        "expense_type": code_of(raw["project_category"]).map(settings.project_categories).fillna(""),
        "project_code": code_of(raw["project_code"]),
        "project_name": raw.get("project_name", ""),
        "amount_fen": to_fen(raw["debit"]) - to_fen(raw["credit"]),
    })


def read_budget(folder: Path, settings: Settings) -> pd.DataFrame:
    """All 指标 rows; 调减 negative so that 全年预算数 is a plain sum."""
    raw = pd.concat([_pick(_read_strings(p, "utf-8-sig"), settings.budget_aliases) for p in sorted(folder.glob("*.csv"))],
                    ignore_index=True)
    source = raw["source_type"].str.replace(" ", "", regex=False).map(settings.source_types)
    raw = raw[source.notna()]        # drops 合计 rows, whose 指标来源 is empty
    source = source[source.notna()]
    amount = to_fen(raw["amount"])
    return pd.DataFrame({
        "unit_code": code_of(raw["unit_code"]),
        "source_type": source,
        "expense_type": code_of(raw["project_category"]).map(settings.project_categories).fillna(""),
        "project_code": code_of(raw["project_code"]),
        "project_name": raw["project_name"],
        "econ_code": code_of(raw["econ_code"]),
        "fund_source": code_of(raw["fund_source"]),
        "amount_fen": amount.where(source != "reduction", -amount.abs()),
    })


def read_profiles(folder: Path) -> dict[str, dict[str, Any]]:
    profiles = (yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.y*ml")))
    return {str(p["unit_code"]): p for p in profiles}


# ---------------------------------------------------------------- figures


@dataclass(frozen=True, slots=True)
class Project:
    code: str
    name: str
    initial_fen: int
    adjusted_fen: int
    actual_fen: int


@dataclass(frozen=True, slots=True)
class Figures:
    """A unit's headline figures, exact in fen."""

    unit_code: str
    initial_budget_fen: int          # 年初预算数
    adjusted_budget_fen: int         # 全年预算数 (年初 + 追加 − 调减 + 结转)
    actual_fen: int                  # 全年执行数
    basic_fen: int                   # 基本支出 (人员类 + 运转类)
    personnel_fen: int               # 人员经费: 基本支出 in the personnel classes (301, 303)
    public_fen: int                  # 公用经费: 基本支出 in the public classes (302)
    project_fen: int                 # 项目支出: 项目类别 3 on 财政拨款 funds
    other_funds_fen: int             # 其它资金: 项目类别 3 on other funds
    econ_classes: dict[str, int]     # 经济分类 类 (first 3 digits) → spending
    projects: tuple[Project, ...]    # 财政拨款 projects, budget order then unbudgeted
    sangong: tuple[tuple[str, int], ...]
    sangong_total_fen: int

    @property
    def execution_rate(self) -> Decimal | None:
        """预算执行率 = 全年执行数 ÷ 全年预算数 (exact)."""
        return Decimal(self.actual_fen) / self.adjusted_budget_fen if self.adjusted_budget_fen else None


def _fen(amounts: pd.Series) -> int:
    return int(amounts.sum())


def unit_figures(unit: str, ledger: pd.DataFrame, budget: pd.DataFrame, settings: Settings) -> Figures:
    """One unit's figures from its ledger lines and budget rows (the product's definitions)."""
    amount = ledger["amount_fen"]
    fiscal = ledger["fund_source"].isin(settings.fiscal_funds)
    is_basic = ledger["expense_type"].isin(BASIC_TYPES)
    is_project = ledger["expense_type"] == "project"
    econ_class = ledger["econ_code"].str[:3]
    personnel = _fen(amount[is_basic & econ_class.isin(settings.personnel_classes)])

    fiscal_projects = budget[(budget["expense_type"] == "project") & budget["fund_source"].isin(settings.fiscal_funds)]
    named = ledger[is_project & fiscal]
    actual = named.groupby("project_code")["amount_fen"].sum()
    adjusted = fiscal_projects.groupby("project_code")["amount_fen"].sum()
    initial = fiscal_projects[fiscal_projects["source_type"] == "initial"].groupby("project_code")["amount_fen"].sum()
    # Budget names win; projects spent without a budget line take the ledger's name.
    names = dict(zip(named["project_code"], named["project_name"], strict=True))
    names.update(zip(fiscal_projects["project_code"], fiscal_projects["project_name"], strict=True))
    order = dict.fromkeys([*fiscal_projects["project_code"], *named["project_code"]])

    sangong_codes = [code for _, codes in settings.sangong_items for code in codes]
    return Figures(
        unit_code=unit,
        initial_budget_fen=_fen(budget.loc[budget["source_type"] == "initial", "amount_fen"]),
        adjusted_budget_fen=_fen(budget["amount_fen"]),
        actual_fen=_fen(amount),
        basic_fen=_fen(amount[is_basic]),
        personnel_fen=personnel,
        public_fen=_fen(amount[is_basic & econ_class.isin(settings.public_classes)]),
        project_fen=_fen(named["amount_fen"]),
        other_funds_fen=_fen(amount[is_project & ~fiscal]),
        econ_classes={str(k): int(v) for k, v in amount.groupby(econ_class).sum().sort_index().items()},
        projects=tuple(Project(code, names[code], int(initial.get(code, 0)), int(adjusted.get(code, 0)),
                               int(actual.get(code, 0))) for code in order),
        sangong=tuple((name, _fen(amount[fiscal & ledger["econ_code"].isin(codes)])) for name, codes in settings.sangong_items),
        sangong_total_fen=_fen(amount[fiscal & ledger["econ_code"].isin(sangong_codes)]),
    )


def compute_figures(ledger: pd.DataFrame, budget: pd.DataFrame, settings: Settings) -> dict[str, Figures]:
    """Figures of every unit that has ledger lines, by unit code."""
    budgets = dict(tuple(budget.groupby("unit_code", sort=False)))
    empty = budget.iloc[:0]
    return {unit: unit_figures(str(unit), rows, budgets.get(unit, empty), settings)
            for unit, rows in ledger.groupby("unit_code", sort=True)}


# ---------------------------------------------------------------- report


def wan(fen: int) -> str:
    """万元 with 2 decimals, rounded half up from exact fen."""
    return str((Decimal(fen) / FEN_PER_WAN).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def percent(numerator: int, denominator: int) -> str:
    if denominator == 0:
        return "—"
    return f"{(Decimal(numerator) * 100 / denominator).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"


def report_context(f: Figures, profile: Mapping[str, Any], year: int, settings: Settings) -> dict[str, Any]:
    """The template variables that print these figures (`f`, the figure registry's keys, and the
    table rows). Everything else stays undefined (prints empty); the variables the template dots
    into (organization, evaluation, findings, rounding.econ) get {} because Jinja's default
    Undefined still raises on attribute access."""
    who = profile.get("short_name") or profile["name"]
    econ = [(code, settings.class_names.get(code, ""), fen) for code, fen in f.econ_classes.items()]
    adjusted_total = sum(p.adjusted_fen for p in f.projects)
    adjustment = f.adjusted_budget_fen - f.initial_budget_fen
    figures = {
        "initial_budget": wan(f.initial_budget_fen), "adjusted_budget": wan(f.adjusted_budget_fen),
        "actual": wan(f.actual_fen), "execution_rate": percent(f.actual_fen, f.adjusted_budget_fen),
        "adjustment": wan(adjustment), "adjustment_rate": percent(adjustment, f.initial_budget_fen),
        "basic": wan(f.basic_fen), "personnel": wan(f.personnel_fen), "public": wan(f.public_fen),
        "named_projects": wan(f.project_fen), "other_funds": wan(f.other_funds_fen),
        "sangong_total": wan(f.sangong_total_fen), "project_count": str(len(f.projects)),
        "projects_initial": wan(sum(p.initial_fen for p in f.projects)), "projects_adjusted": wan(adjusted_total),
        "projects_rate": percent(f.project_fen, adjusted_total),
    }
    return {
        "unit": {"name": profile["name"], "short_name": who, "code": f.unit_code},
        "year": str(year),
        "f": figures,
        "rounding": {"econ": {}, "reconciliation": {}},
        "organization": {}, "evaluation": {}, "findings": {},
        "econ_classes": [{"code": code, "name": name, "amount": wan(fen), "share": percent(fen, f.actual_fen)}
                         for code, name, fen in econ],
        "sangong": {"items": [{"name": n, "amount": wan(fen)} for n, fen in f.sangong]},
        "projects": [{"no": str(n), "name": p.name, "initial": wan(p.initial_fen), "adjusted": wan(p.adjusted_fen),
                      "actual": wan(p.actual_fen), "rate": percent(p.actual_fen, p.adjusted_fen)}
                     for n, p in enumerate(f.projects, start=1)],
    }


def render(template: bytes, context: dict[str, Any], target: Path) -> None:
    # A DocxTemplate renders in place, so each unit starts from a fresh copy of the template.
    doc = DocxTemplate(io.BytesIO(template))
    # autoescape: unescaped "&" or "<" in a name would corrupt the document XML.
    doc.render(context, autoescape=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    doc.save(target)


def run(data: Path, year: int, out: Path) -> dict[str, Figures]:
    folder = data / str(year)
    settings = load_settings(year)
    ledger = read_ledger(folder / "ledger", settings)
    budget = read_budget(folder / "budget", settings)
    profiles = read_profiles(folder / "profiles")
    figures = compute_figures(ledger, budget, settings)
    template = TEMPLATE.read_bytes()
    for unit, unit_fig in figures.items():
        render(template, report_context(unit_fig, profiles[unit], year, settings), out / str(year) / unit / "report.docx")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description="Bare baseline: ledger exports → one report.docx per unit, nothing else.")
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    started = time.perf_counter()
    figures = run(args.data, args.year, args.out)
    print(f"units: {len(figures)}")
    print(f"seconds: {time.perf_counter() - started:.2f}")


if __name__ == "__main__":
    main()
