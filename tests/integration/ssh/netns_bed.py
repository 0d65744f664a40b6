"""The real-sshd test bed: boards as OpenSSH sshds in network namespaces, one behind a jump host.

```
root ns: bridge <tag>br 10.99.N.1/24, route "unreachable 10.99.M.0/24" (never leaks to eth0)
  ├─ ns b1  eth0 10.99.N.11  sshd :22      (arm64 board, 4.19)
  ├─ ns b2  eth0 10.99.N.12  sshd :22      (x86_64 VM, 6.2)
  ├─ ns b4  eth0 10.99.N.14  sshd :22      (user "lab", sudo wants a password)
  ├─ ns b5  eth0 10.99.N.15  sshd :22      (user "lab", passwordless sudo)
  ├─ ns bh  eth0 10.99.N.20  port 22 dropped: a black hole
  └─ ns j   eth0 10.99.N.5   sshd :22 (AllowTcpForwarding yes) = the jump host
              bridge inner 10.99.M.1/24
                └─ ns b3 eth0 10.99.M.13 sshd :22   (arm64 board; only through j)
```

Real: sshd, the SSH protocol and host keys, forwarding, /bin/sh and coreutils, sudo with a real
sudoers, iptables (per-namespace raw table), per-namespace `tcp_congestion_control`, routes, veth
MTU. Emulated, only what makes a namespace look like another machine, each board in its own
private mount and UTS namespace:
- `uname` release/version/machine: an LD_PRELOAD shim (shims/fakeuname.c) set by sshd's SetEnv;
- /proc/sys/kernel/osrelease, /etc/os-release, /boot/config-<release>, /proc/interrupts and
  /proc/irq, /sys/devices/system/cpu (cpufreq governors), /proc/sys/net/core (holding only
  `default_qdisc`, a host-global sysctl a child namespace does not have), /etc/passwd,
  /etc/shadow, /etc/sudoers: bind-mounted per-board files and directories;
- `systemctl` (bind-mounted over /usr/bin/systemctl), `tuned-adm` and `ethtool` (on the board's
  PATH): small stateful shims (shims/) with the real tools' messages and exit codes;
- the hostname: the UTS namespace.
The root file system is read-only inside each board (only the bed's own directory is writable), so
a stray write fails there instead of changing this machine.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from cilium_tui.lab.host import HostState
from tests.conftest import missing_tools, tools_reason
from tests.integration.ssh.sshd import SSHD, Sshd, keygen, public_key, start_sshd

SHIMS = Path(__file__).parent / "shims"
LAB_USER = "lab"
LAB_UID = 4242


BED_TOOLS = ("ip", "unshare", "iptables", "gcc", "sudo", SSHD, "ssh-keygen")


def need_root_tools() -> str | None:
    """Why the bed cannot be built here (root, and every missing tool at once), or None."""
    missing = missing_tools(*BED_TOOLS)
    if os.geteuid() != 0:
        return "the network-namespace SSH bed needs root" + (
            f"; {tools_reason('it also', missing)}" if missing else ""
        )
    return tools_reason("the network-namespace SSH bed", missing) if missing else None


def sh(*argv: str) -> None:
    subprocess.run(argv, check=True, capture_output=True)


def quiet(*argv: str) -> str:
    """Run a clean-up command whose failure (already gone) does not matter; its stdout."""
    return subprocess.run(argv, check=False, capture_output=True, text=True).stdout


@dataclass
class BedBoard:
    name: str
    namespace: str
    address: str
    state: HostState
    directory: Path
    user: str
    sshd: Sshd | None = None

    @property
    def units(self) -> Path:
        return self.directory / "units"

    def unit(self, name: str) -> tuple[bool, bool]:
        """(active, enabled) of a unit, read from the board's state files."""
        return (self.units / f"{name}.active").exists(), (self.units / f"{name}.enabled").exists()

    def governors(self) -> list[str]:
        cpus = sorted((self.directory / "cpu").glob("cpu*/cpufreq/scaling_governor"))
        return [p.read_text().strip() for p in cpus]

    def tuned_profile(self) -> str:
        return (self.directory / "tuned_profile").read_text().strip()

    def file(self, name: str) -> str:
        return (self.directory / name).read_text().strip()


