"""How long the lab takes to build a `scale:N` cluster and bring up its agents.

Usage: python benchmarks/lab_scale.py [N ...]   (default: 100 1000 5000)

For each N: build the scenario; start every node's agent (the model); build every node's Kubernetes
objects; render each agent's status text and JSON. Prints seconds per phase (best of 3).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from cilium_tui.lab.agent import AgentOutcome, start_agent
from cilium_tui.lab.objects import agent_pod_name, agent_pod_object, node_object
from cilium_tui.lab.render_json import render_status_json
from cilium_tui.lab.render_text import render_status_text
from cilium_tui.lab.scenarios import Scenario, cluster_health, scenario, status_context


def best_of(runs: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(count: int) -> list[float]:
    """Seconds for: build, start agents, build objects, render text, render JSON."""
    name = f"scale:{count}"
    sc: Scenario = scenario(name)
    outcomes: list[AgentOutcome] = [
        start_agent(sc.cilium_version, sc.config, n.host) for n in sc.nodes
    ]
    health = cluster_health(sc)  # every agent's peers, shared as the lab shares them
    contexts = [
        status_context(sc, n, o.details, health=health)
        for n, o in zip(sc.nodes, outcomes, strict=True)
    ]
    statuses = [o.status for o in outcomes if o.status is not None]

    def agents() -> None:
        for node in sc.nodes:
            start_agent(sc.cilium_version, sc.config, node.host)

    def objects() -> None:
        for node in sc.nodes:
            node_object(node)
            agent_pod_object(sc, node, agent_pod_name(sc, node))

    def texts() -> None:
        for status, ctx in zip(statuses, contexts, strict=True):
            render_status_text(status, sc.cilium_version, context=ctx)

    def documents() -> None:
        for status, ctx in zip(statuses, contexts, strict=True):
            render_status_json(status, sc.cilium_version, ctx)

    return [
        best_of(3, lambda: scenario(name)),
        best_of(3, agents),
        best_of(3, objects),
        best_of(3, texts),
        best_of(3, documents),
    ]


def main(counts: list[int]) -> None:
    print(f"{'N':>6} {'build':>8} {'agents':>8} {'objects':>8} {'text':>8} {'json':>8}  (s)")
    for count in counts:
        print(f"{count:>6} " + " ".join(f"{t:8.3f}" for t in measure(count)))


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100, 1000, 5000])
