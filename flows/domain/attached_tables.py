"""The attached tables (附件1 基础数据表, 附件2 自评表) as their locality's layout draws them. Pure.

Two steps: `attachment_amounts` sums every measure the layout defines (exact fen, this year and
last), so the figure registry can register them; `draw_tables` then lays the registered figures
out in the layout's rows and cells. The wording of rows and headers is in the layout file.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import pandas as pd

from flows.domain.attachment_layout import (
    SOURCE_NAMES,
    AmountRow,
    AmountSource,
    AttachmentLayout,
    Cell,
    CellsRow,
    IndicatorRows,
    Measure,
    ProjectRows,
    Table,
    amount_spans,
)
from flows.domain.metrics import BASIC_TYPES
from flows.domain.money import format_wan, wan_cents

NO_AMOUNT = "—"


@dataclass(frozen=True, slots=True)
class MeasureAmounts:
    """One definition's amounts in fen; None where there is no such amount (the table prints —)."""

    initial_fen: int | None
    adjusted_fen: int | None
    actual_fen: int | None
    budget_phase: str = "adjusted"

    @property
    def budget_fen(self) -> int | None:
        return self.initial_fen if self.budget_phase == "initial" else self.adjusted_fen

    @property
    def adjustment_fen(self) -> int | None:
        if self.initial_fen is None or self.adjusted_fen is None:
            return None
        return self.adjusted_fen - self.initial_fen

    def column(self, source: str) -> int | None:
        """The amount a this-year column shows: initial, adjusted, budget, actual or adjustment."""
        return {"initial": self.initial_fen, "adjusted": self.adjusted_fen, "budget": self.budget_fen,
                "actual": self.actual_fen, "adjustment": self.adjustment_fen}[source]


@dataclass(frozen=True, slots=True)
class ProjectAmounts:
    code: str
    name: str
    amounts: MeasureAmounts


