"""A `cilium sysdump` (members read by `offline.archive`) -> the Snapshot a live scan would give.

The layout (../shared/reference/cilium-cli-and-sysdump.md, section 1.4): one top folder
`cilium-sysdump-<ts>/` holding `k8s-nodes-<ts>.yaml` (every Node), `k8s-pods-<ts>.yaml` (every
Pod, the agents with their `spec.nodeName`), `cilium-configmap-<ts>.yaml`, and per agent pod the
untarred bugtool folder `cilium-bugtool-<pod>-<ts>/` whose `cmd/` holds the agent's status as
`cilium-status---verbose.md` (agents <= 1.14) or `cilium-dbg-status---verbose.md` (1.15+).
`<ts>` is the collector's start time, `20060102-150405`, on the clock of the machine that ran it.

The same parsers as the live scan read each file, so `check --sysdump` judges exactly what
`check` would. What the archive lacks is said per node, never guessed: a `--quick` sysdump has no
bugtool folders (agent status unknown), a node outside `--node-list` has none either, and of the
SSH probe's host facts a sysdump holds only `uname -a` (see `offline.bugtool`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import yaml

from cilium_tui.collect.scan import agent_pods_by_node, cluster_version
from cilium_tui.facts.config import parse_configmap
from cilium_tui.facts.node import parse_node
from cilium_tui.facts.node_config import parse_node_configs
from cilium_tui.facts.pod import agent_pods, kube_proxy_runs
from cilium_tui.facts.status import parse_status
from cilium_tui.model import AgentPod, NodeInfo, NodeRecord, Snapshot
from cilium_tui.offline.archive import Archive
from cilium_tui.offline.bugtool import ONLY_UNAME, UNAME, uname_facts

_TS = r"(?P<ts>\d{8}-\d{6})"
_TOP = r"(?:[^/]+/){0,3}"
"""The archive's top folder, `cilium-sysdump-<ts>/`; none for the unzipped folder itself; or a
folder or two more when someone re-zipped it (`ticket-1234/cilium-sysdump-<ts>/`)."""
NODES = re.compile(rf"^{_TOP}k8s-nodes-{_TS}\.yaml$")
PODS = re.compile(rf"^{_TOP}k8s-pods-{_TS}\.yaml$")
CONFIGMAP = re.compile(rf"^{_TOP}cilium-configmap-{_TS}\.yaml$")
NODE_CONFIGS = re.compile(rf"^{_TOP}ciliumnodeconfigs-{_TS}\.yaml$")
BUGTOOL = re.compile(rf"^{_TOP}cilium-bugtool-(?P<pod>[a-z0-9.-]+?)-{_TS}/")
UNAME_FILE = re.compile(rf"{BUGTOOL.pattern}(?:[^/]+/)?{re.escape(UNAME)}$")
STATUS = re.compile(
    rf"{BUGTOOL.pattern}(?:[^/]+/)?cmd/(?P<binary>cilium|cilium-dbg)-status---verbose\.md$"
)
TIMESTAMP = re.compile(rf"-{_TS}(?:[./]|-prev\.)")

_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when PyYAML has it (ten times faster on a big cluster's PodList)."""

NO_PROBE = "a sysdump holds no SSH probe: host facts (tuned, CPU governor, IRQs, NIC) are not in it"
"""Why a node has no host facts at all (its bugtool folder, with `uname -a`, is missing)."""


def wanted(name: str) -> bool:
    """The members read into memory; everything else (logs, gops, flows) is only listed."""
    return any(p.match(name) for p in (NODES, PODS, CONFIGMAP, NODE_CONFIGS, STATUS, UNAME_FILE))


@dataclass(frozen=True)
class _Docs:
    nodes: list[dict[str, Any]]
    pods: list[dict[str, Any]]
    configmap: Mapping[str, Any] | None


