"""One sanitiser for text that reaches a terminal or a report.

Scenario files, journals, runbooks and what responders type are all text a stranger may
have written. Control characters in them are instructions to a terminal (``ESC ] 0 ;``
retitles the window, ``ESC ] 52`` writes the clipboard, CSI moves the cursor or hides
text, BEL rings) or reorder what a reader sees (U+202E, right-to-left override). Every
line gameday prints, and every report it writes, passes through :func:`visible`, which
shows each such character as an escape (``\\x1b``, ``\\u202e``) and keeps newline and tab.
result.json keeps the text as it was (JSON escapes it).
"""

from __future__ import annotations

from typing import Any

# Unicode's explicit directional formatting characters (UAX #9) and the line/paragraph
# separators, which terminals and editors treat as line breaks.
_BIDI = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
_SEPARATORS = (0x2028, 0x2029)


def _escape(code: int) -> str:
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_TABLE: dict[int, str] = {
    code: _escape(code)
    for code in (*range(0x00, 0x20), *range(0x7F, 0xA0), *_BIDI, *_SEPARATORS)
    if code not in (0x09, 0x0A)
}


def visible(text: str) -> str:
    """``text`` with every control character but newline and tab shown as an escape."""
    return text.translate(_TABLE)


def visible_data(data: Any) -> Any:
    """A copy of JSON-like ``data`` (dicts, lists, strings) with :func:`visible` on every string.

    Keys are sanitised too. Walks with an explicit stack, so depth is no limit.
    """
    root: list[Any] = [None]
    stack: list[tuple[Any, list[Any] | dict[Any, Any], Any]] = [(data, root, 0)]
    while stack:
        value, parent, slot = stack.pop()
        if isinstance(value, str):
            parent[slot] = visible(value)
        elif isinstance(value, dict):
            copy: dict[Any, Any] = {}
            parent[slot] = copy
            for key, item in value.items():
                new_key = visible(key) if isinstance(key, str) else key
                copy[new_key] = None
                stack.append((item, copy, new_key))
        elif isinstance(value, (list, tuple)):
            items: list[Any] = [None] * len(value)
            parent[slot] = items
            stack.extend((item, items, i) for i, item in enumerate(value))
        else:
            parent[slot] = value
    return root[0]
