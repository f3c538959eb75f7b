"""`jixiao formats`: the export profiles, and for a given file which one reads it and how.

A dry run: nothing is written, no Prefect run is started. Exit 0 when every file given
matches a profile, 2 when one does not (as `run` would stop on it).
"""

from __future__ import annotations

from pathlib import Path

from flows.adapters.export_files import read_table, read_xlsx_tables
from flows.adapters.project_files import load_reference
from flows.domain.errors import InputError
from flows.domain.export_profiles import describe_match, rank_profiles
from flows.domain.final_accounts import is_final_accounts_sheet, sheet_matches
from flows.domain.reference import Reference

KINDS = {"ledger": "账簿", "budget": "预算指标", "payments": "国库集中支付凭证", "control_totals": "控制数"}


def _families(reference: Reference):
    yield "ledger", reference.ledger_profiles
    yield "budget", reference.budget_profiles
    if reference.payment_format is not None:
        yield "payments", (reference.payment_format,)
    yield "control_totals", (reference.control_format,)


def list_profiles(reference: Reference) -> list[str]:
    lines = []
    for kind, profiles in (("ledger", reference.ledger_profiles), ("budget", reference.budget_profiles)):
        lines.append(f"{KINDS[kind]}导出格式（config/export_formats.yaml → {kind}.profiles）：")
        for profile in profiles:
            lines.append(f"  {profile.name}：{profile.label}")
            required = "、".join(f"{profile.first_alias(c)}" for c in profile.required)
            lines.append(f"      必需的列：{required}")
    return lines


def describe_file(path: Path, reference: Reference) -> tuple[bool, list[str]]:
    """(matched, lines): the best profile of each sheet of `path`, and its column mapping."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"文件无法读取：{error.strerror}", file=path.name) from None
    tables = (read_xlsx_tables(data, path.name) if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0"))
              else [read_table(path, path.parent)])
    best_lines, matched = [], False
    layout = reference.final_accounts
    for table in tables:
        where = (f"工作表「{table.sheet}」{'（隐藏，不会被读取）' if table.hidden else ''}" if table.sheet else "文件")
        if layout is not None and sheet_matches(table.sheet, layout) and is_final_accounts_sheet(table):
            figures = "、".join(f"{name}（行次 {row}，栏次 {col}）" for name, (row, col) in layout.figures.items())
            best_lines.append(f"{path.name} {where}：部门决算 财决01 收入支出决算总表，"
                              f"按行次、栏次读取控制数：{figures}（config/final_accounts.yaml）")
            matched = True
            break
        candidates = []
        for kind, profiles in _families(reference):
            candidates += [(kind, match) for match in rank_profiles(table, profiles, reference.header_search_rows)]
        kind, best = min(candidates, key=lambda c: (len(c[1].missing), -len(c[1].columns)))
        if best.matches and table.hidden:
            best_lines.append(f"{path.name} {where}：符合{KINDS[kind]}格式，但隐藏的工作表不会被读取")
            continue
        if best.matches:
            matched = True
            best_lines += [f"{path.name} {where}：{KINDS[kind]}导出，可以读取", *describe_match(best)]
        else:
            header = "，".join(c.strip() for c in best.header_cells if c.strip()) or "（空）"
            best_lines += [f"{path.name} {where}：不符合任何已知格式；最接近的是{KINDS[kind]}格式：",
                           *describe_match(best), f"  文件的表头行：{header}"]
        if best.matches:
            break            # the sheet `run` would read
    return matched, best_lines


def run_formats(files: list[str], year: int) -> int:
    reference = load_reference(year)
    if not files:
        print("\n".join(list_profiles(reference)))
        print("\n用法：jixiao formats 文件 …  查看某个导出文件按哪种格式读取、各列如何对应。")
        return 0
    code = 0
    for name in files:
        try:
            matched, lines = describe_file(Path(name), reference)
        except InputError as error:
            matched, lines = False, [str(error)]
        print("\n".join(lines), flush=True)
        code = code if matched else 2
    return code

