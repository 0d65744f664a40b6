"""Command line: arguments and subcommands.

Only argparse is imported at module level so that `cilium-tui --help` is instant; each subcommand
imports its implementation (in `cilium_tui.commands`) when it runs.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from cilium_tui import __version__
from cilium_tui.collect.fdlimit import raise_open_files_limit

PRECEDENCE = """\
settings: command-line options override environment variables (KUBECONFIG), which override the
config file ($XDG_CONFIG_HOME/cilium-tui/config.toml, default ~/.config/cilium-tui/config.toml),
which overrides the built-in defaults. A cluster named on the command line (--kubeconfig,
--context) is used even if the file says demo = ...; --no-read-only undoes the file's read_only.
"""


def _add_cluster_options(p: argparse.ArgumentParser, *, sub: bool = True) -> None:
    """Cluster options are accepted before and after the subcommand.

    On subcommands their default is SUPPRESS, so that an option given before the subcommand is not
    overwritten by the subcommand's default (an argparse quirk).
    """
    g = p.add_argument_group(
        "cluster and nodes", argument_default=argparse.SUPPRESS if sub else None
    )
    g.add_argument(
        "--kubeconfig",
        metavar="FILE",
        help="kubeconfig file (default: $KUBECONFIG or ~/.kube/config)",
    )
    g.add_argument(
        "--context", metavar="NAME", help="kubeconfig context (default: the current context)"
    )
    g.add_argument(
        "--inventory", metavar="FILE", help="TOML inventory mapping nodes and boards to SSH hosts"
    )
    g.add_argument(
        "--ssh-config", metavar="FILE", help="OpenSSH client config (default: ~/.ssh/config)"
    )
    g.add_argument("--jump", metavar="HOST", help="SSH jump host for every node (like ssh -J)")
    g.add_argument("--no-ssh", action="store_const", const=True, help="do not probe nodes over SSH")
    g.add_argument(
        "--demo",
        nargs="?",
        const="seed",
        metavar="SCENARIO",
        help="use the embedded lab instead of a cluster: seed (default), training, modern, scale:N",
    )
    g.add_argument(
        "--latency",
        metavar="DURATION",
        help="lab only: add latency to every API/SSH call (e.g. 50ms)",
    )
    g.add_argument(
        "--fault",
        action="append",
        metavar="KIND:NODE",
        help="lab only: unreachable, unready, exec-fail, exec-hang or exec-stall on a node "
        "(repeatable)",
    )


def _add_plan_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("remediation")
    g.add_argument(
        "--native-cidr",
        metavar="CIDR",
        help="native-routing: the pod CIDR to route natively (default: from the cluster)",
    )
    g.add_argument(
        "--batch-size",
        type=int,
        default=1,
        metavar="N",
        help="agents restarted at a time (default 1)",
    )
    g.add_argument(
        "--ready-timeout",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="how long a restarted agent may take to be Ready before the rollout stops",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cilium-tui",
        description="See which Cilium tuning options are really on, on every node, and why.",
        epilog=PRECEDENCE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"cilium-tui {__version__}")
    parser.add_argument("--config", metavar="FILE", help="config file (see below for precedence)")
    _add_cluster_options(parser, sub=False)
    ui = parser.add_argument_group("console")
    ui.add_argument(
        "--read-only",
        action=argparse.BooleanOptionalAction,
        help="never change anything: no apply, no undo (--no-read-only: for this run, even if "
        "the config file says read_only = true)",
    )
    ui.add_argument(
        "--theme",
        metavar="NAME",
        help="colour theme (cilium, cilium-light, high-contrast, or your own)",
    )
    ui.add_argument(
        "--refresh", metavar="SECONDS", type=float, help="re-scan interval (default 30)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("explain", help="read saved agent status outputs and explain them")
    p.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="`cilium-dbg status` output, text or JSON; - for stdin",
    )
    p.add_argument("--format", choices=("text", "json"), default="text")

    p = sub.add_parser(
        "check",
        help="scan once and print the tuning checklist (exit 0 all on, 1 some off, 2 no scan)",
        description="Scan once and print the tuning checklist. Exit codes: 0 every applicable "
        "item is on; 1 some item is off or blocked, or could not be verified because a "
        "collector failed (agent status, cilium-config, SSH probe; not host items with "
        "--no-ssh); 2 no scan: the cluster could not be opened, or the scan read no agent "
        "status on any node and no cilium-config.",
    )
    _add_cluster_options(p)
    p.add_argument("--format", choices=("text", "json", "markdown"), default="text")

    p = sub.add_parser("lab", help="run the embedded lab in the foreground for kubectl and ssh")
    p.add_argument("--scenario", default="seed", help="seed (default), training, modern, scale:N")
    p.add_argument(
        "--dir", metavar="DIR", help="where to write kubeconfig, ssh_config, known_hosts, inventory"
    )
    p.add_argument(
        "--latency", metavar="DURATION", help="add latency to every API/SSH call (e.g. 50ms)"
    )
    p.add_argument(
        "--fault",
        action="append",
        metavar="KIND:NODE",
        help="unreachable, unready, exec-fail, exec-hang or exec-stall on a node (repeatable)",
    )

    p = sub.add_parser("plan", help="preview the remediation of a checklist item")
    _add_cluster_options(p)
    p.add_argument("item", nargs="?", help="item id (see --list)")
    p.add_argument("--list", action="store_true", help="list the item ids")
    p.add_argument("--node", action="append", metavar="NODE", help="limit to these nodes")
    p.add_argument("--format", choices=("text", "json"), default="text")
    _add_plan_options(p)

    p = sub.add_parser(
        "apply", help="apply a remediation, with the same checks, journal and verification"
    )
    _add_cluster_options(p)
    p.add_argument("item")
    p.add_argument("--node", action="append", metavar="NODE", help="limit to these nodes")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    _add_plan_options(p)

    p = sub.add_parser("undo", help="undo the latest (or the named) journalled change")
    _add_cluster_options(p)
    p.add_argument("id", nargs="?", help="journal entry id (default: the latest)")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    p = sub.add_parser("journal", help="list the journalled changes (reconciling interrupted ones)")
    _add_cluster_options(p)
    p.add_argument("--format", choices=("text", "json"), default="text")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    command = args.command or "console"
    raise_open_files_limit()  # a scan of many hosts holds many sockets (see collect.fdlimit)
    module = importlib.import_module(f"cilium_tui.commands.{command}")
    try:
        return int(module.run(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
