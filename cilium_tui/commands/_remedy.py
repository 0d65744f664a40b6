"""What `plan`, `apply` and `undo` share: reading the cluster, asking, progress and results.

Previews go to stdout, progress to stderr, so `cilium-tui plan ... > plan.txt` keeps only the
preview. Without `--yes`, `apply` and `undo` ask on the terminal (`input`: the answer is read from
stdin): y/N, then, when agents restart, the context name typed. Exit codes: 0 done (or nothing
to do), 1 refused, cancelled, stopped or not as expected, 2 the cluster could not be read or the
command line is wrong.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import signal
import sys
from collections.abc import Awaitable, Callable

from cilium_tui.checks.judgement import judge
from cilium_tui.collect.scan import ClusterSource
from cilium_tui.commands._scan import Target, Voice, open_and_scan, target_of
from cilium_tui.connect import OpenError
from cilium_tui.lessons import LessonError, evaluate, hint_for_refusal, load_lesson, store_for
from cilium_tui.model import Snapshot
from cilium_tui.remedy.context import PlanOptions
from cilium_tui.remedy.engine import (
    ApplyResult,
    Progress,
    RemedyEngine,
    cluster_identity,
    confirm,
    confirmation_word,
)
from cilium_tui.remedy.journal import journal_for
from cilium_tui.remedy.plan import Plan
from cilium_tui.remedy.preview import render_text
from cilium_tui.settings import SettingsError

EXIT_OK = 0
EXIT_NOT_DONE = 1
EXIT_ERROR = 2
MAX_BATCH = 1000
MAX_READY_TIMEOUT = 3600.0
"""An agent that is not Ready within an hour is not coming back by waiting longer."""
MAX_ANSWER = 256
"""Characters read from a prompt's answer: a confirmation is a word, not a file."""


class CommandError(Exception):
    """A problem worth one line on stderr and exit code 2."""


def target_of_args(args: argparse.Namespace) -> Target:
    """`target_of`, its errors as CommandError."""
    try:
        return target_of(args)
    except (SettingsError, OpenError) as e:
        raise CommandError(str(e)) from None


def plan_options(args: argparse.Namespace) -> PlanOptions:
    batch = getattr(args, "batch_size", 1)
    timeout = getattr(args, "ready_timeout", 120.0)
    if not 1 <= batch <= MAX_BATCH:
        raise CommandError(f"--batch-size must be between 1 and {MAX_BATCH}, not {batch}")
    if not 0 < timeout <= MAX_READY_TIMEOUT:  # also refuses nan and inf
        raise CommandError(
            f"--ready-timeout must be a number of seconds above 0 and at most "
            f"{MAX_READY_TIMEOUT:g}, not {timeout:g}"
        )
    return PlanOptions(batch, timeout, getattr(args, "native_cidr", None))


