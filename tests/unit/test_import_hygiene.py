"""The core never imports Textual: everything but cilium_tui.ui runs headless."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

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
