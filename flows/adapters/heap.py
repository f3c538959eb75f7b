"""The Python heap of a unit's work: what is parsed once is left out of the garbage collector's passes.

A unit's parsed books, the imported Prefect, Great Expectations, pandas and matplotlib, and
(in a task of several units) the other units' books are alive for the whole task and never
garbage. Rendering makes many short-lived container objects, and every full collection it
triggers walks that whole heap again. A 25,000-row unit's render took 0.78 s with the heap left
out against 1.30 s without, and 0.81 s against 0.98 s with nine other units' books alive
(benchmarks/heap_during_render.py, CPU seconds). Reference counting still frees everything as
before; only cycles among the objects alive when the block starts wait until it ends to be collected.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def settled_heap() -> Iterator[None]:
    """Leave every object alive now out of the collector's passes until the block ends."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
