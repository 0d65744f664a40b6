"""`cilium-tui walkthrough`: a lesson's steps and which are done on the connected cluster.

An instructor runs it against each trainee's cluster (or the lab) to see their progress; a
trainee runs it to see the next step. "Do" steps are judged on a fresh scan, never remembered;
"look" steps are done once visited (`--visit STEP`, or opening them in the console). What was
seen is remembered per cluster (`lessons.progress`), except for a sysdump or snapshot file.

Exit codes, as for `check`: 0 every step done, 1 some step not done, 2 no scan (the cluster could
not be read, or the lesson or a step named does not exist).
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from functools import partial

from cilium_tui.checks.judgement import judge
from cilium_tui.collect.scan import ClusterSource
from cilium_tui.commands._scan import Target, Voice, open_target, run_on_target
from cilium_tui.connect import NoCluster, OpenError
from cilium_tui.lessons import (
    Lesson,
    LessonError,
    LessonStatus,
    Progress,
    ProgressError,
    describe,
    evaluate,
    lesson_for,
    lessons,
    load_lesson,
)
from cilium_tui.lessons.progress import store_for
from cilium_tui.model import Snapshot
from cilium_tui.remedy.engine import cluster_identity
from cilium_tui.report import EXIT_FAILING, EXIT_NO_SCAN, EXIT_OK
from cilium_tui.report.outcome import NOTHING_READ, read_nothing

DEFAULT_LESSON = "seed"
WIDTH = 100
VOICE = Voice("walkthrough", EXIT_NO_SCAN)


def _list(fmt: str) -> int:
    found = lessons()
    if fmt == "json":
        doc = [
            {"lesson": x.name, "title": x.title, "scenario": x.scenario, "steps": len(x.steps)}
            for x in found
        ]
        print(json.dumps(doc, indent=2))
        return EXIT_OK
    width = max(len(x.name) for x in found)
    for x in found:
        print(f"{x.name.ljust(width)}  --demo={x.scenario:<10} {len(x.steps):>2} steps  {x.title}")
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    if args.list:
        return _list(args.format)
    if args.lesson is not None:
        try:
            load_lesson(args.lesson)  # an unknown name fails before the scan
        except LessonError as e:
            return VOICE.fail(str(e))
    return run_on_target(args, VOICE, partial(_walkthrough, args=args), expected=(LessonError,))


def _choose(args: argparse.Namespace, target: Target, progress: Progress) -> Lesson:
    """--lesson; else the lesson the learner is on here; else the demo scenario's; else seed."""
    if args.lesson is not None:
        return load_lesson(args.lesson)
    if progress.active is not None:
        try:
            return load_lesson(progress.active)
        except LessonError:
            pass  # a lesson a newer cilium-tui had: start from the default
    return lesson_for(target.settings.demo) or load_lesson(DEFAULT_LESSON)


async def _walkthrough(target: Target, args: argparse.Namespace) -> int:
    try:
        source, snapshot = await open_target(target)
    except NoCluster as e:
        return VOICE.fail(f"{e}; try `cilium-tui walkthrough --demo=training` for the embedded lab")
    except OpenError as e:
        return VOICE.fail(str(e))
    try:
        VOICE.errors(snapshot)
        if not snapshot.nodes:
            return VOICE.fail("no nodes could be read")
        if read_nothing(snapshot):
            return VOICE.fail(f"{NOTHING_READ}: no step can be judged")
        judgement = judge(snapshot)
        if judgement.error is not None:
            return VOICE.fail(judgement.error)
        if isinstance(source, ClusterSource):
            identity = await cluster_identity(source)
            store = store_for(source)
            progress = store.load(identity)
            for problem in store.problems:
                VOICE.say(problem)
        else:  # a file: nothing to remember it by, nothing was visited
            progress = Progress()
        lesson = _choose(args, target, progress)
        if args.start_over:
            progress = progress.forget(lesson.name)
        for step_id in args.visit or ():
            _known_step(lesson, step_id)
            progress = progress.visit(lesson.name, step_id)
        status = evaluate(lesson, judgement, progress)
        if isinstance(source, ClusterSource):
            progress = progress.reach(lesson.name, status.done_ids)
            try:
                store.save(identity, progress)
            except ProgressError as e:
                VOICE.say(str(e))
        _warn_scenario(lesson, target)
        if args.format == "json":
            doc = {"cluster": snapshot.source, "context": snapshot.context, **status.to_dict()}
            print(json.dumps(doc, indent=2))
        else:
            sys.stdout.write(render_text(status, snapshot))
        return EXIT_OK if status.complete else EXIT_FAILING
    finally:
        await source.close()


def _known_step(lesson: Lesson, step_id: str) -> None:
    known = [s.id for s in lesson.steps]
    if step_id not in known:
        raise LessonError(
            f"lesson {lesson.name} has no step {step_id!r}; its steps: {', '.join(known)}"
        )


def _warn_scenario(lesson: Lesson, target: Target) -> None:
    demo = target.settings.demo
    if demo is not None and demo != lesson.scenario:
        VOICE.say(
            f"lesson {lesson.name} is written for --demo={lesson.scenario}, this is --demo={demo}"
        )


def _wrapped(text: str) -> list[str]:
    return textwrap.wrap(" ".join(text.split()), WIDTH, initial_indent="  ", subsequent_indent="  ")


def render_text(status: LessonStatus, snapshot: Snapshot) -> str:
    """The steps with a mark each, then the current step in full."""
    lesson = status.lesson
    done = len(status.done_ids)
    where = snapshot.source
    if snapshot.context and snapshot.context not in where:
        where += f" (context {snapshot.context})"
    out = [
        f"Lesson {lesson.name}: {lesson.title}",
        f"Written for --demo={lesson.scenario}; on {where}: {done}/{len(status.steps)} steps done",
        "",
    ]
    width = max(len(s.step.title) for s in status.steps)
    for s in status.steps:
        mark = "[x]" if s.done else "[-]" if s.reached else "[ ]"
        action = describe(s.step.action) if s.step.action is not None else ""
        kind = "look, done on visit" if s.step.kind == "look" else action
        out.append(f"  {mark} {s.number:>2}  {s.step.title.ljust(width)}  {kind}".rstrip())
    current = status.current
    out.append("")
    if any(s.reached and not s.done for s in status.steps):
        out.append("[-] done before on this cluster, undone since")
    if current is None:
        out.append("Lesson complete: every step was done on this cluster.")
        return "\n".join(out) + "\n"
    step = current.step
    out.append(f"Next: step {current.number}, {step.title}")
    if step.why:
        out += _wrapped(f"why: {step.why}")
    if step.text:
        out += _wrapped(step.text)
    look = step.look
    highlight = [f"{k} {v}" for k, v in look.to_dict().items() if v and k != "screen"]
    out.append(f"  look: the {look.screen} screen{': ' if highlight else ''}{', '.join(highlight)}")
    if step.action is not None:
        out.append(f"  do: {describe(step.action)}")
    if step.kind == "look":
        out.append(
            f"  then: cilium-tui walkthrough --visit {step.id} (with this cluster's options)"
        )
    out += [f"  - {line}" for line in current.evidence]
    return "\n".join(out) + "\n"
