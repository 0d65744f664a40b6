"""The checklist pane: each catalogue item with its roll-up, expandable per node, and its story."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import reactive
from textual.theme import Theme
from textual.widgets import Static, Tree
from textual.widgets.tree import TreeNode

from cilium_tui.checks.types import Finding, Rollup, State
from cilium_tui.ui.cells import Cell, Tone
from cilium_tui.ui.messages import ItemChosen
from cilium_tui.ui.paint import ToneStyles, cell_text, tone_styles
from cilium_tui.ui.rollups import (
    STATE_FILTERS,
    finding_cells,
    findings_in,
    matches_state,
    rollup_cells,
    summary,
)
from cilium_tui.ui.state import ClusterState

Entry = Rollup | Finding | None


class ChecklistPane(Vertical):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f", "cycle_state_filter", "Filter state", id="state-filter"),
        Binding("p", "preview", "Remediation", id="preview"),
    ]

    state_filter: reactive[State | None] = reactive(None, init=False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rollups: tuple[Rollup, ...] = ()
        self._error: str | None = None
        self._judged = False
        self._styles: ToneStyles = tone_styles({})

    def compose(self) -> ComposeResult:
        with Horizontal():
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
            self._judged, self._rollups, self._error = judged, rollups, error
            self._rebuild()

    def _repaint(self, _: Theme) -> None:
        self._styles = tone_styles(self.app.theme_variables)
        self._rebuild()

    def watch_state_filter(self) -> None:
        self._rebuild()

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
        cursor = _identity(tree.cursor_node.data if tree.cursor_node else None)
        tree.clear()
        shown = [r for r in self._rollups if matches_state(r, self.state_filter)]
        width = max((len(r.item.title) for r in shown), default=0)
        target: TreeNode[Entry] | None = None
        for rollup in shown:
            item_node = tree.root.add(
                self._line(rollup_cells(rollup), pad={1: width}),
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
        return [
            item_node.add_leaf(
                self._line(finding_cells(finding), pad={0: node_width, 1: 7}), data=finding
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

    def _line(self, cells: Sequence[Cell], pad: dict[int, int]) -> Text:
        line = Text(end="")
        for index, cell in enumerate(cells):
            if index:
                line.append("  ")
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
        self.query_one("#checklist-summary", Static).update(text)

    # ----------------------------------------------------------------------------------------
    # The side panel: the item's requirement, why it matters and docs, or a node's finding
    # ----------------------------------------------------------------------------------------

    @on(Tree.NodeHighlighted, "#checklist-tree")
    def _highlighted(self, event: Tree.NodeHighlighted[Entry]) -> None:
        self._describe(event.node.data)

    def _describe(self, entry: Entry) -> None:
        self.query_one("#item-text", Static).update(describe(entry, self._styles))

    # ----------------------------------------------------------------------------------------
    # Actions
    # ----------------------------------------------------------------------------------------

    def action_cycle_state_filter(self) -> None:
        index = STATE_FILTERS.index(self.state_filter)
        self.state_filter = STATE_FILTERS[(index + 1) % len(STATE_FILTERS)]

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


def describe(entry: Entry, styles: ToneStyles) -> Text:
    """The side panel's text for an item or a finding (plain Text: catalogue and node text may
    contain brackets)."""
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
        text.append("Docs: ", style=heading)
        text.append(item.docs, style=Style(underline=True, link=item.docs))
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
