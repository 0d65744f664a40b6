"""Every number from the command line is range-checked with one line naming it."""

from __future__ import annotations

import pytest

from cilium_tui.cli import main


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--batch-size", "0"], "--batch-size must be between 1 and 1000, not 0"),
        (["--batch-size", "100000"], "--batch-size must be between 1 and 1000"),
        (["--ready-timeout", "nan"], "--ready-timeout must be a number of seconds"),
        (["--ready-timeout", "inf"], "--ready-timeout must be a number of seconds"),
        (["--ready-timeout", "-1"], "--ready-timeout must be a number of seconds"),
        (["--demo", "--latency", "10000s"], "a duration of at most 60 s"),
    ],
)
def test_out_of_range_numbers_are_one_line(
    argv: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["apply", "native-routing", "--yes", *argv])
    _, err = capsys.readouterr()
    assert code == 2
    assert says in err and len(err.strip().splitlines()) == 1
