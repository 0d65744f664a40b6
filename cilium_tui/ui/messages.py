"""Messages the console posts to itself; some may be posted from worker threads."""

from __future__ import annotations

from textual.message import Message

from cilium_tui.collect.source import NodeEvent, ScanProgress


class ScanProgressed(Message):
    """A step of the running scan. Posted through `post_message`, which is thread-safe, because a
    Source may report progress from its own threads."""

    def __init__(self, progress: ScanProgress) -> None:
        super().__init__()
        self.progress = progress

    def can_replace(self, message: Message) -> bool:
        # Only the latest step matters: queued older ones collapse instead of piling up.
        return isinstance(message, ScanProgressed)


class NodeChanged(Message):
    """A node watch event arrived."""

    def __init__(self, event: NodeEvent) -> None:
        super().__init__()
        self.event = event


class ItemChosen(Message):
    """A checklist item was chosen for the remediation pane (on `nodes` only, when given: from a
    node's detail)."""

    def __init__(self, item_id: str, nodes: tuple[str, ...] | None = None) -> None:
        super().__init__()
        self.item_id = item_id
        self.nodes = nodes
