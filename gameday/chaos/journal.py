"""The chaos journal: each change and its inverse, on disk before the change is made."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import IO, Any

from gameday.chaos.operations import Operation


class ChaosJournal:
    """Append-only JSONL: ``applying`` before a change, ``applied`` after, ``rolled_back``."""

    def __init__(self, path: str | Path, context: str, namespace: str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        existing = self.path.read_text(encoding="utf-8").splitlines() if self.path.exists() else []
        self._fh: IO[str] = open(self.path, "a", encoding="utf-8")  # noqa: SIM115
        self._seq = len(existing)  # a rollback appends to a crashed run's journal
        self._write({"event": "start", "context": context, "namespace": namespace})

    def _write(self, record: dict[str, Any]) -> None:
        record = {"seq": self._seq, **record}
        self._seq += 1
        self._fh.write(json.dumps(record, sort_keys=True) + "\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def applying(self, op: Operation, inverse: Operation | None) -> int:
        """Record a change about to be made; returns its id."""
        change_id = self._seq
        self._write(
            {
                "event": "applying",
                "op": op.to_dict(),
                "inverse": inverse.to_dict() if inverse else None,
            }
        )
        return change_id

    def applied(self, change_id: int) -> None:
        self._write({"event": "applied", "change": change_id})

    def failed(self, change_id: int, error: str) -> None:
        self._write({"event": "failed", "change": change_id, "error": error})

    def rolled_back(self, change_id: int) -> None:
        self._write({"event": "rolled_back", "change": change_id})

    def close(self) -> None:
        self._fh.close()
