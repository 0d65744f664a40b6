"""Progress per cluster: written atomically and privately, read back bounded and validated."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from cilium_tui.collect.scan import ClusterSource
from cilium_tui.lessons.progress import (
    MAX_BYTES,
    MAX_STEPS,
    LessonProgress,
    Progress,
    ProgressStore,
    default_directory,
    store_for,
)
from cilium_tui.remedy.journal import ClusterIdentity

HERE = ClusterIdentity("https://127.0.0.1:6443", "lab-training", "uid-1")
TWIN = ClusterIdentity("https://127.0.0.1:6443", "lab-training", "uid-2")


def test_saved_progress_comes_back_for_that_cluster_only(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / "lessons")
    progress = Progress().visit("seed", "mixed-cluster").reach("seed", ["native-routing"])
    store.save(HERE, progress)
    assert store.load(HERE) == progress
    assert progress.active == "seed"
    assert progress.of("seed") == LessonProgress(
        frozenset({"mixed-cluster"}), frozenset({"native-routing"})
    )
    assert store.load(TWIN) == Progress()  # a re-created cilium-config is another cluster
    [path] = (tmp_path / "lessons").iterdir()  # no temporary file left behind
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "lessons").stat().st_mode) == 0o700
    assert store.load(HERE).forget("seed").of("seed") == LessonProgress()


def test_a_file_naming_another_cluster_is_ignored(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path)
    store.save(TWIN, Progress().visit("seed", "a"))
    store.path(TWIN).rename(store.path(HERE))  # copied over from elsewhere
    assert store.load(HERE) == Progress()
    assert store.problems == [f"{store.path(HERE)}: ignored: it names another cluster"]


def test_broken_or_huge_files_are_empty_progress_with_a_problem(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path)
    path = store.path(HERE)
    for content, says in [
        (b"{not json", "ignored: "),
        (b"\xff\xfe", "ignored: "),
        (b'{"format": 99}', "ignored: not a cilium-tui progress file"),
        (b"[]", "ignored: "),
        (b" " * (MAX_BYTES + 1), f"ignored: larger than {MAX_BYTES} bytes"),
    ]:
        path.write_bytes(content)
        assert store.load(HERE) == Progress()
        assert len(store.problems) == 1 and says in store.problems[0], content[:20]


def test_ids_are_validated_and_bounded(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path)
    doc = Progress().to_dict(HERE)
    doc["active"] = "seed\x1b[2J"
    doc["lessons"] = {
        "seed": {"visited": ["ok", "\x1b]0;x\x07", 7, "UPPER"], "reached": ["a"] * 3},
        "../etc": {"visited": ["x"]},
        "many": {"reached": [f"s{i}" for i in range(MAX_STEPS * 2)]},
    }
    store.path(HERE).write_text(json.dumps(doc))
    loaded = store.load(HERE)
    assert loaded.active is None
    assert set(loaded.lessons) == {"seed", "many"}
    assert loaded.of("seed") == LessonProgress(frozenset({"ok"}), frozenset({"a"}))
    assert len(loaded.of("many").reached) == MAX_STEPS


def test_the_default_directory_is_the_state_home() -> None:
    assert default_directory({"XDG_STATE_HOME": "/s"}) == Path("/s/cilium-tui/lessons")


def test_the_lab_keeps_progress_with_its_journal(tmp_path: Path) -> None:
    lab = ClusterSource("lab training", kube=None, ssh=None, journal_dir=tmp_path / "journal")
    assert store_for(lab).directory == tmp_path / "lessons"  # goes when the lab stops
    user = ClusterSource("context prod", kube=None, ssh=None)
    assert store_for(user).directory == default_directory()
