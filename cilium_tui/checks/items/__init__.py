"""The catalogue items, grouped by theme; `cilium_tui.checks.catalogue` assembles them."""
