"""Money parsing and printing: integer fen inside, half-up rounding only when printing."""

from decimal import Decimal

import pytest

from flows.domain.errors import AmountError
from flows.domain.money import format_percent, format_wan, parse_yuan_to_fen, wan_cents


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("1234.50", 123450),
        ("20,323.21", 2032321),        # thousand separators
        ("1,000,000", 100000000),
        ("-1,234.50", -123450),        # 红字 as a minus sign
        ("(1,234.50)", -123450),       # 红字 in parentheses
        ("１２３．４５", 12345),          # full-width digits and point
        ("１，２３４.５", 123450),         # full-width comma
        (" 7.1 ", 710),
        ("", 0),
        ("—", 0),                      # dash for zero
        (None, 0),
        (1234.5, 123450),              # numeric spreadsheet cell
        (0.1 + 0.2, None),             # float noise must not become fen silently
        (12, 1200),
    ],
)
def test_parse_yuan_to_fen(text, fen):
    if fen is None:
        with pytest.raises(AmountError):
            parse_yuan_to_fen(text)
    else:
        assert parse_yuan_to_fen(text) == fen


@pytest.mark.parametrize("text", ["12.345", "1.001", "abc", "12,3a", "NaN", "Infinity", "1e5x", "1e5",
                                  "①", "1_000.00", "٣٤٥.٠٠", "92233720368547758.07", 1e20, float("nan")])
def test_parse_rejects_what_is_not_an_amount(text):
    with pytest.raises(AmountError):
        parse_yuan_to_fen(text)


def test_three_decimals_message_names_the_value():
    with pytest.raises(AmountError, match="12.345"):
        parse_yuan_to_fen("12.345")


@pytest.mark.parametrize(
    ("fen", "printed"),
    [
        (648_310_383, "648.31"),
        (284_805_000, "284.81"),   # exactly .5 of the last place: half up, not to even
        (284_815_000, "284.82"),
        (22_095_000, "22.10"),
        (22_085_000, "22.09"),     # .5 with an even neighbour: half-even would print 22.08
        (22_084_999, "22.08"),
        (-5_000, "-0.01"),         # a negative half rounds away from zero
        (0, "0.00"),
    ],
)
def test_format_wan_rounds_half_up(fen, printed):
    assert format_wan(fen) == printed


def test_wan_cents_matches_the_printed_value():
    for fen in (648_310_383, 22_095_000, 22_085_000, 1):
        assert Decimal(wan_cents(fen)) / 100 == Decimal(format_wan(fen))


@pytest.mark.parametrize(
    ("num", "den", "printed"),
    [(19, 24, "79.17%"), (1, 8, "12.50%"), (1, 200000, "0.00%"), (1, 40000, "0.00%"), (1, 0, "—"), (125, 100000, "0.13%")],
)
def test_format_percent(num, den, printed):
    assert format_percent(num, den) == printed


@pytest.mark.parametrize(
    ("num", "den", "places", "half_up", "truncate"),
    [
        (9_997, 10_000, 1, "100.0%", "99.9%"),          # an 执行率 just under 100 % never prints as 100
        (99_999, 100_000, 2, "100.00%", "99.99%"),
        (2, 3, 2, "66.67%", "66.66%"),
        (1, 1, 1, "100.0%", "100.0%"),
        (-12_349, 100_000, 2, "-12.35%", "-12.34%"),    # toward zero, for negatives too
        (-1, 3, 0, "-33%", "-33%"),
        (-1, 100_000, 1, "-0.0%", "-0.0%"),             # a small decrease keeps its sign
        (1, 0, 1, "—", "—"),
    ],
)
def test_format_percent_rounds_half_up_or_truncates(num, den, places, half_up, truncate):
    assert format_percent(num, den, places) == format_percent(num, den, places, "half_up") == half_up
    assert format_percent(num, den, places, rounding="truncate") == truncate


def test_a_ratio_prints_as_its_fraction_does():
    from flows.domain.money import format_ratio_percent, ratio

    for num, den in ((9_997, 10_000), (2, 3), (-12_349, 100_000), (19, 24)):
        for rounding in ("half_up", "truncate"):
            assert format_ratio_percent(ratio(num, den), 1, rounding) == format_percent(num, den, 1, rounding)
    assert format_ratio_percent(None) == "—"
