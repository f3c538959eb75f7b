"""Jixiao: ledger exports → data-quality gate → performance metrics → 部门整体支出绩效自评报告."""

__version__ = "0.1.0"
