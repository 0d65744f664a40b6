"""The console application: scanning in workers, live node events, screens, keys and themes.

The app owns one `ClusterState` (the `cluster` reactive); screens watch it and render. The
console paints before it has read anything: the first scan runs on screen, and what a scan has
read so far (the list of nodes, then each node as its agent and probe answer) is published every
STREAM_GAP, so a big cluster fills in and a hung node delays only its own row. Scans run
in a worker and never pile up: a refresh asked for while a scan runs is coalesced into one scan
after it, and the interval timer is re-armed only when a scan ends, so a slow cluster slows the
cadence instead of queueing work. Node watch events patch the state between scans; judgements are
coalesced the same way (one at a time, then one more on the latest snapshot), so a storm of
events never starves the screen of results.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import signal
import sys
from collections import deque
from collections.abc import Mapping, Sequence
from contextlib import suppress
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.reactive import var
from textual.screen import ModalScreen, Screen
from textual.signal import Signal
from textual.timer import Timer
from textual.worker import Worker, WorkerCancelled, WorkerFailed, WorkerState

from cilium_tui.checks.judgement import Judge, judge
from cilium_tui.collect.kube import KubeError
from cilium_tui.collect.source import ProgressCallback, ScanProgress, Source
from cilium_tui.lessons import (
    LessonError,
    LessonStatus,
    ProgressError,
    lesson_for,
    lesson_names,
    lessons,
    load_lesson,
)
from cilium_tui.model import NodeRecord, Snapshot
from cilium_tui.remedy.context import PlanOptions
from cilium_tui.remedy.engine import RemedyEngine
from cilium_tui.remedy.journal import Journal
from cilium_tui.report.safe import plain
from cilium_tui.settings import (
    DEFAULT_REFRESH,
    DEFAULT_THEME,
    Settings,
    SettingsError,
    default_config_path,
    save_setting,
)
from cilium_tui.ui.activity import Activity, Level, describe
from cilium_tui.ui.commands import ConsoleCommands, PaletteCommand
from cilium_tui.ui.dialogs import ConfirmDialog
from cilium_tui.ui.lesson_view import DETAIL_SECTIONS
from cilium_tui.ui.lessons import LessonGuide, LessonsScreen, open_guide
from cilium_tui.ui.messages import ItemChosen, NodeChanged, ScanProgressed
from cilium_tui.ui.panes.checklist import ChecklistPane
from cilium_tui.ui.panes.nodes import NodesPane
from cilium_tui.ui.panes.remediation import PLAN, RemediationPane
from cilium_tui.ui.rows import DEFAULT_COLUMNS, known_columns
from cilium_tui.ui.screens.columns import ColumnPicker
from cilium_tui.ui.screens.detail import NodeDetailScreen
from cilium_tui.ui.screens.help import BindingSection, HelpScreen
from cilium_tui.ui.screens.journal import JournalScreen
from cilium_tui.ui.screens.main import TABS, MainScreen
from cilium_tui.ui.state import (
    ClusterState,
    ScanStatus,
    apply_node_event,
    error_changes,
    reassess,
    same_node,
)
from cilium_tui.ui.themes import ThemeCatalog, ThemeError, app_variable_defaults, load_themes
from cilium_tui.ui.widgets.node_table import NodeTable

SCAN, JUDGE, WATCH, LESSON = "scan", "judge", "watch", "lesson"
"""Worker groups. One scan and one judgement at a time; the node watch runs for the app's life
from the first snapshot on; a lesson opens with its progress read."""
SETTLING = (SCAN, JUDGE, PLAN, LESSON)
"""What `settled` waits for."""

PUBLISH_GAP = 0.5
"""Seconds between two judgements published while node events keep coming: each one repaints
the visible table, which on a big cluster costs a good part of that time on the event loop."""

STREAM_GAP = 0.25
"""Seconds between two publications of what a running scan has read so far."""

FILL_FULL_GC = 1_000_000
"""With `freeze_gc`, the full-collection threshold while the first scan fills the table: the
young generations are still collected, the full passes wait for the freeze (see `_freeze`)."""

CLOSE_TIMEOUT = 30.0
"""Closing the lab's source stops the lab (API server, SSH boards): allow it the time."""

EXIT_UNREADABLE = 2
"""The exit status when the first scan read no node (see `CiliumTuiApp.failure`)."""

