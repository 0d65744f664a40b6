"""`python -m cilium_tui` is the same as the `cilium-tui` command."""

from cilium_tui.cli import main

raise SystemExit(main())
