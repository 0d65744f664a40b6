"""Headless renderers (text, JSON, Markdown) for `explain`, `check` and `plan`."""
