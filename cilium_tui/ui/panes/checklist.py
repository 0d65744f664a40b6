"""The checklist pane: each catalogue item with its roll-up, expandable per node, and its story.

The list is as wide as its lines (the counts always whole, see `ui.rollups`); the side panel takes
the rest of the width, never less than `SIDE_MIN`, and titles give way when both do not fit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.events import Resize
from textual.reactive import reactive
from textual.theme import Theme
from textual.widgets import Static, Tree
from textual.widgets.tree import TreeNode

from cilium_tui.checks.types import Finding, Rollup, State
from cilium_tui.ui.cells import Cell, Tone, break_url
from cilium_tui.ui.messages import ItemChosen
from cilium_tui.ui.paint import ToneStyles, cell_text, tone_styles
from cilium_tui.ui.rollups import (
    GAP,
    ITEM_GAP,
    STATE_FILTERS,
    STATE_WIDTH,
    Columns,
    columns,
    finding_cells,
    findings_in,
    header_line,
    matches_state,
    rollup_cells,
    summary,
)
from cilium_tui.ui.state import ClusterState

Entry = Rollup | Finding | None

SIDE_MIN = 28
"""The side panel's narrowest width (its border and padding included)."""

LIST_CHROME = 5
"""Columns of the list that are not its lines: padding (2), the tree's guide (2), scrollbar (1)."""