@dataclass(frozen=True, slots=True)
class YearAmounts:
    """Every measure of a layout for one year, and the per-project lines of the measures split by project."""

    measures: Mapping[str, MeasureAmounts]
    projects: Mapping[str, tuple[ProjectAmounts, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AttachmentAmounts:
    current: YearAmounts
    prior: YearAmounts | None = None


@dataclass(frozen=True, slots=True)
class DeclaredAmount:
    """An amount a department declares in its profile (政府采购金额…), in fen."""

    budget_fen: int | None = None
    actual_fen: int | None = None


def _selected(frame: pd.DataFrame, measure: Measure, fiscal_funds: frozenset[str]) -> pd.DataFrame:
    keep = pd.Series(True, index=frame.index)
    if measure.expense == "basic":
        keep &= frame["expense_type"].isin(BASIC_TYPES)
    elif measure.expense == "project":
        keep &= frame["expense_type"] == "project"
    if measure.econ:
        keep &= frame["econ_code"].astype(str).str.startswith(measure.econ)
    if measure.funds == "fiscal":
        keep &= frame["fund_source"].isin(fiscal_funds)
    elif measure.funds != "all":
        keep &= frame["fund_source"].isin(measure.funds)
    if measure.funds_except:
        keep &= ~frame["fund_source"].isin(measure.funds_except)
    return frame[keep]


def _amounts(ledger: pd.DataFrame, budget: pd.DataFrame, phase: str) -> MeasureAmounts:
    return MeasureAmounts(int(budget.loc[budget["source_type"] == "initial", "amount_fen"].sum()),
                          int(budget["amount_fen"].sum()), int(ledger["amount_fen"].sum()), phase)


def year_amounts(layout: AttachmentLayout, ledger: pd.DataFrame, budget: pd.DataFrame, fiscal_funds: frozenset[str],
                 declared: Mapping[str, DeclaredAmount]) -> YearAmounts:
    """Sum each measure of the layout over one year's ledger and budget lines."""
    measures: dict[str, MeasureAmounts] = {}
    for name, measure in layout.measures.items():
        if measure.declared:
            given = declared.get(name, DeclaredAmount())
            measures[name] = MeasureAmounts(given.budget_fen, given.budget_fen, given.actual_fen)
            continue
        measures[name] = _amounts(_selected(ledger, measure, fiscal_funds), _selected(budget, measure, fiscal_funds),
                                  measure.budget_phase)
    projects = {row.projects_of: _project_lines(layout.measures[row.projects_of], ledger, budget, fiscal_funds)
                for table in layout.tables for row in table.rows if isinstance(row, ProjectRows)}
    return YearAmounts(measures, projects)


def _project_lines(measure: Measure, ledger: pd.DataFrame, budget: pd.DataFrame,
                   fiscal_funds: frozenset[str]) -> tuple[ProjectAmounts, ...]:
    """One line per project of the measure, every fund: in the budget file's order, then unbudgeted ones."""
    spent, budgeted = _selected(ledger, measure, fiscal_funds), _selected(budget, measure, fiscal_funds)
    names = dict(zip(spent["project_code"], spent["project_name"], strict=True))
    names.update(zip(budgeted["project_code"], budgeted["project_name"], strict=True))
    order = dict.fromkeys([*budgeted["project_code"], *spent["project_code"]])
    by_code_spent = dict(iter(spent.groupby("project_code")))
    by_code_budget = dict(iter(budgeted.groupby("project_code")))
    empty_spent, empty_budget = spent.iloc[:0], budgeted.iloc[:0]
    return tuple(
        ProjectAmounts(code, names[code], _amounts(by_code_spent.get(code, empty_spent), by_code_budget.get(code, empty_budget),
                                                   measure.budget_phase))
        for code in order
    )


def attachment_amounts(layout: AttachmentLayout, ledger: pd.DataFrame, budget: pd.DataFrame, fiscal_funds: frozenset[str],
                       declared: Mapping[str, DeclaredAmount],
                       prior: tuple[pd.DataFrame, pd.DataFrame, frozenset[str], Mapping[str, DeclaredAmount]] | None = None,
                       ) -> AttachmentAmounts:
    """This year's and, when present, last year's amounts of every measure of the layout."""
    last = year_amounts(layout, prior[0], prior[1], prior[2], prior[3]) if prior is not None else None
    return AttachmentAmounts(year_amounts(layout, ledger, budget, fiscal_funds, declared), last)


# --- drawing -------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class TableCell:
    """One drawn cell. `figure` is the registered figure's key (numbers), for the workbook's numeric cells."""

    text: str
    span: int
    style: str                   # header, label, number, text, note
    merge: str = ""              # "restart" / "continue": merged with the cells below / above it
    figure: str = ""


@dataclass(frozen=True, slots=True)
class DrawnTable:
    key: str
    number: int                  # 附件<number>
    title: str
    unit_note: str
    grid: int
    rows: tuple[tuple[TableCell, ...], ...]


def amount_key(measure: str, source: AmountSource) -> str:
    return f"amount.{measure}.{source}"


def line_key(measure: str, code: str, source: AmountSource) -> str:
    return f"line.{measure}.{code}.{source}"


def amount_cells(layout: AttachmentLayout) -> Iterator[tuple[str, AmountSource]]:
    """Every (measure, column) an amount cell of the layout prints, each once, in layout order."""
    seen: set[tuple[str, AmountSource]] = set()
    for table in layout.tables:
        for row in table.rows:
            pairs: list[tuple[str, AmountSource]] = []
            if isinstance(row, AmountRow):
                pairs = [(row.measure, s) for s in (row.columns if row.columns is not None else table.amount_columns)]
            elif isinstance(row, CellsRow):
                pairs = [(c.amount.rsplit(".", 1)[0], c.amount.rsplit(".", 1)[1]) for c in row.cells if c.amount]  # type: ignore[misc]
            for pair in pairs:
                if pair[1] != "none" and pair not in seen:
                    seen.add(pair)
                    yield pair


def project_columns(layout: AttachmentLayout) -> dict[str, tuple[AmountSource, ...]]:
    """measure → the columns its per-project rows print."""
    found: dict[str, tuple[AmountSource, ...]] = {}
    for table in layout.tables:
        for row in table.rows:
            if isinstance(row, ProjectRows):
                found[row.projects_of] = row.columns if row.columns is not None else table.amount_columns
    return found


@dataclass(frozen=True, slots=True)
class IndicatorLine:
    """One scored indicator's printed fields, keyed as IndicatorColumn.field; `figures` names the figure keys."""

    fields: Mapping[str, str]
    figures: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DrawingInputs:
    """What a layout's cells read: printed figures, profile texts, indicator lines and project lines."""

    printed: Mapping[str, str]                     # figure key → printed text
    texts: Mapping[str, str]                       # profile: annual_goals.expected …
    indicators: tuple[IndicatorLine, ...]
    projects: Mapping[str, tuple[ProjectAmounts, ...]]
    words: Mapping[str, str]                       # {unit}, {year}, {prior_year}
    sums: tuple[SumGap, ...] = ()                  # printed sums: a 尾差 adds the table's rounding note


class UnknownFigureError(KeyError):
    """A layout cell names a figure nobody registered: a configuration mistake."""


def draw_tables(layout: AttachmentLayout, inputs: DrawingInputs) -> tuple[DrawnTable, ...]:
    """Every table of the layout, its cells filled with printed figures and texts."""
    return tuple(_draw(table, number, inputs) for number, table in enumerate(layout.tables, start=1))


@dataclass(frozen=True, slots=True)
class SumGap:
    """One printed sum of a table: exact parts and total in fen; `gap_cents` the printed 尾差 (total − parts)."""

    table: str                   # 附件<n>
    name: str
    parts_fen: tuple[int, ...]
    total_fen: int

    @property
    def gap_cents(self) -> int:
        return wan_cents(self.total_fen) - sum(wan_cents(part) for part in self.parts_fen)


def printed_sums(layout: AttachmentLayout, amounts: AttachmentAmounts) -> list[SumGap]:
    """Every sum the layout declares, with this year's exact parts and total (None amounts count as 0)."""
    current = amounts.current

    def value(measure: MeasureAmounts, column: str) -> int:
        return measure.column(column) or 0

    found = []
    for number, table in enumerate(layout.tables, start=1):
        for check in table.sums:
            parts = ([value(line.amounts, check.column) for line in current.projects.get(check.projects_of, ())]
                     if check.projects_of else [value(current.measures[name], check.column) for name in check.parts])
            found.append(SumGap(f"附件{number}", check.name, tuple(parts), value(current.measures[check.total], check.column)))
    return found


def _rounding_notes(table: Table, number: int, gaps: list[SumGap]) -> list[list[TableCell]]:
    notes = []
    for gap in gaps:
        if gap.table == f"附件{number}" and gap.gap_cents:
            text = table.rounding_note.format(name=gap.name, gap=format_wan(abs(gap.gap_cents) * 10_000),
                                              more_or_less="少" if gap.gap_cents > 0 else "多")
            notes.append([TableCell(text, table.grid, "note")])
    return notes


def _draw(table: Table, number: int, inputs: DrawingInputs) -> DrawnTable:
    rows: list[list[TableCell]] = []
    for row in table.rows:
        if isinstance(row, AmountRow):
            rows.append(_amount_row(table, _words(row.label, inputs), row.columns, inputs,
                                    lambda s, m=row.measure: amount_key(m, s)))
        elif isinstance(row, ProjectRows):
            for no, line in enumerate(inputs.projects.get(row.projects_of, ()), start=1):
                label = row.label.format(no=no, name=line.name)
                rows.append(_amount_row(table, label, row.columns, inputs,
                                        lambda s, m=row.projects_of, c=line.code: line_key(m, c, s)))
        elif isinstance(row, IndicatorRows):
            rows.extend(_indicator_rows(row, inputs))
        else:
            rows.append([_cell(cell, inputs) for cell in row.cells])
    _merge_up(rows, table.rows, inputs)
    rows.extend(_rounding_notes(table, number, list(inputs.sums)))
    return DrawnTable(table.key, number, _words(table.title, inputs), table.unit_note, table.grid,
                      tuple(tuple(r) for r in rows))


def _amount_row(table: Table, label: str, columns: tuple[AmountSource, ...] | None, inputs: DrawingInputs,
                key_of) -> list[TableCell]:
    sources = columns if columns is not None else table.amount_columns
    cells = [TableCell(label, table.label_span, "label")]
    for source, span in zip(sources, amount_spans(table, sources), strict=True):
        if source == "none":
            cells.append(TableCell(NO_AMOUNT, span, "number"))
        else:
            key = key_of(source)
            cells.append(TableCell(_printed(inputs, key), span, "number", figure=key))
    return cells


def _cell(cell: Cell, inputs: DrawingInputs) -> TableCell:
    if cell.figure or cell.amount:
        measure, _, source = cell.amount.rpartition(".")
        key = cell.figure or amount_key(measure, source)  # type: ignore[arg-type]
        return TableCell(_printed(inputs, key), cell.span, cell.style or "number", figure=key)
    if cell.profile:
        return TableCell(inputs.texts.get(cell.profile, "") or NO_AMOUNT, cell.span, cell.style or "text")
    return TableCell(_words(cell.text, inputs), cell.span, cell.style or "label")


def _indicator_rows(row: IndicatorRows, inputs: DrawingInputs) -> list[list[TableCell]]:
    drawn: list[list[TableCell]] = []
    previous: Mapping[str, str] | None = None
    for index, line in enumerate(inputs.indicators):
        cells = []
        if row.lead is not None:
            lead = _cell(row.lead, inputs)
            cells.append(TableCell(lead.text, lead.span, lead.style, "restart" if index == 0 else "continue"))
        for column in row.indicators:
            merge = ""
            if column.field in row.merge:
                same = previous is not None and all(previous[f] == line.fields[f] for f in row.merge[: row.merge.index(column.field) + 1])
                merge = "continue" if same else "restart"
            style = "number" if column.field in ("points", "score") else "label"
            # A cell merged into the one above holds no text of its own (text extractors would repeat it).
            text = "" if merge == "continue" else line.fields[column.field]
            cells.append(TableCell(text, column.span, style, merge, line.figures.get(column.field, "")))
        previous = line.fields
        drawn.append(cells)
    return drawn


def _merge_up(rows: list[list[TableCell]], layout_rows: tuple, inputs: DrawingInputs) -> None:
    """Cells with merge_up continue the cell starting at the same grid column in the row above."""
    flags = _merge_up_flags(layout_rows, inputs)
    for r, row_flags in flags.items():
        if r == 0:
            continue
        starts_above = _starts(rows[r - 1])
        for c, flag in enumerate(row_flags):
            if not flag:
                continue
            start = sum(cell.span for cell in rows[r][:c])
            above = starts_above.get(start)
            if above is not None:
                old = rows[r - 1][above]
                if old.merge != "continue":
                    rows[r - 1][above] = TableCell(old.text, old.span, old.style, "restart", old.figure)
                cell = rows[r][c]
                rows[r][c] = TableCell("", cell.span, cell.style, "continue", cell.figure)


def _merge_up_flags(layout_rows: tuple, inputs: DrawingInputs) -> dict[int, list[bool]]:
    """Drawn row index → merge_up flag per cell, for the layout's cell rows (others expand to several rows)."""
    flags: dict[int, list[bool]] = {}
    index = 0
    for row in layout_rows:
        if isinstance(row, ProjectRows):
            index += len(inputs.projects.get(row.projects_of, ()))
        elif isinstance(row, IndicatorRows):
            for _ in inputs.indicators:
                if row.lead is not None and row.lead.merge_up:
                    flags[index] = [True]
                index += 1
        else:
            if isinstance(row, CellsRow) and any(c.merge_up for c in row.cells):
                flags[index] = [c.merge_up for c in row.cells]
            index += 1
    return flags


def _starts(row: list[TableCell]) -> dict[int, int]:
    starts, position = {}, 0
    for i, cell in enumerate(row):
        starts[position] = i
        position += cell.span
    return starts


def _printed(inputs: DrawingInputs, key: str) -> str:
    try:
        return inputs.printed[key]
    except KeyError:
        raise UnknownFigureError(key) from None


def _words(text: str, inputs: DrawingInputs) -> str:
    for word, value in inputs.words.items():
        text = text.replace("{" + word + "}", value)
    return text



# --- lineage -------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class MeasureFigure:
    """An attached table's amount with its definition and the rows it sums, for the workpaper."""

    key: str
    name: str
    formula: str
    fen: int
    sources: pd.DataFrame


_ROWS = ["source_file", "source_row", "amount_fen"]


def measure_lineage(layout: AttachmentLayout, ledger: pd.DataFrame, budget: pd.DataFrame, fiscal_funds: frozenset[str],
                    prior: tuple[pd.DataFrame, pd.DataFrame, frozenset[str]] | None = None) -> list[MeasureFigure]:
    """Every summed amount the layout prints, with its measure's definition and its source rows."""
    found: list[MeasureFigure] = []
    lines = project_columns(layout)
    for name, source in amount_cells(layout):
        measure = layout.measures[name]
        if measure.declared or source == "rate":
            continue
        frames = _frames_of(source, ledger, budget, fiscal_funds, prior)
        if frames is None:
            continue
        frame, funds = frames
        rows = _source_rows(_selected(frame, measure, funds), source, measure.budget_phase)
        found.append(MeasureFigure(amount_key(name, source), f"{name}·{SOURCE_NAMES[source]}", measure.definition,
                                   int(rows["amount_fen"].sum()), rows))
    for name, columns in lines.items():
        measure = layout.measures[name]
        # Only this year's lines are printed: last year's projects that ended have no row.
        printed = set(_selected(ledger, measure, fiscal_funds)["project_code"]) | set(
            _selected(budget, measure, fiscal_funds)["project_code"])
        for source in columns:
            frames = None if source in ("none", "rate") else _frames_of(source, ledger, budget, fiscal_funds, prior)
            if frames is None:
                continue
            frame, funds = frames
            selected = _selected(frame, measure, funds)
            for code, part in selected.groupby("project_code", sort=False):
                if code not in printed:
                    continue
                rows = _source_rows(part, source, measure.budget_phase)
                label = f"{name}:{part['project_name'].iloc[0]}（{code}）·{SOURCE_NAMES[source]}"
                found.append(MeasureFigure(line_key(name, str(code), source), label, f"{measure.definition}，预算项目 {code}",
                                           int(rows["amount_fen"].sum()), rows))
    return found


def _frames_of(source: str, ledger: pd.DataFrame, budget: pd.DataFrame, fiscal_funds: frozenset[str],
               prior: tuple[pd.DataFrame, pd.DataFrame, frozenset[str]] | None) -> tuple[pd.DataFrame, frozenset[str]] | None:
    if source == "prior_actual":
        return None if prior is None else (prior[0], prior[2])
    if source == "prior_adjustment":
        return None if prior is None else (prior[1], prior[2])
    return (ledger, fiscal_funds) if source == "actual" else (budget, fiscal_funds)


def _source_rows(frame: pd.DataFrame, source: str, phase: str) -> pd.DataFrame:
    if source == "initial" or (source == "budget" and phase == "initial"):
        frame = frame[frame["source_type"] == "initial"]
    elif source in ("adjustment", "prior_adjustment"):
        frame = frame[frame["source_type"] != "initial"]
    return frame[_ROWS].reset_index(drop=True)


def declared_fen(declared: Mapping[str, object]) -> dict[str, DeclaredAmount]:
    """The profile's declared amounts (元, Decimal) in fen, by measure name."""
    def fen(value) -> int | None:
        return None if value is None else int(value * 100)
    return {name: DeclaredAmount(fen(getattr(given, "budget", None)), fen(getattr(given, "actual", None)))
            for name, given in declared.items()}
