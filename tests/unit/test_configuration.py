"""Configuration is typed and validated at load: a locality's mistake is a ConfigError naming the
file, the key path and the bad value in Chinese (exit code 4), never a bare KeyError."""

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from flows.adapters.project_files import load_reference
from flows.domain.errors import ConfigError, ReportError

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = "config/indicators/hunan.yaml"


def _project_with(tmp_path: Path, file: str, edit: Callable[[dict], None]) -> Path:
    """A copy of the project's config/, expectations/ and templates/ with one YAML file edited."""
    root = tmp_path / "project"
    for folder in ("config", "expectations", "templates"):
        shutil.copytree(ROOT / folder, root / folder)
    path = root / file
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return root


def _config_error(tmp_path: Path, file: str, edit: Callable[[dict], None]) -> str:
    with pytest.raises(ConfigError) as caught:
        load_reference(2024, root=_project_with(tmp_path, file, edit))
    assert not isinstance(caught.value, ReportError), "our configuration must not read as the user's data"
    message = str(caught.value)
    assert message.startswith("配置错误（不是输入数据的问题）：配置文件 " + file + "：")
    return message


def test_the_shipped_configuration_loads():
    reference = load_reference(2024, root=ROOT)
    assert reference.evaluation.indicator_library.groups[0].indicators[0].name == "预算执行率"


def test_a_mistyped_key_in_the_indicator_library_names_the_key_its_value_and_the_right_key(tmp_path):
    def typo(library):
        indicator = library["groups"][0]["indicators"][0]
        indicator["pionts"] = indicator.pop("points")

    message = _config_error(tmp_path, LIBRARY, typo)
    assert "groups[0].indicators[0].pionts 是无法识别的键（值「10」；是否应为 points？）" in message
    assert "缺少必需的键 groups[0].indicators[0].points" in message


def test_a_wrong_type_in_the_indicator_library_names_the_key_and_the_value(tmp_path):
    def words_for_points(library):
        library["groups"][1]["points"] = "abc"

    message = _config_error(tmp_path, LIBRARY, words_for_points)
    assert "groups[1].points 的值「abc」不是数字" in message


def test_a_missing_key_in_the_indicator_library_names_the_key(tmp_path):
    message = _config_error(tmp_path, LIBRARY, lambda library: library.pop("grade_bands"))
    assert "缺少必需的键 grade_bands" in message


def test_an_unknown_scoring_rule_names_the_allowed_ones(tmp_path):
    def unknown_rule(library):
        library["groups"][0]["indicators"][0]["rule"]["type"] = "linear"

    message = _config_error(tmp_path, LIBRARY, unknown_rule)
    assert "groups[0].indicators[0].rule.type 的值「linear」不是允许的值" in message
    assert "proportional" in message


def test_an_indicator_scoring_a_value_nothing_computes_is_named(tmp_path):
    def unknown_value(library):
        library["groups"][0]["indicators"][0]["value"] = "execution_ratio"

    message = _config_error(tmp_path, LIBRARY, unknown_value)
    assert "groups[0].indicators[0]：value 的值「execution_ratio」不是可计算的指标" in message


def test_points_that_do_not_add_up_to_100_are_named(tmp_path):
    def fewer_points(library):
        library["groups"][1]["points"] = 40

    assert "各指标分值合计为 90，应为 100" in _config_error(tmp_path, LIBRARY, fewer_points)


def test_a_wrong_threshold_in_the_evaluation_settings_names_the_key_and_the_value(tmp_path):
    def words_for_rate(evaluation):
        evaluation["findings"]["execution_rate_below"] = "九成"

    message = _config_error(tmp_path, "config/evaluation.yaml", words_for_rate)
    assert "findings.execution_rate_below 的值「九成」不是数字" in message


def test_an_unquoted_economic_code_is_named(tmp_path):
    def number_for_code(evaluation):
        evaluation["sangong_items"][0]["econ_codes"] = [30212]

    message = _config_error(tmp_path, "config/evaluation.yaml", number_for_code)
    assert "sangong_items[0].econ_codes[0] 的值「30212」不是文本" in message


def test_overlapping_sangong_items_are_a_configuration_error(tmp_path):
    """Formerly REC-003 at run time: an econ code in two 三公 items double-counts it."""
    def overlap(evaluation):
        evaluation["sangong_items"][2]["econ_codes"].append("30231")

    message = _config_error(tmp_path, "config/evaluation.yaml", overlap)
    assert "经济分类 30231 在“三公”经费项目中出现了两次（「公务用车购置及运行维护费」和「公务接待费」）" in message


