"""A lesson judged on the live scan: which steps are done, which is next, and hints. Pure.

    status = evaluate(lesson, judgement, progress)   # judgement: checks.judgement.judge(snapshot)
    status.steps        # StepStatus(step, number, done, evidence), in lesson order
    status.current      # the first step never seen done (None: the lesson is complete)
    hint_for_refusal(lesson, plan, status)   # "Do step 4 (...) first: ..." or None
    next_hint(status)   # "Next: step 5 (...): apply bpf-masquerading"

A step is done when its condition holds on the scan (`lessons.conditions`), not when a key was
pressed; a "look" step is done once visited (progress). A step seen done before is `reached`
(progress): the learner is at the first step never reached, so "undo it all", which makes the
earlier steps not done again, completes the lesson. Record what was seen done with
`progress.reach(lesson.name, status.done_ids)` after each evaluation.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import Any

from cilium_tui.checks.catalogue import item as catalogue_item
from cilium_tui.checks.ids import ItemId
from cilium_tui.checks.judgement import Judgement
from cilium_tui.checks.legacy_causes import legacy_causes
from cilium_tui.checks.requirements import assess
from cilium_tui.checks.view import NodeView
from cilium_tui.lessons.conditions import Context
from cilium_tui.lessons.lesson import Action, Lesson, Step
from cilium_tui.lessons.progress import Progress
from cilium_tui.remedy.plan import Plan
from cilium_tui.report.safe import plain


@dataclass(frozen=True)
class StepStatus:
    step: Step
    number: int
    """From 1."""
    done: bool
    """The cluster shows it now (a look step: it was visited)."""
    evidence: tuple[str, ...]
    reached: bool = False
    """Done now, or seen done on this cluster before (and undone since: see `LessonStatus`)."""

    def to_dict(self) -> dict[str, Any]:
        step = self.step
        return {
            "id": step.id,
            "number": self.number,
            "title": step.title,
            "kind": step.kind,
            "done": self.done,
            "reached": self.reached,
            "evidence": list(self.evidence),
            "item": step.item,
            "why": step.why,
            "text": step.text,
            "look": step.look.to_dict(),
            "action": None if step.action is None else step.action.to_dict(),
        }


@dataclass(frozen=True)
class LessonStatus:
    lesson: Lesson
    steps: tuple[StepStatus, ...]

    @property
    def current(self) -> StepStatus | None:
        """Where the learner is: the first step never seen done. A step undone since (undo-all
        takes every change back) stays behind the learner."""
        return next((s for s in self.steps if not s.reached), None)

    @property
    def done_ids(self) -> tuple[str, ...]:
        return tuple(s.step.id for s in self.steps if s.done)

    @property
    def complete(self) -> bool:
        """Every step was seen done (the last ones may have undone the first)."""
        return self.current is None

    def of(self, step_id: str) -> StepStatus:
        return self.steps[self.lesson.number(step_id) - 1]

    def to_dict(self) -> dict[str, Any]:
        current = self.current
        return {
            "lesson": self.lesson.name,
            "title": self.lesson.title,
            "scenario": self.lesson.scenario,
            "done": len(self.done_ids),
            "total": len(self.steps),
            "current": None if current is None else current.step.id,
            "steps": [s.to_dict() for s in self.steps],
        }


def evaluate(
    lesson: Lesson, judgement: Judgement, progress: Progress | None = None
) -> LessonStatus:
    """Every step of `lesson` judged on `judgement` (and the learner's `progress`)."""
    mine = (progress or Progress()).of(lesson.name)
    statuses = []
    for number, step in enumerate(lesson.steps, 1):
        context = Context(judgement, step.id, mine.visited, mine.reached)
        result = step.done.evaluate(context)
        reached = result.done or step.id in mine.reached
        statuses.append(StepStatus(step, number, result.done, result.evidence, reached))
    return LessonStatus(lesson, tuple(statuses))


def describe(action: Action) -> str:
    """The action in a few words: "apply native-routing", "run `uname -r` on rock64-1"."""
    if action.kind == "run":
        return f"run `{shlex.join(action.argv)}` on {action.node}"
    if action.kind == "undo":
        return "undo the latest change"
    return f"{action.kind} {action.item}"


def _label(status: StepStatus) -> str:
    return f"step {status.number} ({status.step.title})"


def next_hint(status: LessonStatus) -> str:
    """What to do next, for after a verified change (or that the lesson is complete)."""
    current = status.current
    if current is None:
        return f"Lesson {status.lesson.name} complete: every step was done on this cluster."
    action = current.step.action
    what = f": {describe(action)}" if action is not None else ""
    return f"Next: {_label(current)}{what}"


def prerequisites(plan: Plan) -> tuple[ItemId, ...]:
    """The items whose remediation meets what refused `plan` on its nodes, in order: the unmet
    requirements the planner reached (`Requirement.fix`), and for BPF host routing the causes
    of Legacy (`Cause.fix_item`). Read from the same declarations the planner refuses on."""
    snapshot = plan.basis
    if snapshot is None or not plan.refusals:
        return ()
    refused = {node for r in plan.refusals for node in r.nodes} or {r.name for r in snapshot.nodes}
    requirements = catalogue_item(plan.item_id).requirements
    found: list[ItemId] = []
    for record in snapshot.nodes:
        if record.name not in refused:
            continue
        view = NodeView(snapshot, record)
        fixes = [u.requirement.fix for u in assess(requirements, view).reached]
        if plan.item_id == ItemId.BPF_HOST_ROUTING:
            fixes += [c.fix_item for c in legacy_causes(view)]
        found += [ItemId(f) for f in fixes if f is not None and f != plan.item_id]
    return tuple(dict.fromkeys(found))


def hint_for_refusal(lesson: Lesson, plan: Plan, status: LessonStatus | None = None) -> str | None:
    """What to tell a learner whose preview or apply of `plan` was refused: the lesson's step
    that meets the missing requirement (the first not done, when `status` says), else the
    lesson's own hint for that item; None when the lesson has nothing to say."""
    if not plan.refusals:
        return None
    needed = prerequisites(plan)
    steps = [s for s in lesson.steps if s.about is not None and s.about in needed]
    if status is not None:
        steps = [s for s in steps if not status.of(s.id).done]
    if steps:
        first = steps[0]
        mine = next((s for s in lesson.steps if s.about == plan.item_id), None)
        after = f" before step {lesson.number(mine.id)}" if mine is not None else ""
        return (
            f"Do step {lesson.number(first.id)} ({first.title}) first{after}: {plan.item_id} "
            f"needs {first.about} ({plain(plan.refusals[0].reason)})."
        )
    rule = next((h for s in lesson.steps for h in s.hints if h.refused == plan.item_id), None)
    return None if rule is None else rule.text
