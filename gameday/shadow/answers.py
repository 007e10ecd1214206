"""Answers for a headless shadow session: one per decision point, from a file.

The file is a YAML list (``- kubectl get pods -n shop``; ``- skip`` or ``- null`` for no
answer; ``- {answer: ack, hints: 1}`` to take hints first) or plain text, one answer a
line, ``#`` comment lines and blank lines ignored. Missing answers count as ``skip``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from gameday.errors import InputError, Problem
from gameday.files import read_text
from gameday.shadow.core import ShadowBase
from gameday.yamldoc import guarded_load


@dataclass(frozen=True)
class Scripted:
    """One scripted answer and the hints to take before giving it."""

    text: str | None
    hints: int = 0


def _entry(item: Any, path: str, index: int) -> Scripted:
    if item is None:
        return Scripted(None)
    if isinstance(item, str | int | float):
        return Scripted(str(item))
    if isinstance(item, dict) and set(item) <= {"answer", "hints"}:
        hints = item.get("hints", 0)
        if not isinstance(hints, int) or hints < 0:
            raise InputError(Problem(path, key=f"[{index}].hints", message="must be a count"))
        answer = item.get("answer")
        return Scripted(None if answer is None else str(answer), hints)
    raise InputError(
        Problem(path, key=f"[{index}]", message="an answer is a string or {answer, hints}")
    )


def parse_answers(text: str, path: str = "<answers>") -> list[Scripted]:
    """Answers from a YAML list or from plain lines."""
    try:
        data = guarded_load(text)
    except yaml.YAMLError:
        data = None
    if isinstance(data, dict):
        if not isinstance(data.get("answers"), list):
            raise InputError(
                Problem(path, 1, 1, message="expected a list of answers (or plain lines)")
            )
        data = data["answers"]
    if isinstance(data, list):
        return [_entry(item, path, i) for i, item in enumerate(data)]
    lines = [ln.strip() for ln in text.splitlines()]
    return [Scripted(ln) for ln in lines if ln and not ln.startswith("#")]


def load_answers(path: str | Path) -> list[Scripted]:
    """Read an answers file.

    Raises:
        InputError: if it cannot be read or an entry is malformed.
    """
    try:
        text = read_text(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(Problem(str(path), message=f"cannot read answers: {exc}")) from exc
    return parse_answers(text, str(path))


def play_scripted(
    shadow: ShadowBase,
    answers: Sequence[Scripted | str | None],
    echo: Callable[[str], Any] | None = None,
) -> dict[str, Any]:
    """Answer every decision point from ``answers`` (skip past their end); the result."""
    items = [a if isinstance(a, Scripted) else Scripted(a) for a in answers]
    while (point := shadow.next_point()) is not None:
        item = items[point.index] if point.index < len(items) else Scripted(None)
        for _ in range(item.hints):
            if shadow.hint() is None:
                break
        graded = shadow.answer(item.text)
        if echo is not None:
            echo(
                f"{point.clock:>9}  {graded.grade.verdict:<10} "
                f"{graded.answer or '(skip)'}\n{'':>11}{graded.grade.explanation}"
            )
    result: dict[str, Any] = shadow.result()
    shadow.close()
    return result