MUTATING_BINDINGS = (
    Binding("a", "apply", "Apply", id="apply"),
    Binding("u", "undo", "Undo", id="undo"),
)
"""Keys that change a cluster or a host (checklist and remediation tabs, undo also in the journal;
absent in read-only)."""


class ScanFeed:
    """What the running scan has read that the screen does not show yet (a `ScanStream`). The
    scan calls it on the app's loop; the app takes what it holds every STREAM_GAP."""

    def __init__(self) -> None:
        self._listed: Snapshot | None = None
        self._read: dict[str, NodeRecord] = {}

    def listed(self, snapshot: Snapshot) -> None:
        self._listed = snapshot

    def node_read(self, record: NodeRecord) -> None:
        self._read[record.name] = record

    def take(self, shown: Snapshot | None) -> Snapshot | None:
        """`shown` with the nodes read since, else the list when nothing is shown yet (a refresh
        never blanks the rows on screen with a bare list); None when there is nothing new."""
        base = shown if shown is not None else self._listed
        self._listed = None
        if base is None or (base is shown and not self._read):
            return None
        read, self._read = self._read, {}
        nodes = [read.pop(record.name, record) for record in base.nodes]
        return dataclasses.replace(base, nodes=(*nodes, *read.values()))


class CiliumTuiApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "cilium-tui"
    COMMANDS = App.COMMANDS | {ConsoleCommands}

    BINDINGS: ClassVar[list[BindingType]] = [
        # In the order of their hints' priority: the footer leaves out the last ones that do
        # not fit (help lists them all).
        Binding("question_mark", "help", "Help", id="help"),
        Binding("q", "quit_key", "Quit", id="quit"),
        *MUTATING_BINDINGS,
        Binding("j", "journal", "Journal", id="journal"),
        Binding("r", "refresh", "Refresh", id="refresh"),
        Binding("colon,ctrl+p", "command_palette", "Commands", id="commands"),
        Binding("l", "lessons", "Lessons", id="lessons"),
        *(
            Binding(str(n), f"show_tab('{tab}')", tab.capitalize(), id=f"tab.{tab}", show=False)
            for n, tab in enumerate(TABS, 1)
        ),
    ]

    MUTATING_ACTIONS: ClassVar[frozenset[str]] = frozenset({"apply", "undo"})
    """Actions that change a cluster or a host. Read-only mode removes them here, in
    `check_action`, and nowhere else: absent from the footer, help's effect and the palette."""

    MODAL_BLOCKED: ClassVar[frozenset[str]] = frozenset(
        {
            "refresh",
            "quit_key",
            "show_tab",
            "help",
            "command_palette",
            "journal",
            "lessons",
            *MUTATING_ACTIONS,
        }
    )
    """App actions that a dialog or the help screen must not trigger behind the user's back. A
    plain q is one of them; ctrl+q (Textual's own `quit`) is not: it always gets out."""

    cluster: var[ClusterState | None] = var(None)
    scan: var[ScanStatus] = var(ScanStatus())
    lesson_status: var[LessonStatus | None] = var(None)
    """The active lesson judged on the published scan (None: no lesson)."""

    def __init__(
        self,
        source: Source,
        *,
        read_only: bool = False,
        theme: str = DEFAULT_THEME,
        refresh: float = DEFAULT_REFRESH,
        demo: str | None = None,
        keymap: Mapping[str, str] | None = None,
        themes: ThemeCatalog | None = None,
        judge: Judge = judge,
        initial: Snapshot | None = None,
        remedy: RemedyEngine | None = None,
        journal: Journal | None = None,
        plan_options: PlanOptions | None = None,
        columns: Sequence[str] | None = None,
        config_path: Path | None = None,
        freeze_gc: bool = False,
    ) -> None:
        """`source` is owned by the app for its lifetime and closed on exit (on the app's loop,
        where asyncssh connections live). `initial` is a scan already made (the console command
        scans once before the screen opens): shown at once, the next scan follows the interval.
        `remedy` is the engine that applies and undoes changes (None in read-only mode, or for a
        source it cannot change); `journal` the one the journal view lists (default: the
        engine's). `columns` are the node table's (default: `DEFAULT_COLUMNS`); a choice made in
        the console is written to `config_path` (default: the user's config file). With
        `freeze_gc` (the console command's; not in tests, as it is process-wide), what is alive
        once the first scan is on screen leaves the garbage collector's full passes
        (`gc.freeze`): the modules, the widgets, and the findings and rows that later refreshes
        reuse. At 5000 nodes a full pass over them held the event loop 0.4-1.2 s every few
        refreshes. While that first scan fills the table, no full pass runs at all: at 1000
        nodes ten of them, each longer than the last (0.1-0.7 s), held the loop during the fill;
        one collection just before the freeze does their work once. Raises `ThemeError` for an
        unknown or broken theme."""
        super().__init__()
        self.source = source
        self.read_only = read_only
        self.refresh_interval = refresh
        self.demo = demo
        self.judge = judge
        self.remedy = None if read_only else remedy
        self.journal = journal or (remedy.journal if remedy is not None else Journal())
        self.plan_options = plan_options
        self.themes = themes if themes is not None else load_themes()
        for loaded in self.themes.themes.values():
            self.register_theme(loaded)
        self.themes.check(theme)
        self.theme = theme
        self.node_columns, self._unknown_columns = known_columns(columns or DEFAULT_COLUMNS)
        self.config_path = config_path or default_config_path()
        self.user_keymap = dict(keymap or {})
        self.set_keymap(self.user_keymap)
        self.activity: deque[Activity] = deque(maxlen=5000)
        self.activity_signal: Signal[Activity] = Signal(self, "activity")
        self._latest: Snapshot | None = None
        self._initial = initial
        self._scan_queued = False
        self.scans_started = 0
        """How many scans were started: a scan's serial number."""
        self.scan_shown = 0
        """The serial of the scan whose whole result is the latest snapshot (0: none yet, or a
        snapshot given at start). Panes that must not act on what was read before a moment (a
        plan after a change) wait for a scan started after it (`scans_started` then)."""
        self._refresh_timer: Timer | None = None
        self._judge_next: Snapshot | None = None
        """The snapshot the running judgement will judge next (the latest one wins)."""
        self._judging: Worker[None] | None = None
        self._snapshots = 0
        """Snapshots set so far (`set_snapshot`): which one a published judgement is of."""
        self._freeze_gc = freeze_gc
        self._freeze_at: int | None = None
        """With `freeze_gc`: freeze once the judgement of this snapshot (or a later one) is out."""
        self._gc_thresholds: tuple[int, int, int] | None = None
        """The collector's thresholds while full passes wait for the freeze (`freeze_gc`)."""
        self._published_at = float("-inf")
        self._watching = False
        self._asking_to_quit = False
        self._starting = False
        """The first scan is asked for, after the first frame (`settled` waits for it)."""
        self.failure: str | None = None
        """Why the console quit on its own: its first scan read no node (exit status 2)."""
        self.guide: LessonGuide | None = None
        """The active lesson and the learner's progress on this cluster."""

    def get_default_screen(self) -> Screen[None]:
        return MainScreen()

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return app_variable_defaults(self.current_theme)

    @property
    def snapshot(self) -> Snapshot | None:
        """The latest snapshot (node events included), judged or about to be."""
        return self._latest

    @property
    def main(self) -> MainScreen:
        """The main screen, at the bottom of the stack whatever is pushed over it."""
        main = self.screen_stack[0]
        assert isinstance(main, MainScreen)
        return main

    async def on_mount(self) -> None:
        for problem in self.themes.problems:
            self.report(f"theme skipped: {problem}", Level.WARNING, toast=True)
        unknown = sorted(set(self.user_keymap) - set(binding_ids()))
        if unknown:
            self.report(f"keymap: no binding with id {', '.join(unknown)}", Level.WARNING, True)
        if self._unknown_columns:
            names = ", ".join(self._unknown_columns)
            self.report(f"columns: no node-table column {names}", Level.WARNING, True)
        self.report(f"reading {self.source.name}")
        self.watch(self, "cluster", self._judge_lesson, init=False)
        first = lesson_for(self.demo) if self.demo else None
        if first is not None:  # a lab written for a lesson starts it
            self.start_lesson(first.name)
        if self._initial is None:
            # After the first frame: opening a lab or a cluster must not compete with it.
            self._starting = True
            self.call_after_refresh(self.request_scan, "start")
        else:
            initial, self._initial = self._initial, None
            self.report(f"scanned {len(initial.nodes)} nodes before the console opened")
            self.scan = ScanStatus(taken_at=initial.taken_at)
            self.set_snapshot(initial)
            self._freeze_after_this()
            self._arm_refresh()

    async def on_unmount(self) -> None:
        self._resume_full_gc()  # the collector is the process's: leave it as found
        with suppress(Exception):
            await asyncio.wait_for(self.source.close(), CLOSE_TIMEOUT)

    # ----------------------------------------------------------------------------------------
    # The activity log and toasts
    # ----------------------------------------------------------------------------------------

    def report(self, text: str, level: Level = Level.INFO, toast: bool = False) -> None:
        """Log what happened; with `toast`, also tell the user now. `text` may hold outside text
        (node names, errors), so it is never parsed as markup."""
        entry = Activity(datetime.now().astimezone(), level, text)
        self.activity.append(entry)
        self.activity_signal.publish(entry)
        if toast:
            self.notify(plain(text), severity=level.value, markup=False)

    # ----------------------------------------------------------------------------------------
    # Scanning
    # ----------------------------------------------------------------------------------------

    def request_scan(self, reason: str) -> None:
        """Scan now, or once right after the running scan if one is in flight."""
        if self.scan.running:
            if not self._scan_queued:
                self.report(f"{reason}: a scan is running; one more follows it")
            self._scan_queued = True
            return
        if self._refresh_timer is not None:
            self._refresh_timer.stop()
            self._refresh_timer = None
        self._starting = False
        if self._freeze_gc:  # the first scan (or the first that will succeed) fills the table
            self._defer_full_gc()
        self.scan = dataclasses.replace(self.scan, running=True, progress=None)
        self.scans_started += 1
        self._scan()

    @work(group=SCAN, exclusive=True, exit_on_error=False, description="Scanning the cluster")
    async def _scan(self) -> Snapshot:
        progress: ProgressCallback = self._progress
        started = asyncio.get_running_loop().time()
        feed = ScanFeed()
        publishing = self.set_interval(STREAM_GAP, partial(self._publish_feed, feed))
        try:
            snapshot = await self.source.scan(progress, feed)
        finally:
            publishing.stop()
        elapsed = asyncio.get_running_loop().time() - started
        self.report(f"scanned {len(snapshot.nodes)} nodes in {elapsed:.1f} s")
        return snapshot

    def _publish_feed(self, feed: ScanFeed) -> None:
        snapshot = feed.take(self._latest)
        if snapshot is not None:
            self.set_snapshot(snapshot)

    def _progress(self, step: ScanProgress) -> None:
        # May be called from a Source's own threads: post_message is thread-safe.
        self.post_message(ScanProgressed(step))

    def on_scan_progressed(self, message: ScanProgressed) -> None:
        if self.scan.running:
            self.scan = dataclasses.replace(self.scan, progress=message.progress)

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        worker, state = event.worker, event.state
        if worker.group == SCAN and state in (
            WorkerState.SUCCESS,
            WorkerState.ERROR,
            WorkerState.CANCELLED,
        ):
            self._scan_ended(worker, state)
        elif worker.group == JUDGE and state == WorkerState.ERROR:
            why = describe(worker.error)
            self.report(f"judging the snapshot failed: {why}", Level.ERROR, toast=True)
        elif worker.group == WATCH and state == WorkerState.ERROR:
            self.report(f"node watch stopped: {worker.error}", Level.WARNING, toast=True)

    def _scan_ended(self, worker: Worker[Snapshot], state: WorkerState) -> None:
        error = None
        taken_at: datetime | None
        if state == WorkerState.SUCCESS and worker.result is not None:
            self.scan_shown = self.scans_started  # scans never overlap: this one is the latest
            self.set_snapshot(worker.result)
            self._freeze_after_this()
            taken_at = worker.result.taken_at
        else:
            error = describe(worker.error) if state == WorkerState.ERROR else "cancelled"
            self.report(f"scan failed: {error}", Level.ERROR, toast=True)
            self._resume_full_gc()  # no freeze follows this scan
            taken_at = self.scan.taken_at
        self.scan = ScanStatus(running=False, taken_at=taken_at, error=error)
        if self._latest is None or not self._latest.nodes:
            self._give_up(str(worker.error or "") or error)
            return
        if self._scan_queued:
            self._scan_queued = False
            self.request_scan("queued refresh")
        else:
            self._arm_refresh()

    def _give_up(self, error: str | None) -> None:
        """Nothing could be read at all (a cluster that cannot be reached, a kubeconfig that
        cannot be used, a lab that cannot start): quit with one line rather than show a console
        full of errors."""
        latest = self._latest
        errors = latest.errors if latest is not None else ()
        why = error or (errors[0] if errors else "the cluster has no nodes")
        self.failure = f"no nodes could be read from {self.source.name}: {why}"
        # After the screens have taken this scan's end in: they must not be torn down under it.
        self.call_after_refresh(self.exit, EXIT_UNREADABLE, EXIT_UNREADABLE)

    def _arm_refresh(self) -> None:
        """The next interval scan counts from the end of the last one."""
        if self.refresh_interval > 0:
            self._refresh_timer = self.set_timer(
                self.refresh_interval, lambda: self.request_scan("interval")
            )

    def set_snapshot(self, snapshot: Snapshot) -> None:
        """Show `snapshot`: judge it off the event loop (the catalogue is pure but may be slow on
        a big cluster), then publish. A judgement in flight is never cancelled: it publishes,
        then one more judges the latest snapshot, however many arrived meanwhile."""
        previous = self._latest
        for change in error_changes(previous, snapshot):
            level = Level.INFO if change.after is None else Level.WARNING
            self.report(str(change), level)
        for error in snapshot.errors:
            if previous is None or error not in previous.errors:
                self.report(f"scan: {error}", Level.WARNING)
        # Events arriving before the judgement ends must patch this snapshot, not the old one.
        self._latest = snapshot
        self._judge_next = snapshot
        self._snapshots += 1
        if self._judging is None or self._judging.is_finished:
            self._judging = self._judge()
        if not self._watching:  # from the first snapshot on: the watch starts from its list
            self._watching = True
            self._follow_node_events()

    @work(group=JUDGE, exit_on_error=False, description="Judging the snapshot")
    async def _judge(self) -> None:
        """Judge and publish until no newer snapshot waits. Only what changed since the state
        on screen is judged again (`reassess`), in a thread."""
        loop = asyncio.get_running_loop()
        while self._judge_next is not None:
            wait = self._published_at + PUBLISH_GAP - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            snapshot, self._judge_next = self._judge_next, None
            judging = self._snapshots
            before = self.cluster
            state = await asyncio.to_thread(reassess, before, snapshot, self.judge)
            error = state.judgement.error
            if error and (before is None or before.judgement.error != error):
                self.report(error, Level.ERROR, toast=True)
            self.cluster = state
            self._published_at = loop.time()
            if self._freeze_at is not None and judging >= self._freeze_at:
                self._freeze_at = None
                self.call_after_refresh(self._freeze)  # the table filled on screen first

    def _freeze(self) -> None:
        """Collect once (the garbage of the fill, which no full pass looked at), then move what
        is alive out of the collector's sight for good."""
        gc.collect()
        gc.freeze()
        self._resume_full_gc()

    def _defer_full_gc(self) -> None:
        if self._gc_thresholds is None:
            self._gc_thresholds = gc.get_threshold()
            gc.set_threshold(*self._gc_thresholds[:2], FILL_FULL_GC)

    def _resume_full_gc(self) -> None:
        if self._gc_thresholds is not None:
            gc.set_threshold(*self._gc_thresholds)
            self._gc_thresholds = None

    def _freeze_after_this(self) -> None:
        """With `freeze_gc`, freeze once the snapshot just set (the first whole scan) is shown;
        once only: an object frozen is never collected as part of a cycle."""
        if self._freeze_gc:
            self._freeze_gc = False
            self._freeze_at = self._snapshots

    async def settled(self) -> None:
        """Wait until no scan, judgement or plan preview is pending (tests, screenshots and
        scripted runs; an apply is not waited for: it may be waiting for its confirmation)."""
        while True:
            busy = [w for w in self.workers if w.group in SETTLING and not w.is_finished]
            if not busy and not self.scan.running and not self._starting:
                return
            with suppress(WorkerCancelled, WorkerFailed):  # failures are reported where they occur
                await self.workers.wait_for_complete(busy)
            await asyncio.sleep(0)

    # ----------------------------------------------------------------------------------------
    # Live node events
    # ----------------------------------------------------------------------------------------

    @work(group=WATCH, exit_on_error=False, description="Following node events")
    async def _follow_node_events(self) -> None:
        async for event in self.source.node_events():
            self.post_message(NodeChanged(event))

    def on_node_changed(self, message: NodeChanged) -> None:
        latest = self._latest
        if latest is None:
            return  # the first scan has not finished; it will include this node
        event = message.event
        known = latest.node(event.node.name)
        if event.kind == "ADDED" and known is None:
            self.report(f"node {event.node.name} added", toast=True)
        elif event.kind == "DELETED":
            if known is None:
                return
            self.report(f"node {event.node.name} deleted", Level.WARNING, toast=True)
        elif known is not None and known.node is not None and same_node(known.node, event.node):
            return  # a status heartbeat, or a re-list after a 410: nothing to show or judge
        self.set_snapshot(apply_node_event(latest, event))

    # ----------------------------------------------------------------------------------------
    # Actions and their gating
    # ----------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.MUTATING_ACTIONS:
            if self.read_only or self.remedy is None:
                return False
            if action == "undo" and isinstance(self.screen, JournalScreen):
                return True
            return self._on_tab("checklist", "remediation")
        return not (isinstance(self.screen, ModalScreen) and action in self.MODAL_BLOCKED)

    def _on_tab(self, *tabs: str) -> bool:
        return isinstance(self.screen, MainScreen) and self.main.tabs.active in tabs

    def action_refresh(self) -> None:
        self.request_scan("refresh")

    async def action_quit_key(self) -> None:
        await self.action_quit()

    async def action_quit(self) -> None:
        """Quit (q, ctrl+q, the palette). While a change rolls out, only once the user confirms
        it: quitting stops the change where it is."""
        # The remediation tab is mounted just after the first frame: before it, nothing rolls out.
        panes = self.main.query(RemediationPane)
        pane = panes.first() if panes else None
        if pane is None or not pane.rolling_out:
            self.exit()
            return
        if self._asking_to_quit:
            return
        self._asking_to_quit = True
        what = pane.plan.title if pane.plan is not None else "a remediation"
        dialog = ConfirmDialog(
            "Quit while a change rolls out?",
            f"{what} is being applied right now. Quitting stops it where it is: the journal marks "
            "it interrupted, and what was already changed stays changed until you undo it "
            "(u, or cilium-tui undo).",
            confirm_label="Quit",
        )
        self.push_screen(dialog, self._quit_answered)

    def _quit_answered(self, answer: bool | None) -> None:
        self._asking_to_quit = False
        if answer:
            self.report("quit while a change was rolling out: it was interrupted", Level.WARNING)
            self.exit()

    def choose_columns(self, columns: Sequence[str]) -> None:
        """Show these node-table columns from now on, and keep the choice in the config file."""
        self.node_columns, _ = known_columns(columns)
        try:
            save_setting(self.config_path, "columns", list(self.node_columns))
        except SettingsError as e:
            self.report(f"columns not saved: {e}", Level.ERROR, toast=True)
            return
        self.report(f"columns saved in {self.config_path}")

    def action_help(self) -> None:
        self.push_screen(HelpScreen(binding_sections(read_only=self.read_only), self.user_keymap))

    async def action_show_tab(self, tab: str) -> None:
        while not isinstance(self.screen, MainScreen):
            await self.pop_screen()
        self.main.show_tab(tab)

    def on_node_table_opened(self, message: NodeTable.Opened) -> None:
        self.open_node(message.name)

    def open_node(self, name: str) -> None:
        self.push_screen(NodeDetailScreen(name))

    async def on_item_chosen(self, message: ItemChosen) -> None:
        await self.choose_item(message.item_id, message.nodes)

    @property
    def remediation(self) -> RemediationPane:
        return self.main.query_one(RemediationPane)

    async def choose_item(self, item_id: str, nodes: Sequence[str] | None = None) -> None:
        """Preview the remediation of `item_id` (on `nodes` only) on the remediation tab."""
        await self.action_show_tab("remediation")
        self.remediation.choose(item_id, nodes)

    async def action_apply(self) -> None:
        pane = self.remediation
        item_id = pane.item_id
        if self.main.tabs.active == "checklist":
            item_id = self.main.query_one(ChecklistPane).selected_item_id
        await self.action_show_tab("remediation")
        pane.apply(item_id)

    async def action_undo(self) -> None:
        """Undo the journal entry highlighted in the journal view, else the latest change."""
        screen = self.screen
        entry = screen.selected if isinstance(screen, JournalScreen) else None
        await self.action_show_tab("remediation")
        self.remediation.undo(entry.id if entry is not None else None)

    def action_journal(self) -> None:
        self.push_screen(JournalScreen(self.journal))

    # ----------------------------------------------------------------------------------------
    # Lessons
    # ----------------------------------------------------------------------------------------

    @work(group=LESSON, exclusive=True, exit_on_error=False, description="Opening a lesson")
    async def start_lesson(self, name: str) -> None:
        """Make `name` the active lesson, with the progress kept for this cluster."""
        try:
            lesson = load_lesson(name)
            guide, problems = await open_guide(lesson, self.source)
        except (LessonError, KubeError) as e:
            self.report(f"lesson {name}: {e}", Level.ERROR, toast=True)
            return
        for problem in problems:
            self.report(f"lesson progress: {problem}", Level.WARNING, toast=True)
        self.guide = guide
        self.report(f"lesson {name}: {lesson.title}")
        self._judge_lesson(self.cluster)

    def _judge_lesson(self, cluster: ClusterState | None) -> None:
        """The lesson on the published judgement; steps seen done are remembered."""
        guide = self.guide
        if guide is None or cluster is None:
            return
        status = guide.evaluate(cluster.judgement)
        if guide.reach(status):
            self._save_progress()
        self.lesson_status = status

    def _save_progress(self) -> None:
        assert self.guide is not None
        try:
            self.guide.save()
        except ProgressError as e:
            self.report(str(e), Level.WARNING, toast=True)

    async def action_lessons(self) -> None:
        """The Lessons view; the lesson of this lab (else the first) starts if none is on."""
        if self.guide is None:
            first = lesson_for(self.demo) if self.demo else None
            self.start_lesson(first.name if first is not None else lesson_names()[0])
        if not isinstance(self.screen, LessonsScreen):
            self.push_screen(LessonsScreen())

    async def go_to_step(self, step_id: str) -> None:
        """Show the screen a step is about, with its row or item highlighted; a "look" step
        is done once gone to."""
        guide = self.guide
        if guide is None:
            return
        step = guide.lesson.step(step_id)
        guide.visit(step_id)
        self._save_progress()
        self._judge_lesson(self.cluster)
        look = step.look
        if look.screen == "remediation" and look.item is not None:
            await self.choose_item(look.item)
            return
        # One tab switch only: a second one queued behind it would be undone by the first.
        await self.action_show_tab("nodes" if look.screen == "detail" else look.screen)
        if look.screen == "detail" and look.node is not None:
            self.push_screen(NodeDetailScreen(look.node, DETAIL_SECTIONS.get(look.section or "")))
        elif look.screen == "checklist" and look.item is not None:
            self.main.query_one(ChecklistPane).select_item(look.item)
        elif look.screen == "nodes":
            table = self.main.query_one(NodeTable)
            if look.node is not None:
                table.show_node(look.node)
            if look.column is not None:
                table.show_column(look.column)

    # ----------------------------------------------------------------------------------------
    # The command palette
    # ----------------------------------------------------------------------------------------

    def palette_commands(self) -> list[PaletteCommand]:
        commands = [
            PaletteCommand(
                f"Go to {tab.capitalize()}",
                f"show the {tab} tab ({n})",
                partial(self.run_action, f"show_tab('{tab}')"),
            )
            for n, tab in enumerate(TABS, 1)
        ]
        commands.append(
            PaletteCommand("Refresh now", "scan the cluster again (r)", self.action_refresh)
        )
        commands.append(PaletteCommand("Keys", "every key binding (?)", self.action_help))
        commands.append(
            PaletteCommand("Journal", "every change made, and undo (j)", self.action_journal)
        )
        commands.append(
            PaletteCommand("Lessons", "the lesson's steps and progress (l)", self.action_lessons)
        )
        for lesson in lessons():
            commands.append(
                PaletteCommand(
                    f"Lesson {lesson.name}",
                    f"start: {lesson.title}",
                    partial(self.start_lesson, lesson.name),
                )
            )
        if self.check_action("apply", ()):
            commands.append(
                PaletteCommand("Apply remediation…", "of the selected item (a)", self.action_apply)
            )
        if self.check_action("undo", ()):
            commands.append(
                PaletteCommand("Undo the last change…", "from the journal (u)", self.action_undo)
            )
        if self.cluster is not None:
            for record in self.cluster.snapshot.nodes:
                commands.append(
                    PaletteCommand(
                        f"Node {record.name}",
                        "open the node's facts, findings and raw status",
                        partial(self.open_node, record.name),
                    )
                )
            for rollup in self.cluster.judgement.rollups:
                commands.append(
                    PaletteCommand(
                        f"Item {rollup.item.title}",
                        rollup.headline,
                        partial(self.choose_item, rollup.item.id),
                    )
                )
        return commands


