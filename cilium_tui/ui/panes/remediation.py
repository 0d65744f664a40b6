"""The remediation pane. For now a placeholder that names the chosen item; the preview, apply,
verify and undo flow is wired here in a later round (see `CiliumTuiApp.action_apply`)."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from cilium_tui.ui.state import ClusterState


class RemediationPane(Vertical, can_focus=True):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.item_id: str | None = None
        self._cluster: ClusterState | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="remediation-text")

    def on_mount(self) -> None:
        self.watch(self.app, "cluster", self._on_cluster)

    def choose(self, item_id: str) -> None:
        self.item_id = item_id
        self._render_pane(self._cluster)

    def _on_cluster(self, cluster: ClusterState | None) -> None:
        self._cluster = cluster
        self._render_pane(cluster)

    def _render_pane(self, cluster: ClusterState | None) -> None:
        rollup = None
        if cluster is not None and self.item_id is not None:
            rollup = cluster.judgement.rollup(self.item_id)
        text = Text(end="")
        if rollup is None:
            text.append("Select an item", style=Style(bold=True))
            text.append(" on the checklist (2) and press p to preview its remediation here.")
        else:
            text.append(rollup.item.title + "\n", style=Style(bold=True))
            text.append(rollup.headline + "\n\n")
            text.append(
                "The remediation preview (diff, equivalent kubectl/helm/cilium commands, confirm, "
                "apply, verify, undo) is not available in this build yet."
            )
        self.query_one("#remediation-text", Static).update(text)
