"""Remappable keys: ``keys.toml`` in the user's config directory maps binding ids to keys.

Example ``~/.config/gameday/keys.toml``::

    [keys]
    pause = "space"
    next-event = "ctrl+n"

Each value is one key or several, comma-separated, as Textual names them.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import platformdirs
from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen

from gameday.errors import InputError, Problem, did_you_mean

# The tabletop screen's bindings, here so the key map can be checked (and the loading
# shell shown) before the screen and the engine behind it are imported.
MAIN_BINDINGS: list[BindingType] = [
    Binding("f1,question_mark", "app.help", "Help", id="help"),
    # A bare letter or space acts only when the command line has been left alone for
    # HOTKEY_QUIET seconds (MainScreen.on_key), so fast typing never moves time or costs
    # points; the F-keys always act.
    Binding("f2,space", "app.pause", "Pause", id="pause"),
    Binding("f3,1", "app.speed(1)", "1x", id="speed-1"),
    Binding("f4,2", "app.speed(10)", "10x", id="speed-10"),
    Binding("f5,3", "app.speed(60)", "60x", id="speed-60"),
    Binding("f6,n", "app.next_event", "Next", id="next-event"),
    Binding("f7,h", "app.facilitator(True)", "Hints", id="hints"),
    Binding("f8,i", "app.facilitator(False)", "Injects", id="injects"),
    Binding("f9,r", "app.pick_role", "Role", id="role"),
    Binding("f10,a", "ack", "Ack", id="ack"),
    Binding("f11,o", "app.show_output", "Output", id="output"),
    Binding("f12", "app.end", "End", id="end"),
    Binding("colon,slash", "focus_command", "Command", show=False, id="focus-command"),
    Binding("escape", "leave_command", "Leave command line", show=False, id="leave-command"),
]
HOTKEY_QUIET = 0.5
"""Seconds the command line must be unfocused and untouched before a bare-letter hotkey
acts (the keys that move time or cost points among them)."""


def keys_path() -> Path:
    """Where the key map lives for this user."""
    return Path(platformdirs.user_config_dir("gameday")) / "keys.toml"


def load_keymap(path: Path | None = None, known: set[str] | None = None) -> dict[str, str]:
    """The ``[keys]`` table of ``path`` (default :func:`keys_path`); {} when absent.

    Args:
        path: the TOML file.
        known: binding ids the app has; an unknown id is an error with a suggestion.

    Raises:
        InputError: the file is not TOML, or names a binding that does not exist.
    """
    path = path or keys_path()
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(Problem(str(path), message=f"cannot read key map: {exc}")) from None
    table = data.get("keys", {})
    if not isinstance(table, dict):
        raise InputError(Problem(str(path), key="keys", message="must be a table"))
    problems = []
    keymap: dict[str, str] = {}
    for binding_id, keys in table.items():
        if not isinstance(keys, str) or not keys.strip():
            problems.append(Problem(str(path), key=f"keys.{binding_id}", message="must be a key"))
        elif known is not None and binding_id not in known:
            hint = did_you_mean(binding_id, sorted(known))
            problems.append(
                Problem(str(path), key=f"keys.{binding_id}", message="no such binding", hint=hint)
            )
        else:
            keymap[binding_id] = keys.strip()
    if problems:
        raise InputError(problems)
    return keymap


def binding_rows(app: App[Any], screen: Screen[Any]) -> list[tuple[str, str, str]]:
    """(keys, what they do, binding id) for every remappable binding active on ``screen``
    (those with an id), keys as remapped, one row per id, plus the command palette."""
    rows: dict[str, tuple[list[str], str]] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        if not binding.description or not binding.id:
            continue
        ident = binding.id
        keys, _ = rows.setdefault(ident, ([], binding.description))
        shown = app.get_key_display(binding)
        if shown not in keys:
            keys.append(shown)
    listed = [(" / ".join(keys), text, ident) for ident, (keys, text) in rows.items()]
    return [*listed, (app.COMMAND_PALETTE_BINDING, "Command palette", "-")]
