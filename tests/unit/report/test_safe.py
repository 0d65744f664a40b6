"""The one sanitiser for outside text, fuzzed: control characters, CSI/OSC sequences, Rich
markup and undecodable bytes never reach a terminal raw."""

from __future__ import annotations

import io

from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console
from rich.text import Text

from cilium_tui.report.safe import SafeStream, lines, markdown, plain

OSC = "\x1b]0;pwned\x07"
CSI = "\x1b[2J\x1b[?1049h"
ANY = st.text(st.characters(codec=None, exclude_categories=()), max_size=200)
HOSTILE = st.lists(
    st.sampled_from([OSC, CSI, "\x9b31m", "[bold red]x[/]", "[/]", "\r", "\x00", "\u202e", "a"]),
    max_size=20,
).map("".join)
UNDECODABLE = st.binary(max_size=100).map(lambda b: b.decode("utf-8", "surrogateescape"))
TEXT = st.one_of(ANY, HOSTILE, UNDECODABLE, st.tuples(ANY, HOSTILE).map("".join))


def raw_controls(text: str, allowed: str = "") -> list[str]:
    return [c for c in text if not (c.isprintable() or c == " " or c in allowed)]


@given(TEXT)
def test_plain_leaves_no_control_character(text: str) -> None:
    safe = plain(text)
    assert raw_controls(safe) == []
    safe.encode("utf-8")  # undecodable bytes became escapes, not lone surrogates
    if text.isprintable():
        assert safe == text


@given(TEXT)
def test_lines_keep_only_line_breaks_and_tabs(text: str) -> None:
    safe = lines(text)
    assert raw_controls(safe, "\n\t") == []
    assert safe.count("\n") == text.count("\n")


@given(TEXT)
def test_the_command_line_stream_writes_nothing_raw(text: str) -> None:
    out = io.StringIO()
    SafeStream(out).write(text)
    written = out.getvalue()
    assert raw_controls(written.removeprefix("\r"), "\n\t") == []


@given(TEXT)
def test_the_console_renders_outside_text_as_itself(text: str) -> None:
    """Rendered as a Text (never markup), the sanitised text is exactly what is shown: no
    escape sequence is emitted and no markup is interpreted."""
    console = Console(file=io.StringIO(), force_terminal=False, width=1000, color_system=None)
    console.print(Text(plain(text)), end="", soft_wrap=True)
    shown = console.file.getvalue()  # type: ignore[attr-defined]
    assert "\x1b" not in shown and "\x9b" not in shown
    assert shown.replace("\n", "") == plain(text).replace("\n", "")


@given(TEXT)
def test_markdown_cells_cannot_split_a_table(text: str) -> None:
    safe = markdown(text)
    assert raw_controls(safe) == []
    assert "|" not in safe.replace("\\|", "")
