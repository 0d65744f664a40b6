"""The title bar: what we are looking at, in which mode, and what the scan is doing."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, ProgressBar

from cilium_tui.collect.source import Source
from cilium_tui.ui.state import ScanStatus


class TopBar(Horizontal):
    def __init__(self, source: Source, *, demo: str | None, read_only: bool) -> None:
        """`source` is named as it is now; its name may change once opened (the kubeconfig's
        current context), so the label follows it at every scan step."""
        super().__init__(id="top-bar")
        self._source = source
        self._demo = demo
        self._read_only = read_only

    def compose(self) -> ComposeResult:
        yield Label("cilium-tui", id="brand")
        yield Label(Text(self._source.name), id="source-name")
        if self._demo is not None:
            yield Label(Text(f"DEMO · {self._demo}"), id="demo-badge", classes="badge")
        if self._read_only:
            yield Label("READ-ONLY", id="read-only-badge", classes="badge")
        yield Label(id="scan-status")
        yield ProgressBar(id="scan-progress", show_eta=False, show_percentage=False)

    def on_mount(self) -> None:
        self.watch(self.app, "scan", self._on_scan)

    def _on_scan(self, scan: ScanStatus) -> None:
        name = self.query_one("#source-name", Label)
        if name.content != Text(self._source.name):  # as wide as the name: a layout if it changed
            name.update(Text(self._source.name))
        bar = self.query_one("#scan-progress", ProgressBar)
        bar.display = scan.running
        if scan.running:
            progress = scan.progress
            if progress is not None and progress.total:
                bar.update(total=progress.total, progress=progress.done)
                text = f"scanning {progress.done}/{progress.total} · {progress.message}"
            else:
                bar.update(total=None)
                text = "scanning…"
        elif scan.error:
            text = f"scan failed: {scan.error}"
        elif scan.taken_at is not None:
            text = f"scanned {scan.taken_at.astimezone():%H:%M:%S}"  # local time
        else:
            text = "not scanned yet"
        status = self.query_one("#scan-status", Label)
        line = Text(text, no_wrap=True, overflow="ellipsis")
        if line != status.content:
            status.update(line, layout=False)  # one line, the bar's remaining width
        status.set_class(bool(scan.error) and not scan.running, "-failed")
