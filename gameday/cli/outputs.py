"""Output paths checked when the command line is read, before anything runs.

Every option that names a file or folder gameday writes (``drill --out/--junit/--json``,
``replay --out``, ``report --output``, ``play/serve/chaos --journal``, ``sweep --out``...)
takes :class:`OutputPath`. A file whose folder does not exist, a folder where a file is
expected (or a file where a folder is), a device or FIFO, or a place gameday cannot write
is refused at once, in one line that names the option and the path, with exit 2: a drill
never runs for ten minutes to fail on its last write. A folder option's folder
is created with its missing parents, as the commands always did. Whether gameday may write is
tried, not guessed from permission bits (which say yes to root on a read-only disk):
an empty temporary file is made beside the target and removed.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import Any, Literal

import click

from gameday.errors import UsageError


def _probe(folder: Path) -> str | None:
    """Why no file can be created in ``folder``, or None when one can."""
    try:
        fd, name = tempfile.mkstemp(prefix=".gameday-probe-", dir=folder)
    except OSError as exc:
        return f"cannot write in {folder}: {exc.strerror or exc}"
    os.close(fd)
    os.unlink(name)
    return None


def _file_problem(path: Path) -> str | None:
    try:
        st = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        st = None  # the parent's checks below say what is wrong
    except OSError as exc:
        return exc.strerror or str(exc)
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            return "is a directory (a file name is expected)"
        if not stat.S_ISREG(st.st_mode):
            return (
                "is not a regular file (gameday replaces its outputs whole, never a device, "
                "socket or FIFO; leave the option out to skip the file)"
            )
        if not os.access(path, os.W_OK):
            return "permission denied"
    return _parent_problem(path.parent)


def _folder_problem(path: Path) -> str | None:
    """A folder is made with its missing parents (``mkdir -p``): the nearest one that
    exists must be a folder gameday can write in."""
    if path.exists():
        if not path.is_dir():
            return "is not a directory (a folder is expected)"
        return _probe(path)
    ancestor = path.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        return f"not a directory: {ancestor}"
    return _probe(ancestor)


def _parent_problem(parent: Path) -> str | None:
    """The folder a new file or folder goes into must exist and take new entries."""
    if not parent.exists():
        return f"no such directory: {parent}"
    if not parent.is_dir():
        return f"not a directory: {parent}"
    return _probe(parent)


def output_problem(path: Path, kind: Literal["file", "folder"]) -> str | None:
    """What stops gameday writing ``path`` (a file, or a folder it creates or fills)."""
    return _file_problem(path) if kind == "file" else _folder_problem(path)


class OutputPath(click.ParamType):
    """A file (or folder) the command writes, checked before the command runs.

    Refusals raise :class:`gameday.errors.UsageError` (``gameday: --junit x/j.xml: no
    such directory: x``, exit 2) rather than click's multi-line usage error.
    """

    name = "path"

    def __init__(self, kind: Literal["file", "folder"] = "file") -> None:
        self.kind = kind

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "FILE" if self.kind == "file" else "DIR"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Path:
        path = (value if isinstance(value, Path) else Path(str(value))).expanduser()
        problem = output_problem(path, self.kind)
        if problem:
            names = [*param.opts] if param is not None else []
            option = next((n for n in names if n.startswith("--")), names[0] if names else "output")
            raise UsageError(f"{option} {value}: {problem}")
        return path


def refuse_same_outputs(outputs: dict[str, Path | None]) -> None:
    """Refuse two options naming the same file (``--junit r.xml --json r.xml``)."""
    from gameday.atomic import same_file

    named = [(opt, p) for opt, p in outputs.items() if p is not None]
    for i, (opt, path) in enumerate(named):
        for other, other_path in named[i + 1 :]:
            if path == other_path or (path.exists() and same_file(path, other_path)):
                raise UsageError(f"{other} {other_path}: is also {opt}; write each elsewhere")
