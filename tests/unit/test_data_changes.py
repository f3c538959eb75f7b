"""Which years and units a change in the data folder concerns."""

from flows.adapters.catalog import affected, is_temporary
from flows.domain.schedule import default_fiscal_year, requested_units


def test_ledger_and_profile_changes_name_their_units():
    assert affected(["2024/ledger/312001/凭证.csv", "2024/profiles/312002.yaml"]) == {2024: ["312001", "312002"]}


def test_a_budget_change_concerns_every_unit_of_its_year():
    assert affected(["2024/ledger/312001/凭证.csv", "2024/budget/指标.csv", "2023/ledger/1/a.xlsx"]) == {2024: [], 2023: ["1"]}


def test_office_temporary_files_are_ignored():
    assert all(is_temporary(name) for name in ("~$凭证.xlsx", ".~lock.凭证.csv#", "凭证.csv.tmp", ".DS_Store"))
    assert affected(["2024/ledger/312001/~$凭证.xlsx", "README.md"]) == {}


def test_units_from_event_payloads():
    assert requested_units("312001, 312002,") == ["312001", "312002"]
    assert requested_units("") == [] and requested_units(None) == [] and requested_units(["a"]) == ["a"]


def test_scheduled_runs_report_the_previous_year_in_the_configured_zone():
    import datetime as dt

    new_year_in_shanghai = dt.datetime(2025, 12, 31, 17, 0, tzinfo=dt.UTC)   # 01:00 on 1 January 2026 in Shanghai
    assert default_fiscal_year("Asia/Shanghai", new_year_in_shanghai) == 2025
    assert default_fiscal_year("UTC", new_year_in_shanghai) == 2024


def test_a_city_wide_ledger_export_concerns_every_unit_of_its_year():
    # ledger/<file> carries a 单位编码 column: any unit's rows may have changed.
    assert affected(["2024/ledger/全市凭证明细.csv"]) == {2024: []}
    assert affected(["2024/ledger/312001/凭证.csv", "2024/payments/支付凭证.csv"]) == {2024: []}


def test_a_unit_folder_of_declared_totals_still_means_any_unit():
    assert affected(["2024/control_totals/312001/财决01.xlsx"]) == {2024: []}

