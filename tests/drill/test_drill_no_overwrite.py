"""No command writes onto a file it reads; outputs are whole or untouched; replays are honest."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gameday import replay as replay_module
from gameday.drill import run_drill
from tests.clirun import run_gameday

FIXED = datetime(2026, 11, 22, 12, 0, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A drill's journal and result.json."""
    tmp = tmp_path_factory.mktemp("recorded")
    result = run_drill("db-pool-exhaustion", "expert", seed=3, out_dir=tmp, now=FIXED)
    assert result.journal is not None and result.report_dir is not None
    return result.journal, result.report_dir / "result.json"


gameday = run_gameday


def aliases(path: Path, tmp_path: Path) -> list[Path]:
    """Other names of ``path``: itself, a hard link, a symlink, a path with ``..``."""
    hard, soft = tmp_path / "hard.jsonl", tmp_path / "soft.jsonl"
    os.link(path, hard)
    soft.symlink_to(path)
    return [path, hard, soft, path.parent / ".." / path.parent.name / path.name]


@pytest.mark.parametrize("command", ["replay", "resume"])
@pytest.mark.parametrize("alias", range(4), ids=["same", "hardlink", "symlink", "dotdot"])
def test_journal_is_never_the_output(
    capsys: pytest.CaptureFixture[str],
    recorded: tuple[Path, Path],
    tmp_path: Path,
    alias: int,
    command: str,
) -> None:
    """`replay|resume J --out J` (under any name) is refused before anything runs."""
    journal, _result = recorded
    before = journal.read_bytes()
    out = aliases(journal, tmp_path)[alias]
    code, stdout, err = gameday(capsys, command, str(journal), "--out", str(out))
    assert code == 2 and stdout == ""
    assert "which this command reads" in err and "Traceback" not in err
    assert journal.read_bytes() == before


def test_report_refuses_to_write_onto_its_result(
    capsys: pytest.CaptureFixture[str], recorded: tuple[Path, Path], tmp_path: Path
) -> None:
    """`report R --output R` is refused; R is unchanged."""
    _journal, result = recorded
    before = result.read_bytes()
    for out in aliases(result, tmp_path):
        code, _stdout, err = gameday(capsys, "report", str(result), "--output", str(out))
        assert code == 2 and "which this command reads" in err
    assert result.read_bytes() == before


def test_replay_interrupted_leaves_out_untouched(
    capsys: pytest.CaptureFixture[str],
    recorded: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A replay that dies half-way leaves --out as it was, and no temporary file."""
    journal, _result = recorded
    out = tmp_path / "out" / "kept.jsonl"
    out.parent.mkdir()
    out.write_text("an older replay\n")
    real = replay_module.rebuild

    def dies(recorded, journal=None, until=None):  # type: ignore[no-untyped-def]
        session = real(recorded, journal=journal, until=60.0)
        session.close("interrupted")
        assert journal is not None and Path(journal).stat().st_size > 0
        raise KeyboardInterrupt  # Ctrl-C half-way through the replay

    monkeypatch.setattr(replay_module, "rebuild", dies)
    code, _stdout, _err = gameday(capsys, "replay", str(journal), "--out", str(out))
    assert code == 130
    assert out.read_text() == "an older replay\n"
    assert sorted(p.name for p in out.parent.iterdir()) == ["kept.jsonl"]


def test_replay_out_is_written_whole(
    capsys: pytest.CaptureFixture[str], recorded: tuple[Path, Path], tmp_path: Path
) -> None:
    """--out receives the replayed journal, byte-identical to the recording."""
    journal, _result = recorded
    out = tmp_path / "replayed.jsonl"
    code, stdout, _err = gameday(capsys, "replay", str(journal), "--out", str(out), "--no-timeline")
    assert code == 0 and stdout.startswith("replay identical")
    assert out.read_bytes() == journal.read_bytes()


def tampered(journal: Path, tmp_path: Path, keep: int | None = None) -> Path:
    """A copy of ``journal`` with one recorded alert's value changed (first ``keep`` lines)."""
    lines = journal.read_text().splitlines()[:keep]
    index = next(i for i, line in enumerate(lines) if '"kind":"alert.firing"' in line)
    event = json.loads(lines[index])
    event["t"] = event["t"] + 1.0
    lines[index] = json.dumps(event, separators=(",", ":"), sort_keys=True)
    path = tmp_path / "tampered.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("keep", [None, -5], ids=["complete", "crashed"])
def test_non_reproducing_replay_never_says_identical(
    capsys: pytest.CaptureFixture[str],
    recorded: tuple[Path, Path],
    tmp_path: Path,
    keep: int | None,
) -> None:
    """A journal whose events differ from what the replay makes: exit 1, never "identical"."""
    journal, _result = recorded
    path = tampered(journal, tmp_path, keep)
    code, stdout, err = gameday(capsys, "replay", str(path), "--no-timeline")
    assert code == 1 and "identical" not in stdout
    assert "replay differs" in err


def test_crashed_prefix_replays_identical(
    capsys: pytest.CaptureFixture[str], recorded: tuple[Path, Path], tmp_path: Path
) -> None:
    """A journal cut short by a crash (with a torn last line) is a prefix of its replay."""
    journal, _result = recorded
    lines = journal.read_text().splitlines()
    cut = tmp_path / "cut.jsonl"
    cut.write_text("\n".join(lines[:40]) + "\n" + lines[40][:17])
    code, stdout, err = gameday(capsys, "replay", str(cut), "--no-timeline")
    assert (code, err) == (0, "")
    assert stdout.startswith("replay identical")


def test_crash_in_the_middle_of_an_instant_replays_identical(
    capsys: pytest.CaptureFixture[str], recorded: tuple[Path, Path], tmp_path: Path
) -> None:
    """Cut between two events of one sim instant, the recording is shorter than its
    replay, which runs that whole instant: still identical. Changing a line before the
    cut is still a difference."""
    import json

    journal, _result = recorded
    lines = journal.read_text().splitlines()
    times = [json.loads(line)["t"] for line in lines]
    cut_at = next(i for i in range(20, len(lines) - 1) if times[i] == times[i - 1] > 0)
    cut = tmp_path / "cut.jsonl"
    cut.write_text("\n".join(lines[:cut_at]) + "\n")
    code, stdout, err = gameday(capsys, "replay", str(cut), "--no-timeline")
    assert (code, err) == (0, ""), err
    assert stdout.startswith("replay identical")
    edited = lines[:cut_at]
    edited[cut_at - 1] = edited[cut_at - 1].replace('"t":', '"t": ', 1)
    cut.write_text("\n".join(edited) + "\n")
    code, _stdout, err = gameday(capsys, "replay", str(cut), "--no-timeline")
    assert code == 1 and f"replay differs from {cut} at line {cut_at}" in err
