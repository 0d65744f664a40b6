"""The core never imports Textual: everything but cilium_tui.ui runs headless."""

from __future__ import annotations

import ast
import importlib.util
import pkgutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import cilium_tui

HEADLESS = sorted(
    m.name
    for m in pkgutil.walk_packages(cilium_tui.__path__, "cilium_tui.")
    if not m.name.startswith("cilium_tui.ui") and m.name not in ("cilium_tui.__main__",)
)


def test_there_are_core_modules_to_check() -> None:
    assert "cilium_tui.model" in HEADLESS
    assert "cilium_tui.checks.types" in HEADLESS


def test_core_imports_no_textual() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {HEADLESS!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"textual imported by the core: {out.stdout}"


LAB = "cilium_tui.lab"
LAB_COMMAND = "cilium_tui.commands.lab"
"""`cilium-tui lab`: the command that runs the lab, so it may import it."""
DEMO_ENTRY = ("cilium_tui.connect", "_open_lab")
"""--demo: the only other place, inside the function that starts the lab (so that nothing else,
not even --help, loads it)."""


def _is_lab_import(node: ast.AST) -> bool:
    if isinstance(node, ast.ImportFrom):
        return (node.module or "").startswith(LAB)
    return isinstance(node, ast.Import) and any(a.name.startswith(LAB) for a in node.names)


def _lab_imports(module: str) -> tuple[int, int]:
    """(lab imports in `module`, those inside the --demo entry function)."""
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None
    tree = ast.parse(Path(spec.origin).read_text())
    total = sum(_is_lab_import(node) for node in ast.walk(tree))
    entry = 0
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef) and (module, fn.name) == (
            DEMO_ENTRY
        ):
            entry += sum(_is_lab_import(node) for node in ast.walk(fn))
    return total, entry


def test_product_code_imports_the_lab_only_at_the_demo_entry() -> None:
    counts = {m: _lab_imports(m) for m in PRODUCT if m != LAB_COMMAND}
    outside = sorted(m for m, (total, entry) in counts.items() if total != entry)
    assert outside == [], f"product code importing the lab: {outside}"
    assert counts[DEMO_ENTRY[0]][1] == 1  # the check can see an import where there is one


def test_importing_the_product_loads_no_lab() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {PRODUCT!r}:\n"
        "    importlib.import_module(name)\n"
        "print(','.join(sorted(m for m in sys.modules if m.startswith('cilium_tui.lab'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"the lab loaded by: {out.stdout}"


PRODUCT = sorted(
    m.name
    for m in pkgutil.walk_packages(cilium_tui.__path__, "cilium_tui.")
    if not m.name.startswith("cilium_tui.lab") and m.name != "cilium_tui.__main__"
)


def test_the_screenshots_clock_is_the_lab_s() -> None:
    from cilium_tui.lab.scenarios import LAB_NOW
    from cilium_tui.ui.screenshots import LAB_TIME

    assert datetime.fromisoformat(LAB_NOW) == LAB_TIME
