"""Nothing the console shows is cut, at 80x24 and at 120x36: the checklist's counts come whole
under their headers, the footer shows only whole key hints (help's always), the docs link breaks
only between its parts and copies whole (help's columns: `test_keys_and_quit`). Read from what
was rendered (the SVG screenshot), not from the widgets' data."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from textual.widgets import Static

from cilium_tui.collect.scan import ClusterSource
from cilium_tui.remedy.context import PlanOptions
from cilium_tui.ui.app import CiliumTuiApp
from cilium_tui.ui.panes.checklist import ChecklistPane
from cilium_tui.ui.rollups import COUNT_HEADERS, STATE_ORDER
from cilium_tui.ui.screens.journal import JournalScreen
from cilium_tui.ui.screenshots import screenshot_app
from cilium_tui.ui.widgets.key_hints import KeyHints
from tests.ui.support import (
    confirm_and_wait,
    console_on_lab,
    lab_scan,
    plain,
    press_apply,
    settle,
    until,
)

SIZES = [(80, 24), (120, 36)]
HEADERS = [COUNT_HEADERS[s] for s in STATE_ORDER]
CELL_WIDTH = 12.2
"""An SVG screenshot's character width (Textual's export)."""


def screen_lines(app: CiliumTuiApp) -> list[str]:
    """What the terminal shows, line by line (from the SVG screenshot: what was rendered)."""
    svg = app.export_screenshot()
    width, _ = app.size
    rows: dict[float, list[str]] = {}
    for attributes, text in re.findall(r"<text ([^>]*)>(.*?)</text>", svg):
        x = float(re.search(r'\bx="([\d.]+)"', attributes).group(1))  # type: ignore[union-attr]
        y = float(re.search(r'\by="([\d.]+)"', attributes).group(1))  # type: ignore[union-attr]
        row = rows.setdefault(y, [" "] * width)
        column = round(x / CELL_WIDTH)
        for offset, char in enumerate(html.unescape(text).replace("\xa0", " ")):
            if column + offset < width:
                row[column + offset] = char
    return ["".join(row) for _, row in sorted(rows.items())]


def counts_under_headers(header: str, line: str) -> dict[str, str]:
    """The count right-aligned under each state's header on an item's line."""
    counts = {}
    for label in HEADERS:
        end = header.index(f" {label}") + 1 + len(label)
        counts[label] = line[:end].rsplit(maxsplit=1)[-1]
    return counts


def console(tmp_path: Path) -> CiliumTuiApp:
    """The seed's scan with a remediation engine: apply and undo are in the footer too."""
    return screenshot_app(lab_scan("seed"), journal=tmp_path)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_checklist_counts_are_whole_under_their_headers(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    app = console(tmp_path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await pilot.pause()
        lines = screen_lines(app)
        header = next(line for line in lines if "ITEM" in line)
        assert re.search(r"ITEM +ON +OFF +BLK +N/A +UNK ", header), header
        panel = header.index(" UNK") + len(" UNK")
        rows = {line.split()[2]: line for line in lines if re.match(r" [▶▼] ", line)}

        routing = next(line for line in lines if "BPF host routing " in line)
        assert counts_under_headers(header, routing) == {
            "ON": "3",
            "OFF": "·",
            "BLK": "3",
            "N/A": "·",
            "UNK": "·",
        }, "3 on and 3 blocked, both whole"
        bypass = next(line for line in lines if "Bypass iptables conntrack " in line)
        assert counts_under_headers(header, bypass)["OFF"] == "3"
        assert counts_under_headers(header, bypass)["N/A"] == "3"
        assert len(rows) >= 10
        for line in rows.values():
            counts = counts_under_headers(header, line)
            assert all(c == "·" or c.isdigit() for c in counts.values()), line
            assert sum(int(c) for c in counts.values() if c.isdigit()) == 6, line
            assert "▏" in line[panel : panel + 4], "the side panel starts right after the counts"


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("tab", ["1", "2", "3"])
async def test_the_footer_shows_whole_hints_and_always_help(
    tmp_path: Path, size: tuple[int, int], tab: str
) -> None:
    app = console(tmp_path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press(tab)
        if tab == "3":
            await app.choose_item("bpf-masquerading")
            await app.settled()
        await pilot.pause()
        await pilot.pause()
        footer = screen_lines(app)[-1]
        hints = app.main.query_one(KeyHints)
        shown = [h for h in hints.query("FooterKey") if h.display]
        assert shown, footer
        for hint in shown:
            words = f"{hint.key_display} {hint.description}"  # type: ignore[attr-defined]
            assert words in footer, f"{words!r} is whole in {footer!r}"
            assert hint.region.right <= size[0]
        assert "? Help" in footer and "q Quit" in footer
        if tab in "23":
            assert "a Apply" in footer and "u Undo" in footer, "the changes come before the rest"
        hidden = [h for h in hints.query("FooterKey") if not h.display]
        if size[0] >= 120:
            assert not hidden, "at 120 columns every hint fits"
        for hint in hidden:
            assert hint.description not in footer  # type: ignore[attr-defined]


async def test_the_docs_link_breaks_between_its_parts_and_copies_whole(tmp_path: Path) -> None:
    app = console(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        pane = app.main.query_one(ChecklistPane)
        assert pane.select_item("bypass-iptables-conntrack")
        await pilot.pause()
        url = "https://docs.cilium.io/en/stable/operations/performance/tuning/#bypass-iptables-connection-tracking"
        panel = app.main.query_one("#item-text", Static)
        text = str(panel.render())
        tail = text[text.index("https://") :].split("\n")
        assert "".join(tail) == url
        assert len(tail) > 1, "too long for the panel at 80 columns"
        assert all(part[-1] in "/-" for part in tail[:-1]), tail
        assert all(len(part) <= panel.content_region.width for part in tail)
        await pilot.press("c")
        await pilot.pause()
        assert app.clipboard == url


async def test_the_journal_shows_whole_statuses_at_80_columns(
    seed_lab: ClusterSource, tmp_path: Path
) -> None:
    """An apply and its undo: the statuses say which is the undo and which was undone, whole;
    the entry ids (47 characters) are in the panel below, not in columns that ran off."""
    app = console_on_lab(seed_lab, tmp_path, plan_options=PlanOptions(batch_size=3))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press_apply(pilot, "bypass-iptables-conntrack")
        await confirm_and_wait(pilot, "lab-seed")
        await pilot.press("u")
        await confirm_and_wait(pilot, "lab-seed")
        await pilot.press("j")
        journal = app.screen
        assert isinstance(journal, JournalScreen)
        await until(pilot, lambda: len(journal.entries) == 2, "journal entries")
        await pilot.pause()
        lines = screen_lines(app)
        header = next(line for line in lines if line.startswith(" WHEN "))
        assert header.split()[:4] == ["WHEN", "ITEM", "STATUS", "BY"]
        rows = [line for line in lines if " bypass-iptables-conntrack " in line]
        assert "verified · undo " in rows[0] and "verified · undone " in rows[1], rows
        original = journal.entries[1]
        panel = plain(journal.query_one("#journal-events", Static), width=78)
        assert f"undoes {original.id}" in panel
        assert "on lab-seed" in panel

        arn = "arn:aws:eks:eu-west-1:123456789012:cluster/prod-training-room"
        for path in journal.journal.directory.glob("*.json"):
            path.write_text(path.read_text().replace('"lab-seed"', json.dumps(arn)))
        journal.reload()
        await until(pilot, lambda: journal.entries[0].context == arn, "the long context")
        await pilot.pause()
        lines = screen_lines(app)
        rows = lines[lines.index(header) + 1 :][:2]
        assert all(row.rstrip().endswith("arn:…-room") for row in rows), rows
        assert "verified · undo " in rows[0] and "verified · undone " in rows[1], rows
        panel = plain(journal.query_one("#journal-events", Static), width=132)
        assert f"on {arn}" in panel
