"""Console settings: the config file, the environment and the command line, merged into one value.

Precedence, highest first: command-line options > environment (``KUBECONFIG``) > the config file >
built-in defaults. A cluster named on the command line (``--kubeconfig``, ``--context``) is used
even if the file says ``demo = ...``; ``--no-read-only`` undoes the file's ``read_only`` for a run.

The config file is TOML, by default ``$XDG_CONFIG_HOME/cilium-tui/config.toml``
(``~/.config/cilium-tui/config.toml``), or the file given with ``--config``::

    context = "prod-eu"
    inventory = "~/clusters/prod-eu/inventory.toml"   # relative paths: from the config file's dir
    read_only = true
    theme = "cilium"
    refresh = 30
    concurrency = 64      # agent execs and SSH probes in flight at once, each
    ssh_keep = 1000       # SSH connections kept open between scans (most recently used go)
    columns = ["name", "kernel", "host_routing", "agent"]   # node table; the console's c writes it

    [keymap]              # binding id = key(s); see the console's help (?) for the ids
    refresh = "f5"
    quit = "q,ctrl+q"

No Textual here: `cilium-tui check` and friends read the same settings.
"""

from __future__ import annotations

import argparse
import difflib
import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cilium_tui.textfile import TextFileError, read_bounded_text, write_atomic

DEFAULT_THEME = "cilium"
DEFAULT_REFRESH = 30.0
DEFAULT_DEMO_SCENARIO = "seed"
DEFAULT_CONCURRENCY = 64
"""Agent execs (and, separately, SSH probes) in flight at once. Measured on the 1000-node lab
(`benchmarks/scan_bench.py --scans-only`, latency 50 ms, three runs each, load 6.5-8.6, no errors
in any run), client CPU ms/node cold / warm: 16 -> 12.1 / 5.5, 32 -> 10.3 / 4.9, 64 -> 8.5 / 3.9;
the lab's CPU and the wall time fell with it (warm lab CPU 3.2-4.7 s at 16, 1.9-3.1 s at 64).
An earlier, slower lab timed out at 64 (its API server queued what it could not serve); lower it
(`--concurrency`) for a busy API server."""


DEFAULT_SSH_KEEP = 1000
"""SSH connections kept open for the next scan. Each costs ~60 KiB of this process's memory
(asyncssh's state, ciphers, buffers): at 5000 nodes keeping all of them was 300 MiB of the 708 MiB
peak (BENCHMARKS.md). Past this many the most recently used idle one is closed (the same hosts
stay connected from scan to scan), so the part of a fleet beyond it reconnects on each scan; raise
it to keep every node's connection."""


class SettingsError(Exception):
    """A setting that cannot be used; the message is one line naming the file and the problem."""


@dataclass(frozen=True)
class Settings:
    kubeconfig: str | None = None
    """A path, or several separated by os.pathsep as KUBECONFIG allows; None: the client default."""
    context: str | None = None
    inventory: Path | None = None
    demo: str | None = None
    """The lab scenario when running the demo ("seed", "training", ...); None for a real cluster."""
    read_only: bool = False
    theme: str = DEFAULT_THEME
    refresh: float = DEFAULT_REFRESH
    """Seconds between scans; 0 turns the interval refresh off (``r`` still scans)."""
    ssh_config: Path | None = None
    jump: str | None = None
    no_ssh: bool = False
    concurrency: int = DEFAULT_CONCURRENCY
    ssh_keep: int = DEFAULT_SSH_KEEP
    ssh_to_internal_ip: bool = False
    """Dial nodes nothing else maps at their InternalIP (see `collect.inventory`)."""
    keymap: Mapping[str, str] = field(default_factory=dict)
    """Binding id -> key(s), applied with `App.set_keymap`."""
    columns: tuple[str, ...] | None = None
    """The node table's columns, in order (None: the default set); the console checks the names."""
    config_file: Path | None = None
    """The config file that was read, if any."""


