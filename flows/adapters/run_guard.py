"""No orphans: every process a run starts, and its scratch files, go when the run goes.

Prefect starts its temporary API server, and the task runner its worker processes, as
children of the `jixiao` process. A SIGKILL (an operator, an OOM killer, a CI timeout) gives
them no chance to stop, so they would keep running. The run therefore marks its environment
with a fresh JIXIAO_RUN_MARKER, which every child inherits, and starts a small guard process
in a session of its own. When the run's process is gone, however it ended, the guard stops
every process still carrying the marker and removes the run's scratch folder. Linux (/proc).

Run as `python -m flows.adapters.run_guard <pid> <marker> <scratch folder>`.
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

MARKER = "JIXIAO_RUN_MARKER"
_GRACE_SECONDS = 2.0


def guard_this_run(scratch_root: Path) -> Path | None:
    """Mark this process's environment and start its guard; returns the run's scratch folder
    (None where /proc is missing and the guard cannot work)."""
    if not Path("/proc/self/environ").exists():
        return None
    marker = uuid.uuid4().hex
    os.environ[MARKER] = marker
    os.environ["JIXIAO_SCRATCH_ROOT"] = str(scratch_root)
    scratch = scratch_root / marker
    scratch.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != MARKER}
    subprocess.Popen([sys.executable, "-m", "flows.adapters.run_guard", str(os.getpid()), marker, str(scratch)],
                     env=env, start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL)
    return scratch


def scratch_folder() -> Path | None:
    """This run's scratch folder (in the run process and its workers), when the run is guarded."""
    marker, root = os.environ.get(MARKER), os.environ.get("JIXIAO_SCRATCH_ROOT")
    return Path(root) / marker if marker and root else None


def marked_processes(marker: str) -> list[int]:
    found = []
    needle = f"{MARKER}={marker}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue                 # gone meanwhile, or not ours
        if needle in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


def _wait_for_exit(pid: int) -> None:
    try:
        handle = os.pidfd_open(pid)
    except (AttributeError, OSError):
        while _alive(pid):
            time.sleep(0.5)
        return
    select.select([handle], [], [])
    os.close(handle)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stop(pids: list[int]) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + _GRACE_SECONDS
        while time.monotonic() < deadline and any(_alive(pid) for pid in pids):
            time.sleep(0.1)


def main(pid: int, marker: str, scratch: Path) -> None:
    _wait_for_exit(pid)
    _stop(marked_processes(marker))
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], Path(sys.argv[3]))
