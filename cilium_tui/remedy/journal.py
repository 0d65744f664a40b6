"""The journal: one JSON file per change, written before the first mutation, updated as it goes.

    journal = Journal()                      # $XDG_STATE_HOME/cilium-tui/journal/ (0700)
    for entry in journal.entries():          # newest first
        print(entry.id, entry.status, entry.item_id)
    entry = journal.latest_undoable(cluster)  # of the cluster cilium-tui is connected to

An entry records who (user@host), where (context, source, and the `ClusterIdentity`: API server
URL, context, cilium-config's UID), what (the plan as `Plan.to_dict`),
the previous value of every cilium-config key it touches (None: the key was absent), the
resourceVersion before and after the patch, what each node step's check printed before it ran,
the agents restarted, and every event (applied, stopped at node X, verified, undone...). That is
everything `remedy.undo.undo_plan` needs to put things back exactly. Files are 0600: they name the
cluster and its settings.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import secrets
import socket
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast, get_args

from cilium_tui.collect.node_commands import rebuild
from cilium_tui.remedy.plan import JSON, Plan, PlanFormatError, plan_from_dict
from cilium_tui.textfile import TextFileError, read_bounded_text, write_atomic

if TYPE_CHECKING:
    from cilium_tui.collect.scan import ClusterSource

EntryStatus = Literal[
    "started",
    "conflict",
    "failed",
    "stopped",
    "interrupted",
    "applied",
    "verified",
    "mismatch",
]
"""Where a change stands: written as "started" before the first mutation; "conflict" when the
patch was refused and nothing changed; "failed"/"stopped" part way; "interrupted" by Ctrl-C or
SIGTERM; "applied" once every step ran; "verified" or "mismatch" after the re-scan."""

IntentKind = Literal["patch", "delete"]

_ID = re.compile(r"^[0-9]{8}T[0-9]{6}Z-[a-z0-9-]{1,64}-[0-9a-f]{4}$")
FORMAT = 1
MAX_ENTRY_BYTES = 4 * 1024 * 1024
"""An entry of the largest cluster's change is a few hundred kB; a bigger file is not one."""


class JournalError(Exception):
    """A journal entry that cannot be found, read or written; the message says which."""


def default_directory(env: Mapping[str, str] | None = None) -> Path:
    """``$XDG_STATE_HOME/cilium-tui/journal``, by default ``~/.local/state/cilium-tui/journal``."""
    env = os.environ if env is None else env
    base = env.get("XDG_STATE_HOME") or str(Path("~/.local/state").expanduser())
    return Path(base) / "cilium-tui" / "journal"


def journal_for(source: ClusterSource) -> Journal:
    """The journal of changes made through `source`: the user's, except for the embedded lab
    (`--demo`), whose changes are journalled with the lab and go with it. A demo's entries never
    land among the user's real ones, where an undo could later be tried on a real cluster."""
    if source.journal_dir is None:
        return Journal()
    return Journal(source.journal_dir, temporary=True)


@dataclass(frozen=True)
class ClusterIdentity:
    """Which cluster a change was made on, as far as cilium-tui can tell.

    `server` (the API server URL) and `context` come from the kubeconfig; both None for a source
    without a Kubernetes API (SSH only). `config_uid` is cilium-config's metadata.uid when it was
    read: two clusters reached through the same URL and context name (every K3s kubeconfig says
    `default` at https://127.0.0.1:6443) still differ there, and a re-installed Cilium too.
    """

    server: str | None
    context: str | None
    config_uid: str | None = None

    def __str__(self) -> str:
        if self.server is None and self.context is None:
            return "no Kubernetes API (SSH only)"
        return f"context {self.context or '?'} at {self.server or '?'}"

    def mismatch(self, connected: ClusterIdentity) -> str | None:
        """Why `connected` is not this cluster (one phrase), or None when it is."""
        if (self.server, self.context) != (connected.server, connected.context):
            return f"it was made on {self}, and cilium-tui is connected to {connected}"
        if self.config_uid and connected.config_uid and self.config_uid != connected.config_uid:
            return (
                f"cilium-config was re-created since (its UID was {self.config_uid}, it is "
                f"{connected.config_uid} now): the ConfigMap it changed is gone"
            )
        return None

    def to_dict(self) -> JSON:
        return {"server": self.server, "context": self.context, "configUid": self.config_uid}

    @classmethod
    def from_dict(cls, obj: Mapping[str, Any]) -> ClusterIdentity:
        def text(key: str) -> str | None:
            value = obj.get(key)
            return None if value is None else str(value)

        return cls(text("server"), text("context"), text("configUid"))


