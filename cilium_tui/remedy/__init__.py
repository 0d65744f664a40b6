"""Remediations: plans as data, then preview, journal, apply, verify and undo.

The safe way to tune Cilium: every change is previewed as data before it is made, confirmed for
that exact preview, journalled before the first mutation, rolled out one agent at a time with a
check after each, verified by a re-scan, and undoable byte for byte.

Public API (what the console and the CLI call)::

    from cilium_tui.remedy.planner import REMEDIES, build_plan     # pure
    from cilium_tui.remedy.preview import config_diff, equivalent_commands, render_text
    from cilium_tui.remedy.engine import RemedyEngine, confirm, confirmation_word
    from cilium_tui.remedy.journal import Journal

    plan = build_plan(item_id, snapshot, nodes=None)   # -> Plan (remedy.plan), pure
    plan.status            # "ready" | "refused" | "nothing" | "guidance"
    plan.changes           # (KeyChange(key, old|None, new|None), ...) version-correct
    plan.restart           # Restart(namespace, batches, ready_timeout, disruption) | None
    plan.node_steps        # (NodeStep(node, NodeChange, before), ...) over SSH
    plan.assessments       # per node: Outcome (takes/already/n/a/no-effect/fatal/unknown) + why
    plan.refusals          # why it must not be applied; plan.per_node_config: CiliumNodeConfig
    plan.expectations      # per node: the item's state afterwards (verification compares)
    plan.guidance          # steps for what is not automated

    config_diff(plan)              # unified diff of cilium-config data (plain text)
    equivalent_commands(plan)      # helm / cilium config set / kubectl patch / delete pod / ssh
    render_text(plan), render_json(plan)

    engine = RemedyEngine(source, read_only=settings.read_only)   # ReadOnlyError when read-only
                           # source: a collect.scan.ClusterSource (any RemedySource)
    await engine.preflight(plan)                   # -> Preflight(ok, permissions, problems)
    word = confirmation_word(plan)                 # the context name when agents restart
    token = confirm(plan, typed=what_the_user_typed)   # ConfirmationError if wrong
    result = await engine.apply(plan, token, progress=callback)
                     # callback(Progress(phase, message, node, level, done, total)) per step
    result.outcome   # "verified" | "mismatch" | "stopped" | "conflict" | "denied" | "failed"
                     # | "refused"
    result.replan    # after "conflict": the plan against the cluster as it is now (new diff)
    result.undo_offered, result.entry_id, result.checks, result.verification, result.preflight

    undo = await engine.undo_plan(entry_id=None)   # latest undoable entry, against a fresh scan
    await engine.apply(undo, confirm(undo, typed=...), progress=callback)
    Journal().entries()                            # newest first; JournalEntry.status, events

Modules: `plan` (the data), `planner` + `context` + `recipes/` (pure planning), `preview`,
`journal`, `undo` (pure), `engine` (async, through `collect/`).
"""
