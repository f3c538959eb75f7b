"""Export profiles: how each family of real exports is recognised and turned into canonical cells.

A profile is declared in config/export_formats.yaml (one entry per family: header aliases,
required columns, how dates, amounts and auxiliaries are written). Each file is matched
against every profile by its header; the profile that maps all its required columns (the
most specific one when several do) reads the file. Pure: cells in, cells out.

The canonical cells a profile produces are what `ledger.parse_ledger_table` reads; every
canonical column keeps the words of the file's own header (`MappedTable.headers`), so a
message names 项目分类代码 or 辅助项【资金性质】, not our internal name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from flows.domain.errors import InputError
from flows.domain.tables import MappedTable, RawTable, find_header, normalise_header

# The canonical cells of a ledger line, in the order canonical tables hold them.
CANONICAL_LEDGER_CELLS = (
    "unit_code", "posting_date", "voucher_type", "voucher_no", "line_no", "account_code", "account_name",
    "debit", "credit", "summary", "func_code", "econ_code", "project_code", "project_name",
    "project_category", "fund_source", "ledger_system", "void",
)

# What each canonical column means, in the words of a finance office (for `jixiao formats`).
CANONICAL_MEANING = {
    "unit_code": "单位编码", "posting_date": "凭证日期", "voucher_type": "凭证字", "voucher_no": "凭证号",
    "voucher_id": "凭证标识", "line_no": "分录号", "account_code": "会计科目编码", "account_name": "会计科目名称",
    "debit": "借方金额", "credit": "贷方金额", "amount": "金额", "direction": "借贷方向", "summary": "摘要",
    "func_code": "支出功能分类", "econ_code": "部门支出经济分类", "project_code": "预算项目编码",
    "project_name": "预算项目名称", "project_category": "项目类别", "fund_source": "资金性质",
    "ledger_system": "会计体系（只计预算会计）", "void": "作废标志", "year": "年", "month": "月", "day": "日",
    "auxiliaries": "辅助项（一格多项）", "aux_type": "辅助类型", "aux_code": "辅助编码", "aux_name": "辅助名称",
    "source_type": "指标来源", "doc_no": "指标文号", "indicator_code": "预算指标代码", "reduction": "调减金额",
    "figure": "口径",
}

_AUXILIARY_ITEM = re.compile(r"【\s*([^：:】]+?)\s*[：:]\s*([^】]*?)\s*】")


@dataclass(frozen=True, slots=True)
class DirectionRule:
    """One amount column plus a 借贷方向 column (DA/T 95): the direction picks the side."""

    amount: str                      # canonical column holding the amount
    direction: str                   # canonical column holding 借 / 贷
    debit_words: tuple[str, ...] = ("借", "借方", "1", "D")
    credit_words: tuple[str, ...] = ("贷", "贷方", "-1", "2", "C")


@dataclass(frozen=True, slots=True)
class LongFormRule:
    """One row per voucher line × 辅助 item (凭证辅助明细表): rows of a line are pivoted back
    into one line; the amount repeated on each of them counts once."""

    line_key: tuple[str, ...]        # canonical columns that identify a voucher line
    type_column: str
    code_column: str
    name_column: str
    types: Mapping[str, str]         # 辅助类型 as written -> canonical column


@dataclass(frozen=True, slots=True)
class ExportProfile:
    """One family of exports, as declared in config/export_formats.yaml."""

    name: str
    label: str                                   # shown to users: 用友 凭证明细 …
    aliases: Mapping[str, Sequence[str]]         # canonical column -> header words of this family
    required: Sequence[str]
    date_parts: tuple[str, str, str] | None = None   # canonical 年, 月, 日 columns composing 凭证日期
    direction: DirectionRule | None = None
    auxiliaries: Mapping[str, str] = field(default_factory=dict)   # 辅助项 type name -> canonical column
    long_form: LongFormRule | None = None
    keep_rows: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # column -> values kept (others skipped)
    derived: tuple[str, ...] = ()   # canonical columns the family lacks, derived from the other input (budget ↔ ledger)
    missing_summary: str = ""                    # stands for 摘要 where the family has none
    source_types: Mapping[str, str] = field(default_factory=dict)   # budget: 指标来源 words/codes -> kind

    @property
    def transforms(self) -> bool:
        return bool(self.date_parts or self.direction or self.auxiliaries or self.long_form
                    or self.missing_summary)

    def first_alias(self, column: str) -> str:
        names = self.aliases.get(column, ())
        return names[0] if names else column


@dataclass(frozen=True, slots=True)
class ProfileMatch:
    """How close a file's header comes to one profile (for the dry run and the error message)."""

    profile: ExportProfile
    header_row: int
    header_cells: tuple[str, ...]
    columns: Mapping[str, int]
    missing: tuple[str, ...]

    @property
    def matches(self) -> bool:
        return not self.missing