def test_an_indicator_library_that_does_not_exist_is_named(tmp_path):
    def unknown_library(evaluation):
        evaluation["indicator_library"] = "hunan-2099"

    message = _config_error(tmp_path, "config/evaluation.yaml", unknown_library)
    assert "indicator_library 的值「hunan-2099」没有对应的指标库文件 config/indicators/hunan-2099.yaml" in message


def test_a_mistyped_key_in_an_export_profile_is_named(tmp_path):
    def typo(formats):
        profile = formats["ledger"]["profiles"][0]
        profile["colums"] = profile.pop("columns")

    message = _config_error(tmp_path, "config/export_formats.yaml", typo)
    assert "ledger.profiles[0].colums 是无法识别的键" in message and "是否应为 columns？" in message


def test_an_account_written_as_a_number_is_named(tmp_path):
    def number(formats):
        formats["ledger"]["spending_accounts"] = [7101, "7201"]

    message = _config_error(tmp_path, "config/export_formats.yaml", number)
    assert "ledger.spending_accounts[0] 的值「7101」不是文本" in message


def test_a_project_category_mapped_to_an_unknown_expense_type_is_named(tmp_path):
    def typo(formats):
        formats["ledger"]["project_categories"]["3"] = "projcet"

    message = _config_error(tmp_path, "config/export_formats.yaml", typo)
    assert "ledger.project_categories.3 的值「projcet」不是允许的值" in message


def test_a_profile_rule_on_an_undeclared_column_is_named(tmp_path):
    def undeclared(formats):
        formats["ledger"]["profiles"][1]["date_parts"] = ["year", "month", "date"]

    message = _config_error(tmp_path, "config/export_formats.yaml", undeclared)
    assert "ledger.profiles[1]：格式「yonyou_voucher_detail」的规则用到了未声明的列 date" in message


def test_a_wrong_cell_number_in_the_final_accounts_layout_is_named(tmp_path):
    def words(layout):
        layout["figures"]["支出合计"]["行次"] = "五十八"

    message = _config_error(tmp_path, "config/final_accounts.yaml", words)
    assert "figures.支出合计.行次 的值「五十八」是文本，不是数字" in message


def test_the_schedule_and_execution_settings_are_validated(tmp_path):
    from flows.adapters.project_files import load_execution, load_schedule

    def bad_schedule(schedule):
        schedule["timezone"] = "Asia/Beijing"
        schedule["server"]["port"] = "四二零零"

    root = _project_with(tmp_path, "config/schedule.yaml", bad_schedule)
    with pytest.raises(ConfigError) as caught:
        load_schedule(root)
    assert "timezone：「Asia/Beijing」不是已知的时区名称" in str(caught.value)
    assert "server.port 的值「四二零零」不是整数" in str(caught.value)

    (root / "config" / "execution.yaml").write_text("local_worker: 2\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_execution(root)
    assert "local_worker 是无法识别的键（值「2」；是否应为 local_workers？）" in str(caught.value)
    assert load_schedule(ROOT).timezone == "Asia/Shanghai" and load_execution(ROOT)["local_workers"] == 0


def _budget_rule(rule: dict, **indicator: object) -> Callable[[dict], None]:
    """An edit giving the library's first computed indicator (预算执行率) `rule` and other keys."""
    def edit(library: dict) -> None:
        first = library["groups"][0]["indicators"][0]
        first["rule"] = rule
        for key, value in indicator.items():
            if value is None:
                del first[key]
            else:
                first[key] = value
    return edit


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (_budget_rule({"type": "deduction"}), "groups[0].indicators[0].rule：扣分规则（type: deduction）缺少 per_point"),
        (_budget_rule({"type": "banded"}), "groups[0].indicators[0].rule：分档规则（type: banded）缺少 bands"),
        (_budget_rule({"type": "stepped", "per_step": 2}),
         "groups[0].indicators[0].rule：分步扣分规则（type: stepped）缺少 step（每步的宽度，如 0.05 即 5 个百分点）"),
        (_budget_rule({"type": "stepped", "step": 0.05}), "groups[0].indicators[0].rule：分步扣分规则（type: stepped）缺少 per_step（每步扣的分）"),
        (_budget_rule({"type": "stepped", "step": 0, "per_step": 2}), "groups[0].indicators[0].rule.step 的值「0」应大于 0"),
        (_budget_rule({"type": "stepped", "step": 0.05, "per_step": -2}), "groups[0].indicators[0].rule.per_step 的值「-2」应不小于 0"),
        (_budget_rule({"type": "stepped", "step": 0.05, "per_step": 2, "count": "begun"}),
         "groups[0].indicators[0].rule.count 的值「begun」不是允许的值（可用：'started' or 'completed'）"),
        (_budget_rule({"type": "stepped", "step": 0.05, "per_step": 2}, target=None),
         "groups[0].indicators[0]：评分规则 type: stepped 缺少 target（目标值，如 1.0 即 100%）"),
        (_budget_rule({"type": "proportional", "per_step": 2}),
         "groups[0].indicators[0].rule：per_step 只用于 type: stepped 的规则，不适用于 type: proportional"),
        (_budget_rule({"type": "banded", "bands": [{"max": 1, "points": 10}], "full_from": 0.99}),
         "groups[0].indicators[0].rule：full_from 只用于 type: proportional 或 deduction 或 stepped 的规则，不适用于 type: banded"),
        (_budget_rule({"type": "proportional", "full_from": "九成"}), "groups[0].indicators[0].rule.full_from 的值「九成」不是数字"),
        (_budget_rule({"type": "deduction", "per_point": 0.5, "full_from": 1.01}),
         "groups[0].indicators[0]：full_from（1.01）比 target（1.0）更难达到：达到 target 已得满分，full_from 不起作用"),
        (_budget_rule({"type": "deduction", "per_point": 0.5, "direction": "lower", "full_from": 0.9}),
         "groups[0].indicators[0]：full_from（0.9）比 target（1.0）更难达到"),
    ],
    ids=["deduction-per_point", "banded-bands", "stepped-step", "stepped-per_step", "step-zero", "per_step-negative",
         "count-unknown", "stepped-target", "parameter-of-another-type", "full_from-on-banded", "full_from-words",
         "full_from-above-target", "full_from-below-target-lower"],
)
def test_a_scoring_rule_missing_or_misusing_a_parameter_is_named(tmp_path, edit, expected):
    assert expected in _config_error(tmp_path, LIBRARY, edit)


