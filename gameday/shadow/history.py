"""Shadow-practice history: every result in SQLite, and the trend per scenario.

The database is ``progress.sqlite`` in ``platformdirs.user_data_dir("gameday")``, or in
``$GAMEDAY_DATA_DIR`` when that is set (tests and shared machines use it).
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import platformdirs

from gameday.errors import InputError, Problem

WINDOW = 3  # sessions in the moving average
_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    finished_at TEXT NOT NULL,
    scenario TEXT NOT NULL,
    seed INTEGER NOT NULL,
    mode TEXT NOT NULL,
    source TEXT NOT NULL,
    agreement REAL NOT NULL,
    decision_points INTEGER NOT NULL,
    hints INTEGER NOT NULL,
    decide_mean REAL NOT NULL,
    result TEXT NOT NULL
)
"""


def data_dir() -> Path:
    """Where gameday keeps a trainee's data."""
    override = os.environ.get("GAMEDAY_DATA_DIR")
    return Path(override) if override else Path(platformdirs.user_data_dir("gameday"))


def database() -> Path:
    """The progress database's path."""
    return data_dir() / "progress.sqlite"


@contextmanager
def _connect(path: Path | None = None) -> Iterator[sqlite3.Connection]:
    path = path or database()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            Problem(
                str(path.parent),
                message=f"cannot keep the progress database here: {exc.strerror or exc}",
                hint="GAMEDAY_DATA_DIR must name a folder",
            )
        ) from None
    try:
        with closing(sqlite3.connect(path)) as conn, conn:
            conn.execute(_SCHEMA)
            yield conn
    except sqlite3.Error as exc:
        raise InputError(
            Problem(str(path), message=f"cannot use the progress database: {exc}")
        ) from None


def record(result: dict[str, Any], when: datetime | None = None, path: Path | None = None) -> int:
    """Keep one shadow result; returns its id."""
    stamp = (when or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
    with _connect(path) as conn:
        cur = conn.execute(
            "INSERT INTO sessions (finished_at, scenario, seed, mode, source, agreement, "
            "decision_points, hints, decide_mean, result) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                stamp,
                result["scenario"],
                int(result["seed"]),
                result["mode"],
                result["source"],
                float(result["agreement"]),
                int(result["decision_points"]),
                int(result["hints_used"]),
                float(result["decide_seconds"]["mean"]),
                json.dumps(result, sort_keys=True),
            ),
        )
        return int(cur.lastrowid or 0)


def sessions(path: Path | None = None) -> list[dict[str, Any]]:
    """Every kept session, oldest first, without the full result."""
    with _connect(path) as conn:
        rows = conn.execute(
            "SELECT id, finished_at, scenario, seed, mode, source, agreement, "
            "decision_points, hints, decide_mean, result FROM sessions ORDER BY id"
        ).fetchall()
    out = []
    for row in rows:
        phases = _checked_row(path or database(), row)
        out.append(
            {
                "id": row[0],
                "finished_at": row[1],
                "scenario": row[2],
                "seed": row[3],
                "mode": row[4],
                "source": row[5],
                "agreement": row[6],
                "decision_points": row[7],
                "hints": row[8],
                "decide_mean": row[9],
                "phases": phases,
            }
        )
    return out


def _checked_row(path: Path, row: tuple[Any, ...]) -> dict[str, Any]:
    """A row's phases, once its figures are known to be what ``record`` wrote.

    Raises:
        InputError: ``progress.sqlite: session 7: agreement is not a number``.
    """

    def corrupt(what: str) -> InputError:
        return InputError(
            Problem(
                str(path),
                message=f"session {row[0]}: {what}",
                hint="the progress database is damaged; move it aside to start afresh",
            )
        )

    for index, name in ((6, "agreement"), (9, "decide_mean")):
        value = row[index]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise corrupt(f"{name} is not a number ({value!r})")
        if not math.isfinite(value):
            raise corrupt(f"{name} is not a finite number ({value!r})")
    for index, name in ((2, "scenario"), (1, "finished_at")):
        if not isinstance(row[index], str):
            raise corrupt(f"{name} is not text ({row[index]!r})")
    try:
        result = json.loads(row[10])
    except (TypeError, ValueError, RecursionError):
        raise corrupt("its result is not JSON") from None
    phases = result.get("phases", {}) if isinstance(result, dict) else None
    if not isinstance(phases, dict):
        raise corrupt("its result is not a shadow result")
    return phases


def trend(rows: list[dict[str, Any]], window: int = WINDOW) -> dict[str, list[dict[str, Any]]]:
    """Per scenario, each session's agreement with the moving average of the last ``window``."""
    out: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        series = out.setdefault(row["scenario"], [])
        last = [r["agreement"] for r in series[-(window - 1) :]] if window > 1 else []
        values = [*last, row["agreement"]]
        series.append(
            {
                "id": row["id"],
                "finished_at": row["finished_at"],
                "mode": row["mode"],
                "agreement": row["agreement"],
                "moving_average": round(sum(values) / len(values), 1),
            }
        )
    return out


def direction(series: list[dict[str, Any]]) -> str:
    """``improving``, ``declining`` or ``steady``: the last moving average against the first."""
    if len(series) < 2:
        return "steady"
    delta = series[-1]["moving_average"] - series[0]["moving_average"]
    return "improving" if delta > 1.0 else "declining" if delta < -1.0 else "steady"
