"""Themes from TOML files, and the colours of cilium-tui's own values.

A theme file holds the fields of a Textual `Theme` at the top level and a ``[variables]`` table
(see ``themes/cilium.toml``). Files are looked up in this order; the first file defining a name
wins, so a user can override a bundled theme by copying it:

1. the user's themes directory (``~/.config/cilium-tui/themes/*.toml``),
2. the copy bundled in the installed package (``cilium_tui/_themes``, put there by the wheel build),
3. the repository's ``themes/`` (running from a checkout).

A broken file is reported (`ThemeCatalog.problems`) and skipped, never fatal by itself.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from textual.color import Color, ColorParseError
from textual.theme import BUILTIN_THEMES, Theme

from cilium_tui.settings import user_themes_dir
from cilium_tui.ui.cells import Tone

APP_VARIABLES: dict[str, str] = {
    Tone.BPF.value: "text-success",
    Tone.LEGACY.value: "text-warning",
    Tone.ON.value: "text-success",
    Tone.OFF.value: "text-warning",
    Tone.BLOCKED.value: "text-error",
    Tone.NA.value: "foreground-muted",
    Tone.UNKNOWN.value: "foreground-muted",
    Tone.ERROR.value: "text-error",
    "frozen-column": "panel",
}
"""cilium-tui's CSS variables, each defaulting to a design colour of whatever theme is active, so
Textual's built-in themes (nord, ansi-dark, ...) colour our values sensibly too: the tones, and
the background of the node table's frozen NAME column (set apart from the columns scrolling
under it)."""

_THEME_FIELDS = {f.name for f in dataclasses.fields(Theme)}


class ThemeError(Exception):
    """A theme that cannot be used: unknown name or broken file; the message says which."""


@dataclass(frozen=True)
class ThemeProblem:
    origin: str
    message: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.message}"


@dataclass(frozen=True)
class ThemeCatalog:
    """The themes found on disk, where each came from, and the files that could not be read."""

    themes: Mapping[str, Theme] = field(default_factory=dict)
    origins: Mapping[str, str] = field(default_factory=dict)
    problems: tuple[ThemeProblem, ...] = ()

    @property
    def available(self) -> tuple[str, ...]:
        """Every theme name the console accepts: ours first, then Textual's built-ins."""
        builtin = sorted(n for n in BUILTIN_THEMES if n not in self.themes)
        return (*sorted(self.themes), *builtin)

    def check(self, name: str) -> None:
        """Raise `ThemeError` (listing the choices) unless `name` can be used."""
        if name in self.themes or name in BUILTIN_THEMES:
            return
        broken = [p for p in self.problems if Path(p.origin).stem == name]
        if broken:
            raise ThemeError(f"theme '{name}' is broken: {broken[0]}")
        raise ThemeError(f"unknown theme '{name}'; available: {', '.join(self.available)}")


def theme_dirs() -> tuple[Traversable, ...]:
    """The directories searched for theme files, highest priority first."""
    dirs: list[Traversable] = [user_themes_dir()]
    dirs.append(files("cilium_tui") / "_themes")
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "pyproject.toml").is_file():
        dirs.append(checkout / "themes")
    return tuple(dirs)


def load_themes(dirs: Iterable[Traversable] | None = None) -> ThemeCatalog:
    themes: dict[str, Theme] = {}
    origins: dict[str, str] = {}
    problems: list[ThemeProblem] = []
    for directory in theme_dirs() if dirs is None else dirs:
        if not directory.is_dir():
            continue
        for entry in sorted(directory.iterdir(), key=lambda e: e.name):
            if not entry.name.endswith(".toml"):
                continue
            origin = str(entry)
            try:
                theme = parse_theme(entry.read_text(encoding="utf-8"), entry.name[: -len(".toml")])
            except (OSError, UnicodeDecodeError) as e:
                problems.append(ThemeProblem(origin, f"cannot read: {e}"))
                continue
            except ThemeError as e:
                problems.append(ThemeProblem(origin, str(e)))
                continue
            if theme.name not in themes:
                themes[theme.name] = theme
                origins[theme.name] = origin
    return ThemeCatalog(themes, origins, tuple(problems))


def parse_theme(text: str, default_name: str) -> Theme:
    """A Theme from a file's text; every colour is checked so a bad one fails here, not later."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ThemeError(f"not valid TOML: {e}") from None
    variables = data.pop("variables", {})
    if not isinstance(variables, dict) or not all(isinstance(v, str) for v in variables.values()):
        raise ThemeError('[variables] must be a table of name = "value"')
    unknown = sorted(set(data) - _THEME_FIELDS)
    if unknown:
        keys = ", ".join(sorted(_THEME_FIELDS))
        raise ThemeError(f"unknown key '{unknown[0]}' (theme keys: {keys})")
    data.setdefault("name", default_name)
    if "primary" not in data:
        raise ThemeError("'primary' colour is required")
    try:
        theme = Theme(**data, variables=variables)
        theme.to_color_system().generate()
        for name in APP_VARIABLES:
            if name in variables:
                Color.parse(variables[name])
    except ColorParseError as e:
        raise ThemeError(str(e)) from None
    except (TypeError, ValueError) as e:
        raise ThemeError(f"bad value: {e}") from None
    return theme


def app_variable_defaults(theme: Theme) -> dict[str, str]:
    """Defaults for `APP_VARIABLES` taken from `theme`'s generated design colours."""
    design = theme.to_color_system().generate()
    return {name: design[source] for name, source in APP_VARIABLES.items()}
