"""What changed between two versions of a department's report: for the manifest, the 修订说明 and the terminal."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from flows.domain.input_changes import DETAIL_LIMIT, CellChange, InputChanges

REDLINE_NOTE = "修订对照.docx"


def describe_revision(previous: Mapping[str, Any], figures: Mapping[str, Mapping[str, Any]],
                      inputs: Mapping[str, str], rows: InputChanges | None = None) -> dict[str, Any]:
    """Printed figures that changed (old → new, as printed) and inputs that changed, against `previous`.

    `rows` are the changes in the rows the two reports were built from (None when the previous
    version kept no snapshot of them): every change counted per file, the first DETAIL_LIMIT
    listed one by one.
    """
    old_figures = previous.get("figures", {})
    changed_figures = [
        {"figure": name, "old": old_figures.get(name, {}).get("printed", "—"), "new": value.get("printed", "—")}
        for name, value in figures.items()
        if old_figures.get(name, {}).get("printed") != value.get("printed")
    ]
    changed_figures += [
        {"figure": name, "old": value.get("printed", "—"), "new": "—"} for name, value in old_figures.items() if name not in figures
    ]
    old_inputs = previous.get("inputs", {})
    changed_inputs = []
    for name in sorted(set(old_inputs) | set(inputs)):
        if name not in old_inputs:
            changed_inputs.append({"input": name, "change": "新增"})
        elif name not in inputs:
            changed_inputs.append({"input": name, "change": "删除"})
        elif old_inputs[name] != inputs[name]:
            changed_inputs.append({"input": name, "change": "修改"})
    return {"previous_version": previous.get("version", ""), "changed_figures": changed_figures, "changed_inputs": changed_inputs,
            "changed_rows": None if rows is None else _rows_record(rows)}


def _rows_record(rows: InputChanges) -> dict[str, Any]:
    return {
        "total": rows.total,
        "files": [{**asdict(f), "total": f.total} for f in rows.files],
        "listed": [{"kind": "cell" if isinstance(c, CellChange) else ("added" if c.added else "removed"), **asdict(c)}
                   for c in rows.details],
    }


_INPUT_LABELS = {"rules": "数据质量规则", "config": "配置", "template": "报告模板", "code": "程序版本"}


def revision_text(unit_name: str, year: int, version: str, revision: Mapping[str, Any]) -> str:
    """The 修订说明 recipients read: which printed figures changed and why (which inputs)."""
    lines = [f"{unit_name}{year}年度部门整体支出绩效自评报告 修订说明", "",
             f"本版本：{version}；上一版本：{revision['previous_version']}。", ""]
    if revision["changed_figures"]:
        lines.append("一、报告中发生变化的数据（单位：万元或%）：")
        lines += [f"  {i}. {c['figure']}：{c['old']} → {c['new']}" for i, c in enumerate(revision["changed_figures"], start=1)]
    else:
        lines.append("一、报告中的数据没有变化（仅文字、规则或格式有调整）。")
    lines.append("")
    lines.append("二、发生变化的输入：")
    for i, c in enumerate(revision["changed_inputs"], start=1):
        name = c["input"].removeprefix("input:")
        lines.append(f"  {i}. {_INPUT_LABELS.get(name, name)}（{c['change']}）")
    lines.append("")
    lines += _rows_text(revision["previous_version"], revision.get("changed_rows"))
    lines += ["", f"报告正文的逐处修改（删除与插入）见同一目录下的 {REDLINE_NOTE}（在 Word 中以修订方式显示）。"]
    return "\n".join(lines) + "\n"


def _rows_text(previous_version: str, rows: Mapping[str, Any] | None) -> list[str]:
    """Section 三: every change of the rows the report was built from, by file, row and column."""
    if rows is None:
        return [f"三、{previous_version} 没有保存其所依据的数据行，无法逐行列出账簿和预算指标的变化。"]
    if not rows["total"]:
        return ["三、报告所依据的账簿和预算指标数据行没有变化。"]
    lines = [f"三、账簿和预算指标数据行的变化（共 {rows['total']} 处；按文件、行号和文件中的列名列出，原值 → 新值，金额单位：元）："]
    in_place = [f for f in rows["files"] if f["status"] == "修改"]
    unlisted = sum(f["total"] for f in in_place) - len(rows["listed"])
    for f in rows["files"]:
        # Files that came or went whole are said in one line; edited files are counted only
        # when the list below is cut.
        if f["status"] == "新增":
            lines.append(f"  {f['file']}：新增文件，{f['added']} 行")
        elif f["status"] == "删除":
            lines.append(f"  {f['file']}：文件已删除，原 {f['removed']} 行")
        elif unlisted > 0:
            lines.append(f"  {f['file']}：修改 {f['cells']} 处，新增 {f['added']} 行，删除 {f['removed']} 行")
    lines += [f"  {i}. {_row_change_text(c)}" for i, c in enumerate(rows["listed"], start=1)]
    if unlisted > 0:
        lines.append(f"  …… 另有 {unlisted} 处未逐条列出（只列前 {DETAIL_LIMIT} 处，各文件的处数见上）")
    return lines


def _row_change_text(c: Mapping[str, Any]) -> str:
    if c["kind"] == "cell":
        moved = f"（原第 {c['old_row']} 行）" if c["old_row"] != c["row"] else ""
        return f"{c['file']} 第 {c['row']} 行{moved}「{c['column']}」：{c['old']} → {c['new']}"
    if c["kind"] == "added":
        return f"{c['file']} 第 {c['row']} 行：新增一行（{c['what']}）"
    return f"{c['file']} 原第 {c['row']} 行：已删除（{c['what']}）"


def change_summary(revision: Mapping[str, Any], examples: int = 1) -> str:
    """One short line for the terminal: how many printed figures and input cells changed, with an example."""
    figures = revision.get("changed_figures", [])
    shown = "；".join(f"{c['figure']} {c['old']} → {c['new']}" for c in figures[:examples])
    said = f"{len(figures)} 项数据（例：{shown}{' …' if len(figures) > examples else ''}）" if figures else "报告数据无变化"
    rows = revision.get("changed_rows")
    inputs = f"输入 {rows['total']} 处" if rows is not None else f"输入 {len(revision.get('changed_inputs', []))} 个文件"
    return f"与 {revision.get('previous_version')} 相比变化：{said}，{inputs}（详见 修订说明.txt、{REDLINE_NOTE}）"
