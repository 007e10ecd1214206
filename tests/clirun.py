"""Calling the ``gameday`` entry point in-process, as a shell would, for CLI tests."""

from __future__ import annotations

import pytest

from gameday.cli.main import main


def run_gameday(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Exit status, stdout and stderr of ``gameday ARGS`` (the exit-code table applied)."""
    capsys.readouterr()
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err
