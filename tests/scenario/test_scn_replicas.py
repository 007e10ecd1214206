"""Replicas and replica reads in scenario files: references checked, values typed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gameday.scenario.replicas import FreshRead, ReplicaReads, stale_share

BUNDLED = Path(__file__).resolve().parents[2] / "scenarios" / "replica-lag-stale-reads"


def _copy(tmp_path: Path, old: str, new: str) -> Path:
    folder = tmp_path / "replica-lag-stale-reads"
    shutil.copytree(BUNDLED, folder)
    path = folder / "scenario.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return folder


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "replica: orders-db-replica-1\n        env",
            "replica: orders-db-replica-2\n        env",
            "world.services[1].reads.replica: unknown replica 'orders-db-replica-2' "
            "(did you mean 'orders-db-replica-1'?)",
        ),
        (
            "      replica: orders-db-replica-1\n      user: analytics",
            "      replica: orders-db-replic\n      user: analytics",
            "faults[1].params.replica: unknown replica 'orders-db-replic' "
            "(did you mean 'orders-db-replica-1'?)",
        ),
        (
            "max_standby_streaming_delay: 30s",
            "max_standby_streaming_delay: soon",
            "world.databases[0].replicas[0].max_standby_streaming_delay:",
        ),
        (
            "{share: 0.25, window: [1s, 4s]}",
            "{share: 0.25, window: [4s, 1s]}",
            "window is [soonest, latest]: soonest is after latest",
        ),
    ],
)
def test_validate_refuses_bad_replica_settings(cli, tmp_path: Path, old, new, message) -> None:
    """Each mistake is one message at its key, exit 2."""
    result = cli("validate", _copy(tmp_path, old, new))
    assert result.code == 2, result.out + result.err
    assert message in result.err, result.err
    assert ":" in result.err.split(message)[0]  # path:line:col before the key


def test_stale_share_counts_reads_younger_than_the_lag() -> None:
    """A read w seconds after its write misses while lag > w, w spread over its window."""
    reads = ReplicaReads(
        replica="r",
        after_write=[
            FreshRead(share=0.2, window=(1.0, 5.0)),
            FreshRead(share=0.1, window=(60.0, 60.0)),
        ],
    )
    assert stale_share(reads, 0.0) == stale_share(reads, 1.0) == 0.0
    assert stale_share(reads, 3.0) == pytest.approx(0.1)
    assert stale_share(reads, 5.0) == pytest.approx(0.2)
    assert stale_share(reads, 60.0) == pytest.approx(0.2)
    assert stale_share(reads, 60.5) == pytest.approx(0.3)
