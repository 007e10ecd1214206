"""A sweep of an imported incident through the CLI: every run is the drill of its seed."""

from __future__ import annotations

import json
from pathlib import Path

from tests.clirun import run_gameday
from tests.imported.incident import import_args, write_incident


def test_sweep_runs_are_the_drills_of_their_seeds(capsys, tmp_path: Path) -> None:
    """`gameday sweep FOLDER` on an imported folder: one run per seed, each with the
    score, verdict, acknowledgement time and page count that `gameday drill FOLDER
    --seed N` gives; a second sweep prints the same per-run figures."""
    files = write_incident(tmp_path)
    folder = tmp_path / "orders-outage"
    code, _, err = run_gameday(capsys, *import_args(files, folder))
    assert code == 0, err
    runs = []
    for attempt in ("a", "b"):
        reports = tmp_path / f"sweep-{attempt}"
        code, _, err = run_gameday(
            capsys, "sweep", str(folder), "--runs", "3", "--workers", "1",
            "--out", str(reports),
        )  # fmt: skip
        assert code == 0, err
        (report,) = reports.glob("*.json")
        doc = json.loads(report.read_text())
        assert [r["seed"] for r in doc["runs"]] == [1, 2, 3]
        runs.append(doc["runs"])
    assert runs[0] == runs[1]
    for run in runs[0]:
        result = tmp_path / f"drill-{run['seed']}.json"
        code, _, err = run_gameday(
            capsys, "drill", str(folder), "--seed", str(run["seed"]),
            "--out", str(tmp_path / "drills"), "--json", str(result), "-q",
        )  # fmt: skip
        assert code in (0, 1), err
        drill = json.loads(result.read_text())
        assert (run["score"], run["passed"]) == (drill["score"], drill["passed"])
        assert code == (0 if drill["passed"] else 1)
        times = drill["scorecard"]["key_times"]
        assert abs(run["mtta"] - (times["acknowledged"] - times["paged"])) < 1e-6
        assert run["pages"] >= 1


def test_a_recording_varies_by_seed_only(capsys, tmp_path: Path) -> None:
    """`--vary start|load|fault-time` would change nothing a recording replays: refused,
    exit 2, before any run; `--vary seed` is accepted."""
    files = write_incident(tmp_path)
    folder = tmp_path / "orders-outage"
    assert run_gameday(capsys, *import_args(files, folder))[0] == 0
    for vary in ("start", "seed,load", "fault-time,start"):
        code, out, err = run_gameday(
            capsys, "sweep", str(folder), "--runs", "2", "--vary", vary,
            "--out", str(tmp_path / "never"),
        )  # fmt: skip
        assert code == 2, (vary, err)
        assert "is an imported incident" in err and "only 'seed' can vary" in err
        assert "Traceback" not in err
    assert not list((tmp_path / "never").glob("*"))
    code, _, err = run_gameday(
        capsys, "sweep", str(folder), "--runs", "2", "--workers", "1", "--vary", "seed",
        "--out", str(tmp_path / "ok"),
    )  # fmt: skip
    assert code == 0, err
