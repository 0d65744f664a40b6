"""`cilium-tui explain FILE... [--format text|json]`: diagnose saved agent status outputs.

Exit 0 when every file was read as a status output, 1 when one was not a status output (it is
still listed, with `recognised: false`), 2 when a file could not be read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cilium_tui.report.explain import (
    Explanation,
    explain_outputs,
    render_explanation_text,
    render_explanations_json,
)

MAX_BYTES = 16 * 1024 * 1024


def _read(name: str) -> str:
    if name == "-":
        text = sys.stdin.read(MAX_BYTES + 1)
    else:
        with Path(name).open(encoding="utf-8", errors="replace") as f:
            text = f.read(MAX_BYTES + 1)
    if len(text) > MAX_BYTES:
        _warn(f"{name} is larger than {MAX_BYTES // 2**20} MiB: only its start was read")
    return text[:MAX_BYTES]


def _warn(message: str) -> None:
    print(f"cilium-tui explain: {message}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    explanations: list[Explanation] = []
    failed = unrecognised = False
    for name in args.files:
        try:
            text = _read(name)
        except OSError as e:
            _warn(f"cannot read {name}: {e.strerror or e}")
            failed = True
            continue
        found = explain_outputs("stdin" if name == "-" else name, text)
        if not found[0].recognised:
            _warn(f"{name} is not a `cilium status` / `cilium-dbg status` output (text or JSON)")
            unrecognised = True
        elif len(found) > 1:
            _warn(f"{name} holds {len(found)} status outputs: each is explained on its own")
        explanations.extend(found)
    if args.format == "json":
        sys.stdout.write(render_explanations_json(explanations))
    else:
        sys.stdout.write("\n".join(render_explanation_text(e) for e in explanations))
    return 2 if failed else 1 if unrecognised else 0
