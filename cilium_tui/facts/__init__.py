"""Pure parsers of real command output into the frozen facts of `cilium_tui.model`. No I/O."""