@pytest.mark.parametrize(
    ("rate_printing", "expected"),
    [
        ({"decimals": 1, "rounding": "round"}, "rate_printing.rounding 的值「round」不是允许的值（可用：'half_up' or 'truncate'）"),
        ({"decimals": 9}, "rate_printing.decimals 的值「9」应不大于 6"),
        ({"decimals": -1}, "rate_printing.decimals 的值「-1」应不小于 0"),
        ({"decimals": "一"}, "rate_printing.decimals 的值「一」不是整数"),
        ({"decimal": 1}, "rate_printing.decimal 是无法识别的键（值「1」；是否应为 decimals？）"),
    ],
)
def test_a_wrong_rate_printing_setting_is_named(tmp_path, rate_printing, expected):
    def edit(library: dict) -> None:
        library["rate_printing"] = rate_printing

    assert expected in _config_error(tmp_path, LIBRARY, edit)


def test_the_new_rules_and_rate_printing_load_from_the_project_files(tmp_path):
    def truncate_and_stepped(library):
        library["rate_printing"] = {"decimals": 1, "rounding": "truncate"}
        library["groups"][0]["indicators"][0]["rule"] = {"type": "stepped", "step": 0.05, "per_step": 2, "full_from": 0.999}

    loaded = load_reference(2024, root=_project_with(tmp_path, LIBRARY, truncate_and_stepped)).evaluation.indicator_library
    assert loaded.rate_printing.format(9_997, 10_000) == "99.9%"
    assert loaded.groups[0].indicators[0].rule.count == "started"


@pytest.mark.parametrize("value", ["-1", "abc", "2.5", "３"])
def test_units_per_task_that_is_not_a_count_is_a_configuration_error(monkeypatch, value):
    from flows.settings import units_per_task

    monkeypatch.setenv("JIXIAO_UNITS_PER_TASK", value)
    with pytest.raises(ConfigError) as caught:
        units_per_task(0)
    assert f"JIXIAO_UNITS_PER_TASK 的值「{value}」不是 0 或正整数" in str(caught.value)
    assert "不是输入数据的问题" in str(caught.value)


def test_units_per_task_comes_from_the_environment_before_the_configuration(monkeypatch):
    from flows.settings import units_per_task

    monkeypatch.delenv("JIXIAO_UNITS_PER_TASK", raising=False)
    assert units_per_task(3) == 3
    monkeypatch.setenv("JIXIAO_UNITS_PER_TASK", "1")
    assert units_per_task(3) == 1
