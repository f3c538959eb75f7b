"""Department profile (YAML, validated): who the department is and what it says about its year."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, FiniteFloat, ValidationError, field_validator

from flows.domain.errors import InputError

# YAML folding (`>-`) joins lines with an ASCII space, which Chinese text never has between
# two of its characters ("组织； 参与"). Spaces between two CJK characters or full-width
# punctuation marks are dropped; a space beside Latin letters or digits stays.
_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
_FOLDED_SPACE = re.compile(f"(?<=[{_CJK}]) +(?=[{_CJK}])")


def without_folding_spaces(text: str) -> str:
    return _FOLDED_SPACE.sub("", text)


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _text_as_written(cls, value: object) -> object:
        if isinstance(value, str):
            return without_folding_spaces(value)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return [without_folding_spaces(v) for v in value]
        if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
            return {k: without_folding_spaces(v) for k, v in value.items()}
        return value


class Institution(_Model):
    name: str
    note: str = ""


class Structure(_Model):
    internal_offices: int = Field(ge=0)
    subordinate_institutions: list[Institution] = []
    affiliated_budget_units: list[str] = []


class Staffing(_Model):
    as_of: dt.date
    authorized: dict[str, int]      # 编制 by kind
    in_post: int = Field(ge=0)      # 在编人数

    @property
    def authorized_total(self) -> int:
        return sum(self.authorized.values())


class Section(_Model):
    title: str
    text: str


class Performance(_Model):
    intro: str
    sections: list[Section] = []


class Indicator(_Model):
    level1: str
    level2: str
    name: str
    unit: str
    # Finite: YAML reads .nan and .inf as numbers, and scoring cannot use them.
    target: FiniteFloat
    actual: FiniteFloat
    direction: Literal["higher", "lower"] = "higher"   # 正向 / 反向
    weight: FiniteFloat = Field(default=1, gt=0)        # share of its group's points
    deviation: str = ""                                 # 偏差原因分析及改进措施


class AnnualGoals(_Model):
    """附件2 年度总体目标: 预期目标 and 实际完成情况, in the department's words."""

    expected: str = ""
    achieved: str = ""


Yuan = Annotated[Decimal, Field(ge=0, max_digits=15, decimal_places=2, allow_inf_nan=False)]


class DeclaredAmount(_Model):
    """An amount no export carries (政府采购金额…), declared in 元: 预算数 and 实际数."""

    budget: Yuan | None = None
    actual: Yuan | None = None


class Buildings(_Model):
    """楼堂馆所控制情况 of the projects completed in the year: 规模 in ㎡, 投资 in 元."""

    approved_area: FiniteFloat = Field(ge=0)
    actual_area: FiniteFloat = Field(ge=0)
    budget: Yuan
    actual: Yuan


class Recipients(_Model):
    """Who receives the report: e-mail addresses and shared folders."""

    email: list[str] = []
    folders: list[str] = []


class DepartmentProfile(_Model):
    unit_code: str
    name: str
    short_name: str = ""
    led_by: str = ""
    report_date: dt.date
    functions: str
    structure: Structure
    staffing: Staffing
    performance: Performance
    indicators: list[Indicator] = []
    problems: list[str] = []
    measures: list[Section] = []
    other_notes: list[str] = []
    warning_explanations: dict[str, str] = {}
    recipients: Recipients = Recipients()
    annual_goals: AnnualGoals = AnnualGoals()
    frugality: str = ""                           # 厉行节约保障措施
    declared_amounts: dict[str, DeclaredAmount] = {}   # by the attached tables' measure name (政府采购金额)
    buildings: Buildings | None = None            # none completed: the table prints —
    # The reviewer's decision on each drafted finding of 存在的问题: 保留, 删除, or the sentence to print
    # instead; kept here, it holds for every later version (budget_adjusted, low_execution, staff_over, sangong_over).
    drafted_findings: dict[Literal["budget_adjusted", "low_execution", "staff_over", "sangong_over"], str] = {}

    @field_validator("unit_code", mode="before")
    @classmethod
    def _code_as_text(cls, value: object) -> object:
        value = str(value) if isinstance(value, int) else value
        if isinstance(value, str) and not is_valid_unit_code(value):
            raise ValueError(UNIT_CODE_RULE)
        return value


# A unit code names folders (out/<year>/<unit>/), locks and Prefect artifact keys, so it may
# hold only what is safe in all of them; real 单位编码 / 单位代码 are digits (and letters).
_UNIT_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_-]{0,39}$")
UNIT_CODE_RULE = "单位编码只能由字母、数字、“-”和“_”组成（以字母或数字开头，最长 40 位）"


def is_valid_unit_code(code: str) -> bool:
    return bool(_UNIT_CODE.match(code))


_PROBLEMS = {
    "missing": "缺少该字段", "extra_forbidden": "不认识的字段",
    "finite_number": "应为有限的数（不能是 .nan、.inf）", "float_parsing": "应为数字", "float_type": "应为数字",
    "int_parsing": "应为整数", "date_from_datetime_parsing": "应为日期（如 2025-03-31）", "date_parsing": "应为日期（如 2025-03-31）",
    "greater_than": "应大于 0", "string_type": "应为文字",
    "decimal_parsing": "应为金额（元，最多两位小数）", "decimal_type": "应为金额（元，最多两位小数）",
    "decimal_max_places": "金额最多两位小数（元）", "decimal_max_digits": "金额位数过多",
    "greater_than_equal": "不能为负数", "finite_number_decimal": "应为有限的金额",
}


def parse_profile(data: object, file: str) -> DepartmentProfile:
    """Validate a profile mapping; errors name the file and the field in Chinese.

    Raises:
        InputError: the mapping is not a valid profile.
    """
    try:
        return DepartmentProfile.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        kind = _PROBLEMS.get(first["type"], first["msg"])
        raise InputError(f"单位信息文件字段「{field}」有误：{kind}（共 {error.error_count()} 处）", file=file, column=field) from None
