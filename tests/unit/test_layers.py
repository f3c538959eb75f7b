"""Imports run one way: cli → serve / flows → tasks, up_to_date → unit pipeline → adapters → domain.

Lazy imports inside functions count too: a module that reaches back up the chain, or two
modules that import each other, fail here with the import named.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "flows"

# Lower layers never import higher ones; a module may import its own layer.
LAYERS = {
    "flows.domain": 0,
    "flows.settings": 1,
    "flows.adapters": 1,
    "flows.unit_pipeline": 2,
    "flows.year_inputs": 2,
    "flows.tasks": 3,
    "flows.up_to_date": 3,          # the run's first steps without Prefect: is anything left to do?
    "flows.annual_report": 4,
    "flows.formats": 4,
    "flows.review_desk": 4,         # the reviewer's commands: decide, then deliver as a run would
    "flows.serve": 5,
    "flows.watch": 5,
    "flows.cli": 6,
    "flows.__main__": 7,
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _layer(module: str) -> int:
    assert not module.startswith("tools"), f"the product imports the developer tool {module}"
    for prefix in sorted(LAYERS, key=len, reverse=True):
        if module == prefix or module.startswith(prefix + "."):
            return LAYERS[prefix]
    raise AssertionError(f"{module} is in no layer: add it to LAYERS")


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(("flows", "tools")):
            # `from flows.adapters import catalog` imports the module flows.adapters.catalog.
            found |= {f"{node.module}.{a.name}" if (PACKAGE.parent / f"{node.module}.{a.name}".replace(".", "/")).with_suffix(".py").exists()
                      else node.module for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith(("flows", "tools"))}
    return {name for name in found if name != "flows"}


MODULES = {_module_name(p): _imports(p) for p in sorted(PACKAGE.rglob("*.py")) if p.name != "__init__.py"}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_imports_nothing_above_its_layer(module):
    above = sorted(i for i in MODULES[module] if _layer(i) > _layer(module))
    assert not above, f"{module} (layer {_layer(module)}) imports {above}"


def test_no_two_modules_import_each_other():
    cycles = sorted((a, b) for a, imports in MODULES.items() for b in imports if a < b and a in MODULES.get(b, ()))
    assert not cycles, cycles


def test_the_product_package_holds_no_developer_tool():
    assert not (PACKAGE / "demo_data.py").exists()
    assert not [name for imports in MODULES.values() for name in imports if name.startswith("tools")]
