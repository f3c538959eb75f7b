"""The attached tables of a locality as configuration (config/attachments/<name>.yaml). Pure.

A layout names its definitions once (`measures`: which ledger and budget lines an amount sums)
and draws each table as rows of cells on a grid of equal columns. The renderer draws what the
layout says, so another province's tables are a new file, not code.
"""

from __future__ import annotations

import typing
from typing import Annotated, Literal

from pydantic import Discriminator, Field, Tag, model_validator

from flows.domain.config_schema import ConfigModel

# What an amount cell shows of its measure.
AmountSource = Literal[
    "prior_actual",      # 上年决算数: last year's actual of the same definition
    "prior_adjustment",  # last year's 全年预算 − 年初预算
    "initial",           # 年初预算数
    "adjusted",          # 全年预算数
    "budget",            # 预算数 in the measure's own budget phase
    "actual",            # 决算数 / 执行数
    "adjustment",        # 全年预算 − 年初预算 (部门基本支出预算调整)
    "rate",              # 执行率 = actual ÷ adjusted
    "none",              # the official table leaves this cell empty (—)
]
SOURCE_NAMES: dict[str, str] = {
    "prior_actual": "上年决算数", "prior_adjustment": "上年预算调整数", "initial": "年初预算数",
    "adjusted": "全年预算数", "budget": "预算数", "actual": "执行数", "adjustment": "预算调整数", "rate": "执行率",
}


class Measure(ConfigModel):
    """One definition: which lines an amount sums. Stated in the workpaper with its source."""

    definition: str                                   # how the official note defines it, in words
    source: str = ""                                  # the note or document it follows
    expense: Literal["all", "basic", "project"] = "all"
    econ: tuple[str, ...] = ()                        # 经济分类 类 or 款 codes, matched as prefixes; () = all
    funds: Literal["all", "fiscal"] | tuple[str, ...] = "all"   # 资金性质 codes, or fiscal = 财政拨款
    funds_except: tuple[str, ...] = ()
    budget_phase: Literal["initial", "adjusted"] = "adjusted"   # which budget its 预算数 shows
    declared: bool = False                            # declared in the department profile, not summed
    body: dict[AmountSource, str] = Field(default_factory=dict)  # same figure printed in the body: source → key

    @model_validator(mode="after")
    def _econ_codes(self) -> Measure:
        bad = [code for code in self.econ if not (code.isdigit() and len(code) in (3, 5))]
        if bad:
            raise ValueError(f"经济分类编码「{'、'.join(bad)}」应为 3 位类或 5 位款")
        if self.funds_except and self.funds != "all":
            raise ValueError("funds 与 funds_except 只能写一个")
        unchecked = [source for source in self.body if source.startswith("prior_") or source in ("rate", "none")]
        if unchecked:
            # Only this year's amounts can be compared with the body's figures in fen.
            raise ValueError(f"body 只能对应本年金额列（initial、adjusted、budget、actual、adjustment），不能是「{'、'.join(unchecked)}」")
        return self


CellStyle = Literal["header", "label", "number", "text", "note"]


class Cell(ConfigModel):
    """One cell: literal text ({year}, {prior_year}, {unit} filled in), a figure, an amount or profile text."""

    text: str = ""
    figure: str = ""                 # a registered figure's key (flows/domain/figures.py)
    amount: str = ""                 # "<measure>.<source>", e.g. 公用经费.actual
    profile: Literal["", "annual_goals.expected", "annual_goals.achieved", "frugality"] = ""   # a profile text
    span: int = Field(default=1, ge=1)
    style: CellStyle | None = None   # default: number for figures and amounts, label for text
    merge_up: bool = False           # continue the cell above (merged vertically with it)

    @model_validator(mode="after")
    def _one_content(self) -> Cell:
        if sum(bool(v) for v in (self.figure, self.amount, self.profile)) > 1 or (
                self.text and (self.figure or self.amount or self.profile)):
            raise ValueError("一个单元格只能写 text、figure、amount、profile 中的一项")
        if self.amount and self.amount.rsplit(".", 1)[-1] not in typing.get_args(AmountSource):
            raise ValueError(f"amount「{self.amount}」应写成「口径.列」，列为 {'、'.join(typing.get_args(AmountSource))} 之一")
        return self


class AmountRow(ConfigModel):
    """A label and the table's amount columns of one measure."""

    label: str
    measure: str
    columns: tuple[AmountSource, ...] | None = None   # default: the table's amount_columns


class ProjectRows(ConfigModel):
    """One row per project of a measure's lines (every fund), numbered: `label` with {no} and {name}."""

    projects_of: str                  # the measure split by project, e.g. 项目支出
    label: str = "{no}、{name}"
    columns: tuple[AmountSource, ...] | None = None


class IndicatorColumn(ConfigModel):
    field: Literal["level1", "level2", "name", "target", "actual", "points", "score", "note"]
    span: int = Field(default=1, ge=1)


class IndicatorRows(ConfigModel):
    """One row per scored indicator; `merge` fields are merged down while they repeat."""

    indicators: tuple[IndicatorColumn, ...] = Field(min_length=1)
    lead: Cell | None = None        # a first cell merged down over all indicator rows (绩效指标)
    merge: tuple[Literal["level1", "level2"], ...] = ()


class CellsRow(ConfigModel):
    cells: tuple[Cell, ...] = Field(min_length=1)


