"""Editing a copy of a bundled scenario in tests: a writable folder, and an edit that
says at which line it changed the file (for ``path:line:col`` assertions)."""

from __future__ import annotations

import shutil
from pathlib import Path

BUNDLED = Path(__file__).resolve().parents[2] / "scenarios" / "db-pool-exhaustion"


def pool_folder(tmp_path: Path) -> Path:
    """A writable copy of db-pool-exhaustion under ``tmp_path``."""
    dest = tmp_path / "db-pool-exhaustion"
    shutil.copytree(BUNDLED, dest)
    return dest


def edit_line(path: Path, old: str, new: str) -> int:
    """Replace ``old`` once in ``path``; return the 1-based line where ``new`` begins."""
    text = path.read_text()
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new))
    return text[: text.index(old)].count("\n") + 1
