"""Columns an export family lacks, derived from the other input through the 预算项目.

久其 voucher exports carry no 项目类别 and no 资金性质; 一体化 指标 exports carry no 项目类别.
Within one department a 预算项目 has one 项目类别 and (almost always) one 资金性质, so a
ledger line takes them from the budget rows of its project, and a budget row from the
ledger lines of its project. Where the other input does not settle it (the project is not
there, or carries two values) the row is rejected with a message that names the column
the file lacks and what would supply it; nothing is guessed. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from flows.domain.ledger import RowIssue

# Canonical column of the profile -> the frame column it fills and its name for users.
_TARGETS = {"project_category": ("expense_type", "项目类别"), "fund_source": ("fund_source", "资金性质")}


def derive_columns(
    frame: pd.DataFrame, other: pd.DataFrame, lacking: Mapping[str, Sequence[str]], *,
    other_name: str, profile_labels: Mapping[str, str],
) -> tuple[pd.DataFrame, list[RowIssue]]:
    """Fill, for the rows of each file in `lacking`, the columns that file lacks from `other`
    (matched by project_code); rows that cannot be filled are removed and returned rejected.

    Args:
        frame: canonical ledger or budget rows (columns project_code, expense_type, fund_source,
            source_file, source_row).
        other: the canonical rows of the other input (budget for a ledger, ledger for a budget).
        lacking: file -> canonical columns its export family lacks.
        other_name: how users call the other input (预算指标 / 账簿).
        profile_labels: file -> the export family's name, for the message.
    """
    if not lacking or frame.empty:
        return frame, []
    frame = frame.copy()
    rejected_index: list = []
    rejected: list[RowIssue] = []
    for column in sorted({c for cols in lacking.values() for c in cols if c in _TARGETS}):
        target, word = _TARGETS[column]
        values = other[other[target].astype(str).str.strip() != ""].groupby("project_code")[target].unique()
        settled = {code: found[0] for code, found in values.items() if len(found) == 1}
        files = [file for file, cols in lacking.items() if column in cols]
        rows = frame["source_file"].isin(files) & ~frame.index.isin(rejected_index)
        frame.loc[rows, target] = frame.loc[rows, "project_code"].map(settled).fillna("")
        for index, row in frame[rows & (frame[target] == "")].iterrows():
            code = row["project_code"]
            found = values.get(code)
            why = (f"{other_name}中预算项目 {code} 有多个{word}（{'、'.join(map(str, found))}）" if found is not None
                   else f"{other_name}中没有预算项目 {code or '（空）'}")
            file = row["source_file"]
            words = "".join(f"「{_TARGETS[c][1]}」" for c in lacking[file] if c in _TARGETS)
            rejected.append(RowIssue(
                file, int(row["source_row"]), word, code,
                f"该文件（{profile_labels.get(file, '')}）没有{words}列，只能按预算项目从{other_name}补齐，"
                f"但{why}；请导出含{words}列的文件，或在{other_name}中补充该项目",
            ))
            rejected_index.append(index)
    return frame.drop(index=rejected_index).reset_index(drop=True), rejected


def fill_project_names(frame: pd.DataFrame, other: pd.DataFrame) -> pd.DataFrame:
    """Project names a family does not export (DA/T 95 has 项目代码 only), from the other
    input's rows of the same project; a name the file itself carries is kept."""
    blank = frame["project_name"].astype(str).str.strip() == ""
    if not blank.any() or other.empty:
        return frame
    named = other[other["project_name"].astype(str).str.strip() != ""]
    names = named.drop_duplicates("project_code").set_index("project_code")["project_name"]
    frame = frame.copy()
    frame.loc[blank, "project_name"] = frame.loc[blank, "project_code"].map(names).fillna("")
    return frame