def who() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid())
    return f"{user}@{socket.gethostname()}"


def now() -> str:
    """UTC, to the microsecond: entries made within one second still sort in order."""
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


@dataclass
class Event:
    time: str
    status: str
    message: str
    node: str | None = None


@dataclass
class Intent:
    """A mutation about to be sent, journalled before it is: "patch" (cilium-config, expected at
    `resource_version`) or "delete" (the agent pod `pod`, UID `uid`, of `node`). `answered` once
    the server's answer is recorded; an unanswered intent means the outcome is unknown until it
    is reconciled from the cluster (`remedy.reconcile`)."""

    kind: IntentKind
    time: str
    node: str | None = None
    pod: str | None = None
    uid: str | None = None
    resource_version: str | None = None
    answered: bool = False

    def to_dict(self) -> JSON:
        return {
            "kind": self.kind,
            "time": self.time,
            "node": self.node,
            "pod": self.pod,
            "uid": self.uid,
            "resourceVersion": self.resource_version,
            "answered": self.answered,
        }

    @classmethod
    def from_dict(cls, obj: Mapping[str, Any]) -> Intent:
        kind = obj["kind"]
        if kind not in ("patch", "delete"):
            raise ValueError(f"unknown intent {kind!r}")

        def text(key: str) -> str | None:
            value = obj.get(key)
            return None if value is None else str(value)

        return cls(
            kind,
            str(obj["time"]),
            text("node"),
            text("pod"),
            text("uid"),
            text("resourceVersion"),
            obj.get("answered") is True,
        )


