"""The official Python client against the lab API server: discovery, reads, patches, errors, log."""

from __future__ import annotations

import json
import ssl
import urllib.request
from typing import Any

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from cilium_tui.lab.kube import LabApiServer


def _request(
    lab: LabApiServer,
    path: str,
    *,
    token: str | None = "",
    method: str = "GET",
    body: bytes | None = None,
    content_type: str | None = None,
) -> tuple[int, Any]:
    """One raw HTTPS request (for what the generated client refuses to send)."""
    ctx = ssl.create_default_context(cadata=lab.ca_pem.decode())
    req = urllib.request.Request(lab.url + path, data=body, method=method)
    if token is not None:
        req.add_header("Authorization", f"Bearer {token or lab.token}")
    if content_type:
        req.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_discovery_documents(lab: LabApiServer) -> None:
    status, version = _request(lab, "/version")
    assert status == 200
    assert version["gitVersion"] == "v1.26.6+k3s1"
    assert (version["major"], version["minor"]) == ("1", "26")
    assert _request(lab, "/api")[1]["versions"] == ["v1"]
    groups = {g["name"] for g in _request(lab, "/apis")[1]["groups"]}
    assert groups == {"apps", "authorization.k8s.io", "cilium.io"}
    core = {r["name"]: r for r in _request(lab, "/api/v1")[1]["resources"]}
    assert core["configmaps"]["shortNames"] == ["cm"]
    assert core["pods"]["shortNames"] == ["po"]
    assert core["nodes"] == {
        "name": "nodes",
        "singularName": "node",
        "namespaced": False,
        "kind": "Node",
        "verbs": ["get", "list", "watch"],
        "shortNames": ["no"],
    }
    assert "delete" in core["pods"]["verbs"]
    apps = _request(lab, "/apis/apps/v1")[1]["resources"]
    assert [(r["name"], r["shortNames"], r["verbs"]) for r in apps] == [
        ("daemonsets", ["ds"], ["get", "list", "watch", "patch"])
    ]
    authz = _request(lab, "/apis/authorization.k8s.io/v1")[1]["resources"]
    assert [r["name"] for r in authz] == ["selfsubjectaccessreviews"]
    cilium = _request(lab, "/apis/cilium.io/v2")[1]["resources"]
    assert [(r["kind"], r["namespaced"]) for r in cilium] == [("CiliumNodeConfig", True)]


def test_wrong_or_missing_token_is_401_status(lab: LabApiServer) -> None:
    for token in (None, "not-the-token"):
        status, body = _request(lab, "/api/v1/nodes", token=token)
        assert status == 401
        assert body == {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": "Unauthorized",
            "reason": "Unauthorized",
            "code": 401,
        }


def test_tls_is_verified_against_the_lab_ca(lab: LabApiServer) -> None:
    with pytest.raises(urllib.error.URLError, match="CERTIFICATE_VERIFY_FAILED"):
        urllib.request.urlopen(lab.url + "/version", timeout=10)  # system CAs: must fail


def test_kubeconfig_file_is_private(lab: LabApiServer, kubeconfig: Any) -> None:
    assert kubeconfig.stat().st_mode & 0o777 == 0o600
    text = kubeconfig.read_text()
    assert lab.token in text and lab.url in text and "certificate-authority-data" in text


def test_nodes_list_and_get_deserialise_into_models(core: client.CoreV1Api) -> None:
    nodes = core.list_node()
    assert [n.metadata.name for n in nodes.items] == ["board-1", "vm-1", "vm-2", "vm-3"]
    assert int(nodes.metadata.resource_version) > 1000
    board = core.read_node("board-1")
    assert board.status.node_info.kernel_version == "4.19.0-24-arm64"
    assert board.status.node_info.architecture == "arm64"
    with pytest.raises(ApiException) as e:
        core.read_node("nope")
    assert e.value.status == 404
    body = json.loads(e.value.body)
    assert (body["reason"], body["message"]) == ("NotFound", 'nodes "nope" not found')


