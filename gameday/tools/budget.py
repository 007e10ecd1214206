"""Bounded work per command: a CPU budget that a long command runs out of, not a hang.

A command a responder types runs inside :func:`command_budget`; the loops that can grow
with what was typed (log windows, ``| grep`` over the output, SQL rows) call
:func:`check`, which raises :class:`BudgetExceeded` once the command has used more CPU
time than its budget. The command then answers as the real tool would when a server
gives up (psql: ``ERROR:  canceling statement due to statement timeout``) and the
session goes on. The budget is CPU time of the running thread, so a tabletop's other
threads and a loaded machine's other processes do not count against it; commands within
their budget give the same output on every machine.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

CPU_SECONDS = 2.0  # per command; a real psql statement_timeout is often 30 s, but sim time is cheap


class BudgetExceeded(Exception):  # noqa: N818 - the name says what happened
    """The command used up its CPU budget."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the command used more than its {seconds:g} s CPU budget")
        self.seconds = seconds


_DEADLINE: ContextVar[tuple[float, float] | None] = ContextVar("gameday_budget", default=None)


@contextmanager
def command_budget(seconds: float | None = None) -> Iterator[None]:
    """Run the body with ``seconds`` (default :data:`CPU_SECONDS`) of CPU time.

    A budget opened inside another keeps the earlier of the two deadlines.
    """
    seconds = CPU_SECONDS if seconds is None else seconds
    outer = _DEADLINE.get()
    deadline = time.thread_time() + seconds
    if outer is not None and outer[0] < deadline:
        deadline, seconds = outer
    token = _DEADLINE.set((deadline, seconds))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def check() -> None:
    """Raise :class:`BudgetExceeded` if the running command is over its budget."""
    budget = _DEADLINE.get()
    if budget is not None and time.thread_time() > budget[0]:
        raise BudgetExceeded(budget[1])
