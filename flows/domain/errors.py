"""Errors the domain raises. Messages are Chinese because users read them."""

from __future__ import annotations


class ReportError(Exception):
    """Base class of every error a user can act on."""


class InputError(ReportError):
    """An input cannot be used at all (missing file or column, undecodable file): exit code 2."""

    def __init__(self, message: str, *, file: str = "", row: int | None = None, column: str = "") -> None:
        self.file = file
        self.row = row
        self.column = column
        where = "，".join(
            part
            for part in (
                f"文件 {file}" if file else "",
                f"第 {row} 行" if row is not None else "",
                f"列「{column}」" if column else "",
            )
            if part
        )
        super().__init__(f"{where}：{message}" if where else message)


class OutputError(ReportError):
    """An output could not be written (disk full, no permission): the unit fails, its earlier
    versions stay as they were and nothing half-written is left."""


class ConfigError(Exception):
    """The project's own configuration (config/, expectations/, templates/) is unusable: exit
    code 4. Never a problem of the user's data, so it is not a ReportError."""

    def __init__(self, message: str, *, file: str = "") -> None:
        self.file = file
        super().__init__(f"配置错误（不是输入数据的问题）：{'配置文件 ' + file + '：' if file else ''}{message}")


class AmountError(ValueError):
    """A text is not a valid amount in yuan."""
