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

USAGE = """\
%(prog)s [OPTIONS]                    open the console (no COMMAND)
       %(prog)s [OPTIONS] COMMAND [ARGS]     run one command and exit"""

DESCRIPTION = """\
See which Cilium tuning options are really on, on every node, and why; preview,
apply and undo the fixes. With no COMMAND it opens the console (a terminal UI)."""

EXAMPLES = """\
examples:
  cilium-tui --demo                  the console on the embedded lab (no cluster)
  cilium-tui --context prod          the console on a kubeconfig context
  cilium-tui check --format markdown scan once, print the checklist (for CI)
  cilium-tui plan bpf-masquerading   preview a remediation; nothing is changed
  cilium-tui --sysdump dump.zip      the console on a customer's `cilium sysdump`
  cilium-tui COMMAND --help          each command's options and examples
"""

PRECEDENCE = """\
settings: command-line options override environment variables (KUBECONFIG), which override the
config file ($XDG_CONFIG_HOME/cilium-tui/config.toml, default ~/.config/cilium-tui/config.toml),
which overrides the built-in defaults. A cluster named on the command line (--kubeconfig,
--context) is used even if the file says demo = ...; --no-read-only undoes the file's read_only.
"""

FAULT_KINDS = "unreachable, unready, exec-fail, exec-hang or exec-stall"
"""The lab's fault kinds (cilium_tui.lab.runner.FAULTS; not imported: --help stays instant)."""


def _add_cluster_options(p: argparse.ArgumentParser, *, sub: bool = True) -> None:
    """Cluster options are accepted before and after the subcommand.

    On subcommands their default is SUPPRESS, so that an option given before the subcommand is not
    overwritten by the subcommand's default (an argparse quirk). The lab's knobs have a group of
    their own: they mean something only with --demo.
    """
    default = argparse.SUPPRESS if sub else None
    g = p.add_argument_group("cluster and nodes", argument_default=default)
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
        "--concurrency",
        metavar="N",
        type=int,
        help="agent execs and SSH probes in flight at once, each (default 16; lower it to be "
        "gentle with a busy API server)",
    )
    g.add_argument(
        "--ssh-to-internal-ip",
        action="store_const",
        const=True,
        help="SSH to a node at its InternalIP when neither the inventory nor an ssh_config Host "
        "maps it (off by default: whoever can write a Node would choose where we connect)",
    )
    lab = p.add_argument_group("lab (with --demo)", argument_default=default)
    lab.add_argument(
        "--demo",
        nargs="?",
        const="seed",
        metavar="SCENARIO",
        help="use the embedded lab instead of a cluster: seed (default), training, modern, scale:N",
    )
    _add_lab_knobs(lab)


def _add_lab_knobs(g: argparse._ActionsContainer) -> None:
    g.add_argument(
        "--latency",
        metavar="DURATION",
        help="add latency to every API/SSH call of the lab (e.g. 50ms)",
    )
    g.add_argument(
        "--fault",
        action="append",
        metavar="KIND:NODE",
        help=f"{FAULT_KINDS} on a lab node; or throttle (429) or late (applied, answered "
        "15 s late) on a VERB/RESOURCE such as delete/pods (repeat for more)",
    )


def _add_offline_options(p: argparse.ArgumentParser, *, sub: bool = True) -> None:
    """A file read instead of a cluster; same SUPPRESS rule as `_add_cluster_options`."""
    g = p.add_argument_group(
        "offline (a file instead of a cluster; read-only)",
        argument_default=argparse.SUPPRESS if sub else None,
    )
    g.add_argument(
        "--sysdump",
        metavar="FILE",
        help="a `cilium sysdump` zip, or its unzipped folder",
    )
    g.add_argument(
        "--snapshot",
        metavar="FILE",
        help="a scan saved by `cilium-tui snapshot save`",
    )


def _add_console_options(p: argparse.ArgumentParser, *, sub: bool = True) -> None:
    """The console's own options; same SUPPRESS rule as `_add_cluster_options`."""
    ui = p.add_argument_group("console", argument_default=argparse.SUPPRESS if sub else None)
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
    ui.add_argument(
        "--since",
        metavar="FILE",
        help="mark in the node table what changed since this snapshot or sysdump",
    )


def _add_format(p: argparse.ArgumentParser, *choices: str) -> None:
    p.add_argument(
        "--format",
        choices=("text", *choices),
        default="text",
        help=f"output format: text (default), {', '.join(choices)}",
    )