class ChecklistPane(Vertical):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f", "cycle_state_filter", "Filter state", id="state-filter"),
        Binding("p", "preview", "Remediation", id="preview"),
        Binding("c", "copy_docs", "Copy the item's docs link", id="copy-docs", show=False),
    ]

    state_filter: reactive[State | None] = reactive(None, init=False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rollups: tuple[Rollup, ...] = ()
        self._error: str | None = None
        self._judged = False
        self._styles: ToneStyles = tone_styles({})
        self._columns = columns(())

    def compose(self) -> ComposeResult:
        with Horizontal():
            with Vertical(id="checklist-list"):
                yield Static(id="checklist-header")
                tree: Tree[Entry] = Tree("checklist", id="checklist-tree")
                tree.show_root = False
                tree.guide_depth = 2
                yield tree
            with VerticalScroll(id="item-info"):
                yield Static(id="item-text")
        yield Static(id="checklist-summary")

    def on_mount(self) -> None:
        self._styles = tone_styles(self.app.theme_variables)
        self._summarise(())
        self.watch(self.app, "cluster", self._on_cluster)
        self.app.theme_changed_signal.subscribe(self, self._repaint)

    @property
    def checklist_tree(self) -> Tree[Entry]:
        return self.query_one("#checklist-tree", Tree)

    def _on_cluster(self, cluster: ClusterState | None) -> None:
        rollups = cluster.judgement.rollups if cluster is not None else ()
        error = cluster.judgement.error if cluster is not None else None
        judged = cluster is not None
        if (judged, rollups, error) != (self._judged, self._rollups, self._error):
            before = self._rollups
            self._judged, self._rollups, self._error = judged, rollups, error
            if not self._same_lines(before):
                self._rebuild()

    def _same_lines(self, before: tuple[Rollup, ...]) -> bool:
        """Whether a new judgement leaves every line of the list as it was (a refresh where a
        few nodes changed and no count did): then the items take their new roll-ups in place,
        without the tree being built and laid out again. Not when an item is expanded (its
        per-node lines are the roll-up's findings)."""
        tree = self.checklist_tree
        entries = tree.root.children
        if self._error or not self._judged or any(node.is_expanded for node in entries):
            return False
        shown = self._shown()
        if len(shown) != len(entries) or self._fit(shown) != self._columns:
            return False
        old = {r.item.id: r for r in before}
        for node, rollup in zip(entries, shown, strict=True):
            was = node.data
            if not isinstance(was, Rollup) or old.get(was.item.id) is not was:
                return False
            if was.item.id != rollup.item.id or rollup_cells(was, self._columns) != rollup_cells(
                rollup, self._columns
            ):
                return False
        for node, rollup in zip(entries, shown, strict=True):
            node.data = rollup
        self._summarise(shown)
        self._describe(self._cursor_entry())
        return True

    def _repaint(self, _: Theme) -> None:
        self._styles = tone_styles(self.app.theme_variables)
        self._rebuild()

    def watch_state_filter(self) -> None:
        self._rebuild()

    def on_resize(self, _: Resize) -> None:
        if self._fit(self._shown()) != self._columns:
            self._rebuild()
        else:
            self._describe(self._cursor_entry())

    def _shown(self) -> list[Rollup]:
        return [r for r in self._rollups if matches_state(r, self.state_filter)]

    def _fit(self, shown: Sequence[Rollup]) -> Columns:
        """The columns for the pane's width (none known yet: as wide as the lines need)."""
        width = self.size.width - SIDE_MIN - LIST_CHROME if self.size.width else None
        return columns(shown, width)

    # ----------------------------------------------------------------------------------------
    # Building the tree, keeping what was expanded and where the cursor was
    # ----------------------------------------------------------------------------------------

    def _rebuild(self) -> None:
        tree = self.checklist_tree
        expanded = {
            node.data.item.id
            for node in tree.root.children
            if node.is_expanded and isinstance(node.data, Rollup)
        }
        cursor = _identity(self._cursor_entry())
        tree.clear()
        shown = self._shown()
        self._columns = cols = self._fit(shown)
        self.query_one("#checklist-list").styles.width = cols.width + LIST_CHROME
        self.query_one("#checklist-header", Static).update(Text(header_line(cols), end=""))
        target: TreeNode[Entry] | None = None
        for rollup in shown:
            item_node = tree.root.add(
                self._line(rollup_cells(rollup, cols), pad={}, gap=ITEM_GAP),
                data=rollup,
                expand=rollup.item.id in expanded,
            )
            target = item_node if cursor == _identity(rollup) else target
            if item_node.is_expanded:
                for leaf in self._fill(item_node):
                    target = leaf if cursor == _identity(leaf.data) else target
        if target is None and tree.root.children:
            target = tree.root.children[0]
        self._summarise(shown)
        # New nodes get their line numbers when the tree lays out: move the cursor after that.
        self.call_after_refresh(self._restore_cursor, target)

    def _fill(self, item_node: TreeNode[Entry]) -> list[TreeNode[Entry]]:
        """Add an item's per-node lines, once, when it is first shown expanded: a big cluster has
        thousands of them per item, and most items stay collapsed."""
        rollup = item_node.data
        if item_node.children or not isinstance(rollup, Rollup):
            return []
        findings = findings_in(rollup, self.state_filter)
        node_width = max((len(f.node) for f in findings), default=0)
        width = self._columns.width
        return [
            item_node.add_leaf(
                self._line(
                    finding_cells(finding, width, node_width), pad={0: node_width, 1: STATE_WIDTH}
                ),
                data=finding,
            )
            for finding in findings
        ]

    @on(Tree.NodeExpanded, "#checklist-tree")
    def _expanded(self, event: Tree.NodeExpanded[Entry]) -> None:
        self._fill(event.node)

    def _restore_cursor(self, target: TreeNode[Entry] | None) -> None:
        tree = self.checklist_tree
        if target is not None:
            tree.move_cursor(target, animate=False)
        self._describe(tree.cursor_node.data if tree.cursor_node else None)

    def _line(self, cells: Sequence[Cell], pad: dict[int, int], gap: str = GAP) -> Text:
        """The cells as one line, `gap` apart, each padded to `pad[index]`."""
        line = Text(end="")
        for index, cell in enumerate(cells):
            if index:
                line.append(gap)
            piece = cell_text(cell, self._styles)
            piece.pad_right(max(0, pad.get(index, 0) - len(piece)))
            line.append_text(piece)
        return line

    def _summarise(self, shown: Sequence[Rollup]) -> None:
        if not self._judged:
            text = Text("Waiting for the first scan…")
        elif self._error:
            text = Text(self._error, style=self._styles[Tone.ERROR])
        elif not self._rollups:
            text = Text("The catalogue has no items for this cluster yet.")
        else:
            line = summary(self._rollups)
            if self.state_filter is not None:
                line += f" · showing items with a node {self.state_filter.value} ({len(shown)})"
            text = Text(line)
        shown_summary = self.query_one("#checklist-summary", Static)
        if text != shown_summary.content:
            shown_summary.update(text, layout=False)  # one line high, as wide as the pane

    # ----------------------------------------------------------------------------------------
    # The side panel: the item's requirement, why it matters and docs, or a node's finding
    # ----------------------------------------------------------------------------------------

    @on(Tree.NodeHighlighted, "#checklist-tree")
    def _highlighted(self, event: Tree.NodeHighlighted[Entry]) -> None:
        self._describe(event.node.data)

    def _cursor_entry(self) -> Entry:
        node = self.checklist_tree.cursor_node
        return node.data if node is not None else None

    def _describe(self, entry: Entry) -> None:
        text = self.query_one("#item-text", Static)
        described = describe(entry, self._styles, text.content_region.width or None)
        if described != text.content:
            text.update(described)

    # ----------------------------------------------------------------------------------------
    # Actions
    # ----------------------------------------------------------------------------------------

    def action_cycle_state_filter(self) -> None:
        index = STATE_FILTERS.index(self.state_filter)
        self.state_filter = STATE_FILTERS[(index + 1) % len(STATE_FILTERS)]

    def action_copy_docs(self) -> None:
        """Put the selected item's docs link on the clipboard (the terminal's, by OSC 52): a
        link broken over lines in the side panel does not copy as one from the screen."""
        item_id = self.selected_item_id
        rollup = next((r for r in self._rollups if r.item.id == item_id), None)
        if rollup is None:
            self.notify("Select a checklist item first.", severity="warning")
            return
        self.app.copy_to_clipboard(rollup.item.docs)
        self.notify(f"Copied {rollup.item.docs}", markup=False)

    def action_preview(self) -> None:
        item_id = self.selected_item_id
        if item_id is None:
            self.notify("Select a checklist item first.", severity="warning")
            return
        self.post_message(ItemChosen(item_id))

    def select_item(self, item_id: str, *, expand: bool = False) -> bool:
        """Put the cursor on an item (clearing a state filter that hides it); False when the
        catalogue has no such item."""
        if not any(r.item.id == item_id for r in self._rollups):
            return False
        tree = self.checklist_tree
        node = next((n for n in tree.root.children if _identity(n.data) == (item_id,)), None)
        if node is None:
            self.state_filter = None
            self._rebuild()
            node = next(n for n in tree.root.children if _identity(n.data) == (item_id,))
        if expand:
            node.expand()
            self._fill(node)
        self.call_after_refresh(self._restore_cursor, node)
        return True

    @property
    def selected_item_id(self) -> str | None:
        node = self.checklist_tree.cursor_node
        data = node.data if node is not None else None
        if isinstance(data, Rollup):
            return data.item.id
        if isinstance(data, Finding):
            return data.item_id
        return None


def _identity(entry: Entry) -> tuple[str, ...] | None:
    if isinstance(entry, Rollup):
        return (entry.item.id,)
    if isinstance(entry, Finding):
        return (entry.item_id, entry.node)
    return None


def describe(entry: Entry, styles: ToneStyles, width: int | None = None) -> Text:
    """The side panel's text for an item or a finding (plain Text: catalogue and node text may
    contain brackets). The docs link has lines of its own, broken only between the URL's parts
    to fit `width`, and links the whole URL on every line."""
    heading = Style(bold=True)
    text = Text(end="")
    if isinstance(entry, Rollup):
        item = entry.item
        text.append(item.title + "\n", style=heading)
        text.append(entry.headline + "\n\n")
        text.append("Why it matters\n", style=heading)
        text.append(item.why + "\n\n")
        if item.requirements:
            text.append("Requires\n", style=heading)
            for requirement in item.requirements:
                text.append(f"• {requirement.text}\n")
            text.append("\n")
        if item.cilium_min or item.cilium_max:
            span = f"{item.cilium_min or '…'} – {item.cilium_max or 'current'}"
            text.append(f"Cilium {span}\n\n")
        text.append("How it is detected\n", style=heading)
        text.append(item.detection + "\n\n")
        text.append("Docs", style=heading)
        text.append(" (c copies the link)\n")
        link = Style(underline=True, link=item.docs)
        lines = break_url(item.docs, width) if width else [item.docs]
        text.append("\n".join(lines), style=link)
    elif isinstance(entry, Finding):
        text.append(f"{entry.node}  ", style=heading)
        text.append_text(cell_text(finding_cells(entry)[1], styles))
        text.append(f"\n{entry.reason}\n")
        for blocker in entry.blocked_by:
            text.append(f"blocked by: {blocker}\n", style=styles[Tone.BLOCKED])
        if entry.advice:
            text.append(f"\nAdvice: {entry.advice}\n")
        if entry.evidence:
            text.append("\nEvidence\n", style=heading)
            for line in entry.evidence:
                text.append(f"  {line}\n")
    else:
        text.append("Select an item to see why it matters and how each node stands.")
    return text
