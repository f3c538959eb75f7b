"""Money. Amounts are integer fen inside; Decimal only at the edges; round half up only when printing."""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Literal

from flows.domain.errors import AmountError

FEN_PER_YUAN = 100
FEN_PER_WAN = 1_000_000  # 1 万元 = 10,000 元 = 1,000,000 fen

_BLANK_AS_ZERO = {"", "-", "—", "－", "--"}
_GROUPED = re.compile(r"^[-+]?\(?\d{1,3}(,\d{3})*(\.\d*)?\)?$")
# What an exported amount may be written with: ASCII or full-width digits, separators, a sign
# or parentheses for 红字, spaces. Anything else that Decimal or NFKC would also accept as a
# number (①, ٣, 1_000, 1e5, NaN) is not an amount a ledger system writes.
_AMOUNT_CHARACTERS = frozenset("0123456789０１２３４５６７８９,.，．-+－＋()（） \u3000—")
# No department books a line of ten trillion yuan; beyond this an amount is a broken cell (and
# sums of such lines would overflow 64-bit fen).
MAX_LINE_YUAN = Decimal(10) ** 13


def parse_yuan_to_fen(text: str | float | Decimal | None) -> int:
    """Parse an amount in yuan as exported by ledger software into integer fen.

    Accepts thousand separators ("20,323.21"), full-width digits, a leading minus or
    parentheses for 红字 (negative) amounts, and blank/dash for zero. Rejects more than
    two decimal places: a ledger never records fractions of a fen, so a third decimal
    means the column is not what we think it is.

    Raises:
        AmountError: the text is not an amount.
    """
    if text is None:
        return 0
    if isinstance(text, bool):
        raise AmountError(f"不是金额：{text!r}")
    if isinstance(text, int):
        return text * FEN_PER_YUAN
    if isinstance(text, float):
        if math.isnan(text) or abs(text) >= MAX_LINE_YUAN:
            raise AmountError(f"金额超出合理范围（单笔不超过 10 万亿元）：{text!r}")
        # Spreadsheet cells hold binary floats; repr gives the shortest decimal that
        # round-trips, which is what the user typed for any amount with two decimals.
        text = repr(text)
    raw = str(text)
    if not set(raw) <= _AMOUNT_CHARACTERS:
        raise AmountError(f"不是有效金额（只能含数字、千位分隔符、小数点和负号）：{raw!r}")
    normalised = unicodedata.normalize("NFKC", raw).strip().replace(" ", "")
    if "," in normalised and not _GROUPED.match(normalised):
        raise AmountError(f"千位分隔符位置不正确：{raw!r}")
    cleaned = normalised.replace(",", "")
    if cleaned in _BLANK_AS_ZERO:
        return 0
    negative = False
    if cleaned.startswith("(") and cleaned.endswith(")"):
        negative, cleaned = True, cleaned[1:-1]
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise AmountError(f"不是有效金额：{raw!r}") from None
    if not value.is_finite():
        raise AmountError(f"不是有效金额：{raw!r}")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise AmountError(f"金额超过两位小数（分以下）：{raw!r}")
    if abs(value) >= MAX_LINE_YUAN:
        raise AmountError(f"金额超出合理范围（单笔不超过 10 万亿元）：{raw!r}")
    fen = int(value * FEN_PER_YUAN)
    return -fen if negative else fen


def fen_to_yuan(fen: int) -> Decimal:
    """Exact yuan value of an amount in fen."""
    return Decimal(fen) / FEN_PER_YUAN


def format_wan(fen: int, places: int = 2) -> str:
    """Format fen as 万元 with `places` decimals, rounded half up (the only rounding we do)."""
    quantum = Decimal(1).scaleb(-places)
    return str((Decimal(fen) / FEN_PER_WAN).quantize(quantum, rounding=ROUND_HALF_UP))


def wan_cents(fen: int) -> int:
    """The printed 万元 value in hundredths (what `format_wan` prints, as an integer)."""
    return int((Decimal(fen) / FEN_PER_WAN * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


# How a percentage is cut to its printed decimals: half_up (our default) or truncate, which some
# localities' published tables use so that an 执行率 just under 100 % never prints as 100.0 %.
Rounding = Literal["half_up", "truncate"]
_ROUNDING = {"half_up": ROUND_HALF_UP, "truncate": ROUND_DOWN}


def format_percent(numerator: int, denominator: int, places: int = 2, rounding: Rounding = "half_up") -> str:
    """Format a ratio as a percentage with `places` decimals; "—" when undefined.

    half_up rounds; truncate cuts toward zero, for negatives too (−12.349 % → "-12.34%"), so a
    small decrease keeps its sign ("-0.00%"), as half_up already prints one under 0.005 %.
    """
    if denominator == 0:
        return "—"
    # Multiplied before dividing: the quotient is the percentage itself, not a ratio rounded first. Its
    # 28 significant digits sit closer to it than to any printed boundary while the numerator is below
    # 10^20, so truncating never cuts a value that rounding of the quotient lifted onto a boundary.
    return _percent_text(Decimal(numerator) * 100 / Decimal(denominator), places, rounding)


def format_ratio_percent(value: Decimal | None, places: int = 2, rounding: Rounding = "half_up") -> str:
    """An exact ratio (see `ratio`) as a percentage, printed as `format_percent` does; "—" for None."""
    return "—" if value is None else _percent_text(value * 100, places, rounding)


def _percent_text(percentage: Decimal, places: int, rounding: Rounding) -> str:
    quantum = Decimal(1).scaleb(-places)
    return f"{percentage.quantize(quantum, rounding=_ROUNDING[rounding])}%"


def ratio(numerator: int, denominator: int) -> Decimal | None:
    """Exact ratio (no rounding), None when the denominator is zero."""
    if denominator == 0:
        return None
    return Decimal(numerator) / Decimal(denominator)
