"""Who set `enable-host-legacy-routing: "true"`, from the evidence a scan holds.

Users most often meet Legacy host routing set on purpose by someone else (reference:
host-routing-causes.md, cause 3): the Helm chart whenever CNI chaining is on, a managed platform,
an infrastructure-as-code module, or a workaround for a setup that depends on netfilter. Telling
them apart from what the agent forced (kernel, masquerading, ...) tells the user whom to ask
before undoing it. Each rule reads labels, the ConfigMap's managers and its keys; none guesses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cilium_tui.model import CiliumConfig, NodeRecord

PLATFORM_LABELS = (
    ("kubernetes.azure.com/", "AKS (Azure's managed Cilium writes it)"),
    ("eks.amazonaws.com/", "EKS"),
    ("cloud.google.com/gke-", "GKE (its metadata server relies on netfilter)"),
)
"""Node label prefixes of managed platforms, and what to say about each."""
MANAGED_BY = "app.kubernetes.io/managed-by"
NOT_IAC = frozenset({"helm", "kustomize", "kubectl"})
"""`managed-by` values that are not an infrastructure-as-code tool of their own."""


@dataclass(frozen=True)
class SetBy:
    """Who (most likely) set the key, and what says so."""

    who: str
    evidence: tuple[str, ...]


def _label_hits(labels: Mapping[str, str], prefix: str) -> list[str]:
    return [f"{k}={v}" for k, v in sorted(labels.items()) if k.startswith(prefix)]


def set_by(config: CiliumConfig | None, record: NodeRecord) -> tuple[SetBy, ...]:
    """Every origin the evidence points at, most specific first; empty when nothing says."""
    if config is None:
        return ()
    found: list[SetBy] = []
    chaining = config.data.get("cni-chaining-mode", "")
    if chaining and chaining != "none":
        where = f"Helm release {config.helm_release}" if config.helm_release else "the chart"
        found.append(
            SetBy(
                f"the Helm chart, which writes it whenever CNI chaining is on ({where})",
                (f"cilium-config cni-chaining-mode: {chaining}",),
            )
        )
    manager = config.labels.get(MANAGED_BY, "")
    if manager and manager.lower() not in NOT_IAC:
        found.append(
            SetBy(
                f"{manager} (infrastructure as code manages cilium-config)",
                (f"cilium-config label {MANAGED_BY}={manager}",),
            )
        )
    node = record.node
    labels = node.labels if node is not None else {}
    for prefix, platform in PLATFORM_LABELS:
        if hits := _label_hits(labels, prefix):
            found.append(SetBy(f"the managed platform, {platform}", (f"Node label {hits[0]}",)))
    if node is not None and "talos" in (node.os_image or "").lower():
        found.append(
            SetBy(
                "Talos's Cilium setup (a workaround for forwardKubeDNSToHost or KubeSpan)",
                (f"Node osImage: {node.os_image}",),
            )
        )
    if not found and config.helm_managed:
        found.append(
            SetBy(
                "Helm values (bpf.hostLegacyRouting=true)",
                (f"cilium-config managed by Helm release {config.helm_release or '?'}",),
            )
        )
    return tuple(found)


def describe(origins: Iterable[SetBy]) -> str:
    """ "set by X" for a cause's sentence, or "" when nothing says who."""
    names = [o.who for o in origins]
    return f", set by {' or '.join(names)}" if names else ""
