"""``gameday shadow --answers`` keeps every result; ``gameday progress`` shows the trend."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from gameday.cli.main import cli
from gameday.shadow import history

SCENARIO = "db-pool-exhaustion"
EXPERT = [
    "ack",
    "sev SEV1",
    "assign ic amara",
    "kubectl get pods -n shop -l app=orders",
    "kubectl logs deployment/orders -n shop --tail=50",
]


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Progress goes to a scratch folder."""
    folder = tmp_path / "data"
    monkeypatch.setenv("GAMEDAY_DATA_DIR", str(folder))
    return folder


def shadow(tmp_path: Path, answers: list[str], *extra: str) -> dict:
    """Run ``gameday shadow --answers --json`` and return its result."""
    path = tmp_path / "answers.yaml"
    path.write_text("".join(f"- {json.dumps(a)}\n" for a in answers))
    run = CliRunner().invoke(
        cli, ["shadow", SCENARIO, "--answers", str(path), "--json", *extra], catch_exceptions=False
    )
    assert run.exit_code == 0, run.output
    return json.loads(run.output)


def test_progress_shows_a_trend_after_three_runs(tmp_path: Path, data_dir: Path) -> None:
    """Three runs with more and more right answers: sessions, moving average, improving."""
    results = [shadow(tmp_path, EXPERT[:n]) for n in (1, 3, 5)]
    assert [r["agreement"] for r in results] == sorted(r["agreement"] for r in results)
    assert (data_dir / "progress.sqlite").is_file()
    run = CliRunner().invoke(cli, ["progress", "--json"], catch_exceptions=False)
    assert run.exit_code == 0
    data = json.loads(run.output)
    assert [s["agreement"] for s in data["sessions"]] == [r["agreement"] for r in results]
    series = data["trend"][SCENARIO]["sessions"]
    assert len(series) == 3
    first, second, third = (r["agreement"] for r in results)
    # moving averages are kept to 0.1 (14.25 is stored as 14.2)
    assert series[1]["moving_average"] == pytest.approx((first + second) / 2, abs=0.051)
    assert series[2]["moving_average"] == pytest.approx((first + second + third) / 3, abs=0.051)
    assert data["trend"][SCENARIO]["direction"] == "improving"
    text = CliRunner().invoke(cli, ["progress"], catch_exceptions=False).output
    assert f"{SCENARIO}: 3 sessions, improving" in text
    assert text.count("avg") == 3
    assert "latest by phase: triage" in text


def test_the_text_report_and_no_record(tmp_path: Path, data_dir: Path) -> None:
    """Without --json each point is printed with its verdict; --no-record keeps nothing."""
    path = tmp_path / "answers.txt"
    path.write_text("ack\nsev SEV2\n")
    run = CliRunner().invoke(
        cli, ["shadow", SCENARIO, "--answers", str(path), "--no-record"], catch_exceptions=False
    )
    assert run.exit_code == 0
    assert "same" in run.output and "under-declares" in run.output
    assert "agreement" in run.output
    assert history.sessions() == []
    assert "no shadow sessions yet" in CliRunner().invoke(cli, ["progress"]).output


def test_bad_usage_is_reported_not_raised(tmp_path: Path) -> None:
    """--json without --answers, and no scenario nor journal, are usage errors."""
    from gameday.errors import UsageError

    with pytest.raises(UsageError):
        CliRunner().invoke(cli, ["shadow", SCENARIO, "--json"], catch_exceptions=False)
    with pytest.raises(UsageError):
        CliRunner().invoke(cli, ["shadow", "--answers", __file__], catch_exceptions=False)


def test_trend_moving_average_per_scenario() -> None:
    """The moving average covers the last ``window`` sessions of the same scenario only."""
    rows = [
        {"id": i, "finished_at": "", "mode": "shadow", "scenario": s, "agreement": a}
        for i, (s, a) in enumerate(
            [("a", 10.0), ("b", 90.0), ("a", 20.0), ("a", 60.0), ("a", 70.0)]
        )
    ]
    series = history.trend(rows, window=3)
    assert [p["moving_average"] for p in series["a"]] == [10.0, 15.0, 30.0, 50.0]
    assert [p["moving_average"] for p in series["b"]] == [90.0]
    assert history.direction(series["a"]) == "improving"
    assert history.direction(series["b"]) == "steady"


def test_a_mapping_without_answers_is_refused(tmp_path: Path) -> None:
    """An answers file that is a YAML mapping must hold an ``answers`` list."""
    from gameday.errors import InputError
    from gameday.shadow.answers import load_answers

    path = tmp_path / "answers.yaml"
    path.write_text("foo: 1\n")
    with pytest.raises(InputError, match="expected a list of answers"):
        load_answers(path)
    path.write_text("answers: [ack, null]\n")
    assert [a.text for a in load_answers(path)] == ["ack", None]
