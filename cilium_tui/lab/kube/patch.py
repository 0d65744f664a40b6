"""PATCH bodies by content type, as the real server applies them (or a loud refusal).

- `application/merge-patch+json`: RFC 7386 (null deletes a key, objects merge, the rest replaces).
- `application/json-patch+json`: RFC 6902, by the `jsonpatch` package.
- `application/strategic-merge-patch+json`: the real server merges lists by their patch keys and
  obeys `$patch`/`$retainKeys`/… directives, which the lab does not emulate. A body without lists
  and without `$` keys merges exactly like a merge patch, so it is applied as one; anything else is
  a 422 instead of a silently wrong result.
"""

from __future__ import annotations

import json
from typing import Any

import jsonpatch

from cilium_tui.lab.kube.errors import ApiError, bad_request, invalid, unsupported_media_type

MERGE = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
STRATEGIC = "application/strategic-merge-patch+json"
APPLY = "application/apply-patch+yaml"


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON Merge Patch."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _strategic_unsupported(body: Any) -> str | None:
    """Why a strategic-merge body is beyond the lab (a list or a `$` directive), or None."""
    if isinstance(body, list):
        return "lists"
    if isinstance(body, dict):
        for key, value in body.items():
            if key.startswith("$"):
                return f"the {key} directive"
            why = _strategic_unsupported(value)
            if why:
                return why
    return None


def apply_patch(content_type: str, current: dict[str, Any], raw: bytes) -> dict[str, Any]:
    """The object after applying a PATCH body of `content_type` to `current`."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media == APPLY:
        raise ApiError(415, "UnsupportedMediaType", "server-side apply is not emulated by the lab")
    if media not in (MERGE, JSON_PATCH, STRATEGIC):
        raise unsupported_media_type(media)
    try:
        body = json.loads(raw)
    except ValueError as e:
        raise bad_request(f"error decoding patch: {e}") from None
    if media == JSON_PATCH:
        if not isinstance(body, list):
            raise bad_request("json patch must be a JSON array of operations")
        try:
            patched = jsonpatch.apply_patch(current, body)
        except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException) as e:
            raise invalid(
                f"the server rejected our request due to an error in our request: {e}"
            ) from e
        if not isinstance(patched, dict):
            raise invalid("a json patch must leave an object")
        return patched
    if not isinstance(body, dict):
        raise bad_request("a merge patch body must be a JSON object")
    if media == STRATEGIC:
        why = _strategic_unsupported(body)
        if why:
            raise invalid(
                f"lab apiserver: strategic merge of {why} is not emulated; send a merge patch "
                "(application/merge-patch+json) or a JSON patch instead"
            )
    patched = merge_patch(current, body)
    assert isinstance(patched, dict)
    return patched