def _add_nodes(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--node",
        action="append",
        metavar="NODE",
        help="limit to this node (repeat the option for more; default: every node)",
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


def _command(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    *,
    usage: str,
    summary: str,
    description: str,
    examples: str,
) -> argparse.ArgumentParser:
    """A subcommand with its one-line summary (in the root's list), what it does, and examples."""
    return sub.add_parser(
        name,
        help=summary,
        usage=f"%(prog)s {usage}",
        description=description,
        epilog=f"examples:\n{examples}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cilium-tui",
        usage=USAGE,
        description=DESCRIPTION,
        epilog=f"{EXAMPLES}\n{PRECEDENCE}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"cilium-tui {__version__}")
    parser.add_argument("--config", metavar="FILE", help="config file (see below for precedence)")
    _add_cluster_options(parser, sub=False)
    _add_offline_options(parser, sub=False)
    _add_console_options(parser, sub=False)
    sub = parser.add_subparsers(
        dest="command",
        metavar="COMMAND",
        prog="cilium-tui",
        title="commands (optional: without one, the console opens)",
    )

    p = _command(
        sub,
        "check",
        usage="[OPTIONS]",
        summary="scan once and print the tuning checklist (exit 0 all on, 1 some off, 2 no scan)",
        description="""\
Scan the cluster once and print the tuning checklist: the report on stdout,
progress on stderr, so that it fits CI logs.

exit codes:
  0  every applicable item is on
  1  some item is off or blocked, or could not be verified because a collector
     failed (agent status, cilium-config, SSH probe; not host items with --no-ssh)
  2  no scan: the cluster could not be opened, or the scan read no agent status
     on any node and no cilium-config""",
        examples="""\
  cilium-tui check --demo                  the embedded lab, no cluster needed
  cilium-tui check --context prod --no-ssh without the SSH probes of the nodes
  cilium-tui check --format json           the cilium-tui.check/1 JSON document
  cilium-tui check --sysdump cilium-sysdump-20240716-090436.zip
                                           the same report from a `cilium sysdump`
""",
    )
    _add_cluster_options(p)
    _add_offline_options(p)
    _add_format(p, "json", "markdown")

    p = _command(
        sub,
        "snapshot",
        usage="save FILE [OPTIONS]",
        summary="save a scan as JSON, to replay (--snapshot) or compare (diff) later",
        description="""\
Scan once (a cluster, the lab, a sysdump or another snapshot) and write the scan
to FILE as versioned JSON (schema cilium-tui.snapshot/1), mode 0600, without the
kubeconfig, tokens or keys. Replay it with --snapshot FILE, compare it with
`cilium-tui diff`.""",
        examples="""\
  cilium-tui snapshot save before.json --context prod
  cilium-tui snapshot save lab.json --demo=training
  cilium-tui snapshot save dump.json --sysdump cilium-sysdump-20240716-090436.zip
""",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    save = actions.add_parser(
        "save",
        help="scan once and write the snapshot to FILE",
        usage="cilium-tui snapshot save FILE [OPTIONS]",
        description="Scan once and write the snapshot to FILE (JSON, mode 0600).",
        epilog="example:\n  cilium-tui snapshot save before.json --context prod",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    save.add_argument("file", metavar="FILE", help="where to write the snapshot (JSON)")
    _add_cluster_options(save)
    _add_offline_options(save)

    p = _command(
        sub,
        "diff",
        usage="[--format text|json|markdown] BEFORE AFTER",
        summary="what changed between two snapshots or sysdumps, per node and item",
        description="""\
What changed from BEFORE to AFTER (snapshots or sysdumps, mixed): per node its
facts, each item's state and the host-routing mode, after a one-line summary
such as "3 nodes moved BPF -> Legacy: kube-proxy replacement Disabled".
Exit 0 when nothing changed, 1 when something did, 2 when a file cannot be read.""",
        examples="""\
  cilium-tui diff before.json after.json
  cilium-tui diff before.json cilium-sysdump-20240716-090436.zip --format markdown
""",
    )
    p.add_argument("before", metavar="BEFORE", help="snapshot JSON, sysdump zip or folder")
    p.add_argument("after", metavar="AFTER", help="snapshot JSON, sysdump zip or folder")
    _add_format(p, "json", "markdown")

    p = _command(
        sub,
        "explain",
        usage="[--format text|json] FILE...",
        summary="read saved agent status outputs and explain them (no cluster needed)",
        description="""\
Read saved `cilium status` / `cilium-dbg status` outputs (text, verbose or JSON;
Cilium 1.8 to 1.20; kubectl notices, CI log prefixes and prompts around them are
fine) and print the facts as printed, what the checklist can judge from them, and
why host routing is Legacy. Exit 1 when a file is not a status output, 2 when a
file cannot be read.""",
        examples="""\
  cilium-tui explain status.txt
  cilium-tui explain --format json node-a.txt node-b.json
  kubectl -n kube-system exec ds/cilium -c cilium-agent -- cilium status \\
    | cilium-tui explain -
""",
    )
    p.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="`cilium-dbg status` output, text or JSON; - for stdin",
    )
    _add_format(p, "json")

    p = _command(
        sub,
        "lab",
        usage="[--scenario NAME] [--dir DIR] [--latency DURATION] [--fault KIND:NODE]...",
        summary="run the embedded lab in the foreground for kubectl, ssh and cilium-tui",
        description="""\
Run the embedded lab (a Kubernetes API over HTTPS and SSH boards, all on
loopback) until interrupted, and print how to reach it with the real kubectl,
ssh and cilium-tui. --dir keeps the files it writes (kubeconfig, ssh_config,
known_hosts, inventory.toml) where you want them.""",
        examples="""\
  cilium-tui lab --dir /tmp/lab
  cilium-tui lab --scenario training --fault unready:rock64-2
""",
    )
    p.add_argument("--scenario", default="seed", help="seed (default), training, modern, scale:N")
    p.add_argument(
        "--dir", metavar="DIR", help="where to write kubeconfig, ssh_config, known_hosts, inventory"
    )
    _add_lab_knobs(p)

    p = _command(
        sub,
        "serve",
        usage="[--demo[=SCENARIO]] [--host ADDRESS] [--port N] [OPTIONS]",
        summary="serve the console to web browsers (a training room: one lab per tab)",
        description="""\
Serve the console to web browsers with textual-serve: every browser tab gets
its own console process and, with --demo, its own lab, so that trainees do not
share a cluster. The console's options (--read-only, --theme, --context...)
go to every tab's console. The page needs nothing from the internet.

textual-serve has no authentication: anyone who reaches the port gets a
console. It listens on 127.0.0.1 and refuses any address that is not loopback
unless you add --i-know-it-is-unauthenticated; to open it to others, publish
it through an SSH tunnel or an authenticating reverse proxy.""",
        examples="""\
  cilium-tui serve --demo=training          http://127.0.0.1:8000, one lab per tab
  cilium-tui serve --demo=training --port 8080 --read-only
  cilium-tui serve --context staging --read-only
  cilium-tui serve --demo=training --public-url https://training.example.org
                                            behind an authenticating proxy there
  ssh -L 8000:127.0.0.1:8000 trainer-host   a trainee reaches it through SSH
""",
    )
    _add_cluster_options(p)
    _add_offline_options(p)
    _add_console_options(p)
    web = p.add_argument_group("web server")
    web.add_argument(
        "--host",
        default="127.0.0.1",
        metavar="ADDRESS",
        help="address to listen on (default 127.0.0.1; only loopback without the next option)",
    )
    web.add_argument(
        "--port", type=int, default=8000, metavar="N", help="port to listen on (default 8000)"
    )
    web.add_argument(
        "--public-url",
        metavar="URL",
        help="the URL browsers reach this server at, when a proxy publishes it (default: "
        "http://ADDRESS:PORT; the page loads everything from there)",
    )
    web.add_argument(
        "--i-know-it-is-unauthenticated",
        action="store_true",
        help="allow a --host that is not loopback: anyone who reaches it gets a console",
    )

    p = _command(
        sub,
        "plan",
        usage="[OPTIONS] ITEM | --list",
        summary="preview the remediation of a checklist item (nothing is changed)",
        description="""\
Scan the cluster and preview how an item would be remedied: which nodes can
take it, the cilium-config diff, the agents restarted in order, the equivalent
helm / cilium / kubectl / ssh commands, or why it is refused. Nothing is
changed. Exit 0 when the plan can be applied (or has nothing to do, or is
guidance), 1 when it is refused, 2 when the cluster cannot be read.""",
        examples="""\
  cilium-tui plan --list
  cilium-tui plan --demo=training native-routing
  cilium-tui plan bbr --node worker-1 --node worker-2 --format json
""",
    )
    _add_cluster_options(p)
    p.add_argument("item", nargs="?", help="item id (see --list)")
    p.add_argument("--list", action="store_true", help="list the item ids")
    _add_nodes(p)
    _add_format(p, "json")
    _add_plan_options(p)

    p = _command(
        sub,
        "apply",
        usage="[OPTIONS] ITEM",
        summary="apply a remediation, with the same checks, journal and verification",
        description="""\
Preview the plan, check the rights it needs, ask for confirmation (restarts ask
for the context name), journal the intent, patch cilium-config, restart the
agents one node at a time, and verify with a re-scan. Refused in read-only
mode. Undo it with `cilium-tui undo`.""",
        examples="""\
  cilium-tui apply bypass-iptables-conntrack --demo
  cilium-tui apply bpf-masquerading --context staging --node worker-1
""",
    )
    _add_cluster_options(p)
    p.add_argument("item", help="item id (see `cilium-tui plan --list`)")
    _add_nodes(p)
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    _add_plan_options(p)

    p = _command(
        sub,
        "undo",
        usage="[OPTIONS] [ID]",
        summary="undo the latest (or the named) journalled change",
        description="""\
Put back what a journalled change altered, previewed against a fresh scan,
confirmed, applied one agent at a time and verified like any plan. Only on the
cluster the change was made on, and newest first.""",
        examples="""\
  cilium-tui undo --context staging
  cilium-tui undo 20261207T210455Z-bpf-masquerading-1f2e --yes
""",
    )
    _add_cluster_options(p)
    p.add_argument("id", nargs="?", help="journal entry id (default: the latest)")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    p = _command(
        sub,
        "walkthrough",
        usage="[OPTIONS] [--lesson NAME] [--visit STEP]... [--format text|json] | --list",
        summary="a lesson's steps and which are done on the cluster (exit 0 all done, 1 not yet)",
        description="""\
Scan the cluster once and print a lesson's steps, each marked done when the
cluster shows it (a step is done when the scan says so, not when a key was
pressed), then the next step in full: why it matters, what to look at, what to
do. "Look" steps are done once visited (--visit STEP, or opening them in the
console). Progress is remembered per cluster. The lesson is --lesson, else the
one in progress on this cluster, else the one written for the --demo scenario,
else seed.

exit codes:
  0  every step is done
  1  some step is not done yet
  2  no scan: the cluster could not be read, or no such lesson or step""",
        examples="""\
  cilium-tui walkthrough --demo=training          the seed lesson on the training lab
  cilium-tui walkthrough --context trainee-3 --format json
                                                  an instructor's view of one trainee
  cilium-tui walkthrough --lesson seed --visit mixed-cluster --demo=training
  cilium-tui walkthrough --list                   the lessons and their scenarios
""",
    )
    _add_cluster_options(p)
    _add_offline_options(p)
    p.add_argument("--lesson", metavar="NAME", help="the lesson (see --list; default: see above)")
    p.add_argument(
        "--visit",
        action="append",
        metavar="STEP",
        help="mark a look step as visited (repeat the option for more)",
    )
    p.add_argument(
        "--start-over",
        action="store_true",
        help="forget what this cluster's progress remembers of the lesson (visits, steps done)",
    )
    p.add_argument("--list", action="store_true", help="list the lessons")
    _add_format(p, "json")

    p = _command(
        sub,
        "journal",
        usage="[--format text|json] [--kubeconfig F] [--context C]",
        summary="list the journalled changes (reconciling interrupted ones)",
        description="""\
List the changes cilium-tui made, newest first, from the journal in
$XDG_STATE_HOME/cilium-tui/journal/ (each entry is written before its first
change). An entry whose run was interrupted is first reconciled from its cluster
when that cluster can be opened: which nodes run which config.""",
        examples="""\
  cilium-tui journal
  cilium-tui journal --format json
""",
    )
    _add_cluster_options(p)
    _add_format(p, "json")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    command = args.command or "console"
    from cilium_tui.collect.fdlimit import raise_open_files_limit  # noqa: PLC0415 - see above

    raise_open_files_limit()  # a scan of many hosts holds many sockets (see collect.fdlimit)
    module = importlib.import_module(f"cilium_tui.commands.{command}")
    streams = sys.stdout, sys.stderr
    if command != "console":  # the console owns the terminal; it renders through `safe.plain`
        from cilium_tui.report.safe import SafeStream  # noqa: PLC0415 - see above

        sys.stdout, sys.stderr = SafeStream(sys.stdout), SafeStream(sys.stderr)
    try:
        return int(module.run(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        sys.stdout, sys.stderr = streams


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
