"""A sweep stopped by SIGINT or SIGTERM (a CI cancel) exits at once and leaves no worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from tests.conftest import REPO


def wait_for_workers(proc: subprocess.Popen[str], count: int, deadline: float) -> list:
    """The main process's children once ``count`` of them run (the pool's workers)."""
    main = psutil.Process(proc.pid)
    while time.monotonic() < deadline:
        children = main.children(recursive=True)
        if len(children) >= count:
            time.sleep(1.0)  # let them take work
            return main.children(recursive=True)
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.2)
    raise AssertionError("the sweep never started its workers")


def gone(process: psutil.Process) -> bool:
    try:
        return process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@pytest.mark.slow
@pytest.mark.parametrize(
    ("signum", "code", "said"),
    [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "gameday: terminated")],
    ids=["SIGINT", "SIGTERM"],
)
def test_signal_to_the_main_process_stops_every_worker(
    tmp_path: Path, signum: int, code: int, said: str
) -> None:
    """The signal goes to the main process only, as a CI runner sends it."""
    args = ["sweep", "db-pool-exhaustion", "--runs", "400", "--workers", "2"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "gameday", *args, "--out", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        workers = wait_for_workers(proc, 2, time.monotonic() + 120)
        os.kill(proc.pid, signum)
        _out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == code, err
    assert said in err and "Traceback" not in err
    deadline = time.monotonic() + 10
    while not all(gone(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert all(gone(w) for w in workers), [w.pid for w in workers if not gone(w)]
    assert not list(tmp_path.glob("sweep-*")), "an interrupted sweep writes no report"