def binding_sections(*, read_only: bool = False) -> list[BindingSection]:
    """Every binding of the console, by where it applies (for help and keymap checks); in
    read-only mode the mutating ones are left out, as they are from the footer."""
    # Textual's own: ctrl+q quits even from help and dialogs; the tree's keys open an item.
    quit_ = Binding("ctrl+q", "quit", "Quit, even from a dialog")
    tree = [
        Binding("enter,space", "toggle_node", "Expand / collapse the item"),
        Binding("shift+space", "toggle_expand_all", "Expand / collapse all"),
    ]
    everywhere = [b for b in CiliumTuiApp.BINDINGS if b not in MUTATING_BINDINGS]
    changes = [] if read_only else [("checklist, remediation; undo: journal", MUTATING_BINDINGS)]
    sections: list[tuple[str, Sequence[BindingType]]] = [
        ("everywhere", [*everywhere, quit_]),
        *changes,
        ("nodes", [*NodesPane.BINDINGS, *NodeTable.BINDINGS]),
        ("node detail", NodeDetailScreen.BINDINGS),
        ("journal", JournalScreen.BINDINGS),
        ("lessons (l)", LessonsScreen.BINDINGS),
        ("checklist", [*ChecklistPane.BINDINGS, *tree]),
        ("column picker (c)", ColumnPicker.BINDINGS),
        ("dialogs", ConfirmDialog.BINDINGS),
        ("help", HelpScreen.BINDINGS),
    ]
    return [
        (where, [b for b in bindings if isinstance(b, Binding)]) for where, bindings in sections
    ]