async def with_cluster(
    target: Target, work: Callable[[ClusterSource, Snapshot], Awaitable[int]]
) -> int:
    """Open the cluster, scan it once, run `work`, close it.

    SIGTERM and SIGHUP end it like Ctrl-C does: the step under way is journalled with where the
    cluster stands, then the command exits 128 + the signal's number."""
    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    received: list[signal.Signals] = []

    def stop(signum: signal.Signals) -> None:
        received.append(signum)
        if task is not None:
            task.cancel()

    for signum in (signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(signum, stop, signum)
    try:
        try:
            source, snapshot = await open_and_scan(target)
        except OpenError as e:
            raise CommandError(str(e)) from None
        try:
            for error in snapshot.errors:
                print(f"warning: {error}", file=sys.stderr)
            if not snapshot.nodes:
                raise CommandError("no nodes could be read")
            return await work(source, snapshot)
        finally:
            await source.close()
    except asyncio.CancelledError:
        if not received:
            raise
        print(f"stopped by {received[0].name}", file=sys.stderr)
        return 128 + int(received[0])
    finally:
        for signum in (signal.SIGTERM, signal.SIGHUP):
            loop.remove_signal_handler(signum)


def engine_for(source: ClusterSource, *, read_only: bool) -> RemedyEngine:
    """The engine for `source`, journalling where `journal_for` says (the lab's own for --demo).
    Raises ReadOnlyError in read-only mode."""
    return RemedyEngine(source, read_only=read_only, journal=journal_for(source))


async def answer(question: str) -> str | None:
    """A line typed on stdin after `question`; None at end of input (no terminal, Ctrl-D)."""
    try:
        reply = await asyncio.to_thread(input, question)
    except EOFError:
        return None
    return reply[:MAX_ANSWER]


async def ask(question: str) -> bool:
    """y/N on the terminal; anything but yes (or no terminal at all) is no."""
    reply = await answer(question)
    return reply is not None and reply.strip().lower() in ("y", "yes")


def show_plan(plan: Plan) -> None:
    """The plan's text on stdout; on a terminal, its commands folded to the terminal's width
    (a terminal would soft-wrap them mid-argument, and the copy would not run)."""
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    sys.stdout.write(render_text(plan, width))


def print_progress(step: Progress) -> None:
    where = f"{step.node}: " if step.node else ""
    count = f"[{step.done}/{step.total}] " if step.total else ""
    print(f"  {count}{where}{step.message}", file=sys.stderr, flush=True)


async def confirm_and_apply(engine: RemedyEngine, plan: Plan, *, yes: bool) -> int:
    """Show the plan, check it can run, ask (unless --yes), apply, report."""
    show_plan(plan)
    sys.stdout.flush()
    if plan.status == "nothing":
        return EXIT_OK
    if not plan.applicable:
        print(f"not applied: the plan is {plan.status}", file=sys.stderr)
        return EXIT_NOT_DONE
    preflight = await engine.preflight(plan)
    if not preflight.ok:
        for problem in preflight.problems:
            print(f"cannot apply: {problem}", file=sys.stderr)
        return EXIT_NOT_DONE
    where = plan.cluster.context or plan.cluster.source
    word = confirmation_word(plan)  # the context name when agents restart: typed, or --yes
    if not yes:
        if not await ask(f"Apply {plan.item_id} to {where}? [y/N] "):
            return cancelled()
        if word is not None:
            reply = await answer(f"Agents restart: type {word} to confirm: ")
            if reply is None or reply.strip() != word:
                return cancelled(f"that is not {word}")
    result = await engine.apply(plan, confirm(plan, typed=word), progress=print_progress)
    return report(result, engine)


def cancelled(why: str | None = None) -> int:
    print(f"cancelled{f' ({why})' if why else ''}: nothing was changed", file=sys.stderr)
    return EXIT_NOT_DONE


def report(result: ApplyResult, engine: RemedyEngine) -> int:
    print(f"{result.outcome}: {result.message}")
    if result.entry_id:
        print(f"journal entry: {result.entry_id} in {engine.journal.directory}")
        if engine.journal.temporary:
            print("(the lab's own journal: it goes when the lab stops)")
    if result.replan is not None:
        print("\nThe cluster as it is now:\n")
        show_plan(result.replan)
    if result.state:
        print("where the cluster stands:")
        for line in result.state:
            print(f"  {line}")
    if result.way_back is not None:
        what = "to finish the way back" if result.undoes else "to undo"
        print(f"{what}: {result.way_back}")
    return EXIT_OK if result.outcome == "verified" else EXIT_NOT_DONE


async def lesson_hint(source: ClusterSource, plan: Plan) -> None:
    """When a lesson is active on this cluster and `plan` is refused, say on stderr which step
    of the lesson to do first (or the lesson's own hint for it)."""
    if not plan.refusals or plan.basis is None:
        return
    store = store_for(source)
    progress = store.load(await cluster_identity(source))
    if progress.active is None:
        return
    try:
        lesson = load_lesson(progress.active)
    except LessonError:
        return
    status = evaluate(lesson, judge(plan.basis), progress)
    hint = hint_for_refusal(lesson, plan, status)
    if hint is not None:
        print(f"lesson {lesson.name}: {hint}", file=sys.stderr)


def fail(command: str, message: str, code: int = EXIT_ERROR) -> int:
    return Voice(command, code).fail(message)
