"""Read ledger and budget export files (CSV in UTF-8/GB18030, XLSX) into RawTables of strings."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

from flows.domain.errors import InputError
from flows.domain.tables import RawTable

# The row reader holds every cell as a Python string, several times the file's size in
# memory; a larger export must be a clean CSV (read column-wise) or be exported in parts.
ROW_READER_MAX_BYTES = 256 * 1024 * 1024
# Any one export, read column-wise: the reader peaks at about six times the file (3.1 GB for
# a 512 MB export, measured), so 1 GB keeps one file within about 6 GB; a larger city-wide
# export is exported by month.
EXPORT_MAX_BYTES = 1024 * 1024 * 1024
# The largest cell a CSV may hold; a longer one is almost always a quote that never closes.
CSV_FIELD_MAX_CHARS = 128 * 1024
_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"


def decode_text(data: bytes, file: str) -> str:
    """Decode a CSV export: strict UTF-8 (BOM honoured) first, then GB18030.

    GB18030 accepts almost any byte string, so it must come second or it would turn
    UTF-8 files into mojibake.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("文件是 UTF-16 编码，请在 Excel 中另存为“CSV UTF-8”或 GBK 编码的 CSV", file=file)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError("文件编码无法识别（既不是 UTF-8 也不是 GBK/GB18030）", file=file, row=line) from None


def read_csv_table(data: bytes, file: str) -> RawTable:
    """Parse CSV bytes; row numbers are the line numbers a spreadsheet shows."""
    text = decode_text(data, file)
    if "\x00" in text:
        raise InputError("文件含有二进制内容，不是文本格式的 CSV", file=file)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    csv.field_size_limit(CSV_FIELD_MAX_CHARS)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, last_line = [], 0
    try:
        for cells in reader:
            # A record is numbered by the line it starts on: a quoted line break (or a stray
            # quote that swallows the next lines) then points where the user must look.
            rows.append((last_line + 1, cells))
            last_line = reader.line_num
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise InputError(f"从第 {last_line + 1} 行起有一个超过 {CSV_FIELD_MAX_CHARS // 1024} KB 的单元格，无法读取；"
                             "通常是某个引号没有收尾，之后的内容都被读进了同一格，请检查该行", file=file, row=last_line + 1) from None
        raise InputError(f"CSV 格式错误：{error}", file=file, row=last_line + 1) from None
    return RawTable(file=file, rows=rows)


def require_readable_size(path: Path, file: str, limit: int) -> None:
    """Refuse an export too large to read safely, before reading it.

    Raises:
        InputError: the file is larger than `limit` bytes.
    """
    size = path.stat().st_size
    if size > limit:
        raise InputError(f"文件大小 {size / 1024 / 1024:,.0f} MB，超过可读取的上限 {limit / 1024 / 1024:,.0f} MB；"
                         "请按月或按单位拆分导出（规范的 CSV 可按列读取，上限更高）", file=file)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        # Whole numbers in numeric cells come back as floats (12.0); keep them integral.
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def read_xlsx_tables(data: bytes, file: str) -> list[RawTable]:
    """Read every worksheet of an XLSX or old XLS (BIFF) workbook as strings (python-calamine:
    fast, read-only, reads both formats), each marked hidden or not."""
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = [(meta, workbook.get_sheet_by_name(meta.name).to_python(skip_empty_area=False))
                  for meta in workbook.sheets_metadata if meta.typ == SheetTypeEnum.WorkSheet]
    except Exception as error:  # noqa: BLE001 - calamine raises its own error types for broken zips
        raise InputError(f"Excel 文件无法读取（文件可能已损坏或被截断）：{error}", file=file) from None
    return [
        RawTable(file=file, rows=[(index, [_cell_text(value) for value in cells]) for index, cells in enumerate(values, start=1)],
                 sheet=meta.name, hidden=meta.visible != SheetVisibleEnum.Visible)
        for meta, values in sheets
    ]


