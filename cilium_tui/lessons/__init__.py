"""Lessons: guided walkthroughs of the tuning checklist on a live cluster. Pure (no UI, no I/O
but the package's own lesson files and the progress file).

A lesson is data (`data/NAME.toml`, see `lesson.py`); each step's done-condition is judged on
the live scan's judgement (`conditions.py`), never on a key pressed::

    from cilium_tui.lessons import (
        evaluate, hint_for_refusal, lesson_for, lesson_names, load_lesson, next_hint,
        Progress, ProgressStore, store_for,
    )

    lesson = load_lesson("seed")               # Lesson; LessonError names the file and problem
    status = evaluate(lesson, judge(snapshot), progress)   # LessonStatus, pure
    status.current                             # the first step never seen done, or None
    hint_for_refusal(lesson, plan, status)     # "Do step 4 (Kube-proxy replacement) first ..."
    next_hint(status)                          # "Next: step 5 (BPF masquerading): apply ..."

    store = store_for(source)                  # where progress on that cluster is kept
    progress = store.load(identity)            # identity: remedy.engine.cluster_identity(source)
    progress = progress.visit(lesson.name, "why-legacy").reach(lesson.name, status.done_ids)
    store.save(identity, progress)
"""

from cilium_tui.lessons.conditions import Condition, Context, LessonError, Result
from cilium_tui.lessons.lesson import (
    Action,
    HintRule,
    Lesson,
    Look,
    Step,
    lesson_for,
    lesson_names,
    lessons,
    load_lesson,
    parse_lesson,
)
from cilium_tui.lessons.progress import (
    LessonProgress,
    Progress,
    ProgressError,
    ProgressStore,
    store_for,
)
from cilium_tui.lessons.walk import (
    LessonStatus,
    StepStatus,
    describe,
    evaluate,
    hint_for_refusal,
    next_hint,
    prerequisites,
)

__all__ = [
    "Action",
    "Condition",
    "Context",
    "HintRule",
    "Lesson",
    "LessonError",
    "LessonProgress",
    "LessonStatus",
    "Look",
    "Progress",
    "ProgressError",
    "ProgressStore",
    "Result",
    "Step",
    "StepStatus",
    "describe",
    "evaluate",
    "hint_for_refusal",
    "lesson_for",
    "lesson_names",
    "lessons",
    "load_lesson",
    "next_hint",
    "parse_lesson",
    "prerequisites",
    "store_for",
]
