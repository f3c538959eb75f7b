"""`jixiao watch` sees corrections wherever the catalog says an export lives."""

from __future__ import annotations

import queue
import threading
import time

from flows.watch import watch_exports


def _first_change(data, write) -> tuple[int, list[str]]:
    found: queue.Queue = queue.Queue()

    def listen() -> None:
        for change in watch_exports(data):
            found.put(change)
            return

    threading.Thread(target=listen, daemon=True).start()
    time.sleep(1)                                   # let the watcher start
    write()
    return found.get(timeout=30)


def test_a_correction_to_a_city_wide_export_reruns_every_unit_of_its_year(tmp_path):
    ledger = tmp_path / "2024" / "ledger"
    ledger.mkdir(parents=True)
    city_export = ledger / "全市凭证明细.csv"
    city_export.write_text("单位编码,凭证号\n312001,1\n", encoding="utf-8")

    def correct() -> None:
        city_export.write_text("单位编码,凭证号\n312001,1\n312002,2\n", encoding="utf-8")

    assert _first_change(tmp_path, correct) == (2024, [])
