"""Versioned, atomic output folders: out/<year>/<unit>/v<N>/ appear complete or not at all."""

from __future__ import annotations

import errno
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock

from flows.adapters.catalog import check_folder, same_content_record, version_name, version_number
from flows.domain.errors import OutputError
from flows.settings import fault_delay_seconds


def versions(folder: Path) -> list[int]:
    """Existing complete versions (temporary folders of interrupted runs are ignored)."""
    if not folder.is_dir():
        return []
    return sorted(n for p in folder.iterdir() if p.is_dir() and (n := version_number(p.name)) is not None)


def latest_manifest(folder: Path) -> dict | None:
    numbers = versions(folder)
    if not numbers:
        return None
    path = folder / version_name(numbers[-1]) / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


@contextmanager
def unit_lock(folder: Path) -> Iterator[None]:
    """One run at a time per department folder; leftovers of killed runs are cleared on entry.

    Two reruns of the same department therefore never clobber each other: the second waits,
    then finds the first one's version and has nothing to do.
    """
    folder.mkdir(parents=True, exist_ok=True)
    with FileLock(str(folder / ".lock")):
        for leftover in folder.glob(".staging-*"):
            shutil.rmtree(leftover, ignore_errors=True)
        yield


def _stage(folder: Path, files: Mapping[str, bytes], trees: Mapping[str, Path] | None) -> Path:
    """Everything of one publication in a temporary sibling folder, removed again if any write fails."""
    staging = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=folder))
        for name, data in files.items():
            (staging / name).write_bytes(data)
            time.sleep(fault_delay_seconds())
        for name, source in (trees or {}).items():
            if source.is_dir():
                shutil.copytree(source, staging / name)
        return staging
    except (OSError, shutil.Error) as error:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"输出目录 {folder} 写入失败（{_why(error)}）；已有版本未受影响，未留下未写完的文件") from None


def _why(error: OSError | shutil.Error) -> str:
    """One line for a failed write: a full disk is the usual case, shutil.Error lists every file."""
    if isinstance(error, shutil.Error):
        problems = error.args[0] if error.args and isinstance(error.args[0], list) else []
        reasons = {str(reason) for *_, reason in problems}
        no_space = any("No space left" in reason for reason in reasons)
        return "磁盘空间不足" if no_space else f"{len(problems)} 个文件复制失败"
    if error.errno == errno.ENOSPC:
        return "磁盘空间不足"
    return error.strerror or str(error)


def publish_check(folder: Path, run_label: str, files: Mapping[str, bytes], trees: Mapping[str, Path] | None = None) -> Path:
    """Write a quality check of a run without a new version to <unit>/checks/<run>/, atomically."""
    staging = _stage(folder, files, trees)
    target = check_folder(folder, run_label)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.rename(staging, target)
        return target
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def current_version(folder: Path, fingerprint: dict[str, str]) -> Path | None:
    """The latest version when these inputs made it, or made the same report before (nothing
    to do), else None."""
    latest = latest_manifest(folder)
    if not latest:
        return None
    if latest.get("fingerprint") == fingerprint["fingerprint"] or fingerprint["fingerprint"] in _same_content(folder, latest["version"]):
        return folder / latest["version"]
    return None


def _same_content(folder: Path, version: str) -> list[str]:
    path = same_content_record(folder)
    if not path.exists():
        return []
    record = json.loads(path.read_text(encoding="utf-8"))
    return record["fingerprints"] if record.get("version") == version else []


def keep_version(folder: Path, version: str, fingerprint: dict[str, str]) -> Path:
    """Record that `fingerprint` rendered the same report as `version`, which stays current:
    the next run with these inputs has nothing to do."""
    known = _same_content(folder, version)
    record = {"version": version, "fingerprints": [*known, fingerprint["fingerprint"]][-50:]}
    path = same_content_record(folder)
    staging = path.with_name(f"{path.name}.tmp")
    staging.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    staging.replace(path)
    return folder / version


def next_version(folder: Path) -> str:
    """The name the next version of the unit takes (decided once, under the unit's lock)."""
    return version_name((versions(folder) or [0])[-1] + 1)


def publish_version(folder: Path, version: str, files: Mapping[str, bytes], manifest: dict,
                    trees: Mapping[str, Path] | None = None) -> Path:
    """Write `files` and manifest.json as `version`, atomically.

    Everything is written into a temporary sibling folder and renamed into place, so a
    crash leaves either the previous versions untouched or the new one complete. Callers
    hold the unit's lock, so no other run takes the same version.
    """
    staging = _stage(folder, files, trees)
    try:
        manifest = {**manifest, "version": version}
        (staging / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        for path in staging.iterdir():
            if path.is_file():
                with path.open("rb") as handle:
                    os.fsync(handle.fileno())
        target = folder / version
        os.rename(staging, target)          # fails rather than overwrite an existing version
        return target
    except OSError as error:
        raise OutputError(f"输出目录 {folder} 写入失败（{_why(error)}）；已有版本未受影响，未留下未写完的文件") from None
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def rewrite_manifest(version: Path, manifest: Mapping) -> None:
    """Replace a version's manifest.json atomically (a review decision); its other files stay as published."""
    path = version / "manifest.json"
    staging = path.with_name(".manifest.json.tmp")
    try:
        staging.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        with staging.open("rb") as handle:
            os.fsync(handle.fileno())
        staging.replace(path)
    except OSError as error:
        staging.unlink(missing_ok=True)
        raise OutputError(f"{path} 写入失败（{_why(error)}）；审核结果未记录") from None


def file_checksums(version: Path) -> dict[str, str]:
    """sha-256 of each file of a version as it is on disk now (manifest.json left out)."""
    import hashlib

    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in version.iterdir()
            if p.is_file() and p.name != "manifest.json" and not p.name.startswith(".")}
