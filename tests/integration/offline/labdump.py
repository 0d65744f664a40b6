"""A `cilium sysdump` of the running embedded lab, from the lab's own output: its Node, Pod and
ConfigMap objects as its API server holds them, and each agent's `cilium(-dbg) status --verbose`
as the agent model prints it (the binary name of that Cilium release, as the bugtool would run)."""

from __future__ import annotations

from pathlib import Path

from cilium_tui.lab.host import HostState
from cilium_tui.lab.runner import RunningLab
from tests.unit.offline.builders import TS, sysdump_files, write_folder, write_zip


def uname_a(host: HostState) -> str:
    """`uname -a` of a lab machine, as GNU coreutils prints it (no processor, no platform)."""
    return (
        f"Linux {host.hostname} {host.kernel_release} {host.kernel_build} {host.machine} GNU/Linux"
    )


def lab_sysdump(lab: RunningLab, directory: Path, *, zipped: bool = True) -> Path:
    store = lab.api.store
    ns = lab.scenario.namespace
    binary = "cilium-dbg" if lab.cluster.release.at_least(15) else "cilium"
    nodes = store.list("nodes")[0]
    pods = store.list("pods")[0]
    statuses, unames = {}, {}
    for pod in pods:
        name = pod["metadata"]["name"]
        out = lab.cluster.exec_handler(ns, name, "cilium-agent", [binary, "status", "--verbose"])
        statuses[name] = out.stdout
        host = lab.cluster.hosts[pod["spec"]["nodeName"]]
        unames[name] = uname_a(host)
    configmap = store.find("configmaps", ns, "cilium-config")
    files = sysdump_files(nodes, pods, configmap, statuses, binary=binary, unames=unames)
    if zipped:
        return write_zip(directory / f"cilium-sysdump-{TS}.zip", files)
    return write_folder(directory, files)
