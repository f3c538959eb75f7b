"""Review of a report version before anything is sent: 草稿 → 退回 or 通过. Pure.

A new version is a draft. A reviewer returns it with a comment (the department corrects its
data and the next run makes a new draft) or approves it; only an approved version is sent.
Each decision is recorded in the version's manifest with who, when, the comment and the
checksum of the files approved, so an approval can never cover files that changed since.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field

from flows.domain.config_schema import ConfigModel
from flows.domain.errors import ReportError

DRAFT, RETURNED, APPROVED = "草稿", "退回", "通过"
REVIEW_COPY = "审阅稿.docx"       # the report with the drafted findings marked, for the reviewer only
# The files a decision covers: what recipients receive and what the reviewer read.
REVIEWED_FILES = ("report.docx", REVIEW_COPY, "attachments.xlsx", "workpaper.xlsx", "quality.html")


class ReviewConfig(ConfigModel):
    """config/review.yaml."""

    required: bool = True      # false: a new version is sent as soon as it is made
    wait_hours: float = Field(default=72, gt=0)   # how long a served run waits for the decision in the UI


class ReviewError(ReportError):
    """A decision that cannot be taken (no name, no comment, a version already decided or changed since)."""


def initial_review(required: bool, previous: Mapping[str, Any] | None) -> dict[str, Any]:
    """The review record of a new version; a return of the previous version is carried along,
    so the reviewer sees what was asked for."""
    review: dict[str, Any] = {"required": required, "state": DRAFT if required else APPROVED, "decisions": []}
    last = (previous or {}).get("review") or {}
    if last.get("state") == RETURNED and last.get("decisions"):
        review["answers_return"] = {"version": previous.get("version", ""), **last["decisions"][-1]}
    return review


def review_state(manifest: Mapping[str, Any]) -> str:
    """草稿, 退回 or 通过. Versions made before reviews existed were sent as made: 通过."""
    return (manifest.get("review") or {}).get("state", APPROVED)


def files_checksum(files: Mapping[str, str]) -> str:
    """One checksum over the reviewed files' own checksums (name and sha-256)."""
    digest = hashlib.sha256()
    for name in sorted(n for n in files if n in REVIEWED_FILES):
        digest.update(f"{name}\0{files[name]}\n".encode())
    return digest.hexdigest()


def decide(manifest: Mapping[str, Any], decision: Literal["通过", "退回"], by: str, comment: str, at: str,
           files_now: Mapping[str, str]) -> dict[str, Any]:
    """The manifest with the decision recorded.

    `files_now` are the sha-256 of the version's files as they are on disk now.

    Raises:
        ReviewError: no reviewer name, a return without a comment, a version already decided,
            or files that differ from those the version was published with.
    """
    version = manifest.get("version", "")
    if not by.strip():
        raise ReviewError("请用 --by 写明审核人姓名")
    if decision == RETURNED and not comment.strip():
        raise ReviewError("退回时请用 --comment 写明退回原因，单位据此修改")
    state = review_state(manifest)
    if state != DRAFT:
        raise ReviewError(f"{version} 已是“{state}”状态，不能再次审核；如需修改，请更正数据后生成新版本")
    published = manifest.get("files", {})
    changed = sorted(name for name in REVIEWED_FILES if name in published and files_now.get(name) != published[name])
    if changed:
        raise ReviewError(f"{version} 的文件在生成后被改动过（{'、'.join(changed)}），不能审核通过；"
                          "请重新运行生成新版本后再审核")
    review = dict(manifest.get("review") or {})
    record = {"decision": decision, "by": by.strip(), "at": at, "comment": comment.strip(),
              "files_checksum": files_checksum(published)}
    review.update(state=decision, decisions=[*review.get("decisions", []), record])
    return {**manifest, "review": review}


def held_back_for_review(manifest: Mapping[str, Any]) -> str | None:
    """Why a version is not sent: it awaits review or was returned; None once approved."""
    state, version = review_state(manifest), manifest.get("version", "")
    if state == DRAFT:
        return f"{version} 为草稿，待审核通过后发送（jixiao approve {manifest.get('unit_code', '')} --by 审核人）"
    if state == RETURNED:
        return f"{version} 已被退回，不发送；更正数据后重新运行将生成新的草稿"
    return None
