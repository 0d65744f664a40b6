"""Items are objects with one id constant each, not strings repeated across layers."""

from __future__ import annotations

import ast
import importlib.util
import pkgutil
from pathlib import Path

import cilium_tui
from cilium_tui.checks.catalogue import CATALOGUE
from cilium_tui.checks.ids import ItemId

SHARED_WORDS = {"kube-proxy-replacement", "hubble", "bbr", "netkit", "kernel", "irqbalance"}
"""Ids that are also cilium-config keys, status fields, sysctl values or cause ids."""


def test_every_item_has_its_constant_and_every_constant_an_item() -> None:
    assert [i.id for i in CATALOGUE] == list(ItemId)
    assert all(isinstance(i.id, ItemId) for i in CATALOGUE)


def _string_constants(module: str) -> set[str]:
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None
    tree = ast.parse(Path(spec.origin).read_text())
    anchors = {  # the tuning guide's section anchors happen to read like ids
        id(arg)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "tuning"
        for arg in node.args
    }
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        if id(node) not in docstrings and id(node) not in anchors
    }


def test_product_code_names_items_by_their_constant() -> None:
    distinctive = {i.value for i in ItemId} - SHARED_WORDS
    spelled = {
        m.name: sorted(_string_constants(m.name) & distinctive)
        for m in pkgutil.walk_packages(cilium_tui.__path__, "cilium_tui.")
        if not m.name.startswith(("cilium_tui.lab", "cilium_tui.facts"))  # facts: output keys
        and m.name != "cilium_tui.checks.ids"
    }
    assert {m: ids for m, ids in spelled.items() if ids} == {}
