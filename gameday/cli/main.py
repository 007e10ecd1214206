"""The ``gameday`` entry point: the exit-code table, and the way to each command.

Commands are click commands (:mod:`gameday.cli.group`), loaded lazily. One command,
``rules test`` with plain file arguments, is run without loading click at all: it is
the short process users start over and over (see :mod:`gameday.cli.rules_test`).
"""

from __future__ import annotations

import gc
import os
import sys
from typing import Any

from gameday.errors import ExitStatus, GamedayError, InputError

# numpy's OpenBLAS starts a thread per core when it loads, and those threads spin for a
# while: about 50 ms of CPU in every gameday process, for matrix products gameday hardly
# makes (its arrays are worked element-wise, which numpy never spreads over threads).
# Set before any subcommand imports numpy; a value the user chose is kept (an empty one
# is no choice: OpenBLAS reads it as unset and starts a thread per core).
if not os.environ.get("OPENBLAS_NUM_THREADS", "").strip():
    os.environ["OPENBLAS_NUM_THREADS"] = "1"


def __getattr__(name: str) -> Any:
    """``cli`` (the click group) is loaded when asked for, not with this module."""
    if name == "cli":
        from gameday.cli.group import cli

        return cli
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _stderr(text: str) -> None:
    from gameday.textsafe import visible

    sys.stderr.write(visible(text) + "\n")
    sys.stderr.flush()


def report_error(exc: GamedayError) -> None:
    """Print a user-facing error on stderr, one problem per line."""
    if isinstance(exc, InputError):
        for problem in exc.problems:
            _stderr(str(problem))
    else:
        _stderr(f"gameday: {exc}")


def main(argv: list[str] | None = None) -> Any:
    """Console-script entry point with the exit-code table applied."""
    try:
        _main(sys.argv[1:] if argv is None else argv, whole_process=argv is None)
    finally:
        if argv is None:  # the process ends here (a caller passing argv may carry on)
            # Nothing made from now on needs the cycle collector: freezing what exists
            # spares the collection the interpreter runs on the way out, a tenth of the
            # CPU of a short command such as ``rules test``.
            gc.freeze()


def _main(args: list[str], whole_process: bool = False) -> Any:
    try:
        status = _dispatch(args, whole_process)
    except GamedayError as exc:
        report_error(exc)
        sys.exit(exc.exit_status)
    except KeyboardInterrupt:
        _stderr("interrupted")
        sys.exit(ExitStatus.INTERRUPTED)
    except BrokenPipeError:  # the reader went away (``| head``): as click does, exit 1
        # (the output is cut short) and send what is left in the buffer nowhere, so
        # the flush on the way out does not complain
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(ExitStatus.FAILED)
    except OSError as exc:  # a disk that fills, a folder removed mid-run: say which file
        where = f"{exc.filename}: " if exc.filename else ""
        _stderr(f"gameday: {where}{exc.strerror or exc}")
        sys.exit(ExitStatus.BAD_INPUT)
    # A command returns its exit status (an int) or None for success.
    sys.exit(int(status) if isinstance(status, int) else ExitStatus.OK)


def _dispatch(args: list[str], whole_process: bool) -> Any:
    """Run the command ``args`` name; its return value."""
    from gameday.cli.rules_test import plain_rules_test

    files = plain_rules_test(args)
    if files is not None:
        if whole_process:
            _load_for_good("gameday.rules.unittest")
        from gameday.cli.rules_test import run_rule_tests

        return run_rule_tests(files)
    return _click_main(args)


def _load_for_good(module: str) -> None:
    """Import ``module`` for a process that keeps it until it exits.

    Loading makes tens of thousands of objects that live as long as the process: the
    cycle collector would scan them again and again and free none. It stays off while
    they load and leaves them out of its passes afterwards (together about 25 ms, an
    eighth of the CPU of ``rules test`` on a month-long file). Not for a caller that
    goes on after the command (tests): frozen objects are never collected.
    """
    import importlib

    on = gc.isenabled()
    gc.disable()
    try:
        importlib.import_module(module)
    finally:
        gc.freeze()
        if on:
            gc.enable()


def _click_main(args: list[str]) -> Any:
    import click

    from gameday.cli.group import cli

    try:
        return cli.main(args=args, prog_name="gameday", standalone_mode=False)
    except click.exceptions.Abort:
        _stderr("interrupted")
        sys.exit(ExitStatus.INTERRUPTED)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(ExitStatus.BAD_INPUT)


if __name__ == "__main__":
    main()
