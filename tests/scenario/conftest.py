"""Fixtures for the scenario tests: the CLI in-process, an isolated catalog, a valid copy."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from gameday.cli.main import main
from gameday.scenario import catalog, checkers

FIXTURES = Path(__file__).parent / "fixtures"
VALID = FIXTURES / "valid"


@dataclass
class Result:
    """What a CLI run printed and returned."""

    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        """Non-empty stderr lines."""
        return [line for line in self.err.splitlines() if line]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    """Run ``gameday ARGS...`` in-process; returns a :class:`Result`."""

    def run(*args: str | Path) -> Result:
        capsys.readouterr()
        try:
            main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        else:  # pragma: no cover - main always exits
            code = 0
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@dataclass
class Roots:
    """The isolated scenario search path of one test."""

    bundled: Path
    extra: Path
    cwd: Path

    def add(self, root: Path, scenario_id: str, source: Path = VALID) -> Path:
        """Copy a fixture folder to ``root/scenario_id`` and return it."""
        dest = root / scenario_id
        shutil.copytree(source, dest)
        return dest


@pytest.fixture
def roots(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Roots:
    """Point the catalog at empty temporary folders only (no repo scenarios)."""
    r = Roots(tmp_path / "bundled", tmp_path / "extra", tmp_path / "cwd")
    for folder in (r.bundled, r.extra, r.cwd / "scenarios"):
        folder.mkdir(parents=True)
    monkeypatch.setattr(catalog, "bundled_roots", lambda: [r.bundled])
    monkeypatch.setenv(catalog.ENV_VAR, str(r.extra))
    monkeypatch.chdir(r.cwd)
    return r


@pytest.fixture
def no_checkers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every external checker absent, so results depend on this package only."""
    monkeypatch.setattr(checkers, "load_checker", lambda c: (None, f"{c.kind} checks skipped"))


@pytest.fixture
def valid_copy(tmp_path: Path) -> Path:
    """A writable copy of the valid fixture scenario."""
    dest = tmp_path / "valid"
    shutil.copytree(VALID, dest)
    return dest