def test_pods_by_label_selector(core: client.CoreV1Api) -> None:
    def names(**kw: Any) -> list[str]:
        return [p.metadata.name for p in core.list_pod_for_all_namespaces(**kw).items]

    agents = ["cilium-board-1", "cilium-vm-1", "cilium-vm-2", "cilium-vm-3"]
    assert names(label_selector="k8s-app=cilium") == agents
    assert names(label_selector="k8s-app==cilium") == agents
    assert names(label_selector="k8s-app!=cilium") == ["coredns-59b4f5bbd5-x2vqf"]
    assert names(label_selector="k8s-app in (cilium, kube-dns)") == [
        *agents,
        "coredns-59b4f5bbd5-x2vqf",
    ]
    assert names(label_selector="k8s-app notin (cilium)") == ["coredns-59b4f5bbd5-x2vqf"]
    assert names(label_selector="controller-revision-hash") == agents
    assert names(label_selector="!controller-revision-hash") == ["coredns-59b4f5bbd5-x2vqf"]
    assert names(label_selector="k8s-app=cilium,app.kubernetes.io/part-of=cilium") == agents
    with pytest.raises(ApiException) as e:
        names(label_selector="k8s-app in cilium")
    assert e.value.status == 400


def test_pods_by_field_selector(core: client.CoreV1Api) -> None:
    on_vm2 = core.list_namespaced_pod(
        "kube-system", label_selector="k8s-app=cilium", field_selector="spec.nodeName=vm-2"
    )
    assert [p.metadata.name for p in on_vm2.items] == ["cilium-vm-2"]
    by_name = core.list_pod_for_all_namespaces(field_selector="metadata.name=cilium-vm-1")
    assert [p.metadata.name for p in by_name.items] == ["cilium-vm-1"]
    assert core.list_pod_for_all_namespaces(field_selector="metadata.namespace=other").items == []
    assert core.list_namespaced_pod("other").items == []
    with pytest.raises(ApiException) as e:
        core.list_pod_for_all_namespaces(field_selector="spec.schedulerName=x")
    assert e.value.status == 400
    assert "field label not supported" in json.loads(e.value.body)["message"]


def test_agent_pods_look_real(core: client.CoreV1Api) -> None:
    pod = core.read_namespaced_pod("cilium-vm-1", "kube-system")
    assert pod.status.phase == "Running"
    assert pod.spec.node_name == "vm-1"
    assert pod.metadata.labels["k8s-app"] == "cilium"
    assert pod.metadata.owner_references[0].kind == "DaemonSet"
    (status,) = pod.status.container_statuses
    assert (status.name, status.ready, status.restart_count) == ("cilium-agent", True, 0)
    assert {c.type: c.status for c in pod.status.conditions}["Ready"] == "True"


def test_list_limit_and_continue(core: client.CoreV1Api) -> None:
    first = core.list_node(limit=3)
    assert len(first.items) == 3
    assert first.metadata.remaining_item_count == 1
    rest = core.list_node(limit=3, _continue=first.metadata._continue)
    assert [n.metadata.name for n in rest.items] == ["vm-3"]
    assert rest.metadata._continue is None


def test_configmap_merge_patch_bumps_resource_version(core: client.CoreV1Api) -> None:
    before = core.read_namespaced_config_map("cilium-config", "kube-system")
    after = core.patch_namespaced_config_map(
        "cilium-config",
        "kube-system",
        {"data": {"enable-bpf-masquerade": "false", "tunnel": None}},
        _content_type="application/merge-patch+json",
    )
    assert after.data["enable-bpf-masquerade"] == "false"
    assert "tunnel" not in after.data
    assert int(after.metadata.resource_version) > int(before.metadata.resource_version)
    assert after.metadata.uid == before.metadata.uid


def test_configmap_json_patch(core: client.CoreV1Api) -> None:
    after = core.patch_namespaced_config_map(
        "cilium-config",
        "kube-system",
        [
            {"op": "test", "path": "/data/tunnel", "value": "disabled"},
            {"op": "replace", "path": "/data/tunnel", "value": "vxlan"},
            {"op": "add", "path": "/data/enable-bandwidth-manager", "value": "true"},
        ],
        _content_type="application/json-patch+json",
    )
    assert after.data["tunnel"] == "vxlan"
    assert after.data["enable-bandwidth-manager"] == "true"
    with pytest.raises(ApiException) as e:  # a failing `test` op changes nothing
        core.patch_namespaced_config_map(
            "cilium-config",
            "kube-system",
            [{"op": "test", "path": "/data/tunnel", "value": "disabled"}],
            _content_type="application/json-patch+json",
        )
    assert e.value.status == 422


