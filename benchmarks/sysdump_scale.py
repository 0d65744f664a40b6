"""Offline diagnosis at scale: read an N-node sysdump, save and load its snapshot, diff two.

    .venv/bin/python benchmarks/sysdump_scale.py [--nodes 200]

The sysdump is built in a temporary directory with the layout cilium-cli writes, each agent's
status being the real 1.13.4 `cilium status --verbose` sample, plus a 200 KiB agent log per node
that the reader must list but never read. Prints the time and the bytes read for each step.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cilium_tui.offline.archive import read_archive
from cilium_tui.offline.diff import diff_snapshots
from cilium_tui.offline.snapshot_file import load_snapshot, save_snapshot
from cilium_tui.offline.sysdump import snapshot_of, wanted
from tests.conftest import DATA
from tests.unit.facts.sampledata import sample_text
from tests.unit.offline.builders import TOP, TS, agent_pod, sysdump_files, write_zip

STATUS = "A/v1.13.4-eks-verbose-kpr-disabled-legacy-iptables.txt"


def build(nodes: int, directory: Path) -> Path:
    template = json.loads((DATA / "nodes" / "lab-vm-k3s-server.json").read_text())
    infos, pods, statuses = [], [], {}
    text = sample_text(STATUS)
    for i in range(nodes):
        name = f"node-{i:05d}"
        infos.append({**template, "metadata": {**template["metadata"], "name": name}})
        pods.append(agent_pod(f"cilium-{i:05d}", name, "quay.io/cilium/cilium:v1.13.4"))
        statuses[f"cilium-{i:05d}"] = text
    files = sysdump_files(infos, pods, None, statuses)
    log = b"level=info msg=x\n" * 12_000
    files.update({f"{TOP}/logs-cilium-{i:05d}-cilium-agent-{TS}.log": log for i in range(nodes)})
    return write_zip(directory / f"cilium-sysdump-{TS}.zip", files)


def timed(what: str, start: float) -> float:
    now = time.perf_counter()
    print(f"{what}: {now - start:.2f} s")
    return now


def main(nodes: int) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = build(nodes, Path(d))
        print(f"sysdump of {nodes} nodes: {path.stat().st_size / 1e6:.1f} MB zipped")
        start = time.perf_counter()
        archive = read_archive(path, wanted)
        read = sum(len(v) for v in archive.members.values())
        start = timed(
            f"read {len(archive.members)} of {len(archive.names)} members ({read / 1e6:.1f} MB)",
            start,
        )
        snapshot = snapshot_of(archive, "sysdump")
        start = timed(f"parsed {len(snapshot.nodes)} nodes", start)
        save_snapshot(snapshot, Path(d) / "s.json")
        size = (Path(d) / "s.json").stat().st_size
        start = timed(f"saved the snapshot ({size / 1e6:.1f} MB)", start)
        loaded = load_snapshot(Path(d) / "s.json")
        start = timed("loaded it", start)
        diff = diff_snapshots(snapshot, loaded)
        timed(f"diffed the two ({diff.summary})", start)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=200)
    main(parser.parse_args().nodes)
