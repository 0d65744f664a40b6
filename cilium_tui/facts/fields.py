"""The fields of an API object a parser reads, and the object cut down to them.

A Node or a Pod as the API serves it is kilobytes (labels, annotations, images, managed fields);
a parser reads a few dozen bytes of it. A collector that lists thousands of them keeps only what
`Fields` names (`kept`), page by page, so no list is ever held whole. The cut keeps the object's
shape: the same keys at the same paths, the same list order, and any value that is not the
mapping the shape expects (a string where a list should be, say) as it came, so a parser reads
from the cut object exactly what it read from the whole one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

Fields = Mapping[str, "Fields | Literal[True]"]
"""Key -> True (keep the value whole) or the fields to keep of it. Where the value is a list,
the fields apply to each of its items."""


def kept(value: Any, fields: Fields) -> Any:
    """`value` with only `fields` (recursively); anything that is not a mapping or a list of
    them is returned as it is."""
    if isinstance(value, Mapping):
        return {
            key: item if sub is True else kept(item, sub)
            for key, sub in fields.items()
            if key in value
            for item in (value[key],)
        }
    if isinstance(value, list):
        return [kept(item, fields) for item in value]
    return value
