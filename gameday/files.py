"""Reading a user's file with bounds: regular files only, and not beyond a size limit.

Every file gameday reads (scenarios, rules, ``alertmanager.yml``, on-call files, runbooks,
journals, answers, results) comes through :func:`read_text`, so ``/dev/zero``, a FIFO or
a runaway log can neither hang a command nor exhaust memory. Refusals are ``OSError``\\s,
so each reader's existing ``cannot read: ...`` message names the file and the reason.
"""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

MAX_BYTES = 32 * 1024 * 1024  # far beyond any real rule file, config or day-long journal


class UnreadableFile(OSError):
    """A path that is not a regular file, or a file over the size limit."""


def _kind(mode: int) -> str:
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def _mib(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MiB"


def check_regular(path: str | Path, limit: int | None = MAX_BYTES) -> os.stat_result:
    """Refuse what is not a regular file (or is larger than ``limit`` bytes), unopened.

    Raises:
        FileNotFoundError, IsADirectoryError: as ``open`` would.
        UnreadableFile: a device, FIFO or socket, or a file over the limit.
    """
    st = os.stat(path)  # FileNotFoundError, PermissionError as they come
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(21, "Is a directory", str(path))
    if not stat.S_ISREG(st.st_mode):
        raise UnreadableFile(f"not a regular file ({_kind(st.st_mode)})")
    if limit is not None and st.st_size > limit:
        raise UnreadableFile(
            f"file too large ({_mib(st.st_size)}; gameday reads at most {_mib(limit)})"
        )
    return st


def read_text(path: str | Path, limit: int = MAX_BYTES) -> str:
    """The UTF-8 text of a regular file of at most ``limit`` bytes (newlines as
    ``Path.read_text`` gives them).

    Raises:
        OSError: the file is missing, unreadable, not a regular file or too large.
        UnicodeDecodeError: the file is not UTF-8.
    """
    check_regular(path, limit)
    with open(path, "rb") as fh:
        data = fh.read(limit + 1)  # a file that grew since stat (or /proc) stops here too
    if len(data) > limit:
        raise UnreadableFile(f"file too large (gameday reads at most {_mib(limit)})")
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8").read()
