"""Is the console live? First frame, table filled, refresh loop time, key latency, peak RSS.

    python benchmarks/console_live.py [--rows N] [--demo SCENARIO]...

Prints one table (issue 10's console targets beside each figure):

- `--demo` (and each SCENARIO, default `seed` and `scale:1000`): the console run headless
  (160x45) on the lab opened on screen, exactly as `cilium-tui --demo` opens it: **first frame**
  (the node table's first line painted; nothing read yet), the app **idle** after it (the other
  tabs built, the lab's opening begun) and **table filled** (every node's facts on screen,
  judged), all from the moment the app starts. While that first scan runs, a key press
  (`down`) is timed every 0.25 s: **key latency during a scan** (worst and median); the
  **longest stall** of the event loop (a 5 ms ticker) from the first frame to 2 s after the
  table is filled.
- the node table at N rows (default 5000; a snapshot of N nodes made by copying the seed's six
  under new names, no lab needed): REFRESHES refreshes where **20 rows change**, the **loop
  time** of each
  refresh (from the new snapshot to the table showing it: the table updated, then the first
  frame Textual composes after it; wall, and the CPU of the event loop's thread), the CPU of
  a whole refresh (every thread: scan, judgement, table, repaint; measured in refreshes of
  their own, without the ticker below, whose CPU grows with the machine's load) and the
  **longest stall** of the event loop meanwhile (a 5 ms ticker), then a **sort** (`s`) and 50
  **cursor moves** at N rows, each key timed from its press to the last frame composed for it.
- Frames are timed where Textual hands a composed screen to its driver (`App._display`): the
  pilot's own waits (`press` and `pause` sleep in steps of 20 ms until the process is idle)
  are not counted, as a user's terminal does not wait for them.
- **peak RSS** of this process at the end.

Wall times move with the machine's load (printed first); CPU times are this process's and move
much less. The lab runs in a process of its own, as `--demo` runs it: its CPU is given apart.

A measurement, not a test: the figures depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import resource
import statistics
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from textual import events
from textual.pilot import Pilot
from textual.strip import Strip
from ui_scale import Source, changed, stall_meter

from cilium_tui.connect import OpeningSource, open_source
from cilium_tui.model import NodeInfo, NodeRecord, Snapshot
from cilium_tui.settings import Settings
from cilium_tui.ui.app import CiliumTuiApp
from cilium_tui.ui.rows import NodeRow
from cilium_tui.ui.screenshots import scan_lab
from cilium_tui.ui.widgets.node_table import NodeTable

SIZE = (160, 45)
KEY_EVERY = 0.25
AFTER_FILL = 2.0
"""Seconds the event loop's stalls are still watched after the table is filled (the first
scan's end: the garbage collector's one full pass and freeze)."""
REFRESHES = 10
"""Refreshes measured at each table size: the garbage collector's full passes come every few."""
TARGETS = {
    "seed": ("<= 1 s", "<= 2.5 s"),
    "scale:1000": ("<= 1.5 s", "<= 15 s"),
}


def row(what: str, figure: str, target: str = "") -> None:
    print(f"| {what:<58} | {figure:>16} | {target:<10} |")


