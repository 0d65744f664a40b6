"""`cilium-tui lab`: run the embedded lab in the foreground, for kubectl, ssh and cilium-tui."""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from cilium_tui.connect import OpenError, parse_duration

if TYPE_CHECKING:
    from cilium_tui.lab.runner import RunningLab


def run(args: argparse.Namespace) -> int:
    from cilium_tui.lab.runner import start_lab  # noqa: PLC0415 - keeps --help instant

    try:
        latency = parse_duration(getattr(args, "latency", None))
        directory = Path(args.dir).expanduser().resolve() if args.dir else None
        lab = start_lab(args.scenario, directory, latency=latency, faults=args.fault or ())
    except (OpenError, ValueError, OSError, RuntimeError) as e:
        print(f"cilium-tui lab: {e}", file=sys.stderr)
        return 2
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        print(_usage(lab), flush=True)
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        lab.stop()
        print("lab stopped", file=sys.stderr)
    return 0


def _usage(lab: RunningLab) -> str:
    files, scenario = lab.files, lab.scenario
    assert files is not None
    q = shlex.quote
    boards = ", ".join(n.name for n in scenario.nodes[:3]) + (
        "..." if len(scenario.nodes) > 3 else ""
    )
    first = scenario.nodes[0].name
    return "\n".join(
        [
            f"cilium-tui lab: scenario {scenario.name} is running: "
            f"Cilium {scenario.cilium_version} on {len(scenario.nodes)} nodes ({boards}), "
            f"Kubernetes {scenario.kubernetes_version}.",
            f"Files in {files.directory}:",
            f"  export KUBECONFIG={q(str(files.kubeconfig))}",
            "  kubectl get nodes -o wide",
            "  kubectl -n kube-system get pods -l k8s-app=cilium -o wide",
            "  kubectl -n kube-system exec ds/cilium -c cilium-agent -- cilium status",
            f"  ssh -F {q(str(files.ssh_config))} {q(first)} uname -r",
            f"  cilium-tui --kubeconfig {q(str(files.kubeconfig))} "
            f"--ssh-config {q(str(files.ssh_config))} --inventory {q(str(files.inventory))}",
            "Press Ctrl-C to stop.",
        ]
    )
