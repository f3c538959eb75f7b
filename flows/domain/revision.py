"""What changed between two versions of a department's report: for the manifest and the 修订说明."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def describe_revision(previous: Mapping[str, Any], figures: Mapping[str, Mapping[str, Any]],
                      inputs: Mapping[str, str]) -> dict[str, Any]:
    """Printed figures that changed (old → new, as printed) and inputs that changed, against `previous`."""
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
    return {"previous_version": previous.get("version", ""), "changed_figures": changed_figures, "changed_inputs": changed_inputs}


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
    return "\n".join(lines) + "\n"
