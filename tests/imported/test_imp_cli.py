"""``gameday import`` through its entry point: the folder it writes and every bad input."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from gameday.openmetrics import load_openmetrics
from gameday.tsdb import TSDB
from tests.clirun import run_gameday
from tests.imported.incident import INCIDENT, T0, import_args, write_incident


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return write_incident(tmp_path)


def test_import_writes_a_scenario_folder_that_validates(capsys, files, tmp_path) -> None:
    """The folder holds the window (with the rules' history), the team's files and the
    ghost; validate accepts it."""
    out = tmp_path / "orders-outage"
    code, stdout, err = run_gameday(capsys, *import_args(files, out))
    assert code == 0, err
    assert "imported 5 series" in stdout and "ghost of 8 timeline rows" in stdout
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "alertmanager.yml",
        "oncall.yaml",
        "recorded.om",
        "rules",
        "scenario.yaml",
        "solution.yaml",
        "timeline.csv",
    ]
    assert (out / "rules" / "orders.rules.yml").read_text() == files["rules"].read_text()
    db = TSDB()
    series, samples = load_openmetrics(out / "recorded.om", db)
    names_kept = {dict(s.labels)["__name__"] for s in db.all_series()}
    # the rules read http_requests_total; up is always kept; node_load1 and the pool
    # gauge are selected by nothing
    assert names_kept == {"http_requests_total", "up"}
    first = min(int(s.t[0]) for s in db.all_series())
    last = max(int(s.t[-1]) for s in db.all_series())
    assert first == T0 * 1000  # rate(...[1h]) needs the hour before 18:00
    assert last == (INCIDENT + 3600) * 1000
    assert series == 5 and samples == 5 * (2 * 240 + 1)
    doc = (out / "scenario.yaml").read_text()
    assert "start_time: '2026-11-04T18:00:00Z'" in doc and "history: 1h" in doc
    assert "severity: SEV1" in doc  # the real team declared SEV1 in the timeline
    code, _, err = run_gameday(capsys, "validate", str(out))
    assert code == 0, err


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool not installed")
def test_promtool_backfills_the_recorded_file(capsys, files, tmp_path) -> None:
    """recorded.om is what promtool tsdb create-blocks-from openmetrics reads."""
    out = tmp_path / "inc"
    assert run_gameday(capsys, *import_args(files, out))[0] == 0
    done = subprocess.run(
        [
            "promtool",
            "tsdb",
            "create-blocks-from",
            "openmetrics",
            str(out / "recorded.om"),
            str(tmp_path / "tsdb"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def test_history_and_match_options(capsys, files, tmp_path) -> None:
    """--history sets the recorded time before --from; --match keeps more series."""
    out = tmp_path / "inc"
    args = import_args(files, out, "--history", "10m", "--match", "node_load1")
    assert run_gameday(capsys, *args)[0] == 0
    db = TSDB()
    load_openmetrics(out / "recorded.om", db)
    assert {dict(s.labels)["__name__"] for s in db.all_series()} >= {"node_load1"}
    assert min(int(s.t[0]) for s in db.all_series()) == (INCIDENT - 600) * 1000


def test_existing_folder_is_never_overwritten(capsys, files, tmp_path) -> None:
    """An existing folder (even empty) is refused before anything is read; it stays as it was."""
    out = tmp_path / "taken"
    out.mkdir()
    (out / "mine.txt").write_text("keep me")
    code, _, err = run_gameday(capsys, *import_args(files, out))
    assert code == 2
    assert f"{out}: already exists; gameday import never overwrites a folder" in err
    assert [p.name for p in out.iterdir()] == ["mine.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run_gameday(capsys, *import_args(files, empty))[0] == 2
    assert list(empty.iterdir()) == []


def test_empty_window_is_refused_and_leaves_nothing(capsys, files, tmp_path) -> None:
    """A window the data does not cover exits 2 and writes no folder, no temporary."""
    out = tmp_path / "nothing"
    args = import_args(files, out)
    args[args.index("--from") + 1] = "2026-11-05T18:00:00Z"
    args[args.index("--to") + 1] = "2026-11-05T19:00:00Z"
    args[args.index("--timeline") : args.index("--timeline") + 2] = []
    code, _, err = run_gameday(capsys, *args)
    assert code == 2
    assert "no samples between 2026-11-05T18:00:00Z and 2026-11-05T19:00:00Z" in err
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".nothing")]


@pytest.mark.parametrize(
    ("frm", "to", "what"),
    [
        ("2026-11-04T19:00:00Z", "2026-11-04T18:00:00Z", "is not before --to"),
        ("2026-11-04T00:00:00Z", "2026-11-05T06:00:00Z", "1d6h; an imported incident"),
        ("2026-11-04T18:00:00Z", "2026-11-04T18:00:30Z", "30s; an imported incident"),
        ("yesterday", "2026-11-04T18:00:30Z", "--from: not a time: 'yesterday'"),
    ],
)
def test_bad_windows_exit_2(capsys, files, tmp_path, frm, to, what) -> None:
    args = import_args(files, tmp_path / "x")
    args[args.index("--from") + 1] = frm
    args[args.index("--to") + 1] = to
    code, _, err = run_gameday(capsys, *args)
    assert code == 2 and what in err, err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("swap", "what"),
    [
        (("--openmetrics", None), "give exactly one of --openmetrics FILE and --prometheus URL"),
        (("--alertmanager", None), "--oncall needs --alertmanager"),
        (("--match", "rate(x[5m])"), "--match: 'rate(x[5m])' is not a series selector"),
        (("--match", "{"), "--match: '{'"),
        (("--history", "8d"), "--history: 691200s is more than 7d"),
        (("--id", "Bad Id"), "--id 'Bad Id': lower-case letters"),
    ],
)
def test_bad_options_exit_2(capsys, files, tmp_path, swap, what) -> None:
    args = import_args(files, tmp_path / "x")
    option, value = swap
    if value is None:
        i = args.index(option)
        del args[i : i + 2]
    else:
        args += [option, value]
    code, _, err = run_gameday(capsys, *args)
    assert code == 2 and what in err, err
    assert not (tmp_path / "x").exists()


def test_bad_team_files_are_all_reported(capsys, files, tmp_path) -> None:
    """A broken rule file and a broken alertmanager.yml are both named, exit 2."""
    files["rules"].write_text(
        "groups:\n  - name: x\n    rules:\n      - alert: A\n        expr: (\n"
    )
    files["am"].write_text("route: [\n")
    code, _, err = run_gameday(capsys, *import_args(files, tmp_path / "x"))
    assert code == 2
    assert str(files["rules"]) in err and str(files["am"]) in err
    assert not (tmp_path / "x").exists()


def test_malformed_openmetrics_is_located(capsys, files, tmp_path) -> None:
    text = files["om"].read_text().splitlines()
    text[3] = "http_requests_total{code=200} 1 1793811600"
    files["om"].write_text("\n".join(text) + "\n")
    code, _, err = run_gameday(capsys, *import_args(files, tmp_path / "x"))
    assert code == 2
    assert f"{files['om']}:4: malformed OpenMetrics" in err
