"""Writing files without ever destroying one: no output onto an input, temp file then rename.

A command that reads a journal or a result.json and writes another file must not write
onto the file it reads (``gameday replay J --out J`` once cut a 69-line journal to 10
lines when the replay died half-way). :func:`refuse_same_file` compares resolved paths
and, when both exist, device and inode (hard links, bind mounts). :func:`replacing`
writes to a temporary file beside the target and renames it into place only when the
write is complete, so a crash leaves the old file whole.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from gameday.errors import UsageError

_UMASK = os.umask(0o022)
os.umask(_UMASK)


def same_file(a: str | Path, b: str | Path) -> bool:
    """Whether ``a`` and ``b`` name the same file (same resolved path, or device and inode)."""
    pa, pb = Path(a), Path(b)
    try:
        if pa.resolve() == pb.resolve():
            return True
        sa, sb = pa.stat(), pb.stat()
    except (OSError, RuntimeError):  # missing, or a symlink loop
        return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


def refuse_same_file(output: str | Path, inputs: Iterable[str | Path], option: str) -> None:
    """Refuse to write ``output`` when it is one of the files the command reads.

    Raises:
        UsageError: ``--out J: is JOURNAL, which this command reads; write elsewhere``.
    """
    for source in inputs:
        if same_file(output, source):
            raise UsageError(
                f"{option} {output}: is {source}, which this command reads; "
                "write the output elsewhere (the input is never overwritten)"
            )


@contextmanager
def replacing(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path``, renamed onto it when the block ends without error.

    On an exception (or Ctrl-C) the temporary file is removed and ``path`` is untouched.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; a plain open() would not
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file and a rename."""
    with replacing(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def copy_atomic(source: str | Path, path: str | Path) -> None:
    """Copy ``source`` to ``path`` through a temporary file and a rename."""
    with replacing(path) as tmp:
        shutil.copyfile(source, tmp)
