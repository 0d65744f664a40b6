"""Hubble: on is fine. It costs 1-15 %, and observability beats a marginal gain."""

from __future__ import annotations

from cilium_tui.checks.fact import Fact
from cilium_tui.checks.ids import ItemId
from cilium_tui.checks.items.base import Verdicts, cilium_item, define, tuning
from cilium_tui.checks.requirements import Requirement
from cilium_tui.checks.types import Finding

CHEAPER = (
    "If the agent's CPU is the bottleneck, try the cheaper knobs first: a larger "
    "hubble-event-queue-size, a longer bpf.events.monitorInterval, BPF event rate limits "
    "(bpf.events.default.rateLimit/burstLimit) or trace events off "
    "(bpf-events-trace-enabled: false). Disabling Hubble is the last resort."
)


@cilium_item(ItemId.HUBBLE, "Hubble", lambda view: view.hubble)
def _hubble(v: Verdicts, fact: Fact[bool], on: bool) -> Finding:
    note = v.note(fact)
    if on:
        return v.on(
            f"Hubble is on{note}: observability beats a marginal gain", fact, advice=CHEAPER
        )
    return v.off(
        f"Hubble is off{note}: the tuning guide's last step for maximum performance, at the cost "
        "of flow visibility",
        fact,
        recommended=False,
    )


HUBBLE = define(
    ItemId.HUBBLE,
    "Hubble",
    why="Hubble's flow visibility costs 1-15 % depending on traffic; its event rates can be tuned "
    "down long before it needs to be disabled.",
    requirements=(Requirement("none"),),
    detection="status `Hubble: Ok|Disabled ...`; cilium-config `enable-hubble`",
    docs=tuning("hubble"),
    judge=_hubble,
    theme="observability",
    advisory=True,
    on_is_good=False,
)
