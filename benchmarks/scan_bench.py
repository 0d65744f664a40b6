"""The scan benchmark of issue 10: one table for N = 100, 1000 and 5000 nodes.

    .venv/bin/python benchmarks/scan_bench.py [--nodes 100,1000,5000] [--latency 50ms]

For each N the lab (`cilium-tui lab --scenario scale:N --latency ...`) runs in a process of its
own, as a real cluster would, and the client in another (so its peak RSS is its own). The client
scans cold (every connection opened) and warm (SSH connections kept), then, in the same run and
against the same lab, does the same calls the two baselines make: a sequential per-node loop (the
seed's way: one exec through `kubernetes.stream` in a thread, one SSH probe, node after node) and
a 5-worker pool of the same (cilium-cli's way). The baselines run on a subset of the nodes and
their figures are scaled to N (said in the table). Reported: wall time, client CPU per node
(process time, all threads), the lab's CPU (from /proc), the 1-minute load average, errors, the
client's peak RSS after the warm scan, and `cilium-tui --help` time. N = 5000 is skipped (and
said so) when the machine has too little free memory for the lab.

Figures, not tests: the machine is shared, so quote the load average with them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kubernetes import client
from kubernetes.stream import stream

from cilium_tui.collect.fdlimit import raise_open_files_limit
from cilium_tui.collect.inventory import load_inventory
from cilium_tui.collect.kube import KubeClient
from cilium_tui.collect.scan import ClusterSource
from cilium_tui.collect.ssh import SshPool
from cilium_tui.facts.status import parse_status
from cilium_tui.settings import DEFAULT_CONCURRENCY

SEQUENTIAL_SUBSET = 20
POOL_SUBSET = 60
MIB_PER_NODE_LAB = 0.6
"""Rough lab memory per node (its objects, SSH servers, rendered statuses), to skip an N the
machine cannot hold."""


# -- the client process ----------------------------------------------------------------------------


def _lab_cpu(pid: int) -> float:
    """CPU seconds (user + system) the lab process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _measured(
    lab_pid: int, nodes: int, run: Callable[[], Awaitable[int]], scale: float = 1.0
) -> dict[str, float]:
    wall, cpu, lab = time.perf_counter(), time.process_time(), _lab_cpu(lab_pid)
    errors = await run()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "wall": wall * scale,
        "cpu_ms_per_node": cpu * 1000 / nodes,
        "lab_cpu": (_lab_cpu(lab_pid) - lab) * scale,
        "load": os.getloadavg()[0],
        "errors": errors,
    }


def _official_exec(configuration: Any, namespace: str, pod: str, argv: list[str]) -> str:
    """One exec as the seed (and the official client's examples) do it: a new ApiClient and
    `kubernetes.stream` over websocket-client, blocking, in the calling thread."""
    api = client.ApiClient(configuration)
    try:
        ws = stream(
            client.CoreV1Api(api).connect_get_namespaced_pod_exec,
            pod,
            namespace,
            command=argv,
            container="cilium-agent",
            stderr=True,
            stdin=False,
            stdout=True,
            tty=False,
            _preload_content=False,
        )
        ws.run_forever(timeout=20)
        out = str(ws.read_stdout())
        ws.close()
        return out
    finally:
        api.close()


