"""What recipients receive: whether a version may go out yet, its attachment name and mail text. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flows.domain.quality import unexplained_warnings

REVISION_NOTE = "修订说明.txt"
SEND_FAILED = "发送失败"          # how a failed delivery's line begins (outcomes, run summary)
# A delivery that failed this many times in a row is not tried again by later runs.
MAX_SEND_ATTEMPTS = 5
# Characters a file name in a shared folder must not hold: separators, reserved on Windows
# shares, control and bidi characters (they would reorder or hide parts of the name).
_UNSAFE_IN_NAMES = dict.fromkeys(map(ord, '/\\:*?"<>|'), "_") | {c: "_" for c in range(0x20)} | {
    c: "_" for c in (0x7F, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))}
MAX_NAME_BYTES = 240             # under the 255 bytes a name may have on common file systems (UTF-8)


def held_back_reason(warning_rules: Sequence[str], explanations: Mapping[str, str]) -> str | None:
    """Why a version is not sent yet (a warning the department has not explained), or None."""
    pending = unexplained_warnings(list(warning_rules), dict(explanations))
    if not pending:
        return None
    return (f"有未说明的警告（{'、'.join(pending)}），报告暂不发送；"
            "请在单位信息文件 warning_explanations 中说明后重新运行")


def report_title(unit_name: str, year: int, version: str) -> str:
    """The mail subject, and the attachment's name without .docx."""
    return f"{unit_name}{year}年度部门整体支出绩效自评报告（{version}）"


def safe_file_name(title: str, suffix: str) -> str:
    """A file name for `title` that stays inside the folder it is written to, bounded in length."""
    name = title.translate(_UNSAFE_IN_NAMES).strip(" .") or "报告"
    room = MAX_NAME_BYTES - len(suffix.encode())
    return name.encode()[:room].decode(errors="ignore") + suffix


def mail_body(unit_name: str, year: int, version: str, revised_from: str | None) -> str:
    lines = [f"附件为{report_title(unit_name, year, version)}。"]
    if revised_from:
        lines.append(f"本版本是对 {revised_from} 的修订，变化见附件《修订说明》；《修订对照》以修订标记显示改动之处。")
    return "\n".join(lines) + "\n"