@dataclass
class JournalEntry:
    """One change. Mutable: the engine records its progress in it and saves it again."""

    id: str
    created: str
    user: str
    source: str
    context: str | None
    item_id: str
    plan: JSON
    cluster: ClusterIdentity | None = None
    """None in entries written before cilium-tui recorded it: the cluster is unknown."""
    status: EntryStatus = "started"
    undoes: str | None = None
    """The entry this one reverted (an undo is journalled like any change)."""
    undone_by: str | None = None
    previous: dict[str, str | None] = field(default_factory=dict)
    """Every cilium-config key the plan touches -> its value before (None: absent)."""
    resource_version: str | None = None
    resource_version_after: str | None = None
    node_before: dict[str, list[list[str]]] = field(default_factory=dict)
    """Node -> per node step (in plan order): what its check printed before it ran."""
    steps_done: list[list[Any]] = field(default_factory=list)
    """[node, step index] of every node step applied."""
    restarted: list[str] = field(default_factory=list)
    """Nodes whose agent was restarted, in order."""
    events: list[Event] = field(default_factory=list)
    agents_before: dict[str, str] = field(default_factory=dict)
    """Node -> UID of its agent pod, read just before the first mutation: an agent whose UID is
    not here started after the change began (see `remedy.reconcile`)."""
    intents: list[Intent] = field(default_factory=list)
    """Every mutation, journalled before it was sent."""

    @property
    def unsettled(self) -> bool:
        """A mutation was sent (or about to be) and its outcome is not on record, or the run
        ended without a word (killed): only the cluster can tell (`remedy.reconcile`)."""
        if not self.intents:  # nothing was sent to the cluster
            return False
        return self.status == "started" or any(not i.answered for i in self.intents)

    @property
    def mutated(self) -> bool:
        """Changed something, or may have (an unsettled intent): never "nothing to undo"."""
        return bool(
            self.resource_version_after or self.steps_done or self.restarted or self.unsettled
        )

    def intend(
        self,
        kind: IntentKind,
        *,
        node: str | None = None,
        pod: str | None = None,
        uid: str | None = None,
        resource_version: str | None = None,
    ) -> Intent:
        """Record a mutation about to be sent (the caller saves the entry before sending it)."""
        intent = Intent(kind, now(), node, pod, uid, resource_version)
        self.intents.append(intent)
        return intent

    @property
    def undoable(self) -> bool:
        return self.mutated and self.undone_by is None

    def why_not_on(self, connected: ClusterIdentity) -> str | None:
        """Why this change cannot be undone on the `connected` cluster, or None when it can."""
        if self.cluster is None:
            return (
                f"journal entry {self.id} does not say which cluster it changed (it was written "
                f"by an older cilium-tui; it names context {self.context or '?'} only): it is "
                "not undone automatically; its previous values are in `cilium-tui journal "
                "--format json`, to put back by hand on the right cluster"
            )
        why = self.cluster.mismatch(connected)
        return None if why is None else f"journal entry {self.id} is not for this cluster: {why}"

    def load_plan(self) -> Plan:
        try:
            return plan_from_dict(self.plan)
        except PlanFormatError as e:
            raise JournalError(f"journal entry {self.id}: {e}") from None

    def validate(self) -> None:
        """An entry is data, never a program: its plan must read back, and every node change in
        it must be exactly one cilium-tui makes (rebuilt through the same allow-list as apply).
        Raises JournalError naming what does not validate."""
        plan = self.load_plan()
        for step in plan.node_steps:
            try:
                rebuild(step.change)
            except ValueError as e:
                raise JournalError(f"node step on {step.node}: {e}") from None
        for key, value in self.previous.items():
            if value is not None and not isinstance(value, str):
                raise JournalError(f"previous value of {key}: not a string")
        if set(self.previous) - {c.key for c in plan.changes}:
            raise JournalError("previous values name keys the plan does not change")
        for other in (self.undoes, self.undone_by):
            if other is not None and not _ID.match(other):
                raise JournalError(f"not a journal entry id: {other!r}")

    def note(self, status: str, message: str, node: str | None = None) -> None:
        self.events.append(Event(now(), status, message, node))

    def to_dict(self) -> JSON:
        return {
            "format": FORMAT,
            "id": self.id,
            "created": self.created,
            "user": self.user,
            "source": self.source,
            "context": self.context,
            "cluster": None if self.cluster is None else self.cluster.to_dict(),
            "item": self.item_id,
            "status": self.status,
            "undoes": self.undoes,
            "undoneBy": self.undone_by,
            "previous": self.previous,
            "resourceVersion": self.resource_version,
            "resourceVersionAfter": self.resource_version_after,
            "nodeBefore": self.node_before,
            "stepsDone": self.steps_done,
            "restarted": self.restarted,
            "agentsBefore": self.agents_before,
            "intents": [i.to_dict() for i in self.intents],
            "events": [
                {"time": e.time, "status": e.status, "message": e.message, "node": e.node}
                for e in self.events
            ],
            "plan": self.plan,
        }

    @classmethod
    def from_dict(cls, obj: Mapping[str, Any]) -> JournalEntry:
        try:
            return cls(
                id=str(obj["id"]),
                created=str(obj["created"]),
                user=str(obj.get("user", "")),
                source=str(obj.get("source", "")),
                context=_opt_text(obj.get("context"), "context"),
                item_id=str(obj["item"]),
                plan=dict(obj["plan"]),
                cluster=None
                if obj.get("cluster") is None
                else ClusterIdentity.from_dict(dict(obj["cluster"])),
                status=_status(obj.get("status", "started")),
                undoes=_opt_text(obj.get("undoes"), "undoes"),
                undone_by=_opt_text(obj.get("undoneBy"), "undoneBy"),
                previous={str(k): v for k, v in dict(obj.get("previous") or {}).items()},
                resource_version=_opt_text(obj.get("resourceVersion"), "resourceVersion"),
                resource_version_after=_opt_text(
                    obj.get("resourceVersionAfter"), "resourceVersionAfter"
                ),
                node_before={
                    str(k): [list(map(str, lines)) for lines in v]
                    for k, v in dict(obj.get("nodeBefore") or {}).items()
                },
                steps_done=[list(s) for s in obj.get("stepsDone") or []],
                restarted=[str(n) for n in obj.get("restarted") or []],
                agents_before={
                    str(k): str(v) for k, v in dict(obj.get("agentsBefore") or {}).items()
                },
                intents=[Intent.from_dict(dict(i)) for i in obj.get("intents") or []],
                events=[
                    Event(str(e["time"]), str(e["status"]), str(e["message"]), e.get("node"))
                    for e in obj.get("events") or []
                ],
            )
        except (KeyError, TypeError, ValueError) as e:
            raise JournalError(f"not a journal entry: {e}") from None


