"""The lab's `cilium status` text against real outputs of 1.13.4, 1.14.0, 1.15.0-pre.2, 1.16.4,
1.17.2 and 1.17.6: same labels, order, padding and quirks.

Only trailing whitespace is normalised: the published samples lost it inconsistently (the 1.13.4
verbose controller table has none, the 1.17.6 one keeps Go's `no error   `).
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from cilium_tui.lab.render_text import render_status_text
from cilium_tui.model import BigTCP
from tests.unit.lab.golden import Case, cases, sample_lines

CASES = cases()


def _expected_and_actual(case: Case) -> tuple[list[str], list[str]]:
    expected = [line.rstrip() for line in sample_lines(case.sample)]
    rendered = render_status_text(
        case.status, case.version, verbose=case.verbose, context=case.context
    )
    actual = [line.rstrip() for line in rendered.splitlines()]
    if case.stop_at is not None:
        expected = expected[: next(i for i, x in enumerate(expected) if x.startswith(case.stop_at))]
        actual = actual[: next(i for i, x in enumerate(actual) if x.startswith(case.stop_at))]
    if case.partial:
        actual = actual[: len(expected)]
    return expected, actual


@pytest.mark.parametrize("case", CASES, ids=[c.sample for c in CASES])
def test_render_reproduces_the_real_output(case: Case) -> None:
    expected, actual = _expected_and_actual(case)
    assert actual == expected


@pytest.mark.parametrize("case", CASES, ids=[c.sample for c in CASES])
def test_labels_and_order_match(case: Case) -> None:
    """The same check at label level, so a failure says which label moved or went missing."""

    def labels(lines: list[str]) -> list[str]:
        return [m.group(1) for line in lines if (m := re.match(r"^([A-Z][^:]*):", line))]

    expected, actual = _expected_and_actual(case)
    assert labels(actual) == labels(expected)


def test_verbose_1_17_modules_tree_has_the_real_shape() -> None:
    case = next(c for c in CASES if c.verbose and c.version.startswith("1.17"))
    rendered = render_status_text(case.status, case.version, verbose=True, context=case.context)
    tree = rendered.split("Modules Health:\n", 1)[1].splitlines()
    real = sample_lines(case.sample)
    real_tree = real[real.index("Modules Health:") + 1 :]
    leaf = re.compile(r"^      [│ ]*[├└]── \S.*?\s{4,}\[OK\] .+ \(\S+, x\d+\)$")
    assert any(leaf.match(line) for line in real_tree), "the pattern must describe the sample"
    assert tree and all(line.startswith("      ") for line in tree)
    leaves = [line for line in tree if "[OK]" in line]
    assert leaves and all(leaf.match(line) for line in leaves)
    # Leaf states start in the same column as in the real output.
    assert {line.index("[OK]") for line in leaves} == {70}


def test_big_tcp_enabled_lines_match_the_real_form() -> None:
    """Both BIG TCP lines enabled at 196608, as grep'ed from a real agent (issue 45513)."""
    case = next(c for c in CASES if c.version == "1.17.2")
    status = replace(
        case.status,
        ipv4_big_tcp=BigTCP(True, 196608, 196608),
        ipv6_big_tcp=BigTCP(True, 196608, 196608),
    )
    rendered = render_status_text(status, case.version, context=case.context)
    big = [line.rstrip() for line in rendered.splitlines() if "BIG TCP" in line]
    assert big == sample_lines("status-dev-2026-bigtcp-text-grep-issue45513.txt")