def rank_profiles(table: RawTable, profiles: Sequence[ExportProfile], search_rows: int) -> list[ProfileMatch]:
    """Every profile's best header row in `table`, best match first: all required columns
    found, then the most columns mapped (the most specific family wins a tie)."""
    found = []
    for profile in profiles:
        row_no, cells, columns, missing = find_header(table, profile.aliases, profile.required, search_rows)
        found.append(ProfileMatch(profile, row_no, tuple(cells), columns, tuple(missing)))
    return sorted(found, key=lambda m: (len(m.missing), -len(m.columns)))


def match_profile(table: RawTable, profiles: Sequence[ExportProfile], search_rows: int) -> MappedTable:
    """Map `table` by the profile its header matches.

    Raises:
        InputError: no profile matches; the message names the closest family, the required
            columns it lacks in that family's words, and the file's own header line.
    """
    if not table.rows:
        raise InputError("文件为空，没有表头和数据", file=table.file)
    ranked = rank_profiles(table, profiles, search_rows)
    best = ranked[0]
    if best.matches:
        duplicate = _duplicate_column(best)
        if duplicate:
            raise InputError(duplicate, file=table.file, row=best.header_row)
        headers = {name: best.header_cells[index].strip() for name, index in best.columns.items()}
        data = [(n, c) for n, c in table.rows if n > best.header_row]
        return MappedTable(table.file, best.header_row, dict(best.columns), data, best.profile.name, headers)
    lacking = "、".join(f"{best.profile.first_alias(name)}" for name in best.missing)
    line = "，".join(cell.strip() for cell in best.header_cells if cell.strip()) or "（空）"
    raise InputError(
        f"无法识别的导出格式：最接近「{best.profile.label}」，但缺少必需的列 {lacking}。"
        f"文件的表头行（第 {best.header_row} 行）是：{line}。可用 jixiao formats 查看支持的格式",
        file=table.file, row=best.header_row or None, column=best.profile.first_alias(best.missing[0]),
    )


def _duplicate_column(match: ProfileMatch) -> str:
    """The same header word twice (two 凭证日期 columns): which one is meant cannot be told."""
    seen: dict[str, str] = {}
    words = {normalise_header(a) for names in match.profile.aliases.values() for a in names}
    for cell in match.header_cells:
        key = normalise_header(cell)
        if key in words and key in seen:
            return f"表头中有两列都叫「{cell.strip()}」，无法确定使用哪一列"
        seen[key] = cell
    return ""


@dataclass(frozen=True, slots=True)
class CanonicalRows:
    """A ledger table in canonical cells, with the rows the profile itself set aside."""

    table: MappedTable
    skipped: tuple[tuple[int, str, str, str], ...] = ()    # (row, column words, value, reason)
    rejected: tuple[tuple[int, str, str, str], ...] = ()


def canonical_ledger(table: MappedTable, profile: ExportProfile) -> CanonicalRows:
    """The table's rows as canonical cells (CANONICAL_LEDGER_CELLS), row numbers kept."""
    if not profile.transforms:
        return CanonicalRows(table)
    col = dict(table.columns)
    headers = dict(table.headers)
    out_index = {name: i for i, name in enumerate(CANONICAL_LEDGER_CELLS)}
    skipped: list[tuple[int, str, str, str]] = []
    rejected: list[tuple[int, str, str, str]] = []
    source_rows = table.rows
    if profile.long_form:
        source_rows, extra = _pivot_long_form(table, profile, skipped, rejected)
        col.update(extra)

    def cell(cells: Sequence[str], name: str) -> str:
        index = col.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    rows: list[tuple[int, list[str]]] = []
    width = max(table.columns.values()) + 1
    for row_no, cells in source_rows:
        if not any(c.strip() for c in cells):
            rows.append((row_no, [""] * len(CANONICAL_LEDGER_CELLS)))
            continue
        if len(cells) < width:   # a truncated line would otherwise load with empty cells
            rejected.append((row_no, "", ",".join(cells)[:60],
                             f"该行只有 {len(cells)} 列，少于表头的 {width} 列（文件可能被截断或分隔符有误）"))
            continue
        out = [cell(cells, name) if name in col else "" for name in CANONICAL_LEDGER_CELLS]
        if profile.date_parts:
            year, month, day = (cell(cells, part) for part in profile.date_parts)
            out[out_index["posting_date"]] = f"{year}-{month}-{day}" if year and month and day else "/".join(
                p for p in (year, month, day) if p)
        if profile.direction:
            rule = profile.direction
            amount, direction = cell(cells, rule.amount), cell(cells, rule.direction).replace(" ", "")
            if direction in rule.debit_words:
                out[out_index["debit"]], out[out_index["credit"]] = amount, ""
            elif direction in rule.credit_words:
                out[out_index["debit"]], out[out_index["credit"]] = "", amount
            elif amount:
                rejected.append((row_no, headers.get(rule.direction, rule.direction), direction,
                                 f"借贷方向应为 {' / '.join(rule.debit_words[:1] + rule.credit_words[:1])}"))
                continue
        if profile.auxiliaries:
            text = cell(cells, "auxiliaries")
            for kind, value in _AUXILIARY_ITEM.findall(text):
                target = profile.auxiliaries.get(kind.strip())
                if target:
                    out[out_index[target]] = value
        if profile.missing_summary and "summary" not in col:
            out[out_index["summary"]] = profile.missing_summary
        rows.append((row_no, out))
    aux_header = headers.get("auxiliaries", "辅助项")
    for kind, target in profile.auxiliaries.items():
        headers.setdefault(target, f"{aux_header}【{kind}】")
    if profile.long_form:
        rule = profile.long_form
        type_header = headers.get(rule.type_column, "辅助类型")
        for kind, target in rule.types.items():
            headers.setdefault(target, f"{type_header}「{kind}」")
    if profile.date_parts:
        headers["posting_date"] = "/".join(headers.get(p, p) for p in profile.date_parts)
    if profile.direction:
        words = f"{headers.get(profile.direction.amount, '金额')}（{headers.get(profile.direction.direction, '借贷方向')}）"
        headers["debit"] = headers["credit"] = words
    mapped = MappedTable(table.file, table.header_row, out_index, rows, table.profile, headers)
    return CanonicalRows(mapped, tuple(skipped), tuple(rejected))


