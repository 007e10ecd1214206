"""Every file gameday reads is a regular file of bounded size: a device, a FIFO or a
runaway file is refused at once, naming the file, with exit 2 (it used to read /dev/zero
until MemoryError and hang on a FIFO)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gameday.files import MAX_BYTES
from tests.clirun import run_gameday


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "rules.yml"
    os.mkfifo(path)
    return path


@pytest.fixture
def huge(tmp_path: Path) -> Path:
    path = tmp_path / "alertmanager.yml"
    with path.open("wb") as fh:
        fh.truncate(MAX_BYTES + 1)  # sparse: no disk used
    return path


COMMANDS = {
    "validate": ("validate", "{}"),
    "rules test": ("rules", "test", "{}"),
    "route": ("route", "--config", "{}", "alertname=x"),
    "replay": ("replay", "{}"),
    "resume": ("resume", "{}"),
    "backtest": (
        "backtest", "--rules", "scenarios/db-pool-exhaustion/rules/orders.rules.yml",
        "--openmetrics", "{}", "--from", "2026-01-01T00:00:00Z", "--to", "2026-01-01T01:00:00Z",
    ),
}  # fmt: skip


def _run(capsys: pytest.CaptureFixture[str], template: tuple[str, ...], path: Path | str):
    return run_gameday(capsys, *(a.replace("{}", str(path)) for a in template))


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_character_device_is_refused(command: str, capsys) -> None:
    code, _, err = _run(capsys, COMMANDS[command], "/dev/zero")
    assert code == 2
    assert "/dev/zero" in err
    assert "not a regular file (a character device)" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_fifo_is_refused_without_opening_it(command: str, fifo: Path, capsys) -> None:
    code, _, err = _run(capsys, COMMANDS[command], fifo)  # opening it would block forever
    assert code == 2
    assert f"{fifo}" in err
    assert "not a regular file (a FIFO)" in err


@pytest.mark.parametrize("command", ["validate", "rules test", "route", "replay"])
def test_a_file_over_the_limit_is_refused_unread(command: str, huge: Path, capsys) -> None:
    code, _, err = _run(capsys, COMMANDS[command], huge)
    assert code == 2
    assert f"{huge}" in err
    assert "file too large (32.0 MiB; gameday reads at most 32.0 MiB)" in err


def test_a_scenario_folder_with_a_fifo_runbook_is_refused(tmp_path: Path, capsys) -> None:
    """A FIFO where a scenario names its runbook is located at the key that names it."""
    import shutil

    folder = tmp_path / "mine"
    shutil.copytree("scenarios/db-pool-exhaustion", folder)
    runbook = next((folder / "runbooks").glob("*.md"))
    runbook.unlink()
    os.mkfifo(runbook)
    code, _, err = run_gameday(capsys, "validate", str(folder))
    assert code == 2
    assert "scenario.yaml" in err
    assert "files.runbooks[0]: 'runbooks/db-pool-exhaustion.md' is not a regular file" in err
