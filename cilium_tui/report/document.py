"""The JSON form of a check: a documented, stable dict.

Schema "cilium-tui.check/1" (keys are only ever added within a schema version)::

    {
      "schema": "cilium-tui.check/1",
      "taken_at": "2026-11-27T20:51:06+00:00",      # ISO 8601
      "source": "lab seed", "context": "lab-seed",   # context may be null
      "exit_code": 0 | 1 | 2,                        # see cilium_tui.report.outcome
      "errors": ["..."],                             # snapshot-level collection errors
      "cluster": {
        "nodes": 6,
        "failing": ["bpf-host-routing", ...],       # item ids, catalogue order
        "unverifiable": ["bpf-masquerading", ...],  # unknown where a collector failed
        "items": [{
          "id", "title", "theme", "scope" ("cilium"|"host"), "advisory", "docs",
          "counts": {"on", "off", "blocked", "n/a", "unknown"},
          "failing": <nodes where it fails>, "headline", "summary"
        }, ...]
      },
      "nodes": [{
        "name", "kubernetes" (false: SSH inventory only), "kernel", "architecture", "os",
        "cilium_version", "host_routing" ("BPF"|"Legacy"|"Legacy (predicted)"|null),
        "problems": ["agent status unavailable: ...", ...],
        "items": {"<item id>": {
          "state" ("on"|"off"|"blocked"|"n/a"|"unknown"), "fails", "reason",
          "evidence": [...], "blocked_by": [...], "recommended" (true|false|null),
          "advice" (str|null), "drift" (str|null)
        }, ...},
        "why_legacy": null | {
          "predicted", "evidence": [...], "advice", "bpf_impossible",
          "causes": [{"id", "text", "blocker", "fix", "fix_item" (item id|null),
                      "evidence": [...], "certain"}, ...]
        }
      }, ...]
    }
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from cilium_tui.checks.legacy_causes import Cause
from cilium_tui.checks.types import Finding, Item, Rollup
from cilium_tui.checks.why_legacy import LegacyExplanation
from cilium_tui.model import Snapshot
from cilium_tui.report.nodes import summarize
from cilium_tui.report.outcome import check_exit_code, failing_items, unverifiable_items

SCHEMA = "cilium-tui.check/1"


def finding_document(item: Item, finding: Finding) -> dict[str, Any]:
    return {
        "state": str(finding.state),
        "fails": item.fails(finding),
        "reason": finding.reason,
        "evidence": list(finding.evidence),
        "blocked_by": list(finding.blocked_by),
        "recommended": finding.recommended,
        "advice": finding.advice,
        "drift": finding.drift,
    }


def _cause(cause: Cause) -> dict[str, Any]:
    return {
        "id": cause.id,
        "text": cause.text,
        "blocker": cause.blocker,
        "fix": cause.fix,
        "fix_item": cause.fix_item,
        "evidence": list(cause.evidence),
        "certain": cause.certain,
    }


def legacy_document(explanation: LegacyExplanation | None) -> dict[str, Any] | None:
    if explanation is None:
        return None
    return {
        "predicted": explanation.predicted,
        "evidence": list(explanation.evidence),
        "advice": explanation.advice,
        "bpf_impossible": explanation.impossible,
        "causes": [_cause(c) for c in explanation.causes],
    }


def _item(rollup: Rollup) -> dict[str, Any]:
    item = rollup.item
    return {
        "id": item.id,
        "title": item.title,
        "theme": item.theme,
        "scope": item.scope,
        "advisory": item.advisory,
        "docs": item.docs,
        "counts": {str(state): n for state, n in rollup.counts.items()},
        "failing": len(rollup.failing),
        "headline": rollup.headline,
        "summary": rollup.summary,
    }


def check_document(
    snapshot: Snapshot, rollups: Sequence[Rollup], legacy: Sequence[LegacyExplanation]
) -> dict[str, Any]:
    """The check as plain data (see the module docstring for the schema)."""
    explanations = {e.node: e for e in legacy}
    per_item = [(r.item, {f.node: f for f in r.findings}) for r in rollups]
    nodes = []
    for node in summarize(snapshot):
        items = {
            item.id: finding_document(item, found[node.name])
            for item, found in per_item
            if node.name in found
        }
        nodes.append(
            {
                "name": node.name,
                "kubernetes": node.kubernetes,
                "kernel": node.kernel,
                "architecture": node.architecture,
                "os": node.os,
                "cilium_version": node.cilium_version,
                "host_routing": node.host_routing,
                "problems": list(node.problems),
                "items": items,
                "why_legacy": legacy_document(explanations.get(node.name)),
            }
        )
    return {
        "schema": SCHEMA,
        "taken_at": snapshot.taken_at.isoformat(),
        "source": snapshot.source,
        "context": snapshot.context,
        "exit_code": check_exit_code(rollups, snapshot),
        "errors": list(snapshot.errors),
        "cluster": {
            "nodes": len(snapshot.nodes),
            "failing": list(failing_items(rollups)),
            "unverifiable": list(unverifiable_items(rollups, snapshot)),
            "items": [_item(r) for r in rollups],
        },
        "nodes": nodes,
    }


def render_json(
    snapshot: Snapshot, rollups: Sequence[Rollup], legacy: Sequence[LegacyExplanation]
) -> str:
    return json.dumps(check_document(snapshot, rollups, legacy), indent=2, ensure_ascii=False)
