"""Progress of a many-unit run: a bar on a terminal, a log line every tenth of the way elsewhere."""

from __future__ import annotations

import logging
import sys
from types import TracebackType

logger = logging.getLogger("jixiao")


class UnitProgress:
    """Counts units done. Only the terminal that started the run sees the bar; workers and
    logs get plain lines, so a served run's log stays readable."""

    def __init__(self, total: int, label: str = "单位") -> None:
        self.total, self.done, self.label = total, 0, label
        self._bar = None
        self._step = max(1, total // 10)
        if total > 1 and sys.stderr.isatty():
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._bar = Progress(TextColumn("  生成报告"), BarColumn(), MofNCompleteColumn(), TextColumn(label),
                                 TimeRemainingColumn(), transient=True)
            self._task = self._bar.add_task("units", total=total)

    def __enter__(self) -> UnitProgress:  # noqa: PYI034 - final class, no subclass returns another type
        if self._bar is not None:
            self._bar.start()
        elif self.total > 1:
            logger.info("开始处理 %d 个%s", self.total, self.label)
        return self

    def advance(self) -> None:
        self.done += 1
        if self._bar is not None:
            self._bar.advance(self._task)
        elif self.total > 1 and (self.done % self._step == 0 or self.done == self.total):
            logger.info("已完成 %d/%d 个%s", self.done, self.total, self.label)

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.stop()