def choose_sheet(sheets: list[RawTable], accept: Callable[[RawTable], bool], file: str) -> RawTable:
    """The sheet a person reading the workbook would take: the first visible one that is the
    export. A hidden sheet is never read silently: when only a hidden sheet is the export,
    the user is asked to unhide it (a hidden sheet is often an old copy or a working sheet)."""
    if not sheets:
        raise InputError("Excel 文件中没有工作表", file=file)
    visible = [sheet for sheet in sheets if not sheet.hidden]
    chosen = next((sheet for sheet in visible if accept(sheet)), None)
    if chosen is not None:
        return chosen
    hidden = next((sheet for sheet in sheets if sheet.hidden and accept(sheet)), None)
    if hidden is not None:
        raise InputError(f"符合导出格式的工作表「{hidden.sheet}」是隐藏的；隐藏的表不会被读取。"
                         "请确认它是要导入的数据后在 Excel 中取消隐藏再保存", file=file)
    return (visible or sheets)[0]


def _require_cached_formula_values(data: bytes, sheet: str, file: str) -> None:
    """A formula whose result was never saved (a file written by a program, not by Excel)
    reads as empty: its amount would silently count as 0. Name the cell instead.

    Raises:
        InputError: a formula cell of `sheet` has no saved value.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if not any(b"<f" in archive.read(name) for name in archive.namelist()
                   if name.startswith("xl/worksheets/") and name.endswith(".xml")):
            return                                    # no formula anywhere: the common case
    from openpyxl import load_workbook

    try:
        formulas = load_workbook(io.BytesIO(data), read_only=True, data_only=False)[sheet]
        values = load_workbook(io.BytesIO(data), read_only=True, data_only=True)[sheet]
    except Exception as error:  # noqa: BLE001 - openpyxl raises many types for odd workbooks
        raise InputError(f"Excel 文件中的公式无法检查（文件结构异常）：{error}", file=file) from None
    for formula_row, value_row in zip(formulas.iter_rows(), values.iter_rows(), strict=False):
        for formula, value in zip(formula_row, value_row, strict=False):
            if isinstance(formula.value, str) and formula.value.startswith("=") and value.value is None:
                raise InputError(f"单元格 {formula.coordinate} 是公式（{formula.value}），但文件中没有保存计算结果，"
                                 "读取时会被当作空值；请在 Excel 中打开并保存（或把公式粘贴为数值）后再导入",
                                 file=file, row=formula.row, column=formula.coordinate)


def read_table(path: Path, data_root: Path, accept: Callable[[RawTable], bool] = lambda table: True) -> RawTable:
    """Read one export by its content, not its extension (a renamed file is still caught).

    A workbook with several sheets gives its first sheet that `accept`s (e.g. whose header
    maps); exporters often put a cover or notes sheet first.
    """
    file = path.relative_to(data_root).as_posix() if path.is_relative_to(data_root) else path.name
    require_readable_size(path, file, ROW_READER_MAX_BYTES)
    data = path.read_bytes()
    if not data.strip():
        raise InputError("文件为空", file=file)
    if data.startswith(_XLSX_MAGIC):
        sheet = choose_sheet(read_xlsx_tables(data, file), accept, file)
        _require_cached_formula_values(data, sheet.sheet, file)
        return sheet
    if data.startswith(_XLS_MAGIC):
        # An OLE container is an old .xls, or an OOXML workbook encrypted with a password.
        if "EncryptionInfo".encode("utf-16-le") in data[:1 << 20]:
            raise InputError("Excel 文件设有打开密码，无法读取；请在 Excel 中取消密码后另存再导入", file=file)
        return choose_sheet(read_xlsx_tables(data, file), accept, file)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        raise InputError("扩展名是 Excel，但文件内容不是 Excel 工作簿", file=file)
    return read_csv_table(data, file)