def _opt_text(value: object, what: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise ValueError(f"{what}: expected a string or null")


def _status(value: object) -> EntryStatus:
    if value not in get_args(EntryStatus):
        raise ValueError(f"unknown status {value!r}")
    return cast(EntryStatus, value)


class Journal:
    """The journal directory (created 0700 on first write); `temporary` when it goes with the
    embedded lab that it journals."""

    def __init__(self, directory: Path | None = None, *, temporary: bool = False) -> None:
        self.directory = directory or default_directory()
        self.temporary = temporary
        self.problems: list[str] = []
        """Why entries were skipped by the last `entries()`, one line each naming the file."""

    def new_entry(
        self,
        plan: Plan,
        previous: Mapping[str, str | None],
        cluster: ClusterIdentity,
        agents_before: Mapping[str, str] | None = None,
    ) -> JournalEntry:
        """A "started" entry for `plan` on `cluster`, saved at once (before anything is
        changed). Raises JournalError when it cannot be written."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        entry = JournalEntry(
            id=f"{stamp}-{plan.item_id}-{secrets.token_hex(2)}",
            created=now(),
            user=who(),
            source=plan.cluster.source,
            context=plan.cluster.context,
            item_id=plan.item_id,
            plan=plan.to_dict(),
            cluster=cluster,
            undoes=plan.undoes,
            previous=dict(previous),
            resource_version=plan.cluster.resource_version,
            agents_before=dict(agents_before or {}),
        )
        entry.note("started", f"{plan.item_id}: {plan.summary}")
        self.save(entry)
        return entry

    def _path(self, entry_id: str) -> Path:
        if not _ID.match(entry_id):
            raise JournalError(f"not a journal entry id: {entry_id!r}")
        return self.directory / f"{entry_id}.json"

    def _ensure_directory(self) -> None:
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(self.directory, 0o700)  # noqa: PTH101 - also when it existed more open
        except OSError as e:
            raise JournalError(f"cannot create the journal {self.directory}: {e}") from None

    def check_writable(self) -> None:
        """Raises JournalError when no entry could be written here (checked before anything,
        even the cluster lock, is sent)."""
        self._ensure_directory()
        try:
            fd, probe = tempfile.mkstemp(prefix=".probe-", dir=self.directory)
            os.close(fd)
            Path(probe).unlink()
        except OSError as e:
            raise JournalError(f"cannot write in the journal {self.directory}: {e}") from None

    def save(self, entry: JournalEntry) -> None:
        """Write atomically (temporary file + rename), mode 0600."""
        self._ensure_directory()
        path = self._path(entry.id)
        text = json.dumps(entry.to_dict(), indent=2, sort_keys=False) + "\n"
        try:
            write_atomic(path, text, mode=0o600, durable=True)
        except OSError as e:
            raise JournalError(f"cannot write journal entry {path}: {e}") from None

    def load(self, entry_id: str) -> JournalEntry:
        path = self._path(entry_id)
        try:
            text = read_bounded_text(path, MAX_ENTRY_BYTES)
        except TextFileError as e:
            if e.missing:
                raise JournalError(f"no journal entry {entry_id} in {self.directory}") from None
            raise JournalError(f"{path}: refused: {e} (not an entry cilium-tui wrote)") from None
        try:
            entry = JournalEntry.from_dict(json.loads(text))
            entry.validate()
        except (ValueError, JournalError) as e:
            raise JournalError(f"{path}: refused: {e}") from None
        if entry.id != entry_id:
            raise JournalError(f"{path}: refused: it names itself {entry.id!r}")
        return entry

    def entries(self) -> list[JournalEntry]:
        """Every readable entry, newest first (those that do not validate are skipped, and
        listed in `problems` with their path and why)."""
        self.problems = []
        if not self.directory.is_dir():
            return []
        found = []
        for path in self.directory.glob("*.json"):
            try:
                found.append(self.load(path.stem))
            except JournalError as e:
                self.problems.append(str(e))
        return sorted(found, key=lambda e: (e.created, e.id), reverse=True)

    def latest_undoable(self, cluster: ClusterIdentity) -> JournalEntry | None:
        """The newest change made on `cluster` that can be undone (undo entries themselves are
        skipped, and so are changes of other clusters or of an unknown one)."""
        return next(
            (
                e
                for e in self.entries()
                if e.undoable and e.undoes is None and e.why_not_on(cluster) is None
            ),
            None,
        )
