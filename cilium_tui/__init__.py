"""cilium-tui: see at a glance which Cilium tuning options are really on, on every node, and why."""

__version__ = "0.1.0"
