"""Themes: the bundled files, user overrides, broken files, unknown names, a wheel install."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from textual.theme import BUILTIN_THEMES

from cilium_tui.ui.cells import Tone
from cilium_tui.ui.paint import tone_styles
from cilium_tui.ui.themes import (
    APP_VARIABLES,
    ThemeCatalog,
    ThemeError,
    app_variable_defaults,
    load_themes,
    parse_theme,
)

REPO = Path(__file__).resolve().parents[2]
BUNDLED = ("cilium", "cilium-light", "high-contrast")


def test_bundled_themes_load_with_every_app_variable() -> None:
    catalog = load_themes([REPO / "themes"])
    assert catalog.problems == ()
    assert sorted(catalog.themes) == sorted(BUNDLED)
    for name in BUNDLED:
        assert set(APP_VARIABLES) <= set(catalog.themes[name].variables), name
    assert catalog.themes["cilium"].primary == "#F8C517"
    assert catalog.themes["cilium-light"].dark is False


def test_stylesheet_uses_theme_variables_only() -> None:
    css = (REPO / "cilium_tui" / "ui" / "app.tcss").read_text()
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    declarations = re.findall(r"^\s*[a-z-]+\s*:\s*([^;]*);", css, flags=re.M)
    assert len(declarations) > 50
    colours = [d for d in declarations if re.search(r"#[0-9a-fA-F]{3,8}\b|rgb\(|hsl\(", d)]
    assert colours == []
    used = set(re.findall(r"\$([a-z-]+)", css))
    design = set(BUILTIN_THEMES["textual-dark"].to_color_system().generate())
    assert used <= design | set(APP_VARIABLES), "every variable is Textual's or ours"


def test_user_themes_override_bundled_ones_and_broken_files_are_reported(tmp_path: Path) -> None:
    user = tmp_path / "user"
    user.mkdir()
    (user / "cilium.toml").write_text('primary = "#00FF00"\n')
    (user / "mine.toml").write_text(
        'name = "mine"\nprimary = "#123456"\n[variables]\nstate-on = "#00AA00"\n'
    )
    (user / "bad-colour.toml").write_text('primary = "not-a-colour"\n')
    (user / "bad-key.toml").write_text('primary = "#000000"\nflavour = "mint"\n')
    (user / "bad-toml.toml").write_text("primary = \n")
    (user / "bad-var.toml").write_text('primary = "#000000"\n[variables]\nstate-on = "nope"\n')
    (user / "notes.txt").write_text("ignored")
    catalog = load_themes([user, REPO / "themes"])
    assert catalog.themes["cilium"].primary == "#00FF00"
    assert catalog.origins["cilium"] == str(user / "cilium.toml")
    assert catalog.themes["mine"].variables == {"state-on": "#00AA00"}
    assert "cilium-light" in catalog.themes
    problems = {Path(p.origin).name: p.message for p in catalog.problems}
    assert set(problems) == {"bad-colour.toml", "bad-key.toml", "bad-toml.toml", "bad-var.toml"}
    assert "unknown key 'flavour'" in problems["bad-key.toml"]
    assert "not valid TOML" in problems["bad-toml.toml"]
    assert "nope" in problems["bad-var.toml"]
    with pytest.raises(ThemeError, match=r"theme 'bad-colour' is broken: .*bad-colour\.toml"):
        catalog.check("bad-colour")


def test_unknown_theme_lists_the_choices() -> None:
    catalog = load_themes([REPO / "themes"])
    catalog.check("nord")  # Textual's built-ins are accepted too
    with pytest.raises(ThemeError) as e:
        catalog.check("solarised-purple")
    message = str(e.value)
    assert message.startswith("unknown theme 'solarised-purple'; available: cilium, ")
    assert all(name in message for name in (*BUNDLED, "nord", "ansi-dark"))


def test_defaults_follow_any_theme_and_tones_resolve_to_colours() -> None:
    for name in ("nord", "textual-light", "ansi-dark"):
        defaults = app_variable_defaults(BUILTIN_THEMES[name])
        assert set(defaults) == set(APP_VARIABLES)
    theme = parse_theme((REPO / "themes" / "cilium.toml").read_text(), "cilium")
    styles = tone_styles({"background": "#0B1220", **theme.variables})
    legacy = styles[Tone.LEGACY]
    assert legacy.bold and legacy.color is not None
    assert legacy.color.get_truecolor().hex.upper() == theme.variables["routing-legacy"]
    translucent = tone_styles({"background": "#000000", "state-na": "#FFFFFF80"})[Tone.NA]
    assert translucent.color is not None
    assert translucent.color.get_truecolor().hex.upper() == "#808080", "blended onto the bg"
    assert tone_styles({})[Tone.ON].color is None


def test_empty_catalog_accepts_only_builtins() -> None:
    ThemeCatalog().check("textual-dark")
    with pytest.raises(ThemeError):
        ThemeCatalog().check("cilium")


def test_themes_load_from_a_non_editable_install(tmp_path: Path) -> None:
    """Build the wheel and import only the installed copy (clean PYTHONPATH, temp cwd): the
    themes must come from the package's bundled `_themes`, not from the repository."""
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(REPO)],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("cilium_tui-*.whl")
    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    check = textwrap.dedent(
        """
        import cilium_tui, json
        from cilium_tui.ui.themes import load_themes
        catalog = load_themes()
        print(json.dumps({"module": cilium_tui.__file__, "origins": dict(catalog.origins),
                          "problems": [str(p) for p in catalog.problems]}))
        """
    )
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(PYTHONPATH=str(site), HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "xdg"))
    out = subprocess.run(
        [sys.executable, "-c", check],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    result = json.loads(out.stdout)
    assert result["module"].startswith(str(site))
    assert result["problems"] == []
    assert set(result["origins"]) == set(BUNDLED)
    for origin in result["origins"].values():
        assert origin.startswith(str(site / "cilium_tui" / "_themes")), origin