def taken_at(names: Iterable[str]) -> datetime | None:
    """The collector's start time, from the `<ts>` most member names carry (naive: the clock of
    the machine that ran `cilium sysdump`, whose zone the archive does not record; kept as UTC)."""
    stamps = Counter(m.group("ts") for n in names if (m := TIMESTAMP.search(n)))
    if not stamps:
        return None
    try:
        return datetime.strptime(stamps.most_common(1)[0][0], "%Y%m%d-%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def snapshot_of(archive: Archive, source: str) -> Snapshot:
    """The Snapshot of a sysdump; `archive.problems` and what is missing become its errors."""
    errors = list(archive.problems)
    docs = _Docs(
        _items(archive, NODES, "NodeList", errors),
        _items(archive, PODS, "PodList", errors),
        _first_doc(archive, CONFIGMAP, errors),
    )
    infos = [parse_node(n) for n in docs.nodes]
    namespace, agents = agent_pods(docs.pods)
    pods = agent_pods_by_node(agents)
    bugtools = _Bugtools(
        _statuses(archive),
        _by_pod(archive, UNAME_FILE),
        any(BUGTOOL.match(n) for n in archive.names),
        pods_listed=bool(docs.pods),
    )
    names = {i.name for i in infos} | set(pods)
    by_name = {i.name: i for i in infos}
    records = [
        _record(name, by_name.get(name), pods.get(name, (None, {}))[0], bugtools)
        for name in sorted(names)
    ]
    node_configs, problems = parse_node_configs(
        _items(archive, NODE_CONFIGS, "CiliumNodeConfigList", errors)
    )
    errors.extend(problems)
    config = None
    if docs.configmap is not None:
        config = parse_configmap(docs.configmap, cilium_version=cluster_version(records))
    elif namespace is not None:
        errors.append("no cilium-configmap-*.yaml in the sysdump: cilium-config unknown")
    if not infos:
        errors.append("no k8s-nodes-*.yaml in the sysdump: nodes known only from agent pods")
    if not bugtools.pods_listed:
        errors.append("no k8s-pods-*.yaml in the sysdump: agent pods unknown")
    return Snapshot(
        taken_at=taken_at(archive.names) or datetime.fromtimestamp(0, UTC),
        source=source,
        nodes=tuple(records),
        config=config,
        node_configs=node_configs,
        kube_proxy_present=kube_proxy_runs(docs.pods, infos) if docs.pods else None,
        errors=tuple(errors),
    )


@dataclass(frozen=True)
class _Bugtools:
    statuses: Mapping[str, tuple[str, str]]
    """Agent pod -> (member name, its status text)."""
    unames: Mapping[str, str]
    """Agent pod -> its `uname -a`."""
    present: bool
    """Whether the sysdump has any bugtool folder (a --quick one has none)."""
    pods_listed: bool
    """Whether the sysdump's PodList could be read."""


def _record(
    name: str, info: NodeInfo | None, pod: AgentPod | None, bugtools: _Bugtools
) -> NodeRecord:
    uname = bugtools.unames.get(pod.name) if pod is not None else None
    probe = uname_facts(uname) if uname is not None else None
    errors = {"ssh": ONLY_UNAME if probe is not None else NO_PROBE}
    agent = raw = None
    found = bugtools.statuses.get(pod.name) if pod is not None else None
    if pod is None:
        errors["agent"] = (
            "no Cilium agent pod on this node in the sysdump"
            if bugtools.pods_listed
            else "not in the sysdump: it has no readable k8s-pods-*.yaml to find the agent pod in"
        )
    elif found is not None:
        member, raw = found
        status = parse_status(raw)
        if status.is_empty:
            errors["agent"] = f"{member} holds no status we can read"
        else:
            agent = status
    elif not bugtools.present:
        errors["agent"] = "not in the sysdump: it has no cilium-bugtool folders (a --quick sysdump)"
    else:
        errors["agent"] = (
            f"not in the sysdump: no cilium-bugtool folder with the status of {pod.name} "
            "(outside --node-list, or its collection failed)"
        )
    return NodeRecord(
        name=name,
        node=info,
        pod=pod,
        agent=agent,
        agent_raw=raw if agent else None,
        probe=probe,
        errors=errors,
    )


def _statuses(archive: Archive) -> dict[str, tuple[str, str]]:
    """Agent pod name -> (member name, status text); `cilium-dbg` wins over `cilium` if both."""
    found: dict[str, tuple[str, str, str]] = {}
    for name, data in archive.members.items():
        m = STATUS.match(name)
        if m is None:
            continue
        pod, binary = m.group("pod"), m.group("binary")
        if pod in found and found[pod][0] == "cilium-dbg":
            continue
        found[pod] = (binary, name, data.decode("utf-8", "replace"))
    return {pod: (name, text) for pod, (_, name, text) in found.items()}


def _by_pod(archive: Archive, pattern: re.Pattern[str]) -> dict[str, str]:
    """Agent pod name -> the text of its bugtool file that `pattern` matches."""
    return {
        m.group("pod"): data.decode("utf-8", "replace")
        for name, data in archive.members.items()
        if (m := pattern.match(name))
    }


def _documents(
    archive: Archive, pattern: re.Pattern[str], errors: list[str]
) -> list[dict[str, Any]]:
    docs: list[Any] = []
    for name in sorted(n for n in archive.members if pattern.match(n)):
        try:
            text = archive.members[name].decode("utf-8", "replace")
            docs.extend(yaml.load_all(text, Loader=_SAFE_LOADER))
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark is not None else ""
            errors.append(f"{name}: skipped, not valid YAML{where}")
    return [d for d in docs if isinstance(d, dict)]


def _items(
    archive: Archive, pattern: re.Pattern[str], kind: str, errors: list[str]
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for doc in _documents(archive, pattern, errors):
        listed = doc.get("items")
        if isinstance(listed, list):
            items.extend(i for i in listed if isinstance(i, dict))
        elif doc.get("kind") == kind.removesuffix("List"):
            items.append(doc)
    return items


def _first_doc(
    archive: Archive, pattern: re.Pattern[str], errors: list[str]
) -> Mapping[str, Any] | None:
    docs = _documents(archive, pattern, errors)
    return docs[0] if docs else None