async def demo(scenario: str) -> None:
    """The console on the lab, opened on screen; first frame and table filled from app start."""
    settings = Settings(demo=scenario, refresh=0)
    lab = OpeningSource(f"lab {scenario}", lambda: open_source(settings))
    started, cpu = time.perf_counter(), time.process_time()
    app = CiliumTuiApp(lab, demo=scenario, refresh=0, freeze_gc=True)  # as `run_console`
    app.animation_level = "none"
    keys: list[float] = []
    painted: list[tuple[float, float]] = []
    stalls: dict[str, float] = {}
    with first_paint(painted):
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            idle, idle_cpu = time.perf_counter() - started, time.process_time() - cpu
            first, first_cpu = painted[0][0] - started, painted[0][1] - cpu
            table = app.main.query_one(NodeTable)
            table.focus()
            async with stall_meter(stalls):
                while True:
                    cluster = app.cluster
                    shown = cluster is not None and cluster.snapshot is app.snapshot
                    if not app.scan.running and shown:
                        break
                    if app.scan.running and table.row_count > 1:
                        keys.append(await key_latency(app, table))
                    await asyncio.sleep(KEY_EVERY)
                filled, filled_cpu = time.perf_counter() - started, time.process_time() - cpu
                await asyncio.sleep(AFTER_FILL)
            nodes = table.row_count
            lab_cpu = _lab_cpu((await lab.opened()).owns)
    frame_target, filled_target = TARGETS.get(scenario, ("", ""))
    row(
        f"--demo={scenario}: first frame (wall, CPU)",
        f"{1000 * first:.0f} / {1000 * first_cpu:.0f} ms",
        frame_target,
    )
    idle_figure = f"{1000 * idle:.0f} / {1000 * idle_cpu:.0f} ms"
    row(f"--demo={scenario}: idle after it (wall, CPU)", idle_figure)
    row(
        f"--demo={scenario}: table filled, {nodes} nodes (wall, CPU)",
        f"{filled:.1f} / {filled_cpu:.1f} s",
        filled_target,
    )
    row(f"--demo={scenario}: the lab process's CPU until then", f"{lab_cpu:.1f} s")
    stall = f"{1000 * stalls['stall']:.0f} ms"
    row(f"--demo={scenario}: longest stall, first frame to {AFTER_FILL:.0f} s after filled", stall)
    if keys:
        worst, median = 1000 * max(keys), 1000 * statistics.median(keys)
        row(
            f"--demo={scenario}: key during the scan ({len(keys)} presses)",
            f"{worst:.0f} / {median:.0f} ms",
            "<= 100 ms",
        )


def _lab_cpu(lab: object) -> float:
    """CPU seconds (user + system) the lab's process has used so far."""
    pid = getattr(lab, "pid", None)
    if pid is None:
        return float("nan")
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def first_paint(at: list[tuple[float, float]]) -> Iterator[None]:
    """Record (wall, CPU) when the node table paints its first line: the first frame."""
    render_line = NodeTable.render_line

    def paint(table: NodeTable, y: int) -> Strip:
        if not at:
            at.append((time.perf_counter(), time.process_time()))
        return render_line(table, y)

    NodeTable.render_line = paint  # type: ignore[method-assign]
    try:
        yield
    finally:
        NodeTable.render_line = render_line  # type: ignore[method-assign]


@contextmanager
def frames(at: list[float]) -> Iterator[None]:
    """Record when each frame is composed (the moment a terminal would be written to)."""
    display = CiliumTuiApp._display

    def composed(app: CiliumTuiApp, screen: object, renderable: object) -> None:
        if renderable is not None:
            at.append(time.perf_counter())
        display(app, screen, renderable)  # type: ignore[arg-type]

    CiliumTuiApp._display = composed  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        CiliumTuiApp._display = display  # type: ignore[method-assign]


async def key_to_frame(
    app: CiliumTuiApp, pilot: Pilot[int], key: str, shown: list[float]
) -> tuple[float, float]:
    """(wall, CPU) seconds from a key press (sent as a terminal's driver sends it) to the last
    frame composed before the console is idle again."""
    assert app._driver is not None
    cpu, pressed = time.process_time(), time.perf_counter()
    app._driver.send_message(events.Key(key, key if len(key) == 1 else None))
    await pilot.pause()  # until idle: the key handled, the screen updated
    cpu = time.process_time() - cpu
    after = [at for at in shown if at >= pressed]
    return (after[-1] if after else pressed) - pressed, cpu


async def key_latency(app: CiliumTuiApp, table: NodeTable) -> float:
    """Seconds from a key press (down, or up at the last row) until the table has moved."""
    before = table.cursor_row
    key = "down" if before < table.row_count - 1 else "up"
    pressed = time.perf_counter()
    app.simulate_key(key)
    while table.cursor_row == before and time.perf_counter() - pressed < 10:
        await asyncio.sleep(0.001)
    return time.perf_counter() - pressed


def copies(seed: Snapshot, count: int) -> Snapshot:
    """`count` nodes: the seed's, copied round-robin under new names."""

    def copy(index: int) -> NodeRecord:
        record = seed.nodes[index % len(seed.nodes)]
        name = f"{record.name}-{index:05d}"
        node: NodeInfo | None = None
        if record.node is not None:
            node = dataclasses.replace(record.node, name=name)
        return dataclasses.replace(record, name=name, node=node)

    return dataclasses.replace(seed, nodes=tuple(copy(i) for i in range(count)))


