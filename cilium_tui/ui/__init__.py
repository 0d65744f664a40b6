"""The Textual console. The only package that imports Textual.

Entry points: `await cilium_tui.ui.app.run_console(settings, source)` runs the console on any
`Source` (see `cilium_tui.collect.source`); `CiliumTuiApp` is the app itself. Everything the
screens show is computed by pure modules (`rows`, `rollups`, `node_facts`, `state`) that tests
use directly.
"""
