"""Playing an imported incident: what the recording says, byte-for-byte replays, the ghost
in the reports, and validate's checks of the folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.clirun import run_gameday
from tests.imported.incident import INCIDENT, T0, import_args, write_incident


@pytest.fixture
def imported(capsys, tmp_path: Path) -> tuple[Path, dict[str, Path]]:
    files = write_incident(tmp_path)
    out = tmp_path / "orders-outage"
    code, _, err = run_gameday(capsys, *import_args(files, out))
    assert code == 0, err
    return out, files


def _drill(capsys, folder: Path, out: Path, *extra: str) -> tuple[int, str, Path]:
    code, stdout, err = run_gameday(
        capsys, "drill", str(folder), "--out", str(out), "--seed", "5", *extra
    )
    assert "Traceback" not in err, err
    (run,) = out.iterdir()
    return code, stdout, run


def test_alerts_fire_when_the_backtest_says_they_would(capsys, imported, tmp_path) -> None:
    """The replayed rules fire exactly when a backtest of the same data and rules does."""
    folder, files = imported
    code, out, err = run_gameday(
        capsys, "backtest", "--rules", str(files["rules"]), "--openmetrics", str(files["om"]),
        "--from", str(T0), "--to", str(INCIDENT + 3600), "--json",
    )  # fmt: skip
    assert code == 0, err
    from gameday.timeparse import parse_time

    expected = sorted(
        (parse_time(a["firing_at"]) / 1000 - INCIDENT, a["labels"]["alertname"])
        for a in json.loads(out)["alerts"]
        if a["firing_at"] and parse_time(a["firing_at"]) >= INCIDENT * 1000
    )
    assert expected, "the incident fires an alert"
    _, _, run = _drill(capsys, folder, tmp_path / "runs", "--responder", "idle")
    fired = sorted(
        (e["t"], e["data"]["alertname"])
        for e in map(json.loads, (run / "journal.jsonl").read_text().splitlines())
        if e["kind"] == "alert.firing"
    )
    assert fired == expected


def test_expert_replays_the_real_team_and_the_run_replays_byte_for_byte(
    capsys, imported, tmp_path
) -> None:
    """solution.yaml is the ghost's moves; result.json compares them; replay reproduces."""
    folder, _ = imported
    code, stdout, run = _drill(capsys, folder, tmp_path / "runs", "--responder", "expert")
    assert code in (0, 1)
    assert "GHOST    Ana Lima: ack" in stdout  # the drill prints the facilitator's timeline
    result = json.loads((run / "result.json").read_text())
    assert result["scenario"]["recorded"] == {
        "source": "OpenMetrics file incident.om",
        "duration_s": 3600.0,
    }
    rows = {m["key"]: m for m in result["ghost"]["milestones"]}
    assert rows["detection"]["team"] == 780.0 and rows["detection"]["ghost"] == 840.0
    assert rows["acknowledgement"]["ghost"] == 1050.0
    assert rows["mitigation"]["ghost"] == 2160.0  # the "mitigated" row
    assert rows["resolution"]["ghost"] == 3120.0
    assert [g["kind"] for g in result["ghost"]["timeline"]] == [
        "detected", "acknowledged", "severity", "status", "action", "mitigated", "status",
        "resolved",
    ]  # fmt: skip
    # the expert plays the ghost's moves, each within its jitter (10%) of the real time
    for key in ("acknowledgement", "mitigation", "resolution"):
        assert abs(rows[key]["team"] - rows[key]["ghost"]) <= 0.1 * rows[key]["ghost"] + 1
        assert rows[key]["team"] != rows[key]["ghost"]
    postmortem = (run / "postmortem.md").read_text()
    assert "## The team and the real responders" in postmortem
    assert "| resolution |" in postmortem
    code, out, err = run_gameday(capsys, "replay", str(run / "journal.jsonl"))
    assert code == 0, err
    assert "identical" in (out + err).lower()


def test_commands_are_answered_from_the_recording(capsys, imported, tmp_path) -> None:
    """promtool queries read what was recorded up to now; kubectl and psql say why not."""
    folder, _ = imported
    script = tmp_path / "script.yaml"
    script.write_text(
        "relative_to: start\nactions:\n"
        "  - {at: 20m, do: \"promtool query instant 'sum by (code) (rate(http_requests_total[5m]))'\"}\n"
        '  - {at: 20m, do: "kubectl get pods -n shop"}\n'
        "  - {at: 20m, do: \"psql -c 'select 1'\"}\n"
        '  - {at: 21m, do: "promtool query instant --time 2026-11-04T18:40:00Z up"}\n'
        "  - {at: 21m, do: \"promtool query instant 'time()'\"}\n"
    )
    _, _, run = _drill(capsys, folder, tmp_path / "runs", "--responder", f"script:{script}")
    actions = [
        e["data"]
        for e in map(json.loads, (run / "journal.jsonl").read_text().splitlines())
        if e["kind"] == "action"
    ]
    rate = actions[0]
    assert rate["ok"] and rate["output"].splitlines() == [
        '{code="200"} => 27.999999999999996 @[1793816400]',
        '{code="500"} => 11.999999999999998 @[1793816400]',
    ]
    assert not actions[1]["ok"] and actions[1]["output"].startswith(
        "kubectl: not available in an imported incident (no cluster was recorded)"
    )
    assert not actions[2]["ok"] and actions[2]["output"].startswith(
        "psql: not available in an imported incident (no database was recorded)"
    )
    # a time the replay has not reached yet is answered as of now: nothing later exists
    assert "@[1793816460]" in actions[3]["output"]
    # time() is the recorded wall clock, as the real server answered then (not sim time)
    assert actions[4]["output"] == "scalar: 1793816460 @[1793816460]"


def test_validate_reads_the_recording_and_the_timeline(capsys, imported) -> None:
    folder, _ = imported
    assert run_gameday(capsys, "validate", str(folder))[0] == 0
    om = folder / "recorded.om"
    lines = om.read_text().splitlines()
    lines[2] = 'http_requests_total{code="200" 1 2'
    om.write_text("\n".join(lines) + "\n")
    timeline = folder / "timeline.csv"
    timeline.write_text(timeline.read_text().replace("2026-11-04T18:17:30Z", "soon"))
    code, _, err = run_gameday(capsys, "validate", str(folder))
    assert code == 2
    assert f"{om}:3: malformed OpenMetrics" in err
    assert f"{timeline}:3:1: time: not a time: 'soon'" in err
    timeline.unlink()
    code, _, err = run_gameday(capsys, "validate", str(folder))
    assert code == 2
    assert f"{folder / 'scenario.yaml'}:" in err and "recorded.timeline: file not found" in err
