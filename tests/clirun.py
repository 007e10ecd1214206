"""Calling the ``gameday`` entry point in-process, as a shell would, for CLI tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

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


def drill_script(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    scenario: str | Path,
    actions: list[dict[str, Any]],
    relative_to: str = "page",
) -> dict[str, Any]:
    """result.json of ``gameday drill SCENARIO`` played by a script of ``actions``."""
    script = tmp_path / "script.yaml"
    script.write_text(yaml.safe_dump({"relative_to": relative_to, "actions": actions}))
    out = tmp_path / "result.json"
    code, _stdout, err = run_gameday(
        capsys,
        "drill",
        str(scenario),
        "--responder",
        f"script:{script}",
        "--out",
        str(tmp_path / "reports"),
        "--json",
        str(out),
        "-q",
    )
    assert code in (0, 1), err
    doc: dict[str, Any] = json.loads(out.read_text())
    return doc
