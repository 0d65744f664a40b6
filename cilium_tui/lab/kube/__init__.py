"""The lab's Kubernetes API server: the real REST API over HTTPS on loopback, backed by a store
with etcd-like resourceVersions, watches, pod exec over websocket and a DaemonSet controller."""

from cilium_tui.lab.kube.access import AccessRules
from cilium_tui.lab.kube.controllers import AgentStarter, StartResult, Timing
from cilium_tui.lab.kube.exec import ExecHandler, ExecResult, command_not_found
from cilium_tui.lab.kube.requestlog import RecordedRequest, RequestLog
from cilium_tui.lab.kube.server import LabApiServer
from cilium_tui.lab.kube.store import Store, StoreEvent

__all__ = [
    "AccessRules",
    "AgentStarter",
    "ExecHandler",
    "ExecResult",
    "LabApiServer",
    "RecordedRequest",
    "RequestLog",
    "StartResult",
    "Store",
    "StoreEvent",
    "Timing",
    "command_not_found",
]
