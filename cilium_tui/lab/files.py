"""What a started lab writes for its clients (light: a lab process's parent imports only this)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LabFiles:
    directory: Path
    kubeconfig: Path
    ssh_config: Path
    known_hosts: Path
    inventory: Path