async def _client(
    directory: Path, lab_pid: int, nodes: int, concurrency: int, baselines: bool
) -> dict[str, Any]:
    raise_open_files_limit()  # as the CLI does
    kube = await KubeClient.connect(str(directory / "kubeconfig"), exec_concurrency=concurrency)
    ssh_config, known_hosts = directory / "ssh" / "ssh_config", directory / "ssh" / "known_hosts"
    source = ClusterSource(
        "bench",
        kube=kube,
        ssh=SshPool(ssh_config, known_hosts=known_hosts, concurrency=concurrency),
        inventory=load_inventory(directory / "inventory.toml"),
    )
    results: dict[str, Any] = {"errors_seen": []}
    records: list[Any] = []

    async def scan() -> int:
        snapshot = await source.scan()
        records[:] = snapshot.nodes
        failed = [r for r in snapshot.nodes if r.errors]
        kinds = Counter(re.sub(r"\S*\d\S*", "#", e) for r in failed for e in r.errors.values())
        results["errors_seen"] += [f"{n} x {kind}" for kind, n in kinds.most_common(3)]
        return len(failed)

    try:
        results["cold"] = await _measured(lab_pid, nodes, scan)
        results["warm"] = await _measured(lab_pid, nodes, scan)
        results["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    finally:
        await source.close()
    if not baselines:
        return results

    configuration = kube._api.configuration
    argv = ["cilium-dbg", "status", "-o", "json"]
    baseline_ssh = SshPool(ssh_config, known_hosts=known_hosts)

    async def one(record: Any) -> bool:
        out = await asyncio.to_thread(
            _official_exec, configuration, record.pod.namespace, record.pod.name, argv
        )
        parse_status(out)
        target = source.ssh_target(record)
        assert target is not None
        await baseline_ssh.probe(target)
        return True

    with_pods = [r for r in records if r.pod is not None]

    def loop(subset: Sequence[Any], workers: int) -> Callable[[], Awaitable[int]]:
        async def run() -> int:
            limit = asyncio.Semaphore(workers)

            async def bounded(record: Any) -> bool:
                async with limit:
                    try:
                        return await one(record)
                    except Exception:
                        return False

            done = await asyncio.gather(*(bounded(r) for r in subset))
            return sum(1 for ok in done if not ok)

        return run

    try:
        for name, size, workers in (
            ("sequential", SEQUENTIAL_SUBSET, 1),
            ("pool5", POOL_SUBSET, 5),
        ):
            subset = with_pods[: min(size, len(with_pods))]
            result = await _measured(
                lab_pid, len(subset), loop(subset, workers), scale=nodes / len(subset)
            )
            result["subset"] = len(subset)
            results[name] = result
    finally:
        await baseline_ssh.close()
    return results


# -- the driver ------------------------------------------------------------------------------------


def _start_lab(nodes: int, latency: str, directory: Path) -> subprocess.Popen[str]:
    """The lab, started; its stderr goes to a file beside its directory (a pipe nobody reads
    would fill with its request log and stall it)."""
    cmd = [sys.executable, "-m", "cilium_tui", "lab", "--scenario", f"scale:{nodes}"]
    cmd += ["--latency", latency, "--dir", str(directory)]
    log = directory.with_name("lab-stderr.log")
    with log.open("w") as stderr:
        lab = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=stderr, text=True)
    assert lab.stdout is not None
    for line in lab.stdout:
        if "Press Ctrl-C" in line:
            return lab
    raise SystemExit(f"the lab did not start: {log.read_text()[-3000:]}")


def _free_mib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 1024
    return float("inf")


def _help_seconds() -> float:
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "cilium_tui", "--help"], capture_output=True, check=False
        )
        runs.append(time.perf_counter() - started)
    return min(runs)


_CLIENT = (sys.executable, __file__, "--client")


def _one_n(
    nodes: int, latency: str, concurrency: int, baselines: bool, profile: str | None
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="cilium-tui-bench-") as tmp:
        directory = Path(tmp) / "lab"
        started = time.perf_counter()
        lab = _start_lab(nodes, latency, directory)
        up = time.perf_counter() - started
        try:
            argv = [*_CLIENT, str(directory), str(lab.pid), str(nodes), str(concurrency)]
            argv.append("baselines" if baselines else "scans")
            if profile:  # py-spy samples the client; the lab's profile is py-spy's --pid
                argv = [
                    str(Path(sys.executable).with_name("py-spy")),
                    "record",
                    "-r",
                    "200",
                    "-f",
                    "raw",
                    "-o",
                    profile,
                    "--",
                    *argv,
                ]
            client = subprocess.run(
                argv,
                capture_output=True,
                text=True,
                check=False,
            )
        finally:
            lab.send_signal(signal.SIGINT)  # its Ctrl-C: a clean stop
            try:
                lab.wait(timeout=60)
            except subprocess.TimeoutExpired:
                lab.kill()
                lab.wait()
    if client.returncode != 0:
        raise SystemExit(f"the client failed at N={nodes}:\n{client.stderr[-3000:]}")
    last = [line for line in client.stdout.splitlines() if line.startswith("{")][-1]
    results: dict[str, Any] = json.loads(last)  # after py-spy's own lines when profiling
    results["lab_up"] = up
    return results


