"""One effective fact about a node, with where it came from and whether sources disagree."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

T_co = TypeVar("T_co", covariant=True)

Origin = Literal["agent", "config", "probe", "agent-pod", "node", "image", "predicted"]
"""Where the value came from: the agent's status, cilium-config, the SSH probe, the host read
through the agent pod, the Node object, the agent pod's image tag, or a prediction from the config
(e.g. Legacy host routing)."""


@dataclass(frozen=True)
class Fact(Generic[T_co]):
    """A value (None = unknown, never "off"), how its source printed it, and the evidence."""

    value: T_co | None
    text: str | None = None
    """The value as its source shows it, for sentences: "Tunnel", "native", "4.19.0-24-arm64"."""
    origin: Origin | None = None
    evidence: tuple[str, ...] = ()
    drift: str | None = None
    """Configured and running disagree: "configured native, agent still reports Tunnel: ..."."""

    @property
    def known(self) -> bool:
        return self.value is not None

    @property
    def shown(self) -> str:
        """The value for a sentence; "unknown" when there is none."""
        if self.text is not None:
            return self.text
        return "unknown" if self.value is None else str(self.value)
