"""A journal line checked against the journal's schema, located by its line number.

``replay`` and ``resume`` rebuild a session from what a journal says; a journal that was
edited, truncated or crafted must be refused with ``journal.jsonl:12: key: what is
wrong``, never end in a traceback or a hang. Each line is one JSON object
``{"seq", "t", "kind", "data"}``; the inputs a replay re-does carry the fields it reads.
"""

from __future__ import annotations

import json
import math
from typing import Any

from gameday.errors import InputError, Problem
from gameday.session.events import Event

MAX_LINE = 1 << 20  # bytes of one journal line (an action's output is far below this)
MAX_DEPTH = 32  # nesting of a line's JSON; events nest three or four levels

# kind -> required data fields and their types (what replay and resume read)
_REQUIRED: dict[str, dict[str, type | tuple[type, ...]]] = {
    "session.start": {"seed": int},
    "action": {"command": str},
    "inject": {"id": str},
}
_OPTIONAL: dict[str, dict[str, type | tuple[type, ...]]] = {
    "session.start": {"scenario": str, "source": str, "responder": str},
    "action": {"actor": str, "role": str},
    "inject": {"auto": bool},
}


class TornLine(ValueError):
    """The line is not JSON at all: a crash mid-write leaves such a last line."""


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a journal holds")


def _depth(value: Any) -> int:
    """Nesting depth of decoded JSON, walked without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_line(line: str, path: str, number: int) -> Event:
    """The :class:`Event` on ``line``.

    Raises:
        TornLine: when the line is not JSON (the caller decides whether it is torn).
        InputError: when it is JSON but not a journal event: ``path:number:1: key: why``.
    """

    def bad(key: str | None, message: str) -> InputError:
        return InputError(Problem(path, number, 1, key, message))

    if len(line) > MAX_LINE:
        raise bad(None, f"line longer than {MAX_LINE} bytes")
    try:
        obj = json.loads(line, parse_constant=_refuse_constant)
    except RecursionError:
        raise bad(None, f"nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:
        raise TornLine(str(exc)) from None
    if not isinstance(obj, dict):
        raise bad(None, "not a journal event (a JSON object with seq, t, kind, data)")
    if _depth(obj) > MAX_DEPTH:
        raise bad(None, f"nested deeper than {MAX_DEPTH} levels")
    seq: Any = obj.get("seq")
    t: Any = obj.get("t")
    kind: Any = obj.get("kind")
    data: Any = obj.get("data", {})
    if not _is_int(seq) or seq < 0:
        raise bad("seq", f"must be a non-negative integer, not {seq!r}")
    if not (_is_int(t) or isinstance(t, float)) or not math.isfinite(t) or t < 0:
        raise bad("t", f"must be a finite number of seconds >= 0, not {t!r}")
    if not isinstance(kind, str) or not kind:
        raise bad("kind", f"must be a non-empty string, not {kind!r}")
    if not isinstance(data, dict):
        raise bad("data", f"must be an object, not {type(data).__name__}")
    for field, typ in _REQUIRED.get(kind, {}).items():
        value = data.get(field)
        if value is None:
            raise bad(f"data.{field}", f"missing (every {kind} event has it)")
        if not isinstance(value, typ) or (typ is int and not _is_int(value)):
            raise bad(f"data.{field}", f"must be {_name(typ)}, not {value!r}")
    for field, typ in _OPTIONAL.get(kind, {}).items():
        value = data.get(field)
        if value is not None and not isinstance(value, typ):
            raise bad(f"data.{field}", f"must be {_name(typ)}, not {value!r}")
    if kind == "session.start" and not (data.get("source") or data.get("scenario")):
        raise bad("data.scenario", "missing (session.start names its scenario)")
    return Event(t=float(t), kind=kind, data=data, seq=seq)


def _name(typ: type | tuple[type, ...]) -> str:
    return "an integer" if typ is int else "a string" if typ is str else str(typ)
