"""The SSH side of the scan alone: the host probes of a `scale:N` lab, cold then warm.

    .venv/bin/python benchmarks/ssh_bench.py [--nodes 300,1000] [--latency 50ms] [--runs 3]

`scan_bench.py` measures the whole scan (Kubernetes exec and SSH probe interleaved); this one
probes every board of the lab over SSH only (connect, key exchange, auth, jump host, the probe
channel, the parse), so a change to that path shows apart from the rest. Per N, the lab runs in
a process of its own; each run is a fresh `SshPool` (cold: every connection opened; warm: the
same probes again on the kept connections). Reported per run: wall, client CPU per node (and
its system part), the lab's CPU per node, the 1-minute load. Figures, not tests: quote the load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scan_bench import _lab_cpu, _start_lab  # beside this file

from cilium_tui.collect.fdlimit import raise_open_files_limit
from cilium_tui.collect.inventory import load_inventory
from cilium_tui.collect.ssh import SshPool
from cilium_tui.settings import DEFAULT_CONCURRENCY


async def _client(directory: Path, lab_pid: int, concurrency: int) -> dict[str, Any]:
    raise_open_files_limit()
    targets = [h.target for h in load_inventory(directory / "inventory.toml").hosts]
    ssh = directory / "ssh"
    pool = SshPool(ssh / "ssh_config", known_hosts=ssh / "known_hosts", concurrency=concurrency)
    results: dict[str, Any] = {}
    try:
        for run in ("cold", "warm"):
            usage, lab = resource.getrusage(resource.RUSAGE_SELF), _lab_cpu(lab_pid)
            wall, cpu = time.perf_counter(), time.process_time()
            done = await asyncio.gather(*map(pool.probe, targets), return_exceptions=True)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            system = resource.getrusage(resource.RUSAGE_SELF).ru_stime - usage.ru_stime
            results[run] = {
                "wall": wall,
                "cpu_ms": cpu * 1000 / len(targets),
                "sys_ms": system * 1000 / len(targets),
                "lab_ms": (_lab_cpu(lab_pid) - lab) * 1000 / len(targets),
                "load": os.getloadavg()[0],
                "errors": sum(isinstance(r, BaseException) or bool(r.facts.errors) for r in done),
            }
    finally:
        await pool.close()
    return results


_CLIENT = (sys.executable, __file__, "--client")


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--client":
        _, _, where, pid, concurrency = sys.argv
        print(json.dumps(asyncio.run(_client(Path(where), int(pid), int(concurrency)))))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", default="300,1000", help="comma-separated node counts")
    parser.add_argument("--latency", default="50ms", help="the lab's latency per command")
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY)
    parser.add_argument("--runs", type=int, default=3, help="cold+warm runs per N (same lab)")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; latency {args.latency}; concurrency {args.concurrency}")
    print("| N | run | wall s | client CPU ms/node (sys) | lab CPU ms/node | load | errors |")
    print("| --: | --- | --: | --: | --: | --: | --: |")
    for n in (int(x) for x in args.nodes.split(",")):
        with tempfile.TemporaryDirectory(prefix="cilium-tui-ssh-bench-") as tmp:
            directory = Path(tmp) / "lab"
            lab = _start_lab(n, args.latency, directory)
            try:
                for _ in range(args.runs):
                    client = subprocess.run(
                        [*_CLIENT, str(directory), str(lab.pid), str(args.concurrency)],
                        capture_output=True,
                        text=True,
                        check=False,
                    )
                    if client.returncode != 0:
                        raise SystemExit(f"the client failed at N={n}:\n{client.stderr[-3000:]}")
                    for run, r in json.loads(client.stdout.strip().splitlines()[-1]).items():
                        print(
                            f"| {n} | {run} | {r['wall']:.1f} | {r['cpu_ms']:.2f} "
                            f"({r['sys_ms']:.2f}) | {r['lab_ms']:.2f} | {r['load']:.2f} "
                            f"| {r['errors']} |",
                            flush=True,
                        )
            finally:
                lab.send_signal(signal.SIGINT)
                try:
                    lab.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    lab.kill()
                    lab.wait()


if __name__ == "__main__":
    main()
