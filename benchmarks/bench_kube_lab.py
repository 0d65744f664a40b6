"""Throughput of the Kubernetes collector against the lab API server (loopback HTTPS).

    .venv/bin/python benchmarks/bench_kube_lab.py [--nodes 1000] [--execs 200]

Prints: the time to list N nodes, to find the N agent pods, and to run M execs through the
collector (concurrency 8) — what a full scan of an N-node cluster costs on the Kubernetes side.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cilium_tui.collect.kube import KubeClient
from cilium_tui.lab.kube import ExecResult, LabApiServer
from tests.integration.kube.builders import NodeSpec, seed


def _status(ns: str, pod: str, container: str, argv: Sequence[str]) -> ExecResult:
    return ExecResult(0, stdout='{"cilium": {"state": "Ok"}}' + " " * 20_000)


async def main(nodes: int, execs: int) -> None:
    specs = tuple(NodeSpec(f"node-{i:04d}", f"10.1.{i // 250}.{i % 250 + 1}") for i in range(nodes))
    with LabApiServer(exec_handler=_status) as lab, tempfile.TemporaryDirectory() as d:
        seed(lab.store, specs)
        kubeconfig = lab.write_kubeconfig(Path(d) / "kc")
        async with await KubeClient.connect(str(kubeconfig), concurrency=8) as kube:
            start = time.perf_counter()
            listed = await kube.list_nodes()
            print(f"list_nodes: {len(listed)} nodes in {time.perf_counter() - start:.3f} s")
            start = time.perf_counter()
            agents = await kube.find_agent_pods()
            print(
                f"find_agent_pods: {len(agents.pods)} pods in {time.perf_counter() - start:.3f} s"
            )
            pods = agents.pods[:execs]
            start = time.perf_counter()
            results = await asyncio.gather(*(kube.agent_status(p) for p in pods))
            took = time.perf_counter() - start
            print(
                f"agent_status: {len(results)} execs in {took:.3f} s "
                f"({took / max(1, len(results)) * 1000:.1f} ms each, concurrency 8)"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--execs", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(main(args.nodes, args.execs))
