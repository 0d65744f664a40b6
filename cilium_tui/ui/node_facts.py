"""Every fact known about one node, with the evidence it came from, for the detail view. Pure.

Facts are listed by walking the model's dataclasses, so a field added to the model shows up here
without anyone remembering to add it; None shows as the dim "?".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from cilium_tui.model import CiliumConfig, Evidence, NodeRecord
from cilium_tui.ui.cells import UNKNOWN, Cell, Tone, text_cell, unknown_cell

_SKIP = frozenset({"name", "evidence", "labels", "source_format", "errors"})


@dataclass(frozen=True)
class FactRow:
    source: str
    """Which collector knows it: "node", "agent", "agent pod", "probe", "config"."""
    name: str
    value: Cell
    evidence: str = ""


def fact_rows(record: NodeRecord, config: CiliumConfig | None = None) -> list[FactRow]:
    rows: list[FactRow] = []
    for source, facts in (
        ("node", record.node),
        ("agent pod", record.pod),
        ("agent", record.agent),
        ("probe", record.probe),
    ):
        if facts is not None:
            rows.extend(_dataclass_rows(source, facts))
    for collector, error in sorted(record.errors.items()):
        rows.append(FactRow(collector, "error", Cell(error, Tone.ERROR)))
    if record.probe is not None:
        rows.extend(FactRow("probe", "error", Cell(e, Tone.ERROR)) for e in record.probe.errors)
    if config is not None:
        for name, setting in sorted(config.settings.items()):
            shown = format_value(setting.value)
            if setting.defaulted:
                shown = dataclasses.replace(shown, detail="default")
            rows.append(FactRow("config", name, shown, evidence_text(setting.evidence)))
    return rows


def _dataclass_rows(source: str, facts: object) -> Iterator[FactRow]:
    evidence: Mapping[str, Evidence] = getattr(facts, "evidence", {})
    for field in dataclasses.fields(facts):  # type: ignore[arg-type]
        if field.name in _SKIP:
            continue
        proof = evidence.get(field.name)
        yield FactRow(
            source,
            field.name.replace("_", " "),
            format_value(getattr(facts, field.name)),
            evidence_text(proof) if proof is not None else "",
        )


def evidence_text(evidence: Evidence) -> str:
    """ "cilium status: Host Routing: Legacy" rather than repeating a label the line already has."""
    if evidence.where and evidence.text.startswith(evidence.where):
        return f"{evidence.source}: {evidence.text}"
    return str(evidence)


def format_value(value: object) -> Cell:
    """One value as a cell: None -> "?", booleans -> yes/no, tuples joined, nested facts as
    name=value pairs. Unknown parts of nested facts are left out, not shown as "no"."""
    if value is None:
        return unknown_cell()
    plain = _plain(value)
    return text_cell(plain) if plain else Cell("(none)", Tone.NA)


def _plain(value: object) -> str:
    if value is None:
        return UNKNOWN
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple):
        return ", ".join(_plain(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return ", ".join(
            f"{f.name.replace('_', ' ')}={_plain(getattr(value, f.name))}"
            for f in dataclasses.fields(value)
            if getattr(value, f.name) not in (None, ())
        )
    return str(value)