def test_configmap_strategic_patch_without_lists_is_a_merge(core: client.CoreV1Api) -> None:
    after = core.patch_namespaced_config_map(
        "cilium-config",
        "kube-system",
        {"data": {"debug": "true"}},
        _content_type="application/strategic-merge-patch+json",
    )
    assert after.data["debug"] == "true"
    assert after.data["tunnel"] == "disabled"


@pytest.mark.parametrize(
    "body",
    [{"metadata": {"finalizers": ["x"]}}, {"data": {"$patch": "replace"}}],
    ids=["list", "directive"],
)
def test_strategic_patch_beyond_the_lab_is_422(core: client.CoreV1Api, body: Any) -> None:
    with pytest.raises(ApiException) as e:
        core.patch_namespaced_config_map(
            "cilium-config",
            "kube-system",
            body,
            _content_type="application/strategic-merge-patch+json",
        )
    assert e.value.status == 422
    assert "not emulated" in json.loads(e.value.body)["message"]


def test_unknown_patch_content_type_is_415(lab: LabApiServer) -> None:
    status, body = _request(
        lab,
        "/api/v1/namespaces/kube-system/configmaps/cilium-config",
        method="PATCH",
        body=b"<data/>",
        content_type="application/xml",
    )
    assert status == 415
    assert body["reason"] == "UnsupportedMediaType"


def test_stale_resource_version_in_patch_is_409(core: client.CoreV1Api) -> None:
    stale = core.read_namespaced_config_map("cilium-config", "kube-system").metadata
    core.patch_namespaced_config_map(
        "cilium-config",
        "kube-system",
        {"data": {"debug": "true"}},
        _content_type="application/merge-patch+json",
    )
    with pytest.raises(ApiException) as e:
        core.patch_namespaced_config_map(
            "cilium-config",
            "kube-system",
            {"metadata": {"resourceVersion": stale.resource_version}, "data": {"debug": "no"}},
            _content_type="application/merge-patch+json",
        )
    assert e.value.status == 409
    body = json.loads(e.value.body)
    assert body["reason"] == "Conflict"
    assert body["message"] == (
        'Operation cannot be fulfilled on configmaps "cilium-config": the object has been '
        "modified; please apply your changes to the latest version and try again"
    )
    current = core.read_namespaced_config_map("cilium-config", "kube-system")
    assert current.data["debug"] == "true"


def test_stale_preconditions_in_delete_are_409(core: client.CoreV1Api) -> None:
    pod = core.read_namespaced_pod("cilium-vm-1", "kube-system").metadata
    for stale in (
        client.V1Preconditions(resource_version=str(int(pod.resource_version) - 1)),
        client.V1Preconditions(uid="not-" + pod.uid),
    ):
        with pytest.raises(ApiException) as e:
            core.delete_namespaced_pod(
                "cilium-vm-1", "kube-system", body=client.V1DeleteOptions(preconditions=stale)
            )
        assert e.value.status == 409
        message = json.loads(e.value.body)["message"]
        assert message.startswith("Precondition failed: ")
        assert "ResourceVersion" in message if stale.resource_version else "UID" in message
    fresh = client.V1Preconditions(resource_version=pod.resource_version, uid=pod.uid)
    core.delete_namespaced_pod(
        "cilium-vm-1", "kube-system", body=client.V1DeleteOptions(preconditions=fresh)
    )


def test_a_patch_cannot_rename_the_object(core: client.CoreV1Api) -> None:
    with pytest.raises(ApiException) as e:
        core.patch_namespaced_config_map(
            "cilium-config",
            "kube-system",
            {"metadata": {"name": "other"}},
            _content_type="application/merge-patch+json",
        )
    assert e.value.status == 400
    assert json.loads(e.value.body)["message"] == (
        "the name of the object (other) does not match the name on the URL (cilium-config)"
    )
    assert core.read_namespaced_config_map("cilium-config", "kube-system").metadata.name


def test_configmap_values_must_be_strings(core: client.CoreV1Api) -> None:
    with pytest.raises(ApiException) as e:
        core.patch_namespaced_config_map(
            "cilium-config",
            "kube-system",
            {"data": {"debug": 1}},
            _content_type="application/merge-patch+json",
        )
    assert e.value.status == 400


def test_dry_run_patch_changes_nothing(core: client.CoreV1Api, lab: LabApiServer) -> None:
    rv = lab.store.resource_version
    preview = core.patch_namespaced_config_map(
        "cilium-config",
        "kube-system",
        {"data": {"debug": "true"}},
        _content_type="application/merge-patch+json",
        dry_run="All",
    )
    assert preview.data["debug"] == "true"
    assert "debug" not in core.read_namespaced_config_map("cilium-config", "kube-system").data
    assert lab.store.resource_version == rv


