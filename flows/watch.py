"""Watch the data folder and report which years and units changed (debounced)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from watchfiles import Change, watch

from flows.adapters.catalog import affected, is_temporary

DEBOUNCE_MS = 3000   # exports are written in bursts; wait for the folder to settle


def watch_exports(data_dir: Path) -> Iterator[tuple[int, list[str]]]:
    """Yield (year, units) each time exports settle after a change; units [] means all."""
    root = data_dir.resolve()

    def relevant(change: Change, path: str) -> bool:
        return not is_temporary(Path(path).name)

    for changes in watch(root, debounce=DEBOUNCE_MS, watch_filter=relevant):
        relative = [Path(path).resolve().relative_to(root).as_posix() for _, path in changes]
        yield from sorted(affected(relative).items())