def _table(all_results: dict[int, dict[str, Any]], skipped: Sequence[str]) -> str:
    rows = [
        "| N | run | wall s | client CPU ms/node | lab CPU s | load (1 min) | nodes with errors |",
        "| --: | --- | --: | --: | --: | --: | --: |",
    ]
    names = {
        "cold": "cold scan",
        "warm": "warm scan (SSH kept)",
        "sequential": "sequential loop (seed)",
        "pool5": "5-worker pool (cilium-cli)",
    }
    for n, results in all_results.items():
        for key, name in names.items():
            if key not in results:  # --scans-only
                continue
            r = results[key]
            label = name
            if "subset" in r:
                label += f", {r['subset']} nodes scaled x{n / r['subset']:.0f}"
            errors = f"{r['errors']}" + (f"/{r['subset']}" if "subset" in r else "")
            rows.append(
                f"| {n} | {label} | {r['wall']:.1f} | {r['cpu_ms_per_node']:.1f} "
                f"| {r['lab_cpu']:.1f} | {r['load']:.2f} | {errors} |"
            )
    lines = ["\n".join(rows), ""]
    for n, results in all_results.items():
        cold = results["cold"]["wall"]
        if "sequential" not in results:
            lines.append(f"- N={n}: client peak RSS {results['peak_rss_mib']:.0f} MiB")
            continue
        lines.append(
            f"- N={n}: {results['sequential']['wall'] / cold:.1f}x faster than the sequential "
            f"loop, {results['pool5']['wall'] / cold:.1f}x than the 5-worker pool (wall); client "
            f"peak RSS {results['peak_rss_mib']:.0f} MiB; lab up in {results['lab_up']:.0f} s"
        )
    if 100 in all_results and 1000 in all_results:
        growth = (
            all_results[1000]["cold"]["cpu_ms_per_node"]
            / all_results[100]["cold"]["cpu_ms_per_node"]
        )
        lines.append(f"- growth of cold client CPU/node from 100 to 1000 nodes: {growth:.2f}x")
    for n, results in all_results.items():
        lines += [f"- N={n} errors: {seen}" for seen in results["errors_seen"]]
    lines += [f"- {line}" for line in skipped]
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) == 7 and sys.argv[1] == "--client":
        _, _, directory, pid, nodes, concurrency, baselines = sys.argv
        run = _client(
            Path(directory), int(pid), int(nodes), int(concurrency), baselines == "baselines"
        )
        results = asyncio.run(run)
        print(json.dumps(results))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", default="100,1000,5000", help="comma-separated node counts")
    parser.add_argument("--latency", default="50ms", help="the lab's latency per call")
    parser.add_argument(
        "--concurrency", type=int, default=DEFAULT_CONCURRENCY, help="as cilium-tui's option"
    )
    parser.add_argument(
        "--scans-only", action="store_true", help="cold and warm scans only, no baselines"
    )
    parser.add_argument(
        "--profile", metavar="FILE", help="record the client with py-spy (collapsed stacks)"
    )
    args = parser.parse_args()
    cores = os.cpu_count()
    print(
        f"machine: {cores} cores, {_free_mib():.0f} MiB free; latency {args.latency}; "
        f"concurrency {args.concurrency}"
    )
    print(f"`cilium-tui --help`: {_help_seconds() * 1000:.0f} ms (best of 3)")
    all_results: dict[int, dict[str, Any]] = {}
    skipped: list[str] = []
    for n in (int(x) for x in args.nodes.split(",")):
        needed = n * MIB_PER_NODE_LAB + 500
        if _free_mib() < needed:
            skipped.append(
                f"N={n} skipped: the lab needs ~{needed:.0f} MiB, {_free_mib():.0f} free"
            )
            continue
        all_results[n] = _one_n(
            n, args.latency, args.concurrency, not args.scans_only, args.profile
        )
        print(f"N={n}: {json.dumps(all_results[n])}", file=sys.stderr)
    print(_table(all_results, skipped))


if __name__ == "__main__":
    main()
