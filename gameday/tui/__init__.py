"""The tabletop TUI: a Textual front end over one :class:`~gameday.session.session.Session`.

The UI holds no engine logic. A thread worker advances the session's clock; every widget
reads the session (under the driver's lock) when a tick message arrives.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gameday.tui.app import GamedayApp, make_app

__all__ = ["GamedayApp", "make_app"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from gameday.tui import app

        return getattr(app, name)
    raise AttributeError(name)