@dataclass
class NetnsBed:
    directory: Path
    tag: str
    client_key: Path
    known_hosts: Path
    ssh_config: Path
    boards: dict[str, BedBoard] = field(default_factory=dict)
    jump: Sshd | None = None
    black_hole: str = ""
    _namespaces: list[str] = field(default_factory=list)
    _links: list[str] = field(default_factory=list)
    _routes: list[str] = field(default_factory=list)

    def board(self, name: str) -> BedBoard:
        return self.boards[name]

    # ------------------------------------------------------------------ build

    @classmethod
    def build(cls, states: dict[str, HostState], behind_jump: set[str]) -> NetnsBed:
        directory = Path(tempfile.mkdtemp(prefix="ctui-ssh-bed-"))
        directory.chmod(0o755)  # the boards' non-root user reads keys and files under it
        tag = f"c{os.getpid() % 0xFFFF:04x}"
        net = _free_subnets()
        bed = cls(
            directory=directory,
            tag=tag,
            client_key=keygen(directory / "client_ed25519"),
            known_hosts=directory / "known_hosts",
            ssh_config=directory / "ssh_config",
        )
        try:
            bed._build(states, behind_jump, net)
        except BaseException:
            bed.destroy()
            raise
        return bed

    def _build(self, states: dict[str, HostState], behind_jump: set[str], net: int) -> None:
        outer, inner = f"10.99.{net}", f"10.99.{net + 1}"
        authorized = self.directory / "authorized_keys"
        authorized.write_text(public_key(self.client_key) + "\n")
        authorized.chmod(0o644)
        self._compile_uname_shim()
        bridge = f"{self.tag}br"
        sh("ip", "route", "add", "unreachable", f"{inner}.0/24")
        self._routes.append(f"{inner}.0/24")
        sh("ip", "link", "add", bridge, "type", "bridge")
        self._links.append(bridge)
        sh("ip", "addr", "add", f"{outer}.1/24", "dev", bridge)
        sh("ip", "link", "set", bridge, "up")
        jump_ns = self._namespace("j", bridge, f"{outer}.5", gateway=None, mtu=1500)
        sh("ip", "-n", jump_ns, "link", "add", "inner", "type", "bridge")
        sh("ip", "-n", jump_ns, "addr", "add", f"{inner}.1/24", "dev", "inner")
        sh("ip", "-n", jump_ns, "link", "set", "inner", "up")
        self.jump = start_sshd(
            self.directory,
            "jump",
            authorized,
            address=f"{outer}.5",
            port=22,
            forwarding=True,
            prefix=["ip", "netns", "exec", jump_ns],
        )
        hosts = [self.jump.known_hosts_line()]
        config = [_host_block("j", f"{outer}.5", "root", self.client_key, self.known_hosts)]
        for index, (name, state) in enumerate(states.items()):
            number = int("".join(c for c in name if c.isdigit()) or index + 11)
            subnet, on, parent = (
                (inner, "inner", jump_ns) if name in behind_jump else (outer, bridge, None)
            )
            address = f"{subnet}.{number + 10}"
            ns = self._namespace(
                name, on, address, gateway=f"{subnet}.1", mtu=state.mtu, parent=parent
            )
            board = BedBoard(
                name,
                ns,
                address,
                state,
                self.directory / name,
                user="root" if state.sudo == "root" else LAB_USER,
            )
            self._start_board(board, authorized)
            self.boards[name] = board
            assert board.sshd is not None
            hosts.append(board.sshd.known_hosts_line())
            config.append(
                _host_block(
                    name,
                    address,
                    board.user,
                    self.client_key,
                    self.known_hosts,
                    jump="j" if name in behind_jump else None,
                )
            )
        black_hole = self._namespace("bh", bridge, f"{outer}.20", gateway=None, mtu=1500)
        drop_ssh = shlex.split("iptables -A INPUT -p tcp --dport 22 -j DROP")
        sh("ip", "netns", "exec", black_hole, *drop_ssh)
        self.black_hole = f"{outer}.20"
        self.known_hosts.write_text("".join(hosts))
        self.ssh_config.write_text("\n\n".join(config) + "\n")

    def _namespace(
        self,
        name: str,
        bridge: str,
        address: str,
        *,
        gateway: str | None,
        mtu: int,
        parent: str | None = None,
    ) -> str:
        """A namespace with eth0 on `bridge` (in `parent`'s namespace, else the root one)."""
        ns = f"{self.tag}-{name}"
        host_end = f"{self.tag}{name}"[:15]
        sh("ip", "netns", "add", ns)
        self._namespaces.append(ns)
        sh("ip", "-n", ns, "link", "set", "lo", "up")
        in_parent = ["ip", "-n", parent] if parent else ["ip"]
        sh(*in_parent, "link", "add", host_end, "type", "veth", "peer", "name", "eth0", "netns", ns)
        sh(*in_parent, "link", "set", host_end, "master", bridge, "mtu", str(mtu), "up")
        sh("ip", "-n", ns, "addr", "add", f"{address}/24", "dev", "eth0")
        sh("ip", "-n", ns, "link", "set", "eth0", "mtu", str(mtu), "up")
        if gateway:
            sh("ip", "-n", ns, "route", "add", "default", "via", gateway)
        return ns

    def _compile_uname_shim(self) -> None:
        sh(
            "gcc",
            "-shared",
            "-fPIC",
            "-O2",
            "-o",
            str(self.directory / "fakeuname.so"),
            str(SHIMS / "fakeuname.c"),
            "-ldl",
        )

    def _start_board(self, board: BedBoard, authorized: Path) -> None:
        s, d = board.state, board.directory
        d.mkdir()
        d.chmod(0o755)
        uname = d / "uname"
        uname.mkdir()
        for field_name, value in (
            ("release", s.kernel_release),
            ("version", s.kernel_build),
            ("machine", s.machine),
        ):
            (uname / field_name).write_text(value + "\n")
        (d / "osrelease").write_text(s.kernel_release + "\n")
        (d / "os-release").write_text(s.os_release)
        cpu = d / "cpu"
        for n in range(s.cpus):
            (cpu / f"cpu{n}").mkdir(parents=True)
            if s.governors is not None:
                freq = cpu / f"cpu{n}" / "cpufreq"
                freq.mkdir()
                (freq / "scaling_governor").write_text(s.governors[n] + "\n")
                (freq / "scaling_available_governors").write_text(
                    " ".join(s.available_governors) + "\n"
                )
        (d / "boot").mkdir()
        (d / "boot" / f"config-{s.kernel_release}").write_text(
            "".join(f"{k}={v}\n" for k, v in s.kernel_config.items())
        )
        cpus_header = "".join(f"       CPU{n}" for n in range(s.cpus))
        (d / "interrupts").write_text(
            f"     {cpus_header}\n"
            + "".join(
                f"{irq.number:>4}: "
                + "".join(f"{7 * (n + 1):>10} " for n in range(s.cpus))
                + f"  GICv3  {irq.number - 6} Level     {irq.name}\n"
                for irq in s.irqs
            )
        )
        (d / "irq").mkdir()
        for irq in s.irqs:
            (d / "irq" / str(irq.number)).mkdir()
            (d / "irq" / str(irq.number) / "smp_affinity_list").write_text(irq.affinity + "\n")
        (d / "net-core").mkdir()
        qdisc = s.sysctls.get("net.core.default_qdisc", "pfifo_fast")
        (d / "net-core" / "default_qdisc").write_text(qdisc + "\n")
        board.units.mkdir()
        for name, unit in s.units.items():
            for flag, on in (
                ("installed", unit.installed),
                ("active", unit.active),
                ("enabled", unit.enabled),
            ):
                if on:
                    (board.units / f"{name}.{flag}").touch()
        bin_dir = d / "bin"
        bin_dir.mkdir()
        _shim("systemctl", d / "systemctl", UNITS=str(board.units))
        _shim("ethtool", bin_dir / "ethtool", NIC=s.default_nic, DRIVER=s.nic_driver)
        if s.tuned_profile is not None:
            (d / "tuned_profile").write_text(s.tuned_profile + "\n")
            _shim(
                "tuned-adm",
                bin_dir / "tuned-adm",
                STATE=str(d),
                PROFILES=" ".join(s.tuned_profiles),
            )
        binds = [
            ("osrelease", "/proc/sys/kernel/osrelease"),
            ("os-release", "/usr/lib/os-release"),
            ("cpu", "/sys/devices/system/cpu"),
            ("boot", "/boot"),
            ("interrupts", "/proc/interrupts"),
            ("irq", "/proc/irq"),
            ("net-core", "/proc/sys/net/core"),
            ("systemctl", "/usr/bin/systemctl"),
        ]
        binds += self._accounts(board)
        setup = d / "setup.sh"
        setup.write_text(_setup_script(self.directory, d, s.hostname, binds))
        sysctl = ["ip", "netns", "exec", board.namespace, "sysctl", "-qw"]
        sh(
            *sysctl,
            f"net.ipv4.tcp_congestion_control={s.sysctls['net.ipv4.tcp_congestion_control']}",
        )
        for line in s.iptables_raw:
            if not line.startswith("-P "):
                sh(
                    "ip",
                    "netns",
                    "exec",
                    board.namespace,
                    "iptables",
                    "-t",
                    "raw",
                    *shlex.split(line),
                )
        path = f"{bin_dir}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        env = f"LD_PRELOAD={self.directory / 'fakeuname.so'} FAKE_UNAME_DIR={uname} PATH={path}"
        board.sshd = start_sshd(
            d,
            "sshd",
            authorized,
            address=board.address,
            port=22,
            extra=f"SetEnv {env}",
            prefix=[
                "ip",
                "netns",
                "exec",
                board.namespace,
                "unshare",
                "--mount",
                "--uts",
                "--propagation",
                "private",
                "sh",
                "-e",
                str(setup),
            ],
        )

    def _accounts(self, board: BedBoard) -> list[tuple[str, str]]:
        """The board's own accounts: root with a plain /bin/sh (no login scripts of this machine)
        and, for a non-root board, a user with a sudoers rule; they exist only in its namespace."""
        d = board.directory
        home = d / "home"
        home.mkdir(mode=0o755)
        passwd = [
            f"root:x:0:0:root:{home}:/bin/sh",
            *_system_accounts("sshd"),  # sshd's privilege-separation user
            "nobody:x:65534:65534::/nonexistent:/bin/false",
        ]
        group = ["root:x:0:", "nogroup:x:65534:"]
        shadow = ["root:*:19000:0:99999:7:::"]
        sudoers = [
            "Defaults env_reset",
            'Defaults secure_path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"',
            "root ALL=(ALL:ALL) ALL",
        ]
        if board.user != "root":
            rule = "NOPASSWD: ALL" if board.state.sudo == "nopasswd" else "ALL"
            passwd.append(f"{LAB_USER}:x:{LAB_UID}:{LAB_UID}::{home}:/bin/sh")
            group.append(f"{LAB_USER}:x:{LAB_UID}:")
            shadow.append(f"{LAB_USER}:*:19000:0:99999:7:::")
            sudoers.append(f"{LAB_USER} ALL=(ALL:ALL) {rule}")
        hosts = ["127.0.0.1 localhost", f"127.0.1.1 {board.state.hostname}"]  # sudo looks it up
        for name, lines, mode in (
            ("hosts", hosts, 0o644),
            ("passwd", passwd, 0o644),
            ("group", group, 0o644),
            ("shadow", shadow, 0o640),
            ("sudoers", sudoers, 0o440),
        ):
            (d / name).write_text("\n".join(lines) + "\n")
            (d / name).chmod(mode)
        return [
            (name, f"/etc/{name}") for name in ("hosts", "passwd", "group", "shadow", "sudoers")
        ]

    # ------------------------------------------------------------------ tear down

    def destroy(self) -> None:
        """Stop every sshd, delete the namespaces, links and routes, remove the directory."""
        for board in self.boards.values():
            if board.sshd is not None:
                board.sshd.stop()
        if self.jump is not None:
            self.jump.stop()
        for ns in reversed(self._namespaces):
            for pid in quiet("ip", "netns", "pids", ns).split():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(int(pid), signal.SIGKILL)  # sessions still open in that namespace
            quiet("ip", "netns", "del", ns)
        for link in self._links:
            quiet("ip", "link", "del", link)
        for route in self._routes:
            quiet("ip", "route", "del", "unreachable", route)
        shutil.rmtree(self.directory, ignore_errors=True)