async def table(rows: int) -> None:
    big = copies(await scan_lab("seed"), rows)
    source = Source(big, *(changed(big, 20), big) * REFRESHES)  # two rounds of REFRESHES
    app = CiliumTuiApp(source, refresh=0, freeze_gc=True)  # as `run_console`
    app.animation_level = "none"
    async with app.run_test(size=SIZE) as pilot:
        shown = app.main.query_one(NodeTable)
        await app.settled()
        await pilot.pause()
        assert shown.row_count == rows, shown.row_count

        shows: list[tuple[float, float, float]] = []
        show = shown.show

        def timed(new_rows: Sequence[NodeRow]) -> None:
            began, began_cpu = time.perf_counter(), time.thread_time()
            show(new_rows)
            ended = time.perf_counter()
            shows.append((ended - began, time.thread_time() - began_cpu, ended))

        shown.show = timed  # type: ignore[method-assign,assignment]
        loops: list[tuple[float, float]] = []
        cpus: list[float] = []
        worst: list[float] = []
        stalls: dict[str, float] = {}
        composed: list[float] = []
        with frames(composed):
            for _ in range(REFRESHES):
                shows.clear()
                async with stall_meter(stalls):
                    app.request_scan("benchmark")
                    await app.settled()  # the scan, the judgement (in a thread), the table updated
                    painted_cpu = time.thread_time()
                    await pilot.pause()  # the repaint (the event loop's thread: this one)
                    loop_cpu = sum(c for _, c, _ in shows) + time.thread_time() - painted_cpu
                ended = shows[-1][2]
                frame = min((at for at in composed if at >= ended), default=ended)
                loops.append((sum(w for w, _, _ in shows) + frame - ended, loop_cpu))
                worst.append(stalls["stall"])
            for _ in range(REFRESHES):  # again, without the ticker: its CPU grows with the wall
                cpu = time.process_time()
                app.request_scan("benchmark")
                await app.settled()
                await pilot.pause()
                cpus.append(time.process_time() - cpu)
            what = f"{rows} rows, 20 changed (x{REFRESHES})"

            def ms(values: Sequence[float]) -> str:
                return f"{1000 * statistics.median(values):.0f} / {1000 * max(values):.0f}"

            walls, loop_cpus = [w for w, _ in loops], [c for _, c in loops]
            row(f"{what}: loop time, median / worst", f"{ms(walls)} ms", "<= 50 ms")
            row(f"{what}: loop time CPU, median / worst", f"{ms(loop_cpus)} ms", "<= 50 ms")
            row(f"{what}: CPU of a refresh, median / worst", f"{ms(cpus)} ms")
            row(f"{what}: longest stall, median / worst", f"{ms(worst)} ms", "<= 100 ms")

            table_keys = (
                ("sort by the next column (s)", ("s",) * 5),
                ("cursor moves", ("down",) * 50),
            )
            for what, keys in table_keys:
                async with stall_meter(stalls):
                    timings = [await key_to_frame(app, pilot, key, composed) for key in keys]
                walls, key_cpus = [w for w, _ in timings], [c for _, c in timings]
                target = "<= 100 ms" if keys[0] == "s" else ""
                row(
                    f"{rows} rows: {what} x{len(keys)}, key to frame, median / worst",
                    f"{ms(walls)} ms",
                    target,
                )
                row(
                    f"{rows} rows: {what} x{len(keys)}, CPU/key, median / worst",
                    f"{ms(key_cpus)} ms",
                )
                row(f"{rows} rows: {what}: longest stall", f"{1000 * stalls['stall']:.0f} ms")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="(repeatable; default 5000)")
    parser.add_argument("--demo", action="append", dest="scenarios")
    args = parser.parse_args()
    print(f"commit {os.popen('git rev-parse --short HEAD').read().strip()}, load {os.getloadavg()}")
    row("what", "figure", "target")
    print(f"|{'-' * 60}|{'-' * 18}|{'-' * 12}|")
    for scenario in [] if args.scenarios == ["none"] else args.scenarios or ["seed", "scale:1000"]:
        await demo(scenario)
    for rows in args.rows or [5000]:
        await table(rows)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    row("peak RSS of the whole run", f"{peak:.0f} MiB")


if __name__ == "__main__":
    asyncio.run(main())
