"""A drill fails when a change breaks the on-call path, and replays byte for byte."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import yaml

from gameday.drill import run_drill

REPO = Path(__file__).resolve().parents[2]
FIXED = datetime(2026, 11, 22, 12, 0, 0, tzinfo=UTC)


def chat_only_copy(tmp_path: Path) -> Path:
    """db-pool-exhaustion with its critical route sending to Slack only."""
    folder = tmp_path / "chat-only"
    shutil.copytree(REPO / "scenarios" / "db-pool-exhaustion", folder)
    am = yaml.safe_load((folder / "alertmanager.yml").read_text())
    am["route"]["routes"] = [r for r in am["route"]["routes"] if r["receiver"] != "pagerduty-shop"]
    (folder / "alertmanager.yml").write_text(yaml.safe_dump(am, sort_keys=False))
    return folder


def test_critical_alert_routed_to_chat_fails_on_acknowledgement(tmp_path: Path) -> None:
    """With the page route gone the expert is never paged; evidence names the chat receiver."""
    result = run_drill(
        str(chat_only_copy(tmp_path)),
        responder="expert",
        seed=1,
        out_dir=tmp_path / "out",
        now=FIXED,
    )
    assert not result.passed
    ack = result.scorecard.dimension("acknowledgement")
    assert not ack.passed
    evidence = " ".join(ack.evidence)
    assert "slack-incidents" in evidence
    assert "no page" in evidence.lower() or "nobody" in evidence.lower()


def test_same_seed_same_journal_and_replay_identical(tmp_path: Path) -> None:
    """Two drills with one seed write identical journals, and `gameday replay` reproduces one."""
    a = run_drill("bad-deploy", responder="expert", seed=4, out_dir=tmp_path / "a", now=FIXED)
    b = run_drill("bad-deploy", responder="expert", seed=4, out_dir=tmp_path / "b", now=FIXED)
    assert a.journal is not None and b.journal is not None
    assert a.journal.read_bytes() == b.journal.read_bytes()
    out = subprocess.run(
        [sys.executable, "-m", "gameday", "replay", str(a.journal), "--no-timeline"],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert out.returncode == 0, out.stderr
    assert "replay identical" in out.stdout


def test_other_seed_changes_names_not_story(tmp_path: Path) -> None:
    """Another seed changes pod names, numbers and the onset; the same fix relieves it."""
    a = run_drill("bad-deploy", responder="expert", seed=1, out_dir=tmp_path / "a", now=FIXED)
    b = run_drill("bad-deploy", responder="expert", seed=2, out_dir=tmp_path / "b", now=FIXED)
    assert a.journal is not None and b.journal is not None
    ja, jb = a.journal.read_text(), b.journal.read_text()
    assert ja != jb
    for text in (ja, jb):
        assert '"kind":"fault.relieved"' in text and '"fault":"leaky-release"' in text
