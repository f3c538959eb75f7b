"""The canonical ledger built column by column: the same rows, issues and vouchers as
`ledger.parse_ledger_table`, decided for a whole table at once.

Each decision of the row parser is taken over a column: blank rows, subtotal markers,
embedded line breaks, account scope, keep_rows filters, closing markers, budget accounts,
amounts, code+name cells, voucher numbers. A cell text is decided once however often it
repeats (a ledger has a few hundred dates and codes over thousands of lines), by the very
helper the row parser calls, so values and messages cannot drift apart; plain amounts are
converted arithmetically. Rows only the row parser can explain (ragged rows, a cell with a
line break) go through `parse_ledger_table` itself, one at a time, and take their place
among the others. What depends on order (issues, vouchers, the numbering of unnumbered
lines) is assembled in row order at the end. Pure: cells in, rows out.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from flows.domain.errors import AmountError
from flows.domain.ledger import (
    _COLUMN_LABELS,
    _LINE_CONTENT,
    COLUMN_LABELS_ZH,
    LedgerRules,
    ParsedRows,
    RowIssue,
    _number_unnumbered_line,
    code_or_text,
    is_subtotal_row,
    normalise_voucher_no,
    parse_ledger_table,
    parse_posting_date,
)
from flows.domain.money import parse_yuan_to_fen
from flows.domain.tables import MappedTable, split_code_name

# Canonical cells the parser reads (besides the keep_rows columns).
_READ = ("unit_code", "posting_date", "voucher_type", "voucher_no", "line_no", "account_code", "debit", "credit",
         "summary", "func_code", "econ_code", "project_code", "project_name", "project_category", "fund_source")

# Amounts as most exports write them: digits, optionally grouped by thousands, up to two
# decimals, a minus or parentheses for 红字. Twelve integer digits stay far below the
# per-line limit of parse_yuan_to_fen; any other spelling is left to that function.
_PLAIN_AMOUNT = re.compile(r"^(-|\()?([0-9]{1,12}|[0-9]{1,3}(?:,[0-9]{3}){1,3})(?:\.([0-9]{0,2}))?(\))?$")
_ZERO_AMOUNTS = frozenset({"", "-", "—", "－", "--"})

_LOADED, _SKIPPED, _REJECTED = 0, 1, 2


class _Failed:
    """A cell text the row parser rejects, with the error it raises."""

    __slots__ = ("error",)

    def __init__(self, error: Exception) -> None:
        self.error = error


def _decided(values: Sequence[Hashable], decide: Callable[[Any], Any]) -> list:
    """`decide` of every value, computed once per distinct value."""
    cache = {value: decide(value) for value in dict.fromkeys(values)}
    return list(map(cache.__getitem__, values))


def _failing(decide: Callable[[Any], Any], errors: tuple[type[Exception], ...]) -> Callable[[Any], Any]:
    def attempt(value: Any) -> Any:
        try:
            return decide(value)
        except errors as error:
            return _Failed(error)
    return attempt


def _amounts_fen(texts: Sequence[str]) -> list:
    """parse_yuan_to_fen of every text (a _Failed where it raises), plain forms converted
    arithmetically over the distinct texts and the rest by parse_yuan_to_fen itself."""
    distinct = list(dict.fromkeys(texts))
    fen: dict[str, Any] = {}
    plain: list[tuple[str, re.Match[str]]] = []
    for text in distinct:
        match = _PLAIN_AMOUNT.match(text)
        if text in _ZERO_AMOUNTS:
            fen[text] = 0
        elif match and (match.group(1) == "(") == (match.group(4) == ")"):
            plain.append((text, match))
        else:
            fen[text] = _failing(parse_yuan_to_fen, (AmountError,))(text)
    if plain:
        whole = np.array([int(m.group(2).replace(",", "")) for _, m in plain], dtype=np.int64)
        cents = np.array([int((m.group(3) or "").ljust(2, "0")) for _, m in plain], dtype=np.int64)
        sign = np.array([-1 if m.group(1) else 1 for _, m in plain], dtype=np.int64)
        for (text, _), value in zip(plain, (sign * (whole * 100 + cents)).tolist(), strict=True):
            fen[text] = value
    return list(map(fen.__getitem__, texts))


def _line_number(text: str) -> int:
    return int(float(unicodedata.normalize("NFKC", text)))


class _Cells:
    """A table's cells by column: the rows of the table's common width, and where the
    others (ragged rows) stand."""

    def __init__(self, rows: Sequence[tuple[int, Sequence[str]]]) -> None:
        arrow = getattr(rows, "table", None)
        self._arrow: pa.Table | None = arrow if isinstance(arrow, pa.Table) else None
        self._lists: list[Sequence[str]] = []
        if self._arrow is not None:
            self.numbers: list[int] = self._arrow.column(0).to_pylist()
            self.width = self._arrow.num_columns - 1
            self.ragged: list[int] = []
            self.rows: Sequence[tuple[int, Sequence[str]]] = rows
        else:
            self.rows = rows if isinstance(rows, list) else list(rows)
            self.numbers = [number for number, _ in self.rows]
            lengths = [len(cells) for _, cells in self.rows]
            self.width = Counter(lengths).most_common(1)[0][0] if lengths else 0
            self.ragged = [i for i, length in enumerate(lengths) if length != self.width]
            regular = [cells for _, cells in self.rows] if not self.ragged else [
                cells for (_, cells), length in zip(self.rows, lengths, strict=True) if length == self.width]
            # Ragged rows hold empty cells here; they are decided by the row parser.
            self._lists = list(zip(*regular, strict=True)) if regular else [() for _ in range(self.width)]
            if self.ragged:
                self._lists = [self._with_gaps(column) for column in self._lists]
        self._column: dict[int, list[str]] = {}

    def _with_gaps(self, column: Sequence[str]) -> list[str]:
        full = [""] * len(self.numbers)
        ragged = set(self.ragged)
        values = iter(column)
        for i in range(len(full)):
            if i not in ragged:
                full[i] = next(values)
        return full

    def __len__(self) -> int:
        return len(self.numbers)

    def column(self, index: int) -> list[str]:
        if index not in self._column:
            if self._arrow is not None:
                self._column[index] = self._arrow.column(index + 1).to_pylist()
            else:
                self._column[index] = list(self._lists[index])
        return self._column[index]

    def row(self, position: int) -> Sequence[str]:
        if self._arrow is not None:
            return [column[0].as_py() for column in self._arrow.slice(position, 1).columns[1:]]
        return self.rows[position][1]

    def positions_containing(self, index: int, characters: str) -> set[int]:
        """Rows whose cell `index` contains any of `characters`."""
        if self._arrow is not None:
            column = self._arrow.column(index + 1)
            found = pc.match_substring(column, characters[0])
            for character in characters[1:]:
                found = pc.or_(found, pc.match_substring(column, character))
            return set(np.flatnonzero(found.to_numpy(zero_copy_only=False)).tolist())
        column = self._lists[index]
        joined = "".join(column)
        if not any(ch in joined for ch in characters):
            return set()
        pattern = re.compile("[" + re.escape(characters) + "]")
        return {i for i, cell in enumerate(column) if pattern.search(cell)}


def parse_ledger_table_columnar(
    table: MappedTable,
    rules: LedgerRules,
    fiscal_year: int,
    default_unit: str,
    into: ParsedRows,
    keep_rows: Mapping[str, Sequence[str]] | None = None,
) -> None:
    """`parse_ledger_table`, decided column by column: appends the same loaded rows, skipped
    and rejected rows, vouchers and line numbers to `into`, in the same order."""
    keep_rows = keep_rows or {}
    col = table.columns
    needed_width = max(col.values()) + 1
    cells = _Cells(table.rows)
    n = len(cells)
    if n == 0 or cells.width < needed_width:
        parse_ledger_table(table, rules, fiscal_year, default_unit, into, keep_rows)
        return
    file = table.file
    numbers = cells.numbers
    label = {name: table.label(name, _COLUMN_LABELS.get(name, COLUMN_LABELS_ZH.get(name, name)))
             for name in (*_COLUMN_LABELS, *COLUMN_LABELS_ZH, *keep_rows)}
    blanks = [""] * n
    text: dict[str, list[str]] = {}
    for name in dict.fromkeys((*_READ, *keep_rows)):
        index = col.get(name)
        text[name] = [cell.strip() for cell in cells.column(index)] if index is not None else blanks

    outcome = [-1] * n                               # -1: not yet decided
    issue: dict[int, RowIssue] = {}
    by_row: set[int] = set(cells.ragged)
    for index in range(cells.width):
        by_row |= cells.positions_containing(index, "\n\r")
    for i in by_row:
        outcome[i] = _LOADED                         # placeholder until the row parser decides it

    # Blank rows: a row with a date or an account is not blank; the rest are looked at whole.
    maybe_blank = [i for i, (date, account, decided)
                   in enumerate(zip(text["posting_date"], text["account_code"], outcome, strict=True))
                   if not date and not account and decided < 0]
    for i in maybe_blank:
        if not any(c.strip() for c in cells.row(i)):
            outcome[i] = _SKIPPED
            issue[i] = RowIssue(file, numbers[i], "", "", "空行")
    # Subtotal rows name themselves in the first cells: only a cell holding the first
    # character of a marker can.
    first_characters = "".join(dict.fromkeys(marker[0] for marker in rules.subtotal_markers if marker))
    maybe_subtotal: set[int] = set()
    if first_characters:
        for index in range(min(4, cells.width)):
            maybe_subtotal |= cells.positions_containing(index, first_characters)
    for i in sorted(maybe_subtotal):
        if outcome[i] < 0:
            row = cells.row(i)
            if is_subtotal_row(row, rules.subtotal_markers):
                outcome[i] = _SKIPPED
                issue[i] = RowIssue(file, numbers[i], "", row[0] if row else "", "合计/小计行，不是凭证分录")

    def scope(cell: str) -> tuple[str, bool, bool, bool]:
        code, _ = split_code_name(cell)
        spending = code.startswith(rules.spending_accounts)
        budget_line = bool(code) and code.startswith(rules.budget_accounting_prefixes or ("",))
        foreign = budget_line and bool(rules.budget_accounts) and code[:4] not in rules.budget_accounts
        return code, spending, budget_line, foreign

    scopes = _decided(text["account_code"], scope)
    pending = [i for i, decided in enumerate(outcome) if decided < 0]
    dates = dict(zip(pending, _decided(
        [(text["posting_date"][i], scopes[i][1]) for i in pending],
        lambda pair: _failing(parse_posting_date, (ValueError,))(pair[0]) if pair[0] or pair[1] else None),
        strict=True))
    closing = _decided(text["summary"], lambda summary: any(marker in summary for marker in rules.closing_markers))
    still: list[int] = []
    for i in pending:
        if isinstance(dates[i], _Failed):
            outcome[i] = _REJECTED
            issue[i] = RowIssue(file, numbers[i], label["posting_date"], text["posting_date"][i], "日期无法识别或不是有效日期")
            continue
        excluded = next((name for name, values in keep_rows.items() if text[name][i] not in values), "") if keep_rows else ""
        if excluded:
            outcome[i] = _SKIPPED
            issue[i] = RowIssue(file, numbers[i], label[excluded], text[excluded][i],
                                "不是预算会计的有效分录（财务会计或已作废），不计入支出")
            continue
        if closing[i]:
            outcome[i] = _SKIPPED
            issue[i] = RowIssue(file, numbers[i], label["summary"], text["summary"][i], "年终结转/结账凭证，不计入本年支出")
            continue
        code, spending, budget_line, foreign = scopes[i]
        if foreign:
            outcome[i] = _REJECTED
            issue[i] = RowIssue(file, numbers[i], label["account_code"], text["account_code"][i],
                                f"科目 {code} 不是预算会计科目表中的科目（一级科目应为 "
                                f"{'、'.join(rules.spending_accounts)} 等），可能是录入错误；按此读取会漏计或错计支出")
            continue
        if not spending and not budget_line:
            outcome[i] = _SKIPPED
            issue[i] = RowIssue(file, numbers[i], label["account_code"], text["account_code"][i], "不是预算会计科目，不计入支出")
            continue
        still.append(i)

    debit = _amounts_fen([text["debit"][i] for i in still])
    credit = _amounts_fen([text["credit"][i] for i in still])
    fen: dict[int, tuple[int, int]] = {}
    for k, i in enumerate(still):
        # The debit is read first: a row with both amounts wrong is rejected for its debit.
        side = "debit" if type(debit[k]) is _Failed else "credit" if type(credit[k]) is _Failed else ""
        if side:
            outcome[i] = _REJECTED
            error = (debit[k] if side == "debit" else credit[k]).error
            issue[i] = RowIssue(file, numbers[i], label[side], text[side][i], str(error))
        else:
            fen[i] = (debit[k], credit[k])
    priced = [i for i in still if i in fen]
    units = _decided([text["unit_code"][i] or default_unit for i in priced],
                     lambda unit: split_code_name(unit)[0] or unit)
    voucher_keys = _decided([(text["voucher_type"][i], text["voucher_no"][i]) for i in priced],
                            lambda pair: normalise_voucher_no(*pair))
    unit_of: dict[int, str] = {}
    voucher_of: dict[int, str] = {}
    contribution: dict[int, tuple[tuple[str, str, str], int, int]] = {}
    numbered: list[int] = []
    lines: dict[int, int] = {}
    line_values: dict[str, Any] = {}
    for k, i in enumerate(priced):
        code, spending, budget_line, _ = scopes[i]
        unit_code, voucher_key, posting_date = units[k], voucher_keys[k], dates[i]
        if posting_date is not None and rules.budget_accounting_prefixes and budget_line:
            contribution[i] = ((unit_code, f"{posting_date:%Y-%m}", voucher_key), *fen[i])
        if not spending:
            outcome[i] = _SKIPPED
            into.counterpart_files.add(file)
            issue[i] = RowIssue(file, numbers[i], label["account_code"], text["account_code"][i],
                                "不是预算支出科目（7101/7201），不计入支出")
            continue
        if not unit_code:
            outcome[i] = _REJECTED
            issue[i] = RowIssue(file, numbers[i], label["unit_code"], "", "无法确定所属单位")
            continue
        line_text = text["line_no"][i]
        if line_text:
            if line_text not in line_values:
                line_values[line_text] = _failing(_line_number, (ValueError,))(line_text)
            line_no = line_values[line_text]
            if isinstance(line_no, _Failed):
                outcome[i] = _REJECTED
                issue[i] = RowIssue(file, numbers[i], label["line_no"], line_text, "分录号不是整数")
                continue
            lines[i] = line_no
        else:
            numbered.append(i)
        outcome[i] = _LOADED
        unit_of[i] = unit_code
        voucher_of[i] = voucher_key

    # Rows only the row parser can explain: each alone, its outcome kept in its place.
    loaded_by_row: dict[int, dict[str, Any]] = {}
    for i in sorted(by_row):
        alone = ParsedRows()
        single = MappedTable(file, table.header_row, col, [(numbers[i], cells.row(i))], table.profile, table.headers)
        parse_ledger_table(single, rules, fiscal_year, default_unit, alone, keep_rows)
        into.counterpart_files |= alone.counterpart_files
        for (key, (debit_fen, credit_fen, _)) in alone.vouchers.items():
            contribution[i] = (key, debit_fen, credit_fen)
        if alone.skipped or alone.rejected:
            outcome[i] = _SKIPPED if alone.skipped else _REJECTED
            issue[i] = (alone.skipped or alone.rejected)[0]
            continue
        loaded_by_row[i] = {name: values[0] for name, values in alone.columns.items()}
        row = cells.row(i)
        index = col.get("line_no")
        if index is None or index >= len(row) or not row[index].strip():
            numbered.append(i)
        else:
            lines[i] = loaded_by_row[i]["line_no"]

    into.rows_read += n
    order = sorted(issue)
    into.skipped += [issue[i] for i in order if outcome[i] == _SKIPPED]
    into.rejected += [issue[i] for i in order if outcome[i] == _REJECTED]
    for i in sorted(contribution):
        key, debit_fen, credit_fen = contribution[i]
        entry = into.vouchers.setdefault(key, [0, 0, []])
        entry[0] += debit_fen
        entry[1] += credit_fen
        entry[2].append((file, numbers[i]))

    loaded = [i for i, decided in enumerate(outcome) if decided == _LOADED]
    dates_loaded = [loaded_by_row[i]["posting_date"] if i in loaded_by_row else dates[i] for i in loaded]
    units_loaded = [loaded_by_row[i]["unit_code"] if i in loaded_by_row else unit_of[i] for i in loaded]
    vouchers_loaded = [loaded_by_row[i]["voucher_no"] if i in loaded_by_row else voucher_of[i] for i in loaded]
    # Unnumbered lines take their place in their voucher in row order, as the row parser numbers them.
    line_counter: dict[tuple, int] = {}
    place = {i: k for k, i in enumerate(loaded)}
    contents = list(zip(*(text[name] for name in _LINE_CONTENT), strict=True)) if numbered else []
    for i in sorted(numbered):
        k = place[i]
        voucher = (units_loaded[k], dates_loaded[k], vouchers_loaded[k])
        if i in loaded_by_row:
            row = cells.row(i)
            content = tuple(row[col[name]].strip() if name in col and col[name] < len(row) else ""
                            for name in _LINE_CONTENT)
        else:
            content = contents[i]
        lines[i] = _number_unnumbered_line(into, voucher, line_counter.get(voucher, 0) + 1, file, content)
        line_counter[voucher] = lines[i]

    def column(name: str, compute: Callable[[list[int]], list]) -> list:
        values = compute(loaded)
        if loaded_by_row:
            for k, i in enumerate(loaded):
                if i in loaded_by_row:
                    values[k] = loaded_by_row[i][name]
        return values

    def codes(name: str) -> Callable[[list[int]], list]:
        return lambda rows: _decided([text[name][i] for i in rows], code_or_text)

    def category(rows: list[int]) -> list:
        def expense_type(cell: str) -> str:
            code, _ = split_code_name(cell)
            return rules.project_categories.get(code, code or cell)
        return _decided([text["project_category"][i] for i in rows], expense_type)

    projects = _decided([text["project_code"][i] for i in loaded], split_code_name)
    out = into.columns
    out["fiscal_year"] += [fiscal_year] * len(loaded)
    out["unit_code"] += units_loaded
    out["posting_date"] += dates_loaded
    out["voucher_no"] += vouchers_loaded
    out["line_no"] += [lines[i] for i in loaded]
    out["account_code"] += column("account_code", lambda rows: [scopes[i][0] for i in rows])
    out["func_code"] += column("func_code", codes("func_code"))
    out["econ_code"] += column("econ_code", codes("econ_code"))
    out["expense_type"] += column("expense_type", category)
    out["project_code"] += column("project_code", lambda rows: [projects[k][0] for k in range(len(rows))])
    out["project_name"] += column("project_name", lambda rows: [
        text["project_name"][i] or projects[k][1] for k, i in enumerate(rows)])
    out["fund_source"] += column("fund_source", codes("fund_source"))
    out["amount_fen"] += column("amount_fen", lambda rows: [
        fen[i][0] - fen[i][1] if i in fen else 0 for i in rows])
    out["summary"] += column("summary", lambda rows: [text["summary"][i] for i in rows])
    out["source_file"] += [file] * len(loaded)
    out["source_row"] += [numbers[i] for i in loaded]
