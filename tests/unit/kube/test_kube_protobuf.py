"""The protobuf SelfSubjectAccessReview kubectl sends."""

from __future__ import annotations

import pytest

from cilium_tui.lab.kube.errors import ApiError
from cilium_tui.lab.kube.protobuf import decode_access_review

# What kubectl 1.32 posted for `kubectl auth can-i patch configmaps` (recorded by the lab).
KUBECTL_CAN_I = (
    b"k8s\x00\n2\n\x17authorization.k8s.io/v1\x12\x17SelfSubjectAccessReview\x12H\n\x10\n\x00"
    b'\x12\x00\x1a\x00"\x00*\x002\x008\x00B\x00\x12*\n(\n\x0bkube-system\x12\x05patch\x1a\x00"\x00'
    b'*\nconfigmaps2\x00:\x00\x1a\x08\x08\x00\x12\x00\x1a\x00 \x00\x1a\x00"\x00'
)


def test_decodes_kubectls_can_i() -> None:
    review = decode_access_review(KUBECTL_CAN_I)
    assert review["kind"] == "SelfSubjectAccessReview"
    assert review["spec"]["resourceAttributes"] == {
        "namespace": "kube-system",
        "verb": "patch",
        "group": "",
        "version": "",
        "resource": "configmaps",
        "subresource": "",
        "name": "",
    }


@pytest.mark.parametrize("body", [b"", b"{}", KUBECTL_CAN_I[:40], b"k8s\x00\n\x05\n\x01a"])
def test_garbage_is_400(body: bytes) -> None:
    with pytest.raises(ApiError) as e:
        decode_access_review(body)
    assert e.value.code == 400
