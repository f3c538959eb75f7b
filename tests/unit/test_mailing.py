"""What recipients receive: names that stay in their folder, mail text, when a version is held back."""

from __future__ import annotations

import pytest

from flows.adapters.delivery import DeliveryError, copy_to_folder
from flows.domain.mailing import MAX_NAME_BYTES, held_back_reason, mail_body, safe_file_name


def test_a_name_from_a_profile_never_leads_out_of_the_shared_folder():
    name = safe_file_name("../../逃逸/部门报告", ".docx")
    assert "/" not in name and "\\" not in name and not name.startswith(".")
    assert name.endswith(".docx")


def test_an_over_long_name_is_cut_to_fit_and_leaves_no_partial_file(tmp_path):
    name = safe_file_name("很长的单位名称" * 100, ".docx")
    assert MAX_NAME_BYTES - 3 <= len(name.encode()) <= MAX_NAME_BYTES
    copy_to_folder(tmp_path, name, b"report")
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_a_failed_copy_names_the_folder_and_leaves_nothing_behind(tmp_path):
    with pytest.raises(DeliveryError) as failed:
        copy_to_folder(tmp_path, "名" * 200 + ".docx", b"report")      # 600 bytes: the file system refuses
    assert str(tmp_path) in str(failed.value)
    assert list(tmp_path.iterdir()) == []


def test_direction_controls_do_not_reach_a_file_name():
    assert "\u202e" not in safe_file_name("团市委\u202excod.exe", ".docx")


def test_a_version_waits_for_the_explanation_of_each_warning():
    assert "PRJ-002" in held_back_reason(["PRJ-002"], {})
    assert held_back_reason(["PRJ-002"], {"PRJ-002": "项目当年新设，指标随后下达"}) is None


def test_the_mail_of_a_revision_points_to_the_revision_note():
    assert "修订说明" in mail_body("共青团衡阳市委", 2024, "v2", "v1")
    assert "修订" not in mail_body("共青团衡阳市委", 2024, "v1", None)
