"""Typed configuration: pydantic models validated at load, their errors as Chinese ConfigErrors. Pure.

A locality edits config/ by hand; a typo there must name the file, the key path and the bad
value in words a finance officer reads, and must never look like a problem of their data.
"""

from __future__ import annotations

import difflib
import json
import types
import typing
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from flows.domain.errors import ConfigError

Model = TypeVar("Model", bound=BaseModel)

# Shown at most; the rest are counted, so one broken list does not bury the message.
_MAX_ERRORS = 5


class ConfigModel(BaseModel):
    """A section of a configuration file: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def validated(model: type[Model], data: object, file: str, error: type[ConfigError] = ConfigError) -> Model:
    """`data` (parsed YAML) as `model`.

    Raises:
        ConfigError (or its subclass `error`): naming `file`, each bad key path and its value, in Chinese.
    """
    try:
        return model.model_validate(data)
    except ValidationError as invalid:
        problems = [_describe(model, detail) for detail in invalid.errors(include_url=False)]
        more = len(problems) - _MAX_ERRORS
        text = "；".join(problems[:_MAX_ERRORS]) + (f"；另有 {more} 处错误" if more > 0 else "")
        raise error(text, file=file) from None


def key_path(loc: tuple[str | int, ...]) -> str:
    """('groups', 0, 'points') -> 'groups[0].points'."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _value(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str) if isinstance(value, Mapping | list | tuple) else str(value)
    return text if len(text) <= 60 else text[:57] + "…"


_KINDS = {
    "decimal_parsing": "不是数字", "decimal_type": "不是数字", "float_parsing": "不是数字", "float_type": "不是数字",
    "int_parsing": "不是整数", "int_type": "不是整数", "int_from_float": "不是整数",
    "string_type": "不是文本（编码、名称请加引号写成文本）", "bool_parsing": "不是 true 或 false", "bool_type": "不是 true 或 false",
    "dict_type": "不是映射（键: 值）", "model_type": "不是映射（键: 值）", "model_attributes_type": "不是映射（键: 值）",
    "list_type": "不是列表", "tuple_type": "不是列表",
}


def _describe(model: type[BaseModel], detail: Mapping[str, Any]) -> str:
    loc = tuple(part for part in detail["loc"] if part != "[key]")
    path = key_path(loc) or "文件顶层"
    kind, value, context = detail["type"], detail.get("input"), detail.get("ctx") or {}
    if kind == "missing":
        return f"缺少必需的键 {path}"
    if kind == "extra_forbidden":
        allowed = _fields_at(model, loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        hint = f"；是否应为 {close[0]}？" if close else (f"；可用的键：{'、'.join(allowed)}" if allowed else "")
        return f"{path} 是无法识别的键（值「{_value(value)}」{hint}）"
    if kind == "literal_error":
        return f"{path} 的值「{_value(value)}」不是允许的值（可用：{context.get('expected', '')}）"
    if kind == "string_too_short":
        return f"{path} 不能为空"
    if kind == "string_pattern_mismatch":
        return f"{path} 的值「{_value(value)}」格式不对（应符合 {context.get('pattern', '')}）"
    if kind == "too_short":
        return f"{path} 至少应有 {context.get('min_length', 1)} 项"
    if kind in ("greater_than", "greater_than_equal"):
        bound = context.get("gt", context.get("ge"))
        return f"{path} 的值「{_value(value)}」应{'大于' if kind == 'greater_than' else '不小于'} {bound}"
    if kind in ("less_than", "less_than_equal"):
        bound = context.get("lt", context.get("le"))
        return f"{path} 的值「{_value(value)}」应{'小于' if kind == 'less_than' else '不大于'} {bound}"
    if kind == "value_error":
        # Our validators raise ValueError with a Chinese sentence about the value.
        return f"{path}：{context.get('error', detail['msg'])}" if loc else str(context.get("error", detail["msg"]))
    if kind in ("int_type", "decimal_type") and isinstance(value, str):
        return f"{path} 的值「{_value(value)}」是文本，不是数字（数字不要加引号）"
    if kind in _KINDS:
        return f"{path} 的值「{_value(value)}」{_KINDS[kind]}"
    return f"{path} 的值「{_value(value)}」无效（{detail['msg']}）"


def _fields_at(model: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
    """The keys the model allows at `loc`, for suggesting what a mistyped key should be."""
    current: Any = model
    for part in loc:
        current = _unwrap(current)
        if isinstance(part, str) and isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(part)
            if field is None:
                return []
            current = field.annotation
        else:
            args = typing.get_args(current)
            current = args[-1] if typing.get_origin(current) is dict else (args[0] if args else Any)
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [field.alias or name for name, field in current.model_fields.items()]
    return []


def _unwrap(annotation: Any) -> Any:
    """`X | None` -> X."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        return members[0] if len(members) == 1 else annotation
    return annotation
