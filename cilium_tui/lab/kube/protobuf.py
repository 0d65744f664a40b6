"""Just enough of Kubernetes' protobuf encoding to read a SelfSubjectAccessReview.

kubectl (client-go) posts access reviews as `application/vnd.kubernetes.protobuf` and does not fall
back to JSON, so the lab reads that one message: the `k8s\\0` envelope (runtime.Unknown) around a
SelfSubjectAccessReview whose spec holds ResourceAttributes or NonResourceAttributes. Answers go
back as JSON, which client-go accepts.
"""

from __future__ import annotations

from typing import Any

from cilium_tui.lab.kube.errors import bad_request

MAGIC = b"k8s\x00"

_RESOURCE_FIELDS = {
    1: "namespace",
    2: "verb",
    3: "group",
    4: "version",
    5: "resource",
    6: "subresource",
    7: "name",
}
_NON_RESOURCE_FIELDS = {1: "path", 2: "verb"}


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(data):
            raise bad_request("protobuf: truncated varint")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7


def fields(data: bytes) -> dict[int, bytes]:
    """The length-delimited fields of one message (the last occurrence wins; others skipped)."""
    out: dict[int, bytes] = {}
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            _, pos = _varint(data, pos)
        elif wire == 2:
            size, pos = _varint(data, pos)
            if pos + size > len(data):
                raise bad_request("protobuf: truncated field")
            out[number] = data[pos : pos + size]
            pos += size
        elif wire in (1, 5):
            pos += 8 if wire == 1 else 4
        else:
            raise bad_request(f"protobuf: unsupported wire type {wire}")
    return out


def _strings(data: bytes, names: dict[int, str]) -> dict[str, str]:
    return {names[n]: v.decode() for n, v in fields(data).items() if n in names}


def decode_access_review(body: bytes) -> dict[str, Any]:
    """A protobuf SelfSubjectAccessReview as the JSON object it stands for."""
    if not body.startswith(MAGIC):
        raise bad_request("protobuf: missing the k8s envelope")
    envelope = fields(body[len(MAGIC) :])
    type_meta = _strings(envelope.get(1, b""), {1: "apiVersion", 2: "kind"})
    if type_meta.get("kind") != "SelfSubjectAccessReview":
        raise bad_request(f"protobuf: expected a SelfSubjectAccessReview, got {type_meta}")
    spec_fields = fields(fields(envelope.get(2, b"")).get(2, b""))
    spec: dict[str, Any] = {}
    if 1 in spec_fields:
        spec["resourceAttributes"] = _strings(spec_fields[1], _RESOURCE_FIELDS)
    if 2 in spec_fields:
        spec["nonResourceAttributes"] = _strings(spec_fields[2], _NON_RESOURCE_FIELDS)
    return {**type_meta, "spec": spec}
