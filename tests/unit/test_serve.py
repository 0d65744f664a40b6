"""`cilium-tui serve`: loopback unless told otherwise in so many words, the console's options passed
whole to every tab's console, and a page that loads nothing from the internet."""

from __future__ import annotations

import re
import shlex
import sys
from importlib.resources import files

import pytest

from cilium_tui.cli import build_parser, main
from cilium_tui.commands.serve import (
    Refused,
    checked_public_url,
    console_argv,
    console_command,
    listen_address,
)
from cilium_tui.webserve import INDEX, NotOffline, offline_index, public_url


@pytest.mark.parametrize(
    ("host", "address"),
    [("127.0.0.1", "127.0.0.1"), ("127.8.9.10", "127.8.9.10"), ("::1", "::1")],
)
def test_loopback_addresses_are_listened_on(host: str, address: str) -> None:
    assert listen_address(host) == address


def test_a_name_is_listened_on_at_the_loopback_address_it_resolves_to() -> None:
    assert listen_address("localhost") in ("127.0.0.1", "::1")


@pytest.mark.parametrize(
    "host",
    ["0.0.0.0", "::", "", "192.0.2.7", "no-such-host.invalid", "127.0.0.1 "],
)
def test_anything_not_provably_loopback_is_refused(host: str) -> None:
    with pytest.raises(Refused, match="--i-know-it-is-unauthenticated"):
        listen_address(host)


def test_the_flag_allows_any_address() -> None:
    assert listen_address("0.0.0.0", unauthenticated_ok=True) == "0.0.0.0"
    assert listen_address("203.0.113.9", unauthenticated_ok=True) == "203.0.113.9"


def test_serve_refuses_a_public_host_before_listening(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--demo=training", "--host", "0.0.0.0"]) == 2
    assert "--i-know-it-is-unauthenticated" in capsys.readouterr().err


def test_serve_refuses_an_unknown_scenario_once_not_in_every_tab(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["serve", "--demo=nope"]) == 2
    assert "--demo" in capsys.readouterr().err


def test_public_urls_bracket_ipv6() -> None:
    assert public_url("::1", 8000) == "http://[::1]:8000"
    assert public_url("127.0.0.1", 80) == "http://127.0.0.1:80"


def _console_options(argv: list[str]) -> dict[str, object]:
    args = vars(build_parser().parse_args(argv))
    serves = ("command", "host", "port", "public_url", "i_know_it_is_unauthenticated")
    return {k: v for k, v in args.items() if k not in serves and v is not None}


@pytest.mark.parametrize(
    "given",
    [
        ["serve", "--demo=training", "--read-only", "--fault", "unready:rock64-2", "--fault=x:y"],
        ["--no-read-only", "--theme", "cilium-light", "serve", "--demo", "--no-ssh"],
        ["--config", "/c f.toml", "serve", "--context=-dash", "--refresh", "5", "--since=a b"],
        ["serve", "--sysdump", "d.zip", "--concurrency", "3", "--latency", "50ms"],
    ],
)
def test_every_console_option_reaches_the_tabs_console_as_given(given: list[str]) -> None:
    args = build_parser().parse_args(given)
    again = console_argv(args)
    assert "serve" not in again
    assert _console_options(again) == _console_options(given)
    assert shlex.split(console_command(args)) == [
        "exec",
        sys.executable,
        "-m",
        "cilium_tui",
        *again,
    ]


def test_serves_own_options_stay_with_serve() -> None:
    own = ["--host", "::1", "--port", "9", "--public-url", "https://x.example"]
    args = build_parser().parse_args(["serve", *own, "--i-know-it-is-unauthenticated"])
    assert console_argv(args) == []


def _textual_serves_page() -> str:
    return (files("textual_serve") / "templates" / INDEX).read_text()


def test_the_page_loads_the_fonts_textual_serve_ships_not_the_cdns() -> None:
    original = _textual_serves_page()
    assert "fonts.googleapis.com" in original  # what this is about; gone, this test can go too
    fonts = ["RobotoMono-VariableFont_wght.ttf", "RobotoMono-Italic-VariableFont_wght.ttf"]
    page = offline_index(original, fonts)
    assert not re.search(r"(?i)\b(https?|wss?)://", page)
    shipped = {f.name for f in (files("textual_serve") / "static" / "fonts").iterdir()}
    assert set(fonts) <= shipped
    for name in fonts:
        assert f'url("{{{{ config.static.url }}}}fonts/{name}")' in page
    assert "font-style: italic" in page and "font-style: normal" in page


def test_a_page_that_would_still_load_something_remote_is_refused() -> None:
    page = _textual_serves_page().replace(
        "</head>", '<script src="https://cdn.example/x.js"></script></head>'
    )
    with pytest.raises(NotOffline, match="remote URL"):
        offline_index(page, [])


def test_a_public_url_is_an_http_url_the_page_can_append_paths_to() -> None:
    assert checked_public_url("https://training.example.org/") == "https://training.example.org"
    assert checked_public_url("http://10.0.0.5:8000/room") == "http://10.0.0.5:8000/room"
    for bad in ("training.example.org", "ftp://x", "https://", "https://x/?a=1", "javascript:x"):
        with pytest.raises(Refused, match="--public-url"):
            checked_public_url(bad)
