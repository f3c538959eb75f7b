"""Draft → return → corrected data → new draft → approve → delivered once, over a real SMTP server."""

from __future__ import annotations

import email
import email.policy
import io
import json
from pathlib import Path

import docx
import pytest

from flows.domain.review import files_checksum
from tests.conftest import SAMPLE_UNIT
from tests.fixtures.bad_inputs import add_to_first_debit, edit_csv
from tests.flow.test_operations import _add_recipients, smtp_server  # noqa: F401 - the SMTP fixture

pytestmark = pytest.mark.slow

REVIEW_MARKS = ("【系统起草】", "请核实后保留或删除")


def _text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    return "\n".join([p.text for p in document.paragraphs]
                     + [cell.text for table in document.tables for row in table.rows for cell in row.cells])


def _manifest(version: Path) -> dict:
    return json.loads((version / "manifest.json").read_text(encoding="utf-8"))


def test_a_returned_draft_is_corrected_redrafted_approved_and_mailed_once_without_review_marks(
        run_cli, data_copy, tmp_path, smtp_server):  # noqa: F811 - the fixture imported above
    _add_recipients(data_copy, ["leader@example.org"], [])
    smtp = {"JIXIAO_SMTP_HOST": "127.0.0.1", "JIXIAO_SMTP_PORT": str(smtp_server.port), "JIXIAO_SMTP_SENDER": "jixiao@example.org"}
    out, unit = tmp_path / "out", tmp_path / "out" / "2024" / SAMPLE_UNIT
    common = ("--out", str(out))

    made = run_cli("run", "--data", str(data_copy), *common, env=smtp)
    assert made.code == 0 and "审核状态：草稿" in made.stdout, made.output
    assert smtp_server.messages == [], "a draft is not sent"
    listed = run_cli("review", *common)
    assert f"• {SAMPLE_UNIT} 共青团衡阳市委 v1：自评得分" in listed.stdout and "审阅稿.docx" in listed.stdout
    # The reviewer's copy marks what the system drafted; the report itself does not.
    assert all(mark in _text((unit / "v1" / "审阅稿.docx").read_bytes()) for mark in REVIEW_MARKS)
    assert not any(mark in _text((unit / "v1" / "report.docx").read_bytes()) for mark in REVIEW_MARKS)

    no_reason = run_cli("return", SAMPLE_UNIT, "--by", "王审核", *common)
    assert no_reason.code == 2 and "--comment" in no_reason.stderr
    returned = run_cli("return", SAMPLE_UNIT, "--by", "王审核", "--comment", "第一笔支出金额有误，请核对后重报", *common)
    assert returned.code == 0 and "已退回" in returned.stdout, returned.output
    [decision] = _manifest(unit / "v1")["review"]["decisions"]
    assert (decision["decision"], decision["by"], decision["comment"]) == ("退回", "王审核", "第一笔支出金额有误，请核对后重报")
    again = run_cli("run", "--data", str(data_copy), *common, env=smtp)
    assert again.code == 0 and "未生成新版本" in again.stdout and smtp_server.messages == [], "a returned version is not sent"

    edit_csv(data_copy, add_to_first_debit(1000))          # the department corrects its export
    corrected = run_cli("run", "--data", str(data_copy), *common, env=smtp)
    assert corrected.code == 0 and f"{unit}/v2/report.docx" in corrected.stdout, corrected.output
    assert smtp_server.messages == []
    listed = run_cli("review", *common)
    assert "v2" in listed.stdout and "答复 v1 退回意见：第一笔支出金额有误" in listed.stdout
    assert run_cli("approve", SAMPLE_UNIT, "--version", "v1", "--by", "李科长", *common).code == 2

    # Files changed after they were made are not approved.
    quality = unit / "v2" / "quality.html"
    kept = quality.read_bytes()
    quality.write_bytes(kept + b"<!-- edited -->")
    tampered = run_cli("approve", SAMPLE_UNIT, "--by", "李科长", "--data", str(data_copy), *common, env=smtp)
    assert tampered.code == 2 and "quality.html" in tampered.stderr and smtp_server.messages == []
    quality.write_bytes(kept)

    approved = run_cli("approve", SAMPLE_UNIT, "--by", "李科长", "--comment", "同意报送", "--data", str(data_copy), *common,
                       env=smtp)
    assert approved.code == 0 and "已审核通过" in approved.stdout and "已发送邮件给 leader@example.org" in approved.stdout
    manifest = _manifest(unit / "v2")
    [decision] = manifest["review"]["decisions"]
    assert (manifest["review"]["state"], decision["by"], decision["comment"]) == ("通过", "李科长", "同意报送")
    assert decision["files_checksum"] == files_checksum(manifest["files"]) and decision["at"]

    [(_, raw)] = smtp_server.messages
    [attachment] = [a for a in email.message_from_bytes(raw, policy=email.policy.default).iter_attachments()
                    if a.get_filename().endswith("（v2）.docx")]     # 修订对照.docx comes along
    delivered = attachment.get_content()
    names = [a.get_filename() for a in email.message_from_bytes(raw, policy=email.policy.default).iter_attachments()]
    assert {"修订说明.txt", "修订对照.docx"} <= set(names), "the revision's note and redline travel with it"
    assert delivered == (unit / "v2" / "report.docx").read_bytes()
    assert not any(mark in _text(delivered) for mark in REVIEW_MARKS), "what is delivered carries no review mark"

    final = run_cli("run", "--data", str(data_copy), *common, env=smtp)
    assert final.code == 0 and len(smtp_server.messages) == 1, "delivered once"