def _free_subnets() -> int:
    """N such that 10.99.N.0/24 and 10.99.N+1.0/24 are used by nothing here (another bed, too)."""
    used = quiet("ip", "-o", "addr") + quiet("ip", "route")
    start = os.getpid() % 50
    for step in range(50):
        net = 100 + ((start + step) % 50) * 2
        if f"10.99.{net}." not in used and f"10.99.{net + 1}." not in used:
            return net
    raise RuntimeError("no free 10.99.x.0/24 pair for the SSH test bed")


def _system_accounts(name: str) -> list[str]:
    lines = Path("/etc/passwd").read_text().splitlines()
    return [line for line in lines if line.startswith(f"{name}:")]


def _shim(name: str, target: Path, **values: str) -> None:
    text = (SHIMS / name).read_text()
    for key, value in values.items():
        text = text.replace(f"@{key}@", shlex.quote(value))
    target.write_text(text)
    target.chmod(0o755)


def _setup_script(bed: Path, board: Path, hostname: str, binds: list[tuple[str, str]]) -> str:
    """Runs in the board's new mount and UTS namespaces, then becomes sshd."""
    q = shlex.quote
    lines = [
        "# The board's private view of the machine; everything ends with this namespace.",
        f"hostname {q(hostname)}",
        "mount -t tmpfs -o mode=755 tmpfs /run && mkdir -m 755 /run/sshd",
        f"mount --bind {q(str(bed))} {q(str(bed))}",
        "mount --bind /proc/sys /proc/sys && mount -o remount,bind,ro /proc/sys",
        "mount --bind /proc/sys/net /proc/sys/net && mount -o remount,bind,rw /proc/sys/net",
        *(f"mount --bind {q(str(board / src))} {q(dst)}" for src, dst in binds),
        "mount -o remount,bind,ro /",
        'exec "$@"',
    ]
    return "\n".join(lines) + "\n"


def _host_block(
    name: str, address: str, user: str, key: Path, known_hosts: Path, *, jump: str | None = None
) -> str:
    lines = [
        f"Host {name}",
        f"  HostName {address}",
        f"  User {user}",
        f"  IdentityFile {key}",
        "  IdentitiesOnly yes",
        f"  UserKnownHostsFile {known_hosts}",
    ]
    if jump:
        lines.append(f"  ProxyJump {jump}")
    return "\n".join(lines)
