"""Report charts: real matplotlib (Agg) with the CJK font that the project's own dependencies install."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
import warnings
from decimal import Decimal
from importlib import resources
from pathlib import Path

import pytest
from PIL import Image

from flows.adapters import charts

ROOT = Path(__file__).resolve().parents[2]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

ECON = [("工资福利支出", Decimal("284.81")), ("商品和服务支出", Decimal("341.41")), ("对个人和家庭的补助", Decimal("22.10"))]
PROJECTS = [
    ("青少年事业发展专项经费", Decimal("27.00"), Decimal("27.00")),
    ("预防青少年违法犯罪、共青团意识教育经费", 10.0, 9.2),
    ("2024-2025年度大学生志愿服务西部计划“芙蓉花开”地方项目经费", Decimal("22.10"), Decimal("22.10")),
    ("旅发大会志愿服务经费", Decimal("140.00"), Decimal("135.08")),
]
SCORES = [("预算执行", 18.5, 20), ("投入管理", Decimal(14), Decimal(15)), ("产出", 27.25, 30), ("效益", 33, 35)]


def _missing_glyph_warnings(caught) -> list[str]:
    return [str(w.message) for w in caught if "missing from" in str(w.message)]


def _render_all() -> list[charts.Chart]:
    return [
        charts.spending_by_class_chart(ECON),
        charts.budget_vs_actual_chart(PROJECTS),
        charts.score_by_group_chart(SCORES),
    ]


@pytest.fixture(scope="module")
def rendered() -> list[charts.Chart]:
    return _render_all()


def test_each_chart_is_a_300_dpi_png_exactly_15_cm_wide_and_at_most_two_thirds_of_the_type_area_high(rendered):
    for chart in rendered:
        assert chart.png.startswith(PNG_MAGIC)
        with Image.open(io.BytesIO(chart.png)) as image:
            image.load()
            width, height = image.size
            assert image.format == "PNG"
            assert tuple(round(v) for v in image.info["dpi"]) == (300, 300)
        assert charts.DPI == 300
        assert abs(width - 15 / 2.54 * 300) <= 1, (chart.title, image.size)  # printed at its own size: 15 cm
        assert 300 <= height <= charts.MAX_HEIGHT_IN * 300 + 1, (chart.title, image.size)
        assert charts.MAX_HEIGHT_IN * 2.54 <= 2 / 3 * 22.5 + 0.01  # 225 mm is the type area's height


def _ink(png: bytes):
    import numpy

    with Image.open(io.BytesIO(png)) as image:
        return numpy.asarray(image.convert("L")) < 200


def test_no_label_is_cut_at_the_edge_of_the_picture(rendered):
    """Every tick label, value label and the legend lie inside the picture: its outer 3 pixels hold no ink."""
    many = charts.budget_vs_actual_chart([(f"第{i}个青年志愿者、青年就业创业工作经费项目", 10.0 + i, 9.0 + i) for i in range(25)])
    for chart in [*rendered, many]:
        ink = _ink(chart.png)
        frame = [ink[:3, :], ink[-3:, :], ink[:, :3], ink[:, -3:]]
        assert not any(edge.any() for edge in frame), chart.title


def test_charts_draw_no_title_the_report_caption_prints_it(monkeypatch):
    """The caption under each picture prints 图n and the title: the picture itself carries no title."""
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    def refuse(*args, **kwargs):
        raise AssertionError("a chart draws its own title")

    monkeypatch.setattr(Axes, "set_title", refuse)
    monkeypatch.setattr(Figure, "suptitle", refuse)
    made = _render_all()
    assert [chart.title for chart in made] == ["按经济分类支出（万元）", "项目全年预算与执行（万元）", "绩效自评得分（分）"]


def test_png_decodes_with_matplotlib_too(rendered):
    from matplotlib import image as mpimg

    pixels = mpimg.imread(io.BytesIO(rendered[0].png), format="png")
    assert pixels.ndim == 3 and pixels.shape[0] > 100 and pixels.shape[1] > 100
    assert pixels.std() > 0.05  # not a blank canvas


def test_font_is_the_packaged_noto_sans_sc_not_a_system_font():
    from matplotlib import font_manager

    name = charts.cjk_font_name()
    assert name == "Noto Sans SC"
    found = Path(font_manager.findfont(font_manager.FontProperties(family=name), fallback_to_default=False)).resolve()
    package_dir = Path(str(resources.files(charts.FONT_PACKAGE))).resolve()
    assert found == charts.cjk_font_path()
    assert package_dir in found.parents
    assert {"site-packages", "dist-packages"} & set(found.parts), found
    assert not str(found).startswith(("/usr/share/fonts", "/usr/local/share/fonts"))


def test_packaged_font_has_every_glyph_the_report_labels_use():
    from fontTools.ttLib import TTFont

    text = "工资福利支出商品和服务支出对个人和家庭的补助预算执行得分经费发预项目全年万元（）“”、，…—0123456789.%/-"
    cmap = TTFont(charts.cjk_font_path(), lazy=True).getBestCmap()
    assert [c for c in text if ord(c) not in cmap] == []


def test_chinese_labels_render_without_missing_glyph_warnings():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _render_all()
    assert _missing_glyph_warnings(caught) == []


def test_the_missing_glyph_check_does_detect_a_font_without_hanzi():
    # Guards the test above against passing vacuously: matplotlib's own DejaVu Sans has no hanzi.
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with warnings.catch_warnings(record=True) as caught, matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):
        warnings.simplefilter("always")
        figure = Figure()
        FigureCanvasAgg(figure)
        figure.text(0.5, 0.5, "工资福利支出")
        figure.savefig(io.BytesIO(), format="png")
    assert _missing_glyph_warnings(caught)


def test_fresh_machine_without_cjk_system_fonts():
    # CI may have no CJK font at all: drop every font matplotlib found on the system (keeping only the
    # ones matplotlib ships), then draw. Done in a child process so this test's font list stays intact.
    script = textwrap.dedent(
        """
        import warnings
        from pathlib import Path
        import matplotlib
        from matplotlib import font_manager
        bundled = Path(matplotlib.get_data_path()).resolve()
        manager = font_manager.fontManager
        manager.ttflist[:] = [f for f in manager.ttflist if bundled in Path(f.fname).resolve().parents]
        assert not [f for f in manager.ttflist if "CJK" in f.name or f.name.endswith(" SC")], "system fonts left"
        from flows.adapters import charts
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            chart = charts.spending_by_class_chart([("工资福利支出", 284.81), ("对个人和家庭的补助", 22.1)])
        missing = [str(w.message) for w in caught if "missing from" in str(w.message)]
        assert not missing, missing
        assert chart.png.startswith(b"\\x89PNG")
        print(charts.cjk_font_name())
        """
    )
    done = subprocess.run([sys.executable, "-c", script], check=False, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("Noto Sans SC")


def test_alt_text_is_a_chinese_sentence_naming_every_item(rendered):
    spending, projects, scores = rendered
    for name, _ in ECON:
        assert name in spending.alt_text
    assert "工资福利支出284.81万元" in spending.alt_text
    for name, _, _ in PROJECTS:
        assert name in projects.alt_text  # full name, even where the chart label is shortened
    assert "全年预算10.00万元、实际执行9.20万元" in projects.alt_text
    for name, _, _ in SCORES:
        assert name in scores.alt_text
    assert "预算执行得18.5分（分值20分）" in scores.alt_text
    assert "合计得92.75分（分值100分）" in scores.alt_text
    for chart in rendered:
        assert chart.alt_text.startswith(chart.title)
        assert chart.alt_text.endswith("。")


def test_titles_default_and_custom():
    assert charts.spending_by_class_chart(ECON).title == "按经济分类支出（万元）"
    custom = charts.score_by_group_chart(SCORES, title="部门整体绩效评分")
    assert custom.title == "部门整体绩效评分"
    assert custom.alt_text.startswith("部门整体绩效评分图")


def test_value_labels_round_half_up_like_the_report():
    chart = charts.spending_by_class_chart([("公务接待", 0.125), ("公务用车购置和维护", Decimal("3.565"))])
    assert "公务接待0.13万元" in chart.alt_text
    assert "公务用车购置和维护3.57万元" in chart.alt_text


def test_output_is_deterministic():
    assert charts.score_by_group_chart(SCORES).png == charts.score_by_group_chart(SCORES).png


def test_one_draw_writes_the_picture_savefig_would():
    # The charts draw once and encode the pixels; savefig places the constrained layout in a hidden draw first.
    import matplotlib

    def figure():
        made, axes = charts._new_axes(2.4)
        axes.barh([0, 1], [3.0, 1.5], color="#2E75B6", label="实际执行")
        axes.set_yticks([0, 1], ["预防青少年违法犯罪、共青团意识\n教育经费", "旅发大会志愿服务经费"])
        axes.set_xlabel("万元")
        charts._legend_on_top(axes)
        return made

    with matplotlib.rc_context(charts._rc()):
        saved = io.BytesIO()
        figure().savefig(saved, format="png", dpi=charts.DPI, metadata={"Software": None})
        assert charts._png(figure()) == saved.getvalue()


def test_long_project_names_wrap_onto_as_many_lines_as_they_need_and_are_never_shortened():
    name = "2024-2025年度大学生志愿服务西部计划“芙蓉花开”地方项目经费"
    label = charts.wrap_label(name)
    assert label.replace("\n", "") == name and "…" not in label
    assert len(label.split("\n")) == 3
    assert charts.wrap_label("团代会项目") == "团代会项目"
    # closing punctuation stays with the text it closes; opening punctuation goes with the text it opens
    assert charts.wrap_label("青" * 12 + "，学联经费") == "青" * 12 + "，\n学联经费"
    assert charts.wrap_label("青" * 11 + "“芙蓉花开”经费") == "青" * 11 + "\n“芙蓉花开”经费"


def test_balanced_wrapping_leaves_no_lone_last_character():
    assert charts.wrap_label("青年志愿者、青年就业创业工作经费", 30, balanced=True) == "青年志愿者、青年\n就业创业工作经费"
    assert charts.wrap_label("预防青少年违法犯罪、共青团意识教育经费", 30, balanced=True) == "预防青少年违法犯罪、\n共青团意识教育经费"
    assert charts.wrap_label("团代会项目", 30, balanced=True) == "团代会项目"


def test_a_label_can_still_be_shortened_on_request():
    label = charts.wrap_label("2024-2025年度大学生志愿服务西部计划“芙蓉花开”地方项目经费", max_lines=2)
    lines = label.split("\n")
    assert len(lines) == 2 and lines[-1].endswith("…")


@pytest.mark.parametrize(
    "call",
    [
        lambda: charts.spending_by_class_chart([]),
        lambda: charts.budget_vs_actual_chart([("项目", float("nan"), 1.0)]),
        lambda: charts.score_by_group_chart([("", 1, 2)]),
        lambda: charts.spending_by_class_chart([("工资福利支出", "284.81")]),
    ],
)
def test_bad_input_is_refused(call):
    with pytest.raises(charts.ChartDataError):
        call()
