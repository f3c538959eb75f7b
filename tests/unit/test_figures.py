"""The figure registry: unique keys and labels, exact fen inside, rounding only in the printed text."""

from decimal import Decimal

import pytest

from flows.domain.figures import DuplicateFigureError, FigureKind, FigureRegistry


def test_money_is_exact_inside_and_rounded_half_up_when_printed():
    registry = FigureRegistry()
    assert registry.money("actual", "全年执行数", 648_305) == "0.65"
    assert registry["actual"].fen == 648_305 and registry["actual"].kind is FigureKind.MONEY
    assert registry.money("none", "无数据", None) == "—"


def test_signed_percent_and_points():
    registry = FigureRegistry()
    assert registry.percent("change", "同比", 5_660, 10_000, signed=True) == "+56.60%"
    assert registry.percent("fall", "同比下降", -1, 3, signed=True) == "-33.33%"
    assert registry.percent("undefined", "无分母", 1, 0, signed=True) == "—"
    assert registry.points("score", "得分", Decimal("9.955")) == "9.96"


@pytest.mark.parametrize(("key", "label"), [("actual", "另一个名称"), ("other", "全年执行数")])
def test_a_key_or_label_registered_twice_is_refused(key, label):
    registry = FigureRegistry()
    registry.money("actual", "全年执行数", 1)
    with pytest.raises(DuplicateFigureError):
        registry.money(key, label, 2)


def test_a_taken_label_gets_a_qualifier():
    registry = FigureRegistry()
    registry.money("project.A.initial", f"{registry.unique_label('项目:团代会', 'A')}·年初预算数", 1)
    assert registry.unique_label("项目:团代会", "B") == "项目:团代会（B）"
    assert registry.unique_label("项目:其他", "C") == "项目:其他"


def test_manifest_figures_keep_the_old_shape():
    registry = FigureRegistry()
    registry.money("actual", "全年执行数", 648_310_383)
    registry.percent("execution_rate", "预算执行率", 1, 2)
    assert registry.manifest_figures() == {"全年执行数": {"fen": 648_310_383, "printed": "648.31"},
                                           "预算执行率": {"printed": "50.00%"}}
    assert registry.printed() == {"actual": "648.31", "execution_rate": "50.00%"}
