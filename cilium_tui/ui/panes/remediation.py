"""The remediation pane: an item's plan previewed, then confirm -> apply -> verify -> undo.

- `choose(item_id, nodes)` builds the plan (`remedy.planner.build_plan`, pure but worth a thread on
  a big cluster) from the latest scan and previews it: the diff, the equivalent commands, which
  nodes restart in what order, which can take it, refusals. The preview follows new scans while
  nothing runs.
- `apply()`: preflight (RBAC, SSH routes) -> `ConfirmDialog` (Cancel focused; the context name
  typed when agents restart) -> `RemedyEngine.apply`, its per-node progress in a live table -> the
  result next to the plan's expectations, with undo offered. A 409 shows the plan against the
  cluster as it is now; a denial or a refusal is said in place, before anything changes.
- `undo(entry_id)`: the plan that reverts a journal entry, previewed, then the same confirmation.

Apply and undo run in workers: the console stays responsive. A worker that fails (a bug, an
error the engine did not turn into a result) is said in the pane, the log and a toast, never as a
traceback. Read-only mode is not checked here: the app gates `apply`/`undo` in `check_action`, and
has no engine at all when read-only.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

from rich.console import Group, RenderableType
from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.theme import Theme
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from cilium_tui.lessons import hint_for_refusal, next_hint
from cilium_tui.remedy.engine import ApplyResult, Progress, confirm, confirmation_word
from cilium_tui.remedy.journal import JournalError
from cilium_tui.remedy.plan import Plan
from cilium_tui.remedy.planner import build_plan
from cilium_tui.report.safe import plain
from cilium_tui.ui.activity import Level, describe
from cilium_tui.ui.cells import Cell, Tone
from cilium_tui.ui.dialogs import ConfirmDialog
from cilium_tui.ui.paint import ToneStyles, tone_styles
from cilium_tui.ui.remedy_view import (
    RESULT_CELLS,
    Look,
    Rollout,
    plan_view,
    preflight_view,
    result_view,
    rollout_start,
    rollout_step,
    rollout_view,
)
from cilium_tui.ui.state import ClusterState

if TYPE_CHECKING:
    from cilium_tui.ui.app import CiliumTuiApp

PLAN, REMEDY = "plan", "remedy"
"""Worker groups: building a preview (a newer choice replaces it); applying or undoing (one at a
time, never cancelled by another: an apply stops only where the engine stops it)."""

_FAILED = {PLAN: "building the plan", REMEDY: "the change"}
"""What a failed worker of each group was doing, for the message."""

_LEVELS = {"info": Level.INFO, "ok": Level.INFO, "warning": Level.WARNING, "error": Level.ERROR}


class RemedyProgressed(Message):
    """A step of a running apply (the engine reports on the app's loop)."""

    def __init__(self, progress: Progress) -> None:
        super().__init__()
        self.progress = progress


class RemediationPane(Vertical):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.item_id: str | None = None
        self.nodes: tuple[str, ...] | None = None
        """The nodes the plan is limited to (chosen from a node's detail); None: every node."""
        self.plan: Plan | None = None
        self.rollout: Rollout | None = None
        self.result: ApplyResult | None = None
        self.problem: RenderableType | None = None
        """Why the last attempt did not start (preflight, journal), shown above the preview."""
        self.busy = False
        """An apply or undo is running."""
        self._styles: ToneStyles = tone_styles({})
        self._previewed: tuple[object, ...] = (None, None, None, None)
        """What the preview shows: (plan, item, styles, problem), compared by identity."""
        self._previewed_state: Cell | None = None
        """What the preview's title says in place of the plan's status (`_plan_state`)."""
        self._plan_failure: RenderableType | None = None
        """The problem that says the last plan could not be built (a new plan clears it)."""
        self._fresh_from: int | None = None
        """After a change: the serial of the first scan a plan may be built from again
        (`CiliumTuiApp.scans_started`); what was read before shows the cluster as it was. None:
        the latest snapshot will do."""
        self._runs = 0
        """Changes made so far: a plan built across the end of one is of the cluster before it."""

    @property
    def console(self) -> CiliumTuiApp:
        return cast("CiliumTuiApp", self.app)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="remediation-scroll"):
            yield Static(id="remediation-status")
            yield Static(id="remediation-text")

    def on_mount(self) -> None:
        self._styles = tone_styles(self.app.theme_variables)
        self.watch(self.app, "cluster", self._on_cluster)
        self.watch(self.app, "lesson_status", lambda _: self._render_pane(), init=False)
        self.app.theme_changed_signal.subscribe(self, self._repaint)
        self._render_pane()

    @property
    def rolling_out(self) -> bool:
        """A confirmed change is being applied (quitting would interrupt it)."""
        return self.busy and self.rollout is not None

    @property
    def stale(self) -> bool:
        """A change was made and the scan that shows its effect has not come yet: the plan on
        screen is the finished one, and no plan may be built or applied from what was read
        before (its diff, resourceVersion and NOW values are of the cluster as it was)."""
        return self._fresh_from is not None and self.console.scan_shown < self._fresh_from

    def _repaint(self, _: Theme) -> None:
        self._styles = tone_styles(self.app.theme_variables)
        self._render_pane()

    # ----------------------------------------------------------------------------------------
    # The preview
    # ----------------------------------------------------------------------------------------

    def choose(self, item_id: str, nodes: Sequence[str] | None = None) -> None:
        """Preview the plan of `item_id` (on `nodes` only, when given)."""
        if self.busy:
            self.notify("A change is running: wait for it to end.", severity="warning")
            return
        changed = (item_id, tuple(nodes) if nodes else None) != (self.item_id, self.nodes)
        self.item_id, self.nodes = item_id, tuple(nodes) if nodes else None
        if changed:
            self.plan = self.rollout = self.result = self.problem = None
        self._render_pane()
        self._build()

    def _on_cluster(self, cluster: ClusterState | None) -> None:
        """A new scan: preview the plan against it (not an undo plan: it reverts one entry;
        once it is done, the item's own plan follows again)."""
        following = self.plan is None or self.plan.undoes is None or self._fresh_from is not None
        if cluster is not None and self.item_id is not None and following and not self.busy:
            self._build()

    @work(group=PLAN, exclusive=True, exit_on_error=False, description="Building a plan")
    async def _build(self) -> None:
        runs = self._runs
        plan = await self._plan()
        if plan is not None and not self.busy and runs == self._runs:
            self.plan, self._fresh_from = plan, None
            if self.problem is self._plan_failure:
                self.problem = None
            self._render_pane()

    async def _plan(self) -> Plan | None:
        """The plan of the chosen item against the latest snapshot; None while it is stale."""
        snapshot = self.console.snapshot
        if self.item_id is None or snapshot is None or self.stale:
            return None
        return await asyncio.to_thread(
            build_plan, self.item_id, snapshot, self.nodes, options=self.console.plan_options
        )

    # ----------------------------------------------------------------------------------------
    # Apply and undo
    # ----------------------------------------------------------------------------------------

    def apply(self, item_id: str | None = None) -> None:
        """Confirm and apply the plan of `item_id` (default: the one previewed)."""
        if self.busy:
            self.notify("A change is running: wait for it to end.", severity="warning")
            return
        if item_id is not None and item_id != self.item_id:
            self.choose(item_id)
        if self.item_id is None:
            self.notify("Choose a checklist item first.", severity="warning")
            return
        if self.stale:
            self.notify(
                "The change just made is being read back: its plan is done. The preview is "
                f"rebuilt from the scan that follows it ({self._key('refresh', 'r')} scans now).",
                severity="warning",
            )
            return
        self._apply()

    @work(group=REMEDY, exit_on_error=False, description="Applying a remediation")
    async def _apply(self) -> None:
        # Once the scan after a change is in but before the preview is rebuilt from it, the plan
        # on screen is still the finished one: it is never applied again, a new one is built.
        reusable = self.plan is not None and self._fresh_from is None
        plan = self.plan if reusable else await self._plan()
        if plan is None:
            return
        self.plan, self._fresh_from = plan, None
        await self._run(plan, "Apply")

    def undo(self, entry_id: str | None = None) -> None:
        """Preview and confirm the undo of journal entry `entry_id` (default: the latest)."""
        if self.busy:
            self.notify("A change is running: wait for it to end.", severity="warning")
            return
        self._undo(entry_id)

    @work(group=REMEDY, exit_on_error=False, description="Undoing a change")
    async def _undo(self, entry_id: str | None) -> None:
        engine = self.console.remedy
        assert engine is not None, "undo is gated on an engine (CiliumTuiApp.check_action)"
        try:
            plan = await engine.undo_plan(entry_id)
        except JournalError as e:
            self.console.report(f"undo: {e}", Level.WARNING, toast=True)
            return
        self.item_id, self.nodes = plan.item_id, None
        self.plan, self.rollout, self.result, self.problem = plan, None, None, None
        self._render_pane()
        await self._run(plan, "Undo")

    async def _run(self, plan: Plan, verb: str) -> None:
        """Preflight, confirmation, apply, result: the one path for apply and undo."""
        console = self.console
        engine = console.remedy
        assert engine is not None, "apply is gated on an engine (CiliumTuiApp.check_action)"
        if not plan.applicable:
            why = f"{plan.item_id}: the plan is {plan.status}: nothing to apply"
            console.report(why, Level.WARNING, toast=True)
            return
        self.busy = True
        try:
            self.result = self.rollout = self.problem = None
            self._render_pane()
            preflight = await engine.preflight(plan)
            if not preflight.ok:
                self.problem = preflight_view(preflight, self._styles)
                problems = "; ".join(preflight.problems)
                console.report(f"{plan.item_id}: {problems}", Level.ERROR, toast=True)
                return
            word = confirmation_word(plan)
            if not await self.app.push_screen_wait(_dialog(plan, verb, word)):
                console.report(f"{verb.lower()} {plan.item_id}: cancelled; nothing was changed")
                return
            self.rollout = rollout_start(plan)
            self._render_pane()
            self._show_status()
            result = await engine.apply(plan, confirm(plan, typed=word), progress=self._progress)
            self.result = result
            if result.replan is not None:
                self.plan = result.replan
            level = Level.INFO if result.outcome == "verified" else Level.WARNING
            console.report(f"{verb.lower()} {plan.item_id}: {result.message}", level, toast=True)
            if result.mutated:
                # This plan is done: the next one is built from a scan started after it.
                self._runs += 1
                self._fresh_from = console.scans_started + 1
                console.request_scan(f"after {verb.lower()} {plan.item_id}")
        finally:
            self.busy = False
            self._render_pane()
            self.app.refresh_bindings()

    def _progress(self, step: Progress) -> None:
        self.post_message(RemedyProgressed(step))

    def _show_status(self) -> None:
        """Bring the rollout and result panel (above the preview) into view: an apply started
        from the end of a long preview would otherwise run out of sight."""
        scroll = self.query_one("#remediation-scroll", VerticalScroll)
        self.call_after_refresh(scroll.scroll_home, animate=False)

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state != WorkerState.ERROR or worker.group not in _FAILED:
            return
        event.stop()
        what = f"{self.item_id}: {_FAILED[worker.group]} failed: {describe(worker.error)}"
        self.problem = Text(what, style=self._styles[Tone.ERROR], end="")
        if worker.group == PLAN:
            self._plan_failure = self.problem
        self.console.report(what, Level.ERROR, toast=True)
        self._render_pane()

    def on_remedy_progressed(self, message: RemedyProgressed) -> None:
        step = message.progress
        if self.rollout is not None:
            self.rollout = rollout_step(self.rollout, step)
            self._render_pane()
        where = f"{step.node}: " if step.node else ""
        self.console.report(f"{step.phase}: {where}{step.message}", _LEVELS[step.level])

    # ----------------------------------------------------------------------------------------
    # Rendering
    # ----------------------------------------------------------------------------------------

    def _render_pane(self) -> None:
        styles = self._styles
        status: list[RenderableType] = []
        if self.problem is not None:
            status.append(self.problem)
        if self.result is not None:
            status.append(result_view(self.result, styles, undo_key=self._undo_key()))
        if self.rollout is not None:
            status.append(rollout_view(self.rollout, styles))
        hint = self._lesson_hint()
        if hint is not None:
            status.append(Text(plain(hint), style=styles[Tone.OFF] + Style(bold=True)))
        box = self.query_one("#remediation-status", Static)
        box.display = bool(status)
        box.update(Group(*status))
        # The preview is laid out again only when it changes, not at every step of a rollout.
        shown = (self.plan, self.item_id, self._styles, self.problem)
        state = self._plan_state()
        if state != self._previewed_state or any(
            a is not b for a, b in zip(shown, self._previewed, strict=True)
        ):
            self._previewed, self._previewed_state = shown, state
            self.query_one("#remediation-text", Static).update(self._preview(state))

    def _lesson_hint(self) -> str | None:
        """With a lesson on: the next step after a verified change (once the scan that follows
        it is judged), or the step to do first when the plan previewed is refused."""
        console = self.console
        guide, status = console.guide, console.lesson_status
        if guide is None or status is None or self.busy:
            return None
        if self.result is not None and self.result.outcome == "verified":
            return None if self.stale else next_hint(status)
        if self.plan is not None and self.plan.status == "refused":
            return hint_for_refusal(guide.lesson, self.plan, status)
        return None

    def _plan_state(self) -> Cell | None:
        """What the preview's title says instead of the plan's status while the plan is being
        applied, and once it is done (until the next scan rebuilds it); None: its status."""
        if self.rolling_out:
            verb = "UNDOING" if self.plan is not None and self.plan.undoes else "APPLYING"
            return Cell(verb, Tone.OFF, "rollout in progress, above")
        if self.stale and self.result is not None:
            outcome = RESULT_CELLS.get(self.result.outcome, Cell(self.result.outcome.upper()))
            return dataclasses.replace(outcome, detail="done; rebuilt from the next scan")
        return None

    def _preview(self, state: Cell | None) -> RenderableType:
        if self.plan is not None:
            background = self.app.theme_variables.get("background")
            look = Look(
                self._styles,
                self.app.current_theme.dark,
                background,
                checklist_key=self._key("tab.checklist", "2"),
                preview_key=self._key("preview", "p"),
            )
            return plan_view(self.plan, look, state=state)
        text = Text(end="")
        if self.item_id is None:
            text.append("Select an item", style=Style(bold=True))
            checklist, preview = self._key("tab.checklist", "2"), self._key("preview", "p")
            text.append(
                f" on the checklist ({checklist}) and press {preview} to preview its remediation "
                "here."
            )
        elif self.problem is not None:
            text.append(f"No plan of {self.item_id} to preview.")
        else:
            text.append(f"Building the plan of {self.item_id}…")
        return text

    def _undo_key(self) -> str:
        """The undo key as the user's keymap has it (the result says which key to press)."""
        return self._key("undo", "u")

    def _key(self, binding_id: str, default: str) -> str:
        """A key as the user's keymap has it (messages say which key to press)."""
        return self.console.user_keymap.get(binding_id, default)


def _dialog(plan: Plan, verb: str, word: str | None) -> ConfirmDialog:
    where = plan.cluster.context or plan.cluster.source
    lines = [f"{plan.summary}."]
    if plan.changes:
        keys = ", ".join(change.key for change in plan.changes)
        lines.append(f"cilium-config in {where}: {keys}.")
    if plan.restart is not None and plan.restart.nodes:
        size = max(len(batch) for batch in plan.restart.batches)
        pace = "one at a time" if size == 1 else f"{size} at a time"
        lines.append(f"{len(plan.restart.nodes)} Cilium agents restart, {pace}.")
    if plan.node_steps:
        nodes = sorted({step.node for step in plan.node_steps})
        lines.append(f"Commands over SSH on {len(nodes)} node(s): {', '.join(nodes)}.")
    # What the preview warns of (an edit the undo drops, nodes where it does nothing) is said
    # again where the decision is made.
    lines += (f"Warning: {plain(warning)}" for warning in plan.warnings)
    return ConfirmDialog(
        f"{verb} {plan.title}?", "\n".join(lines), confirm_label=verb, require_word=word
    )
