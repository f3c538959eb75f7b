"""Exports already split by unit in an earlier run, kept as memory-mapped Arrow files."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from flows.adapters.mapped_exports import ArrowRows
from flows.domain.export_profiles import ExportProfile
from flows.domain.tables import MappedTable


def body_digest(rows: Sequence) -> str:
    if isinstance(rows, ArrowRows):
        return rows.digest()
    return hashlib.sha256(json.dumps(list(rows), ensure_ascii=False).encode()).hexdigest()


def rows_digest(table: MappedTable, body: str | None = None) -> str:
    """sha256 of a unit's share of a file: its name, header and rows (cells and row numbers)."""
    head = json.dumps([table.file, table.header_row, sorted(table.columns.items())], ensure_ascii=False).encode()
    return hashlib.sha256(head + b"\0" + (body or body_digest(table.rows)).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class SplitExport:
    """One export file split by unit."""

    file: str
    rows_read: int
    shares: Mapping[str, MappedTable]
    digests: Mapping[str, str]          # unit -> rows_digest of its share


# Part of every cache key: a change to how files are split must not reuse old splits.
_SPLIT_FORMAT = "jixiao-split-2"


class SplitCache:
    """Exports already read and split in an earlier run, by the sha256 of their bytes (and of
    the header mapping), kept as Arrow files and memory-mapped back.

    A rerun then costs a hash per file instead of decoding and splitting millions of rows,
    and a corrected export is the only file read again. Only column-wise reads are kept:
    the small files of the row reader are quicker to read again than to cache.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.used: set[str] = set()

    def key(self, data: bytes, profiles: Sequence[ExportProfile], search_rows: int) -> str:
        digest = hashlib.sha256(data)
        declared = [(p.name, p.aliases, p.required) for p in profiles]
        digest.update(json.dumps([_SPLIT_FORMAT, declared, search_rows],
                                 ensure_ascii=False, sort_keys=True, default=list).encode())
        return digest.hexdigest()

    def get(self, key: str, file: str) -> SplitExport | None:
        meta_path = self.folder / key / "meta.json"
        if not meta_path.exists():
            return None
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        table = pa.ipc.open_file(pa.memory_map(str(self.folder / key / "rows.arrow"))).read_all()
        shares, digests = {}, {}
        for unit, (start, length, body) in meta["units"].items():
            share = MappedTable(file, meta["header_row"], meta["columns"], ArrowRows(table.slice(start, length)),
                                meta["profile"], meta["headers"])
            shares[unit], digests[unit] = share, rows_digest(share, body)
        self.used.add(key)
        return SplitExport(file, meta["rows_read"], shares, digests)

    def put(self, key: str, split: SplitExport, bodies: Mapping[str, str]) -> None:
        tables = list(split.shares.values())
        if not tables or not all(isinstance(t.rows, ArrowRows) for t in tables):
            return
        staging = self.folder / f".{key}.tmp"
        staging.mkdir(parents=True, exist_ok=True)
        spans, start = {}, 0
        schema = tables[0].rows.table.schema
        with pa.OSFile(str(staging / "rows.arrow"), "wb") as sink, pa.ipc.new_file(sink, schema) as writer:
            for unit, share in split.shares.items():
                writer.write_table(share.rows.table)
                spans[unit] = (start, len(share.rows), bodies[unit])
                start += len(share.rows)
        meta = {"file": split.file, "rows_read": split.rows_read, "header_row": tables[0].header_row,
                "columns": dict(tables[0].columns), "profile": tables[0].profile,
                "headers": dict(tables[0].headers), "units": spans}
        (staging / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        staging.replace(self.folder / key)          # appears complete or not at all
        self.used.add(key)

    def prune(self, files: set[str]) -> None:
        """Forget earlier splits of the files this run read (superseded by a correction)."""
        if not self.folder.is_dir():
            return
        for entry in self.folder.iterdir():
            meta = entry / "meta.json"
            if entry.name in self.used or not meta.exists():
                continue
            if json.loads(meta.read_text(encoding="utf-8")).get("file") in files:
                shutil.rmtree(entry, ignore_errors=True)
