"""What ``gameday rules test FILE...`` does, without click.

Rule unit tests run in pre-commit hooks and CI loops, file after file, so the command is
a short process whose start-up counts: the entry point hands ``rules test`` with plain
file arguments straight to :func:`run_rule_tests` and never imports click (about a tenth
of the command's CPU). ``--help``, options and anything unusual go through click, whose
command calls the same function, so both ways print the same bytes.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from gameday.errors import ExitStatus


def _say(text: str, err: bool = False) -> None:
    """One line on stdout (or stderr), flushed, so the two streams interleave in order."""
    stream = sys.stderr if err else sys.stdout
    stream.write(text + "\n")
    stream.flush()


def run_rule_tests(files: Sequence[str]) -> int:
    """Run promtool-format rule test FILES; promtool's report; the exit status."""
    from gameday.cli.heap import keep_freed_memory
    from gameday.rules.unittest import run_test_file

    keep_freed_memory()
    failed = False
    bad_input = False
    for path in files:
        _say(f"Unit Testing:  {path}")
        result = run_test_file(path)
        for w in result.warnings:
            _say(w, err=True)
        if result.passed:
            _say("  SUCCESS")
        else:
            _say("  FAILED:", err=True)
            for e in result.errors:
                _say(e, err=True)
                _say("")
            failed = True
            bad_input = bad_input or result.bad_input
        _say("")
    if bad_input:
        return ExitStatus.BAD_INPUT
    return ExitStatus.FAILED if failed else ExitStatus.OK


def plain_rules_test(args: Sequence[str]) -> list[str] | None:
    """The files of ``rules test FILE...`` when nothing in it needs click's parsing (no
    option, no ``--``), else None."""
    if len(args) < 3 or args[0] != "rules" or args[1] != "test":
        return None
    files = list(args[2:])
    return None if any(f.startswith("-") for f in files) else files
