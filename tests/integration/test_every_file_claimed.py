"""Every file under data/<year>/ is read, or named with the reason it was not."""

from __future__ import annotations

from flows.adapters.data_folder import read_year_sources
from flows.adapters.project_files import load_reference
from tests.conftest import SAMPLE_UNIT


def test_files_no_reader_takes_are_named_with_the_reason(data_copy):
    year = data_copy / "2024"
    (year / "说明.docx").write_bytes(b"notes")
    (year / "ledger" / SAMPLE_UNIT / "凭证扫描件.pdf").write_bytes(b"%PDF")
    (year / "ledger" / SAMPLE_UNIT / "~$2024年7-12月支出明细账.xlsx").write_bytes(b"lock")
    (year / "profiles" / "old").mkdir()
    (year / "profiles" / "old" / f"{SAMPLE_UNIT}.yaml").write_text("unit_code: x", encoding="utf-8")

    sources = read_year_sources(data_copy, 2024, load_reference(2024))

    unread = dict(sources.unread)
    assert set(unread) == {"2024/说明.docx", f"2024/ledger/{SAMPLE_UNIT}/凭证扫描件.pdf",
                           f"2024/ledger/{SAMPLE_UNIT}/~$2024年7-12月支出明细账.xlsx", f"2024/profiles/old/{SAMPLE_UNIT}.yaml"}
    assert "不在 ledger/" in unread["2024/说明.docx"]
    assert "不是可读取的导出格式" in unread[f"2024/ledger/{SAMPLE_UNIT}/凭证扫描件.pdf"]
    assert "临时文件" in unread[f"2024/ledger/{SAMPLE_UNIT}/~$2024年7-12月支出明细账.xlsx"]
    # Everything else was read: the sample's exports are each attributed to the unit.
    assert set(sources.rows_read) == {f"2024/ledger/{SAMPLE_UNIT}/2024年1-6月记账凭证.csv",
                                      f"2024/ledger/{SAMPLE_UNIT}/2024年7-12月支出明细账.xlsx"}


def test_the_sample_folder_has_no_unread_file(reference):
    from tests.conftest import ROOT

    assert read_year_sources(ROOT / "data", 2024, reference).unread == ()
