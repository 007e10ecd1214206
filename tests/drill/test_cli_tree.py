"""Every command and option of the CLI, through the real entry point.

The click command tree is walked; every command must have ``--help`` (exit 0), at least
one successful run and at least one bad input answered with exit 2, a message on stderr
and no traceback, and every one of its options must appear in one of its cases. A new
command or option without a case fails :func:`test_every_command_and_option_has_cases`:
add it to the group's module (``test_cli_files``, ``test_cli_runs``,
``test_cli_tabletop``). The tabletop commands (``play``, ``resume``, ``shadow`` without
``--answers``) run in a subprocess under Textual's headless driver, quitting with Ctrl-Q:
exit 130 and a resumable journal is their success path.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.drill import test_cli_files, test_cli_runs, test_cli_tabletop
from tests.drill.clitree import commands, invoke, option_names

CASES = {**test_cli_files.CASES, **test_cli_runs.CASES, **test_cli_tabletop.CASES}


def test_every_command_and_option_has_cases() -> None:
    """The tree has no command without a success and a bad input, no option without a case."""
    tree = commands()
    assert sorted(tree) == sorted(CASES), "add cases in tests/drill/test_cli_*.py for new commands"
    for path, cmd in tree.items():
        cases = CASES[path]
        ok = [c for c in cases if c.code == 0 or ((c.tui or c.served) and c.code == 130)]
        assert ok, f"{path}: no successful case"
        assert any(c.code == 2 for c in cases), f"{path}: no bad-input case"
        used = {a.split("=")[0] for c in cases for a in c.argv}
        missing = [names[0] for names in option_names(cmd) if not used & set(names)]
        assert not missing, (
            f"gameday {path}: options without a case in tests/drill/test_cli_*.py: {missing}"
        )


@pytest.mark.parametrize("path", sorted(CASES))
def test_help(path: str, work: Path) -> None:
    """``--help`` on every command: usage on stdout, exit 0."""
    code, out, err = invoke([*path.split(), "--help"], work)
    assert (code, err) == (0, "")
    assert out.startswith("Usage: gameday " + path)
