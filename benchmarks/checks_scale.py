"""How long judging and rendering a check takes as the cluster grows.

    python benchmarks/checks_scale.py [NODES ...]     (default: 6 300 3000)

Half seed VMs, half seed boards; prints wall-clock milliseconds per phase. A measurement, not a
test: the numbers depend on the machine.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cilium_tui.checks.catalogue import evaluate
from cilium_tui.checks.why_legacy import why_legacy
from cilium_tui.report import render_check
from tests.unit.checks.seed import board, config, snapshot, vm


def main(sizes: list[int]) -> None:
    for n in sizes:
        records = [vm(f"vm-{i}") if i % 2 else board(f"board-{i}") for i in range(n)]
        snap = snapshot(*records, cilium_config=config())
        start = time.perf_counter()
        rollups = evaluate(snap)
        judged = time.perf_counter()
        legacy = why_legacy(snap)
        explained = time.perf_counter()
        for fmt in ("text", "json", "markdown"):
            render_check(fmt, snap, rollups, legacy)
        rendered = time.perf_counter()
        print(
            f"{n:5} nodes: evaluate {1000 * (judged - start):7.1f} ms, "
            f"why_legacy {1000 * (explained - judged):6.1f} ms, "
            f"text+json+markdown {1000 * (rendered - explained):7.1f} ms"
        )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [6, 300, 3000])