def default_config_path(env: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CONFIG_HOME/cilium-tui/config.toml``, falling back to ``~/.config``."""
    env = os.environ if env is None else env
    base = env.get("XDG_CONFIG_HOME") or str(Path("~/.config").expanduser())
    return Path(base) / "cilium-tui" / "config.toml"


def user_themes_dir(env: Mapping[str, str] | None = None) -> Path:
    """Where the user's own themes live: ``themes/`` beside the default config file."""
    return default_config_path(env).parent / "themes"


# Config file keys and their kinds. Paths are expanded (~) and made relative to the file's dir.
_STRING, _PATH, _BOOL, _NUMBER, _DEMO, _TABLE = "string", "path", "bool", "number", "demo", "table"
_COUNT = "count"
_NAMES = "names"
_KEYS: dict[str, str] = {
    "kubeconfig": _STRING,
    "context": _STRING,
    "inventory": _PATH,
    "demo": _DEMO,
    "read_only": _BOOL,
    "theme": _STRING,
    "refresh": _NUMBER,
    "ssh_config": _PATH,
    "jump": _STRING,
    "no_ssh": _BOOL,
    "concurrency": _COUNT,
    "ssh_keep": _COUNT,
    "ssh_to_internal_ip": _BOOL,
    "keymap": _TABLE,
    "columns": _NAMES,
}


MAX_CONFIG_BYTES = 2**20
"""A config file is a few lines: anything larger is a mistake (a log, a device), not read."""


def load_config_file(path: Path) -> dict[str, Any]:
    """Read and check one config file; every problem is a one-line `SettingsError`."""
    try:
        text = read_bounded_text(path, MAX_CONFIG_BYTES)
    except TextFileError as e:
        raise SettingsError(f"{path}: {e}") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise SettingsError(f"{path}: not valid TOML: {e}") from None
    return {key: _check(path, key, value) for key, value in raw.items()}


def _check(path: Path, key: str, value: object) -> object:
    kind = _KEYS.get(key)
    if kind is None:
        close = difflib.get_close_matches(key, _KEYS, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise SettingsError(f"{path}: unknown setting '{key}'{hint}")

    def bad(expected: str) -> SettingsError:
        return SettingsError(f"{path}: '{key}' must be {expected}, not {_describe(value)}")

    if kind == _BOOL:
        if not isinstance(value, bool):
            raise bad("true or false")
        return value
    if kind == _NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise bad("a number of seconds")
        return float(value)
    if kind == _COUNT:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise bad("a whole number of at least 1")
        return value
    if kind == _DEMO:
        if value is True:
            return DEFAULT_DEMO_SCENARIO
        if value is False:
            return None
        if not isinstance(value, str) or not value:
            raise bad('true, false or a scenario name such as "seed"')
        return value
    if kind == _NAMES:
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise bad('a list of names such as ["name", "kernel"]')
        return tuple(value)
    if kind == _TABLE:
        if not isinstance(value, dict) or not all(isinstance(v, str) and v for v in value.values()):
            raise bad('a table of binding id = "key"')
        return dict(value)
    if not isinstance(value, str) or not value:
        raise bad("a non-empty string")
    if kind == _PATH:
        return path.parent / Path(value).expanduser()
    return value


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def resolve(args: argparse.Namespace, env: Mapping[str, str] | None = None) -> Settings:
    """Merge the command line (`args` from `cli.build_parser`), environment and config file.

    Options that were not given are None (or absent, on subcommands) in `args`, so any value there
    wins. Raises `SettingsError` for an unreadable or malformed config file or a bad value.
    """
    env = os.environ if env is None else env
    given = getattr(args, "config", None)
    config_path = Path(given).expanduser() if given else default_config_path(env)
    read_file = bool(given) or config_path.is_file()
    file_values = load_config_file(config_path) if read_file else {}

    def pick(name: str, default: Any, env_name: str | None = None) -> Any:
        cli_value = getattr(args, name, None)
        if cli_value is not None:
            return cli_value
        if env_name and env.get(env_name):
            return env[env_name]
        return file_values.get(name, default)

    demo = pick("demo", None)
    if getattr(args, "demo", None) is None and _names_a_cluster(args):
        demo = None  # the file's demo yields to the cluster the command line names
    refresh = float(pick("refresh", DEFAULT_REFRESH))
    if not math.isfinite(refresh) or refresh < 0:
        raise SettingsError(f"refresh must be 0 (off) or a positive number of seconds: {refresh}")
    concurrency = int(pick("concurrency", DEFAULT_CONCURRENCY))
    if concurrency < 1:
        raise SettingsError(f"concurrency must be a whole number of at least 1: {concurrency}")
    ssh_keep = int(file_values.get("ssh_keep", DEFAULT_SSH_KEEP))
    return Settings(
        kubeconfig=pick("kubeconfig", None, "KUBECONFIG"),
        context=pick("context", None),
        inventory=_path(pick("inventory", None)),
        demo=demo,
        read_only=bool(pick("read_only", False)),
        theme=str(pick("theme", DEFAULT_THEME)),
        refresh=refresh,
        ssh_config=_path(pick("ssh_config", None)),
        jump=pick("jump", None),
        no_ssh=bool(pick("no_ssh", False)),
        concurrency=concurrency,
        ssh_keep=ssh_keep,
        ssh_to_internal_ip=bool(pick("ssh_to_internal_ip", False)),
        keymap=dict(file_values.get("keymap", {})),
        columns=file_values.get("columns"),
        config_file=config_path if read_file else None,
    )


def _names_a_cluster(args: argparse.Namespace) -> bool:
    return any(getattr(args, name, None) is not None for name in ("kubeconfig", "context"))


def _path(value: str | Path | None) -> Path | None:
    return None if value is None else Path(value).expanduser()


def save_setting(path: Path, key: str, value: list[str]) -> None:
    """Set one top-level key of the config file at `path`, keeping every other key, comment and
    blank line as written (the file is created if missing). Written to a temporary file beside it
    and renamed over it, so a crash never leaves half a config; the file keeps its mode.
    Raises `SettingsError` when the file cannot be read, parsed or written."""
    import tomlkit  # noqa: PLC0415 - only the console writes settings
    from tomlkit.exceptions import TOMLKitError  # noqa: PLC0415

    if key not in _KEYS:
        raise ValueError(f"unknown setting {key!r}")
    try:
        text = read_bounded_text(path, MAX_CONFIG_BYTES)
    except TextFileError as e:
        if not e.missing:
            raise SettingsError(f"{path}: {e}, left as it is") from None
        text = ""
    try:
        document = tomlkit.parse(text)
        document[key] = value
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
        write_atomic(path, tomlkit.dumps(document), mode=mode)
    except OSError as e:
        raise SettingsError(f"{path}: cannot write: {e.strerror or e}") from None
    except TOMLKitError as e:
        raise SettingsError(f"{path}: not valid TOML, left as it is: {e}") from None
