"""SIGTERM as an exception, and process pools that leave nothing behind when stopped.

A CI cancel sends SIGINT or SIGTERM to the main process only. Python turns SIGINT into
``KeyboardInterrupt``; :func:`sigterm_raises` turns SIGTERM into :class:`Terminated`, so
``finally`` blocks run (a chaos run rolls back, a sweep stops its workers) and the
command exits 143 as a shell reports a process ended by SIGTERM. :func:`stop_pool`
cancels a ``ProcessPoolExecutor``'s pending work and terminates its workers, which a
plain ``shutdown`` would wait for.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

from gameday.errors import ExitStatus, GamedayError


class Terminated(GamedayError):
    """SIGTERM arrived; the command stops, exit 143."""

    exit_status = ExitStatus.TERMINATED

    def __init__(self) -> None:
        super().__init__("terminated")


@contextmanager
def sigterm_raises() -> Iterator[None]:
    """Turn SIGTERM into :class:`Terminated` while the block runs (main thread only)."""

    def handler(signum: int, frame: Any) -> None:
        raise Terminated()

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def worker_signals() -> None:
    """A pool worker's initializer: the main process decides when work stops.

    Ctrl-C reaches the whole foreground process group; workers ignore it (the main
    process stops them), and SIGTERM kills them outright (the handler a forked worker
    inherited from the main process would raise inside a task).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def stop_pool(pool: ProcessPoolExecutor, grace: float = 5.0) -> None:
    """Cancel what has not started, terminate every worker and wait for each to go."""
    # The executor keeps its workers in ``_processes`` (pid -> Process); it has no public
    # way to terminate them, and shutdown() waits for running tasks to finish.
    workers = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)  # shutdown() forgets it
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in workers:
        proc.terminate()
    for proc in workers:
        proc.join(grace)
        if proc.is_alive():
            proc.kill()
            proc.join()
    # The manager thread notices its workers are gone, closes its wake-up pipe and ends.
    # Wait for it here rather than at exit: the interpreter's exit hook for process pools
    # writes to that pipe without the executor's lock, so a thread closing it meanwhile
    # made the command print an ignored "Bad file descriptor" traceback after its last
    # line (seen under load; see python/cpython#83279 and #83386 for the exit races).
    if manager is not None and manager.is_alive():
        manager.join(grace)
