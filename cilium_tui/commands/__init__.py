"""One module per subcommand; `cilium_tui.cli` imports the one it runs."""
