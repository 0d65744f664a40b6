"""Settings: precedence CLI > environment > config file > defaults, and one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from cilium_tui.cli import build_parser
from cilium_tui.settings import (
    DEFAULT_CONCURRENCY,
    DEFAULT_REFRESH,
    DEFAULT_SSH_KEEP,
    DEFAULT_THEME,
    Settings,
    SettingsError,
    default_config_path,
    resolve,
    save_setting,
)


def settings(tmp_path: Path, argv: list[str], env: dict[str, str] | None = None) -> Settings:
    """Resolve with an isolated config dir: only files the test writes exist."""
    base = {"XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    return resolve(build_parser().parse_args(argv), {**base, **(env or {})})


def write_default_config(tmp_path: Path, text: str) -> Path:
    path = default_config_path({"XDG_CONFIG_HOME": str(tmp_path / "xdg")})
    path.parent.mkdir(parents=True)
    path.write_text(text)
    return path


def test_defaults_without_any_file(tmp_path: Path) -> None:
    s = settings(tmp_path, [])
    assert s == Settings()
    assert (s.theme, s.refresh, s.read_only, s.config_file) == (
        DEFAULT_THEME,
        DEFAULT_REFRESH,
        False,
        None,
    )


def test_default_path_follows_xdg_and_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert default_config_path({"XDG_CONFIG_HOME": "/x"}) == Path("/x/cilium-tui/config.toml")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_config_path({}) == tmp_path / ".config" / "cilium-tui" / "config.toml"


def test_file_overrides_defaults(tmp_path: Path) -> None:
    path = write_default_config(
        tmp_path,
        'context = "prod"\nread_only = true\ntheme = "high-contrast"\nrefresh = 5\n'
        'inventory = "inv.toml"\nssh_config = "~/ssh/config"\nno_ssh = true\njump = "bastion"\n'
        'demo = true\n[keymap]\nrefresh = "f5"\n',
    )
    s = settings(tmp_path, [])
    assert s.context == "prod"
    assert s.read_only is True
    assert s.theme == "high-contrast"
    assert s.refresh == 5.0
    assert s.inventory == path.parent / "inv.toml", "relative paths are relative to the file"
    assert s.ssh_config == Path("~/ssh/config").expanduser()
    assert (s.no_ssh, s.jump, s.demo) == (True, "bastion", "seed")
    assert s.keymap == {"refresh": "f5"}
    assert s.config_file == path


def test_env_overrides_file_and_cli_overrides_env(tmp_path: Path) -> None:
    write_default_config(tmp_path, 'kubeconfig = "/from/file"\ncontext = "file-ctx"\n')
    env = {"KUBECONFIG": "/from/env:/second"}
    assert settings(tmp_path, [], env).kubeconfig == "/from/env:/second"
    s = settings(tmp_path, ["--kubeconfig", "/from/cli", "--context", "cli-ctx"], env)
    assert (s.kubeconfig, s.context) == ("/from/cli", "cli-ctx")
    assert settings(tmp_path, []).kubeconfig == "/from/file"


def test_cli_flags_override_file(tmp_path: Path) -> None:
    write_default_config(tmp_path, 'read_only = false\ntheme = "cilium-light"\nrefresh = 9\n')
    s = settings(tmp_path, ["--read-only", "--theme", "cilium", "--refresh", "2", "--demo"])
    assert (s.read_only, s.theme, s.refresh, s.demo) == (True, "cilium", 2.0, "seed")


def test_a_cluster_named_on_the_command_line_beats_the_files_demo(tmp_path: Path) -> None:
    write_default_config(tmp_path, 'demo = "training"\n')
    assert settings(tmp_path, []).demo == "training"
    assert settings(tmp_path, ["--context", "prod"]).demo is None
    assert settings(tmp_path, ["--kubeconfig", "/k"]).demo is None
    assert settings(tmp_path, ["check", "--context", "prod"]).demo is None, "after a subcommand"
    s = settings(tmp_path, ["--context", "prod", "--demo", "seed"])
    assert s.demo == "seed", "unless the command line asks for the demo too"
    env = {"KUBECONFIG": "/from/env"}
    assert settings(tmp_path, [], env).demo == "training", "only the command line names one"


def test_no_read_only_undoes_the_files_read_only(tmp_path: Path) -> None:
    write_default_config(tmp_path, "read_only = true\n")
    assert settings(tmp_path, []).read_only is True
    assert settings(tmp_path, ["--no-read-only"]).read_only is False
    assert settings(tmp_path, ["--read-only"]).read_only is True
    assert "--no-read-only" in build_parser().format_help()


def test_options_after_a_subcommand_count_too(tmp_path: Path) -> None:
    s = settings(tmp_path, ["check", "--context", "after"])
    assert s.context == "after"


def test_explicit_config_file(tmp_path: Path) -> None:
    path = tmp_path / "other.toml"
    path.write_text('demo = "training"\n')
    s = settings(tmp_path, ["--config", str(path)])
    assert (s.demo, s.config_file) == ("training", path)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("context = ", "not valid TOML"),
        ("read-only = true", "unknown setting 'read-only' (did you mean 'read_only'?)"),
        ('read_only = "yes"', "'read_only' must be true or false, not 'yes'"),
        ('refresh = "fast"', "'refresh' must be a number of seconds"),
        ("context = 3", "'context' must be a non-empty string, not 3"),
        ("demo = 1", "'demo' must be true, false or a scenario name"),
        ("[keymap]\nquit = 1", "'keymap' must be a table of binding id"),
        ("keymap = [1]", "'keymap' must be a table of binding id = \"key\", not a list"),
    ],
)
def test_malformed_file_is_one_clear_line(tmp_path: Path, text: str, problem: str) -> None:
    path = write_default_config(tmp_path, text)
    with pytest.raises(SettingsError) as e:
        settings(tmp_path, [])
    message = str(e.value)
    assert message.startswith(f"{path}: ")
    assert problem in message
    assert "\n" not in message


def test_missing_explicit_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"missing\.toml: cannot read"):
        settings(tmp_path, ["--config", str(tmp_path / "missing.toml")])


def test_negative_refresh_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="refresh"):
        settings(tmp_path, ["--refresh", "-1"])
    assert settings(tmp_path, ["--refresh", "0"]).refresh == 0.0


def test_concurrency_from_the_file_and_the_command_line(tmp_path: Path) -> None:
    assert settings(tmp_path, []).concurrency == DEFAULT_CONCURRENCY
    write_default_config(tmp_path, "concurrency = 8\n")
    assert settings(tmp_path, []).concurrency == 8
    assert settings(tmp_path, ["--concurrency", "2"]).concurrency == 2
    assert settings(tmp_path, ["check", "--concurrency", "3"]).concurrency == 3
    with pytest.raises(SettingsError, match="concurrency must be a whole number of at least 1"):
        settings(tmp_path, ["--concurrency", "0"])


def test_concurrency_in_the_file_must_be_a_positive_whole_number(tmp_path: Path) -> None:
    path = write_default_config(tmp_path, "concurrency = 2.5\n")
    with pytest.raises(SettingsError) as e:
        settings(tmp_path, [])
    assert str(e.value) == f"{path}: 'concurrency' must be a whole number of at least 1, not 2.5"


def test_columns_are_a_list_of_names(tmp_path: Path) -> None:
    write_default_config(tmp_path, 'columns = ["name", "kernel"]\n')
    assert settings(tmp_path, []).columns == ("name", "kernel")
    (tmp_path / "bad.toml").write_text('columns = "name,kernel"\n')
    with pytest.raises(SettingsError, match=r"'columns' must be a list of names"):
        settings(tmp_path, ["--config", str(tmp_path / "bad.toml")])


def test_saving_a_setting_changes_that_key_only(tmp_path: Path) -> None:
    text = (
        '# mine\ntheme = "cilium"  # dark\ncolumns = [\n  "name",\n  "arch",\n]\n\n'
        '[keymap]\nrefresh = "f5"\n'
    )
    path = write_default_config(tmp_path, text)
    path.chmod(0o600)
    save_setting(path, "columns", ["name", "kernel"])
    written = path.read_text()
    assert written.startswith('# mine\ntheme = "cilium"  # dark\ncolumns = ["name", "kernel"]')
    assert written.endswith('\n[keymap]\nrefresh = "f5"\n')
    assert settings(tmp_path, []).columns == ("name", "kernel")
    assert path.stat().st_mode & 0o777 == 0o600, "the file keeps its mode"
    assert [p.name for p in path.parent.iterdir()] == ["config.toml"], "no temporary file left"


def test_saving_into_a_missing_file_creates_it_and_a_broken_one_is_left_alone(
    tmp_path: Path,
) -> None:
    path = tmp_path / "new" / "config.toml"
    save_setting(path, "columns", ["name"])
    assert path.read_text() == 'columns = ["name"]\n'
    broken = tmp_path / "broken.toml"
    broken.write_text("theme = \n")
    with pytest.raises(SettingsError, match="not valid TOML, left as it is"):
        save_setting(broken, "columns", ["name"])
    assert broken.read_text() == "theme = \n"


def test_dialling_internal_ips_is_off_unless_the_file_or_the_command_line_says(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert settings(tmp_path, []).ssh_to_internal_ip is False
    assert settings(tmp_path, ["--ssh-to-internal-ip"]).ssh_to_internal_ip is True
    write_default_config(tmp_path, "ssh_to_internal_ip = true\n")
    assert settings(tmp_path, []).ssh_to_internal_ip is True
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--help"])
    assert "--ssh-to-internal-ip" in capsys.readouterr().out


def test_ssh_keep_from_the_file(tmp_path: Path) -> None:
    assert settings(tmp_path, []).ssh_keep == DEFAULT_SSH_KEEP
    path = write_default_config(tmp_path, "ssh_keep = 200\n")
    assert settings(tmp_path, []).ssh_keep == 200
    path.write_text("ssh_keep = 0\n")
    with pytest.raises(SettingsError) as e:
        settings(tmp_path, [])
    assert str(e.value) == f"{path}: 'ssh_keep' must be a whole number of at least 1, not 0"
