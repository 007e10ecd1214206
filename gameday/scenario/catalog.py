"""Where scenarios live: bundled with gameday, or local to a team.

A scenario is a folder holding ``scenario.yaml``; its id is the folder's name. Folders are
searched in this order, the first id found winning:

1. every folder in ``$GAMEDAY_SCENARIOS`` (``os.pathsep``-separated),
2. ``./scenarios`` of the current directory,
3. the scenarios bundled with gameday (the repository's ``scenarios/`` in a checkout,
   ``gameday/_scenarios`` in an installed wheel).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import gameday
from gameday.errors import UsageError, did_you_mean

ENV_VAR = "GAMEDAY_SCENARIOS"
SCENARIO_FILE = "scenario.yaml"


@dataclass(frozen=True)
class CatalogEntry:
    """One scenario folder found on a search path."""

    id: str
    folder: Path
    origin: str  # "bundled" or "local"

    @property
    def source(self) -> Path:
        """The entry's ``scenario.yaml``."""
        return self.folder / SCENARIO_FILE


def bundled_roots() -> list[Path]:
    """Folders of the scenarios that ship with gameday (checkout and wheel layouts)."""
    package = Path(gameday.__file__).resolve().parent
    return [package.parent / "scenarios", package / "_scenarios"]


def local_roots() -> list[Path]:
    """Folders of a team's own scenarios: ``$GAMEDAY_SCENARIOS``, then ``./scenarios``."""
    extra = os.environ.get(ENV_VAR, "")
    roots = [Path(p).expanduser() for p in extra.split(os.pathsep) if p.strip()]
    roots.append(Path.cwd() / "scenarios")
    return roots


def search_roots() -> list[tuple[Path, str]]:
    """Every folder searched for scenarios, in precedence order, with its origin."""
    out: list[tuple[Path, str]] = []
    seen: set[Path] = set()
    bundled = bundled_roots()
    for root, origin in [(r, "local") for r in local_roots()] + [(r, "bundled") for r in bundled]:
        resolved = root.resolve()
        if resolved in seen:
            continue
        seen.add(resolved)
        # ./scenarios of a gameday checkout is the bundled folder itself.
        if origin == "local" and any(resolved == b.resolve() for b in bundled):
            origin = "bundled"
        out.append((root, origin))
    return out


def discover() -> list[CatalogEntry]:
    """Every scenario on the search path, sorted by id; shadowed duplicates dropped."""
    found: dict[str, CatalogEntry] = {}
    for root, origin in search_roots():
        if not root.is_dir():
            continue
        try:
            children = sorted(root.iterdir())
        except OSError:
            continue  # an unreadable root is as good as an empty one
        for child in children:
            if (child / SCENARIO_FILE).is_file() and child.name not in found:
                found[child.name] = CatalogEntry(child.name, child, origin)
    return sorted(found.values(), key=lambda e: e.id)


def find(scenario_id: str) -> CatalogEntry:
    """The scenario called ``scenario_id``.

    Raises:
        UsageError: no scenario has that id; the message suggests the closest one.
    """
    entries = discover()
    for entry in entries:
        if entry.id == scenario_id:
            return entry
    ids = [e.id for e in entries]
    message = f"unknown scenario {scenario_id!r}"
    hint = did_you_mean(scenario_id, ids)
    if hint:
        message += f"; {hint}"
    elif ids:
        message += f"; known scenarios: {', '.join(ids)}"
    else:
        message += "; no scenarios found (see 'gameday list')"
    raise UsageError(message)
