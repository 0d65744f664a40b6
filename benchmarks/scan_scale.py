"""A full scan of an N-node lab cluster, with the lab in its own process (as a real cluster is).

    .venv/bin/python benchmarks/scan_scale.py [--nodes 1000] [--rounds 2]

The lab (`cilium-tui lab --scenario scale:N`) runs in a child process, so the figures are the
client's: the Kubernetes reads, N agent execs (each agent's status JSON lists every peer, as real
Cilium's does), N SSH probes (a third of them through the lab's jump host), the parsing and the
checklist. Round 1 opens every connection, later rounds reuse the SSH ones. Also prints the
client's peak RSS. Run it on an idle machine; the numbers go in the closing note, never in a test.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cilium_tui.checks.catalogue import evaluate
from cilium_tui.collect.inventory import load_inventory
from cilium_tui.collect.kube import KubeClient
from cilium_tui.collect.scan import ClusterSource
from cilium_tui.collect.ssh import SshPool


def _start_lab(nodes: int, directory: Path) -> subprocess.Popen[str]:
    cmd = [sys.executable, "-m", "cilium_tui", "lab", "--scenario", f"scale:{nodes}"]
    lab = subprocess.Popen(
        [*cmd, "--dir", str(directory)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert lab.stdout is not None
    for line in lab.stdout:
        if "Press Ctrl-C" in line:
            return lab
    raise SystemExit(f"the lab did not start: {lab.stderr.read() if lab.stderr else ''}")


async def _scan(directory: Path, rounds: int) -> None:
    kube = await KubeClient.connect(str(directory / "kubeconfig"))
    ssh = SshPool(directory / "ssh" / "ssh_config", known_hosts=directory / "ssh" / "known_hosts")
    inventory = load_inventory(directory / "inventory.toml")
    source = ClusterSource("bench", kube=kube, ssh=ssh, inventory=inventory)
    try:
        for n in range(1, rounds + 1):
            started = time.perf_counter()
            snapshot = await source.scan()
            scanned = time.perf_counter() - started
            judged_at = time.perf_counter()
            evaluate(snapshot)
            judged = time.perf_counter() - judged_at
            failed = sum(1 for r in snapshot.nodes if r.errors)
            print(
                f"round {n}: {len(snapshot.nodes)} nodes scanned in {scanned:.1f} s "
                f"({failed} with errors), checklist in {judged:.2f} s"
            )
    finally:
        await source.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cilium-tui-bench-") as tmp:
        started = time.perf_counter()
        lab = _start_lab(args.nodes, Path(tmp))
        print(f"lab scale:{args.nodes} up in {time.perf_counter() - started:.1f} s (own process)")
        try:
            asyncio.run(_scan(Path(tmp), args.rounds))
        finally:
            lab.terminate()
            lab.wait(timeout=60)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"client peak RSS: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
