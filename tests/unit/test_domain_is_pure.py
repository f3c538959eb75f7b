"""flows/domain stays pure: no Prefect, GX, docxtpl, file or environment access."""

import ast
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[2] / "flows" / "domain"
FORBIDDEN_MODULES = {"prefect", "great_expectations", "docxtpl", "docx", "os", "pathlib", "shutil", "subprocess", "openpyxl", "xlsxwriter"}
FORBIDDEN_CALLS = {"open", "read_csv", "read_excel", "to_csv", "to_excel", "read_bytes", "write_bytes"}


@pytest.mark.parametrize("path", sorted(DOMAIN.glob("*.py")), ids=lambda p: p.name)
def test_domain_module_is_pure(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            names = []
        for name in names:
            assert name.split(".")[0] not in FORBIDDEN_MODULES, f"{path.name} imports {name}"
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            assert called not in FORBIDDEN_CALLS, f"{path.name} calls {called}()"
