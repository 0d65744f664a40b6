"""Choosing the kubeconfig and context like kubectl."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from cilium_tui.collect.kubeconfig import KubeconfigError, choose


def _write(
    path: Path, contexts: dict[str, str], current: str | None = None, namespace: str | None = None
) -> Path:
    doc: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {"name": c, "cluster": {"server": f"https://{c}.example:6443"}}
            for c in set(contexts.values())
        ],
        "users": [{"name": "u", "user": {"token": "t"}}],
        "contexts": [
            {
                "name": name,
                "context": {
                    "cluster": cluster,
                    "user": "u",
                    **({"namespace": namespace} if namespace else {}),
                },
            }
            for name, cluster in contexts.items()
        ],
    }
    if current:
        doc["current-context"] = current
    path.write_text(yaml.safe_dump(doc))
    return path


def test_explicit_file_and_context(tmp_path: Path) -> None:
    path = _write(tmp_path / "kc", {"a": "ca", "b": "cb"}, current="a", namespace="cilium")
    got = choose(str(path), env={})
    assert (got.context, got.cluster, got.namespace, got.server) == (
        "a",
        "ca",
        "cilium",
        "https://ca.example:6443",
    )
    assert choose(str(path), "b", env={}).context == "b"


def test_kubeconfig_list_merges_first_wins(tmp_path: Path) -> None:
    one = _write(tmp_path / "one", {"shared": "c1"})  # no current-context here
    two = _write(tmp_path / "two", {"shared": "c2", "other": "c3"}, current="other")
    three = _write(tmp_path / "three", {"x": "c4"}, current="x")
    env = {"KUBECONFIG": f"{one}:{tmp_path / 'gone'}:{two}:{three}"}
    got = choose(env=env)
    assert got.context == "other"  # the first file that sets current-context wins
    assert got.paths == (one, two, three)
    assert choose(context="shared", env=env).cluster == "c1"  # the first definition wins
    assert choose(context="shared", env=env).namespace == "default"


def test_default_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(KubeconfigError, match=r"no kubeconfig: .*\.kube/config does not exist"):
        choose(env={})
    (tmp_path / ".kube").mkdir()
    _write(tmp_path / ".kube" / "config", {"home": "c"}, current="home")
    assert choose(env={}).context == "home"


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda d: {"kubeconfig": str(d / "nope")}, r"^kubeconfig file not found: "),
        (
            lambda d: {"env": {"KUBECONFIG": f"{d}/a:{d}/b"}},
            r"^none of the files in \$KUBECONFIG exist: .*/a, .*/b$",
        ),
        (
            lambda d: {"kubeconfig": str(_write(d / "kc", {"a": "c"})), "env": {}},
            r"^no current context in .*; pass --context \(available: a\)$",
        ),
        (
            lambda d: {"kubeconfig": str(_write(d / "kc", {"a": "c"})), "context": "z", "env": {}},
            r'^context "z" not found in .* \(available: a\)$',
        ),
    ],
)
def test_errors_are_actionable_one_liners(tmp_path: Path, setup: Any, message: str) -> None:
    with pytest.raises(KubeconfigError, match=message) as e:
        choose(**setup(tmp_path))
    assert "\n" not in str(e.value)


def test_bad_yaml(tmp_path: Path) -> None:
    path = tmp_path / "kc"
    path.write_text("clusters: [\n  - {name: a\n")
    with pytest.raises(KubeconfigError, match=r"is not valid YAML \(line \d+\)"):
        choose(str(path), env={})
    path.write_text("- just\n- a list\n")
    with pytest.raises(KubeconfigError, match="not a mapping"):
        choose(str(path), env={})
