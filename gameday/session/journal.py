"""The session journal: every event as one JSON line, written as it happens.

Each line is flushed at once and synced to disk after every responder action, so a
crash or ``kill -9`` loses nothing a person typed. The same scenario, seed and actions
write byte-identical journals.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from gameday.errors import InputError, Problem
from gameday.files import read_text
from gameday.session.events import Event
from gameday.session.journal_schema import TornLine, parse_line


class Journal:
    """Append-only JSONL writer."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh: IO[str] | None = open(self.path, "w", encoding="utf-8")  # noqa: SIM115

    def write(self, event: Event) -> None:
        if self._fh is None:
            return
        try:
            self._fh.write(event.to_json() + "\n")
            self._fh.flush()
            if event.kind in (
                "command.typed",
                "action",
                "session.start",
                "session.end",
                "hint",
                "inject",
            ):
                os.fsync(self._fh.fileno())
        except OSError as exc:  # a full disk: name the journal, not just the errno
            raise OSError(exc.errno, exc.strerror, str(self.path)) from None

    def close(self) -> None:
        if self._fh is not None:
            fh, self._fh = self._fh, None
            try:
                fh.flush()
                os.fsync(fh.fileno())
            except OSError as exc:
                raise OSError(exc.errno, exc.strerror, str(self.path)) from None
            finally:
                fh.close()


def read_journal(path: str | Path) -> Iterator[Event]:
    """Events of a journal; a torn last line (a crash mid-write) is skipped."""
    p = Path(path)
    try:
        # JSON Lines end at "\n" only: str.splitlines() would also break at U+0085,
        # U+2028 and other characters a typed command may hold (JSON keeps them raw).
        lines = read_text(p).split("\n")
        if lines and lines[-1] == "":
            lines.pop()
    except FileNotFoundError:
        raise InputError(Problem(str(path), message="journal not found")) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(Problem(str(path), message=f"cannot read journal: {exc}")) from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            event = parse_line(line, str(path), number)  # checked against the schema
        except TornLine as exc:
            if number == len(lines):
                return  # torn final line
            raise InputError(
                Problem(str(path), number, 1, None, f"not a journal line: {exc}")
            ) from None
        yield event
