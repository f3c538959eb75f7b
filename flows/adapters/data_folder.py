"""Read a fiscal year's input folder: data/<year>/{ledger/<unit>/…, budget/…, profiles/<unit>.yaml}."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from flows.adapters.catalog import BUDGET, CONTROL_TOTALS, PAYMENTS, YearFolder, year_folder
from flows.adapters.export_files import read_table
from flows.adapters.mapped_exports import matches_a_profile, read_mapped
from flows.adapters.split_cache import SplitCache
from flows.adapters.unit_exports import UnitSources, YearSources, split_export
from flows.domain.control_totals import empty_declared, parse_control_table
from flows.domain.errors import InputError
from flows.domain.final_accounts import is_final_accounts_sheet, parse_final_accounts, sheet_matches
from flows.domain.ingest import RowAccounting, YearInputs, complete_from_each_other, parse_budget_tables, parse_ledger_tables
from flows.domain.payments import empty_payments, parse_payment_table
from flows.domain.profile import UNIT_CODE_RULE, DepartmentProfile, is_valid_unit_code, parse_profile
from flows.domain.reference import Reference
from flows.domain.tables import MappedTable, RawTable, map_headers

# libyaml's loader when present: a city has hundreds of profiles, the pure-Python one is slow.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_profiles(folder: YearFolder) -> tuple[dict[str, DepartmentProfile], dict[str, str]]:
    """Profiles by unit code, and the file each came from."""
    profiles: dict[str, DepartmentProfile] = {}
    files: dict[str, str] = {}
    for path in folder.profile_files():
        file = folder.name(path)
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
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
    tables = [(read_mapped(path, data_dir, reference.ledger_profiles, reference.header_search_rows), folder_unit)
              for path, folder_unit in folder.ledger_files(units)]
    parsed = parse_ledger_tables(tables, reference, year)
    _require_data_rows(parsed.accounting.rows_read)
    shared = _shared_inputs(folder, reference, units)
    ledger, budget, vouchers = parsed.ledger, shared.budget, parsed.vouchers
    if units:
        ledger = ledger[ledger["unit_code"].isin(units)].reset_index(drop=True)
        budget = budget[budget["unit_code"].isin(units)].reset_index(drop=True)
        vouchers = vouchers[vouchers["unit_code"].isin(units)].reset_index(drop=True)
    ledger, ledger_accounting, budget, budget_accounting = complete_from_each_other(
        ledger, parsed.accounting, budget, shared.budget_accounting, reference)
    _require_profiles(set(ledger["unit_code"]) | set(units), shared.profiles, year)
    payments = shared.payments[shared.payments["unit_code"].isin(units)] if units else shared.payments
    return YearInputs(year, ledger, budget, shared.profiles, shared.profile_files, ledger_accounting,
                      budget_accounting, shared.control_totals, shared.file_dates, vouchers,
                      payments.reset_index(drop=True), shared.payment_accounting)


def read_year_sources(data_dir: Path, year: int, reference: Reference, units: Sequence[str] = (),
                      cache: SplitCache | None = None) -> YearSources:
    """Read every export of `year` once and split it by unit (only `units` when given).

    Parsing is left to each unit's task, so it runs where the unit's report is produced.
    With a `cache`, exports split in an earlier run are not read again.

    Raises:
        InputError: a folder, file or column the run needs is missing or unreadable.
    """
    folder = year_folder(data_dir, year)
    shares: dict[str, list[tuple[MappedTable, str]]] = {}
    digests: dict[tuple[str, str], str] = {}
    rows_read: dict[str, int] = {}
    formats: dict[str, str] = {}
    for path, folder_unit in folder.ledger_files(units):
        split = split_export(path, data_dir, folder_unit, reference, cache)
        if not folder_unit and set(split.shares) == {""}:
            # Nothing names its unit: left out, its amounts would vanish from every report.
            raise InputError("文件直接放在 ledger/ 下，但没有单位编码列（或该列全为空），无法确定它属于哪个单位；"
                             "请把它放入 ledger/<单位编码>/ 目录，或导出含单位编码列的文件", file=split.file)
        rows_read[split.file] = split.rows_read
        for unit in split.shares:
            if unit and not is_valid_unit_code(unit):
                raise InputError(f"单位编码「{unit}」无效：{UNIT_CODE_RULE}", file=split.file,
                                 column=next(iter(split.shares.values())).label("unit_code", "单位编码"))
        if split.shares:
            formats[split.file] = next(iter(split.shares.values())).profile
        for unit, share in split.shares.items():
            if unit and (not units or unit in units):
                shares.setdefault(unit, []).append((share, folder_unit))
                digests[unit, split.file] = split.digests[unit]
    if cache is not None:
        cache.prune(set(rows_read))
    _require_data_rows(rows_read)
    shared = _shared_inputs(folder, reference, units)
    _require_profiles(set(shares) | set(units), shared.profiles, year)
    sources = {}
    for unit in sorted(shares):
        tables = tuple(shares[unit])
        profile_file = shared.profile_files[unit]
        sources[unit] = UnitSources(
            year=year, unit=unit, ledger_tables=tables,
            ledger_digests={table.file: digests[unit, table.file] for table, _ in tables},
            budget=shared.budget[shared.budget["unit_code"] == unit].reset_index(drop=True),
            budget_accounting=shared.budget_accounting,
            control_totals=shared.control_totals[shared.control_totals["unit_code"] == unit].reset_index(drop=True),
            profile=shared.profiles[unit], profile_file=profile_file,
            profile_digest=hashlib.sha256((data_dir / profile_file).read_bytes()).hexdigest(),
            file_dates=shared.file_dates,
            payments=shared.payments[shared.payments["unit_code"] == unit].reset_index(drop=True),
            payment_accounting=shared.payment_accounting,
        )
    formats.update(shared.budget_accounting.formats)
    return YearSources(year, sources, rows_read, formats, tuple(folder.unread_files()))


def _require_data_rows(rows_read: dict[str, int]) -> None:
    for file, rows in rows_read.items():
        if rows == 0:
            raise InputError("文件只有表头，没有任何数据行（导出可能不完整）", file=file)


def _require_profiles(units: set[str], profiles: dict[str, DepartmentProfile], year: int) -> None:
    for unit in sorted(units):
        if unit not in profiles:
            raise InputError(f"缺少单位 {unit} 的单位信息文件", file=f"{year}/profiles/{unit}.yaml")


@dataclass(frozen=True, slots=True)
class _SharedInputs:
    """The small inputs every unit reads from: budget, declared totals, profiles, export dates."""

    budget: pd.DataFrame
    budget_accounting: RowAccounting
    control_totals: pd.DataFrame
    profiles: dict[str, DepartmentProfile]
    profile_files: dict[str, str]
    file_dates: dict[str, pd.Timestamp]
    payments: pd.DataFrame
    payment_accounting: RowAccounting


def _shared_inputs(folder: YearFolder, reference: Reference, units: Sequence[str]) -> _SharedInputs:
    budget_files = folder.exports(BUDGET)
    if not budget_files:
        raise InputError("没有找到预算指标文件（应放在 budget/ 目录下）", file=folder.kind_name(BUDGET))
    profiles, profile_files = read_profiles(folder)
    # A budget export without a unit column belongs to the one department of the folder.
    single_unit = units[0] if len(units) == 1 else (next(iter(profiles)) if len(profiles) == 1 else "")
    budget, budget_accounting = parse_budget_tables(
        [read_table(p, folder.data_dir, matches_a_profile(reference.budget_profiles, reference.header_search_rows))
         for p in budget_files], reference, single_unit)
    control_frames = [_declared_totals(path, folder, reference, single_unit) for path in folder.exports(CONTROL_TOTALS)]
    control_totals = pd.concat(control_frames, ignore_index=True) if control_frames else empty_declared()
    payments, payment_accounting = _payments(folder, reference, single_unit)
    # The export's modification time stands for its export date: no voucher can be later.
    file_dates = {folder.name(path): pd.Timestamp(path.stat().st_mtime, unit="s") for path in folder.input_files()}
    return _SharedInputs(budget, budget_accounting, control_totals, profiles, profile_files, file_dates,
                         payments, payment_accounting)


def _declared_totals(path: Path, folder: YearFolder, reference: Reference, single_unit: str) -> pd.DataFrame:
    """Declared figures of one control-totals file: a 财决01 收入支出决算总表 as the 决算 software
    prints it (rows by 行次, columns by 栏次), or a plain table 单位编码 | 项目 | 金额."""
    unit = folder.folder_unit(path, CONTROL_TOTALS, single_unit)
    layout = reference.final_accounts
    plain = matches_a_profile([reference.control_format], reference.header_search_rows)

    def accept(table: RawTable) -> bool:
        if layout is not None and sheet_matches(table.sheet, layout) and is_final_accounts_sheet(table):
            return True
        return plain(table)

    table = read_table(path, folder.data_dir, accept)
    if layout is not None and is_final_accounts_sheet(table):
        return parse_final_accounts(table, layout, unit)
    mapped = map_headers(table, reference.control_format.aliases, reference.control_format.required,
                         reference.header_search_rows)
    return parse_control_table(mapped, unit)


def _payments(folder: YearFolder, reference: Reference, single_unit: str) -> tuple[pd.DataFrame, RowAccounting]:
    """国库集中支付凭证 rows of every payments file, and their accounting."""
    frames, skipped, rejected = [empty_payments()], [], []
    read: dict[str, int] = {}
    loaded: dict[str, int] = {}
    payment_format = reference.payment_format
    for path in folder.exports(PAYMENTS) if payment_format is not None else ():
        table = read_table(path, folder.data_dir, matches_a_profile([payment_format], reference.header_search_rows))
        mapped = map_headers(table, payment_format.aliases, payment_format.required, reference.header_search_rows)
        frame, table_skipped, table_rejected = parse_payment_table(
            mapped, folder.folder_unit(path, PAYMENTS, single_unit), mapped.headers)
        read[mapped.file], loaded[mapped.file] = len(mapped.rows), len(frame)
        frames.append(frame)
        skipped += table_skipped
        rejected += table_rejected
    return pd.concat(frames, ignore_index=True), RowAccounting(read, loaded, tuple(skipped), tuple(rejected))