def test_rollout_restart_patch_bumps_generation(apps: client.AppsV1Api) -> None:
    before = apps.read_namespaced_daemon_set("cilium", "kube-system")
    after = apps.patch_namespaced_daemon_set(
        "cilium",
        "kube-system",
        {
            "spec": {
                "template": {
                    "metadata": {
                        "annotations": {"kubectl.kubernetes.io/restartedAt": "2026-11-27T10:00:00Z"}
                    }
                }
            }
        },
        _content_type="application/strategic-merge-patch+json",
    )
    assert after.metadata.generation == before.metadata.generation + 1
    assert after.spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"] == (
        "2026-11-27T10:00:00Z"
    )


def test_verbs_not_emulated_answer_405(core: client.CoreV1Api) -> None:
    with pytest.raises(ApiException) as e:
        core.delete_node("vm-1")
    assert e.value.status == 405
    with pytest.raises(ApiException) as e:
        core.create_namespaced_config_map("kube-system", {"metadata": {"name": "x"}})
    assert e.value.status == 405
    with pytest.raises(ApiException) as e:
        core.list_namespaced_service("kube-system")
    assert e.value.status == 404
    assert json.loads(e.value.body)["message"] == "the server could not find the requested resource"


def test_access_review_answers_from_the_rule_table(
    lab: LabApiServer, api_client: client.ApiClient
) -> None:
    authz = client.AuthorizationV1Api(api_client)

    def allowed(verb: str, resource: str) -> bool:
        review = authz.create_self_subject_access_review(
            {
                "spec": {
                    "resourceAttributes": {
                        "verb": verb,
                        "resource": resource,
                        "namespace": "kube-system",
                    }
                }
            }
        )
        return bool(review.status.allowed)

    assert allowed("patch", "configmaps")
    lab.access.deny("patch", "configmaps")
    assert not allowed("patch", "configmaps")
    assert allowed("get", "configmaps")
    # the table guards the real request too
    with pytest.raises(ApiException) as e:
        client.CoreV1Api(api_client).patch_namespaced_config_map(
            "cilium-config",
            "kube-system",
            {"data": {"a": "b"}},
            _content_type="application/merge-patch+json",
        )
    assert e.value.status == 403
    assert json.loads(e.value.body)["message"] == (
        'configmaps "cilium-config" is forbidden: User "lab-admin" cannot patch resource '
        '"configmaps" in API group "" in the namespace "kube-system"'
    )


def test_request_log_records_every_call(lab: LabApiServer, core: client.CoreV1Api) -> None:
    lab.requests.clear()
    core.list_node()
    core.patch_namespaced_config_map(
        "cilium-config",
        "kube-system",
        {"data": {"debug": "true"}},
        _content_type="application/merge-patch+json",
    )
    with pytest.raises(ApiException):
        core.read_namespaced_pod("nope", "kube-system")
    records = lab.requests.records()
    assert [(r.method, r.path, r.status) for r in records] == [
        ("GET", "/api/v1/nodes", 200),
        ("PATCH", "/api/v1/namespaces/kube-system/configmaps/cilium-config", 200),
        ("GET", "/api/v1/namespaces/kube-system/pods/nope", 404),
    ]
    patch = records[1]
    assert patch.content_type == "application/merge-patch+json"
    assert json.loads(patch.body) == {"data": {"debug": "true"}}
    assert patch.user_agent.startswith("OpenAPI-Generator/")
    assert lab.requests.mutating() == [patch]


def test_server_restarts_with_its_state() -> None:
    from kubernetes import config

    lab = LabApiServer()
    with lab:
        lab.store.put("configmaps", {"metadata": {"name": "c", "namespace": "ns"}})
    with pytest.raises(RuntimeError, match="not running"):
        _ = lab.url
    with lab:
        api = config.new_client_from_config_dict(lab.kubeconfig(), persist_config=False)
        got = client.CoreV1Api(api).read_namespaced_config_map("c", "ns")
        assert got.metadata.name == "c"
        api.close()


def test_latency_knob_delays_answers(lab: LabApiServer, core: client.CoreV1Api) -> None:
    import time

    lab.knobs.latency = 0.3
    start = time.monotonic()
    core.list_node()
    assert time.monotonic() - start >= 0.3
