"""The console beside a snapshot (`--since FILE`): the node table marks what changed since then,
and a sysdump or snapshot opens read-only with its time in the top bar."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from textual.widgets import Label

from cilium_tui.model import Snapshot
from cilium_tui.offline.diff import FACTS
from cilium_tui.offline.snapshot_file import save_snapshot
from cilium_tui.offline.source import OfflineSource, SinceSource, open_offline, read_offline
from cilium_tui.ui.rows import COLUMN_KEYS, SINCE_COLUMNS, SINCE_MARK, node_row
from cilium_tui.ui.state import judge
from cilium_tui.ui.widgets.node_table import NodeTable
from tests.ui.support import ScriptedSource, make_app, settle
from tests.unit.offline.builders import agent_pod, sysdump_files, write_zip

SIZE = (140, 40)


def _legacy_on(snapshot: Snapshot, name: str) -> Snapshot:
    """`snapshot` after `name`'s agent came back on Legacy, kube-proxy replacement off."""
    nodes = []
    for record in snapshot.nodes:
        if record.name == name and record.agent is not None:
            agent = dataclasses.replace(
                record.agent, host_routing="Legacy", kube_proxy_replacement="Disabled"
            )
            nodes.append(dataclasses.replace(record, agent=agent))
        else:
            nodes.append(record)
    return dataclasses.replace(snapshot, nodes=tuple(nodes))


def test_a_row_marks_what_changed_only_when_compared(seed: Snapshot) -> None:
    record = seed.node("rock64-1")
    assert record is not None
    findings = judge(seed).by_node["rock64-1"]
    plain = node_row(seed, record, findings).cells
    assert plain["host_routing"].plain == "Legacy · kernel 4.19 < 5.10"
    marked = dataclasses.replace(seed, since={"rock64-1": {"host routing": "BPF", "BBR": "?"}})
    cells = node_row(marked, record, findings).cells
    assert cells["host_routing"].plain == f"Legacy · kernel 4.19 < 5.10 {SINCE_MARK} was BPF"
    assert cells["bandwidth"].plain.endswith(f"{SINCE_MARK} was ?")
    assert cells["host_routing"].sort_key == plain["host_routing"].sort_key
    assert cells["name"] == plain["name"]  # the row's identity is never marked
    unmarked = [k for k in cells if k not in ("host_routing", "bandwidth")]
    assert all(cells[k] == plain[k] for k in unmarked)


async def test_console_marks_the_nodes_that_changed_since_a_snapshot(
    seed: Snapshot, tmp_path: Path
) -> None:
    save_snapshot(seed, tmp_path / "before.json")
    baseline = await open_offline(tmp_path / "before.json")
    source = SinceSource(ScriptedSource(_legacy_on(seed, "k3s-vm-2")), baseline)
    app = make_app(source)  # type: ignore[arg-type]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.main.query_one(NodeTable)
        assert table.cell("k3s-vm-2", "host_routing").plain.endswith(f"{SINCE_MARK} was BPF")
        assert table.cell("k3s-vm-2", "kpr").plain == f"disabled · {SINCE_MARK} was Strict"
        assert SINCE_MARK not in table.cell("k3s-vm-1", "host_routing").plain
        bar = app.main.query_one("#source-name", Label)
        assert "since snapshot before.json" in str(bar.render())


async def test_a_sysdump_or_snapshot_opens_read_only_with_when_it_was_taken(
    seed: Snapshot, tmp_path: Path
) -> None:
    save_snapshot(seed, tmp_path / "seed.json")
    source = await open_offline(tmp_path / "seed.json")
    assert isinstance(source, OfflineSource)
    app = make_app(source, read_only=True)  # type: ignore[arg-type]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.remedy is None
        name = str(app.main.query_one("#source-name", Label).render())
        assert name == f"snapshot seed.json · taken {seed.taken_at:%Y-%m-%d %H:%M:%S}"
        assert app.main.query_one("#read-only-badge", Label) is not None
        assert app.main.query_one(NodeTable).shown_keys[0] == "k3s-vm-1"


def test_a_sysdump_node_with_uname_facts_is_not_shown_as_probed_over_ssh(tmp_path: Path) -> None:
    uname = "Linux vm-1 6.2.0-39-generic #40-Ubuntu SMP PREEMPT_DYNAMIC x86_64 GNU/Linux"
    files = sysdump_files(
        [{"metadata": {"name": "vm-1"}}],
        [agent_pod("cilium-1", "vm-1", "x:v1.13.4")],
        None,
        {"cilium-1": ""},
        unames={"cilium-1": uname},
    )
    _, snapshot = read_offline(write_zip(tmp_path / "s.zip", files))
    record = snapshot.nodes[0]
    assert record.probe is not None and record.probe.kernel_release == "6.2.0-39-generic"
    cells = node_row(snapshot, record).cells
    assert cells["kernel"].plain == "6.2.0-39-generic"
    assert cells["ssh"].text == "no-ssh" and "a sysdump holds only" in cells["ssh"].detail


def test_every_fact_the_diff_compares_has_its_column_or_none_on_purpose() -> None:
    compared = {name for name, _ in FACTS}
    assert set(SINCE_COLUMNS) - {""} <= compared, "a mark for a fact the diff does not compare"
    assert compared - set(SINCE_COLUMNS) == {"device mode"}, "the table has no device-mode column"
    assert set(SINCE_COLUMNS.values()) <= set(COLUMN_KEYS)