def _row_kind(value: object) -> str:
    """Which kind of row a layout entry is, by the key it starts from (errors then name that kind only)."""
    keys = value if isinstance(value, dict) else vars(value) if hasattr(value, "__dict__") else {}
    for key in ("cells", "indicators", "projects_of"):
        if key in keys:
            return key
    return "amount"


Row = Annotated[
    Annotated[CellsRow, Tag("cells")] | Annotated[IndicatorRows, Tag("indicators")]
    | Annotated[ProjectRows, Tag("projects_of")] | Annotated[AmountRow, Tag("amount")],
    Discriminator(_row_kind),
]


class PrintedSum(ConfigModel):
    """Parts a table prints beside their total: when the rounded parts miss the rounded total (尾差),
    the table gets the layout's rounding note and the quality report says so (RND-001)."""

    name: str                                   # e.g. 项目支出, as the note names it
    total: str                                  # measure
    parts: tuple[str, ...] = ()                 # measures …
    projects_of: str = ""                       # … or the measure's per-project lines
    column: Literal["initial", "adjusted", "budget", "actual"] = "actual"

    @model_validator(mode="after")
    def _parts(self) -> PrintedSum:
        if bool(self.parts) == bool(self.projects_of):
            raise ValueError(f"合计「{self.name}」应写 parts（各项口径）或 projects_of（按项目分行的口径）中的一项")
        return self


class Table(ConfigModel):
    """One attachment: its title and its rows on a grid of `grid` equal columns."""

    key: str = Field(pattern=r"^[a-z_]+$")
    title: str                          # {unit} {year}
    unit_note: str = ""                 # 单位：万元
    grid: int = Field(ge=1)
    label_span: int = Field(ge=1)       # width of the label cell of amount rows
    amount_columns: tuple[AmountSource, ...] = ()
    rows: tuple[Row, ...] = Field(min_length=1)
    sums: tuple[PrintedSum, ...] = ()
    # {name}: the sum's name, {gap}: the 尾差 in 万元; {more_or_less}: 多 or 少.
    rounding_note: str = "注：{name}各项金额由账簿分录按分汇总后分别四舍五入至0.01万元，各项之和比合计{more_or_less}{gap}万元，系尾差，未作调整。"

    @model_validator(mode="after")
    def _rows_fill_the_grid(self) -> Table:
        for index, row in enumerate(self.rows):
            if isinstance(row, AmountRow | ProjectRows):
                columns = row.columns if row.columns is not None else self.amount_columns
                if columns and self.grid - self.label_span < len(columns):
                    raise ValueError(f"表「{self.key}」第 {index + 1} 行：label_span {self.label_span} 之后只剩 "
                                     f"{self.grid - self.label_span} 列，放不下 {len(columns)} 个金额列")
            width = _row_width(self, row)
            if width is not None and width != self.grid:
                raise ValueError(f"表「{self.key}」第 {index + 1} 行各单元格宽度合计为 {width}，应为 grid {self.grid}")
        return self


def amount_spans(table: Table, columns: tuple[AmountSource, ...]) -> list[int]:
    """The widths of a row's amount cells: what the label leaves, shared as evenly as the grid allows."""
    room, count = table.grid - table.label_span, len(columns)
    return [room // count + (1 if i < room % count else 0) for i in range(count)] if count else []


def _row_width(table: Table, row: Row) -> int | None:
    if isinstance(row, CellsRow):
        return sum(cell.span for cell in row.cells)
    if isinstance(row, IndicatorRows):
        return sum(c.span for c in row.indicators) + (row.lead.span if row.lead else 0)
    columns = row.columns if row.columns is not None else table.amount_columns
    if not columns:
        return None if table.label_span == table.grid else table.label_span
    return None


class AttachmentLayout(ConfigModel):
    """config/attachments/<name>.yaml."""

    name: str
    measures: dict[str, Measure] = Field(min_length=1)
    tables: tuple[Table, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _every_reference_is_known(self) -> AttachmentLayout:
        for table in self.tables:
            for row in table.rows:
                for measure in _measures_of(row):
                    if measure not in self.measures:
                        known = "、".join(self.measures)
                        raise ValueError(f"表「{table.key}」用到了未定义的口径「{measure}」（已定义：{known}）")
            for check in table.sums:
                for measure in (check.total, *check.parts, *([check.projects_of] if check.projects_of else [])):
                    if measure not in self.measures:
                        raise ValueError(f"表「{table.key}」的合计「{check.name}」用到了未定义的口径「{measure}」")
        keys = [t.key for t in self.tables]
        if len(set(keys)) != len(keys):
            raise ValueError("tables 中有重复的 key")
        return self


def _measures_of(row: Row) -> list[str]:
    if isinstance(row, AmountRow):
        return [row.measure]
    if isinstance(row, ProjectRows):
        return [row.projects_of]
    cells = row.cells if isinstance(row, CellsRow) else (row.lead,) if row.lead is not None else ()
    return [cell.amount.rsplit(".", 1)[0] for cell in cells if cell.amount]


def definitions(layout: AttachmentLayout) -> list[tuple[str, str, str]]:
    """(measure, definition, source) of every measure: the workpaper's 口径 sheet."""
    return [(name, measure.definition, measure.source) for name, measure in layout.measures.items()]
