"""`cilium-tui explain FILE... [--format text|json]`: diagnose saved agent status outputs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cilium_tui.report.explain import (
    Explanation,
    explain_output,
    render_explanation_text,
    render_explanations_json,
)

MAX_BYTES = 16 * 1024 * 1024


def _read(name: str) -> str:
    if name == "-":
        return sys.stdin.read(MAX_BYTES)
    with Path(name).open(encoding="utf-8", errors="replace") as f:
        return f.read(MAX_BYTES)


def run(args: argparse.Namespace) -> int:
    explanations: list[Explanation] = []
    failed = False
    for name in args.files:
        try:
            text = _read(name)
        except OSError as e:
            print(f"cilium-tui explain: cannot read {name}: {e.strerror or e}", file=sys.stderr)
            failed = True
            continue
        explanations.append(explain_output("stdin" if name == "-" else name, text))
    if args.format == "json":
        sys.stdout.write(render_explanations_json(explanations))
    else:
        sys.stdout.write("\n".join(render_explanation_text(e) for e in explanations))
    return 2 if failed else 0
