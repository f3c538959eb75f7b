"""Argument and folder mistakes are found before Prefect starts, in Chinese, with exit code 2."""

from __future__ import annotations

import pytest

from flows.cli import main


@pytest.fixture(autouse=True)
def _environment_restored():
    """main() sets Prefect's environment for its process; the test process keeps its own."""
    import os

    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def test_a_year_without_data_names_the_years_that_exist(capsys):
    assert main(["run", "--year", "2019", "--data", "data"]) == 2
    said = capsys.readouterr().err
    assert "没有 2019 年度的数据" in said and "现有年度：2023、2024" in said


def test_a_missing_data_folder_is_named(capsys, tmp_path):
    assert main(["validate", "--data", str(tmp_path / "没有这个目录")]) == 2
    assert "找不到数据目录" in capsys.readouterr().err


@pytest.mark.parametrize("year", ["24", "二〇二四", "1999"])
def test_a_year_that_is_no_four_digit_year_is_refused(capsys, year):
    with pytest.raises(SystemExit) as stopped:
        main(["run", "--year", year])
    assert stopped.value.code == 2 and "参数错误" in capsys.readouterr().err


def test_a_mistyped_command_suggests_the_one_meant(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["rnu"])
    said = capsys.readouterr().err
    assert stopped.value.code == 2 and "不认识「rnu」" in said and "是否要输入 run" in said


def test_help_and_argument_errors_are_in_chinese(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    shown = capsys.readouterr().out
    assert shown.startswith("用法：jixiao") and "显示本帮助并退出" in shown and "usage" not in shown
    with pytest.raises(SystemExit):
        main(["run", "--bogus"])
    assert "无法识别的参数：--bogus" in capsys.readouterr().err
