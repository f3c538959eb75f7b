"""Read a fiscal year's input folder: data/<year>/{ledger/<unit>/…, budget/…, profiles/<unit>.yaml}."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import yaml

from flows.adapters.export_files import read_table
from flows.domain.control_totals import empty_declared, parse_control_table
from flows.domain.errors import InputError
from flows.domain.ingest import YearInputs, parse_budget_tables, parse_ledger_tables
from flows.domain.profile import DepartmentProfile, parse_profile
from flows.domain.reference import ExportFormat, Reference
from flows.domain.tables import RawTable, map_headers

EXPORT_SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm", ".xls")


def _export_files(folder: Path) -> list[Path]:
    # Office programs leave lock files (~$name.xlsx) and hidden files beside exports.
    return sorted(
        p for p in folder.rglob("*")
        if p.is_file() and p.suffix.lower() in EXPORT_SUFFIXES and not p.name.startswith(("~$", "."))
    )


def _maps(export_format: ExportFormat, reference: Reference):
    """A sheet is the export when its header maps to every required column."""
    def accept(table: RawTable) -> bool:
        try:
            map_headers(table, export_format.aliases, export_format.required, reference.header_search_rows)
        except InputError:
            return False
        return True
    return accept


def year_folder(data_dir: Path, year: int) -> Path:
    folder = data_dir / str(year)
    if not folder.is_dir():
        raise InputError(f"找不到 {year} 年度的数据目录", file=folder.as_posix())
    return folder


def read_profiles(folder: Path, data_dir: Path) -> tuple[dict[str, DepartmentProfile], dict[str, str]]:
    """Profiles by unit code, and the file each came from."""
    profiles: dict[str, DepartmentProfile] = {}
    files: dict[str, str] = {}
    for path in sorted((folder / "profiles").glob("*.y*ml")):
        file = path.relative_to(data_dir).as_posix()
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as error:
            raise InputError(f"单位信息文件不是有效的 YAML：{error}", file=file) from None
        profile = parse_profile(data, file)
        if profile.unit_code in profiles:
            raise InputError(f"单位 {profile.unit_code} 有两个单位信息文件（另一个是 {files[profile.unit_code]}）", file=file)
        profiles[profile.unit_code] = profile
        files[profile.unit_code] = file
    return profiles, files


def read_year_inputs(data_dir: Path, year: int, reference: Reference, units: Sequence[str] = ()) -> YearInputs:
    """Read and parse all inputs of `year`; only `units` when given.

    Raises:
        InputError: a folder, file or column the run needs is missing or unreadable.
    """
    folder = year_folder(data_dir, year)
    ledger_dir = folder / "ledger"
    ledger_files = _export_files(ledger_dir) if ledger_dir.is_dir() else []
    if not ledger_files:
        raise InputError("没有找到账簿导出文件（应放在 ledger/<单位编码>/ 目录下）", file=ledger_dir.relative_to(data_dir).as_posix())
    tables = []
    for path in ledger_files:
        # A file in ledger/<unit>/ belongs to that unit unless it carries a unit column.
        relative = path.relative_to(ledger_dir)
        folder_unit = relative.parts[0] if len(relative.parts) > 1 else ""
        if units and folder_unit and folder_unit not in units:
            continue
        tables.append((read_table(path, data_dir, _maps(reference.ledger_format, reference)), folder_unit))
    ledger, ledger_accounting = parse_ledger_tables(tables, reference, year)
    for file, rows in ledger_accounting.rows_read.items():
        if rows == 0:
            raise InputError("文件只有表头，没有任何数据行（导出可能不完整）", file=file)

    budget_files = _export_files(folder / "budget") if (folder / "budget").is_dir() else []
    if not budget_files:
        raise InputError("没有找到预算指标文件（应放在 budget/ 目录下）", file=f"{year}/budget")
    single_unit = units[0] if len(units) == 1 else ""
    budget, budget_accounting = parse_budget_tables(
        [read_table(p, data_dir, _maps(reference.budget_format, reference)) for p in budget_files], reference, single_unit)

    control_files = _export_files(folder / "control_totals") if (folder / "control_totals").is_dir() else []
    control_frames = [
        parse_control_table(
            map_headers(read_table(p, data_dir, _maps(reference.control_format, reference)), reference.control_format.aliases, reference.control_format.required,
                        reference.header_search_rows),
            single_unit,
        )
        for p in control_files
    ]
    control_totals = pd.concat(control_frames, ignore_index=True) if control_frames else empty_declared()

    profiles, profile_files = read_profiles(folder, data_dir)
    if units:
        ledger = ledger[ledger["unit_code"].isin(units)].reset_index(drop=True)
        budget = budget[budget["unit_code"].isin(units)].reset_index(drop=True)
    for unit in sorted(set(ledger["unit_code"]) | set(units)):
        if unit not in profiles:
            raise InputError(f"缺少单位 {unit} 的单位信息文件", file=f"{year}/profiles/{unit}.yaml")
    # The export's modification time stands for its export date: no voucher can be later.
    file_dates = {
        path.relative_to(data_dir).as_posix(): pd.Timestamp(path.stat().st_mtime, unit="s")
        for path in [*ledger_files, *budget_files, *control_files]
    }
    return YearInputs(year, ledger, budget, profiles, profile_files, ledger_accounting, budget_accounting,
                      control_totals, file_dates)
