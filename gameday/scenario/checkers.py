"""A registry of the checkers for the files a scenario brings.

Rule files, Alertmanager configs, on-call files and runbooks each have their own checker,
living in its own package. This registry imports each lazily, so ``gameday validate``
grows stricter as checkers are added and still works while one is absent (a note, shown
with ``--verbose``, says what was skipped).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gameday.errors import InputError, Problem


@dataclass(frozen=True)
class Checker:
    """Where the checker of one kind of file lives and how it is called."""

    kind: str
    module: str
    function: str
    many: bool  # takes a list of paths (True) or one path per call (False)

    @property
    def qualname(self) -> str:
        """``module.function``, for notes."""
        return f"{self.module}.{self.function}"


CHECKERS: dict[str, Checker] = {
    "rules": Checker("rules", "gameday.rules", "check_rule_files", many=True),
    "alertmanager": Checker(
        "alertmanager", "gameday.alerting", "check_alertmanager_config", many=False
    ),
    "oncall": Checker("oncall", "gameday.oncall", "check_oncall", many=False),
    "runbooks": Checker("runbooks", "gameday.runbooks", "check_runbooks", many=True),
}


def _is_missing(exc: ModuleNotFoundError, module: str) -> bool:
    """True if the checker's own module (or a parent) is what is missing."""
    name = exc.name or ""
    return bool(name) and (module == name or module.startswith(name + "."))


def load_checker(checker: Checker) -> tuple[Callable[..., Any] | None, str | None]:
    """The checker function, or None and a note saying why it is not available."""
    try:
        module = importlib.import_module(checker.module)
    except ModuleNotFoundError as exc:
        if not _is_missing(exc, checker.module):
            raise  # the checker exists but a dependency of it is missing: a real bug
        return None, f"{checker.kind} checks skipped: {checker.module} is not available"
    function = getattr(module, checker.function, None)
    if not callable(function):
        return None, f"{checker.kind} checks skipped: {checker.qualname} is not available"
    return function, None


def _call(function: Callable[..., Any], checker: Checker, arg: Any) -> list[Problem]:
    where = str(arg[0] if isinstance(arg, list) and arg else arg)
    try:
        result = function(arg)
    except InputError as exc:
        return list(exc.problems)
    except RecursionError as exc:
        return [Problem(where, message=f"too deeply nested to check: {exc}")]
    except Exception as exc:  # a checker's bug must not hide the other files' problems
        return [
            Problem(
                where,
                message=f"internal error in {checker.qualname}: {type(exc).__name__}: {exc}",
                hint="this is a gameday bug; please report it with the file",
            )
        ]
    problems = list(result or [])
    bad = [p for p in problems if not isinstance(p, Problem)]
    if bad:
        raise TypeError(f"{checker.qualname} returned {bad[0]!r}, expected Problem objects")
    return problems


def run_checker(kind: str, paths: Sequence[Path]) -> tuple[list[Problem], list[str]]:
    """Run the checker of ``kind`` over ``paths``.

    Returns:
        The problems found and notes (checks skipped because a checker is absent).
    """
    if not paths:
        return [], []
    checker = CHECKERS[kind]
    function, note = load_checker(checker)
    if function is None:
        return [], [f"{note} ({len(paths)} file(s) only checked for existence)"]
    if checker.many:
        return _call(function, checker, list(paths)), []
    problems: list[Problem] = []
    for path in paths:
        problems.extend(_call(function, checker, path))
    return problems, []