def binding_ids() -> list[str]:
    return [b.id for _, bindings in binding_sections() for b in bindings if b.id]


async def run_console(
    settings: Settings,
    source: Source,
    initial: Snapshot | None = None,
    *,
    remedy: RemedyEngine | None = None,
) -> int:
    """Run the console on the running loop until the user quits (the source's connections live on
    this loop; the app closes the source). `initial` is a snapshot read before (a file); without
    it the console scans on screen. A bad theme, or a cluster of which nothing could be read, is
    one line on stderr and exit status 2, not a traceback."""
    try:
        app = CiliumTuiApp(
            source,
            read_only=settings.read_only,
            theme=settings.theme,
            refresh=settings.refresh,
            demo=settings.demo,
            keymap=settings.keymap,
            initial=initial,
            remedy=remedy,
            columns=settings.columns,
            config_path=settings.config_file,
            freeze_gc=True,
        )
    except ThemeError as e:
        print(f"cilium-tui: {e}", file=sys.stderr)
        await source.close()
        return 2
    loop = asyncio.get_running_loop()
    ending = (signal.SIGTERM, signal.SIGHUP)

    def end(signum: signal.Signals) -> None:
        """SIGTERM or a closed terminal (SIGHUP): quit as `q` would, so that the terminal is
        restored, a running change records where it stopped, and the source (the demo's lab and
        its temporary directory with credentials) is closed."""
        app.report(f"stopped by {signum.name}", Level.ERROR)
        app.exit(return_code=128 + int(signum))

    for signum in ending:
        loop.add_signal_handler(signum, end, signum)
    try:
        await app.run_async()
    finally:
        for signum in ending:
            loop.remove_signal_handler(signum)
    if app.failure is not None:
        print(f"cilium-tui: {app.failure}", file=sys.stderr)
    return app.return_code or 0
