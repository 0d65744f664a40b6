"""The lab fixtures the offline tests share with the lab and remediation tests."""

from __future__ import annotations

from tests.integration.lab.conftest import seed
from tests.integration.remedy.conftest import lab

__all__ = ["lab", "seed"]
