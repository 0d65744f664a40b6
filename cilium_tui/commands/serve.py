"""`cilium-tui serve`: the console in web browsers, one console process (and lab) per tab.

The server listens on loopback only, unless told in so many words that it may be reached without
authentication (textual-serve has none). Each tab's console is `python -m cilium_tui` with the
console options given to `serve`, rebuilt from the parsed options and quoted for the shell that
textual-serve runs it through: no user input is ever pasted into a command line unquoted.
"""

from __future__ import annotations

import argparse
import ipaddress
import shlex
import socket
import sys
from urllib.parse import urlsplit

from cilium_tui.commands.console import CannotOpen, checked_target

EXIT_REFUSED = 2

WARNING = """\
cilium-tui serve: textual-serve has NO authentication: whoever reaches {url} gets
a console{changes}. Keep it on loopback and publish it through an SSH tunnel
(ssh -L {port}:127.0.0.1:{port} THIS-HOST) or a reverse proxy that authenticates."""


class Refused(ValueError):
    """A --host, --port or --public-url that cannot be served."""


def listen_address(host: str, *, unauthenticated_ok: bool = False) -> str:
    """The address to listen on for `host`: a loopback IP address, or a name that resolves only
    to loopback addresses (its first one is used, so that the check is what is bound). Anything
    else, an empty host or one that does not resolve included, is refused unless
    `unauthenticated_ok`."""
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
        except (OSError, UnicodeError):
            found = []
        addresses = [ipaddress.ip_address(str(info[4][0])) for info in found]
    if addresses and all(a.is_loopback for a in addresses):
        return str(addresses[0])
    if unauthenticated_ok:
        return host
    where = ", ".join(map(str, addresses)) or "nothing"
    raise Refused(
        f"--host {host!r} is not loopback (it means {where}) and textual-serve has no "
        "authentication; add --i-know-it-is-unauthenticated to listen there anyway, or keep "
        "127.0.0.1 and publish it through an SSH tunnel or an authenticating proxy"
    )


def checked_public_url(url: str) -> str:
    """--public-url: an http(s) URL with a host, without a trailing slash (textual-serve appends
    its paths to it)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise Refused(
            f"--public-url {url!r}: give an http:// or https:// URL such as "
            "https://training.example.org"
        )
    return url.rstrip("/")


def console_argv(args: argparse.Namespace) -> list[str]:
    """The console's options in `args` (the root parser's, given before or after `serve`), back
    as arguments, each one `--option=value` so that a value starting with '-' stays a value."""
    from cilium_tui.cli import build_parser  # noqa: PLC0415 - cli imports this module lazily

    argv: list[str] = []
    for action in build_parser()._actions:
        value = getattr(args, action.dest, None)
        if not action.option_strings or value is None or action.dest in ("help", "version"):
            continue
        option = action.option_strings[0]
        if isinstance(action, argparse.BooleanOptionalAction):
            argv.append(option if value else action.option_strings[1])
        elif isinstance(action, argparse._StoreConstAction):
            argv.append(option)
        elif isinstance(action, argparse._AppendAction):
            argv.extend(f"{option}={item}" for item in value)
        else:
            argv.append(f"{option}={value}")
    return argv


def console_command(args: argparse.Namespace) -> str:
    """The shell command line of one tab's console. textual-serve runs it with `sh -c`; `exec`
    makes the console that shell's process, so that a signal to it reaches the console."""
    return "exec " + shlex.join([sys.executable, "-m", "cilium_tui", *console_argv(args)])


def run(args: argparse.Namespace) -> int:
    try:
        if not 0 < args.port < 65536:
            raise Refused(f"--port {args.port}: a port is 1 to 65535")
        address = listen_address(args.host, unauthenticated_ok=args.i_know_it_is_unauthenticated)
        public = checked_public_url(args.public_url) if args.public_url else None
        target = checked_target(args)  # once here, rather than an error in every tab
    except (Refused, CannotOpen) as e:
        print(f"cilium-tui serve: {e}", file=sys.stderr)
        return EXIT_REFUSED
    from cilium_tui.webserve import NotOffline, public_url, serve  # noqa: PLC0415 - --help

    changes = "" if target.settings.read_only else " that can change the cluster"
    url = public_url(address, args.port)
    print(WARNING.format(url=url, port=args.port, changes=changes), file=sys.stderr, flush=True)
    try:
        serve(console_command(args), address, args.port, public or url)
    except OSError as e:  # the port is taken, or the address is not this machine's
        print(f"cilium-tui serve: cannot listen on {url}: {e.strerror or e}", file=sys.stderr)
        return EXIT_REFUSED
    except NotOffline as e:  # a textual-serve whose page we do not know how to keep local
        print(f"cilium-tui serve: {e}", file=sys.stderr)
        return EXIT_REFUSED
    return 0
