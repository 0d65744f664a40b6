"""How the console behaves on a big cluster: first render, a refresh, sort, filter, detail, keys.

    python benchmarks/ui_scale.py [SCENARIO]     (default: scale:1000)

The lab scenario is started and scanned once, as `--demo` does (that scan is timed too); the
console then runs headless (160x45) on that snapshot and edits of it, so what is measured next is
the console itself: judging (in a thread), diffing rows into the table, repainting, and a storm
of node watch events (4 MODIFIED a second for 10 s: heartbeats that change nothing the console
reads, then kernel changes). While each step runs, a ticker on the event loop records the longest
gap between its 5 ms ticks: the time the console could not react to a key. A measurement, not a
test: the numbers depend on the machine.
"""

from __future__ import annotations

import asyncio
import dataclasses
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cilium_tui.collect.source import NodeEvent, ProgressCallback, ScanStream
from cilium_tui.model import NodeRecord, Snapshot
from cilium_tui.ui.app import CiliumTuiApp
from cilium_tui.ui.screenshots import scan_lab
from cilium_tui.ui.state import ClusterState, judge
from cilium_tui.ui.widgets.node_table import NodeTable

TICK = 0.005

KEY_STEPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("sort by the next column (s)", ("s",)),
    ("reverse the sort (S)", ("S",)),
    ("50 cursor moves (down)", ("down",) * 50),
    ("10 page downs", ("pagedown",) * 10),
    ("filter 'arm64' typed key by key", ("slash", *"arm64")),
    ("clear the filter (esc)", ("escape",)),
    ("open the node detail (enter)", ("enter",)),
    ("back, then the checklist tab (esc 2)", ("escape", "2")),
)
"""What a user does next, in order; each step's keys are measured together."""

STORM_RATE, STORM_SECONDS = 4.0, 10.0
"""Node watch events a second, and for how long."""

PREVIEWS = ("bypass-iptables-conntrack", "cpu-governor")
"""Plans that touch every node: an agent restart on each, and SSH commands on each."""


class Source:
    """Serves `snapshots` in turn (the last one repeats)."""

    def __init__(self, *snapshots: Snapshot) -> None:
        self.snapshots = list(snapshots)
        self.scans = 0
        self.events: asyncio.Queue[NodeEvent] = asyncio.Queue()

    @property
    def name(self) -> str:
        return "benchmark"

    async def scan(
        self, progress: ProgressCallback | None = None, stream: ScanStream | None = None
    ) -> Snapshot:
        self.scans += 1
        return self.snapshots[min(self.scans, len(self.snapshots)) - 1]

    async def node_events(self) -> AsyncIterator[NodeEvent]:
        while True:
            yield await self.events.get()

    async def close(self) -> None:
        return None


@asynccontextmanager
async def stall_meter(results: dict[str, float]) -> AsyncIterator[None]:
    """Record the longest time the event loop did not run a 5 ms ticker."""
    loop = asyncio.get_running_loop()
    longest = 0.0
    running = True

    async def tick() -> None:
        nonlocal longest
        last = loop.time()
        while running:
            await asyncio.sleep(TICK)
            now = loop.time()
            longest = max(longest, now - last - TICK)
            last = now

    task = asyncio.create_task(tick())
    try:
        yield
    finally:
        running = False
        await task
        results["stall"] = longest


async def measure(name: str, step: Callable[[], Awaitable[object]]) -> None:
    results: dict[str, float] = {}
    start = time.perf_counter()
    async with stall_meter(results):
        await step()
    elapsed, stall = time.perf_counter() - start, results["stall"]
    print(f"  {name:<46} {1000 * elapsed:8.0f} ms   longest stall {1000 * stall:6.0f} ms")


def changed(snapshot: Snapshot, count: int) -> Snapshot:
    """`count` nodes report a new kernel (one cell each changes)."""

    def bump(record: NodeRecord) -> NodeRecord:
        if record.probe is None:
            return record
        probe = dataclasses.replace(record.probe, kernel_release=record.probe.kernel_release + "+1")
        return dataclasses.replace(record, probe=probe)

    nodes = tuple(bump(r) if i < count else r for i, r in enumerate(snapshot.nodes))
    return dataclasses.replace(snapshot, nodes=nodes)


async def storm(app: CiliumTuiApp, source: Source, *, kernels: bool) -> None:
    """STORM_RATE MODIFIED events a second for STORM_SECONDS, each on another node: with
    `kernels`, each reports a new kernel, else only a new resourceVersion (a status heartbeat)."""
    published: list[ClusterState | None] = []

    def publish(cluster: ClusterState | None) -> None:
        published.append(cluster)

    app.watch(app, "cluster", publish, init=False)
    latest = app.snapshot
    assert latest is not None
    count = int(STORM_RATE * STORM_SECONDS)
    for i in range(count):
        node = latest.nodes[i % len(latest.nodes)].node
        assert node is not None
        kernel = f"{node.kernel_version or '?'}+storm{i}" if kernels else node.kernel_version
        changed = dataclasses.replace(node, resource_version=f"storm-{i}", kernel_version=kernel)
        source.events.put_nowait(NodeEvent("MODIFIED", changed))
        await asyncio.sleep(1 / STORM_RATE)
    during = len(published)
    await app.settled()
    print(f"    ({count} events: {during} judgements published during the storm, {len(published)}")
    shown = app.cluster is not None and app.cluster.snapshot is app.snapshot
    print(f"     in all; the latest snapshot is the one on screen: {shown})")


async def run(scenario: str) -> None:
    start = time.perf_counter()
    snapshot = await scan_lab(scenario)
    built = time.perf_counter()
    judged = judge(snapshot)
    judged_at = time.perf_counter()
    print(f"{scenario}: {len(snapshot.nodes)} nodes, {len(judged.rollups)} items")
    print(f"  {'lab started, scanned (HTTPS + SSH), stopped':<46} {1000 * (built - start):8.0f} ms")
    print(f"  {'catalogue judgement (runs in a thread)':<46} {1000 * (judged_at - built):8.0f} ms")

    source = Source(snapshot, changed(snapshot, 20), changed(snapshot, len(snapshot.nodes)))
    app = CiliumTuiApp(source, refresh=0)
    app.animation_level = "none"
    async with app.run_test(size=(160, 45)) as pilot:
        table = app.main.query_one(NodeTable)

        async def settle() -> None:
            await app.settled()
            await pilot.pause()

        await measure("first scan to table on screen", settle)
        assert table.row_count == len(snapshot.nodes)

        async def refresh() -> None:
            app.request_scan("benchmark")
            await settle()

        await measure("refresh, 20 kernels changed", refresh)
        await measure("refresh, every kernel changed", refresh)

        heartbeats = f"{STORM_RATE:g} heartbeat MODIFIED/s for {STORM_SECONDS:g} s"
        await measure(heartbeats, lambda: storm(app, source, kernels=False))
        kernels = f"{STORM_RATE:g} kernel MODIFIED/s for {STORM_SECONDS:g} s"
        await measure(kernels, lambda: storm(app, source, kernels=True))

        for name, keys in KEY_STEPS:

            async def press(keys: tuple[str, ...] = keys) -> None:
                await pilot.press(*keys)
                await pilot.pause()

            await measure(name, press)
            if keys[0] == "slash":
                print(f"    ({table.row_count} rows match)")

        for item in PREVIEWS:

            async def preview(item: str = item) -> None:
                await app.choose_item(item)
                await settle()

            await measure(f"remediation preview: {item}", preview)


if __name__ == "__main__":
    asyncio.run(run(sys.argv[1] if len(sys.argv) > 1 else "scale:1000"))