def _pivot_long_form(table: MappedTable, profile: ExportProfile, skipped: list, rejected: list
                     ) -> tuple[list[tuple[int, Sequence[str]]], dict[str, int]]:
    """Rows of the same voucher line become one row: the 辅助 items fill extra cells (their
    indexes returned beside the rows), the amount repeated on each row is taken once and
    must agree on every row."""
    rule = profile.long_form
    assert rule is not None
    col = table.columns

    def cell(cells: Sequence[str], name: str) -> str:
        index = col.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    groups: dict[tuple[str, ...], list[tuple[int, Sequence[str]]]] = {}
    blank: list[tuple[int, Sequence[str]]] = []
    for row_no, cells in table.rows:
        if not any(c.strip() for c in cells):
            blank.append((row_no, cells))
            continue
        groups.setdefault(tuple(cell(cells, name) for name in rule.line_key), []).append((row_no, cells))
    width = max(col.values()) + 1
    extra = {target: width + i for i, target in enumerate(dict.fromkeys(rule.types.values()))}
    merged_rows: list[tuple[int, Sequence[str]]] = list(blank)
    for rows in groups.values():
        first_no, first = rows[0]
        amounts = {(cell(c, "debit"), cell(c, "credit")) for _, c in rows}
        if len(amounts) > 1:
            rejected.append((first_no, table.headers.get("debit", "借方发生额"),
                             "；".join("/".join(a) for a in sorted(amounts)),
                             f"同一分录的辅助明细行（第 {'、'.join(str(n) for n, _ in rows)} 行）金额不一致"))
            skipped.extend((n, "", "", f"与第 {first_no} 行同一分录的辅助明细行") for n, _ in rows[1:])
            continue
        merged = [*first[:width], *[""] * (width - len(first)), *[""] * len(extra)]
        for row_no, cells in rows:
            target = rule.types.get(cell(cells, rule.type_column).replace(" ", ""))
            if target:
                code, name = cell(cells, rule.code_column), cell(cells, rule.name_column)
                merged[extra[target]] = f"{code} {name}".strip() if code else name
            if row_no != first_no:
                skipped.append((row_no, "", "", f"与第 {first_no} 行同一分录的辅助明细行，金额只计一次"))
        merged_rows.append((first_no, merged))
    merged_rows.sort(key=lambda row: row[0])
    return merged_rows, extra


def describe_match(match: ProfileMatch) -> list[str]:
    """How a file's columns map under one profile, line by line, for a clerk to show IT staff."""
    profile = match.profile
    lines = [f"格式：{profile.label}（{profile.name}），表头在第 {match.header_row} 行"]
    for name, index in sorted(match.columns.items(), key=lambda item: item[1]):
        lines.append(f"  第 {index + 1} 列「{match.header_cells[index].strip()}」 → {CANONICAL_MEANING.get(name, name)}")
    for name in match.missing:
        words, meaning = " / ".join(profile.aliases[name]), CANONICAL_MEANING.get(name, name)
        lines.append(f"  缺少必需的列：{words}" + ("" if meaning.startswith(words) else f"（{meaning}）"))
    if profile.derived:
        derived = "、".join(CANONICAL_MEANING.get(name, name) for name in profile.derived)
        lines.append(f"  该格式没有 {derived}：按预算项目从另一份输入（账簿 / 预算指标）补齐")
    if profile.missing_summary:
        lines.append(f"  该格式没有摘要：记为「{profile.missing_summary}」")
    for name, values in profile.keep_rows.items():
        lines.append(f"  只计入「{profile.first_alias(name)}」为 {' / '.join(v or '（空）' for v in values)} 的分录")
    return lines
