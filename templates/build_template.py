"""(Re)generate ``templates/report.docx``, the docxtpl template of the
部门整体支出绩效自评报告 (department-wide expenditure performance self-evaluation report).

Run from anywhere::

    python templates/build_template.py

The template is built with python-docx so that it is reproducible and
reviewable as code.  It can still be opened and polished in Word afterwards;
see ``templates/README.md`` for the tags that must survive such edits.

Layout follows GB/T 9704-2012 practice: A4, margins 3.7/3.5/2.8/2.6 cm,
title 22 pt 方正小标宋简体, headings 16 pt 黑体 / 楷体, body 16 pt 仿宋 with a
two-character first-line indent and fixed 28 pt line spacing, Latin text and
digits in Times New Roman, page number "— N —" centred in the footer.

Rendering contract (enforced by the renderer, not here): every value is an
already formatted string, rendering uses ``autoescape=True`` and
``jinja2.StrictUndefined``.  Rules kept by this script:

* only Jinja/docxtpl tags, no Word MERGEFIELDs;
* each ``{%p … %}`` / ``{%tr … %}`` tag sits alone in its own paragraph / row;
* no ``%`` character inside a ``{%p``/``{%tr`` tag (docxtpl issue #644);
* no arithmetic in the template.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT, WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

OUT = Path(__file__).resolve().parent / "report.docx"

# --------------------------------------------------------------------------
# Fonts.  East-Asian names are what Chinese Word installations know; machines
# without them fall back to whatever CJK font is installed.
# --------------------------------------------------------------------------
LATIN = "Times New Roman"
FONT_TITLE = "方正小标宋简体"
FONT_HEI = "黑体"
FONT_KAI = "楷体"
FONT_FANG = "仿宋"
FONT_SONG = "宋体"

BODY_PT = 16          # 3号
TITLE_PT = 22         # 2号
LINE_PT = 28          # fixed line spacing of the body grid
TABLE_PT = 12         # 小四
TABLE_SMALL_PT = 10.5  # 五号, for the wide (5-6 column) tables
FOOTER_PT = 14        # 4号

TEXT_WIDTH_CM = 21.0 - 2.8 - 2.6  # A4 width minus left/right margins = 15.6

THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


# --------------------------------------------------------------------------
# Low-level helpers
# --------------------------------------------------------------------------
def _set_rfonts(rpr, latin: str, east_asia: str) -> None:
    """Explicit fonts in all four slots; drop competing theme-font attributes."""
    rf = rpr.find(qn("w:rFonts"))
    if rf is None:
        rf = OxmlElement("w:rFonts")
        rpr.insert(0, rf)
    for a in THEME_ATTRS:
        rf.attrib.pop(qn(a), None)
    for a, v in (("w:ascii", latin), ("w:hAnsi", latin), ("w:cs", latin), ("w:eastAsia", east_asia)):
        rf.set(qn(a), v)


def _strip_theme_fonts(styles_element) -> None:
    """Remove theme-font attributes from every w:rFonts in styles.xml."""
    for rf in styles_element.iter(qn("w:rFonts")):
        for a in THEME_ATTRS:
            rf.attrib.pop(qn(a), None)
        if not rf.attrib:
            rf.getparent().remove(rf)


def _reset_style(style) -> None:
    """Drop the paragraph and run properties a built-in style ships with."""
    el = style.element
    for tag in ("w:pPr", "w:rPr"):
        node = el.find(qn(tag))
        if node is not None:
            el.remove(node)


def _set_first_line_chars(style, chars: int, font_pt: float) -> None:
    """First-line indent in characters (Word: 首行缩进 N 字符) plus twips fallback."""
    ind = style.element.get_or_add_pPr().get_or_add_ind()
    for a in ("w:hanging", "w:hangingChars"):
        ind.attrib.pop(qn(a), None)
    ind.set(qn("w:firstLineChars"), str(chars * 100))
    ind.set(qn("w:firstLine"), str(int(round(chars * font_pt * 20))))


def _set_right_chars(style, chars: int, font_pt: float) -> None:
    ind = style.element.get_or_add_pPr().get_or_add_ind()
    ind.set(qn("w:rightChars"), str(chars * 100))
    ind.set(qn("w:right"), str(int(round(chars * font_pt * 20))))


def _para_style(doc, name, *, base="Normal", size=None, east_asia=None,
                bold=None, align=None, indent_chars=None, line_exact=None,
                single=False, before=0, after=0, keep_next=False):
    styles = doc.styles
    if name in [s.name for s in styles]:
        st = styles[name]
        _reset_style(st)
    else:
        st = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        st.quick_style = True
    if base is not None and st.name != "Normal":
        st.base_style = styles[base]
    st.hidden = False
    st.unhide_when_used = False
    f = st.font
    if size is not None:
        f.size = Pt(size)
    if bold is not None:
        f.bold = bold
    if east_asia is not None:
        _set_rfonts(st.element.get_or_add_rPr(), LATIN, east_asia)
    pf = st.paragraph_format
    if align is not None:
        pf.alignment = align
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    if line_exact is not None:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(line_exact)
    elif single:
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    if keep_next:
        pf.keep_with_next = True
    if indent_chars is not None:
        _set_first_line_chars(st, indent_chars, size or BODY_PT)
    return st


# --------------------------------------------------------------------------
# Document-wide setup
# --------------------------------------------------------------------------
def setup_document(doc) -> None:
    # Page: A4 portrait, GB/T 9704 margins.
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.top_margin, sec.bottom_margin = Cm(3.7), Cm(3.5)
    sec.left_margin, sec.right_margin = Cm(2.8), Cm(2.6)
    sec.header_distance = Cm(1.5)
    sec.footer_distance = Cm(2.2)   # puts "— N —" roughly 7 mm below the type area

    styles_el = doc.styles.element
    _strip_theme_fonts(styles_el)

    # docDefaults: TNR + 仿宋, zh-CN East-Asian language, no spacing after.
    defaults = styles_el.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_rfonts(rpr, LATIN, FONT_FANG)
    for tag_ in ("w:sz", "w:szCs"):
        el = rpr.find(qn(tag_))
        if el is not None:
            el.set(qn("w:val"), str(BODY_PT * 2))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    sp = ppr.find(qn("w:spacing"))
    if sp is not None:
        ppr.remove(sp)

    # settings.xml: theme font language follows the document language.
    settings = doc.settings.element
    tfl = settings.find(qn("w:themeFontLang"))
    if tfl is not None:
        tfl.set(qn("w:eastAsia"), "zh-CN")

    # Drop parts of python-docx's stock template that only add noise:
    # the Word 2010 stylesWithEffects copy (carries theme fonts) and the
    # thumbnail picture of an unrelated document.
    # (Also the empty customXml bibliography part.)
    for rel in list(doc.part.rels.values()):
        if rel.reltype.endswith(("/stylesWithEffects", "/customXml")):
            doc.part.drop_rel(rel.rId)
    pkg_rels = doc.part.package.rels
    for rid, rel in list(pkg_rels.items()):
        if rel.reltype.endswith("/metadata/thumbnail"):
            del pkg_rels[rid]

    # Core properties are copied into every rendered report.  Keep them free of
    # Jinja tags: docxtpl renders title/subject/... too, but under autoescape
    # "R&D" would end up as "R&amp;D" there (escaped twice), and
    # get_undeclared_template_variables() does not look at them.
    cp = doc.core_properties
    cp.title = "部门整体支出绩效自评报告"
    cp.subject = ""
    cp.author = ""
    cp.last_modified_by = ""
    cp.keywords = ""
    cp.comments = ""
    cp.revision = 1
    cp.created = cp.modified = _dt.datetime(2024, 1, 1)
    cp.language = "zh-CN"


def setup_styles(doc) -> None:
    C, R = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT
    L, J = WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.JUSTIFY

    # Body: 3号仿宋, 首行缩进 2 字符, fixed 28 pt.
    _para_style(doc, "Normal", base=None, size=BODY_PT, east_asia=FONT_FANG,
                align=J, indent_chars=2, line_exact=LINE_PT)
    # Title: 2号方正小标宋简体, centred, not bold, one blank line below.
    _para_style(doc, "Title", size=TITLE_PT, east_asia=FONT_TITLE, bold=False,
                align=C, indent_chars=0, line_exact=36, after=LINE_PT)
    # 一、 3号黑体 (not bold); （一） 3号楷体.  Both keep the 2-char indent.
    st_h1 = _para_style(doc, "Heading 1", size=BODY_PT, east_asia=FONT_HEI, bold=False,
                     align=J, indent_chars=2, line_exact=LINE_PT, keep_next=True)
    st_h2 = _para_style(doc, "Heading 2", size=BODY_PT, east_asia=FONT_KAI, bold=False,
                     align=J, indent_chars=2, line_exact=LINE_PT, keep_next=True)
    for st, lvl in ((st_h1, 0), (st_h2, 1)):
        st.font.color.rgb = None
        ppr = st.element.get_or_add_pPr()
        ol = OxmlElement("w:outlineLvl")
        ol.set(qn("w:val"), str(lvl))
        ppr.append(ol)
    # Linked character styles of the headings/title carry the old look too.
    for name in ("Heading 1 Char", "Heading 2 Char", "Title Char"):
        if name in [s.name for s in doc.styles]:
            _reset_style(doc.styles[name])

    # Money-unit line above tables ("单位：万元"), right-aligned, kept with table.
    _para_style(doc, "Table Unit", size=TABLE_PT, east_asia=FONT_FANG, align=R,
                indent_chars=0, single=True, before=6, after=3, keep_next=True)
    # Note under a table ("注：…").
    _para_style(doc, "Table Note", size=TABLE_PT, east_asia=FONT_FANG, align=J,
                indent_chars=0, single=True, before=3, after=0)
    # Empty paragraph after each table: a little air before the next text.
    _para_style(doc, "Table Spacer", size=8, east_asia=FONT_FANG, align=L,
                indent_chars=0, line_exact=8)
    # Table cell text, two sizes.
    for suffix, size in (("", TABLE_PT), (" Small", TABLE_SMALL_PT)):
        base = _para_style(doc, "Table Text" + suffix, size=size, east_asia=FONT_FANG,
                           align=L, indent_chars=0, single=True)
        for kind, align, bold in (("Number", R, None), ("Center", C, None), ("Header", C, True)):
            _para_style(doc, f"Table {kind}{suffix}", base=base.name, align=align, bold=bold)
    # 落款: right-aligned, 右空四字, one blank line above the first line.
    sig = _para_style(doc, "Signature Block", size=BODY_PT, east_asia=FONT_FANG,
                      align=R, indent_chars=0, line_exact=LINE_PT)
    _set_right_chars(sig, 4, BODY_PT)
    _para_style(doc, "Signature First", base="Signature Block", before=LINE_PT)
    # Footer: 4号宋体 page number, centred.
    _para_style(doc, "Footer", size=FOOTER_PT, east_asia=FONT_SONG, align=C,
                indent_chars=0, single=True)


def add_page_number_footer(doc) -> None:
    """Centred "— N —" with a PAGE field (一字线 on both sides)."""
    footer = doc.sections[0].footer
    p = footer.paragraphs[0]
    p.style = doc.styles["Footer"]

    def run(text=None):
        r = p.add_run(text)
        rpr = r._r.get_or_add_rPr()
        rf = OxmlElement("w:rFonts")
        rf.set(qn("w:hint"), "eastAsia")  # render the dashes with the CJK font
        rpr.insert(0, rf)
        return r

    def fld(kind):
        r = p.add_run()
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        r._r.append(el)

    run("— ")
    fld("begin")
    r = p.add_run()
    it = OxmlElement("w:instrText")
    it.set(qn("xml:space"), "preserve")
    it.text = " PAGE "
    r._r.append(it)
    fld("separate")
    p.add_run("1")
    fld("end")
    run(" —")


# --------------------------------------------------------------------------
# Content helpers
# --------------------------------------------------------------------------
def para(doc, text, style="Normal"):
    return doc.add_paragraph(text, style=style)


def tag(doc, text):
    """A docxtpl paragraph-level tag ({%p …%}), alone in its own paragraph."""
    assert text.startswith("{%p ") and text.endswith(" %}") and "%" not in text[2:-2]
    return doc.add_paragraph(text, style="Normal")


def h1(doc, text):
    return doc.add_paragraph(text, style="Heading 1")


def h2(doc, text):
    return doc.add_paragraph(text, style="Heading 2")


def _set_cell_width(cell, cm):
    cell.width = Cm(cm)


def _set_row_flags(row, header=False):
    trpr = row._tr.get_or_add_trPr()
    cs = OxmlElement("w:cantSplit")
    trpr.append(cs)
    if header:
        th = OxmlElement("w:tblHeader")
        trpr.append(th)


def _fill_cell(cell, text, style):
    p = cell.paragraphs[0]
    p.style = style
    if text:
        p.add_run(text)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def table(doc, columns, loop, cells, total=None, small=False, unit=False, spacer=True):
    """Header row, a ``{%tr for %}`` data row, optional total row.

    columns: list of (header text, width in cm, kind) with kind in
             text/num/center; widths add up to the text width.
    loop:    "x in some_list" (no ``%`` allowed).
    cells:   one template string per column for the repeated row.
    total:   optional list of strings for the final (bold) row.
    spacer:  add an empty "Table Spacer" paragraph after the table.
    """
    assert "%" not in loop
    sfx = " Small" if small else ""
    kind_style = {"text": "Table Text", "num": "Table Number", "center": "Table Center"}
    widths = [w for _, w, _ in columns]
    assert abs(sum(widths) - TEXT_WIDTH_CM) < 0.01, (columns, sum(widths))

    if unit:
        para(doc, "单位：万元", style="Table Unit")

    n_rows = 4 + (1 if total else 0)
    t = doc.add_table(rows=n_rows, cols=len(columns))
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False  # w:tblLayout type="fixed": keep the column widths below
    tblw = t._tbl.tblPr.find(qn("w:tblW"))  # python-docx always writes one
    tblw.set(qn("w:type"), "dxa")
    tblw.set(qn("w:w"), str(int(round(TEXT_WIDTH_CM / 2.54 * 1440))))
    for gc, w in zip(t._tbl.tblGrid.findall(qn("w:gridCol")), widths):
        gc.set(qn("w:w"), str(int(round(w / 2.54 * 1440))))

    rows = t.rows
    # header
    for cell, (head, w, _) in zip(rows[0].cells, columns):
        _fill_cell(cell, head, "Table Header" + sfx)
    _set_row_flags(rows[0], header=True)
    # loop start / body / loop end
    _fill_cell(rows[1].cells[0], "{%tr for " + loop + " %}", "Table Text" + sfx)
    for cell, text, (_, _, kind) in zip(rows[2].cells, cells, columns):
        _fill_cell(cell, text, kind_style[kind] + sfx)
    _fill_cell(rows[3].cells[0], "{%tr endfor %}", "Table Text" + sfx)
    for r in (rows[1], rows[3]):
        for cell in r.cells[1:]:
            _fill_cell(cell, "", "Table Text" + sfx)
    _set_row_flags(rows[2])
    # total
    if total:
        for i, (cell, text, (_, _, kind)) in enumerate(zip(rows[4].cells, total, columns)):
            _fill_cell(cell, text, ("Table Header" if i == 0 else kind_style[kind]) + sfx)
            if i:
                for r in cell.paragraphs[0].runs:
                    r.bold = True
        _set_row_flags(rows[4])
    for row in rows:
        for cell, w in zip(row.cells, widths):
            _set_cell_width(cell, w)
    if spacer:
        para(doc, "", style="Table Spacer")
    return t


# --------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------
def build_body(doc) -> None:
    # python-docx's stock document has no body paragraphs; start clean anyway.
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)

    para(doc, "{{ unit.name }}{{ year }}年度部门整体支出绩效自评报告", style="Title")

    # 一 ---------------------------------------------------------------
    h1(doc, "一、部门（单位）基本情况")
    h2(doc, "（一）部门职能概述")
    para(doc, "{{ functions }}")
    h2(doc, "（二）部门组织机构及人员情况")
    para(doc, "{{ organization }}")

    # 二 ---------------------------------------------------------------
    h1(doc, "二、一般公共预算支出情况")
    h2(doc, "（一）基本支出情况")
    para(doc, "{{ spending_summary }}")
    table(doc,
          [("经济分类科目编码", 2.2, "center"), ("科目名称", 4.6, "text"), ("金额", 2.4, "num"), ("占比", 2.0, "num"),
           ("上年数", 2.4, "num"), ("同比", 2.0, "num")],
          "c in econ_classes",
          ["{{ c.code }}", "{{ c.name }}", "{{ c.amount }}", "{{ c.share }}", "{{ c.prior }}", "{{ c.change }}"],
          total=["合计", "", "{{ econ_total }}", "100.00%", "{{ econ_total_yoy.prior }}", "{{ econ_total_yoy.change }}"],
          small=True, unit=True, spacer=False)
    tag(doc, "{%p if econ_rounding_note %}")
    para(doc, "注：{{ econ_rounding_note }}", style="Table Note")
    tag(doc, "{%p endif %}")
    para(doc, "", style="Table Spacer")
    para(doc, "{{ sangong_summary }}")
    table(doc,
          [("项目", 10.0, "text"), ("金额", 5.6, "num")],
          # NOT sangong.items: on a dict Jinja resolves that to dict.items().
          "i in sangong['items']",
          ["{{ i.name }}", "{{ i.amount }}"],
          total=["“三公”经费合计", "{{ sangong.total }}"], unit=True)

    h2(doc, "（二）项目支出情况")
    para(doc, "{{ project_summary }}")
    table(doc,
          [("序号", 1.4, "center"), ("项目名称", 4.6, "text"), ("年初预算数", 2.5, "num"),
           ("全年预算数", 2.5, "num"), ("全年执行数", 2.5, "num"), ("执行率", 2.1, "num")],
          "pj in projects",
          ["{{ pj.no }}", "{{ pj.name }}", "{{ pj.initial }}", "{{ pj.adjusted }}",
           "{{ pj.actual }}", "{{ pj.rate }}"],
          total=["小计", "{{ projects_total.name }}", "{{ projects_total.initial }}",
                 "{{ projects_total.adjusted }}", "{{ projects_total.actual }}",
                 "{{ projects_total.rate }}"],
          small=True, unit=True)
    para(doc, "{{ reconciliation_summary }}")
    table(doc,
          [("构成", 10.0, "text"), ("金额", 5.6, "num")],
          "rc in reconciliation",
          ["{{ rc.label }}", "{{ rc.amount }}"], unit=True)

    # 三 ---------------------------------------------------------------
    h1(doc, "三、部门整体支出绩效情况")
    para(doc, "{{ budget_performance_summary }}")
    table(doc,
          [("指标", 3.0, "text"), ("计算方法", 6.8, "text"), ("数值", 5.8, "num")],
          "bi in budget_indicators",
          ["{{ bi.name }}", "{{ bi.formula }}", "{{ bi.value }}"])
    para(doc, "{{ evaluation_summary }}")
    tag(doc, "{%p for ch in charts %}")
    image = para(doc, "{{ ch.image }}", style="Table Center")
    image.paragraph_format.keep_with_next = True
    caption = para(doc, "{{ ch.title }}", style="Table Center")
    caption.paragraph_format.space_after = Pt(8)
    tag(doc, "{%p endfor %}")
    para(doc, "{{ performance_intro }}")
    tag(doc, "{%p for s in performance_sections %}")
    h2(doc, "{{ s.title }}")
    para(doc, "{{ s.text }}")
    tag(doc, "{%p endfor %}")
    para(doc, "主要产出指标完成情况如下：").paragraph_format.keep_with_next = True
    table(doc,
          [("一级指标", 2.2, "text"), ("二级指标", 2.6, "text"), ("三级指标", 4.4, "text"),
           ("年度指标值", 3.2, "center"), ("实际完成值", 3.2, "center")],
          "oi in output_indicators",
          ["{{ oi.level1 }}", "{{ oi.level2 }}", "{{ oi.name }}", "{{ oi.target }}",
           "{{ oi.actual }}"],
          small=True)

    # 四 ---------------------------------------------------------------
    h1(doc, "四、存在的问题及原因分析")
    tag(doc, "{%p for p in problems %}")
    para(doc, "{{ p }}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if drafted_findings %}")
    para(doc, "根据本年数据测算，提示关注以下情况（系统依据阈值自动起草，请核实后保留或删除）：")
    tag(doc, "{%p for f in drafted_findings %}")
    para(doc, "{{ f }}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")

    # 五 ---------------------------------------------------------------
    h1(doc, "五、下一步改进措施")
    tag(doc, "{%p for m in measures %}")
    h2(doc, "{{ m.title }}")
    para(doc, "{{ m.text }}")
    tag(doc, "{%p endfor %}")

    # 六 ---------------------------------------------------------------
    h1(doc, "六、其他需要说明的情况")
    tag(doc, "{%p for n in other_notes %}")
    para(doc, "{{ n }}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if quality_warnings %}")
    para(doc, "数据质量提示（规则编号、说明、单位解释）：").paragraph_format.keep_with_next = True
    table(doc,
          [("规则编号", 2.6, "center"), ("说明", 6.8, "text"), ("单位解释", 6.2, "text")],
          "w in quality_warnings",
          ["{{ w.rule_id }}", "{{ w.message }}", "{{ w.explanation }}"])
    tag(doc, "{%p endif %}")

    # 落款 -------------------------------------------------------------
    para(doc, "{{ unit.name }}", style="Signature First")
    para(doc, "{{ report_date }}", style="Signature Block")

    # 附件 -------------------------------------------------------------
    doc.add_page_break()
    h1(doc, "附件1")
    para(doc, "{{ unit.name }}{{ year }}年度部门整体支出绩效评价基础数据表", style="Table Center")
    table(doc,
          [("财政供养人员情况", 10.0, "text"), ("数值", 5.6, "num")],
          "st in basic_data.staff",
          ["{{ st.item }}", "{{ st.value }}"])
    table(doc,
          [("经费控制情况", 6.1, "text"), ("上年决算数", 3.1, "num"), ("本年预算数", 3.2, "num"), ("本年决算数", 3.2, "num")],
          "bd in basic_data.rows",
          ["{{ bd.item }}", "{{ bd.prior }}", "{{ bd.budget }}", "{{ bd.actual }}"],
          small=True, unit=True)
    doc.add_page_break()
    h1(doc, "附件2")
    para(doc, "{{ unit.name }}{{ year }}年度部门整体支出绩效自评表", style="Table Center")
    table(doc,
          [("年度预算申请", 4.0, "text"), ("年初预算数", 2.0, "num"), ("全年预算数", 2.0, "num"), ("全年执行数", 2.0, "num"),
           ("分值", 1.6, "num"), ("执行率", 2.0, "num"), ("得分", 2.0, "num")],
          "b in self_evaluation.budget_rows",
          ["{{ b.label }}", "{{ b.initial }}", "{{ b.adjusted }}", "{{ b.actual }}", "{{ b.points }}", "{{ b.rate }}", "{{ b.score }}"],
          small=True, unit=True)
    table(doc,
          [("一级指标", 1.8, "text"), ("二级指标", 1.9, "text"), ("三级指标", 3.0, "text"), ("年度指标值", 1.9, "center"),
           ("实际完成值", 1.9, "center"), ("分值", 1.3, "num"), ("得分", 1.4, "num"), ("偏差原因分析及改进措施", 2.4, "text")],
          "si in self_evaluation.indicators",
          ["{{ si.level1 }}", "{{ si.level2 }}", "{{ si.name }}", "{{ si.target }}", "{{ si.actual }}", "{{ si.points }}",
           "{{ si.score }}", "{{ si.note }}"],
          total=["总分", "", "", "", "", "100.00", "{{ self_evaluation.total }}", "评价等级：{{ self_evaluation.grade }}"],
          small=True)


def build(out: Path = OUT) -> Path:
    doc = Document()
    setup_document(doc)
    setup_styles(doc)
    add_page_number_footer(doc)
    build_body(doc)
    doc.save(str(out))
    return out


if __name__ == "__main__":
    path = build()
    print(f"wrote {path.name}")
